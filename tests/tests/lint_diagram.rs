//! `lint --diagram` compares the team's hand-drawn Mermaid chart with the sheet: what the drawing
//! misses, and what it draws that the sheet does not say.

use aiops_tests::{fixture, Test};
use serde_json::{json, Value};

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";

fn diagram_report() -> Value {
    Test::new()
        .arg("lint")
        .arg("--diagram")
        .arg(fixture("seed.md"))
        .json()["diagram"]
        .clone()
}

#[test]
fn drawing_misses_ces_access_to_ces_core() {
    let report = diagram_report();
    let missing = report["missing"].as_array().unwrap();
    assert!(
        missing.contains(&json!({"from": CES_ACCESS, "to": CES_CORE})),
        "{missing:?}"
    );
    let text = Test::new()
        .arg("lint")
        .arg("--diagram")
        .arg(fixture("seed.md"))
        .run()
        .stdout;
    let missing_section = text
        .split("Missing from the drawing:")
        .nth(1)
        .and_then(|s| s.split("Drawn but not in the sheet:").next())
        .expect("text has a missing section");
    assert!(
        missing_section
            .lines()
            .any(|l| l.contains(CES_ACCESS) && l.contains('→') && l.contains(CES_CORE)),
        "{missing_section}"
    );
}

#[test]
fn drawing_shows_what_the_sheet_does_not_say() {
    // The drawing has an "ALB nginx-public" box; the sheet never mentions it.
    let report = diagram_report();
    assert!(report["unknown_nodes"]
        .as_array()
        .unwrap()
        .contains(&json!("ALB nginx-public")));
    assert!(report["extra"]
        .as_array()
        .unwrap()
        .contains(&json!({"from": "ALB nginx-public", "to": "aie1p-maker-02"})));
}

/// Runs `lint --diagram path`, expecting exit 2 and nothing on stdout; returns the stderr line.
fn refused_diagram(path: &std::path::Path) -> String {
    let out = Test::new()
        .arg("lint")
        .arg("--diagram")
        .arg(path)
        .code(2)
        .run();
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    out.stderr_line().to_string()
}

#[test]
fn a_file_without_a_flowchart_is_refused_with_exit_2() {
    let dir = aiops_tests::temp_dir();
    for (name, bytes) in [
        ("notes.txt", b"hello world\nsecond line\n".to_vec()),
        (
            "inventory.csv",
            "实例名称,服务角色\naie1p-jenkins,CI\n".as_bytes().to_vec(),
        ),
        (
            "ai-ops-list.xlsx",
            std::fs::read(fixture("ai-ops-list.xlsx")).unwrap(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let line = refused_diagram(&path);
        assert!(line.contains(name), "{line}");
        assert!(line.contains("no Mermaid flowchart found"), "{line}");
    }
}

#[test]
fn a_missing_diagram_or_alias_file_is_named_without_the_inventory_hint() {
    assert_eq!(
        refused_diagram(std::path::Path::new("/nonexistent/drawing.mmd")),
        "aiops: /nonexistent/drawing.mmd: no such file"
    );
    let out = Test::new()
        .args([
            "--aliases",
            "/nonexistent/aliases.toml",
            "deps",
            "aie1p-jenkins",
        ])
        .code(2)
        .run();
    assert_eq!(
        out.stderr_line(),
        "aiops: /nonexistent/aliases.toml: no such file"
    );
}

#[test]
fn aiops_own_mermaid_export_matches_the_sheet_exactly() {
    let dir = aiops_tests::temp_dir();
    let path = dir.path().join("export.mmd");
    let mermaid = Test::new()
        .args(["export", "--format", "mermaid"])
        .run()
        .stdout;
    std::fs::write(&path, mermaid).unwrap();
    let report = Test::new().arg("lint").arg("--diagram").arg(&path).json()["diagram"].clone();
    assert_eq!(report["missing"], json!([]), "{report}");
    assert_eq!(report["extra"], json!([]), "{report}");
    assert_eq!(report["unknown_nodes"], json!([]), "{report}");
}
