//! Alert webhooks: the bodies Alertmanager, Grafana and PagerDuty send (fixtures in
//! `tests/fixtures/alerts/`, written from the senders' docs and source and a live Alertmanager
//! 0.25 capture, see `docs/alert-senders.md`), one group's state across its deliveries, and the
//! components an alert is about, on the seed and on another inventory.

use aiops_core::alert::{
    detect_source, find, parse, related, AlertError, Applied, Delivery, Group, LabelKeys, Source,
    Status,
};
use aiops_core::{load_bytes, seed, LoadOptions, Topology};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/fixtures/alerts/", $name)).as_slice()
    };
}

fn am(body: &[u8]) -> Delivery {
    parse(Source::Alertmanager, body).unwrap()
}

fn ids(topo: &Topology, v: &[usize]) -> Vec<String> {
    v.iter().map(|&i| topo.nodes()[i].id.clone()).collect()
}

fn shape_error(source: Source, body: &str) -> String {
    match parse(source, body.as_bytes()) {
        Err(e @ AlertError::NotThisShape { .. }) => e.to_string(),
        other => panic!("expected a shape error, got {other:?}"),
    }
}

#[test]
fn an_alertmanager_firing_group_reads_with_its_two_alerts() {
    let d = am(fixture!("am-firing.json"));
    assert_eq!(d.source, Source::Alertmanager);
    assert_eq!(d.group_key, "{}:{alertname=\"KafkaConsumerLag\"}");
    assert_eq!(d.status, Status::Firing);
    assert_eq!(d.title, "KafkaConsumerLag");
    assert_eq!(d.link.as_deref(), Some("http://127.0.0.1:19093"));
    assert_eq!(d.event_id, None);
    assert_eq!(d.alerts.len(), 2);
    let a = &d.alerts[0];
    assert_eq!(a.name, "KafkaConsumerLag");
    assert_eq!(a.severity.as_deref(), Some("critical"));
    assert_eq!(a.labels["instance"], "aie1p-kafka-server-01:9308");
    // Go's encoder escapes `>`; the text is the sender's.
    assert_eq!(
        a.annotations["summary"],
        "Consumer lag > 100k on kafka-server-01"
    );
    assert_eq!(
        a.starts_at.as_deref(),
        Some("2026-12-02T04:26:49.276813537Z")
    );
    assert_eq!(a.ends_at, None, "the zero time is no end");
    assert!(a.link.as_deref().unwrap().starts_with("http://prometheus"));
    assert_eq!(d.alerts[1].link, None, "an empty generatorURL is no link");
}

#[test]
fn a_missing_fingerprint_is_alertmanagers_own_hash_of_the_labels() {
    // The value Alertmanager 0.25 sent for these labels.
    let body = r#"{"status":"firing","groupKey":"{}:{}","alerts":[{"status":"firing",
        "labels":{"alertname":"Legacy","team":"legacy"}}]}"#;
    assert_eq!(
        am(body.as_bytes()).alerts[0].fingerprint,
        "b19cd6fa0b9a5807"
    );
}

#[test]
fn unknown_fields_and_newer_versions_fields_are_ignored() {
    let body = r#"{"version":"4","groupKey":"{}:{}","status":"resolved","receiver":"x",
        "notification_reason":"all alerts resolved","routeLabels":{},"somethingNew":[1,2],
        "alerts":[{"status":"resolved","labels":{"alertname":"A"},"annotations":{},
        "startsAt":"2026-12-02T04:26:49+02:00","endsAt":"2026-12-02T05:00:00Z","extra":{}}]}"#;
    let d = am(body.as_bytes());
    assert_eq!(d.status, Status::Resolved);
    assert_eq!(d.alerts[0].ends_at.as_deref(), Some("2026-12-02T05:00:00Z"));
}

