//! Resolution rules, one test per rule, on the seed's own cells.

use aiops_core::{seed, Aliases, DiagKind, LoadOptions, NodeKind, ResourceKind, Topology};

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const NARWHAL: &str = "aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node";
const NARWHAL_ACCESS: &str = "aie1p-morph-narwhal-access-c5large-2c4g-v132-a-Node";
const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const SPOTAPI: &str = "aie1p-spotapi-c5large-2c4g-v132-a-Node";
const DEVOPS: &str = "aie1p-devops-c5large-2c4g-v132-a-Node";
const KAFKA: &str = "aie1p-kafka-server-01";
const KAFKANEW: &str = "aie1p-morph-kafkanew-0425";
const NACOS: &str = "aie1p-maker-nacos-01";

fn topo() -> Topology {
    seed(&LoadOptions::default()).expect("seed loads")
}

fn has(t: &Topology, from: &str, to: &str) -> bool {
    t.edges().iter().any(|e| &*e.from == from && &*e.to == to)
}

fn edge<'a>(t: &'a Topology, from: &str, to: &str) -> &'a aiops_core::Edge {
    t.edges()
        .iter()
        .find(|e| &*e.from == from && &*e.to == to)
        .unwrap_or_else(|| panic!("no edge {from} → {to}"))
}

#[test]
fn repeated_rows_become_one_pool_with_a_count() {
    let t = topo();
    assert_eq!(t.node(NARWHAL_ACCESS).unwrap().count, 3);
    assert_eq!(t.node(NARWHAL).unwrap().count, 2);
    assert_eq!(t.node(APISIX).unwrap().count, 2);
    assert_eq!(t.node(DEVOPS).unwrap().count, 2);
    assert_eq!(t.node(CES_CORE).unwrap().count, 1);
    assert_eq!(t.instance_count(), 23);
}

#[test]
fn identical_duplicates_are_not_reported_as_conflicts() {
    let t = topo();
    assert!(!t
        .diagnostics()
        .iter()
        .any(|d| d.kind == DiagKind::ConflictingDuplicate));
}

#[test]
fn edges_point_the_way_traffic_flows() {
    let t = topo();
    // ces core's row: upstream "CES 接入层", downstream "Kafka；spotdb；spot-redis".
    assert!(has(&t, CES_ACCESS, CES_CORE));
    assert!(has(&t, CES_CORE, "Aurora spotdb"));
    assert!(!has(&t, CES_CORE, CES_ACCESS));
}

#[test]
fn role_phrase_ces_core_is_the_ces_matching_pool() {
    let t = topo();
    let e = edge(&t, CES_ACCESS, CES_CORE);
    assert_eq!(&*e.source.word, "CES 核心");
    assert_eq!(&*e.source.column, "D");
    assert_eq!(&*e.source.text, "CES 核心；Kafka；spotdb/spot-redis");
}

#[test]
fn role_phrase_ces_access_layer_is_the_ces_access_pool() {
    let t = topo();
    let e = t.edges().iter().find(|e| {
        &*e.from == CES_ACCESS
            && &*e.to == CES_CORE
            && e.sources().any(|s| &*s.word == "CES 接入层")
    });
    assert!(
        e.is_some(),
        "ces core's upstream 'CES 接入层' resolves to the ces-access pool"
    );
}

#[test]
fn role_phrases_narwhal_access_and_narwhal_core_are_the_two_narwhal_pools() {
    let t = topo();
    let e = edge(&t, NARWHAL_ACCESS, NARWHAL);
    let words: Vec<&str> = e.sources().map(|s| s.word.as_ref()).collect();
    assert!(words.contains(&"Narwhal 核心"), "{words:?}");
    assert!(words.contains(&"Narwhal Access"), "{words:?}");
}

