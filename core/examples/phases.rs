//! Times loads of workbooks, interleaved, and reports the best time of each:
//! `phases REPEATS FILE.xlsx [FILE.xlsx ...]`. The best of many interleaved runs is steadier
//! than a mean on a noisy machine; use it to see a change's effect before running criterion.
//! Each load is read + resolve + drop, as `load_bytes` and the criterion bench do it.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let files: Vec<String> = args.collect();
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read workbook"))
        .collect();
    let mut best = vec![[f64::MAX; 3]; files.len()];
    for _ in 0..reps {
        for (k, (file, b)) in files.iter().zip(&bytes).enumerate() {
            let t0 = Instant::now();
            let table = aiops_core::ingest::read_table(file, b).expect("table");
            let t1 = Instant::now();
            let topo = aiops_core::resolve::build(&table, &aiops_core::LoadOptions::default());
            let t2 = Instant::now();
            drop(topo);
            drop(table);
            let t3 = Instant::now();
            for (slot, d) in best[k].iter_mut().zip([t1 - t0, t2 - t1, t3 - t2]) {
                *slot = slot.min(d.as_secs_f64() * 1e3);
            }
        }
    }
    for (file, b) in files.iter().zip(&best) {
        println!(
            "{file}: read {:.1} ms, resolve {:.1} ms, drop {:.1} ms, total {:.1} ms (best of {reps})",
            b[0],
            b[1],
            b[2],
            b.iter().sum::<f64>()
        );
    }
}
