//! `impact`: suppose the matched nodes fail; who breaks, who starves, which entry points are hit.
//!
//! Grammar: `impact PATTERN [--depth N]`. PATTERN as for `deps`; `--depth` stops after that
//! many hops (default: follow everything).

use super::{capped_view, kind_text_in, name_with_count};
use crate::{t, Context, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::graph::NodeKind;
use aiops_core::query;
use serde_json::Value;

/// `impact PATTERN [--depth N]`
pub fn impact(ctx: Context, pattern: &str, depth: Option<u32>) -> Reply {
    let sel = match query::select(ctx.topo, pattern) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e),
    };
    let im = query::impact(ctx.topo, &sel, depth);
    let breaks: Vec<_> = im
        .impacted
        .iter()
        .filter(|i| i.side == query::Side::Upstream)
        .collect();
    let starves: Vec<_> = im
        .impacted
        .iter()
        .filter(|i| i.side == query::Side::Downstream)
        .collect();
    let mut r = Reply::new(format!(
        "impact {pattern}: {} target{} fail → {} break upstream, {} starve downstream, {} entry point{} hit",
        im.targets.len(),
        if im.targets.len() == 1 { "" } else { "s" },
        breaks.len(),
        starves.len(),
        im.entry_points.len(),
        if im.entry_points.len() == 1 { "" } else { "s" },
    ));
    r = r.heading(t(ctx.lang, "Targets")).table(
        sel.iter()
            .map(|&i| {
                let n = &ctx.topo.nodes()[i];
                let red = if n.count > 1 {
                    format!(
                        "pool ×{}: {}",
                        n.count,
                        t(ctx.lang, "replicas remain if one node fails")
                    )
                } else if n.kind == NodeKind::Instance {
                    t(ctx.lang, "single instance: no redundancy")
                } else {
                    String::new()
                };
                vec![
                    format!("  ✖ {}", n.id),
                    kind_text_in(ctx.lang, ctx.topo, &n.id),
                    red,
                ]
            })
            .collect(),
    );
    for (title, list) in [
        ("Who breaks (upstream callers)", &breaks),
        ("Who starves (downstream)", &starves),
    ] {
        r = r.heading(format!("{}: {}", t(ctx.lang, title), list.len()));
        r = r.table(
            list.iter()
                .map(|i| {
                    let mut notes = Vec::new();
                    if i.redundant {
                        notes.push(t(ctx.lang, "redundant"));
                    }
                    if i.soft {
                        notes.push(t(ctx.lang, "degraded only (optional/on-demand link)"));
                    }
                    vec![
                        format!(
                            "  {} {}",
                            i.hops,
                            t(ctx.lang, if i.hops == 1 { "hop" } else { "hops" })
                        ),
                        name_with_count(&i.id, i.count),
                        kind_text_in(ctx.lang, ctx.topo, &i.id),
                        notes.join(", "),
                    ]
                })
                .collect(),
        );
    }
    r = r.heading(format!(
        "{}: {}",
        t(ctx.lang, "Entry points hit"),
        im.entry_points.len()
    ));
    if !im.entry_points.is_empty() {
        r = r.text(im.entry_points.join(", "));
    }
    let mut order: Vec<usize> = sel.clone();
    let mut by_hops: Vec<&query::Impacted> = im.impacted.iter().collect();
    by_hops.sort_by_key(|i| i.hops);
    let impacted: Vec<usize> = by_hops
        .iter()
        .filter_map(|i| ctx.topo.index(&i.id))
        .collect();
    order.extend(impacted.iter().copied());
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights {
            selected: sel,
            impacted,
            ..Default::default()
        },
    ));
    r.json = serde_json::to_value(&im).unwrap_or(Value::Null);
    r
}
