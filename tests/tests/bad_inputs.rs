//! Bad inventories: each fails with exit code 2 and one line on stderr that names the file, and
//! the sheet, row and column where one applies. A path with spaces is not bad and must load.

use aiops_tests::{fixture, temp_dir, write_workbook, Output, Sheet, Test};
use std::path::Path;

/// Loads `path` with `export`, expecting exit code 2; returns the one stderr line after
/// checking it names the file.
fn rejected(path: &Path) -> String {
    let out: Output = Test::new().inventory(path).arg("export").code(2).run();
    assert!(out.stdout.is_empty(), "no partial output: {}", out.stdout);
    let line = out.stderr_line().to_string();
    assert!(
        line.contains(&path.display().to_string()),
        "message does not name the file: {line}"
    );
    line
}

#[test]
fn missing_file_is_named_with_how_to_fix() {
    let dir = temp_dir();
    let line = rejected(&dir.path().join("nope.xlsx"));
    assert!(line.contains("no such file"), "{line}");
    assert!(line.contains("--inventory"), "{line}");
}

#[test]
fn png_bytes_are_not_a_spreadsheet() {
    let dir = temp_dir();
    let path = dir.path().join("inventory.png");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    std::fs::write(&path, png).unwrap();
    assert!(rejected(&path).contains("not a spreadsheet"));
}

#[test]
fn xlsx_named_file_with_text_is_not_a_spreadsheet() {
    let dir = temp_dir();
    let path = dir.path().join("inventory.xlsx");
    std::fs::write(&path, "实例名称,服务角色\naie1p-x,web\n").unwrap();
    assert!(rejected(&path).contains("not a spreadsheet"));
}

#[test]
fn truncated_zip_is_corrupt() {
    let dir = temp_dir();
    let path = dir.path().join("truncated.xlsx");
    let seed = std::fs::read(fixture("ai-ops-list.xlsx")).unwrap();
    std::fs::write(&path, &seed[..seed.len() / 2]).unwrap();
    assert!(rejected(&path).contains("corrupt or truncated"));
}

/// `password-protected.xlsx` is the seed workbook encrypted with the password "secret" by
/// msoffcrypto-tool 6.1 (`OOXMLFile(seed).encrypt("secret", out)`), a real Agile-encrypted
/// OOXML file as Excel writes it.
#[test]
fn password_protected_workbook_says_so() {
    let line = rejected(&fixture("password-protected.xlsx"));
    assert!(line.contains("password-protected"), "{line}");
}

#[test]
fn workbook_without_a_recognisable_header_lists_the_sheets_it_looked_at() {
    let dir = temp_dir();
    let path = dir.path().join("no-header.xlsx");
    write_workbook(
        &path,
        &[
            Sheet {
                name: "说明",
                rows: vec![vec!["这是一个说明页"]],
            },
            Sheet {
                name: "Hosts",
                rows: vec![vec!["host", "cpu"], vec!["aie1p-x", "4"]],
            },
        ],
    );
    let line = rejected(&path);
    assert!(line.contains("no sheet has a header row"), "{line}");
    assert!(line.contains("'说明', 'Hosts'"), "{line}");
}

#[test]
fn header_only_table_is_empty_and_names_sheet_and_header_row() {
    let dir = temp_dir();
    let path = dir.path().join("empty.xlsx");
    write_workbook(
        &path,
        &[Sheet {
            name: "Inventory",
            rows: vec![
                vec!["EC2 inventory"],
                vec![],
                vec!["Name", "Role", "Upstream", "Downstream"],
            ],
        }],
    );
    let line = rejected(&path);
    assert!(
        line.contains("sheet 'Inventory': no instance rows under the header on row 3"),
        "{line}"
    );
}

/// rust_xlsxwriter refuses strings over Excel's limit, so `large-cell.xlsx` is the seed with
/// cell D3 replaced by `Aurora makerdb；` and 40,000 `x` (rewritten with Python's zipfile).
#[test]
fn very_large_cell_is_named_by_sheet_row_and_column() {
    let line = rejected(&fixture("large-cell.xlsx"));
    assert!(
        line.contains("sheet '生产环境', row 3, column D: cell is 40015 characters long"),
        "{line}"
    );
}

#[test]
fn very_large_csv_cell_is_named_by_row_and_column() {
    let dir = temp_dir();
    let path = dir.path().join("big.csv");
    let big = "y".repeat(32_768);
    std::fs::write(
        &path,
        format!("Name,Role,Downstream\naie1p-a,web,aie1p-b\naie1p-b,db,{big}\n"),
    )
    .unwrap();
    let line = rejected(&path);
    assert!(line.contains("row 3, column C"), "{line}");
    assert!(line.contains("32768 characters"), "{line}");
}

