//! Search: instances by role or owner text.

use crate::graph::{Node, Topology};
use crate::text::key;

/// Instances whose role contains `text` (width- and case-insensitive), in sheet order.
pub fn by_role(topo: &Topology, text: &str) -> Vec<usize> {
    instances_whose(topo, text, |n| &n.role)
}

/// Instances whose owner contains `text`, in sheet order.
pub fn by_owner(topo: &Topology, text: &str) -> Vec<usize> {
    instances_whose(topo, text, |n| &n.owner)
}

/// Instances whose `field` contains `text` by [`key`]; none for an empty text.
fn instances_whose(topo: &Topology, text: &str, field: impl Fn(&Node) -> &str) -> Vec<usize> {
    let k = key(text);
    if k.is_empty() {
        return Vec::new();
    }
    (0..topo.nodes().len())
        .filter(|&i| {
            let n = &topo.nodes()[i];
            n.is_instance() && key(field(n)).contains(&k)
        })
        .collect()
}
