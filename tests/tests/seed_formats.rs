//! The seed workbook and the seed Markdown document hold the same table, so they load to the
//! same graph: same nodes, same edges with the same flags. Only provenance differs (sheet name,
//! and spreadsheet row vs. Markdown line).

use aiops_tests::{edges_without_source as without_source, export_json, fixture};

#[test]
fn seed_workbook_and_seed_markdown_load_to_the_same_graph() {
    let xlsx = export_json(None);
    let markdown = export_json(Some(&fixture("seed.md")));
    assert_eq!(xlsx["nodes"], markdown["nodes"]);
    assert_eq!(without_source(&xlsx), without_source(&markdown));
    assert_eq!(xlsx["edges"].as_array().unwrap().len(), 98);
    assert_ne!(
        xlsx["edges"][0]["source"]["sheet"], markdown["edges"][0]["source"]["sheet"],
        "provenance should say where each came from"
    );
}

#[test]
fn built_in_seed_is_the_seed_workbook() {
    assert_eq!(
        export_json(None)["edges"],
        export_json(Some(&fixture("ai-ops-list.xlsx")))["edges"]
    );
}
