//! `export --format json` of the seed states the relations its table states in words, resolved
//! to the right components. Each test is one rule, with the seed's own cells as the case.

use aiops_tests::{edge, edges_between, export_json, node, temp_dir};
use serde_json::{json, Value};
use std::sync::OnceLock;

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const NARWHAL: &str = "aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node";
const NARWHAL_ACCESS: &str = "aie1p-morph-narwhal-access-c5large-2c4g-v132-a-Node";
const KAFKA: &str = "aie1p-kafka-server-01";
const KAFKA_NEW: &str = "aie1p-morph-kafkanew-0425";
const NACOS: &str = "aie1p-maker-nacos-01";
const SPOTAPI: &str = "aie1p-spotapi-c5large-2c4g-v132-a-Node";
const SPOTWS: &str = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";
const DEVOPS: &str = "aie1p-devops-c5large-2c4g-v132-a-Node";
const MAKERS: [&str; 4] = [
    "aie1p-maker-02-copy",
    "aie1p-maker-02",
    "aie1p-maker-03-copy",
    "aie1p-maker-03",
];

/// The seed's export, run once for the whole file.
fn seed() -> &'static Value {
    static EXPORT: OnceLock<Value> = OnceLock::new();
    EXPORT.get_or_init(|| export_json(None))
}

fn edges() -> &'static [Value] {
    seed()["edges"].as_array().unwrap()
}

/// (row, column) of the cell that first stated an edge.
fn cell(e: &Value) -> (u64, &str) {
    (
        e["source"]["row"].as_u64().unwrap(),
        e["source"]["column"].as_str().unwrap(),
    )
}

fn instance_targets_of_cell(row: u64, column: &str) -> Vec<&'static str> {
    edges()
        .iter()
        .filter(|e| cell(e) == (row, column))
        .filter(|e| node(seed(), e["to"].as_str().unwrap()).unwrap()["kind"] == "instance")
        .map(|e| e["to"].as_str().unwrap())
        .collect()
}

#[test]
fn ces_core_role_phrase_is_the_ces_core_pool() {
    let e = edge(seed(), CES_ACCESS, CES_CORE);
    assert_eq!(cell(e), (16, "D"));
    assert_eq!(e["source"]["text"], "CES 核心；Kafka；spotdb/spot-redis");
}

#[test]
fn ces_access_role_phrase_is_the_ces_access_pool() {
    // In the seed, row 16 states this relation first; keep only the two pools' rows, with
    // "CES 接入层" in the core pool's 主要上游 as the only statement of it.
    let dir = temp_dir();
    let path = dir.path().join("ces.csv");
    std::fs::write(
        &path,
        format!(
            "实例名称,服务角色,主要上游,主要下游\n\
             {CES_ACCESS},CES 接入层节点池（EKS）,客户端,Kafka\n\
             {CES_CORE},CES 撮合/核心节点池（EKS）,CES 接入层,Kafka\n"
        ),
    )
    .unwrap();
    let export = export_json(Some(&path));
    assert_eq!(cell(edge(&export, CES_ACCESS, CES_CORE)), (3, "C"));
    let upstream_of_core: Vec<&Value> = edges().iter().filter(|e| e["to"] == CES_CORE).collect();
    assert_eq!(upstream_of_core.len(), 1, "{upstream_of_core:?}");
}

#[test]
fn narwhal_access_and_core_phrases_are_the_two_narwhal_pools() {
    assert_eq!(cell(edge(seed(), NARWHAL_ACCESS, NARWHAL)), (7, "C"));
    assert_eq!(node(seed(), NARWHAL).unwrap()["count"], 2);
    assert_eq!(node(seed(), NARWHAL_ACCESS).unwrap()["count"], 3);
}

#[test]
fn kafka_prefers_the_instance_in_the_rows_naming_domain() {
    // Row 7, morph-narwhal: 主要下游 = "Kafka；Aurora futuresdb；Redis" → morph-kafkanew only.
    assert_eq!(instance_targets_of_cell(7, "D"), [KAFKA_NEW]);
    // Row 18, CES core: 主要下游 = "Kafka；spotdb；spot-redis" → kafka-server-01 only.
    assert_eq!(instance_targets_of_cell(18, "D"), [KAFKA]);
    assert_eq!(cell(edge(seed(), CES_CORE, KAFKA)), (18, "D"));
    assert!(!edge(seed(), CES_CORE, KAFKA)["ambiguous"]
        .as_bool()
        .unwrap());
}

#[test]
fn etcd_prefers_the_instance_in_the_rows_naming_domain() {
    // Row 11, apisix: 主要下游 = "EKS 后端服务；ETCD".
    assert_eq!(instance_targets_of_cell(11, "D"), ["aie1p-etcd-01"]);
}

