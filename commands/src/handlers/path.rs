//! `path`: the dependency paths between two components.
//!
//! Grammar: `path FROM TO`. FROM and TO are patterns as for `deps`. Paths follow traffic from
//! FROM to TO; when there is none, the reverse direction is tried and the title says so.

use super::capped_view;
use crate::{Context, Msg, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::query;
use serde_json::json;

/// Most paths shown by `path`.
pub const PATH_LIMIT: usize = 10;
const PATH_MAX_HOPS: usize = 8;

/// `path FROM TO`: dependency paths following traffic; if none, the reverse direction.
pub fn path(ctx: Context, from: &str, to: &str) -> Reply {
    let (a, b) = match (query::select(ctx.topo, from), query::select(ctx.topo, to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Reply::query_error(&e, ctx.lang),
    };
    let mut found = query::paths(ctx.topo, &a, &b, PATH_LIMIT, PATH_MAX_HOPS);
    let mut reversed = false;
    if found.is_empty() {
        found = query::paths(ctx.topo, &b, &a, PATH_LIMIT, PATH_MAX_HOPS);
        reversed = !found.is_empty();
    }
    let outcome = if found.is_empty() {
        Msg::NoPath {
            max_hops: PATH_MAX_HOPS,
        }
    } else if reversed {
        Msg::PathsReversed {
            from,
            to,
            paths: found.len(),
        }
    } else {
        Msg::Paths(found.len())
    };
    let mut r = Reply::new(format!("path {from} → {to}: {}", outcome.text(ctx.lang)));
    for p in &found {
        r = r.text(p.join(" → "));
    }
    let mut order: Vec<usize> = Vec::new();
    for p in &found {
        order.extend(p.iter().filter_map(|id| ctx.topo.index(id)));
    }
    let mut ends = a.clone();
    ends.extend(&b);
    r.diagram = Some(capped_view(
        ctx.topo,
        ctx.lang,
        order,
        &Highlights {
            selected: ends,
            impacted: vec![],
            ..Default::default()
        },
    ));
    r.json = json!({ "from": from, "to": to, "reversed": reversed, "paths": found });
    r
}
