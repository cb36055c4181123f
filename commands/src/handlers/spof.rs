//! `spof`: single points of failure, ranked by what their loss cuts off.
//!
//! Grammar: `spof`, no arguments.

use super::{capped_view, name_with_count};
use crate::{Context, Msg, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::query;
use serde_json::json;

/// `spof`: single points of failure, ranked.
pub fn spof(ctx: Context) -> Reply {
    let lang = ctx.lang;
    let list = query::spof(ctx.topo);
    let mut r = Reply::new(format!("spof: {}", Msg::SpofTitle(list.len()).text(lang)));
    if let (roots, true) = query::traffic_roots(ctx.topo) {
        r = r.text(Msg::SpofUncalledRoots(roots.len()).text(lang));
    }
    r = r.table(
        list.iter()
            .enumerate()
            .map(|(k, s)| {
                let shown: Vec<&str> = s.cut_off.iter().take(4).map(String::as_str).collect();
                let more = if s.cut_off.len() > 4 {
                    Msg::AndMore(s.cut_off.len() - 4).text(lang)
                } else {
                    "".into()
                };
                vec![
                    format!("  {}.", k + 1),
                    name_with_count(&s.id, s.count),
                    if s.redundant {
                        Msg::PoolHasReplicas
                    } else if s.unknown_size {
                        Msg::PoolUnknownSize
                    } else if s.managed {
                        Msg::ManagedResource
                    } else {
                        Msg::Single
                    }
                    .text(lang)
                    .into_owned(),
                    Msg::SpofReach {
                        entry_points: s.entry_points.len(),
                        callers: s.dependents,
                    }
                    .text(lang)
                    .into_owned(),
                    if s.cut_off.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "{}: {}{more}",
                            Msg::CutsOff(s.cut_off.len()).text(lang),
                            shown.join(", ")
                        )
                    },
                ]
            })
            .collect(),
    );
    let selected: Vec<usize> = list
        .iter()
        .filter(|s| !s.redundant)
        .filter_map(|s| ctx.topo.index(&s.id))
        .collect();
    let impacted: Vec<usize> = list
        .iter()
        .flat_map(|s| s.cut_off.iter())
        .filter_map(|id| ctx.topo.index(id))
        .collect();
    let mut order = selected.clone();
    order.extend(list.iter().filter_map(|s| ctx.topo.index(&s.id)));
    order.extend(impacted.iter().copied());
    r.diagram = Some(capped_view(
        ctx.topo,
        lang,
        order,
        &Highlights {
            selected,
            impacted,
            ..Default::default()
        },
    ));
    r.json = json!({ "spofs": list });
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    /// On a sheet with no entry point the reply says what it took as roots instead, in the
    /// asker's language; on one with entry points it says nothing of the kind.
    #[test]
    fn the_reply_says_when_uncalled_instances_stand_in_for_entry_points() {
        let csv = "name,role,upstream,downstream\nq-a,前端,,q-b\nq-b,服务,q-a,\n";
        let topo =
            aiops_core::load_bytes("q.csv", csv.as_bytes(), &Default::default()).expect("loads");
        let text = spof(Context::new(&topo, "q.csv")).to_text();
        assert!(text.contains("names no entry point"), "{text}");
        assert!(text.contains("1. ") && text.contains("q-b"), "{text}");
        let zh = spof(Context {
            lang: Lang::Zh,
            ..Context::new(&topo, "q.csv")
        })
        .to_text();
        assert!(zh.contains("没有写明入口"), "{zh}");
        let csv = "name,role,upstream,downstream\nq-a,前端,客户端,q-b\nq-b,服务,q-a,\n";
        let topo =
            aiops_core::load_bytes("q.csv", csv.as_bytes(), &Default::default()).expect("loads");
        let text = spof(Context::new(&topo, "q.csv")).to_text();
        assert!(!text.contains("names no entry point"), "{text}");
    }
}
