//! Queries on the seed: selection, deps, impact, paths, single points of failure, lint.

use aiops_core::lint::{compare_diagram, lint};
use aiops_core::query::{self, Direction, QueryError, Side};
use aiops_core::{seed, DiagKind, LoadOptions, Topology};

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const KAFKA: &str = "aie1p-kafka-server-01";
const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";

fn topo() -> Topology {
    seed(&LoadOptions::default()).unwrap()
}

fn ids(t: &Topology, sel: &[usize]) -> Vec<String> {
    sel.iter().map(|&i| t.nodes()[i].id.clone()).collect()
}

#[test]
fn glob_selects_with_or_without_the_common_prefix() {
    let t = topo();
    let full = query::select(&t, "aie1p-ces-*").unwrap();
    assert_eq!(ids(&t, &full), [CES_ACCESS, CES_CORE]);
    assert_eq!(query::select(&t, "ces-*").unwrap(), full);
    assert_eq!(query::select(&t, "AIE1P-CES-*").unwrap(), full);
}

#[test]
fn exact_name_regex_and_external_substring_select() {
    let t = topo();
    assert_eq!(
        ids(&t, &query::select(&t, "jenkins").unwrap()),
        ["aie1p-jenkins"]
    );
    assert_eq!(
        ids(&t, &query::select(&t, "re:^aie1p-etcd").unwrap()),
        ["aie1p-etcd-01", "aie1p-etcdnew-morph-0430"]
    );
    assert_eq!(
        ids(&t, &query::select(&t, "apisix-public").unwrap()),
        ["ALB apisix-public"]
    );
}

#[test]
fn a_pattern_matching_nothing_suggests_the_nearest_names() {
    let t = topo();
    match query::select(&t, "aie1p-jenkinz") {
        Err(QueryError::NoMatch { suggestions, .. }) => assert_eq!(suggestions[0], "aie1p-jenkins"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        query::select(&t, "re:("),
        Err(QueryError::BadPattern { .. })
    ));
    assert!(matches!(
        query::select(&t, &"x".repeat(500)),
        Err(QueryError::BadPattern { .. })
    ));
}

#[test]
fn deps_are_direct_by_default_and_transitive_with_depth() {
    let t = topo();
    let sel = query::select(&t, CES_CORE).unwrap();
    let direct = &query::deps(&t, &sel, Direction::Up, 1)[0];
    assert_eq!(
        direct
            .upstream
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        [CES_ACCESS]
    );
    assert!(direct.downstream.is_empty());
    let deep = &query::deps(&t, &sel, Direction::Up, 3)[0];
    let apisix = deep.upstream.iter().find(|n| n.id == APISIX).unwrap();
    assert_eq!(apisix.hops, 2);
    assert_eq!(apisix.count, 2);
    assert!(deep
        .upstream
        .iter()
        .any(|n| n.id == "ALB apisix-public" && n.hops == 3));
}

#[test]
fn deps_show_flags() {
    let t = topo();
    let sel = query::select(&t, "aie1p-spotapi-*").unwrap();
    let d = &query::deps(&t, &sel, Direction::Down, 1)[0];
    let kafka = d
        .downstream
        .iter()
        .find(|n| n.id == "aie1p-kafka-server-01")
        .unwrap();
    assert!(kafka.on_demand && !kafka.optional);
}

#[test]
fn impact_lists_who_breaks_who_starves_and_entry_points() {
    let t = topo();
    let sel = query::select(&t, "spotdb").unwrap();
    let im = query::impact(&t, &sel, &query::ImpactOptions::default());
    assert_eq!(im.targets, ["Aurora spotdb"]);
    let ces = im.impacted.iter().find(|i| i.id == CES_ACCESS).unwrap();
    assert_eq!((ces.side, ces.hops), (Side::Upstream, 1));
    let alb = im
        .impacted
        .iter()
        .find(|i| i.id == "ALB apisix-public")
        .unwrap();
    assert_eq!(
        alb.path.first().map(String::as_str),
        Some("ALB apisix-public")
    );
    assert_eq!(alb.path.last().map(String::as_str), Some("Aurora spotdb"));
    assert_eq!(alb.hops as usize, alb.path.len() - 1);
    for e in [
        "ALB apisix-public",
        "ALB apisix-internal",
        "客户端",
        "NGINX",
    ] {
        assert!(
            im.entry_points.iter().any(|x| x == e),
            "{e} in {:?}",
            im.entry_points
        );
    }
    assert!(im.impacted.iter().all(|i| i.side == Side::Upstream));
}

