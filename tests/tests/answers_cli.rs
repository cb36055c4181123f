//! Trustworthy answers through the real `aiops` binary: what a pattern selects and what else it
//! matches, impact's verdict and effects in text and JSON, doubtful relations in export and
//! lint, a misspelt alias refused, and `check-config` failing on what would stop the bot.

use aiops_tests::{temp_dir, Test};
use serde_json::Value;

const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const NARWHAL: &str = "aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node";

fn effect<'a>(im: &'a Value, id: &str) -> &'a str {
    im["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .and_then(|i| i["effect"].as_str())
        .unwrap_or_else(|| panic!("{id} not impacted: {im}"))
}

#[test]
fn deps_says_what_else_a_short_name_matches() {
    let out = Test::new().args(["deps", "apisix"]).run();
    out.stdout_has("also matches: ALB apisix-public, ALB apisix-internal");
    let j = Test::new().args(["deps", "apisix"]).json();
    assert_eq!(j["matched"][0]["id"], APISIX);
    assert_eq!(
        j["also_matches"],
        serde_json::json!(["ALB apisix-public", "ALB apisix-internal"])
    );
}

#[test]
fn impact_leads_with_the_customer_verdict_and_its_route() {
    let out = Test::new().args(["impact", "kafka-server-01"]).run();
    let first = out.stdout.lines().next().unwrap();
    assert!(first.contains("customers hit: YES"), "{first}");
    assert!(first.contains(CES_ACCESS), "{first}");
    out.stdout_has("Possibly (through doubtful relations)");
    let j = Test::new().args(["impact", "kafka-server-01"]).json();
    assert_eq!(j["customers_hit"], true);
    assert_eq!(effect(&j, CES_ACCESS), "broken");
    assert_eq!(effect(&j, APISIX), "exposed");
    assert_eq!(effect(&j, NARWHAL), "doubtful");
    assert_eq!(effect(&j, "历史"), "partly_fed");
    assert_eq!(j["counts"]["broken"], 3);
    assert!(j["customer_routes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.as_array().unwrap().last() == Some(&Value::from(CES_ACCESS))));
}

/// A node two hops away by a doubtful relation and by a firm route as short is reached firmly:
/// `deps` must not call it doubtful. Another team's sheet, where a direction conflict makes
/// ops7-alpha-01 → ops7-zeta-01 doubtful and ops7-gw-01 → ops7-beta-01 → ops7-zeta-01 is firm;
/// and the built-in one, where the apisix pool reaches kafka-server-01 both ways.
#[test]
fn deps_calls_a_node_doubtful_only_when_no_firm_route_as_short_reaches_it() {
    let dir = temp_dir();
    let inv = dir.path().join("inv.csv");
    std::fs::write(
        &inv,
        "name,role,upstream,downstream\n\
         ops7-gw-01,网关,,ops7-alpha-01；ops7-beta-01\n\
         ops7-alpha-01,数据库,ops7-gw-01,ops7-zeta-01\n\
         ops7-beta-01,行情服务,ops7-gw-01,ops7-zeta-01\n\
         ops7-zeta-01,结算服务,ops7-beta-01,ops7-alpha-01\n",
    )
    .unwrap();
    let export = aiops_tests::export_json(Some(&inv));
    assert_eq!(
        aiops_tests::edge(&export, "ops7-alpha-01", "ops7-zeta-01")["doubtful"],
        true,
        "the case needs the doubtful relation"
    );
    let found = |j: &Value, id: &str| -> Value {
        j["matched"][0]["downstream"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not reached: {j}"))
    };
    let j = Test::new()
        .inventory(&inv)
        .args(["deps", "ops7-gw-01", "--depth", "2", "--format", "json"])
        .run()
        .json();
    let zeta = found(&j, "ops7-zeta-01");
    assert_eq!(
        (zeta["hops"].as_u64(), zeta["doubtful"].as_bool()),
        (Some(2), Some(false)),
        "{zeta}"
    );
    Test::new()
        .inventory(&inv)
        .args(["deps", "ops7-gw-01", "--depth", "2"])
        .run()
        .stdout_has("ops7-zeta-01   结算服务  2 hops\n");
    let j = Test::new()
        .args(["deps", "aie1p-apisix-*", "--depth", "2", "--format", "json"])
        .run()
        .json();
    let kafka = found(&j, "aie1p-kafka-server-01");
    assert_eq!(kafka["doubtful"], false, "{kafka}");
    assert_eq!(
        kafka["on_demand"], false,
        "a required route as short: {kafka}"
    );
}

#[test]
fn impact_one_node_asks_about_capacity_not_an_outage() {
    let whole = Test::new()
        .args(["impact", "aie1p-apisix-*", "--format", "json"])
        .run()
        .json();
    let one = Test::new()
        .args(["impact", "aie1p-apisix-*", "--one-node", "--format", "json"])
        .run()
        .json();
    assert_eq!(whole["customers_hit"], true);
    assert_eq!(one["customers_hit"], false);
    assert_eq!(one["one_node"], true);
    Test::new()
        .args(["impact", "aie1p-apisix-*", "--one-node"])
        .run()
        .stdout_has("one node of each selected pool is lost");
}

#[test]
fn impact_in_chinese_has_a_chinese_verdict() {
    let out = Test::new().args(["--lang", "zh", "impact", "spotdb"]).run();
    let first = out.stdout.lines().next().unwrap();
    assert!(first.contains("客户受影响：是"), "{first}");
    assert!(!out.stdout.contains("customers hit"), "{}", out.stdout);
}

#[test]
fn export_marks_doubtful_relations_with_why() {
    let j = Test::new().arg("export").json();
    let doubtful: Vec<&Value> = j["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["doubtful"] == true)
        .collect();
    assert!(doubtful
        .iter()
        .any(|e| e["from"] == NARWHAL && e["to"] == "aie1p-kafka-server-01"));
    assert!(doubtful.iter().all(|e| e["doubt"].is_string()));
    let plain = j["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["doubtful"] == false)
        .unwrap();
    assert!(plain.get("doubt").is_none(), "{plain}");
}

#[test]
fn lint_leads_with_doubtful_relations() {
    let j = Test::new().arg("lint").json();
    let kinds: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "copy_paste", "{kinds:?}");
    assert!(kinds.contains(&"direction_conflict"));
    assert!(kinds.contains(&"missing_column"));
    let one_sided = kinds.iter().filter(|k| **k == "one_sided").count();
    assert!(one_sided <= 8, "one-sided findings are grouped: {kinds:?}");
}

#[test]
fn an_alias_naming_no_instance_is_refused_naming_the_file_and_key() {
    let dir = temp_dir();
    let aliases = dir.path().join("aliases.toml");
    std::fs::write(
        &aliases,
        "[instances]\n\"Kafka\" = [\"aie1p-kafka-srever-01\"]\n",
    )
    .unwrap();
    let out = Test::new()
        .arg("--aliases")
        .arg(&aliases)
        .args(["impact", "kafka-server-01"])
        .code(2)
        .run();
    out.stderr_has("aliases.toml")
        .stderr_has("'kafka'")
        .stderr_has("aie1p-kafka-srever-01");
    // Spelt right, the same pin loads.
    std::fs::write(&aliases, "[instances]\n\"Kafka\" = [\"kafka-server-01\"]\n").unwrap();
    Test::new()
        .arg("--aliases")
        .arg(&aliases)
        .args(["impact", "kafka-server-01"])
        .run();
}

#[test]
fn check_config_fails_on_what_would_stop_the_bot_and_warns_about_the_token() {
    let dir = temp_dir();
    let config = dir.path().join("aiops.toml");
    std::fs::write(&config, "inventory = \"/no/such/inventory.xlsx\"\n").unwrap();
    Test::new()
        .arg("check-config")
        .arg("--config")
        .arg(&config)
        .code(2)
        .run()
        .stderr_has("/no/such/inventory.xlsx");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    std::fs::write(
        &config,
        format!("state_dir = \"{}\"\n", blocker.join("state").display()),
    )
    .unwrap();
    Test::new()
        .arg("check-config")
        .arg("--config")
        .arg(&config)
        .code(2)
        .run()
        .stderr_has("not a directory");
    std::fs::write(
        &config,
        format!("state_dir = \"{}\"\n", dir.path().join("state").display()),
    )
    .unwrap();
    Test::new()
        .arg("check-config")
        .arg("--config")
        .arg(&config)
        .run()
        .stdout_has("warning: DISCORD_TOKEN is not set");
}

#[test]
fn deps_marks_the_relations_the_sheet_contradicts() {
    let j = Test::new()
        .args(["deps", CES_ACCESS, "--depth", "1"])
        .json();
    let down = j["matched"][0]["downstream"].as_array().unwrap();
    let doubtful = |id: &str| {
        down.iter()
            .find(|n| n["id"] == id)
            .map(|n| n["doubtful"].clone())
            .unwrap_or_else(|| panic!("{id} not downstream: {j}"))
    };
    assert_eq!(doubtful("aie1p-morph-kafkanew-0425"), true);
    assert_eq!(doubtful("aie1p-kafka-server-01"), false);
    let out = Test::new().args(["deps", CES_ACCESS, "--depth", "1"]).run();
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("morph-kafkanew"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(line.contains("doubtful"), "{line}");
}
