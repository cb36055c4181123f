//! The inventory typed the ways teams type it, in workbooks written with rust_xlsxwriter and read
//! back through the binary: headers phrased as relations, pools written once in merged cells,
//! numbered and bulleted lists, names with IPs and odd case, and a sheet with no relation column,
//! which is refused rather than read as a graph without edges.

use aiops_tests::{temp_dir, write_workbook, Sheet, Test};

#[test]
fn a_sheet_without_relation_columns_is_refused_with_exit_2() {
    let dir = temp_dir();
    let path = dir.path().join("prod.xlsx");
    write_workbook(
        &path,
        &[Sheet {
            name: "Prod EC2",
            rows: vec![
                vec!["Hostname", "Service", "Team", "Env"],
                vec!["zq9-web-01", "Web front end", "web", "prod"],
                vec!["zq9-orders-01", "Orders API", "shop", "prod"],
            ],
        }],
    );
    let out = Test::new().inventory(&path).arg("export").code(2).run();
    let line = out.stderr_line();
    assert!(
        line.contains(
            "no upstream/downstream column found in sheet 'Prod EC2'; headers seen: \
             'Hostname', 'Service', 'Team', 'Env'; map one in [columns]"
        ),
        "{line}"
    );
    assert!(line.contains("--names-only"), "{line}");
    assert!(out.stdout.is_empty(), "nothing is answered: {}", out.stdout);

    let export = Test::new()
        .inventory(&path)
        .args(["--names-only", "export"])
        .json();
    assert_eq!(export["nodes"].as_array().unwrap().len(), 2);
    assert!(export["edges"].as_array().unwrap().is_empty());
}
