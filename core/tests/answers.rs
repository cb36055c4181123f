//! Answers an on-call engineer can trust: what a pattern selects, what an outage breaks, and
//! which relations are doubtful. The seed's own rows are the first cases (each finding a new
//! user reported is a test here); two inventories that are not the seed (other prefixes, roles
//! and domains, written with rust_xlsxwriter) check that nothing passes by knowing the seed.

use aiops_core::lint::lint;
use aiops_core::query::{self, Effect, ImpactOptions, Rule, Side};
use aiops_core::{load_bytes, seed, DiagKind, LoadOptions, Topology};

const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const NARWHAL: &str = "aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node";
const NARWHAL_ACCESS: &str = "aie1p-morph-narwhal-access-c5large-2c4g-v132-a-Node";
const KAFKA: &str = "aie1p-kafka-server-01";
const KAFKANEW: &str = "aie1p-morph-kafkanew-0425";
const NACOS: &str = "aie1p-maker-nacos-01";
const SPOTAPI: &str = "aie1p-spotapi-c5large-2c4g-v132-a-Node";

fn topo() -> Topology {
    seed(&LoadOptions::default()).unwrap()
}

fn ids(t: &Topology, sel: &[usize]) -> Vec<String> {
    sel.iter().map(|&i| t.nodes()[i].id.clone()).collect()
}

fn sel(t: &Topology, p: &str) -> Vec<String> {
    ids(t, &query::select(t, p).unwrap())
}

fn whole(t: &Topology, p: &str) -> query::Impact {
    query::impact(t, &query::select(t, p).unwrap(), &ImpactOptions::default())
}

fn effect_of(im: &query::Impact, id: &str) -> Option<Effect> {
    im.impacted.iter().find(|i| i.id == id).map(|i| i.effect)
}

fn edge<'a>(t: &'a Topology, from: &str, to: &str) -> &'a aiops_core::Edge {
    t.edges()
        .iter()
        .find(|e| &*e.from == from && &*e.to == to)
        .unwrap_or_else(|| panic!("no edge {from} → {to}"))
}

/// A workbook with the seed's four headers and these rows.
fn workbook(rows: &[[&str; 4]]) -> Topology {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["实例名称", "服务角色", "主要上游", "主要下游"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *cell).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    load_bytes("other.xlsx", &bytes, &LoadOptions::default()).unwrap()
}

// 1. Short names select our servers first, and say what else they match.
#[test]
fn a_short_name_selects_instances_before_externals_and_says_what_else_it_matches() {
    let t = topo();
    let s = query::select_explained(&t, "apisix").unwrap();
    assert_eq!(ids(&t, &s.nodes), [APISIX]);
    assert_eq!(s.rule, Rule::Instances);
    assert_eq!(
        ids(&t, &s.also_matches),
        ["ALB apisix-public", "ALB apisix-internal"]
    );
    let makers = sel(&t, "maker");
    assert!(makers.contains(&"aie1p-maker-02".to_string()), "{makers:?}");
    assert!(makers.contains(&"aie1p-maker-03-copy".to_string()));
    assert!(!makers.iter().any(|m| m.contains("makerdb")), "{makers:?}");
    assert_eq!(
        sel(&t, "spot"),
        [SPOTAPI, "aie1p-spotws-c5xlarge-4c8g-v132-a-Node"]
    );
    // A full external name still selects it.
    assert_eq!(sel(&t, "apisix-public"), ["ALB apisix-public"]);
    assert_eq!(sel(&t, "spotdb"), ["Aurora spotdb"]);
    let p = query::paths(
        &t,
        &query::select(&t, "apisix").unwrap(),
        &query::select(&t, "spotdb").unwrap(),
        5,
        8,
    );
    assert!(p.iter().all(|p| p[0] == APISIX), "{p:?}");
}

