//! The inventory typed the ways teams type it, in workbooks written with rust_xlsxwriter and read
//! back through the binary: headers phrased as relations in English and Chinese, pools and roles
//! written once in merged cells, numbered and bulleted lists, names with IPs, invisible
//! characters and other capitals, and a sheet with no relation column, which is refused rather
//! than read as a graph without edges. Each workbook that states what the plain seed (or a plain
//! copy of its own inventory) states must export the same edges.
//!
//! Only xlsx is written here: rust_xlsxwriter writes no other format, and no crate in the
//! workspace writes xls or ods. (Calamine 0.38 reads merged regions of xlsx and xls only, so an
//! ods file's merged cells would keep their value on their first row anyway.)

use aiops_tests::{diagnostics_of_kind, node, Test};
use aiops_tests::{edges_without_source, export_json, fixture, temp_dir, write_workbook, Sheet};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The seed's table rows (name, role, upstream, downstream), from the repository's copy of the
/// team's document.
fn seed_rows() -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(fixture("seed.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| aie1p"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            [
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            ]
        })
        .collect()
}

/// The seed's roles in English.
fn english_role(role: &str) -> String {
    let roles = [
        ("做市服务", "Market making service"),
        ("做市 Nacos 配置中心", "Market making Nacos config center"),
        (
            "期货撮合（Narwhal）节点池（EKS）",
            "Futures matching (Narwhal) node pool (EKS)",
        ),
        (
            "期货接入层（Narwhal Access）节点池（EKS）",
            "Futures access layer (Narwhal Access) node pool (EKS)",
        ),
        ("期货 Web 节点池（EKS）", "Futures Web node pool (EKS)"),
        ("APISIX 网关节点池（EKS）", "APISIX gateway node pool (EKS)"),
        ("现货 Spot API 节点池（EKS）", "Spot API node pool (EKS)"),
        (
            "DevOps/监控节点池（EKS）",
            "DevOps/monitoring node pool (EKS)",
        ),
        (
            "业务定时作业节点池（EKS）",
            "Business cron jobs node pool (EKS)",
        ),
        (
            "CES 接入层节点池（EKS）",
            "CES access layer node pool (EKS)",
        ),
        (
            "现货 Spot WebSocket 节点池（EKS）",
            "Spot WebSocket node pool (EKS)",
        ),
        (
            "CES 撮合/核心节点池（EKS）",
            "CES matching/core node pool (EKS)",
        ),
        ("CI 构建服务器", "CI build server"),
        ("代码仓库服务器", "Code repository server"),
        (
            "ETCD（网关/服务发现配置）",
            "ETCD (gateway/service discovery config)",
        ),
        ("Kafka 消息队列", "Kafka message queue"),
        ("日志检索（Elasticsearch）", "Log search (Elasticsearch)"),
        (
            "BI 报表服务器（Superset）",
            "BI reporting server (Superset)",
        ),
    ];
    roles
        .iter()
        .find(|(zh, _)| *zh == role)
        .map(|(_, en)| en.to_string())
        .unwrap_or_else(|| panic!("no English for role {role}"))
}

/// A relation cell with its flag notes written in English: the same statement.
fn english_notes(cell: &str) -> String {
    cell.replace("（可选）", " (optional)")
        .replace("（按需）", " (on demand)")
        .replace("（经 ", " (via ")
        .replace("）", ")")
        .replace("（", " (")
}

