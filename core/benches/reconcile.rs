//! Reconciling what runs with the sheet: 10,000 EC2 instances against a 10,000-row synthetic
//! inventory (the target is under 100 ms), and 1,000 against 1,000. Parsing the JSON and
//! loading the sheet are measured apart from the comparison.

use aiops_core::reconcile::{parse, reconcile, size_in_name, TagKeys};
use aiops_core::{load_bytes, synth, LoadOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

/// describe-instances output for every instance of the sheet (pools get their row count), with
/// every 50th left out and some unlisted ones added, spread over three zones.
fn ec2_json(topo: &aiops_core::Topology) -> Vec<u8> {
    let mut instances = Vec::new();
    let zones = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];
    for (k, n) in topo.nodes().iter().filter(|n| n.is_instance()).enumerate() {
        if k % 50 == 0 {
            continue;
        }
        for r in 0..n.count.max(1) as usize {
            instances.push(serde_json::json!({
                "InstanceId": format!("i-{k:010x}{r:04x}"),
                "InstanceType": size_in_name(&n.id).unwrap_or_else(|| "m5.large".into()),
                "State": {"Code": 16, "Name": "running"},
                "Placement": {"AvailabilityZone": zones[(k + r) % 3]},
                "Tags": [{"Key": "Name", "Value": n.id}, {"Key": "team", "Value": "ops"}],
            }));
        }
        if k % 97 == 0 {
            instances.push(serde_json::json!({
                "InstanceId": format!("i-x{k:012x}"), "InstanceType": "t3.micro",
                "State": {"Code": 16, "Name": "running"},
                "Placement": {"AvailabilityZone": zones[0]},
                "Tags": [{"Key": "Name", "Value": format!("unlisted-{k}")}],
            }));
        }
    }
    serde_json::to_vec(&serde_json::json!({"Reservations": [{"Instances": instances}]}))
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("reconcile");
    g.sample_size(20);
    for rows in [1_000usize, 10_000] {
        let topo = load_bytes(
            "synth.csv",
            synth::csv(rows).as_bytes(),
            &LoadOptions::default(),
        )
        .expect("synthetic inventory loads");
        let json = ec2_json(&topo);
        let instances = parse("ec2.json", &json).expect("fixture parses");
        g.bench_with_input(BenchmarkId::new("parse", rows), &json, |b, j| {
            b.iter(|| parse("ec2.json", black_box(j)))
        });
        g.bench_with_input(BenchmarkId::new("compare", rows), &instances, |b, i| {
            b.iter(|| reconcile(&topo, black_box(i), &TagKeys::default()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