// 2. `ces` is the CES pools by whole name token, never `access`.
#[test]
fn a_word_matches_whole_name_tokens_not_parts_of_them() {
    let t = topo();
    assert_eq!(sel(&t, "ces"), [CES_ACCESS, CES_CORE]);
    assert!(!sel(&t, "ces").contains(&NARWHAL_ACCESS.to_string()));
}

// 3. Role words are patterns, in both languages, with the resolver's qualifiers.
#[test]
fn role_words_select_by_role() {
    let t = topo();
    assert_eq!(sel(&t, "撮合"), [NARWHAL, CES_CORE]);
    assert_eq!(
        sel(&t, "现货"),
        [SPOTAPI, "aie1p-spotws-c5xlarge-4c8g-v132-a-Node"]
    );
    assert_eq!(sel(&t, "期货").len(), 3);
    assert_eq!(sel(&t, "CES 核心"), [CES_CORE]);
    assert_eq!(sel(&t, "CES 接入层"), [CES_ACCESS]);
}

// 4. Both gateways down: what sits behind them is cut off, not "redundant".
#[test]
fn a_whole_gateway_outage_cuts_off_what_sits_behind_it() {
    let t = topo();
    let im = whole(&t, "re:^(NGINX|aie1p-apisix-.*)$");
    assert_eq!(effect_of(&im, SPOTAPI), Some(Effect::CutOff));
    assert!(im.customers_hit);
    // One node of the pool only: capacity, not outage.
    let one = query::impact(
        &t,
        &query::select(&t, "aie1p-apisix-*").unwrap(),
        &ImpactOptions {
            depth: None,
            one_node: true,
            ..Default::default()
        },
    );
    assert!(one.one_node);
    assert_ne!(effect_of(&one, SPOTAPI), Some(Effect::CutOff));
    assert!(!one.customers_hit, "{:?}", one.customer_routes);
}

// 5. The Kafka rows' copied upstream cell is doubtful where the producers' own rows disagree.
#[test]
fn copy_pasted_rows_contradicted_by_the_other_end_are_doubtful() {
    let t = topo();
    let e = edge(&t, NARWHAL, KAFKA);
    let why = e
        .doubt
        .as_deref()
        .expect("Narwhal → kafka-server-01 is doubtful");
    assert!(why.contains(KAFKANEW), "{why}");
    assert!(edge(&t, CES_CORE, KAFKANEW).doubt.is_some());
    // Statements both ends make are not doubtful.
    assert!(edge(&t, NARWHAL, KAFKANEW).doubt.is_none());
    assert!(edge(&t, CES_CORE, KAFKA).doubt.is_none());
    let im = whole(&t, "kafka-server-01");
    assert_eq!(effect_of(&im, NARWHAL), Some(Effect::Doubtful));
    assert!(im
        .customer_routes
        .iter()
        .all(|r| !r.contains(&NARWHAL.to_string())));
    let findings = lint(&t).findings;
    assert_eq!(findings[0].kind, DiagKind::CopyPaste, "doubts lead lint");
    // deps lists the doubtful relation and says it is doubtful; the certain one is not marked.
    let ces = t.index(CES_CORE).expect("ces core");
    let down = &query::deps(&t, &[ces], query::Direction::Down, 1)[0].downstream;
    let doubtful = |id: &str| down.iter().find(|n| n.id == id).map(|n| n.doubtful);
    assert_eq!(doubtful(KAFKANEW), Some(true), "{down:?}");
    assert_eq!(doubtful(KAFKA), Some(false), "{down:?}");
}

// 6. Being fed by some other node is not redundancy.
#[test]
fn consumers_fed_by_another_source_are_partly_fed() {
    let t = topo();
    let im = whole(&t, "kafka-server-01");
    for c in ["历史", "统计", "推送"] {
        assert_eq!(effect_of(&im, c), Some(Effect::PartlyFed), "{c}");
    }
}

