//! Incident threads: find the components a thread talks about, and write the first answer.
//!
//! Detection, on the thread's name and starter message, finds in order:
//! - exact instance names, with or without the common prefix (`aie1p-jenkins`, `jenkins`);
//! - globs (`aie1p-ces-*`);
//! - significant ASCII words that name instances by name or role (`CES`, `Kafka`, `Narwhal`);
//! - Chinese role words (`期货撮合`, `现货`), longest first, so `期货撮合` does not also count
//!   as the `撮合` of another role;
//! - managed resources by name (`spotdb`, `Redis`).
//!
//! Generic words (`API`, `down`, `error`, `节点池`, `服务器`) never match.

use crate::handlers::{kind_text_in, name_with_count};
use crate::{Context, Msg, Reply};
use aiops_core::diagram::{Highlights, NodeClass};
use aiops_core::graph::{NodeKind, ResourceKind, Topology};
use aiops_core::query::Effect;
use aiops_core::text::{ascii_words, fold_width, is_cjk};
use aiops_core::{query, vocabulary};
use serde_json::json;
use std::collections::BTreeSet;

/// Longest text scanned; incident titles and first messages are short.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// The components a text mentions, as node positions in topology order.
pub fn detect(topo: &Topology, text: &str) -> Vec<usize> {
    let text: String = fold_width(text).chars().take(MAX_TEXT_CHARS).collect();
    let lower = text.to_lowercase();
    let mut hits: BTreeSet<usize> = BTreeSet::new();
    let prefix = topo.common_prefix().map(|p| format!("{p}-"));
    let words = ascii_words(&text);
    for (i, n) in topo.nodes().iter().enumerate() {
        let id = n.id.to_lowercase();
        match n.kind {
            NodeKind::Instance => {
                let short = prefix
                    .as_deref()
                    .and_then(|p| id.strip_prefix(p))
                    .unwrap_or(&id);
                if lower.contains(&id) || (short.len() >= 6 && contains_token(&lower, short)) {
                    hits.insert(i);
                }
            }
            NodeKind::External => {
                let kind_ok = matches!(
                    n.resource,
                    Some(
                        ResourceKind::Database
                            | ResourceKind::Cache
                            | ResourceKind::Queue
                            | ResourceKind::LoadBalancer
                    )
                );
                let spelled = std::iter::once(&n.id).chain(&n.spellings).any(|s| {
                    let s = s.to_lowercase();
                    s.chars().count() >= 4 && contains_token(&lower, &s)
                });
                if kind_ok && spelled {
                    hits.insert(i);
                }
            }
        }
    }
    for w in text.split_whitespace().filter(|w| w.contains(['*', '?'])) {
        if let Ok(sel) = query::select(topo, w.trim_matches(|c: char| !c.is_ascii_graphic())) {
            hits.extend(sel);
        }
    }
    for w in words
        .iter()
        .filter(|w| w.len() >= 3 && !vocabulary::is_generic_chat_word(w))
    {
        for (i, n) in topo.nodes().iter().enumerate() {
            if n.kind == NodeKind::Instance && names_word(topo, n, w) {
                hits.insert(i);
            }
        }
    }
    hits.extend(role_word_hits(topo, &text));
    hits.into_iter().collect()
}

fn contains_token(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let edge = |c: Option<char>| {
            c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        };
        edge(before) && edge(after)
    })
}

fn names_word(topo: &Topology, n: &aiops_core::Node, w: &str) -> bool {
    let prefix = topo.common_prefix().unwrap_or("");
    let in_name =
        n.id.to_lowercase()
            .split(['-', '_', '.'])
            .any(|t| t == w && t != prefix);
    in_name || ascii_words(&n.role).iter().any(|r| r == w)
}

/// Chinese runs of each role, matched longest first without overlap.
fn role_word_hits(topo: &Topology, text: &str) -> Vec<usize> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for (i, n) in topo.nodes().iter().enumerate() {
        if n.kind != NodeKind::Instance {
            continue;
        }
        let mut cur = String::new();
        for c in n.role.chars().chain(std::iter::once(' ')) {
            if is_cjk(c) {
                cur.push(c);
            } else if !cur.is_empty() {
                let run = std::mem::take(&mut cur);
                if run.chars().count() >= 2 && !vocabulary::is_generic_cjk(&run) {
                    runs.push((run, i));
                }
            }
        }
    }
    runs.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.1.cmp(&b.1))
    });
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut hits = Vec::new();
    for (run, i) in &runs {
        for (at, _) in text.match_indices(run.as_str()) {
            let end = at + run.len();
            let inside_longer = taken
                .iter()
                .any(|(a, b)| *a <= at && end <= *b && (b - a) > run.len());
            if !inside_longer {
                taken.push((at, end));
                hits.push(*i);
                break;
            }
        }
    }
    hits
}

