//! The sheet against EC2: fixtures written from the documented describe-instances shape,
//! consistent with the seed, with drift of every kind planted, plus pagination, missing tags,
//! padded names, an instance with no Name tag and hostile tag values; and an inventory that is
//! not the seed.

use aiops_core::reconcile::{self, parse, size_in_name, TagKeys};
use aiops_core::{load_bytes, seed, LoadOptions, Topology};
use serde_json::{json, Value};

const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const CES_CORE: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const NARWHAL_ACCESS: &str = "aie1p-morph-narwhal-access-c5large-2c4g-v132-a-Node";

fn instance(id: &str, name: Option<&str>, ty: &str, state: (u32, &str), az: &str) -> Value {
    let mut tags = vec![json!({"Key": "team", "Value": "ops"})];
    if let Some(n) = name {
        tags.push(json!({"Key": "Name", "Value": n}));
    }
    json!({
        "AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890", "InstanceId": id,
        "InstanceType": ty, "LaunchTime": "2026-11-01T08:00:00+00:00",
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateIpAddress": "10.0.1.10", "State": {"Code": state.0, "Name": state.1},
        "Tags": tags, "Monitoring": {"State": "disabled"}
    })
}

fn page(instances: Vec<Value>, next: bool) -> Vec<u8> {
    let mut v = json!({"Reservations": [{"Groups": [], "Instances": instances,
        "OwnerId": "123456789012", "ReservationId": "r-0123456789abcdef0"}]});
    if next {
        v["NextToken"] = json!("eyJ2IjoxfQ==");
    }
    serde_json::to_vec_pretty(&v).unwrap()
}

const RUNNING: (u32, &str) = (16, "running");
const ZONES: [&str; 3] = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];

/// What the seed says runs, as EC2 would describe it, with drift planted.
fn drifted(t: &Topology) -> Vec<aiops_core::reconcile::Instance> {
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut k = 0;
    for n in t.nodes().iter().filter(|n| n.is_instance()) {
        let ty = size_in_name(&n.id).unwrap_or_else(|| "m5.large".into());
        let (count, ty) = match n.id.as_str() {
            "aie1p-elasticsearch-01" => continue,
            APISIX => (5, ty),
            CES_CORE => (1, "c5.xlarge".to_string()),
            _ => (n.count as usize, ty),
        };
        for r in 0..count {
            k += 1;
            let id = format!("i-{k:017x}");
            let az = if n.id == NARWHAL_ACCESS || n.id.contains("maker-0") {
                ZONES[0]
            } else {
                ZONES[r % 3]
            };
            let name = if n.id == "aie1p-jenkins" {
                "  AIE1P-Jenkins ".to_string()
            } else {
                n.id.clone()
            };
            let state = if n.id == "aie1p-superset-server-1" {
                (80, "stopped")
            } else {
                RUNNING
            };
            let inst = instance(&id, Some(&name), &ty, state, az);
            if k % 2 == 0 {
                first.push(inst);
            } else {
                second.push(inst);
            }
        }
    }
    for r in 0..40 {
        first.push(instance(
            &format!("i-new{r:013x}"),
            Some("aie1p-newsvc-c5large-2c4g-v133-a-Node"),
            "c5.large",
            RUNNING,
            ZONES[r % 3],
        ));
    }
    second.push(instance(
        "i-noname0000000001",
        None,
        "t3.micro",
        RUNNING,
        ZONES[1],
    ));
    second.push(instance(
        "i-hostile000000001",
        Some(&format!("@everyone **bold** {}", "x".repeat(10_000))),
        "t3.micro",
        RUNNING,
        ZONES[1],
    ));
    second.push(instance(
        "i-gone00000000001",
        Some("aie1p-retired-01"),
        "t3.micro",
        (48, "terminated"),
        ZONES[1],
    ));
    let mut all = parse("page1.json", &page(first, true)).unwrap();
    all.extend(parse("page2.json", &page(second, false)).unwrap());
    all
}