// 7. A verdict first, counts that do not call gateways and triggers broken.
#[test]
fn impact_gives_a_customer_verdict_with_the_route_and_honest_counts() {
    let t = topo();
    let im = whole(&t, "kafka-server-01");
    assert!(im.customers_hit);
    assert!(im
        .customer_routes
        .iter()
        .any(|r| r.last().map(String::as_str) == Some(CES_ACCESS)));
    for r in &im.customer_routes {
        let start = t.node(&r[0]).unwrap();
        assert!(
            matches!(
                start.resource,
                Some(aiops_core::ResourceKind::LoadBalancer | aiops_core::ResourceKind::Client)
            ),
            "routes start where customers come in: {r:?}"
        );
    }
    for gateway in [
        APISIX,
        "NGINX",
        "客户端",
        "调度",
        "内部触发",
        "ALB apisix-public",
    ] {
        assert_eq!(effect_of(&im, gateway), Some(Effect::Exposed), "{gateway}");
    }
    assert_eq!(effect_of(&im, CES_ACCESS), Some(Effect::Broken));
    assert_eq!(effect_of(&im, "aie1p-maker-02"), Some(Effect::Degraded));
    assert_eq!(im.counts.get(&Effect::Broken), Some(&3));
    // The verdict does not depend on how much is listed.
    let shallow = query::impact(
        &t,
        &query::select(&t, "kafka-server-01").unwrap(),
        &ImpactOptions {
            depth: Some(1),
            one_node: false,
            ..Default::default()
        },
    );
    assert!(shallow.customers_hit);
    assert_eq!(shallow.counts, im.counts);
    assert!(shallow.impacted.iter().all(|i| i.hops <= 1));
}

// 8. Maker ↔ Nacos: one direction conflict, read as the makers depending on Nacos.
#[test]
fn a_direction_conflict_is_one_finding_and_impact_reads_the_dependency_on_infrastructure() {
    let t = topo();
    let conflicts: Vec<_> = lint(&t)
        .findings
        .into_iter()
        .filter(|f| f.kind == DiagKind::DirectionConflict)
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(edge(&t, "aie1p-maker-02", NACOS).doubt.is_none());
    assert!(edge(&t, NACOS, "aie1p-maker-02").doubt.is_some());
    let im = whole(&t, "maker-nacos-01");
    assert_eq!(effect_of(&im, "aie1p-maker-02"), Some(Effect::Broken));
    assert!(!lint(&t)
        .findings
        .iter()
        .any(|f| f.kind == DiagKind::OneSided && f.message.contains(NACOS)));
}

#[test]
fn path_follows_via_nodes_as_impact_does() {
    let t = topo();
    let p = query::paths(
        &t,
        &query::select(&t, "ALB apisix-public").unwrap(),
        &query::select(&t, "aie1p-maker-02").unwrap(),
        5,
        8,
    );
    assert_eq!(
        p.first().unwrap(),
        &["ALB apisix-public", APISIX, "aie1p-maker-02"]
    );
}

#[test]
fn lint_says_which_columns_the_sheet_lacks() {
    let t = topo();
    let missing: Vec<_> = lint(&t)
        .findings
        .into_iter()
        .filter(|f| f.kind == DiagKind::MissingColumn)
        .map(|f| f.message)
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].contains("owner") || missing[1].contains("owner"));
}

