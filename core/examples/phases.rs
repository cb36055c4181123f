//! Times the phases of a load on a workbook: `phases FILE.xlsx [REPEATS]`.
//! Used to see where load time goes (read the table vs. resolve it into a graph).

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "synthetic.xlsx".into());
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(&path).expect("read workbook");
    for _ in 0..reps {
        let t0 = Instant::now();
        let table = aiops_core::ingest::read_table(&path, &bytes).expect("table");
        let t1 = Instant::now();
        let topo = aiops_core::resolve::build(&table, &aiops_core::LoadOptions::default());
        let t2 = Instant::now();
        let nodes = topo.nodes().len();
        let edges = topo.edges().len();
        drop(topo);
        let t3 = Instant::now();
        drop(table);
        println!(
            "read {:>7.1} ms  resolve {:>7.1} ms  drop {:>6.1} ms  ({nodes} nodes, {edges} edges)",
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            (t3 - t2).as_secs_f64() * 1e3,
        );
    }
}
