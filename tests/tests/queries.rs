//! Query commands through the CLI on the built-in seed: selection patterns, deps, impact, whois,
//! role, owner, path, spof, exit codes, and the documented JSON shapes.

use aiops_tests::{by_id, ids, Test};
use serde_json::Value;
use std::collections::BTreeSet;

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const SPOTAPI: &str = "aie1p-spotapi-c5large-2c4g-v132-a-Node";

fn json(args: &[&str]) -> Value {
    Test::new().args(args).json()
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("want an object, got {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// Asserts `v` has at least the documented keys.
fn has_keys(v: &Value, documented: &[&str]) {
    let have = keys(v);
    let missing: Vec<&&str> = documented.iter().filter(|k| !have.contains(**k)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in {v}");
}

#[test]
fn glob_selects_with_or_without_the_common_prefix() {
    for pattern in ["aie1p-ces-*", "ces-*", "AIE1P-CES-*"] {
        assert_eq!(
            ids(&json(&["deps", pattern])["matched"]),
            [CES_ACCESS, CES_CORE],
            "{pattern}"
        );
    }
}

#[test]
fn regex_pattern_selects_by_id() {
    let out = json(&["deps", "re:^aie1p-(etcd|etcdnew)-"]);
    assert_eq!(
        ids(&out["matched"]),
        ["aie1p-etcd-01", "aie1p-etcdnew-morph-0430"]
    );
}

#[test]
fn substring_selects_external_nodes_and_their_other_spellings() {
    assert_eq!(
        ids(&json(&["deps", "spot-redis"])["matched"]),
        ["Valkey spot-redis"]
    );
    assert_eq!(
        ids(&json(&["deps", "spotdb"])["matched"]),
        ["Aurora spotdb"]
    );
}

#[test]
fn deps_up_shows_only_callers_and_down_only_callees() {
    let up = &json(&["deps", CES_ACCESS, "--up"])["matched"][0];
    assert_eq!(ids(&up["upstream"]), [APISIX, "NGINX", "客户端"]);
    assert_eq!(up["downstream"].as_array().unwrap().len(), 0);
    let down = &json(&["deps", CES_ACCESS, "--down"])["matched"][0];
    assert_eq!(down["upstream"].as_array().unwrap().len(), 0);
    assert!(ids(&down["downstream"]).contains(&CES_CORE));
    Test::new()
        .args(["deps", CES_ACCESS, "--up"])
        .run()
        .stdout_has("upstream (3)");
}

#[test]
fn deps_depth_follows_relations_transitively_with_hop_counts() {
    let hops = |depth: &str| -> Vec<(String, u64)> {
        json(&["deps", CES_ACCESS, "--down", "--depth", depth])["matched"][0]["downstream"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    n["hops"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let direct = hops("1");
    assert!(direct.iter().all(|(_, h)| *h == 1), "{direct:?}");
    assert!(!direct.iter().any(|(id, _)| id == "历史"));
    let deep = hops("2");
    assert!(deep.contains(&("历史".to_string(), 2)), "{deep:?}");
    assert!(deep.contains(&(CES_CORE.to_string(), 1)), "{deep:?}");
}

#[test]
fn deps_shows_flags_and_pool_counts() {
    let out = Test::new().args(["deps", SPOTAPI]).run();
    out.stdout_has("→ aie1p-kafka-server-01")
        .stdout_has("on demand")
        .stdout_has("← aie1p-apisix-c5large-2c4g-v132-a-Node ×2");
    let kafka = by_id(
        &json(&["deps", SPOTAPI])["matched"][0]["downstream"],
        "aie1p-kafka-server-01",
    )
    .clone();
    assert_eq!(kafka["on_demand"], true);
}

#[test]
fn impact_of_spotdb_hits_the_albs_and_clients() {
    let out = json(&["impact", "spotdb"]);
    assert_eq!(out["targets"], serde_json::json!(["Aurora spotdb"]));
    let entry: Vec<&str> = out["entry_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for hit in ["ALB apisix-public", "ALB apisix-internal", "客户端"] {
        assert!(entry.contains(&hit), "{entry:?}");
    }
    let alb = by_id(&out["impacted"], "ALB apisix-public");
    assert_eq!(alb["side"], "upstream");
    assert_eq!(alb["hops"], 3);
    let path = alb["path"].as_array().unwrap();
    assert_eq!(path.first().unwrap(), "ALB apisix-public");
    assert_eq!(path.last().unwrap(), "Aurora spotdb");
    assert_eq!(path.len(), 4);
}

#[test]
fn impact_of_one_node_of_a_pool_is_softened_by_its_replicas() {
    let pool = json(&["impact", APISIX, "--one-node"]);
    assert!(pool["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["side"] == "upstream")
        .all(|i| i["redundant"] == true && i["effect"] == "degraded"));
    Test::new()
        .args(["impact", APISIX, "--one-node"])
        .run()
        .stdout_has("×2: one node lost, replicas remain");
    // Without --one-node the whole pool fails.
    Test::new()
        .args(["impact", APISIX])
        .run()
        .stdout_has("×2: whole pool fails");
    let single = json(&["impact", CES_CORE]);
    let caller = by_id(&single["impacted"], CES_ACCESS);
    assert_eq!(caller["redundant"], false);
    assert_eq!(caller["effect"], "broken");
    Test::new()
        .args(["impact", CES_CORE])
        .run()
        .stdout_has("one row of a node pool: its size is not in the sheet");
    Test::new()
        .args(["impact", "kafka-server-01"])
        .run()
        .stdout_has("single instance: no redundancy");
}

#[test]
fn impact_depth_bounds_the_hops() {
    let out = json(&["impact", "spotdb", "--depth", "1"]);
    let impacted = out["impacted"].as_array().unwrap();
    assert!(!impacted.is_empty());
    assert!(impacted.iter().all(|i| i["hops"] == 1), "{impacted:?}");
}

#[test]
fn whois_gives_role_pool_size_environment_and_neighbours() {
    Test::new()
        .args(["whois", "morph-narwhal-access-c5large-2c4g-v132-a-Node"])
        .run()
        .stdout_has("期货接入层（Narwhal Access）节点池（EKS）")
        .stdout_has("3 nodes")
        .stdout_has("production (the sheet has no environment column)")
        .stdout_has("upstream (3)");
    let spotdb = &json(&["whois", "spotdb"])["matched"][0];
    assert_eq!(spotdb["id"], "Aurora spotdb");
    assert_eq!(spotdb["upstream"].as_array().unwrap().len(), 4);
}

#[test]
fn role_finds_instances_by_role_words() {
    assert_eq!(
        ids(&json(&["role", "Kafka"])["matched"]),
        ["aie1p-kafka-server-01", "aie1p-morph-kafkanew-0425"]
    );
}

#[test]
fn owner_without_an_owner_column_exits_1_and_says_what_to_add() {
    let out = Test::new().args(["owner", "ops"]).code(1).run();
    assert!(out.stdout.is_empty());
    assert!(out
        .stderr_line()
        .contains("the inventory has no owner column (负责人/Owner)"));
}

#[test]
fn path_follows_traffic_from_entry_point_to_database() {
    let out = json(&["path", "ALB apisix-public", "Aurora spotdb"]);
    assert_eq!(out["reversed"], false);
    let paths = out["paths"].as_array().unwrap();
    assert!(paths.contains(&serde_json::json!([
        "ALB apisix-public",
        APISIX,
        SPOTAPI,
        "Aurora spotdb"
    ])));
    let back = json(&["path", "Aurora spotdb", "ALB apisix-public"]);
    assert_eq!(back["reversed"], true);
}

#[test]
fn spof_ranks_single_instances_before_pools() {
    let spofs = json(&["spof"])["spofs"].clone();
    let list = spofs.as_array().unwrap();
    let first_pool = list.iter().position(|s| s["redundant"] == true).unwrap();
    assert!(list[..first_pool]
        .iter()
        .all(|s| s["count"] == 1 || s["managed"] == true));
    assert!(list[first_pool..].iter().all(|s| s["redundant"] == true));
    let ces_access = by_id(&spofs, CES_ACCESS);
    assert_eq!(ces_access["cut_off"], serde_json::json!([CES_CORE]));
}

#[test]
fn pattern_matching_nothing_exits_1_and_suggests_names() {
    let out = Test::new().args(["deps", "kafak"]).code(1).run();
    let line = out.stderr_line();
    assert!(line.contains("'kafak' matches nothing"), "{line}");
    assert!(
        line.contains("did you mean: aie1p-kafka-server-01"),
        "{line}"
    );
}

#[test]
fn a_pattern_far_from_every_name_still_gets_suggestions() {
    for p in ["zz*", "re:^zzz", "qqq"] {
        let out = Test::new().args(["deps", p]).code(1).run();
        let line = out.stderr_line();
        assert!(
            line.contains("matches nothing; did you mean: aie1p-"),
            "{p}: {line}"
        );
    }
}

#[test]
fn escape_sequences_in_cells_never_reach_the_terminal() {
    let dir = aiops_tests::temp_dir();
    let path = dir.path().join("ansi.csv");
    std::fs::write(
        &path,
        "Name,Role,Downstream\nweb-1,\"\u{1b}[31mred\u{1b}[0m \u{202e}role\",db-1\ndb-1,db,\n",
    )
    .unwrap();
    let out = Test::new().inventory(&path).args(["whois", "web-1"]).run();
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'),
        "{:?}",
        out.stdout
    );
    assert!(out.stdout.contains("\u{FFFD}[31mred"), "{:?}", out.stdout);
    // JSON keeps the cell as written (escaped by the JSON encoder).
    let json = Test::new().inventory(&path).args(["whois", "web-1"]).json();
    assert!(json.to_string().contains("\\u001b[31mred"), "{json}");
}

#[test]
fn bad_regex_exits_2() {
    let out = Test::new().args(["deps", "re:("]).code(2).run();
    assert!(out.stderr_line().contains("'re:(' is not a valid pattern"));
}

#[test]
fn mermaid_output_is_a_left_to_right_graph() {
    for args in [
        &["deps", "aie1p-ces-*"][..],
        &["impact", "spotdb"],
        &["export"],
    ] {
        let out = Test::new().args(args).args(["--format", "mermaid"]).run();
        assert!(
            out.stdout.starts_with("graph LR\n"),
            "{args:?}: {}",
            out.stdout
        );
    }
}

#[test]
fn json_shapes_have_the_documented_keys() {
    let deps = json(&["deps", CES_ACCESS]);
    let m = &deps["matched"][0];
    has_keys(
        m,
        &[
            "id",
            "kind",
            "role",
            "count",
            "owner",
            "upstream",
            "downstream",
        ],
    );
    for side in ["upstream", "downstream"] {
        has_keys(
            &m[side][0],
            &["id", "kind", "optional", "on_demand", "hops"],
        );
    }
    let impact = json(&["impact", "spotdb"]);
    has_keys(&impact, &["targets", "impacted"]);
    has_keys(
        &impact["impacted"][0],
        &["id", "kind", "side", "hops", "path", "redundant"],
    );
    let export = json(&["export"]);
    has_keys(&export, &["nodes", "edges", "diagnostics"]);
    has_keys(
        &export["nodes"][0],
        &["id", "kind", "role", "count", "owner", "env"],
    );
    let edge = &export["edges"][0];
    has_keys(
        edge,
        &[
            "from",
            "to",
            "optional",
            "on_demand",
            "via",
            "ambiguous",
            "note",
            "source",
        ],
    );
    has_keys(&edge["source"], &["sheet", "row", "column", "text"]);
}