/// Two naming domains with their own Kafka and cache, a gateway and a config centre; the two
/// Kafka rows share a copied producer cell.
fn two_domains() -> Topology {
    workbook(&[
        [
            "qx7-edge-gw-01",
            "Edge 网关节点池",
            "ALB edge-public；客户端",
            "qx7-alpha-api-01；qx7-beta-api-01",
        ],
        [
            "qx7-edge-gw-01",
            "Edge 网关节点池",
            "ALB edge-public；客户端",
            "qx7-alpha-api-01；qx7-beta-api-01",
        ],
        [
            "qx7-alpha-api-01",
            "Alpha 交易 API",
            "Edge 网关；qx7-conf-01",
            "Kafka；Redis alpha-cache",
        ],
        [
            "qx7-alpha-worker-01",
            "Alpha 结算作业",
            "Kafka",
            "Aurora alphadb",
        ],
        [
            "qx7-alpha-kafka-01",
            "Kafka 消息队列",
            "Alpha/Beta（生产者）",
            "报表（消费者）",
        ],
        [
            "qx7-beta-api-01",
            "Beta 行情 API",
            "Edge 网关",
            "Kafka；Redis beta-cache",
        ],
        [
            "qx7-beta-worker-01",
            "Beta 推送作业",
            "Kafka",
            "Aurora betadb",
        ],
        [
            "qx7-beta-kafka-01",
            "Kafka 消息队列",
            "Alpha/Beta（生产者）",
            "报表（消费者）",
        ],
        ["qx7-conf-01", "配置中心", "qx7-alpha-api-01", "——"],
    ])
}

#[test]
fn on_another_inventory_impact_reads_domains_doubts_and_customers() {
    let t = two_domains();
    assert_eq!(t.common_prefix(), Some("qx7"));
    assert_eq!(
        sel(&t, "alpha"),
        [
            "qx7-alpha-api-01",
            "qx7-alpha-worker-01",
            "qx7-alpha-kafka-01"
        ]
    );
    assert_eq!(sel(&t, "gw"), ["qx7-edge-gw-01"]);
    let im = whole(&t, "qx7-alpha-kafka-01");
    assert_eq!(effect_of(&im, "qx7-alpha-api-01"), Some(Effect::Broken));
    assert!(im.customers_hit);
    assert_eq!(
        im.customer_routes[0],
        ["ALB edge-public", "qx7-edge-gw-01", "qx7-alpha-api-01"]
    );
    assert_eq!(effect_of(&im, "qx7-edge-gw-01"), Some(Effect::Exposed));
    // The copied producer cell names Beta too, but Beta's own rows write to Beta's Kafka.
    let e = edge(&t, "qx7-beta-api-01", "qx7-alpha-kafka-01");
    assert!(e.doubt.is_some(), "{e:?}");
    assert_eq!(effect_of(&im, "qx7-beta-api-01"), Some(Effect::Doubtful));
    let beta_api = t.index("qx7-beta-api-01").expect("beta api");
    let down = &query::deps(&t, &[beta_api], query::Direction::Down, 1)[0].downstream;
    assert!(
        down.iter()
            .any(|n| n.id == "qx7-alpha-kafka-01" && n.doubtful),
        "{down:?}"
    );
    // Beta's worker only consumes: losing its cache-less database breaks it and no customer.
    let beta = whole(&t, "betadb");
    assert_eq!(effect_of(&beta, "qx7-beta-worker-01"), Some(Effect::Broken));
    assert!(!beta.customers_hit, "{:?}", beta.customer_routes);
    // The config centre named as upstream by the API and the API by it: read as a dependency.
    assert!(edge(&t, "qx7-alpha-api-01", "qx7-conf-01").doubt.is_none());
    assert!(edge(&t, "qx7-conf-01", "qx7-alpha-api-01").doubt.is_some());
    assert_eq!(
        whole(&t, "qx7-conf-01")
            .impacted
            .iter()
            .find(|i| i.id == "qx7-alpha-api-01")
            .map(|i| (i.effect, i.side)),
        Some((Effect::Broken, Side::Upstream))
    );
}

