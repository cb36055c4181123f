//! Writes a synthetic inventory workbook: `synth ROWS OUT.xlsx [SHAPE]`, the shape one of
//! `aiops_core::synth::Shape`'s names (`seed` when left out). Prints the name of one of its
//! Kafka instances. Used by `scripts/compare-shapes.sh` and `scripts/compare-load.sh` to make the workbooks it times.

use aiops_core::synth::{self, Shape};

fn main() {
    let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
    let usage = |why: &str| -> ! {
        eprintln!(
            "{why}\nusage: synth ROWS OUT.xlsx [SHAPE]\n  SHAPE: one of {} (default seed)",
            names.join(", ")
        );
        std::process::exit(2);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (n, out, shape) = match args.as_slice() {
        [n, out] => (n, out, "seed"),
        [n, out, shape] => (n, out, shape.as_str()),
        _ => usage("two or three arguments are needed"),
    };
    let Ok(n) = n.parse::<usize>() else {
        usage(&format!("ROWS must be a whole number, not '{n}'"))
    };
    let Some(shape) = Shape::from_name(shape) else {
        usage(&format!("unknown shape '{shape}'"))
    };
    let bytes = synth::xlsx(&shape.rows(n)).expect("workbook");
    std::fs::write(out, bytes).expect("write workbook");
    eprintln!("wrote {n} rows of shape {} to {out}", shape.name());
    println!("{}", shape.kafka());
}