#[test]
fn every_kind_of_drift_is_reported_on_the_seed() {
    let t = seed(&LoadOptions::default()).unwrap();
    let r = reconcile::reconcile(&t, &drifted(&t), &TagKeys::default());
    let missing: Vec<(&str, &str)> = r
        .missing
        .iter()
        .map(|m| (m.id.as_str(), m.state.as_str()))
        .collect();
    assert_eq!(
        missing,
        [
            ("aie1p-elasticsearch-01", "not found"),
            ("aie1p-superset-server-1", "stopped")
        ]
    );
    // 40 nodes of one group are one line; the instance with no Name tag is its own.
    assert_eq!(r.unlisted[0].group, "aie1p-newsvc-c5large-2c4g-v133-a-Node");
    assert_eq!(r.unlisted[0].count, 40);
    assert!(r
        .unlisted
        .iter()
        .any(|u| u.group == "(no Name tag)" && u.count == 1));
    let hostile = r
        .unlisted
        .iter()
        .find(|u| u.group.starts_with("@everyone"))
        .unwrap();
    assert!(hostile.group.chars().count() <= 101, "tags are clipped");
    assert!(
        !r.unlisted.iter().any(|u| u.group.contains("retired")),
        "terminated is ignored"
    );
    let apisix = r.pool_size.iter().find(|p| p.id == APISIX).unwrap();
    assert_eq!((apisix.sheet, apisix.running), (2, 5));
    assert!(r
        .single_az
        .iter()
        .any(|s| s.id == NARWHAL_ACCESS && s.count == 3));
    assert!(r
        .single_az
        .iter()
        .any(|s| s.id.contains("aie1p-maker-02-copy") && s.az == ZONES[0]));
    let ces = r.type_mismatch.iter().find(|m| m.id == CES_CORE).unwrap();
    assert_eq!(
        (ces.name_says.as_str(), ces.actual.as_str()),
        ("c5.2xlarge", "c5.xlarge")
    );
    // The padded, differently-cased Name still matches.
    assert!(!r.missing.iter().any(|m| m.id == "aie1p-jenkins"));
    assert_eq!(r.matched, t.instance_count() - 2);
    let narwhal = &r.by_node[NARWHAL_ACCESS];
    assert_eq!(
        (
            narwhal.running,
            narwhal.zones.keys().map(String::as_str).collect::<Vec<_>>()
        ),
        (3, vec![ZONES[0]])
    );
    assert_eq!(r.one_zone(NARWHAL_ACCESS), Some("ap-northeast-1a"));
    let j = serde_json::to_value(&r).unwrap();
    for k in [
        "missing",
        "unlisted",
        "pool_size",
        "single_az",
        "type_mismatch",
        "matched",
    ] {
        assert!(j.get(k).is_some(), "{k}");
    }
}

