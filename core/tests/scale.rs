//! A synthetic inventory resolves group by group as the seed does.

use aiops_core::{load_bytes, synth, LoadOptions};

#[test]
fn synthetic_groups_resolve_like_the_seed() {
    let t = load_bytes(
        "synthetic.csv",
        synth::csv(28 * 30).as_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    let seed = aiops_core::seed(&LoadOptions::default()).unwrap();
    assert_eq!(t.instance_count(), 23 * 30);
    let inst_edges = |t: &aiops_core::Topology| {
        t.edges()
            .iter()
            .filter(|e| {
                t.node(&e.from).unwrap().is_instance() && t.node(&e.to).unwrap().is_instance()
            })
            .count()
    };
    assert_eq!(
        inst_edges(&t),
        inst_edges(&seed) * 30,
        "no cross-group links"
    );
    let has = |from: &str, to: &str| t.edges().iter().any(|e| &*e.from == from && &*e.to == to);
    assert!(has(
        "aie1p-domq-morph-narwhal-r52xlarge-8c64g-v132-a-Node",
        "aie1p-domq-morph-kafkanew-0425"
    ));
    assert!(has(
        "aie1p-domq-ces-c52xlarge-8c16g-v132-a-Node",
        "aie1p-domq-kafka-server-01"
    ));
    assert!(has("aie1p-domq-maker-02", "aie1p-domq-maker-nacos-01"));
    assert!(!t.edges().iter().any(|e| e.ambiguous));
}

/// Everything a load produced, hashed (FNV-1a over the debug text of every node, edge and
/// diagnostic): a resolver change that alters any relation, flag, provenance or message
/// changes it.
fn digest(t: &aiops_core::Topology) -> String {
    let text = format!("{:?}{:?}{:?}", t.nodes(), t.edges(), t.diagnostics());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{} nodes, {} edges, {} diagnostics, {h:016x}",
        t.nodes().len(),
        t.edges().len(),
        t.diagnostics().len()
    )
}

fn load_shape(shape: synth::Shape, rows: usize) -> aiops_core::Topology {
    load_bytes(
        "synthetic.csv",
        synth::csv_of(&shape.rows(rows)).as_bytes(),
        &LoadOptions::default(),
    )
    .unwrap()
}

/// The digests were taken with the resolver that filtered every candidate of a word for each
/// mention, before candidates were indexed and tie-breaks reused: the indexes and caches must
/// give the same graph, message for message.
#[test]
fn every_shape_resolves_as_the_resolver_without_caches_did() {
    use synth::Shape;
    let cases = [
        (
            Shape::Seed,
            3_000,
            expect_test::expect!["2502 nodes, 10494 edges, 127 diagnostics, eb702e2cfa3a19b7"],
        ),
        (
            Shape::DomainHeavy,
            3_000,
            expect_test::expect!["2426 nodes, 14175 edges, 22 diagnostics, 67f42d3a1acce74c"],
        ),
        (
            Shape::SmallDomains,
            3_000,
            expect_test::expect!["2785 nodes, 10605 edges, 8 diagnostics, 6c2f4c9846e77595"],
        ),
        (
            Shape::HugeDomain,
            3_000,
            expect_test::expect!["2993 nodes, 20837 edges, 9 diagnostics, 8ef0af59ef459f93"],
        ),
        (
            Shape::RepeatedPools,
            8_000,
            expect_test::expect!["67 nodes, 266 edges, 12 diagnostics, 847b8cd0bb73ac10"],
        ),
    ];
    for (shape, rows, expected) in cases {
        expected.assert_eq(&digest(&load_shape(shape, rows)));
    }
}

/// The domain-heavy shape reads as its description says: an access pool's `<DOMAIN> 核心`
/// reaches its own domain's core pool, Nacos's glob names the core pool, and every `Kafka` is
/// the row's own domain's.
#[test]
fn domain_heavy_shape_resolves_within_each_domain() {
    let t = load_shape(synth::Shape::DomainHeavy, 1_000);
    let has = |from: &str, to: &str| t.edges().iter().any(|e| &*e.from == from && &*e.to == to);
    let core = "acme-zdc-core-c5large-2c4g-v132-a-Node";
    assert!(has("acme-zdc-access-c5large-2c4g-v132-a-Node", core));
    assert!(has(core, "acme-zdc-nacos-01"));
    assert!(has(core, "acme-zdc-kafka-01"));
    assert!(has("acme-zdc-order-03", "acme-zdc-kafka-02"));
    for e in t.edges() {
        let domain = |id: &str| id.split('-').nth(1).map(str::to_string);
        if t.node(&e.to).unwrap().is_instance() && t.node(&e.from).unwrap().is_instance() {
            assert_eq!(domain(&e.from), domain(&e.to), "{} → {}", e.from, e.to);
        }
    }
    assert_eq!(t.node(core).unwrap().count, 20);
}
