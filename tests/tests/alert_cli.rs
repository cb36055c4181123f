//! `aiops alert FILE…` through the real binary: the answer the bot would post for Alertmanager,
//! Grafana and PagerDuty bodies (`tests/fixtures/alerts/`, the senders' real shapes), on the
//! seed and on another inventory, as text, JSON and Mermaid; later deliveries applied in order;
//! bad bodies refused with exit 2 naming the file; hostile label values kept short.

use aiops_tests::{fixture, Test};

fn alerts(name: &str) -> std::path::PathBuf {
    fixture(&format!("alerts/{name}"))
}

#[test]
fn a_firing_alertmanager_group_names_its_components_and_what_breaks() {
    let out = Test::new().arg("alert").arg(alerts("am-firing.json")).run();
    let first = out.stdout.lines().next().unwrap();
    assert_eq!(first, "firing: KafkaConsumerLag · critical");
    out.stdout_has("since 2026-12-02T04:26:49Z · 2 of 2 alerts firing")
        .stdout_has("link: http://prometheus.example:9090/graph")
        .stdout_has("aie1p-kafka-server-01      Kafka 消息队列")
        .stdout_has("aie1p-morph-kafkanew-0425")
        .stdout_has("customers hit: YES")
        .stdout_has("broken");
    assert!(!out.stdout.contains("~~"), "nothing resolved yet");
    assert!(!out.stdout.contains("no inventory component matched"));
}

#[test]
fn later_deliveries_strike_resolved_alerts_and_the_full_resolve_says_how_long() {
    let partial = Test::new()
        .arg("alert")
        .arg(alerts("am-firing.json"))
        .arg(alerts("am-partial.json"))
        .run();
    partial.stdout_has("1 of 2 alerts firing").stdout_has(
        "~~KafkaConsumerLag · critical · resolved · instance=aie1p-kafka-server-01:9308",
    );
    // The blast radius is of what still fires: kafka-server-01 is up again.
    partial.stdout_has("no alert fires on aie1p-kafka-server-01 any more");
    let j = Test::new()
        .arg("alert")
        .args([alerts("am-firing.json"), alerts("am-partial.json")])
        .json();
    let firing: Vec<(&str, bool)> = j["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["firing"] == true))
        .collect();
    assert_eq!(
        firing,
        [
            ("aie1p-kafka-server-01", false),
            ("aie1p-morph-kafkanew-0425", true)
        ]
    );
    assert!(
        j["impact"]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t != "aie1p-kafka-server-01"),
        "{}",
        j["impact"]
    );
    let done = Test::new()
        .arg("alert")
        .args([
            alerts("am-firing.json"),
            alerts("am-firing-peer.json"),
            alerts("am-partial.json"),
            alerts("am-resolved.json"),
        ])
        .run();
    assert!(
        done.stdout.starts_with("resolved: KafkaConsumerLag"),
        "{}",
        done.stdout
    );
    done.stdout_has("resolved at 2026-12-02T05:12:19Z, after 45m 30s")
        .stdout_has("0 of 2 alerts firing");
    assert_eq!(done.stdout.matches("~~KafkaConsumerLag · ").count(), 2);
    // Resolved: no current blast radius and no verdict that customers are hit.
    done.stdout_has("every alert of this group has resolved");
    assert!(!done.stdout.contains("customers hit"), "{}", done.stdout);
}