#[test]
fn impact_marks_redundancy_from_pool_replicas_and_other_feeds() {
    let t = topo();
    let pool = query::select(&t, "aie1p-apisix-*").unwrap();
    let im = query::impact(
        &t,
        &pool,
        &query::ImpactOptions {
            depth: Some(1),
            one_node: true,
            ..Default::default()
        },
    );
    assert!(
        im.impacted
            .iter()
            .filter(|i| i.side == Side::Upstream)
            .all(|i| i.redundant && i.effect == query::Effect::Degraded),
        "losing one node of a pool ×2 leaves replicas: {:?}",
        im.impacted
    );
    assert!(
        !im.customers_hit,
        "one node of a pool is capacity, not an outage"
    );
    let kafka = query::select(&t, "aie1p-kafka-server-01").unwrap();
    let im = query::impact(
        &t,
        &kafka,
        &query::ImpactOptions {
            depth: Some(1),
            one_node: false,
            ..Default::default()
        },
    );
    let history = im.impacted.iter().find(|i| i.id == "历史").unwrap();
    assert_eq!(history.side, Side::Downstream);
    assert!(history.redundant, "kafkanew still feeds 历史");
    assert_eq!(
        history.effect,
        query::Effect::PartlyFed,
        "fed by another is not redundancy"
    );
    let maker = im
        .impacted
        .iter()
        .find(|i| i.id == "aie1p-maker-02")
        .unwrap();
    assert!(maker.soft && !maker.redundant, "maker's Kafka is optional");
}

#[test]
fn paths_follow_traffic() {
    let t = topo();
    let a = query::select(&t, "客户端").unwrap();
    let b = query::select(&t, CES_CORE).unwrap();
    let p = query::paths(&t, &a, &b, 10, 8);
    assert_eq!(p[0], ["客户端", CES_ACCESS, CES_CORE]);
    assert!(query::paths(&t, &b, &a, 10, 8).is_empty());
}

#[test]
fn spof_ranks_single_instances_that_cut_others_off() {
    let t = topo();
    let s = query::spof(&t);
    let ces = s
        .iter()
        .find(|s| s.id == CES_ACCESS)
        .expect("ces-access dominates ces core");
    assert!(ces.cut_off.iter().any(|c| c == CES_CORE));
    assert!(!ces.redundant);
    let first_pool = s.iter().position(|s| s.redundant).unwrap_or(s.len());
    assert!(
        s[..first_pool].iter().all(|s| !s.redundant),
        "single instances rank first"
    );
    assert!(s.iter().all(|x| !t.is_entry_point(t.index(&x.id).unwrap())));
}

#[test]
fn spof_lists_single_instances_that_many_depend_on() {
    let t = topo();
    let s = query::spof(&t);
    // kafka-server-01: one box, eleven callers, the traffic of eight entry points reaches it.
    assert_eq!(s[0].id, KAFKA);
    assert_eq!(s[0].dependents, 11);
    assert!(
        s[0].entry_points.iter().any(|e| e == "客户端"),
        "{:?}",
        s[0].entry_points
    );
    assert!(
        s[0].cut_off.is_empty(),
        "listed without dominating anything"
    );
    // The CES core: one caller, but every client order passes through it.
    let core = s
        .iter()
        .find(|x| x.id == CES_CORE)
        .expect("CES core listed");
    assert_eq!(core.dependents, 1);
    assert!(!core.entry_points.is_empty());
    // Externals when they dominate, or when they are managed resources many need (their
    // redundancy is not in the sheet): Aurora spotdb is listed as managed.
    assert!(s.iter().any(|x| x.id == "Aurora spotdb" && x.managed));
    assert!(s
        .iter()
        .filter(|x| x.kind == aiops_core::NodeKind::External)
        .all(|x| !x.cut_off.is_empty() || x.managed));
}

