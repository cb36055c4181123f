//! The diff diagram: what changed and its direct neighbours, drawn from the union of both
//! inventories. Added is green, removed red and dashed, changed amber.

use super::{exact_index, InventoryDiff};
use crate::diagram::{Diagram, DiagramEdge, DiagramNode, NodeClass};
use crate::graph::{pool_label, Edge, NodeKind, Topology};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The neighbourhood of the changes in `d` (computed from `old` to `new`), at most `cap` boxes:
/// changed nodes first, then the other ends of changed relations, then their direct neighbours.
pub fn diagram(d: &InventoryDiff, old: &Topology, new: &Topology, cap: usize) -> Diagram {
    // Distinct ids in order, borrowed: only the first `cap` are drawn, the rest only counted (a
    // whole new inventory names every node here, and owned copies of them all cost more than
    // the diagram).
    let mut ids = Distinct {
        seen: HashSet::new(),
        first: Vec::new(),
        cap,
    };
    let changed = d
        .added_instances
        .iter()
        .chain(&d.removed_instances)
        .chain(d.changed_instances.iter().map(|c| &c.id))
        .chain(&d.new_spofs)
        .chain(&d.cleared_spofs);
    for id in changed.clone() {
        ids.add(id);
    }
    let changed_nodes = ids.seen.len();
    let edge_ends = d
        .added_edges
        .iter()
        .chain(&d.removed_edges)
        .map(|e| (&e.from, &e.to))
        .chain(d.changed_edges.iter().map(|e| (&e.from, &e.to)));
    for (from, to) in edge_ends {
        ids.add(from);
        ids.add(to);
    }
    let mut next: Vec<usize> = Vec::new();
    for id in changed {
        for topo in [new, old] {
            let Some(i) = exact_index(topo, id) else {
                continue;
            };
            next.clear();
            next.extend(topo.outgoing(i).chain(topo.incoming(i)).map(|(j, _)| j));
            next.sort_unstable();
            next.dedup();
            for &j in &next {
                ids.add(&topo.nodes()[j].id);
            }
        }
    }
    let total = ids.seen.len();
    let ids = ids.first;

    let pos: HashMap<&str, usize> = ids.iter().enumerate().map(|(p, &id)| (id, p)).collect();
    // Notes only for the boxes drawn.
    let mut notes: HashMap<&str, Vec<String>> = HashMap::new();
    for c in d
        .changed_instances
        .iter()
        .filter(|c| pos.contains_key(&*c.id))
    {
        notes
            .entry(c.id.as_str())
            .or_default()
            .push(format!("{} {} → {}", c.field, c.old, c.new));
    }
    for s in d.new_spofs.iter().filter(|s| pos.contains_key(s.as_str())) {
        notes
            .entry(s.as_str())
            .or_default()
            .push("new single point of failure".into());
    }
    let nodes = ids
        .iter()
        .map(|&id| node(id, old, new, notes.get(id)))
        .collect();

    // Relations between drawn boxes, from either inventory, keyed by position for a stable order.
    let mut rels: BTreeMap<(usize, usize), Sides> = BTreeMap::new();
    for (side, topo) in [(0, old), (1, new)] {
        for &id in &ids {
            let Some(i) = exact_index(topo, id) else {
                continue;
            };
            for (_, e) in topo.outgoing(i) {
                let (Some(&a), Some(&b)) = (pos.get(&*e.from), pos.get(&*e.to)) else {
                    continue;
                };
                let slot = rels.entry((a, b)).or_default();
                if side == 0 {
                    slot.0 = Some(e);
                } else {
                    slot.1 = Some(e);
                }
            }
        }
    }
    let edges = rels
        .into_iter()
        .map(|((from, to), sides)| {
            let (label, dashed) = match sides {
                (None, Some(e)) => (Some("added".to_string()), e.is_soft()),
                (Some(_), None) => (Some("removed".to_string()), true),
                (Some(a), Some(b)) if flags(a) != flags(b) => {
                    (Some("flags changed".to_string()), b.is_soft())
                }
                (_, Some(e)) => (None, e.is_soft()),
                (None, None) => (None, false),
            };
            DiagramEdge {
                from,
                to,
                label,
                dashed,
                doubtful: false,
            }
        })
        .collect();

    let mut caption = format!(
        "Changes: {} node(s) added, removed or changed, {} relation(s) added, removed or changed.",
        changed_nodes,
        d.added_edges.len() + d.removed_edges.len() + d.changed_edges.len()
    );
    if total > cap {
        caption.push_str(&format!(
            " Diagram shows {cap} of {total} nodes; +{} farther away are left out.",
            total - cap
        ));
    }
    Diagram {
        nodes,
        edges,
        caption,
    }
}

/// Ids in the order first seen: the first `cap` kept, all of them counted.
struct Distinct<'a> {
    seen: HashSet<&'a str>,
    first: Vec<&'a str>,
    cap: usize,
}

impl<'a> Distinct<'a> {
    fn add(&mut self, id: &'a str) {
        if self.seen.insert(id) && self.first.len() < self.cap {
            self.first.push(id);
        }
    }
}

/// A relation as the old and the new inventory state it.
type Sides<'a> = (Option<&'a Edge>, Option<&'a Edge>);

fn flags(e: &Edge) -> (bool, bool, &[String], bool) {
    (e.optional, e.on_demand, &e.via, e.is_doubtful())
}

fn node(id: &str, old: &Topology, new: &Topology, notes: Option<&Vec<String>>) -> DiagramNode {
    let in_old = exact_index(old, id).map(|i| &old.nodes()[i]);
    let in_new = exact_index(new, id).map(|i| &new.nodes()[i]);
    let shown = in_new.or(in_old);
    let class = match (in_old, in_new) {
        (None, Some(_)) => NodeClass::Added,
        (Some(_), None) => NodeClass::Removed,
        _ if notes.is_some() => NodeClass::Changed,
        _ if shown.is_some_and(|n| n.kind == NodeKind::External) => NodeClass::External,
        _ => NodeClass::Instance,
    };
    let mut lines = vec![pool_label(id, shown.map_or(0, |n| n.count))];
    if let Some(n) = shown.filter(|n| !n.role.is_empty()) {
        lines.push(n.role.clone());
    }
    if let Some(notes) = notes {
        lines.extend(notes.iter().take(2).cloned());
    }
    DiagramNode {
        key: id.to_string(),
        lines,
        class,
        group: shown.and_then(|n| n.resource),
    }
}
