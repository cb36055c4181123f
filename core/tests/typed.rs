//! Rules for sheets typed as people type them, on small workbooks written with rust_xlsxwriter
//! (an inventory that is not the seed: prefix `zq9`, a shop's roles): merged cells, names with
//! invisible characters, IPs and odd case.

use aiops_core::{load_bytes, DiagKind, LoadOptions, Topology};
use rust_xlsxwriter::{Format, Workbook};

fn load(wb: &mut Workbook) -> Topology {
    let bytes = wb.save_to_buffer().unwrap();
    load_bytes("shop.xlsx", &bytes, &LoadOptions::default()).unwrap()
}

fn write_rows(wb: &mut Workbook, rows: &[&[&str]]) {
    let ws = wb.add_worksheet();
    ws.set_name("Prod EC2").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
}

fn edges(t: &Topology) -> Vec<(String, String)> {
    let mut e: Vec<(String, String)> = t
        .edges()
        .iter()
        .map(|e| (e.from.to_string(), e.to.to_string()))
        .collect();
    e.sort();
    e
}

fn kinds(t: &Topology, kind: DiagKind) -> Vec<String> {
    t.diagnostics()
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.to_string())
        .collect()
}

const HEADER: &[&str] = &["Hostname", "Service", "Used by", "Depends on"];

