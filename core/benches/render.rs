//! Render budgets (issue 4), in-process: the whole seed graph to PNG under 100 ms, a 60-node
//! neighbourhood under 150 ms, 300 nodes / 600 edges under 2 s.
//!
//! Needs a CJK font under /usr/share/fonts (`.ci/install-render-deps` installs one).

use aiops_core::diagram::{Diagram, DiagramEdge, DiagramNode, NodeClass};
use aiops_core::graph::ResourceKind;
use aiops_core::render::{self, fonts, Budget};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;
use std::time::Duration;

/// A diagram in the seed's shape: pools with roles in Chinese, external resources of a few
/// kinds, some optional links; `edges` arrows mostly flowing forward, a few back.
fn synthetic(nodes: usize, edges: usize) -> Diagram {
    let roles = ["撮合/核心", "接入层", "行情推送", "风控", "清算", "网关"];
    let kinds = [
        ResourceKind::Database,
        ResourceKind::Cache,
        ResourceKind::Queue,
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let nodes_v: Vec<DiagramNode> = (0..nodes)
        .map(|i| {
            let external = i % 5 == 4;
            DiagramNode {
                key: format!("n{i}"),
                lines: if external {
                    vec![format!("Aurora db-{i}")]
                } else {
                    vec![
                        format!("aie1p-svc-{i:03} ×{}", 1 + i % 4),
                        roles[i % roles.len()].to_string(),
                    ]
                },
                class: if external {
                    NodeClass::External
                } else {
                    NodeClass::Instance
                },
                group: external.then(|| kinds[i % kinds.len()]),
            }
        })
        .collect();
    let mut edges_v = Vec::with_capacity(edges);
    while edges_v.len() < edges {
        let a = (next() as usize) % nodes;
        let span = 1 + (next() as usize) % 12;
        let b = if next() % 20 == 0 {
            a.saturating_sub(span)
        } else {
            (a + span).min(nodes - 1)
        };
        if a != b {
            edges_v.push(DiagramEdge {
                from: a,
                to: b,
                label: (next() % 7 == 0).then(|| "可选".to_string()),
                dashed: next() % 7 == 0,
                doubtful: false,
            });
        }
    }
    Diagram {
        nodes: nodes_v,
        edges: edges_v,
        caption: String::new(),
    }
}

fn benches(c: &mut Criterion) {
    let fonts = fonts::discover(&[PathBuf::from("/usr/share/fonts")], None)
        .unwrap_or_else(|e| panic!("{e}"));
    let topo = aiops_core::seed(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let budget = Budget {
        time: Duration::from_secs(30),
        ..Budget::default()
    };
    let whole = Diagram::whole(&topo);
    let sixty = synthetic(60, 120);
    let big = synthetic(300, 600);
    let mut g = c.benchmark_group("render");
    g.sample_size(10);
    g.bench_function("seed_whole_png", |b| {
        b.iter(|| render::to_png(&whole, &fonts, &budget))
    });
    g.bench_function("neighbourhood_60_png", |b| {
        b.iter(|| render::to_png(&sixty, &fonts, &budget))
    });
    g.bench_function("synthetic_300n_600e_png", |b| {
        b.iter(|| render::to_png(&big, &fonts, &budget))
    });
    g.bench_function("seed_whole_svg", |b| {
        b.iter(|| render::to_svg(&whole, &fonts, &budget))
    });
    g.finish();
}

criterion_group!(render_benches, benches);
criterion_main!(render_benches);
