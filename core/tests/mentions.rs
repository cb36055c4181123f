//! The free-text component finder that incident threads and alerts share.

use aiops_core::query::mentions;
use aiops_core::{seed, LoadOptions, Topology};

fn ids(topo: &Topology, v: &[usize]) -> Vec<String> {
    v.iter().map(|&i| topo.nodes()[i].id.clone()).collect()
}

#[test]
fn role_words_and_names_are_found_in_a_thread_title() {
    let t = seed(&LoadOptions::default()).unwrap();
    let hits = ids(&t, &mentions(&t, "CES 撮合延迟升高, kafka lag"));
    assert!(
        hits.contains(&"aie1p-ces-access-c5large-2c4g-v132-a-Node".to_string()),
        "{hits:?}"
    );
    assert!(hits.contains(&"aie1p-ces-c52xlarge-8c16g-v132-a-Node".to_string()));
    assert!(hits.contains(&"aie1p-kafka-server-01".to_string()));
    assert!(hits.contains(&"aie1p-morph-kafkanew-0425".to_string()));
}

#[test]
fn the_inventorys_common_prefix_names_nothing_in_a_thread() {
    let csv = "Name,Role,Upstream,Downstream\n\
               qx7-billing-01,计费服务,qx7-gateway-01,Postgres billingdb\n\
               qx7-gateway-01,入口网关,客户端,qx7-billing-01\n\
               qx7-ledger-01,账本服务,qx7-billing-01,——\n";
    let t = aiops_core::load_bytes("other.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(t.common_prefix(), Some("qx7"));
    assert_eq!(
        ids(&t, &mentions(&t, "qx7 prod is slow")),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&t, &mentions(&t, "qx7 billing errors")),
        ["qx7-billing-01"]
    );
}

#[test]
fn the_longest_chinese_role_word_wins() {
    let t = seed(&LoadOptions::default()).unwrap();
    let hits = ids(&t, &mentions(&t, "期货撮合异常"));
    assert_eq!(hits, ["aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node"]);
    let spot = ids(&t, &mentions(&t, "现货下单失败"));
    assert_eq!(
        spot,
        [
            "aie1p-spotapi-c5large-2c4g-v132-a-Node",
            "aie1p-spotws-c5xlarge-4c8g-v132-a-Node"
        ]
    );
}

#[test]
fn exact_names_globs_and_resources() {
    let t = seed(&LoadOptions::default()).unwrap();
    assert_eq!(
        ids(&t, &mentions(&t, "jenkins build stuck")),
        ["aie1p-jenkins"]
    );
    assert_eq!(ids(&t, &mentions(&t, "aie1p-maker-0* restarting")).len(), 5);
    assert_eq!(ids(&t, &mentions(&t, "spotdb CPU 100%")), ["Aurora spotdb"]);
}

#[test]
fn generic_text_matches_nothing() {
    let t = seed(&LoadOptions::default()).unwrap();
    assert!(mentions(&t, "lunch order for friday").is_empty());
    assert!(mentions(&t, "API error rate high on the server").is_empty());
    assert!(mentions(&t, "节点池 服务器 告警").is_empty());
}

#[test]
fn emphasis_is_not_a_glob() {
    let t = seed(&LoadOptions::default()).unwrap();
    assert!(mentions(&t, "disk *x* on **bold** ?").is_empty());
    assert_eq!(
        ids(&t, &mentions(&t, "ces-* restarting")).len(),
        ids(&t, &mentions(&t, "aie1p-ces-*")).len()
    );
}
