//! `role` and `owner`: the instances whose role, or owner, contains a text.
//!
//! Grammar: `role TEXT`, `owner TEXT`. TEXT is matched as a substring, case-insensitively.

use super::{capped_view, name_with_count};
use crate::{Context, Reply, Status};
use aiops_core::diagram::Highlights;
use aiops_core::query;
use serde_json::json;

/// `role TEXT`: instances whose role contains the text.
pub fn role(ctx: Context, text: &str) -> Reply {
    let hits = query::by_role(ctx.topo, text);
    let n = hits.len();
    list_reply(
        ctx,
        format!("role {text}: {n} instance{}", if n == 1 { "" } else { "s" }),
        hits,
        format!("no instance has a role containing '{text}'"),
    )
}

/// `owner TEXT`: instances whose owner contains the text.
pub fn owner(ctx: Context, text: &str) -> Reply {
    let hits = query::by_owner(ctx.topo, text);
    let n = hits.len();
    let has_owners = ctx.topo.nodes().iter().any(|n| !n.owner.is_empty());
    let empty = if has_owners {
        format!("no instance has an owner containing '{text}'")
    } else {
        "the inventory has no owner column (负责人/Owner); add one to answer owner questions"
            .to_string()
    };
    list_reply(
        ctx,
        format!(
            "owner {text}: {n} instance{}",
            if n == 1 { "" } else { "s" }
        ),
        hits,
        empty,
    )
}

fn list_reply(ctx: Context, title: String, hits: Vec<usize>, empty: String) -> Reply {
    if hits.is_empty() {
        return Reply::user_error(Status::NotFound, empty);
    }
    let mut r = Reply::new(title);
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
        hits.clone(),
        &Highlights {
            selected: hits,
            impacted: vec![],
            ..Default::default()
        },
    ));
    r
}
