//! `aiops --lang zh` through the real binary: answers, error replies and the history commands
//! print no English label, on the built-in seed and on a workbook that is not the seed. The rule
//! and its allowlist are `commands/tests/english/mod.rs`, shared with the handler-level test.

#[path = "../../commands/tests/english/mod.rs"]
mod english;

use aiops_core::{load_bytes, seed, LoadOptions, Topology};
use aiops_tests::{temp_dir, write_workbook, Sheet, Test};
use english::Foreign;
use std::path::Path;

/// Not the seed: prefix `mk3`, order and stock domains each with its own Kafka and Redis, an
/// owner column, a pool, a word nothing resolves.
fn workbook_rows(retire_stock: bool) -> Vec<Vec<&'static str>> {
    let pool = vec![
        "mk3-order-worker-Node",
        "订单消费节点池（EKS）",
        "order-kafka",
        "Redis order-cache",
        "交易组",
    ];
    let mut rows = vec![
        vec!["主机名", "用途", "上游", "下游", "负责团队"],
        vec![
            "mk3-edge-01",
            "边缘网关",
            "客户端",
            "mk3-order-01；mk3-stock-01",
            "平台组",
        ],
        vec![
            "mk3-order-01",
            "订单服务",
            "mk3-edge-01",
            "order-kafka；Redis order-cache；mk3-stock-01（可选）",
            "交易组",
        ],
        // A pool: one row per node.
        pool.clone(),
        pool,
        vec![
            "mk3-stock-01",
            "库存服务",
            "mk3-edge-01；mk3-order-01",
            "stock-kafka；Redis stock-cache；某外部系统",
            "库存组",
        ],
    ];
    if retire_stock {
        rows.retain(|r| r[0] != "mk3-stock-01");
    }
    rows
}

fn write(dir: &Path, name: &str, retire_stock: bool) -> std::path::PathBuf {
    let path = dir.join(name);
    write_workbook(
        &path,
        &[Sheet {
            name: "主机清单",
            rows: workbook_rows(retire_stock),
        }],
    );
    path
}

fn load(path: &Path) -> Topology {
    let bytes = std::fs::read(path).expect("read the workbook");
    load_bytes(&path.to_string_lossy(), &bytes, &LoadOptions::default()).expect("workbook loads")
}

/// Runs `aiops --lang zh ARGS` and returns the English words left in what it printed.
fn english_left(topo: &Topology, args: &[&str], code: i32, foreign: &[&str]) -> Vec<String> {
    let out = Test::new()
        .args(["--lang", "zh"])
        .args(args)
        .code(code)
        .run();
    let mut f = Foreign::of(topo);
    f.add_all(args);
    f.add_all(foreign);
    let printed = format!("{}\n{}", out.stdout, out.stderr);
    let left = f.english_left(&printed);
    assert!(
        printed
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "aiops {args:?} printed Chinese:\n{printed}"
    );
    if !left.is_empty() {
        eprintln!("aiops {args:?}: {left:?}\n{printed}");
    }
    left
}

#[test]
fn the_seed_in_chinese_has_no_english_label() {
    let topo = seed(&LoadOptions::default()).expect("seed loads");
    let detail = match aiops_core::query::select(&topo, "re:(") {
        Err(aiops_core::query::QueryError::BadPattern { detail, .. }) => detail,
        other => panic!("re:( is a bad pattern: {other:?}"),
    };
    let mut left = Vec::new();
    for (args, code) in [
        (&["deps", "apisix"][..], 0),
        (&["deps", "kafka-server-01", "--depth", "2"], 0),
        (&["impact", "kafka-server-01"], 0),
        (&["impact", "aie1p-ces-*", "--one-node"], 0),
        (&["whois", "maker"], 0),
        (&["path", "spotdb", "apisix"], 0),
        (&["spof"], 0),
        (&["owner", "运维"], 1),
        (&["deps", "apisx"], 1),
        (&["deps", "re:("], 2),
    ] {
        left.extend(english_left(&topo, args, code, &[&detail]));
    }
    assert!(left.is_empty(), "English left: {left:?}");
}

#[test]
fn a_workbook_that_is_not_the_seed_in_chinese_has_no_english_label() {
    let dir = temp_dir();
    let v1 = write(dir.path(), "hosts.xlsx", false);
    let v2 = write(dir.path(), "hosts-v2.xlsx", true);
    let (old, new) = (load(&v1), load(&v2));
    let state = dir.path().join("state");
    let (v1s, v2s, states) = (
        v1.to_str().unwrap(),
        v2.to_str().unwrap(),
        state.to_str().unwrap(),
    );
    let mut left = Vec::new();
    for args in [
        &["deps", "order"][..],
        &["whois", "order-worker"],
        &["impact", "Redis order-cache"],
        &["spof"],
        &["lint"],
        &["export"],
    ] {
        let all: Vec<&str> = ["--inventory", v1s].iter().chain(args).copied().collect();
        left.extend(english_left(&old, &all, 0, &[]));
    }
    // Two versions in the history, then what changed near the order service. Below the title
    // the change lines and the caption are core's (`aiops_core::diff`).
    Test::new()
        .args(["--state-dir", states, "--inventory", v1s, "spof"])
        .run();
    let changes = |since| {
        [
            "--state-dir",
            states,
            "--inventory",
            v2s,
            "changes",
            "order",
            "--since",
            since,
        ]
    };
    let out = Test::new().args(["--lang", "zh"]).args(changes("7d")).run();
    let title = out.stdout.lines().next().unwrap_or_default();
    assert!(title.contains("比较了 2 个版本"), "{}", out.stdout);
    let mut f = Foreign::of(&new);
    f.add_all(changes("7d"));
    left.extend(f.english_left(title));
    left.extend(english_left(&new, &changes("7x"), 2, &[]));
    assert!(left.is_empty(), "English left: {left:?}");
}