#[test]
fn role_phrases_etcd_and_nacos_name_their_instances() {
    let t = topo();
    assert_eq!(
        edge(&t, APISIX, "aie1p-etcd-01").source.word.as_ref(),
        "ETCD"
    );
    assert_eq!(
        edge(&t, NACOS, "aie1p-maker-02").source.word.as_ref(),
        "Nacos"
    );
}

#[test]
fn kafka_prefers_the_cluster_in_the_rows_naming_domain() {
    let t = topo();
    // morph-narwhal's "Kafka" → morph-kafkanew, as the team's own diagram links them.
    assert_eq!(edge(&t, NARWHAL, KAFKANEW).source.word.as_ref(), "Kafka");
    // ces, maker and spot rows have no domain: kafka-server-01.
    assert_eq!(edge(&t, CES_CORE, KAFKA).source.word.as_ref(), "Kafka");
    assert_eq!(
        edge(&t, "aie1p-maker-02", KAFKA).source.word.as_ref(),
        "Kafka"
    );
    assert_eq!(edge(&t, SPOTAPI, KAFKA).source.word.as_ref(), "Kafka");
    assert!(!has(&t, SPOTAPI, KAFKANEW));
    assert!(!edge(&t, NARWHAL, KAFKANEW).ambiguous);
}