#[test]
fn grafana_reads_its_title_message_and_offsets() {
    let d = parse(Source::Grafana, fixture!("grafana-firing.json")).unwrap();
    assert_eq!(d.source, Source::Grafana);
    assert_eq!(
        d.title,
        "[FIRING:1] HighCPU Infra (aie1p-jenkins:9100 critical)"
    );
    assert!(d.message.starts_with("**Firing**"), "{}", d.message);
    assert_eq!(d.alerts[0].fingerprint, "5d3b0c1f1e2a7a90");
    assert_eq!(
        d.alerts[0].starts_at.as_deref(),
        Some("2026-12-02T05:26:40+01:00")
    );
    let r = parse(Source::Grafana, fixture!("grafana-resolved.json")).unwrap();
    assert_eq!(r.status, Status::Resolved);
    let mut g = Group::new(&d, 1_796_186_000);
    assert_eq!(g.opened_at, 1_796_185_600, "05:26:40+01:00 is 04:26:40Z");
    assert_eq!(g.apply(&r, 1_796_187_000), Applied::Updated);
    assert!(g.is_resolved());
    assert_eq!(g.duration(), Some(800), "until its endsAt, 05:40:00+01:00");
}

#[test]
fn pagerduty_incident_events_read_as_one_alert_for_the_incident() {
    let t = parse(Source::PagerDuty, fixture!("pd-triggered.json")).unwrap();
    assert_eq!(t.group_key, "Q2T4Z8WXYV");
    assert_eq!(t.event_id.as_deref(), Some("01DEN12ZQJBJ3NQAUN14Y0WE4E"));
    assert_eq!(t.status, Status::Firing);
    assert_eq!(t.title, "Aurora spotdb CPU at 100%");
    assert_eq!(
        t.link.as_deref(),
        Some("https://acme.pagerduty.com/incidents/Q2T4Z8WXYV")
    );
    let a = &t.alerts[0];
    assert_eq!(a.severity.as_deref(), Some("P1"));
    assert_eq!(a.labels["service"], "spotdb");
    assert_eq!(a.starts_at.as_deref(), Some("2026-12-02T04:30:11Z"));
    let k = parse(Source::PagerDuty, fixture!("pd-acknowledged.json")).unwrap();
    assert_eq!(k.status, Status::Acknowledged);
    let r = parse(Source::PagerDuty, fixture!("pd-resolved.json")).unwrap();
    assert_eq!(r.status, Status::Resolved);
    assert_eq!(
        r.alerts[0].ends_at.as_deref(),
        Some("2026-12-02T05:01:02.120Z")
    );
}

#[test]
fn pagerduty_events_about_no_incident_are_ignored_not_refused() {
    let e = parse(Source::PagerDuty, fixture!("pd-ping.json")).unwrap_err();
    assert_eq!(
        e,
        AlertError::Ignored {
            event_type: "pagey.ping".into()
        }
    );
    let note = r#"{"event":{"id":"E1","event_type":"incident.annotated","resource_type":"incident",
        "occurred_at":"2026-12-02T04:30:11.781Z","data":{"type":"incident_note","content":"x",
        "incident":{"id":"Q1","type":"incident_reference"}}}}"#;
    assert!(matches!(
        parse(Source::PagerDuty, note.as_bytes()),
        Err(AlertError::Ignored { .. })
    ));
}

#[test]
fn the_source_is_told_by_the_shape() {
    assert_eq!(
        detect_source(fixture!("am-firing.json")),
        Some(Source::Alertmanager)
    );
    assert_eq!(
        detect_source(fixture!("grafana-firing.json")),
        Some(Source::Grafana)
    );
    assert_eq!(
        detect_source(fixture!("pd-resolved.json")),
        Some(Source::PagerDuty)
    );
    assert_eq!(detect_source(b"{\"hello\":1}"), None);
    assert_eq!(detect_source(b"not json"), None);
    assert_eq!("PagerDuty".parse::<Source>(), Ok(Source::PagerDuty));
    let bad = "opsgenie".parse::<Source>().unwrap_err().to_string();
    assert_eq!(
        bad,
        "unknown alert source 'opsgenie': expected alertmanager, grafana or pagerduty"
    );
}

