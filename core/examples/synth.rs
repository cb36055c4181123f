//! Writes a synthetic inventory workbook: `synth ROWS OUT.xlsx [SHAPE]`, the shape one of
//! `aiops_core::synth::Shape`'s names (`seed` when left out). Prints the name of one of its
//! Kafka instances. Used by `scripts/compare-shapes.sh` and `scripts/compare-load.sh` to make the workbooks it times.

use aiops_core::synth::{self, Shape};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let out = args.next().unwrap_or_else(|| "synthetic.xlsx".into());
    let shape = args.next().unwrap_or_else(|| "seed".into());
    let Some(shape) = Shape::from_name(&shape) else {
        let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
        eprintln!("unknown shape '{shape}'; one of: {}", names.join(", "));
        std::process::exit(2);
    };
    let bytes = synth::xlsx(&shape.rows(n)).expect("workbook");
    std::fs::write(&out, bytes).expect("write workbook");
    eprintln!("wrote {n} rows of shape {} to {out}", shape.name());
    println!("{}", shape.kafka());
}