#[test]
fn the_json_form_has_the_group_its_alerts_components_and_impact() {
    let j = Test::new()
        .arg("alert")
        .args([alerts("am-firing.json"), alerts("am-partial.json")])
        .json();
    assert_eq!(j["source"], "alertmanager");
    assert_eq!(j["group_key"], "{}:{alertname=\"KafkaConsumerLag\"}");
    assert_eq!(j["status"], "firing");
    assert_eq!(j["severity"], "critical");
    assert_eq!(j["opened_at"], "2026-12-02T04:26:49Z");
    assert_eq!(j["resolved_at"], serde_json::Value::Null);
    assert_eq!(j["firing_now"], 1);
    let statuses: Vec<&str> = j["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["resolved", "firing"]);
    assert_eq!(j["alerts"][0]["resolved_at"], "2026-12-02T04:41:04Z");
    assert_eq!(
        j["alerts"][0]["labels"]["instance"],
        "aie1p-kafka-server-01:9308"
    );
    let ids: Vec<&str> = j["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["aie1p-kafka-server-01", "aie1p-morph-kafkanew-0425"]);
    assert_eq!(j["components"][0]["role"], "Kafka 消息队列");
    assert_eq!(j["impact"]["customers_hit"], true);
    assert_eq!(j["unmatched"], serde_json::json!([]));
}

#[test]
fn the_mermaid_form_draws_the_components_as_suspects() {
    let out = Test::new()
        .arg("alert")
        .arg(alerts("am-firing.json"))
        .args(["--format", "mermaid"])
        .run();
    let m = &out.stdout;
    let line = m
        .lines()
        .find(|l| l.contains("[\"aie1p-kafka-server-01<br>"))
        .unwrap_or_else(|| panic!("{m}"));
    let id = line.trim().split('[').next().unwrap();
    let sel = m
        .lines()
        .find(|l| l.trim().starts_with("class ") && l.ends_with(" sel;"))
        .unwrap_or_else(|| panic!("no suspects class: {m}"));
    let ids = sel.trim()["class ".len()..].trim_end_matches(" sel;");
    assert!(ids.split(',').any(|i| i == id), "{sel}: {m}");
    assert!(m.contains(" brk;"), "{m}");
}

#[test]
fn grafana_and_pagerduty_bodies_are_told_by_their_shape() {
    let g = Test::new()
        .arg("alert")
        .arg(alerts("grafana-firing.json"))
        .run();
    g.stdout_has("firing: [FIRING:1] HighCPU Infra (aie1p-jenkins:9100 critical) · critical")
        .stdout_has("since 2026-12-02T04:26:40Z")
        .stdout_has("aie1p-jenkins");
    let pd = Test::new()
        .arg("alert")
        .args([alerts("pd-triggered.json"), alerts("pd-acknowledged.json")])
        .run();
    pd.stdout_has("acknowledged: Aurora spotdb CPU at 100% · P1")
        .stdout_has("link: https://acme.pagerduty.com/incidents/Q2T4Z8WXYV")
        .stdout_has("Aurora spotdb  external · database");
    let resolved = Test::new()
        .arg("alert")
        .args([
            alerts("pd-triggered.json"),
            alerts("pd-acknowledged.json"),
            alerts("pd-resolved.json"),
        ])
        .json();
    assert_eq!(resolved["source"], "pagerduty");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["duration_s"], 1851);
}

#[test]
fn a_pagerduty_event_about_no_incident_posts_nothing() {
    let out = Test::new().arg("alert").arg(alerts("pd-ping.json")).run();
    assert_eq!(out.stdout, "");
    assert!(out
        .stderr_line()
        .ends_with("pd-ping.json: nothing to post: pagey.ping is not an incident status event"));
}

#[test]
fn labels_that_name_nothing_are_said_plainly() {
    let out = Test::new()
        .arg("alert")
        .arg(alerts("am-unmatched.json"))
        .run();
    out.stdout_has("no inventory component matched labels instance=10.0.3.7:9100, job=node");
    assert!(!out.stdout.contains("Blast radius"), "{}", out.stdout);
    let j = Test::new()
        .arg("alert")
        .arg(alerts("am-unmatched.json"))
        .json();
    assert_eq!(
        j["unmatched"],
        serde_json::json!(["instance=10.0.3.7:9100", "job=node"])
    );
    assert_eq!(j["components"], serde_json::json!([]));
}

#[test]
fn an_inventory_that_is_not_the_seed_is_searched_the_same_way() {
    let out = Test::new()
        .inventory(alerts("other-inventory.csv"))
        .arg("alert")
        .arg(alerts("am-other.json"))
        .run();
    out.stdout_has("qx7-billing-01  计费服务  bob")
        .stdout_has("since 2026-12-02T04:00:00Z")
        .stdout_has("qx7-gateway-01");
    let j = Test::new()
        .inventory(alerts("other-inventory.csv"))
        .args(["alert", "--source", "alertmanager"])
        .arg(alerts("am-other.json"))
        .json();
    assert_eq!(j["components"][0]["id"], "qx7-billing-01");
    // The same alert names nothing in the seed.
    let seed = Test::new().arg("alert").arg(alerts("am-other.json")).run();
    seed.stdout_has("no inventory component matched labels instance=qx7-billing-01.prod.internal:8080, job=billing");
}

#[test]
fn label_keys_can_be_chosen() {
    let out = Test::new()
        .inventory(alerts("other-inventory.csv"))
        .args(["alert", "--label-key", "job"])
        .arg(alerts("am-other.json"))
        .run();
    // `job=billing` names nothing, so the summary's text is searched, and finds nothing either.
    out.stdout_has("no inventory component matched labels job=billing");
}

#[test]
fn bad_bodies_are_refused_naming_the_file_and_the_field() {
    let dir = aiops_tests::temp_dir();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let broken = write("broken.json", "{\"alerts\": [");
    let out = Test::new().arg("alert").arg(&broken).code(2).run();
    let line = out.stderr_line();
    assert!(line.starts_with("aiops: "), "{line}");
    assert!(line.contains("broken.json: malformed JSON: EOF"), "{line}");

    let other = write("other.json", "{\"hello\": \"world\"}");
    let out = Test::new().arg("alert").arg(&other).code(2).run();
    assert!(out
        .stderr_line()
        .contains("other.json: not the body of an Alertmanager, Grafana or PagerDuty webhook"));

    let out = Test::new()
        .args(["alert", "--source", "pagerduty"])
        .arg(alerts("am-firing.json"))
        .code(2)
        .run();
    assert!(out
        .stderr_line()
        .ends_with("am-firing.json: not what PagerDuty sends: event: expected an object"));

    let labels = write(
        "labels.json",
        r#"{"version":"4","groupKey":"k","status":"firing","alerts":[{"status":"firing","labels":["a"]}]}"#,
    );
    let out = Test::new().arg("alert").arg(&labels).code(2).run();
    assert!(out.stderr_line().ends_with(
        "labels.json: not what Alertmanager sends: alerts[0].labels: expected an object of strings"
    ));

    let out = Test::new()
        .arg("alert")
        .arg(dir.path().join("absent.json"))
        .code(2)
        .run();
    out.stderr_has("absent.json");

    let out = Test::new()
        .arg("alert")
        .args([alerts("am-firing.json"), alerts("pd-triggered.json")])
        .code(2)
        .run();
    out.stderr_has("pd-triggered.json: group Q2T4Z8WXYV is not the group of the files before it");
}

#[test]
fn hostile_label_values_do_not_take_over_the_reply() {
    let out = Test::new()
        .arg("alert")
        .arg(alerts("am-hostile.json"))
        .run();
    assert!(out.stdout.len() < 3_000, "{} bytes", out.stdout.len());
    assert!(
        out.stdout.lines().all(|l| l.chars().count() < 400),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("AAAA…"), "cut values say so");
    // Emphasis in the summary is not a glob over the inventory.
    out.stdout_has("no inventory component matched labels instance=@everyone");
    let j = Test::new()
        .arg("alert")
        .arg(alerts("am-hostile.json"))
        .json();
    let text = j.to_string();
    assert!(text.len() < 5_000, "{} bytes of JSON", text.len());
}

#[test]
fn the_answer_is_in_chinese_with_lang_zh() {
    let out = Test::new()
        .args(["--lang", "zh", "alert"])
        .args([
            alerts("am-firing.json"),
            alerts("am-partial.json"),
            alerts("am-resolved.json"),
        ])
        .run();
    out.stdout_has("已恢复: KafkaConsumerLag · critical")
        .stdout_has("已于 2026-12-02T05:12:19Z 恢复，持续 45分30秒")
        .stdout_has("相关组件")
        .stdout_has("该组告警已全部恢复");
    assert!(!out.stdout.contains("resolved at"), "{}", out.stdout);
    let firing = Test::new()
        .args(["--lang", "zh", "alert"])
        .arg(alerts("am-firing.json"))
        .run();
    firing.stdout_has("影响范围");
}

#[test]
fn what_runs_in_ec2_is_said_for_each_component() {
    let dir = aiops_tests::temp_dir();
    let page = dir.path().join("ec2.json");
    let body = serde_json::json!({"Reservations": [{"Instances": [
        {"InstanceId": "i-0aa1", "InstanceType": "m5.large",
         "State": {"Code": 16, "Name": "running"},
         "Placement": {"AvailabilityZone": "ap-northeast-1c"},
         "Tags": [{"Key": "Name", "Value": "aie1p-kafka-server-01"}]}]}]});
    std::fs::write(&page, serde_json::to_vec(&body).unwrap()).unwrap();
    let out = Test::new()
        .arg("--ec2")
        .arg(&page)
        .arg("alert")
        .arg(alerts("am-firing.json"))
        .run();
    let row = |id: &str| {
        out.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id}: {}", out.stdout))
            .to_string()
    };
    assert!(
        row("aie1p-kafka-server-01").contains("ap-northeast-1c"),
        "{}",
        out.stdout
    );
    assert!(
        row("aie1p-morph-kafkanew-0425").ends_with("running 0 of 1"),
        "{}",
        out.stdout
    );
    let j = Test::new()
        .arg("--ec2")
        .arg(&page)
        .arg("alert")
        .arg(alerts("am-firing.json"))
        .json();
    assert!(j["components"][0]["ec2"]
        .as_str()
        .unwrap()
        .contains("ap-northeast-1c"));
}
