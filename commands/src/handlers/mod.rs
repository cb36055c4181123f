//! The command handlers, one module per command (`changes.rs` and `incident.rs` hold the
//! change and incident ones), and the wording they share: names with their pool size, and what
//! kind of node a name is. Each handler validates its input, runs the query against the
//! [`Context`](crate::Context), and builds the [`Reply`](crate::Reply).

mod deps;
mod export;
mod impact;
mod lint;
mod path;
mod role_owner;
mod spof;
mod view;
mod whois;

pub use deps::deps;
pub use export::{export, write_export_json};
pub use impact::impact;
pub use lint::lint;
pub use path::{path, PATH_LIMIT};
pub use role_owner::{owner, role};
pub use spof::spof;
pub use view::DIAGRAM_NODE_CAP;
pub use whois::whois;

pub(crate) use view::capped_view;

use crate::{t, Lang};
use aiops_core::graph::{NodeKind, Topology};

pub(crate) fn kind_text_in(lang: Lang, topo: &Topology, id: &str) -> String {
    match topo.node(id) {
        Some(n) if n.kind == NodeKind::External => match n.resource {
            Some(r) => t(lang, &format!("external · {}", r.label())),
            None => t(lang, "external"),
        },
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