#[test]
fn on_another_inventory_alternatives_in_one_cell_degrade_rather_than_break() {
    let t = workbook(&[
        ["zz-web-01", "Web 前端", "客户端", "zz-pay-01/zz-pay-02"],
        ["zz-pay-01", "支付服务", "zz-web-01", "Aurora paydb"],
        ["zz-pay-02", "支付服务", "zz-web-01", "Aurora paydb"],
        [
            "zz-report-01",
            "报表服务",
            "——",
            "Aurora paydb/Redis zz-cache",
        ],
    ]);
    let im = whole(&t, "zz-pay-01");
    assert_eq!(effect_of(&im, "zz-web-01"), Some(Effect::Degraded));
    assert!(!im.customers_hit);
    let both = whole(&t, "支付");
    assert_eq!(effect_of(&both, "zz-web-01"), Some(Effect::Broken));
    assert!(both.customers_hit);
    // A database and a cache in one cell are not alternatives to each other.
    let db = whole(&t, "paydb");
    assert_eq!(effect_of(&db, "zz-report-01"), Some(Effect::Broken));
}

#[test]
fn spof_lists_managed_resources_and_one_row_pools_for_what_they_are() {
    let t = topo();
    let list = query::spof(&t);
    for db in [
        "Aurora spotdb",
        "Valkey spot-redis",
        "Aurora futuresdb",
        "Redis",
        "Aurora makerdb",
    ] {
        let s = list
            .iter()
            .find(|s| s.id == db)
            .unwrap_or_else(|| panic!("{db} not listed"));
        assert!(s.managed, "{db}");
    }
    let spotapi = list.iter().find(|s| s.id == SPOTAPI).unwrap();
    assert!(spotapi.unknown_size && !spotapi.managed);
    let first_pool = list.iter().position(|s| s.unknown_size).unwrap();
    assert!(list[..first_pool].iter().all(|s| !s.redundant));
}

#[test]
fn a_miss_suggests_instances_whose_role_is_close() {
    let t = topo();
    match query::select(&t, "撮合引擎") {
        Err(query::QueryError::NoMatch { suggestions, .. }) => {
            assert_eq!(suggestions[..2], [CES_CORE, NARWHAL], "{suggestions:?}");
        }
        other => panic!("{other:?}"),
    }
}

// A pool written as forty copied rows, contradicted by the producer's own row: every doubtful
// relation is marked on its edge, and the one finding names a few rows and counts the rest,
// so lint and `/inventory status` show a line, not the whole pool (at 100k rows such a finding
// was 2 MB of text).
#[test]
fn a_finding_about_a_large_group_of_copied_rows_names_a_few_and_counts_the_rest() {
    let mut csv = String::from("实例名称,服务角色,主要上游,主要下游\n");
    csv.push_str("shop-api-01,下单接口,,shop-queue-01\n");
    for k in 1..=40 {
        csv.push_str(&format!(
            "shop-queue-{k:02},订单队列,shop-api-01,shop-worker-01\n"
        ));
    }
    csv.push_str("shop-worker-01,出库处理,shop-queue-01,\n");
    let t = load_bytes("shop.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let doubtful = |end: &str| {
        t.edges()
            .iter()
            .filter(|e| (&*e.from == end || &*e.to == end) && e.doubt.is_some())
            .count()
    };
    // api → queue-02..40 and queue-02..40 → worker: stated only by the copies.
    assert_eq!(
        (doubtful("shop-api-01"), doubtful("shop-worker-01")),
        (39, 39)
    );
    let copy = lint(&t)
        .findings
        .into_iter()
        .find(|f| f.kind == DiagKind::CopyPaste)
        .expect("a copy-paste finding");
    let m = &copy.message;
    assert!(
        m.starts_with("rows of shop-queue-01, shop-queue-02,"),
        "{m}"
    );
    assert!(m.contains("…and 32 more have word-for-word"), "{m}");
    assert!(
        !m.contains("shop-queue-09,"),
        "only the first 8 rows by name: {m}"
    );
    assert_eq!(m.matches(" ↔ ").count(), 5, "{m}");
    assert!(
        m.ends_with("; …and 73 more, each marked doubtful on its relation"),
        "{m}"
    );
    assert!(m.chars().count() < 1_000, "{} chars", m.chars().count());
}
