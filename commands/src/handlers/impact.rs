//! `impact`: suppose the matched nodes fail; whether customers are hit and by which route, and
//! who is broken, exposed, degraded, cut off or partly fed (see `aiops_core::query::impact`).
//!
//! Grammar: `impact PATTERN [--depth N] [--one-node]`. PATTERN as for `deps`; the whole
//! selection fails (every replica of a pool) unless `--one-node`, which loses one node of
//! each selected pool. `--depth` shortens the listing only; the verdict and the counts cover
//! the whole graph.

use super::{also_ids, capped_view, kind_text_in, name_with_count, selection_note};
use crate::{Context, Lang, Msg, Reply};
use aiops_core::diagram::{Highlights, NodeClass};
use aiops_core::graph::NodeKind;
use aiops_core::query::{self, Effect, ImpactOptions, Side};
use serde_json::Value;

/// `impact PATTERN [--depth N]`, the whole selection failing.
pub fn impact(ctx: Context, pattern: &str, depth: Option<u32>) -> Reply {
    impact_with(
        ctx,
        pattern,
        ImpactOptions {
            depth,
            ..ImpactOptions::default()
        },
    )
}

/// `impact PATTERN [--depth N] [--one-node]`
pub fn impact_with(ctx: Context, pattern: &str, mut opts: ImpactOptions) -> Reply {
    let sel = match query::select_explained(ctx.topo, pattern) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e, ctx.lang),
    };
    let lang = ctx.lang;
    // A pool whose running nodes share one zone is one failure domain: it fails whole.
    let zone_of = |i: usize| ctx.ec2.and_then(|r| r.one_zone(&ctx.topo.nodes()[i].id));
    if opts.one_node {
        opts.one_zone = sel
            .nodes
            .iter()
            .copied()
            .filter(|&i| zone_of(i).is_some())
            .collect();
    }
    let im = query::impact(ctx.topo, &sel.nodes, &opts);
    let mut r = Reply::new(format!("impact {pattern}: {}", verdict(&im, lang)));
    r = r.text(counts_line(&im, lang));
    if let Some(note) = selection_note(ctx.topo, &sel, lang) {
        r = r.text(note);
    }
    r = r.text(
        if opts.one_node {
            Msg::OneNodeLost
        } else {
            Msg::WholeSelectionFails
        }
        .text(lang),
    );
    if !opts.one_zone.is_empty() {
        r = r.text(Msg::OneZoneNote.text(lang));
    }
    if let Some(d) = opts.depth {
        r = r.text(format!("--depth {d}: {}", Msg::ListingDepth.text(lang)));
    }
    r = r.heading(Msg::Targets.text(lang)).table(
        sel.nodes
            .iter()
            .map(|&i| {
                let n = &ctx.topo.nodes()[i];
                let what = if n.kind != NodeKind::Instance {
                    Msg::ExternalTarget.text(lang).to_string()
                } else if let (true, Some(az)) = (opts.one_node, zone_of(i)) {
                    format!(
                        "×{}: all running in {az}, one failure domain: fails whole",
                        n.count
                    )
                } else if n.count > 1 && opts.one_node {
                    format!("×{}: {}", n.count, Msg::PoolOneNodeLost.text(lang))
                } else if n.count > 1 {
                    format!("×{}: {}", n.count, Msg::PoolWholeFails.text(lang))
                } else {
                    if aiops_core::vocabulary::role_is_pool(&n.role) {
                        Msg::PoolOfUnknownSize.text(lang).to_string()
                    } else {
                        Msg::SingleInstance.text(lang).to_string()
                    }
                };
                let mut row = vec![
                    format!("  ✖ {}", n.id),
                    kind_text_in(lang, ctx.topo, &n.id),
                    what,
                ];
                if let Some(running) = super::running_text(ctx, &n.id) {
                    row.push(running);
                }
                row
            })
            .collect(),
    );
    if im.customers_hit {
        r = r.heading(format!(
            "{}: {}",
            Msg::CustomerRoutes.text(lang),
            im.customer_routes.len()
        ));
        r = r.text(
            im.customer_routes
                .iter()
                .map(|route| format!("  {}", route.join(" → ")))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for effect in Effect::BY_HARM {
        let list: Vec<&query::Impacted> =
            im.impacted.iter().filter(|i| i.effect == effect).collect();
        if list.is_empty() {
            continue;
        }
        r = r.heading(format!(
            "{}: {}",
            Msg::Heading(effect).text(lang),
            list.len()
        ));
        r = r.table(
            list.iter()
                .map(|i| {
                    let mut notes = Vec::new();
                    if i.side == Side::Downstream {
                        notes.push(Msg::Downstream.text(lang).into_owned());
                    }
                    if effect == Effect::Degraded && i.soft {
                        notes.push(Msg::SoftOnly.text(lang).to_string());
                    } else if i.redundant && effect == Effect::Degraded {
                        notes.push(Msg::AlternativeLeft.text(lang).to_string());
                    }
                    if effect == Effect::Doubtful {
                        notes.push(Msg::PossiblyNote.text(lang).to_string());
                    }
                    vec![
                        format!("  {}", Msg::Hops(i.hops).text(lang)),
                        name_with_count(&i.id, i.count),
                        kind_text_in(lang, ctx.topo, &i.id),
                        notes.join(", "),
                    ]
                })
                .collect(),
        );
    }
    if im.impacted.is_empty() {
        r = r.text(Msg::NothingImpacted.text(lang));
    }
    let mut order: Vec<usize> = sel.nodes.clone();
    let mut by_hops: Vec<&query::Impacted> = im.impacted.iter().collect();
    by_hops.sort_by_key(|i| i.hops);
    let effects: Vec<(usize, NodeClass)> = by_hops
        .iter()
        .filter_map(|i| {
            ctx.topo
                .index(&i.id)
                .map(|n| (n, NodeClass::from(i.effect)))
        })
        .collect();
    order.extend(effects.iter().map(|&(n, _)| n));
    r.diagram = Some(capped_view(
        ctx.topo,
        lang,
        order,
        &Highlights {
            selected: sel.nodes.clone(),
            effects,
            ..Default::default()
        },
    ));
    r.json = serde_json::to_value(&im).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut r.json {
        m.insert("also_matches".into(), also_ids(ctx.topo, &sel).into());
    }
    r
}

/// `customers hit: YES (through A → B → C)`, by the first (shortest) route, or `customers hit:
/// no`. The impact reply and the incident reply lead with it.
pub(crate) fn verdict(im: &query::Impact, lang: Lang) -> String {
    if !im.customers_hit {
        return Msg::CustomersHitNo.text(lang).into_owned();
    }
    let route = im
        .customer_routes
        .first()
        .map(|r| format!(" ({} {})", Msg::Via.text(lang), r.join(" → ")))
        .unwrap_or_default();
    format!("{}{route}", Msg::CustomersHitYes.text(lang))
}

/// `broken 5 · exposed 7 · … — our services 9, managed resources 1, entry points 7`
fn counts_line(im: &query::Impact, lang: Lang) -> String {
    let effects: Vec<String> = im
        .counts
        .iter()
        .map(|(e, n)| format!("{} {n}", Msg::Effect(*e).text(lang)))
        .collect();
    let kinds: Vec<String> = im
        .kinds
        .iter()
        .map(|(k, n)| format!("{} {n}", Msg::Reach(*k).text(lang)))
        .collect();
    if effects.is_empty() {
        return Msg::NothingImpacted.text(lang).to_string();
    }
    format!("{} — {}", effects.join(" · "), kinds.join(", "))
}