#[test]
fn bad_shapes_are_refused_naming_the_field() {
    let am = Source::Alertmanager;
    assert!(matches!(
        parse(am, b"{\"alerts\": ["),
        Err(AlertError::Malformed { .. })
    ));
    assert_eq!(shape_error(am, "[1,2]"), "body: expected a JSON object");
    assert_eq!(
        shape_error(am, r#"{"status":"firing","alerts":[]}"#),
        "groupKey: expected a string"
    );
    assert_eq!(
        shape_error(am, r#"{"groupKey":"k","status":"burning","alerts":[]}"#),
        "status: expected \"firing\" or \"resolved\""
    );
    assert_eq!(
        shape_error(am, r#"{"groupKey":"k","status":"firing","alerts":[]}"#),
        "alerts: expected at least one alert"
    );
    let labels = r#"{"groupKey":"k","status":"firing","alerts":[
        {"status":"firing","labels":{"a":"b"}},{"status":"firing","labels":{"n":3}}]}"#;
    assert_eq!(
        shape_error(am, labels),
        "alerts[1].labels: expected an object of strings"
    );
    let time = r#"{"groupKey":"k","status":"firing","alerts":[
        {"status":"firing","labels":{"a":"b"},"startsAt":"yesterday"}]}"#;
    assert_eq!(
        shape_error(am, time),
        "alerts[0].startsAt: expected an RFC 3339 time"
    );
    // Grafana's legacy body (before unified alerting) is not the webhook's shape.
    let legacy = r#"{"title":"[Alerting] x","ruleId":1,"ruleName":"x","state":"alerting",
        "evalMatches":[],"message":"m"}"#;
    assert_eq!(
        shape_error(Source::Grafana, legacy),
        "groupKey: expected a string"
    );
    assert_eq!(
        shape_error(Source::PagerDuty, r#"{"messages":[]}"#),
        "event: expected an object"
    );
    let no_id =
        r#"{"event":{"id":"E","event_type":"incident.triggered","data":{"type":"incident"}}}"#;
    assert_eq!(
        shape_error(Source::PagerDuty, no_id),
        "event.data.id: expected a string"
    );
    // An Alertmanager body sent to the PagerDuty route.
    let e = parse(Source::PagerDuty, fixture!("am-firing.json")).unwrap_err();
    assert_eq!(e.to_string(), "event: expected an object");
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn a_group_follows_firing_partial_resolve_repeat_duplicate_and_full_resolve() {
    let firing = am(fixture!("am-firing.json"));
    let mut g = Group::new(&firing, 1_796_186_000);
    assert_eq!(g.status, Status::Firing);
    assert_eq!(g.firing().count(), 2);
    assert_eq!(g.opened_at, 1_796_185_609, "the earliest startsAt");
    assert_eq!(
        g.apply(&firing, 1_796_186_060),
        Applied::Unchanged,
        "a repeat"
    );
    let peer = am(fixture!("am-firing-peer.json"));
    assert_eq!(
        g.apply(&peer, 1_796_186_061),
        Applied::Unchanged,
        "an HA peer's copy"
    );

    let partial = am(fixture!("am-partial.json"));
    assert_eq!(g.apply(&partial, 1_796_186_500), Applied::Updated);
    assert_eq!(g.status, Status::Firing);
    let open: Vec<&str> = g
        .firing()
        .map(|a| a.alert.labels["instance"].as_str())
        .collect();
    assert_eq!(open, ["aie1p-morph-kafkanew-0425:9308"]);
    assert_eq!(g.alerts[0].resolved_at, Some(1_796_186_464), "its endsAt");
    assert_eq!(g.apply(&partial, 1_796_186_502), Applied::Unchanged);

    let resolved = am(fixture!("am-resolved.json"));
    assert_eq!(g.apply(&resolved, 1_796_188_400), Applied::Updated);
    assert!(g.is_resolved());
    assert_eq!(
        g.alerts.len(),
        2,
        "the resolved alert is kept, struck through"
    );
    assert_eq!(g.resolved_at, Some(1_796_188_339));
    assert_eq!(g.duration(), Some(1_796_188_339 - 1_796_185_609));
    assert_eq!(g.apply(&resolved, 1_796_188_401), Applied::Unchanged);

    // Firing again after it resolved: a new incident.
    assert_eq!(g.apply(&firing, 1_796_190_000), Applied::Reopened);
    assert_eq!(g.status, Status::Firing);
    assert_eq!(g.resolved_at, None);
    assert_eq!(g.firing().count(), 2);
}

#[test]
fn an_alert_left_out_of_an_untruncated_message_has_resolved() {
    // With `send_resolved: false` Alertmanager never sends the resolve: a later message of the
    // group simply lacks the alert.
    let firing = am(fixture!("am-firing.json"));
    let mut g = Group::new(&firing, 100);
    let mut only_b = firing.clone();
    only_b.alerts.remove(0);
    assert_eq!(g.apply(&only_b, 200), Applied::Updated);
    assert_eq!(g.firing().count(), 1);
    assert_eq!(g.alerts[0].resolved_at, Some(200));
    // A truncated message says nothing about the alerts it leaves out.
    let mut g = Group::new(&firing, 100);
    only_b.truncated = 1;
    assert_eq!(g.apply(&only_b, 200), Applied::Unchanged);
    assert_eq!(g.firing().count(), 2);
}

#[test]
fn a_pagerduty_incident_is_acknowledged_resolved_and_deduplicated_by_event_id() {
    let t = parse(Source::PagerDuty, fixture!("pd-triggered.json")).unwrap();
    let k = parse(Source::PagerDuty, fixture!("pd-acknowledged.json")).unwrap();
    let r = parse(Source::PagerDuty, fixture!("pd-resolved.json")).unwrap();
    let mut g = Group::new(&t, 1_796_185_900);
    assert!(!g.acknowledged);
    assert_eq!(g.apply(&t, 1_796_185_901), Applied::Unchanged, "a retry");
    assert_eq!(g.apply(&k, 1_796_186_200), Applied::Updated);
    assert!(g.acknowledged);
    assert!(!g.is_resolved());
    assert_eq!(g.apply(&k, 1_796_186_201), Applied::Unchanged);
    assert_eq!(g.apply(&r, 1_796_188_000), Applied::Updated);
    assert!(g.is_resolved());
    assert!(!g.acknowledged);
    assert_eq!(g.duration(), Some(1_796_187_662 - 1_796_185_811));
    // The triggered event again (a late retry) is still a duplicate, not a reopening.
    assert_eq!(g.apply(&t, 1_796_188_001), Applied::Unchanged);
    let mut reopened = t.clone();
    reopened.event_id = Some("01DEN19REOPENED0000000000".into());
    assert_eq!(g.apply(&reopened, 1_796_189_000), Applied::Reopened);
}

#[test]
fn a_group_survives_its_json_round_trip() {
    let mut g = Group::new(&am(fixture!("am-firing.json")), 1);
    g.apply(&am(fixture!("am-partial.json")), 2);
    let text = serde_json::to_string(&g).unwrap();
    let back: Group = serde_json::from_str(&text).unwrap();
    assert_eq!(back, g);
}

#[test]
fn labels_find_seed_components_by_host_with_the_port_stripped() {
    let topo = seed(&LoadOptions::default()).unwrap();
    let g = Group::new(&am(fixture!("am-firing.json")), 1);
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(
        ids(&topo, &f.components),
        ["aie1p-kafka-server-01", "aie1p-morph-kafkanew-0425"]
    );
    assert!(f.unmatched.is_empty(), "{:?}", f.unmatched);
}

#[test]
fn node_group_names_are_matched_as_the_sheet_writes_them() {
    let topo = seed(&LoadOptions::default()).unwrap();
    let pool = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
    for value in [
        pool,
        "AIE1P-CES-C52XLARGE-8C16G-V132-A-NODE",
        "aie1p-ces-c52xlarge-8c16g-v132-a",
        "ces-c52xlarge-8c16g-v132-a",
    ] {
        let body = format!(
            r#"{{"groupKey":"k","status":"firing","alerts":[{{"status":"firing",
            "labels":{{"alertname":"X","ec2_name":"{value}"}}}}]}}"#
        );
        let g = Group::new(&am(body.as_bytes()), 1);
        let f = find(&topo, &g, &LabelKeys::default());
        assert_eq!(ids(&topo, &f.components), [pool], "{value}");
    }
}

