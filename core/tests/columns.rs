//! Which column holds what: relation headers phrased as relations in both languages, the
//! strongest claim winning, the alias file's `[columns]`, and the refusal of a sheet without
//! relation columns. Each sheet is CSV text typed as a team would.

use aiops_core::ingest::{read_table_with, ColumnMap, Field};
use aiops_core::{load_bytes, Aliases, LoadError, LoadOptions};

/// The header of each field the table found, as the sheet wrote it.
fn header_of(csv: &str, field: Field) -> Option<String> {
    let t = read_table_with("t.csv", csv.as_bytes(), &ColumnMap::default()).unwrap();
    t.column(field).map(|c| t.headers[c].clone())
}

#[test]
fn english_relation_phrases_name_upstream_and_downstream() {
    for (up, down) in [
        ("Used by", "Depends on"),
        ("Called by", "Calls"),
        ("Callers", "Uses"),
        ("Consumers", "Dependencies"),
        ("Clients", "Backends"),
        ("used_by", "depends-on"),
    ] {
        let csv = format!("Hostname,Service,{up},{down},Team,Env\nweb-01,Web,ALB,db-01,ops,prod\n");
        assert_eq!(header_of(&csv, Field::Upstream).as_deref(), Some(up));
        assert_eq!(header_of(&csv, Field::Downstream).as_deref(), Some(down));
        assert_eq!(header_of(&csv, Field::Name).as_deref(), Some("Hostname"));
        assert_eq!(header_of(&csv, Field::Role).as_deref(), Some("Service"));
        assert_eq!(header_of(&csv, Field::Owner).as_deref(), Some("Team"));
    }
}

#[test]
fn chinese_relation_phrases_point_the_way_they_say() {
    // 调用方 "the calling party" and 被依赖 "depended on by" are who calls this row;
    // 被调用方 "the called party" and 依赖 "depends on" are what this row calls.
    for (up, down) in [("调用方", "被调用方"), ("被依赖", "依赖")] {
        let csv = format!("实例名称,服务角色,{down},{up}\nweb-01,Web,db-01,ALB\n");
        assert_eq!(header_of(&csv, Field::Upstream).as_deref(), Some(up));
        assert_eq!(header_of(&csv, Field::Downstream).as_deref(), Some(down));
    }
}

#[test]
fn the_strongest_header_claim_wins_and_the_others_stay_attributes() {
    let csv = "Name,Service,Role,Uses,Depends on,Downstream,Clients,Used by\n\
               web-01,nginx,Web,x,y,db-01,a,b\n";
    assert_eq!(header_of(csv, Field::Role).as_deref(), Some("Role"));
    assert_eq!(
        header_of(csv, Field::Downstream).as_deref(),
        Some("Downstream")
    );
    assert_eq!(header_of(csv, Field::Upstream).as_deref(), Some("Used by"));
    // Among equal claims, the leftmost.
    let csv = "Name,Role,Calls,Depends on\nweb-01,Web,x,y\n";
    assert_eq!(header_of(csv, Field::Downstream).as_deref(), Some("Calls"));
}

#[test]
fn columns_section_of_the_alias_file_maps_any_header() {
    let aliases = Aliases::parse(
        "team.toml",
        "[columns]\n\"Box\" = \"name\"\n\"Talks to\" = \"downstream\"\n\"Upstream\" = \"attribute\"\n",
    )
    .unwrap();
    let csv = "Box,Role,Talks to,Upstream\nweb-01,Web,db-01,ALB\n";
    let t = read_table_with("t.csv", csv.as_bytes(), aliases.columns()).unwrap();
    assert_eq!(t.column(Field::Name), Some(0));
    assert_eq!(t.column(Field::Downstream), Some(2));
    assert_eq!(t.column(Field::Upstream), None, "mapped to an attribute");
    let opts = LoadOptions {
        aliases,
        ..LoadOptions::default()
    };
    let topo = load_bytes("t.csv", csv.as_bytes(), &opts).unwrap();
    assert_eq!(topo.edges().len(), 1);
    assert_eq!(&*topo.edges()[0].from, "web-01");
    assert_eq!(&*topo.edges()[0].to, "db-01");
}

const NO_RELATIONS: &str = "Hostname,Service,Team,Env\nweb-01,Web,ops,prod\ndb-01,DB,ops,prod\n";

#[test]
fn a_sheet_without_relation_columns_is_refused_naming_its_headers() {
    let e = load_bytes("prod.csv", NO_RELATIONS.as_bytes(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, LoadError::NoRelationColumns { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "prod.csv: no upstream/downstream column found in sheet 'csv'; headers seen: \
         'Hostname', 'Service', 'Team', 'Env'; map one in [columns] of the alias file"
    );
}

#[test]
fn names_only_loads_a_sheet_without_relation_columns() {
    let opts = LoadOptions {
        names_only: true,
        ..LoadOptions::default()
    };
    let topo = load_bytes("prod.csv", NO_RELATIONS.as_bytes(), &opts).unwrap();
    assert_eq!(topo.instance_count(), 2);
    assert!(topo.edges().is_empty());
}

#[test]
fn a_name_column_with_only_an_owner_is_still_a_header_and_refused() {
    let csv = "Hostname,Team\nweb-01,ops\n";
    let e = load_bytes("t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, LoadError::NoRelationColumns { .. }), "{e}");
}
