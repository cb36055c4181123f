//! `AIOPS_INVENTORY` names the inventory when `--inventory` is not given; the flag wins.

use aiops_tests::{export_json, fixture, temp_dir, Test};

#[test]
fn aiops_inventory_env_var_sets_the_path() {
    let dir = temp_dir();
    let path = dir.path().join("two.csv");
    std::fs::write(
        &path,
        "Name,Role,Downstream\naie1p-a,web,aie1p-b\naie1p-b,db,\n",
    )
    .unwrap();
    let out = Test::new()
        .env("AIOPS_INVENTORY", &path)
        .arg("export")
        .json();
    assert_eq!(out["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(out["edges"][0]["from"], "aie1p-a");
}

#[test]
fn inventory_flag_wins_over_the_env_var() {
    let out = Test::new()
        .env("AIOPS_INVENTORY", "/nonexistent/inventory.xlsx")
        .inventory(fixture("seed.md"))
        .arg("export")
        .json();
    assert_eq!(out["nodes"], export_json(None)["nodes"]);
}

#[test]
fn aiops_inventory_naming_a_missing_file_exits_2() {
    let out = Test::new()
        .env("AIOPS_INVENTORY", "/nonexistent/inventory.xlsx")
        .arg("export")
        .code(2)
        .run();
    assert!(out
        .stderr_line()
        .contains("/nonexistent/inventory.xlsx: no such file"));
}
