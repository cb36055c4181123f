//! Mermaid output: escaping holds for any text, and the seed's diagram is stable.

use aiops_core::diagram::{escape_edge_label, escape_label, Diagram, Highlights, MAX_LABEL_CHARS};
use aiops_core::{load_bytes, seed, LoadOptions};
use proptest::prelude::*;
use regex::Regex;

fn node_line() -> Regex {
    Regex::new(r#"^    n\d+(\["[^"\n]*"\]|\("[^"\n]*"\))$"#).unwrap()
}

fn assert_safe_label(escaped: &str) {
    for bad in ['"', '#', '<', '>', '&', '`', '\n', '\r'] {
        assert!(!escaped.contains(bad), "{bad:?} in {escaped:?}");
    }
    assert!(!escaped.contains(":::"), "{escaped:?}");
    assert!(escaped.chars().count() <= MAX_LABEL_CHARS + 1);
    assert!(!escaped.trim().is_empty());
}

proptest! {
    #[test]
    fn any_text_is_safe_inside_a_quoted_label(s in any::<String>()) {
        assert_safe_label(&escape_label(&s));
    }

    #[test]
    fn any_text_is_safe_as_an_edge_label(s in any::<String>()) {
        let e = escape_edge_label(&s);
        assert_safe_label(&e);
        prop_assert!(!e.contains('|'));
    }

    #[test]
    fn plain_text_survives_escaping_unchanged(s in "[a-zA-Z0-9 \u{4e00}-\u{4e80}（）/-]{1,80}") {
        prop_assume!(!s.trim().is_empty());
        prop_assert_eq!(escape_label(&s), s);
    }

    #[test]
    fn any_cell_text_yields_well_formed_mermaid(role in any::<String>(), down in any::<String>()) {
        let csv = format!(
            "实例名称,服务角色,主要上游,主要下游\naie1p-a-01,\"{}\",,\"{}\"\naie1p-b-01,B,,\n",
            role.replace('"', "\"\""),
            down.replace('"', "\"\""),
        );
        if let Ok(t) = load_bytes("prop.csv", csv.as_bytes(), &LoadOptions::default()) {
            let m = Diagram::whole(&t).to_mermaid();
            let re = node_line();
            for line in m.lines().skip(1).filter(|l| l.contains("[\"") || l.contains("(\"")) {
                prop_assert!(re.is_match(line), "bad line {:?}", line);
            }
        }
    }
}

#[test]
fn hostile_cell_text_renders_literally_in_labels() {
    let cases = [
        ("say \"hi\"", "say 'hi'"),
        ("#quot; #9829;", "＃quot; ＃9829;"),
        ("<b>x</b>", "＜b＞x＜/b＞"),
        ("R&amp;D &lt;", "R＆amp;D ＆lt;"),
        ("a:::cat", "a: : :cat"),
        ("`code`", "'code'"),
        ("@everyone ping", "@everyone ping"),
        ("line1\nline2", "line1 line2"),
        ("🚀 rocket", "🚀 rocket"),
    ];
    for (input, want) in cases {
        assert_eq!(escape_label(input), want, "{input:?}");
    }
    assert_eq!(escape_edge_label("a|b"), "a｜b");
    let long = "x".repeat(1000);
    assert_eq!(escape_label(&long).chars().count(), MAX_LABEL_CHARS + 1);
}

#[test]
fn seed_whole_graph_mermaid_snapshot() {
    let t = seed(&LoadOptions::default()).unwrap();
    expect_test::expect_file!["snapshots/seed_whole.mmd"]
        .assert_eq(&Diagram::whole(&t).to_mermaid());
}

#[test]
fn selection_is_highlighted_and_pools_are_labelled_with_their_count() {
    let t = seed(&LoadOptions::default()).unwrap();
    let sel = aiops_core::query::select(&t, "aie1p-apisix-*").unwrap();
    let d = Diagram::view(
        &t,
        &sel,
        &Highlights {
            selected: sel.clone(),
            impacted: vec![],
            ..Default::default()
        },
    );
    let m = d.to_mermaid();
    assert!(m.starts_with("graph LR\n"));
    assert!(
        m.contains("n1[\"aie1p-apisix-c5large-2c4g-v132-a-Node ×2<br>APISIX 网关节点池（EKS）\"]"),
        "{m}"
    );
    assert!(m.contains("class n1 sel;"), "{m}");
    assert!(m.contains("classDef sel "), "{m}");
}