#[test]
fn role_search_matches_role_words() {
    let t = topo();
    let hits = query::by_role(&t, "kafka");
    assert_eq!(
        ids(&t, &hits),
        ["aie1p-kafka-server-01", "aie1p-morph-kafkanew-0425"]
    );
    assert_eq!(query::by_role(&t, "撮合").len(), 2);
}

#[test]
fn lint_reports_one_sided_relations_and_unresolved_words() {
    let t = topo();
    let r = lint(&t);
    assert!(r.findings.iter().any(|f| f.kind == DiagKind::OneSided
        && f.message.contains(
            "aie1p-spotapi-c5large-2c4g-v132-a-Node list aie1p-kafka-server-01 as a downstream"
        )));
    assert!(r
        .findings
        .iter()
        .any(|f| f.kind == DiagKind::Unresolved && f.message.contains("'业务API'")));
    assert!(
        !r.findings.iter().any(|f| f.kind == DiagKind::OneSided
            && f.message
                .contains(&format!("{CES_ACCESS} lists {CES_CORE}"))),
        "ces-access → ces core is stated from both sides"
    );
}

#[test]
fn a_diagram_file_without_a_flowchart_is_refused() {
    let t = aiops_core::seed(&LoadOptions::default()).unwrap();
    for text in [
        "hello world\nsecond line",
        "实例名称,服务角色\na,b",
        "sequenceDiagram\nA->>B: hi",
        "",
    ] {
        assert!(compare_diagram(&t, text).is_err(), "{text:?}");
    }
    let with_front_matter = "---\ntitle: ops\n---\n%%{init: {}}%%\n\nflowchart TD\n  A[\"aie1p-jenkins\"] --> B[\"GitLab\"]\n";
    let r = compare_diagram(&t, with_front_matter).expect("a flowchart");
    assert_eq!((r.drawn_nodes, r.drawn_edges), (2, 1));
}

#[test]
fn lint_diagram_lists_what_the_hand_drawn_diagram_misses_and_adds() {
    let t = topo();
    let r = compare_diagram(&t, aiops_core::SEED_MARKDOWN).expect("the seed holds a flowchart");
    assert_eq!(r.drawn_nodes, 36);
    assert!(
        r.missing
            .iter()
            .any(|e| e.from == CES_ACCESS && e.to == CES_CORE),
        "{:?}",
        r.missing
    );
    assert!(r
        .missing
        .iter()
        .any(|e| e.from == APISIX && e.to == "EKS 后端服务"));
    assert!(r
        .extra
        .iter()
        .any(|e| e.from == "aie1p-elasticsearch-01" && e.to.contains("监控系统")));
    assert!(r.unknown_nodes.iter().any(|n| n == "ALB nginx-public"));
    // What the drawing gets right is not reported.
    assert!(!r
        .missing
        .iter()
        .any(|e| e.from == "aie1p-jenkins" && e.to == "ArgoCD"));
}

#[test]
fn starved_nodes_fed_by_a_live_source_are_redundant_all_the_way_down() {
    let t = topo();
    let sel = query::select(&t, CES_CORE).unwrap();
    let im = query::impact(&t, &sel, &query::ImpactOptions::default());
    for id in ["aie1p-kafka-server-01", "历史", "统计", "推送"] {
        let i = im.impacted.iter().find(|i| i.id == id).unwrap();
        assert!(i.redundant, "{id} is still fed");
    }
}

