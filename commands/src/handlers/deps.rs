//! `deps`: what the matched nodes call and what calls them.
//!
//! Grammar: `deps PATTERN [--up|--down] [--depth N]`. PATTERN is an exact name, a glob
//! (`aie1p-ces-*`), `re:REGEX`, or part of an external node's name; `--up` keeps only the
//! upstreams (callers), `--down` only the downstreams (callees); `--depth` follows relations
//! that many hops (1 = direct).

use super::{also_ids, capped_view, kind_text_in, name_with_count, selection_note};
use crate::{Context, Msg, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::graph::NodeKind;
use aiops_core::query::{self, Direction};
use aiops_core::vocabulary::{FlagWord, AMBIGUOUS, DOUBTFUL, ON_DEMAND, OPTIONAL, VIA};
use serde_json::json;

/// `deps PATTERN [--up|--down] [--depth N]`
pub fn deps(ctx: Context, pattern: &str, dir: Direction, depth: u32) -> Reply {
    let lang = ctx.lang;
    let selection = match query::select_explained(ctx.topo, pattern) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e, lang),
    };
    let sel = selection.nodes.clone();
    let entries = query::deps(ctx.topo, &sel, dir, depth);
    let mut r = Reply::new(format!(
        "deps {pattern}: {}",
        Msg::Matches(entries.len()).text(lang)
    ));
    if let Some(note) = selection_note(ctx.topo, &selection, lang) {
        r = r.text(note);
    }
    let mut order: Vec<usize> = sel.clone();
    for e in &entries {
        let head = match e.kind {
            NodeKind::Instance => format!("{} — {}", name_with_count(&e.id, e.count), e.role),
            NodeKind::External => format!("{} — {}", e.id, kind_text_in(lang, ctx.topo, &e.id)),
        };
        r = r.heading(head);
        for (side, list, arrow) in [
            (Direction::Up, &e.upstream, "←"),
            (Direction::Down, &e.downstream, "→"),
        ] {
            if dir != Direction::Both && dir != side {
                continue;
            }
            let label = if side == Direction::Up {
                Msg::Upstream
            } else {
                Msg::Downstream
            };
            r = r.text(format!("{} ({})", label.text(lang), list.len()));
            let flag = |w: &FlagWord| w.text(lang.flags()).to_string();
            let rows = list
                .iter()
                .map(|n| {
                    let mut flags = Vec::new();
                    if n.optional {
                        flags.push(flag(&OPTIONAL));
                    }
                    if n.on_demand {
                        flags.push(flag(&ON_DEMAND));
                    }
                    if !n.via.is_empty() {
                        flags.push(format!("{} {}", flag(&VIA), n.via.join("/")));
                    }
                    if n.ambiguous {
                        flags.push(flag(&AMBIGUOUS));
                    }
                    if n.doubtful {
                        flags.push(flag(&DOUBTFUL));
                    }
                    if n.hops > 1 {
                        flags.push(Msg::Hops(n.hops).text(lang).into_owned());
                    }
                    vec![
                        format!("  {arrow} {}", name_with_count(&n.id, n.count)),
                        kind_text_in(lang, ctx.topo, &n.id),
                        flags.join(", "),
                    ]
                })
                .collect();
            r = r.table(rows);
            for n in list.iter() {
                if let Some(i) = ctx.topo.index(&n.id) {
                    order.push(i);
                }
            }
        }
    }
    r.diagram = Some(capped_view(
        ctx.topo,
        lang,
        order,
        &Highlights {
            selected: sel,
            impacted: Vec::new(),
            ..Default::default()
        },
    ));
    r.json = json!({ "matched": entries, "also_matches": also_ids(ctx.topo, &selection) });
    r
}