#[test]
fn merged_cells_give_every_row_of_the_range_its_value() {
    let mut wb = Workbook::new();
    write_rows(
        &mut wb,
        &[
            HEADER,
            &["zq9-web-pool", "", "", ""],
            &["zq9-web-pool", "", "", ""],
            &["zq9-web-pool", "", "", ""],
            &[
                "zq9-orders-01",
                "Orders API",
                "zq9-web-pool",
                "Aurora ordersdb",
            ],
        ],
    );
    let ws = wb.worksheet_from_index(0).unwrap();
    let f = Format::new();
    ws.merge_range(1, 1, 3, 1, "Web front end", &f).unwrap();
    ws.merge_range(1, 2, 3, 2, "ALB shop-public", &f).unwrap();
    ws.merge_range(1, 3, 3, 3, "zq9-orders-01\nValkey cart-redis", &f)
        .unwrap();
    let t = load(&mut wb);
    assert!(kinds(&t, DiagKind::ConflictingDuplicate).is_empty());
    let pool = t.node("zq9-web-pool").unwrap();
    assert_eq!(pool.role, "Web front end");
    assert_eq!(pool.rows, [2, 3, 4]);
    assert_eq!(
        edges(&t),
        [
            ("ALB shop-public", "zq9-web-pool"),
            ("zq9-orders-01", "Aurora ordersdb"),
            ("zq9-web-pool", "Valkey cart-redis"),
            ("zq9-web-pool", "zq9-orders-01"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn a_merged_name_cell_makes_one_pool_of_its_rows() {
    let mut wb = Workbook::new();
    write_rows(
        &mut wb,
        &[
            HEADER,
            &["", "Web front end", "ALB shop-public", "zq9-orders-01"],
            &["", "Web front end", "ALB shop-public", "zq9-orders-01"],
            &["zq9-orders-01", "Orders API", "", "Aurora ordersdb"],
        ],
    );
    let ws = wb.worksheet_from_index(0).unwrap();
    ws.merge_range(1, 0, 2, 0, "zq9-web-pool", &Format::new())
        .unwrap();
    let t = load(&mut wb);
    assert_eq!(t.node("zq9-web-pool").unwrap().rows, [2, 3]);
    assert!(kinds(&t, DiagKind::SkippedRow).is_empty());
}

#[test]
fn invisible_characters_in_names_and_words_are_dropped() {
    let mut wb = Workbook::new();
    write_rows(
        &mut wb,
        &[
            HEADER,
            &[
                "\u{FEFF}zq9-web-01\u{200B}",
                "Web",
                "ALB shop-public",
                "zq9-\u{200B}orders-01",
            ],
            &[
                "zq9-orders-01\u{00A0}",
                "Orders API",
                "",
                "Aurora\u{00A0}ordersdb",
            ],
        ],
    );
    let t = load(&mut wb);
    assert!(t.node("zq9-web-01").is_some());
    assert!(t.node("zq9-orders-01").is_some());
    assert_eq!(
        edges(&t),
        [
            ("ALB shop-public", "zq9-web-01"),
            ("zq9-orders-01", "Aurora ordersdb"),
            ("zq9-web-01", "zq9-orders-01"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn a_trailing_ip_of_a_name_is_an_ip_attribute() {
    let mut wb = Workbook::new();
    write_rows(
        &mut wb,
        &[
            HEADER,
            &[
                "zq9-gitlab (10.20.3.4)",
                "Code hosting",
                "developers",
                "zq9-runner / 10.20.3.9",
            ],
            &[
                "zq9-runner / 10.20.3.5",
                "CI runner",
                "zq9-gitlab（10.20.3.4）",
                "",
            ],
        ],
    );
    let t = load(&mut wb);
    let gitlab = t
        .node("zq9-gitlab")
        .expect("the IP is not part of the name");
    assert_eq!(gitlab.attributes["IP"], "10.20.3.4");
    assert_eq!(t.node("zq9-runner").unwrap().attributes["IP"], "10.20.3.5");
    assert_eq!(
        edges(&t),
        [("developers", "zq9-gitlab"), ("zq9-gitlab", "zq9-runner")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn names_compare_case_insensitively_keeping_the_first_spelling() {
    let mut wb = Workbook::new();
    write_rows(
        &mut wb,
        &[
            HEADER,
            &["zq9-jenkins", "CI", "ZQ9-GITLAB", "Artifact store"],
            &["ZQ9-JENKINS", "CI", "ZQ9-GITLAB", "Artifact store"],
            &["zq9-gitlab", "Code hosting", "developers", "ZQ9-Jenkins"],
        ],
    );
    let t = load(&mut wb);
    let jenkins = t.node("zq9-jenkins").expect("the first row's spelling");
    assert_eq!(jenkins.rows, [2, 3]);
    let ids: Vec<&str> = t.nodes().iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids.iter()
            .filter(|i| i.eq_ignore_ascii_case("zq9-jenkins"))
            .count(),
        1
    );
    let repeats = kinds(&t, DiagKind::NameCase);
    assert_eq!(
        repeats,
        [
            "sheet 'Prod EC2', row 3, column A: 'ZQ9-JENKINS' is 'zq9-jenkins' (row 2) in other \
          capitals; read as the same instance"
        ]
    );
    assert_eq!(
        edges(&t),
        [
            ("developers", "zq9-gitlab"),
            ("zq9-gitlab", "zq9-jenkins"),
            ("zq9-jenkins", "Artifact store"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn a_role_text_match_needs_a_significant_word_in_both_languages() {
    let csv = "Hostname,Service,Used by,Depends on\n\
               zq9-etcd-01,ETCD (gateway/service discovery config),zq9-gw-01,—\n\
               zq9-gw-01,API gateway,clients,ETCD\n\
               zq9-nacos-01,Nacos config center,zq9-orders-01,config data (local disk)\n\
               zq9-nacos-02,Nacos 配置中心,zq9-orders-01,配置数据（本机/磁盘）；系统服务\n\
               zq9-orders-01,Orders service,zq9-gw-01,Nacos；service discovery\n";
    let t = load_bytes("shop.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let e = edges(&t);
    let has = |a: &str, b: &str| e.contains(&(a.to_string(), b.to_string()));
    assert!(has("zq9-nacos-01", "config data"), "{e:?}");
    assert!(!has("zq9-nacos-01", "zq9-etcd-01"), "{e:?}");
    assert!(has("zq9-nacos-02", "配置数据"), "{e:?}");
    assert!(has("zq9-nacos-02", "系统服务"), "{e:?}");
    // A significant word still picks its instances.
    assert!(has("zq9-gw-01", "zq9-etcd-01"), "{e:?}");
    assert!(has("zq9-orders-01", "zq9-etcd-01"), "{e:?}");
    assert!(has("zq9-orders-01", "zq9-nacos-01"), "{e:?}");
}

#[test]
fn a_column_of_relations_kept_as_an_attribute_is_reported_naming_it() {
    // `Downstream` outranks `Talks to`, which no rule maps: its relations are not read.
    let csv = "Hostname,Role,Downstream,Talks to,Instance Type,Tags\n\
               zq9-web-01,Web,zq9-orders-01,zq9-orders-01; Aurora shopdb,c5.large,frontend\n\
               zq9-orders-01,Orders,Aurora shopdb,Valkey cart-redis,c5.xlarge,backend\n";
    let t = load_bytes("shop.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(
        kinds(&t, DiagKind::RelationLikeColumn),
        ["sheet 'csv', row 1, column D: column 'Talks to' is kept as an attribute but reads like \
          relations (1 of 2 cells name instances of this sheet, e.g. row 2: 'zq9-orders-01; \
          Aurora shopdb'); if it holds upstreams or downstreams, map it in [columns] of the alias \
          file"]
    );
    // Lists alone, in most cells, are enough.
    let csv = "Hostname,Role,Downstream,Backends (old)\n\
               zq9-web-01,Web,—,\"Aurora shopdb, Valkey cart-redis\"\n\
               zq9-orders-01,Orders,—,\"Aurora shopdb\nKafka\"\n";
    let t = load_bytes("shop.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let found = kinds(&t, DiagKind::RelationLikeColumn);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("column 'Backends (old)'"), "{found:?}");
}