#[test]
fn a_failed_node_cuts_the_relations_that_pass_through_it() {
    // The makers' row: upstream `业务API（经 APISIX/NGINX）`. Losing APISIX cuts that relation.
    let t = topo();
    let apisix = query::select(&t, APISIX).unwrap();
    let imp = query::impact(&t, &apisix, &query::ImpactOptions::default());
    let maker = imp
        .impacted
        .iter()
        .find(|i| i.id == "aie1p-maker-02")
        .expect("the maker is starved");
    assert_eq!(maker.side, Side::Downstream);
    assert_eq!(maker.hops, 1);
    assert_eq!(maker.path, [APISIX, "aie1p-maker-02"]);
    assert!(maker.redundant, "APISIX is a pool of two");
    assert!(imp
        .impacted
        .iter()
        .any(|i| i.id == "业务API" && i.side == Side::Upstream));
    // APISIX merely broken (a service it calls fails) still carries the makers' traffic.
    let spotapi = query::select(&t, "aie1p-spotapi-*").unwrap();
    let imp = query::impact(&t, &spotapi, &query::ImpactOptions::default());
    assert!(imp.impacted.iter().any(|i| i.id == APISIX));
    assert!(
        imp.impacted
            .iter()
            .all(|i| !i.id.starts_with("aie1p-maker")),
        "{:?}",
        imp.impacted.iter().map(|i| &i.id).collect::<Vec<_>>()
    );
    // deps shows the sheet's own relations: APISIX's neighbours are unchanged by via.
    let d = query::deps(&t, &apisix, Direction::Down, 1);
    assert!(d[0]
        .downstream
        .iter()
        .all(|s| !s.id.starts_with("aie1p-maker")));
}

#[test]
fn via_nodes_are_alternatives_the_relation_is_cut_when_all_fail() {
    let csv = "Name,Role,Upstream,Downstream\n\
               web-1,web,——,——\n\
               gw-1,gateway,——,——\n\
               gw-2,gateway,——,——\n\
               app-1,app,web-1（经 gw-1/gw-2）,——\n";
    let t = aiops_core::load_bytes("via.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let hit = |pattern: &str, id: &str| {
        let sel = query::select(&t, pattern).unwrap();
        let imp = query::impact(&t, &sel, &query::ImpactOptions::default());
        imp.impacted
            .into_iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("{pattern}: {id} not impacted"))
    };
    // One gateway down: the other still carries web-1 → app-1.
    let app = hit("gw-1", "app-1");
    assert_eq!(
        (app.side, app.hops, app.redundant),
        (Side::Downstream, 1, true)
    );
    assert_eq!(app.path, ["gw-1", "app-1"]);
    let web = hit("gw-1", "web-1");
    assert_eq!((web.side, web.redundant), (Side::Upstream, true));
    // Both down: the relation is cut.
    let app = hit("gw-*", "app-1");
    assert!(!app.redundant, "{app:?}");
    assert!(!hit("gw-*", "web-1").redundant);
    // A gateway with no via role is not impacted by the other's failure.
    let sel = query::select(&t, "gw-1").unwrap();
    assert!(query::impact(&t, &sel, &query::ImpactOptions::default())
        .impacted
        .iter()
        .all(|i| i.id != "gw-2"));
}

#[test]
fn via_words_resolve_in_the_stating_rows_naming_domain() {
    let csv = "Name,Role,Upstream,Downstream\n\
               x-spot-apisix-01,gateway,——,——\n\
               x-spot-api-01,api,业务API（经 apisix）,x-spot-db-01\n\
               x-spot-db-01,db,——,——\n\
               x-fut-apisix-01,gateway,——,——\n\
               x-fut-api-01,api,业务API（经 apisix）,x-fut-db-01\n\
               x-fut-db-01,db,——,——\n";
    let t = aiops_core::load_bytes("domains.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    for (gateway, mine, other) in [
        ("x-spot-apisix-01", "x-spot-api-01", "x-fut-api-01"),
        ("x-fut-apisix-01", "x-fut-api-01", "x-spot-api-01"),
    ] {
        let sel = query::select(&t, gateway).unwrap();
        let imp = query::impact(&t, &sel, &query::ImpactOptions::default());
        let ids: Vec<&str> = imp.impacted.iter().map(|i| i.id.as_str()).collect();
        assert!(ids.contains(&mine), "{gateway}: {ids:?}");
        assert!(!ids.contains(&other), "{gateway}: {ids:?}");
    }
}

