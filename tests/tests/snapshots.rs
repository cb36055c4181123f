//! Snapshots of what people read: text, JSON and Mermaid for the seed's `deps 'aie1p-ces-*'`,
//! `impact spotdb` and `export`. Regenerate with `UPDATE_EXPECT=1 cargo test -p aiops-tests`
//! and review the diff like code.

use aiops_tests::Test;
use expect_test::{expect_file, ExpectFile};

fn check(args: &[&str], format: &str, snapshot: ExpectFile) {
    let out = Test::new().args(args).args(["--format", format]).run();
    snapshot.assert_eq(&out.stdout);
}

#[test]
fn deps_ces_text() {
    check(
        &["deps", "aie1p-ces-*"],
        "text",
        expect_file!["snapshots/deps_ces.txt"],
    );
}

#[test]
fn deps_ces_json() {
    check(
        &["deps", "aie1p-ces-*"],
        "json",
        expect_file!["snapshots/deps_ces.json"],
    );
}

#[test]
fn deps_ces_mermaid() {
    check(
        &["deps", "aie1p-ces-*"],
        "mermaid",
        expect_file!["snapshots/deps_ces.mmd"],
    );
}

#[test]
fn impact_spotdb_text() {
    check(
        &["impact", "spotdb"],
        "text",
        expect_file!["snapshots/impact_spotdb.txt"],
    );
}

#[test]
fn impact_spotdb_json() {
    check(
        &["impact", "spotdb"],
        "json",
        expect_file!["snapshots/impact_spotdb.json"],
    );
}

#[test]
fn impact_spotdb_mermaid() {
    check(
        &["impact", "spotdb"],
        "mermaid",
        expect_file!["snapshots/impact_spotdb.mmd"],
    );
}

#[test]
fn export_text() {
    check(&["export"], "text", expect_file!["snapshots/export.txt"]);
}

#[test]
fn export_json() {
    check(&["export"], "json", expect_file!["snapshots/export.json"]);
}

#[test]
fn export_mermaid() {
    check(&["export"], "mermaid", expect_file!["snapshots/export.mmd"]);
}
