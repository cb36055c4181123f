//! `aiops diff` on the real binary: the seed workbook against an edited copy that adds a pool and
//! retires a server.

use aiops_core::ingest::{read_table, Field};
use aiops_tests::aiops_command;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Output;

const POOL: &str = "aie1p-spotadmin-c5large-2c4g-v133-a-Node";
const RETIRED: &str = "aie1p-etcd-01";

fn aiops(args: &[&OsStr]) -> Output {
    aiops_command().args(args).output().expect("aiops runs")
}

/// The seed's rows without the retired server, plus a new two-node pool, as a workbook.
fn edited_seed() -> Vec<u8> {
    let t = read_table("seed.xlsx", aiops_core::SEED_XLSX).expect("the seed loads");
    let name = t.column(Field::Name).expect("name column");
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.cells.clone())
        .filter(|c| {
            c.get(name)
                .is_some_and(|n| !n.trim().is_empty() && n.trim() != RETIRED)
        })
        .collect();
    let col = |f: Field| t.column(f).expect("seed column");
    for _ in 0..2 {
        let mut row = vec![String::new(); t.headers.len()];
        row[col(Field::Name)] = POOL.into();
        row[col(Field::Role)] = "现货管理后台节点池（EKS）".into();
        row[col(Field::Upstream)] = "APISIX/NGINX".into();
        row[col(Field::Downstream)] = "Aurora spotdb".into();
        rows.push(row);
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell).expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}

fn files() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = dir.path().join("ai-ops-list.xlsx");
    let edited = dir.path().join("edited copy.xlsx");
    std::fs::write(&seed, aiops_core::SEED_XLSX).expect("write seed");
    std::fs::write(&edited, edited_seed()).expect("write edited copy");
    (dir, seed, edited)
}

#[test]
fn diff_puts_the_added_pool_and_the_retired_server_at_the_top() {
    let (_dir, seed, edited) = files();
    let out = aiops(&["diff".as_ref(), seed.as_ref(), edited.as_ref()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let first = |needle: &str| lines.iter().position(|l| l.contains(needle));
    let (pool, retired) = (first(POOL), first(RETIRED));
    let relations = first("Relations").unwrap_or(lines.len());
    assert!(pool.is_some_and(|p| p < relations), "{stdout}");
    assert!(retired.is_some_and(|r| r < relations), "{stdout}");
    assert!(
        lines[..relations]
            .iter()
            .any(|l| l.contains("removed but still depended on: aie1p-etcd-01")),
        "{stdout}"
    );
}

#[test]
fn diff_json_has_the_documented_shape() {
    let (_dir, seed, edited) = files();
    let out = aiops(&[
        "diff".as_ref(),
        seed.as_ref(),
        edited.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["added_instances"], serde_json::json!([POOL]));
    assert_eq!(v["removed_instances"], serde_json::json!([RETIRED]));
    for key in [
        "changed_instances",
        "added_edges",
        "removed_edges",
        "new_spofs",
        "cleared_spofs",
    ] {
        assert!(v[key].is_array(), "{key}");
    }
}

#[test]
fn history_survives_between_runs_and_diff_since_a_version_shows_the_edit() {
    let (dir, seed, edited) = files();
    let state = dir.path().join("state dir");
    let inventory = dir.path().join("inventory.xlsx");
    let run = |args: &[&str]| {
        let mut all: Vec<&OsStr> = vec!["--state-dir".as_ref(), state.as_ref()];
        all.extend(["--inventory".as_ref(), inventory.as_os_str()]);
        all.extend(args.iter().map(OsStr::new));
        let out = aiops(&all);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    std::fs::copy(&seed, &inventory).expect("copy seed");
    run(&["spof"]);
    run(&["whois", "aie1p-etcd-01"]);
    std::fs::copy(&edited, &inventory).expect("copy edit");
    run(&["spof"]);
    let history = run(&["history", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&history).expect("JSON");
    let versions = v["versions"].as_array().expect("versions");
    assert_eq!(
        versions.len(),
        2,
        "an identical reload adds no version: {history}"
    );
    assert_eq!(
        versions[1]["summary"],
        "first version: 23 instances, 98 relations"
    );
    let since = run(&["diff", "--since", "1"]);
    let top: Vec<&str> = since.lines().take(8).collect();
    assert!(top.iter().any(|l| l.contains(POOL)), "{since}");
    assert!(top.iter().any(|l| l.contains(RETIRED)), "{since}");
}