/// A single instance that every caller calls only through an optional or on-demand link is no
/// single point of failure: `impact` calls its callers degraded, and `spof` agrees. The same
/// instance called through a required link is one. Another team's sheet, found by a review as a
/// new user: `spof` ranked such a cache fourth while `impact` said "optional link only".
#[test]
fn an_instance_called_only_through_optional_links_is_no_spof() {
    let sheet = |note: &str| {
        let csv = format!(
            "name,role,upstream,downstream\n\
             pay3-gw,支付网关,公网用户,pay3-api\n\
             pay3-api,支付API服务,pay3-gw,pay3-cache{note}；pay3-db\n\
             pay3-api,支付API服务,pay3-gw,pay3-cache{note}；pay3-db\n\
             pay3-cache,缓存,pay3-api{note},\n\
             pay3-db,数据库,pay3-api,\n\
             pay3-cron,对账任务,,pay3-cache{note}\n"
        );
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
    };
    let listed = |t: &Topology| query::spof(t).iter().any(|s| s.id == "pay3-cache");
    for note in ["（可选）", "（按需）"] {
        let t = sheet(note);
        assert!(!listed(&t), "{note}: {:?}", query::spof(&t));
        assert!(query::spof(&t).iter().any(|s| s.id == "pay3-db"));
    }
    assert!(listed(&sheet("")));
}

/// A sheet that names no entry point (no client or load balancer above its rows) still has
/// single points of failure: the instances nothing calls stand in for the entry points, as
/// `impact` already reads such a sheet (losing led-b breaks led-a). Before, `spof` listed none.
/// Another team's sheet, found by a review as a new user. A sheet with entry points keeps them.
#[test]
fn a_sheet_without_entry_points_takes_its_uncalled_instances_as_roots() {
    let csv = "name,role,upstream,downstream\n\
               led-a,前端,,led-b\n\
               led-a,前端,,led-b\n\
               led-b,服务,led-a,led-c\n\
               led-c,数据库,led-b,\n";
    let t =
        aiops_core::load_bytes("led.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    let (roots, fallback) = query::traffic_roots(&t);
    assert!(fallback);
    assert_eq!(roots, vec![t.index("led-a").expect("led-a")]);
    let ids: Vec<String> = query::spof(&t).into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["led-b", "led-c"]);
    let impact = query::impact(
        &t,
        &[t.index("led-b").expect("led-b")],
        &query::ImpactOptions::default(),
    );
    assert_eq!(impact.counts.get(&query::Effect::Broken), Some(&1));
    let (roots, fallback) = query::traffic_roots(&topo());
    assert!(!fallback && !roots.is_empty());
}

/// The entry points `spof` says a node is needed by are those whose traffic reaches it through
/// required links: an entry point that reaches it only through an optional one is degraded by its
/// loss, not cut off (as `impact` says). Another team's sheet, found by a review as a new user.
#[test]
fn spof_counts_only_entry_points_that_need_a_node() {
    let csv = "name,role,upstream,downstream\n\
               pay3-gw,支付网关,客户端,pay3-db\n\
               pay3-ops,运营后台,ALB ops,pay3-db（可选）\n\
               pay3-db,数据库,pay3-gw；pay3-ops（可选）,\n";
    let t =
        aiops_core::load_bytes("pay3.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    let s = query::spof(&t);
    let db = s
        .iter()
        .find(|s| s.id == "pay3-db")
        .expect("pay3-db is a SPOF");
    assert_eq!(db.entry_points, ["客户端"]);
}