#[test]
fn path_with_spaces_loads() {
    let dir = temp_dir();
    let sub = dir.path().join("ops team").join("AI Ops List");
    std::fs::create_dir_all(&sub).unwrap();
    let path = sub.join("ai ops list (copy).xlsx");
    std::fs::copy(fixture("ai-ops-list.xlsx"), &path).unwrap();
    Test::new()
        .inventory(&path)
        .args(["whois", "ces-access-c5large-2c4g-v132-a-Node"])
        .run()
        .stdout_has("CES 接入层节点池（EKS）");
}

#[test]
fn an_unclosed_quote_in_a_csv_is_named_instead_of_eating_the_rest_of_the_file() {
    let dir = temp_dir();
    let path = dir.path().join("unclosed.csv");
    std::fs::write(
        &path,
        "实例名称,服务角色,主要上游,主要下游\nweb-1,\"web tier,lb,db-1\nweb-2,web,lb,db-1\ndb-1,db,,\n",
    )
    .unwrap();
    let line = rejected(&path);
    assert!(line.contains("sheet 'csv', row 2, column B"), "{line}");
    assert!(line.contains("never closed"), "{line}");
}

#[test]
fn quoted_cells_with_line_breaks_and_doubled_quotes_still_load() {
    let dir = temp_dir();
    let path = dir.path().join("quoted.csv");
    std::fs::write(
        &path,
        "Name,Role,Downstream\nweb-1,\"web \"\"tier\"\"\",\"db-1\ncache-1\"\ndb-1,db,\ncache-1,cache,\n",
    )
    .unwrap();
    let export = Test::new().inventory(&path).arg("export").json();
    let to: Vec<&str> = export["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == "web-1")
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["db-1", "cache-1"]);
}

/// What Excel on a Chinese Windows writes for "CSV (逗号分隔)": GBK.
#[test]
fn a_gbk_csv_loads_and_says_which_encoding_it_was_read_in() {
    let dir = temp_dir();
    let path = dir.path().join("gbk.csv");
    let text =
        "实例名称,服务角色,主要上游,主要下游\nweb-1,网站,客户端,db-1（可选）\ndb-1,数据库,——,——\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    std::fs::write(&path, &bytes).unwrap();
    let export = Test::new().inventory(&path).arg("export").json();
    let web = aiops_tests::node(&export, "web-1").expect("web-1");
    assert_eq!(web["role"], "网站");
    let edge = aiops_tests::edge(&export, "web-1", "db-1");
    assert_eq!(edge["optional"], true);
    let diags = export["diagnostics"].to_string();
    assert!(diags.contains("read as GB18030"), "{diags}");
}

/// What Excel writes for "Unicode Text": UTF-16LE with a byte-order mark, tab-separated.
#[test]
fn a_utf16_unicode_text_export_loads() {
    let dir = temp_dir();
    let path = dir.path().join("inventory.txt");
    let text = "实例名称\t服务角色\t主要下游\r\nweb-1\t网站\tdb-1\r\ndb-1\t数据库\t——\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, &bytes).unwrap();
    Test::new()
        .inventory(&path)
        .args(["deps", "web-1"])
        .run()
        .stdout_has("db-1");
}

#[test]
fn text_in_an_unknown_encoding_is_named_with_its_line() {
    let dir = temp_dir();
    let path = dir.path().join("latin1.csv");
    // Latin-1 "café": 0xE9 followed by a comma is neither UTF-8 nor GBK.
    std::fs::write(&path, b"Name,Role\nweb-1,web\ncaf\xe9,shop\n").unwrap();
    let line = rejected(&path);
    assert!(line.contains("line 3: cannot read the text"), "{line}");
    assert!(line.contains("CSV UTF-8"), "{line}");
}

/// Old Mac "CSV": lines end with a lone carriage return.
#[test]
fn carriage_return_only_lines_count_as_lines() {
    let dir = temp_dir();
    let good = dir.path().join("mac.csv");
    std::fs::write(&good, "Name,Role,Downstream\rweb-1,web,db-1\rdb-1,db,\r").unwrap();
    Test::new()
        .inventory(&good)
        .args(["deps", "web-1"])
        .run()
        .stdout_has("db-1");
    let bad = dir.path().join("mac-unclosed.csv");
    std::fs::write(&bad, "Name,Role,Downstream\rweb-1,web,db-1\rdb-1,\"db,\r").unwrap();
    let line = rejected(&bad);
    assert!(line.contains("row 3, column B"), "{line}");
}

/// `aiops export 2>&1 | head -1` and the like: when the reader of standard error has gone,
/// the message is lost but the exit code is still the load error's 2, not a panic's 101.
#[test]
fn a_bad_inventory_still_exits_2_when_nobody_reads_stderr() {
    let dir = temp_dir();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    // The read end is closed before aiops starts, so its first write to stderr fails.
    drop(reader);
    let out = aiops_tests::aiops_command()
        .arg("--inventory")
        .arg(dir.path().join("nope.xlsx"))
        .arg("export")
        .stderr(std::process::Stdio::from(writer))
        .output()
        .expect("aiops runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "no partial output: {out:?}");
}
