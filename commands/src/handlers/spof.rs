//! `spof`: single points of failure, ranked by what their loss cuts off.
//!
//! Grammar: `spof`, no arguments.

use super::{capped_view, name_with_count};
use crate::{Context, Reply};
use aiops_core::diagram::Highlights;
use aiops_core::query;
use serde_json::json;

/// `spof`: single points of failure, ranked.
pub fn spof(ctx: Context) -> Reply {
    let list = query::spof(ctx.topo);
    let mut r = Reply::new(format!(
        "spof: {} component(s) whose loss cuts entry points or callers off",
        list.len()
    ));
    r = r.table(
        list.iter()
            .enumerate()
            .map(|(k, s)| {
                let shown: Vec<&str> = s.cut_off.iter().take(4).map(String::as_str).collect();
                let more = if s.cut_off.len() > 4 {
                    format!(" …and {} more", s.cut_off.len() - 4)
                } else {
                    String::new()
                };
                vec![
                    format!("  {}.", k + 1),
                    name_with_count(&s.id, s.count),
                    if s.redundant {
                        "pool, has replicas".into()
                    } else if s.unknown_size {
                        "pool of unknown size (one row)".into()
                    } else if s.managed {
                        "managed resource: redundancy not in the sheet".into()
                    } else {
                        "single".into()
                    },
                    format!(
                        "{} entry point(s), {} caller(s)",
                        s.entry_points.len(),
                        s.dependents
                    ),
                    if s.cut_off.is_empty() {
                        String::new()
                    } else {
                        format!("cuts off {}: {}{more}", s.cut_off.len(), shown.join(", "))
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
