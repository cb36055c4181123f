//! A workbook as people really keep it, written with rust_xlsxwriter and read back through the
//! binary: a notes sheet first, a merged title and title rows above the header, blank rows,
//! full-width and padded header text, extra columns, an owner and an environment column,
//! non-production rows, ASCII and line-break lists, padded names, and a row without a name.

use aiops_tests::{diagnostics_of_kind, edge, export_json, fill, ids, node, temp_dir, Test};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SHEET: &str = "Servers";

/// Writes the messy workbook; the table's header is on row 4 of sheet `Servers`.
fn messy() -> (TempDir, PathBuf) {
    let dir = temp_dir();
    let path = dir.path().join("messy.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    fill(
        notes,
        0,
        &[vec!["本表记录生产环境 EC2。"], vec!["Name", "是实例名"]],
    );
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).unwrap();
    ws.merge_range(
        0,
        0,
        0,
        7,
        "生产环境 EC2 清单",
        &rust_xlsxwriter::Format::new().set_bold(),
    )
    .unwrap();
    fill(
        ws,
        1,
        &[
            vec!["更新于 2026-11-01"],
            vec![],
            vec![
                "  Ｎａｍｅ  ",
                "服务角色",
                "主要上游",
                "主要下游",
                "负责人",
                "环境",
                "机房",
                "Instance Type",
            ],
            vec![
                "  aie1p-web-01  ",
                "Web 前端",
                "ALB web-public",
                "aie1p-api-01, aie1p-api-02; Aurora webdb",
                "张三",
                "prod",
                "us-east-1a",
                "c5.large",
            ],
            vec![],
            vec![
                "aie1p-api-01",
                "API 服务",
                "aie1p-web-01",
                "Aurora webdb\nValkey web-redis",
                "李四",
                "production",
            ],
            vec![
                "aie1p-api-02",
                "API 服务",
                "aie1p-web-01",
                "Aurora webdb\nValkey web-redis",
                "李四",
            ],
            vec![
                "aie1p-api-test",
                "API 服务",
                "aie1p-web-01",
                "Aurora webdb",
                "李四",
                "test",
            ],
            vec![
                "aie1p-api-stg",
                "API 服务",
                "aie1p-web-01",
                "Aurora webdb",
                "李四",
                "staging",
            ],
            vec!["aie1p-loadgen", "临时压测机", "", "aie1p-web-01", "王五"],
            vec!["", "无名机器", "aie1p-web-01", "Aurora webdb"],
        ],
    );
    wb.save(&path).unwrap();
    (dir, path)
}

fn instance_ids(export: &Value) -> Vec<&str> {
    export["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "instance")
        .map(|n| n["id"].as_str().unwrap())
        .collect()
}

fn whois(path: &Path, name: &str) -> Value {
    let out = Test::new().inventory(path).args(["whois", name]).json();
    out["matched"][0].clone()
}

#[test]
fn table_is_found_under_notes_sheet_title_rows_and_full_width_header() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    assert_eq!(
        instance_ids(&export),
        ["aie1p-web-01", "aie1p-api-01", "aie1p-api-02"]
    );
    assert_eq!(
        edge(&export, "aie1p-web-01", "aie1p-api-01")["source"]["sheet"],
        SHEET
    );
}

#[test]
fn padded_names_are_trimmed() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    assert!(node(&export, "aie1p-web-01").is_some());
    assert!(node(&export, "  aie1p-web-01  ").is_none());
}

#[test]
fn comma_and_semicolon_separate_list_items() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    for to in ["aie1p-api-01", "aie1p-api-02", "Aurora webdb"] {
        let e = edge(&export, "aie1p-web-01", to);
        assert_eq!(e["source"]["row"], 5);
        assert_eq!(e["source"]["column"], "D");
    }
}

#[test]
fn line_breaks_in_a_cell_separate_list_items() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    for to in ["Aurora webdb", "Valkey web-redis"] {
        assert_eq!(
            edge(&export, "aie1p-api-01", to)["source"]["text"],
            "Aurora webdb\nValkey web-redis"
        );
    }
}

#[test]
fn extra_columns_are_kept_as_attributes() {
    let (_dir, path) = messy();
    assert_eq!(
        whois(&path, "aie1p-web-01")["attributes"],
        json!({"Instance Type": "c5.large", "机房": "us-east-1a"})
    );
}

#[test]
fn owner_column_answers_owner_questions() {
    let (_dir, path) = messy();
    assert_eq!(whois(&path, "aie1p-web-01")["owner"], "张三");
    let out = Test::new().inventory(&path).args(["owner", "李四"]).json();
    assert_eq!(ids(&out["matched"]), ["aie1p-api-01", "aie1p-api-02"]);
}

#[test]
fn test_staging_and_temporary_rows_are_left_out_and_counted() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    let left_out = diagnostics_of_kind(&export, "non_production");
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    let message = left_out[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("left out 3 test/staging/temporary row(s): 9, 10, 11"),
        "{message}"
    );
    assert!(edges_touching(&export, "aie1p-loadgen").is_empty());
}

#[test]
fn include_nonprod_keeps_test_staging_and_temporary_rows() {
    let (_dir, path) = messy();
    let export = Test::new()
        .inventory(&path)
        .args(["--include-nonprod", "export"])
        .json();
    for id in ["aie1p-api-test", "aie1p-api-stg", "aie1p-loadgen"] {
        assert!(node(&export, id).is_some(), "{id} missing");
    }
    assert_eq!(node(&export, "aie1p-api-stg").unwrap()["env"], "staging");
    edge(&export, "aie1p-loadgen", "aie1p-web-01");
    assert!(diagnostics_of_kind(&export, "non_production").is_empty());
}

#[test]
fn row_without_a_name_is_skipped_with_its_sheet_and_row() {
    let (_dir, path) = messy();
    let export = export_json(Some(&path));
    let skipped = diagnostics_of_kind(&export, "skipped_row");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        skipped[0]["location"],
        json!({"sheet": SHEET, "row": 12, "column": "A"})
    );
    Test::new()
        .inventory(&path)
        .arg("lint")
        .run()
        .stdout_has("sheet 'Servers', row 12, column A: row has no instance name; skipped");
}

fn edges_touching<'a>(export: &'a Value, from: &str) -> Vec<&'a Value> {
    export["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == from || e["to"] == from)
        .collect()
}