/// The first answer in an incident thread: components, their role and owner, the blast radius,
/// recent changes near them, and a diagram with suspects red and impacted amber.
pub fn reply(ctx: Context, suspects: &[usize], recent_changes: &[String]) -> Reply {
    let topo = ctx.topo;
    let im = query::impact(topo, suspects, &query::ImpactOptions::default());
    let names: Vec<&str> = suspects
        .iter()
        .map(|&i| topo.nodes()[i].id.as_str())
        .collect();
    let mut r = Reply::new(format!(
        "{}: {}",
        Msg::Components.text(ctx.lang),
        names.join(", ")
    ));
    r = r.heading(Msg::Components.text(ctx.lang)).table(
        suspects
            .iter()
            .map(|&i| {
                let n = &topo.nodes()[i];
                let what = kind_text_in(ctx.lang, topo, &n.id);
                let owner = if n.owner.is_empty() {
                    "—".to_string()
                } else {
                    n.owner.clone()
                };
                let mut row = vec![
                    format!("  {}", name_with_count(&n.id, n.count)),
                    what,
                    owner,
                ];
                if let Some(running) = ctx.ec2.and_then(|r| r.running_text(topo, &n.id)) {
                    row.push(running);
                }
                row
            })
            .collect(),
    );
    let list = |v: &[&query::Impacted]| {
        let shown: Vec<String> = v.iter().take(6).map(|i| i.id.clone()).collect();
        let more = v.len().saturating_sub(6);
        if more > 0 {
            format!("{} …+{more}", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let verdict = crate::handlers::verdict(&im, ctx.lang);
    let mut rows = Vec::new();
    for effect in Effect::BY_HARM {
        let v: Vec<&query::Impacted> = im.impacted.iter().filter(|i| i.effect == effect).collect();
        if !v.is_empty() {
            rows.push(vec![
                format!("  {}", Msg::Effect(effect).text(ctx.lang)),
                v.len().to_string(),
                list(&v),
            ]);
        }
    }
    r = r
        .heading(Msg::BlastRadius.text(ctx.lang))
        .text(verdict)
        .table(rows);
    r = r.heading(Msg::RecentChangesNearby.text(ctx.lang));
    r = if recent_changes.is_empty() {
        r.text("—")
    } else {
        r.text(recent_changes.join("\n"))
    };
    let effects: Vec<(usize, NodeClass)> = {
        let mut v: Vec<&query::Impacted> = im.impacted.iter().collect();
        v.sort_by_key(|i| i.hops);
        v.iter()
            .filter_map(|i| topo.index(&i.id).map(|n| (n, NodeClass::from(i.effect))))
            .collect()
    };
    let mut order = suspects.to_vec();
    order.extend(effects.iter().map(|&(n, _)| n));
    r.diagram = Some(crate::handlers::capped_view(
        topo,
        ctx.lang,
        order,
        &Highlights {
            selected: suspects.to_vec(),
            effects,
            ..Default::default()
        },
    ));
    r.json = json!({ "suspects": names, "impact": im, "recent_changes": recent_changes });
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::{seed, LoadOptions};

    fn ids(topo: &Topology, v: &[usize]) -> Vec<String> {
        v.iter().map(|&i| topo.nodes()[i].id.clone()).collect()
    }

    #[test]
    fn role_words_and_names_are_found_in_a_thread_title() {
        let t = seed(&LoadOptions::default()).unwrap();
        let hits = ids(&t, &detect(&t, "CES 撮合延迟升高, kafka lag"));
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
        let t =
            aiops_core::load_bytes("other.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(t.common_prefix(), Some("qx7"));
        assert_eq!(
            ids(&t, &detect(&t, "qx7 prod is slow")),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(&t, &detect(&t, "qx7 billing errors")),
            ["qx7-billing-01"]
        );
    }

    #[test]
    fn the_longest_chinese_role_word_wins() {
        let t = seed(&LoadOptions::default()).unwrap();
        let hits = ids(&t, &detect(&t, "期货撮合异常"));
        assert_eq!(hits, ["aie1p-morph-narwhal-r52xlarge-8c64g-v132-a-Node"]);
        let spot = ids(&t, &detect(&t, "现货下单失败"));
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
            ids(&t, &detect(&t, "jenkins build stuck")),
            ["aie1p-jenkins"]
        );
        assert_eq!(ids(&t, &detect(&t, "aie1p-maker-0* restarting")).len(), 5);
        assert_eq!(ids(&t, &detect(&t, "spotdb CPU 100%")), ["Aurora spotdb"]);
    }

    #[test]
    fn generic_text_matches_nothing() {
        let t = seed(&LoadOptions::default()).unwrap();
        assert!(detect(&t, "lunch order for friday").is_empty());
        assert!(detect(&t, "API error rate high on the server").is_empty());
        assert!(detect(&t, "节点池 服务器 告警").is_empty());
    }

    #[test]
    fn the_reply_names_components_blast_radius_and_changes() {
        let topo = seed(&LoadOptions::default()).unwrap();
        let sus = detect(&topo, "spotdb 故障");
        let r = reply(
            Context::new(&topo, "seed"),
            &sus,
            &["v2: Aurora spotdb added".into()],
        );
        let text = r.to_text();
        assert!(text.contains("Aurora spotdb"), "{text}");
        assert!(text.contains("customers hit: YES"), "{text}");
        assert!(text.contains("broken"), "{text}");
        assert!(text.contains("v2: Aurora spotdb added"), "{text}");
        let m = r.diagram.unwrap().to_mermaid();
        let line = m
            .lines()
            .find(|l| l.contains("(\"Aurora spotdb\")"))
            .unwrap();
        let id = line.trim().split('(').next().unwrap();
        assert!(m.contains(&format!("class {id} sel;")), "{m}");
        assert!(
            m.contains(" brk;"),
            "broken nodes have their own class: {m}"
        );
    }
}
