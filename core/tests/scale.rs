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