/// A relation cell as a list, one item a line, with the marker style `style` picks.
fn as_list(cell: &str, style: usize) -> String {
    let items: Vec<&str> = cell.split('；').collect();
    if items.len() < 2 {
        return cell.to_string();
    }
    let circled = ['①', '②', '③', '④'];
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match style % 5 {
            0 => format!("{}. {item}", i + 1),
            1 => format!("{}{item}", circled[i]),
            2 => format!("({}) {item}", i + 1),
            3 => format!("• {item}"),
            _ => format!("{}、{item}", i + 1),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `cell` over rows `rows` (0-based, inclusive) of column `col`, merged when it spans
/// more than one row.
fn write_merged(ws: &mut Worksheet, rows: (u32, u32), col: u16, cell: &str) {
    if rows.0 == rows.1 {
        ws.write_string(rows.0, col, cell).unwrap();
    } else {
        ws.merge_range(rows.0, col, rows.1, col, cell, &Format::new())
            .unwrap();
    }
}

/// Runs of table rows (0-based) that repeat the previous row's role and relations: a team
/// writes those once, merged.
fn runs(rows: &[[String; 4]]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match out.last_mut() {
            Some((_, end)) if rows[*end][1..] == r[1..] => *end = i,
            _ => out.push((i, i)),
        }
    }
    out
}

/// The seed re-typed in English: a merged title row, then `Hostname | Service | Used by |
/// Depends on | Team | Env`; roles in English, flag notes in English, and each run of rows with
/// the same role and relations written once in merged cells (a pool of one name also merges its
/// name). Env is written once, merged over the whole table.
fn english_seed(dir: &Path) -> PathBuf {
    let rows = seed_rows();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Prod EC2").unwrap();
    ws.merge_range(0, 0, 0, 5, "Production EC2 inventory", &Format::new())
        .unwrap();
    for (c, h) in [
        "Hostname",
        "Service",
        "Used by",
        "Depends on",
        "Team",
        "Env",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let first = 2u32;
    for (start, end) in runs(&rows) {
        let span = (first + start as u32, first + end as u32);
        let r = &rows[start];
        let one_name = rows[start..=end].iter().all(|x| x[0] == r[0]);
        if one_name {
            write_merged(ws, span, 0, &r[0]);
        } else {
            for (i, x) in rows[start..=end].iter().enumerate() {
                ws.write_string(span.0 + i as u32, 0, &x[0]).unwrap();
            }
        }
        write_merged(ws, span, 1, &english_role(&r[1]));
        write_merged(ws, span, 2, &english_notes(&r[2]));
        write_merged(ws, span, 3, &english_notes(&r[3]));
        write_merged(ws, span, 4, "platform");
    }
    let last = first + rows.len() as u32 - 1;
    write_merged(ws, (first, last), 5, "prod");
    let path = dir.join("english.xlsx");
    wb.save(&path).unwrap();
    path
}

/// The seed as a Chinese team types it: relation headers phrased as 调用方 (callers) and 依赖
/// (depends on), lists numbered or bulleted one item a line, and repeated roles and relations
/// merged.
fn chinese_seed(dir: &Path) -> PathBuf {
    let rows = seed_rows();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("生产").unwrap();
    for (c, h) in ["实例名称", "服务角色", "调用方", "依赖"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (k, (start, end)) in runs(&rows).into_iter().enumerate() {
        let span = (1 + start as u32, 1 + end as u32);
        for (i, x) in rows[start..=end].iter().enumerate() {
            ws.write_string(span.0 + i as u32, 0, &x[0]).unwrap();
        }
        let r = &rows[start];
        write_merged(ws, span, 1, &r[1]);
        write_merged(ws, span, 2, &as_list(&r[2], k));
        write_merged(ws, span, 3, &as_list(&r[3], k + 2));
    }
    let path = dir.join("chinese.xlsx");
    wb.save(&path).unwrap();
    path
}

#[test]
fn the_seed_retyped_in_english_with_merged_pools_gives_the_seeds_graph() {
    let dir = temp_dir();
    let path = english_seed(dir.path());
    let english = export_json(Some(&path));
    let seed = export_json(None);
    assert_eq!(edges_without_source(&english), edges_without_source(&seed));
    assert!(
        diagnostics_of_kind(&english, "conflicting_duplicate").is_empty(),
        "{:?}",
        diagnostics_of_kind(&english, "conflicting_duplicate")
    );
    let pool = node(&english, "aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node").unwrap();
    assert_eq!(pool["count"], 2);
    assert_eq!(pool["owner"], "platform");
    assert_eq!(pool["env"], "prod");
    assert_eq!(edges_without_source(&english).len(), 98);
}

#[test]
fn a_chinese_sheet_with_merged_cells_and_numbered_lists_gives_the_seeds_graph() {
    let dir = temp_dir();
    let path = chinese_seed(dir.path());
    let chinese = export_json(Some(&path));
    let seed = export_json(None);
    assert_eq!(edges_without_source(&chinese), edges_without_source(&seed));
    assert_eq!(chinese["nodes"], seed["nodes"]);
}

/// Another inventory, a shop's: the plain way, and the way a hurried team types it.
const SHOP: &[[&str; 4]] = &[
    [
        "zq9-web-01",
        "Storefront",
        "ALB shop-public",
        "zq9-orders-01；zq9-search-01",
    ],
    [
        "zq9-web-02",
        "Storefront",
        "ALB shop-public",
        "zq9-orders-01；zq9-search-01",
    ],
    [
        "zq9-orders-01",
        "Orders API",
        "zq9-web-01；zq9-web-02",
        "Aurora ordersdb；Kafka（可选）",
    ],
    [
        "zq9-search-01",
        "Product search (OpenSearch)",
        "zq9-web-01；zq9-web-02",
        "——",
    ],
    [
        "zq9-kafka-01",
        "Kafka event bus",
        "zq9-orders-01",
        "zq9-mailer-01",
    ],
    ["zq9-mailer-01", "Mail sender", "Kafka", "SES"],
    ["zq9-gitlab", "Code hosting", "developers", "zq9-runner"],
    ["zq9-runner", "CI runner", "zq9-gitlab", "ECR"],
];

fn plain_shop(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("shop-plain.xlsx");
    let mut rows = vec![vec!["Name", "Role", "Upstream", "Downstream"]];
    rows.extend(SHOP.iter().map(|r| r.to_vec()));
    write_workbook(&path, &[Sheet { name: "EC2", rows }]);
    path
}

/// The shop typed by hand: `Callers`/`Backends` headers, the storefront pool's role and
/// relations merged, bullets and numbers, names with their IPs, one in capitals, one with a
/// zero-width space pasted in, one repeated in other capitals, and a `Peers` column that reads
/// like relations.
fn hurried_shop(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("shop-typed.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Shop prod").unwrap();
    let rows: &[[&str; 6]] = &[
        [
            "Hostname", "Service", "Callers", "Backends", "Owner", "Peers",
        ],
        ["zq9-web-01 (10.8.0.11)", "", "", "", "web", "zq9-web-02"],
        ["zq9-web-02 / 10.8.0.12", "", "", "", "web", "zq9-web-01"],
        [
            "ZQ9-ORDERS-01",
            "Orders API",
            "• zq9-web-01\n• zq9-web-02",
            "1. Aurora ordersdb\n2. Kafka (optional)",
            "shop",
            "",
        ],
        [
            "zq9-search-01",
            "Product search (OpenSearch)",
            "- zq9-web-01\n- zq9-web-02",
            "-",
            "search",
            "",
        ],
        [
            "zq9-kafka-01",
            "Kafka event bus",
            "zq9-orders-01",
            "zq9-mailer-01",
            "platform",
            "",
        ],
        [
            "zq9-mailer-01",
            "Mail sender",
            "Kafka",
            "SES",
            "platform",
            "",
        ],
        [
            "zq9-\u{200B}gitlab",
            "Code hosting",
            "developers",
            "zq9-runner",
            "dev",
            "",
        ],
        ["zq9-runner", "CI runner", "zq9-gitlab", "ECR", "dev", ""],
        ["ZQ9-RUNNER", "CI runner", "zq9-gitlab", "ECR", "dev", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    write_merged(ws, (1, 2), 1, "Storefront");
    write_merged(ws, (1, 2), 2, "ALB shop-public");
    write_merged(ws, (1, 2), 3, "① zq9-orders-01\n② zq9-search-01");
    wb.save(&path).unwrap();
    path
}

#[test]
fn another_inventory_typed_by_hand_gives_the_graph_of_its_plain_copy() {
    let dir = temp_dir();
    let plain = export_json(Some(&plain_shop(&dir)));
    let typed_path = hurried_shop(&dir);
    let typed = export_json(Some(&typed_path));
    // The first row's spelling names the instance: `ZQ9-ORDERS-01` where the plain copy has
    // `zq9-orders-01`.
    let spelled = |e: &Value| e.to_string().replace("ZQ9-ORDERS-01", "zq9-orders-01");
    let edges = |e: &Value| {
        edges_without_source(e)
            .iter()
            .map(spelled)
            .collect::<Vec<_>>()
    };
    assert_eq!(edges(&typed), edges(&plain));
    assert_eq!(edges(&plain).len(), 13);
    let ids = |e: &Value| -> Vec<String> {
        e["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mut want = ids(&plain);
    for id in want.iter_mut() {
        if id == "zq9-orders-01" {
            *id = "ZQ9-ORDERS-01".into();
        }
    }
    assert_eq!(ids(&typed), want);
    let whois = |name: &str| {
        Test::new()
            .inventory(&typed_path)
            .args(["whois", name])
            .json()["matched"][0]
            .clone()
    };
    assert_eq!(whois("zq9-web-01")["attributes"]["IP"], "10.8.0.11");
    assert_eq!(whois("zq9-web-02")["attributes"]["IP"], "10.8.0.12");
    assert_eq!(node(&typed, "zq9-web-01").unwrap()["role"], "Storefront");
    assert!(diagnostics_of_kind(&typed, "conflicting_duplicate").is_empty());

    let lint = Test::new().inventory(&typed_path).arg("lint").run();
    lint.stdout_has(
        "sheet 'Shop prod', row 1, column F: column 'Peers' is kept as an attribute but reads \
         like relations",
    );
    lint.stdout_has(
        "sheet 'Shop prod', row 10, column A: 'ZQ9-RUNNER' is 'zq9-runner' (row 9) in other \
         capitals; read as the same instance",
    );
}

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

#[test]
fn a_columns_mapping_in_the_alias_file_reads_a_sheet_no_rule_can_guess() {
    let dir = temp_dir();
    let path = dir.path().join("odd.xlsx");
    write_workbook(
        &path,
        &[Sheet {
            name: "Prod EC2",
            rows: vec![
                vec!["Box", "What", "Pinged by", "Talks to"],
                vec![
                    "zq9-web-01",
                    "Web front end",
                    "ALB shop-public",
                    "zq9-orders-01",
                ],
                vec![
                    "zq9-orders-01",
                    "Orders API",
                    "zq9-web-01",
                    "Aurora ordersdb",
                ],
            ],
        }],
    );
    let aliases = dir.path().join("aliases.toml");
    std::fs::write(
        &aliases,
        "[columns]\n\"Box\" = \"name\"\n\"What\" = \"role\"\n\"Pinged by\" = \"upstream\"\n\
         \"Talks to\" = \"downstream\"\n",
    )
    .unwrap();
    Test::new().inventory(&path).arg("export").code(2).run();
    let export = Test::new()
        .inventory(&path)
        .arg("--aliases")
        .arg(&aliases)
        .arg("export")
        .json();
    assert_eq!(edges_without_source(&export).len(), 3);
    assert_eq!(
        node(&export, "zq9-web-01").unwrap()["role"],
        "Web front end"
    );
}