#[test]
fn a_tie_links_all_candidates_and_marks_the_edge_ambiguous() {
    let csv = "实例名称,服务角色,主要上游,主要下游\n\
               aie1p-web-01,Web,,Kafka\n\
               aie1p-kafka-a-01,Kafka 消息队列,,\n\
               aie1p-kafkab-01,Kafka 消息队列,,\n";
    let t = aiops_core::load_bytes("tie.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert!(edge(&t, "aie1p-web-01", "aie1p-kafka-a-01").ambiguous);
    assert!(edge(&t, "aie1p-web-01", "aie1p-kafkab-01").ambiguous);
    assert!(t
        .diagnostics()
        .iter()
        .any(|d| d.kind == DiagKind::Ambiguous));
}

#[test]
fn replicas_of_one_service_are_not_a_tie() {
    let csv = "实例名称,服务角色,主要上游,主要下游\n\
               aie1p-web-01,Web,,Nacos\n\
               aie1p-nacos-01,Nacos 配置中心,,\n\
               aie1p-nacos-02,Nacos 配置中心,,\n";
    let t =
        aiops_core::load_bytes("replicas.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert!(!edge(&t, "aie1p-web-01", "aie1p-nacos-01").ambiguous);
    assert!(!edge(&t, "aie1p-web-01", "aie1p-nacos-02").ambiguous);
}

#[test]
fn name_pattern_note_selects_instances_without_a_self_loop() {
    let t = topo();
    for m in [
        "aie1p-maker-02-copy",
        "aie1p-maker-02",
        "aie1p-maker-03-copy",
        "aie1p-maker-03",
    ] {
        assert_eq!(edge(&t, m, NACOS).source.word.as_ref(), "做市服务器");
    }
    assert!(!has(&t, NACOS, NACOS));
    assert!(t.edges().iter().all(|e| e.from != e.to));
}

#[test]
fn globs_and_exact_names_work_with_or_without_the_common_prefix() {
    let csv = "实例名称,服务角色,主要上游,主要下游\n\
               aie1p-a-01,A,,b-01\n\
               aie1p-b-01,B,,aie1p-a-*\n";
    let t = aiops_core::load_bytes("names.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert!(has(&t, "aie1p-a-01", "aie1p-b-01"));
    assert!(has(&t, "aie1p-b-01", "aie1p-a-01"));
    assert_eq!(t.common_prefix(), Some("aie1p"));
}

#[test]
fn generic_words_do_not_match_instances() {
    let t = topo();
    assert!(
        !has(&t, SPOTAPI, "aie1p-maker-02"),
        "业务API is not the Spot API pool"
    );
    assert!(has(&t, "业务API", "aie1p-maker-02"));
    assert!(has(&t, DEVOPS, "K8S API"), "K8S API is external");
    assert!(!has(&t, DEVOPS, SPOTAPI));
    assert!(has(&t, DEVOPS, "监控系统"));
    assert!(!has(&t, DEVOPS, DEVOPS));
    assert_eq!(t.node("K8S API").unwrap().kind, NodeKind::External);
}

#[test]
fn one_resource_spelled_differently_is_one_node() {
    let t = topo();
    let spot = t.node("Aurora spotdb").unwrap();
    assert_eq!(spot.spellings, ["spotdb"]);
    let by_spelling = aiops_core::query::select(&t, "spotdb").unwrap();
    assert_eq!(t.nodes()[by_spelling[0]].id, "Aurora spotdb");
    assert!(has(&t, SPOTAPI, "Aurora spotdb"));
    assert!(
        has(&t, CES_ACCESS, "Aurora spotdb"),
        "first half of spotdb/spot-redis"
    );
    assert!(has(&t, CES_CORE, "Aurora spotdb"), "spotdb alone");
    assert!(has(&t, CES_ACCESS, "Valkey spot-redis"));
    assert!(has(&t, CES_CORE, "Valkey spot-redis"));
    assert_eq!(
        t.nodes().iter().filter(|n| n.id.contains("spotdb")).count(),
        1
    );
    assert_eq!(t.node("Aurora futuresdb").unwrap().spellings, ["futuresdb"]);
}

#[test]
fn slash_alternatives_become_separate_components() {
    let t = topo();
    assert!(has(&t, "ALB apisix-public", APISIX));
    assert!(has(&t, "ALB apisix-internal", APISIX));
    assert!(has(
        &t,
        "aie1p-morph-futuresweb-c5large-2c4g-v132-a-Node",
        "Aurora futuresnewdb"
    ));
    // APISIX/NGINX/客户端: the APISIX pool, NGINX and clients.
    assert!(has(&t, APISIX, CES_ACCESS));
    assert!(has(&t, "NGINX", CES_ACCESS));
    assert!(has(&t, "客户端", CES_ACCESS));
}

#[test]
fn notes_become_edge_flags() {
    let t = topo();
    assert!(edge(&t, "aie1p-maker-02", KAFKA).optional);
    assert!(edge(&t, SPOTAPI, KAFKA).on_demand);
    assert_eq!(
        edge(&t, "业务API", "aie1p-maker-02").via,
        ["APISIX", "NGINX"]
    );
    assert_eq!(edge(&t, KAFKA, "历史").note.as_deref(), Some("消费者"));
}

#[test]
fn none_markers_add_no_edges() {
    let t = topo();
    assert_eq!(t.outgoing(t.index("aie1p-etcd-01").unwrap()).count(), 0);
}

#[test]
fn every_edge_keeps_its_provenance() {
    let t = topo();
    for e in t.edges() {
        assert_eq!(&*e.source.sheet, "生产环境");
        assert!((2..=29).contains(&e.source.row), "{e:?}");
        assert!(["C", "D"].contains(&e.source.column.as_ref()));
        assert!(!e.source.text.is_empty() && !e.source.word.is_empty());
        assert_eq!(e.sources().next(), Some(&e.source));
        assert!(!e.also.contains(&e.source), "{e:?}");
    }
}

#[test]
fn external_nodes_are_classified_by_kind() {
    let t = topo();
    let kind = |id: &str| t.node(id).and_then(|n| n.resource);
    assert_eq!(kind("ALB apisix-public"), Some(ResourceKind::LoadBalancer));
    assert_eq!(kind("客户端"), Some(ResourceKind::Client));
    assert_eq!(kind("开发者"), Some(ResourceKind::People));
    assert_eq!(kind("Aurora makerdb"), Some(ResourceKind::Database));
    assert_eq!(kind("Valkey spot-redis"), Some(ResourceKind::Cache));
    assert_eq!(kind("制品库"), Some(ResourceKind::Storage));
}

#[test]
fn unrecognised_words_are_reported_with_their_cell() {
    let t = topo();
    let d = t
        .diagnostics()
        .iter()
        .find(|d| d.kind == DiagKind::Unresolved && d.message.contains("'业务API'"))
        .expect("业务API is reported");
    let loc = d.location.as_ref().unwrap();
    assert_eq!(
        (loc.sheet.as_str(), loc.row, loc.column.as_deref()),
        ("生产环境", 2, Some("C"))
    );
}

#[test]
fn alias_file_overrides_the_rules() {
    let aliases = Aliases::parse(
        "aliases.toml",
        "[instances]\n\"业务API\" = [\"spotapi-*\"]\n[external]\n\"Kafka\" = \"MSK cluster\"\n",
    )
    .unwrap();
    let t = seed(&LoadOptions {
        aliases,
        ..LoadOptions::default()
    })
    .unwrap();
    assert!(has(&t, SPOTAPI, "aie1p-maker-02"));
    assert!(has(&t, CES_CORE, "MSK cluster"));
    // ces core → kafka-server-01 now comes only from the Kafka row's own "CES" producer word.
    let e = edge(&t, CES_CORE, KAFKA);
    assert!(
        e.sources().all(|s| &*s.word != "Kafka"),
        "{:?}",
        e.sources().collect::<Vec<_>>()
    );
}

#[test]
fn names_that_differ_only_by_case_are_one_instance_spelled_as_its_first_row() {
    let csv = "实例名称,服务角色,主要上游,主要下游\n\
               Queue-01,消息队列,——,——\n\
               QUEUE-01,消息队列,——,——\n\
               CACHE-02,缓存,——,——\n\
               cache-02,缓存,——,——\n\
               app-01,应用,——,queue-01；Cache-02\n";
    let t = aiops_core::load_bytes("names.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(t.instance_count(), 3);
    let ids: Vec<&str> = t.nodes().iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["Queue-01", "CACHE-02", "app-01"]);
    assert!(has(&t, "app-01", "Queue-01"));
    assert!(has(&t, "app-01", "CACHE-02"));
    assert_eq!(
        t.diagnostics()
            .iter()
            .filter(|d| d.kind == aiops_core::DiagKind::NameCase)
            .count(),
        2
    );
}

#[test]
fn a_naming_domain_spelled_with_a_plus_is_not_confused_with_two_domains() {
    // `alpha`, `beta` and `alpha+beta` are each a naming domain (three roles or more). The queue
    // in both `alpha` and `beta` is not in the app's domain `alpha+beta`; the domain-less queue
    // is the one to prefer.
    let csv = "实例名称,服务角色,主要上游,主要下游\n\
               x-alpha-web-01,网站,——,——\n\
               x-alpha-db-01,数据库,——,——\n\
               x-alpha-cache-01,缓存,——,——\n\
               x-beta-web-01,网站,——,——\n\
               x-beta-db-01,数据库,——,——\n\
               x-beta-cache-01,缓存,——,——\n\
               x-alpha-beta-queue-01,消息队列,——,——\n\
               x-alpha+beta-web-01,网站,——,——\n\
               x-alpha+beta-db-01,数据库,——,——\n\
               x-alpha+beta-cache-01,缓存,——,——\n\
               x-alpha+beta-app-01,应用,——,queue\n\
               x-queue-01,消息队列,——,——\n";
    let t = aiops_core::load_bytes("domains.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert!(has(&t, "x-alpha+beta-app-01", "x-queue-01"));
    assert!(!has(&t, "x-alpha+beta-app-01", "x-alpha-beta-queue-01"));
}

#[test]
fn an_external_named_like_an_instance_is_kept_apart() {
    // The alias file declares the word `Kafka` external under an instance's own name: the
    // external node must not merge with (or replace) the instance.
    let aliases = Aliases::parse(
        "aliases.toml",
        &format!("[external]\n\"Kafka\" = \"{KAFKA}\"\n"),
    )
    .unwrap();
    let t = seed(&LoadOptions {
        aliases,
        ..LoadOptions::default()
    })
    .unwrap();
    let inst = t.node(KAFKA).expect("the instance keeps its name");
    assert_eq!(inst.kind, NodeKind::Instance);
    let apart = format!("{KAFKA} (external)");
    let ext = t.node(&apart).expect("the external node is set apart");
    assert_eq!(ext.kind, NodeKind::External);
    assert!(has(&t, CES_CORE, &apart));
}

#[test]
fn seed_markdown_and_workbook_give_the_same_graph() {
    let md = aiops_core::load_bytes(
        "seed.md",
        aiops_core::SEED_MARKDOWN.as_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    let xl = topo();
    let shape = |t: &Topology| {
        let nodes: Vec<_> = t
            .nodes()
            .iter()
            .map(|n| (n.id.clone(), n.kind, n.role.clone(), n.count))
            .collect();
        let edges: Vec<_> = t
            .edges()
            .iter()
            .map(|e| {
                (
                    e.from.clone(),
                    e.to.clone(),
                    e.optional,
                    e.on_demand,
                    e.via.clone(),
                    e.ambiguous,
                )
            })
            .collect();
        (nodes, edges)
    };
    assert_eq!(shape(&md), shape(&xl));
    assert_eq!(md.edges()[0].source.sheet.as_ref(), "table 1");
}

/// A word written like an instance name (`ledger-db`) that no row has is not a role phrase for
/// its first word: it never links the cell's row to `ledger-svc` and `ledger-consumer`, which
/// share only `ledger`; it stays an external node, and lint warns that it looks like a removed,
/// renamed or misspelt instance. A name-shaped word whose every word an instance carries
/// (`ledger-svc` for the pool `ledger-svc-01`/`-02`) still picks them. Another team's sheet,
/// found by a review as a new user: deleting the `ledger-db` row had linked three callers to
/// its namesakes, with no warning.
#[test]
fn a_name_that_no_row_has_never_picks_its_namesakes() {
    let csv = "name,role,upstream,downstream\n\
               pay3-api,支付API服务,,ledger-svc；ledger-db\n\
               ledger-svc-01,账务服务,pay3-api,ledger-db\n\
               ledger-svc-02,账务服务,pay3-api,ledger-db\n\
               ledger-consumer,账务消费者,,ledger-db\n";
    let t =
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    for from in [
        "pay3-api",
        "ledger-svc-01",
        "ledger-svc-02",
        "ledger-consumer",
    ] {
        assert!(has(&t, from, "ledger-db"), "{from} → ledger-db");
        for namesake in ["ledger-svc-01", "ledger-svc-02", "ledger-consumer"] {
            if namesake != from && from != "pay3-api" {
                assert!(!has(&t, from, namesake), "{from} → {namesake}");
            }
        }
    }
    assert_eq!(
        t.node("ledger-db").map(|n| n.kind),
        Some(NodeKind::External)
    );
    assert!(has(&t, "pay3-api", "ledger-svc-01") && has(&t, "pay3-api", "ledger-svc-02"));
    let warned: Vec<_> = t
        .diagnostics()
        .iter()
        .filter(|d| d.kind == DiagKind::Unresolved && d.message.contains("'ledger-db'"))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", t.diagnostics());
    assert_eq!(warned[0].severity, aiops_core::Severity::Warning);
    assert!(
        warned[0].message.contains("misspelt"),
        "{}",
        warned[0].message
    );
    // An outside name that does not look like ours stays a quiet note.
    let csv = "name,role,upstream,downstream\npay3-api,支付API服务,,partner-gateway\n";
    let t =
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    let note = t
        .diagnostics()
        .iter()
        .find(|d| d.kind == DiagKind::Unresolved)
        .expect("a note on partner-gateway");
    assert_eq!(note.severity, aiops_core::Severity::Info);
}

/// A relation both rows state, only one of them marking it optional (or on demand), is read as
/// required, the safe reading for impact, and lint says the rows disagree, naming both rows;
/// marked in both, it is optional and nothing is said. Another team's sheet, found by a review
/// as a new user: the one-sided mark changed nothing and nobody was told.
#[test]
fn rows_that_disagree_on_optional_are_read_as_required_and_reported() {
    let load = |api: &str, cache: &str| {
        let csv = format!(
            "name,role,upstream,downstream\n\
             pay3-api,支付API服务,,pay3-cache{api}\n\
             pay3-cache,缓存,pay3-api{cache},\n"
        );
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
    };
    let conflicts = |t: &Topology| -> Vec<String> {
        t.diagnostics()
            .iter()
            .filter(|d| d.kind == DiagKind::FlagConflict)
            .map(|d| d.message.clone())
            .collect()
    };
    for (mark, what) in [("（可选）", "optional"), ("（按需）", "on demand")] {
        let t = load(mark, "");
        let e = edge(&t, "pay3-api", "pay3-cache");
        assert!(!e.optional && !e.on_demand, "{mark}: read as required");
        let c = conflicts(&t);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(
            c[0].contains("rows 2, 3") && c[0].contains(what),
            "{}",
            c[0]
        );
        let t = load(mark, mark);
        let e = edge(&t, "pay3-api", "pay3-cache");
        assert!(e.optional || e.on_demand, "{mark} in both rows");
        assert!(conflicts(&t).is_empty());
    }
    assert!(conflicts(&load("", "")).is_empty());
}

/// On a sheet whose names share a common prefix (`wallet-`), a pool's base name with the prefix
/// (`wallet-worker` for `wallet-worker-01`/`-02`) names the pool: the prefix, which every name
/// carries, is no word of the phrase. A name written like an instance's sibling but read as a
/// managed resource by its kind (`wallet-mysql-ro` beside `wallet-mysql`) is warned about like
/// any other missing name. Another team's sheet, found by a review as a new user.
#[test]
fn a_pool_base_name_with_the_common_prefix_names_the_pool() {
    let csv = "name,role,upstream,downstream\n\
               wallet-gw,API 网关,公网用户,wallet-worker\n\
               wallet-worker-01,钱包异步任务,wallet-gw,wallet-mysql；wallet-mysql-ro\n\
               wallet-worker-02,钱包异步任务,wallet-gw,wallet-mysql；wallet-mysql-ro\n\
               wallet-mysql,MySQL,wallet-worker,\n";
    let t = aiops_core::load_bytes("wallet.csv", csv.as_bytes(), &LoadOptions::default())
        .expect("loads");
    assert!(has(&t, "wallet-gw", "wallet-worker-01") && has(&t, "wallet-gw", "wallet-worker-02"));
    assert!(has(&t, "wallet-worker-01", "wallet-mysql"));
    assert!(t.node("wallet-worker").is_none(), "no made-up node");
    let warned: Vec<&str> = t
        .diagnostics()
        .iter()
        .filter(|d| d.severity == aiops_core::Severity::Warning && d.kind == DiagKind::Unresolved)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("'wallet-mysql-ro'") && warned[0].contains("wallet-mysql,"),
        "{}",
        warned[0]
    );
}

/// Optional on one side and on demand on the other is soft either way: both flags are kept,
/// and the rows do not disagree on whether the relation is needed.
#[test]
fn optional_on_one_side_and_on_demand_on_the_other_is_soft() {
    let csv = "name,role,upstream,downstream\n\
               pay3-api,支付API服务,,pay3-audit（按需）\n\
               pay3-audit,审计,pay3-api（可选）,\n";
    let t =
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    let e = edge(&t, "pay3-api", "pay3-audit");
    assert!(e.optional && e.on_demand);
    assert!(!t
        .diagnostics()
        .iter()
        .any(|d| d.kind == DiagKind::FlagConflict));
}