#[test]
fn name_pattern_note_selects_instances_without_a_self_loop() {
    // Row 6, maker-nacos-01: 主要上游 = "做市服务器（maker-*）".
    for maker in MAKERS {
        assert_eq!(cell(edge(seed(), maker, NACOS)), (6, "C"));
    }
    assert!(edges_between(seed(), NACOS, NACOS).is_empty());
    let loops: Vec<&Value> = edges().iter().filter(|e| e["from"] == e["to"]).collect();
    assert!(loops.is_empty(), "self-loops: {loops:?}");
}

#[test]
fn one_external_resource_written_three_ways_is_one_node() {
    // "Aurora spotdb" (row 13), "spotdb" (row 18), "spotdb/spot-redis" (row 16).
    assert_eq!(cell(edge(seed(), SPOTAPI, "Aurora spotdb")), (13, "D"));
    assert_eq!(cell(edge(seed(), CES_CORE, "Aurora spotdb")), (18, "D"));
    assert_eq!(cell(edge(seed(), CES_ACCESS, "Aurora spotdb")), (16, "D"));
    assert!(node(seed(), "spotdb").is_none());
    for writer in [SPOTAPI, CES_CORE, CES_ACCESS, SPOTWS] {
        edge(seed(), writer, "Valkey spot-redis");
    }
    assert!(node(seed(), "spot-redis").is_none());
}

#[test]
fn generic_words_do_not_match_instances() {
    // "业务API" is not the Spot API pool; "K8S API" neither; "监控/日志系统" is not DevOps.
    assert_eq!(node(seed(), "业务API").unwrap()["kind"], "external");
    for maker in MAKERS {
        edge(seed(), "业务API", maker);
        assert!(edges_between(seed(), SPOTAPI, maker).is_empty());
    }
    assert_eq!(node(seed(), "K8S API").unwrap()["kind"], "external");
    edge(seed(), DEVOPS, "K8S API");
    for e in edges().iter().filter(|e| e["from"] == DEVOPS) {
        assert_eq!(
            node(seed(), e["to"].as_str().unwrap()).unwrap()["kind"],
            "external"
        );
    }
}

#[test]
fn optional_note_marks_the_relation_optional() {
    // Row 3, maker-02: 主要下游 = "Aurora makerdb；Kafka（可选）".
    let e = edge(seed(), "aie1p-maker-02", KAFKA);
    assert_eq!(
        (e["optional"].clone(), e["on_demand"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        edge(seed(), "aie1p-maker-02", "Aurora makerdb")["optional"],
        false
    );
}

#[test]
fn on_demand_note_marks_the_relation_on_demand() {
    // Row 13, spotapi: 主要下游 = "Aurora spotdb；Valkey spot-redis；Kafka（按需）".
    let e = edge(seed(), SPOTAPI, KAFKA);
    assert_eq!(
        (e["optional"].clone(), e["on_demand"].clone()),
        (json!(false), json!(true))
    );
}

#[test]
fn via_note_records_what_the_relation_passes_through() {
    // Row 2, maker-02-copy: 主要上游 = "Nacos；业务API（经 APISIX/NGINX）".
    assert_eq!(
        edge(seed(), "业务API", "aie1p-maker-02-copy")["via"],
        json!(["APISIX", "NGINX"])
    );
    assert_eq!(edge(seed(), NACOS, "aie1p-maker-02-copy")["via"], json!([]));
}

#[test]
fn slash_shares_context_between_alternatives() {
    // "ALB apisix-public/internal" is two ALBs; "Aurora futuresdb/futuresnewdb" two databases.
    for alb in ["ALB apisix-public", "ALB apisix-internal"] {
        edge(seed(), alb, "aie1p-apisix-c5large-2c4g-v132-a-Node");
    }
    for db in ["Aurora futuresdb", "Aurora futuresnewdb"] {
        edge(
            seed(),
            "aie1p-morph-futuresweb-c5large-2c4g-v132-a-Node",
            db,
        );
    }
}

#[test]
fn edges_point_the_way_traffic_flows() {
    // Upstream cell: 客户端 calls apisix (row 11 C); downstream cell: apisix calls etcd (row 11 D).
    assert_eq!(
        cell(edge(
            seed(),
            "客户端",
            "aie1p-apisix-c5large-2c4g-v132-a-Node"
        )),
        (11, "C")
    );
    assert!(edges_between(seed(), "aie1p-apisix-c5large-2c4g-v132-a-Node", "客户端").is_empty());
}
