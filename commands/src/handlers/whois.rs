//! `whois`: role, owner, pool size, environment, sheet rows and neighbours of a node.
//!
//! Grammar: `whois NAME`. NAME is anything `deps` takes as a pattern; every node it matches
//! gets its own section.

use super::{also_ids, capped_view, kind_text_in, selection_note};
use crate::{Context, Msg, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::graph::NodeKind;
use aiops_core::ingest::Field;
use aiops_core::query;
use serde_json::json;

/// `whois NAME`
pub fn whois(ctx: Context, name: &str) -> Reply {
    let selection = match query::select_explained(ctx.topo, name) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e, ctx.lang),
    };
    let lang = ctx.lang;
    let label = |m: Msg| format!("  {}", m.text(lang));
    let sel = selection.nodes.clone();
    let mut r = Reply::new(format!("whois {name}"));
    if let Some(note) = selection_note(ctx.topo, &selection, lang) {
        r = r.text(note);
    }
    let no_owner_column = !ctx.topo.has_column(Field::Owner);
    let no_env_column = !ctx.topo.has_column(Field::Env);
    let mut items = Vec::new();
    let mut order = sel.clone();
    for &i in &sel {
        let n = &ctx.topo.nodes()[i];
        let sorted_ids = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.into_iter()
                .map(|j| ctx.topo.nodes()[j].id.clone())
                .collect::<Vec<String>>()
        };
        let ups = sorted_ids(ctx.topo.incoming(i).map(|(j, _)| j).collect());
        let downs = sorted_ids(ctx.topo.outgoing(i).map(|(j, _)| j).collect());
        order.extend(ctx.topo.incoming(i).map(|(j, _)| j));
        order.extend(ctx.topo.outgoing(i).map(|(j, _)| j));
        let dash = |s: &str| {
            if s.is_empty() {
                "—".to_string()
            } else {
                s.to_string()
            }
        };
        r = r.heading(n.id.clone());
        let mut rows = vec![];
        match n.kind {
            NodeKind::Instance => {
                rows.push(vec![label(Msg::Role), dash(&n.role)]);
                rows.push(vec![
                    label(Msg::Owner),
                    if !n.owner.is_empty() {
                        n.owner.clone()
                    } else if no_owner_column {
                        Msg::NoOwnerColumn.text(lang).into_owned()
                    } else {
                        Msg::OwnerCellEmpty.text(lang).into_owned()
                    },
                ]);
                rows.push(vec![
                    label(Msg::PoolSize),
                    if n.count > 1 {
                        Msg::PoolNodes(n.count).text(lang).into_owned()
                    } else {
                        Msg::OneSingleInstance.text(lang).into_owned()
                    },
                ]);
                rows.push(vec![
                    label(Msg::Environment),
                    if n.env.is_empty() && no_env_column {
                        Msg::ProductionNoEnvColumn.text(lang).into_owned()
                    } else if n.env.is_empty() {
                        Msg::ProductionEnvEmpty.text(lang).into_owned()
                    } else {
                        n.env.clone()
                    },
                ]);
                if let Some(running) = super::running_text(ctx, &n.id) {
                    rows.push(vec![format!("  {}", Msg::InEc2.text(ctx.lang)), running]);
                }
                if !n.instance_id.is_empty() {
                    rows.push(vec![label(Msg::InstanceId), n.instance_id.clone()]);
                }
                if !n.notes.is_empty() {
                    rows.push(vec![label(Msg::Notes), n.notes.clone()]);
                }
                for (k, v) in &n.attributes {
                    rows.push(vec![format!("  {k}"), v.clone()]);
                }
                rows.push(vec![
                    label(Msg::SheetRows),
                    n.rows
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            NodeKind::External => {
                rows.push(vec![label(Msg::Kind), kind_text_in(lang, ctx.topo, &n.id)]);
                if !n.spellings.is_empty() {
                    rows.push(vec![label(Msg::AlsoWritten), n.spellings.join(", ")]);
                }
            }
        }
        rows.push(vec![
            format!("{} ({})", label(Msg::Upstream), ups.len()),
            dash(&ups.join(", ")),
        ]);
        rows.push(vec![
            format!("{} ({})", label(Msg::Downstream), downs.len()),
            dash(&downs.join(", ")),
        ]);
        r = r.table(rows);
        items.push(json!({
            "id": n.id, "kind": n.kind, "role": n.role, "count": n.count, "owner": n.owner,
            "env": n.env, "notes": n.notes, "instance_id": n.instance_id, "resource": n.resource,
            "attributes": n.attributes, "rows": n.rows, "upstream": ups, "downstream": downs,
        }));
    }
    r.diagram = Some(capped_view(
        ctx.topo,
        lang,
        order,
        &Highlights {
            selected: sel,
            impacted: vec![],
            ..Default::default()
        },
    ));
    r.json = json!({ "matched": items, "also_matches": also_ids(ctx.topo, &selection) });
    r
}
