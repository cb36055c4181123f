//! The command handlers, one module per command (`changes.rs` and `incident.rs` hold the
//! change and incident ones; `alert.rs` answers alert webhooks with the incident's pieces), and the wording they share: names with their pool size, and what
//! kind of node a name is. Each handler validates its input, runs the query against the
//! [`Context`](crate::Context), and builds the [`Reply`](crate::Reply).

mod alert;
mod deps;
mod export;
mod impact;
mod lint;
mod path;
mod reconcile;
mod role_owner;
mod spof;
mod view;
mod whois;

pub use alert::{alert, ALERTS_LISTED, MAX_VALUE_CHARS};
pub use deps::deps;
pub use export::{export, write_export_json};
pub(crate) use impact::verdict;
pub use impact::{impact, impact_with};
pub use lint::lint;
pub use path::{path, PATH_LIMIT};
pub use reconcile::{
    drift_line, ec2_change_line, ec2_changes, ec2_digest, reconcile, running_text,
};
pub use role_owner::{owner, role};
pub use spof::spof;
pub use view::DIAGRAM_NODE_CAP;
pub use whois::whois;

pub(crate) use view::capped_view;

use crate::{Lang, Msg};
use aiops_core::graph::{NodeKind, ResourceKind, Topology};
use aiops_core::query::{Rule, Selection};

/// The ids a pattern also matched but did not select, for the JSON's `also_matches`.
pub(crate) fn also_ids(topo: &Topology, sel: &Selection) -> Vec<String> {
    sel.also_matches
        .iter()
        .map(|&i| topo.nodes()[i].id.clone())
        .collect()
}

/// What a selection chose when the pattern could mean more: "selected our instances; also
/// matches: ALB apisix-public, ALB apisix-internal (use the full name to select them)".
pub(crate) fn selection_note(topo: &Topology, sel: &Selection, lang: Lang) -> Option<String> {
    if sel.rule != Rule::Instances || sel.also_matches.is_empty() {
        return None;
    }
    let also: Vec<&str> = sel
        .also_matches
        .iter()
        .take(8)
        .map(|&i| topo.nodes()[i].id.as_str())
        .collect();
    let more = sel.also_matches.len().saturating_sub(also.len());
    Some(format!(
        "{}; {}: {}{} ({})",
        Msg::SelectedInstances.text(lang),
        Msg::AlsoMatches.text(lang),
        also.join(", "),
        if more > 0 {
            format!(" +{more}")
        } else {
            String::new()
        },
        Msg::UseFullName.text(lang),
    ))
}

pub(crate) fn kind_text_in(lang: Lang, topo: &Topology, id: &str) -> String {
    match topo.node(id) {
        // Core gives every external node a kind; `other` if it ever did not.
        Some(n) if n.kind == NodeKind::External => {
            Msg::External(n.resource.unwrap_or(ResourceKind::Other))
                .text(lang)
                .into()
        }
        Some(n) => n.role.clone(),
        None => String::new(),
    }
}

pub(crate) fn name_with_count(id: &str, count: u32) -> String {
    if count > 1 {
        format!("{id} ×{count}")
    } else {
        id.to_string()
    }
}