#[test]
fn labels_that_name_nothing_fall_back_to_the_text_then_are_said_once() {
    let topo = seed(&LoadOptions::default()).unwrap();
    let body = r#"{"groupKey":"k","status":"firing","alerts":[{"status":"firing",
        "labels":{"alertname":"DiskFull","instance":"10.0.3.9:9100"},
        "annotations":{"summary":"jenkins workspace disk at 95%"}}]}"#;
    let g = Group::new(&am(body.as_bytes()), 1);
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(ids(&topo, &f.components), ["aie1p-jenkins"]);
    assert!(f.unmatched.is_empty());

    let mut g = Group::new(&am(fixture!("am-unmatched.json")), 1);
    let d = am(fixture!("am-unmatched.json"));
    g.apply(&d, 2);
    let f = find(&topo, &g, &LabelKeys::default());
    assert!(f.components.is_empty());
    assert_eq!(f.unmatched, ["instance=10.0.3.7:9100", "job=node"]);
}

#[test]
fn label_keys_are_read_in_order_and_configurable() {
    let topo = seed(&LoadOptions::default()).unwrap();
    let body = r#"{"groupKey":"k","status":"firing","alerts":[{"status":"firing",
        "labels":{"alertname":"X","instance":"aie1p-jenkins:9100","service":"aie1p-gitlab"}}]}"#;
    let g = Group::new(&am(body.as_bytes()), 1);
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(ids(&topo, &f.components), ["aie1p-jenkins"]);
    let keys = LabelKeys(vec!["service".into()]);
    assert_eq!(
        ids(&topo, &find(&topo, &g, &keys).components),
        ["aie1p-gitlab"]
    );
}

