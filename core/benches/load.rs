//! Load-and-resolve and query benchmarks on synthetic inventories of every `synth::Shape`, at
//! 10k and 100k rows (1M rows only in `scripts/compare-shapes.sh --million`, whole process).
//!
//! Targets (issues 2 and 14): 100k rows loaded and resolved in under 1 s on one core, growing
//! linearly (10× rows ≤ 11× time) on every shape; `deps` and `impact` on the 100k graph under
//! 5 ms each.
//!
//! The bench runs with mimalloc's purging of freed memory turned off (it re-executes itself
//! with `MIMALLOC_PURGE_DELAY=-1` unless that is set). With the default 10 ms delay a 40 ms
//! load gets its freed pages back on the next iteration while a 500 ms load has them returned to
//! the OS and zeroed again by the kernel, so the two sizes would be measured under different
//! conditions. With purging off both run on warm memory and the figures compare the code. A
//! one-shot `aiops` process is cold at every size; `scripts/compare-shapes.sh` times that.

use aiops_core::synth::{self, Shape};
use aiops_core::{load_bytes, query, LoadOptions};
use criterion::{criterion_group, BenchmarkId, Criterion};
use std::hint::black_box;

/// The same allocator as the `aiops` binary, so the figures are what users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_resolve_xlsx");
    g.sample_size(10);
    for shape in Shape::ALL {
        for n in [10_000usize, 100_000] {
            let bytes = synth::xlsx(&shape.rows(n)).expect("workbook");
            let id = BenchmarkId::new(shape.name(), n);
            g.bench_with_input(id, &bytes, |b, bytes| {
                b.iter(|| {
                    load_bytes("synthetic.xlsx", black_box(bytes), &LoadOptions::default())
                        .expect("loads")
                })
            });
        }
    }
    g.finish();
}

fn queries(c: &mut Criterion) {
    let topo = load_bytes(
        "synthetic.csv",
        synth::csv(100_000).as_bytes(),
        &LoadOptions::default(),
    )
    .expect("loads");
    let sel = query::select(&topo, "aie1p-domeaa-ces-*").expect("selects");
    let mut g = c.benchmark_group("query_100k");
    g.bench_function("select_glob", |b| {
        b.iter(|| query::select(&topo, black_box("aie1p-domeaa-ces-*")))
    });
    g.bench_function("deps_depth1", |b| {
        b.iter(|| query::deps(&topo, black_box(&sel), query::Direction::Both, 1))
    });
    g.bench_function("deps_depth3", |b| {
        b.iter(|| query::deps(&topo, black_box(&sel), query::Direction::Both, 3))
    });
    g.bench_function("impact", |b| {
        b.iter(|| query::impact(&topo, black_box(&sel), &query::ImpactOptions::default()))
    });
    g.finish();
}

criterion_group!(benches, load, queries);

fn main() {
    const PURGE: &str = "MIMALLOC_PURGE_DELAY";
    if std::env::var_os(PURGE).is_none() {
        // mimalloc reads its options at start-up: run again with the option set.
        let status = std::env::current_exe()
            .and_then(|exe| {
                std::process::Command::new(exe)
                    .args(std::env::args_os().skip(1))
                    .env(PURGE, "-1")
                    .status()
            })
            .expect("re-run the bench with MIMALLOC_PURGE_DELAY=-1");
        std::process::exit(status.code().unwrap_or(1));
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