#[test]
fn node_group_nodes_count_towards_the_pool_row_by_their_tags() {
    let t = seed(&LoadOptions::default()).unwrap();
    let mut nodes = Vec::new();
    for (r, zone) in ZONES.iter().enumerate() {
        let mut i = instance(&format!("i-ng{r:014x}"), None, "c5.large", RUNNING, zone);
        i["Tags"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Key": "eks:nodegroup-name", "Value": "apisix-c5large-2c4g-v132-a"}));
        nodes.push(i);
    }
    let all = parse("ng.json", &page(nodes, false)).unwrap();
    let r = reconcile::reconcile(&t, &all, &TagKeys::default());
    let p = r.pool_size.iter().find(|p| p.id == APISIX).unwrap();
    assert_eq!(p.running, 3);
    assert!(r.unlisted.is_empty(), "{:?}", r.unlisted);
}

#[test]
fn a_file_that_is_not_describe_instances_output_is_refused_naming_it() {
    for (bytes, says) in [
        (&b"{\"Instances\": []}"[..], "Reservations"),
        (&b"not json"[..], "not JSON"),
        (
            &b"{\"Reservations\": [{\"Instances\": [{\"State\": {}}]}]}"[..],
            "InstanceId",
        ),
    ] {
        let e = parse("ec2.json", bytes).unwrap_err().to_string();
        assert!(
            e.starts_with("ec2.json: not the output of `aws ec2 describe-instances`"),
            "{e}"
        );
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn sizes_are_read_from_names_where_they_are_written() {
    assert_eq!(size_in_name(APISIX).as_deref(), Some("c5.large"));
    assert_eq!(size_in_name(CES_CORE).as_deref(), Some("c5.2xlarge"));
    assert_eq!(
        size_in_name("aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node").as_deref(),
        Some("r5.2xlarge")
    );
    assert_eq!(
        size_in_name("aie1p-spotws-c5xlarge-4c8g-v132-a-Node").as_deref(),
        Some("c5.xlarge")
    );
    assert_eq!(
        size_in_name("qx7-m6ilarge-01").as_deref(),
        Some("m6i.large")
    );
    assert_eq!(size_in_name("aie1p-kafka-server-01"), None);
}

#[test]
fn on_another_inventory_copies_in_one_zone_and_unknown_names_are_reported() {
    let md = "| Name | Role | Upstream | Downstream |\n|---|---|---|---|\n\
        | qx7-pay-01 | payment | qx7-gw | Aurora paydb |\n\
        | qx7-pay-01-copy | payment | qx7-gw | Aurora paydb |\n\
        | qx7-gw | gateway | ALB edge | qx7-pay-01 |\n";
    let t: Topology = load_bytes("other.md", md.as_bytes(), &LoadOptions::default()).unwrap();
    let all = parse(
        "other.json",
        &page(
            vec![
                instance("i-1", Some("qx7-pay-01"), "m5.large", RUNNING, "eu-west-1b"),
                instance(
                    "i-2",
                    Some("QX7-PAY-01-COPY"),
                    "m5.large",
                    RUNNING,
                    "eu-west-1b",
                ),
                instance(
                    "i-3",
                    Some("qx7-gw"),
                    "m5.large",
                    (80, "stopped"),
                    "eu-west-1a",
                ),
                instance(
                    "i-4",
                    Some("qx7-batch-07"),
                    "m5.large",
                    RUNNING,
                    "eu-west-1a",
                ),
            ],
            false,
        ),
    )
    .unwrap();
    let r = reconcile::reconcile(&t, &all, &TagKeys::default());
    assert_eq!(r.single_az.len(), 1, "{:?}", r.single_az);
    assert_eq!(r.single_az[0].id, "qx7-pay-01, qx7-pay-01-copy");
    assert_eq!(r.missing[0].id, "qx7-gw");
    assert_eq!(r.missing[0].state, "stopped");
    assert_eq!(r.unlisted[0].group, "qx7-batch-*");
    let d = reconcile::diagram(&t, &r, &Plain);
    let m = d.to_mermaid();
    assert!(m.contains("gone: stopped"), "{m}");
    assert!(m.contains("qx7-batch-*"), "{m}");
    assert!(m.contains("extra 1"), "{m}");
    assert_eq!(d.caption, "1 missing");
}

/// Words for the diagram, as a front end gives them.
struct Plain;

impl reconcile::DiagramWords for Plain {
    fn not_running(&self, state: &str) -> String {
        format!("gone: {state}")
    }
    fn unlisted(&self, count: usize) -> String {
        format!("extra {count}")
    }
    fn caption(&self, report: &reconcile::Report) -> String {
        format!("{} missing", report.missing.len())
    }
}

/// `instances` with `id`'s running nodes set to `n` (in zones a, c, d in turn).
fn with_running(t: &Topology, id: &str, n: usize) -> Vec<aiops_core::reconcile::Instance> {
    let mut all: Vec<_> = drifted(t)
        .into_iter()
        .filter(|i| i.tags.get("Name").map(String::as_str) != Some(id))
        .collect();
    let mut one = parse(
        "one.json",
        &page(
            vec![instance("i-x", Some(id), "c5.large", RUNNING, ZONES[0])],
            false,
        ),
    )
    .unwrap();
    let proto = one.remove(0);
    for k in 0..n {
        let mut i = proto.clone();
        i.id = format!("i-grown{k}");
        i.az = ZONES[k % 3].to_string();
        all.push(i);
    }
    all
}

#[test]
fn compare_says_a_pool_grew_and_a_group_appeared_against_the_same_sheet() {
    let t = seed(&LoadOptions::default()).unwrap();
    let keys = TagKeys::default();
    let before = reconcile::reconcile(&t, &with_running(&t, APISIX, 2), &keys);
    let mut now = with_running(&t, APISIX, 5);
    now.retain(|i| !i.id.starts_with("i-new"));
    let after = reconcile::reconcile(&t, &now, &keys);
    let changes = reconcile::compare(&t, &before, &after);
    assert!(
        changes.contains(&reconcile::Ec2Change::Running {
            id: APISIX.into(),
            from: 2,
            to: 5,
            sheet: 2
        }),
        "{changes:?}"
    );
    assert!(
        changes.contains(&reconcile::Ec2Change::Unlisted {
            group: "aie1p-newsvc-c5large-2c4g-v133-a-Node".into(),
            from: 40,
            to: 0
        }),
        "{changes:?}"
    );
    assert!(reconcile::compare(&t, &after, &after).is_empty());
    // New drift: the pool runs more nodes than the sheet says now; a group taken away is no
    // new drift, and a line that only changed its amount is the drift it was.
    let grown = reconcile::new_drift(&before, &after);
    assert_eq!(grown.len(), 1, "{grown:?}");
    assert!(matches!(&grown[0], reconcile::Drift::PoolSize(p) if p.id == APISIX && p.running == 5));
    let more = reconcile::reconcile(&t, &with_running(&t, APISIX, 6), &keys);
    assert!(!reconcile::new_drift(&after, &more)
        .iter()
        .any(|d| matches!(d, reconcile::Drift::PoolSize(_))));
    let fresh = reconcile::new_drift(&after, &before);
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    assert!(matches!(&fresh[0], reconcile::Drift::Unlisted(u) if u.count == 40));
}

#[test]
fn a_snapshot_reads_back_as_the_same_fleet_whatever_the_order() {
    let t = seed(&LoadOptions::default()).unwrap();
    let keys = TagKeys::default();
    let all = drifted(&t);
    let snap = reconcile::write_snapshot(&all, &keys);
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(snap, reconcile::write_snapshot(&reversed, &keys));
    let back = parse("snapshot", &snap).unwrap();
    assert_eq!(
        reconcile::reconcile(&t, &back, &keys),
        reconcile::reconcile(&t, &all, &keys)
    );
    assert!(
        !String::from_utf8_lossy(&snap).contains("\"team\""),
        "only the keys' tags"
    );
}