#[test]
fn pagerduty_finds_the_managed_resource_by_its_service() {
    let topo = seed(&LoadOptions::default()).unwrap();
    let g = Group::new(
        &parse(Source::PagerDuty, fixture!("pd-triggered.json")).unwrap(),
        1,
    );
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(ids(&topo, &f.components), ["Aurora spotdb"]);
}

#[test]
fn components_are_found_on_an_inventory_that_is_not_the_seed() {
    let csv = include_str!("../../tests/fixtures/alerts/other-inventory.csv");
    let topo = load_bytes("other.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let g = Group::new(&am(fixture!("am-other.json")), 1);
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(ids(&topo, &f.components), ["qx7-billing-01"], "{f:?}");
    // A short name without the common prefix, and the text finder's role words.
    let body = r#"{"groupKey":"k","status":"firing","alerts":[
        {"status":"firing","labels":{"alertname":"X","host":"ledger-01"}},
        {"status":"firing","labels":{"alertname":"Y","job":"edge"},
         "annotations":{"description":"入口网关 5xx 升高"}}]}"#;
    let g = Group::new(&am(body.as_bytes()), 1);
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(
        ids(&topo, &f.components),
        ["qx7-ledger-01", "qx7-gateway-01"]
    );
}

#[test]
fn groups_sharing_a_blast_radius_are_related() {
    let csv = include_str!("../../tests/fixtures/alerts/other-inventory.csv");
    let topo = load_bytes("other.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let at = |id: &str| vec![topo.index(id).unwrap()];
    assert!(related(&topo, &at("qx7-billing-01"), &at("qx7-gateway-01")));
    assert!(related(&topo, &at("qx7-ledger-01"), &at("qx7-billing-01")));
    assert!(!related(&topo, &at("qx7-ledger-01"), &[]));
    let seed = seed(&LoadOptions::default()).unwrap();
    let s = |id: &str| vec![seed.index(id).unwrap()];
    assert!(!related(
        &seed,
        &s("aie1p-jenkins"),
        &s("aie1p-elasticsearch-01")
    ));
}

#[test]
fn a_big_group_on_a_generated_inventory_finds_every_instance_once() {
    let csv = aiops_core::synth::csv(2_000);
    let topo = load_bytes("big.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let instances: Vec<&str> = topo
        .nodes()
        .iter()
        .filter(|n| n.is_instance())
        .map(|n| n.id.as_str())
        .collect();
    let alerts: Vec<String> = instances
        .iter()
        .flat_map(|id| {
            // Every instance twice, as two exporters of the same host would fire.
            [9100, 9308].map(|port| {
                format!(
                    r#"{{"status":"firing","labels":{{"alertname":"Down","instance":"{id}:{port}","job":"node"}},
                    "annotations":{{"summary":"target down"}}}}"#
                )
            })
        })
        .collect();
    let body = format!(
        r#"{{"groupKey":"{{}}:{{alertname=\"Down\"}}","status":"firing","alerts":[{}]}}"#,
        alerts.join(",")
    );
    let g = Group::new(&am(body.as_bytes()), 1);
    assert_eq!(g.alerts.len(), 2 * instances.len());
    let f = find(&topo, &g, &LabelKeys::default());
    assert_eq!(ids(&topo, &f.components), instances);
    assert!(f.unmatched.is_empty());
}
