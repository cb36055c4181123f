//! `role` and `owner`: the instances whose role, or owner, contains a text.
//!
//! Grammar: `role TEXT`, `owner TEXT`. TEXT is matched as a substring, case-insensitively.

use super::{capped_view, name_with_count};
use crate::{Context, Msg, Reply, Status};
use aiops_core::diagram::Highlights;
use aiops_core::query;
use serde_json::json;

/// `role TEXT`: instances whose role contains the text.
pub fn role(ctx: Context, text: &str) -> Reply {
    let hits = query::by_role(ctx.topo, text);
    list_reply(ctx, "role", text, hits, Msg::NoRoleContaining(text))
}

/// `owner TEXT`: instances whose owner contains the text.
pub fn owner(ctx: Context, text: &str) -> Reply {
    let hits = query::by_owner(ctx.topo, text);
    let has_owners = ctx.topo.nodes().iter().any(|n| !n.owner.is_empty());
    let empty = if has_owners {
        Msg::NoOwnerContaining(text)
    } else {
        Msg::NoOwnerColumnToAsk
    };
    list_reply(ctx, "owner", text, hits, empty)
}

/// `COMMAND TEXT: 3 instances` and their table, or `empty` when there are none.
fn list_reply(ctx: Context, command: &str, text: &str, hits: Vec<usize>, empty: Msg) -> Reply {
    if hits.is_empty() {
        return Reply::user_error(Status::NotFound, empty.text(ctx.lang));
    }
    let mut r = Reply::new(format!(
        "{command} {text}: {}",
        Msg::Instances(hits.len()).text(ctx.lang)
    ));
    r = r.table(
        hits.iter()
            .map(|&i| {
                let n = &ctx.topo.nodes()[i];
                vec![
                    format!("  {}", name_with_count(&n.id, n.count)),
                    n.role.clone(),
                    n.owner.clone(),
                ]
            })
            .collect(),
    );
    r.json = json!({ "matched": hits.iter().map(|&i| {
        let n = &ctx.topo.nodes()[i];
        json!({"id": n.id, "kind": n.kind, "role": n.role, "count": n.count, "owner": n.owner})
    }).collect::<Vec<_>>() });
    r.diagram = Some(capped_view(
        ctx.topo,
        ctx.lang,
        hits.clone(),
        &Highlights {
            selected: hits,
            impacted: vec![],
            ..Default::default()
        },
    ));
    r
}
