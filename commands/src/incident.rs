//! Incident threads: find the components a thread talks about (core's
//! [`aiops_core::query::mentions`], the finder alerts use too), and write the first answer.

use crate::handlers::{kind_text_in, name_with_count};
use crate::{Context, Lang, Msg, Reply};
use aiops_core::diagram::{Diagram, Highlights, NodeClass};
use aiops_core::query::{self, Effect};
use serde_json::json;

/// The components a thread's text mentions: the one finder, in core.
pub use aiops_core::query::mentions as detect;
/// Longest text scanned.
pub use aiops_core::query::MAX_MENTION_TEXT_CHARS as MAX_TEXT_CHARS;

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
    r = r
        .heading(Msg::Components.text(ctx.lang))
        .table(components_table(ctx, suspects));
    r = r
        .heading(Msg::BlastRadius.text(ctx.lang))
        .text(crate::handlers::verdict(&im, ctx.lang))
        .table(effect_rows(&im, ctx.lang));
    r = r
        .heading(Msg::RecentChangesNearby.text(ctx.lang))
        .text(changes_text(recent_changes));
    r.diagram = Some(suspects_diagram(ctx, suspects, &im));
    r.json = json!({ "suspects": names, "impact": im, "recent_changes": recent_changes });
    r
}

/// One row per suspect: name (with its pool size), role or kind, owner, and what runs in EC2
/// when known. Shared with the alert reply.
pub(crate) fn components_table(ctx: Context, suspects: &[usize]) -> Vec<Vec<String>> {
    let topo = ctx.topo;
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
            if let Some(running) = crate::running_text(ctx, &n.id) {
                row.push(running);
            }
            row
        })
        .collect()
}

/// One row per effect, most harmful first: the effect, how many, the first few names.
pub(crate) fn effect_rows(im: &query::Impact, lang: Lang) -> Vec<Vec<String>> {
    let list = |v: &[&query::Impacted]| {
        let shown: Vec<String> = v.iter().take(6).map(|i| i.id.clone()).collect();
        let more = v.len().saturating_sub(6);
        if more > 0 {
            format!("{} …+{more}", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let mut rows = Vec::new();
    for effect in Effect::BY_HARM {
        let v: Vec<&query::Impacted> = im.impacted.iter().filter(|i| i.effect == effect).collect();
        if !v.is_empty() {
            rows.push(vec![
                format!("  {}", Msg::Effect(effect).text(lang)),
                v.len().to_string(),
                list(&v),
            ]);
        }
    }
    rows
}

/// Recent change lines, or a dash.
pub(crate) fn changes_text(recent_changes: &[String]) -> String {
    if recent_changes.is_empty() {
        "—".into()
    } else {
        recent_changes.join("\n")
    }
}

/// The suspects red and what their failure does styled by effect, nearest first.
pub(crate) fn suspects_diagram(ctx: Context, suspects: &[usize], im: &query::Impact) -> Diagram {
    let topo = ctx.topo;
    let effects: Vec<(usize, NodeClass)> = {
        let mut v: Vec<&query::Impacted> = im.impacted.iter().collect();
        v.sort_by_key(|i| i.hops);
        v.iter()
            .filter_map(|i| topo.index(&i.id).map(|n| (n, NodeClass::from(i.effect))))
            .collect()
    };
    let mut order = suspects.to_vec();
    order.extend(effects.iter().map(|&(n, _)| n));
    crate::handlers::capped_view(
        topo,
        ctx.lang,
        order,
        &Highlights {
            selected: suspects.to_vec(),
            effects,
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::{seed, LoadOptions};

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
