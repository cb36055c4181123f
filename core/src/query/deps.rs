//! Deps: what each selected node calls and what calls it, some hops out.

use super::walk::{walk, Step};
use crate::graph::{NodeKind, Topology};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Both,
}

/// A node next to (or `hops` away from) a matched node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Neighbor {
    pub id: String,
    pub kind: NodeKind,
    pub role: String,
    pub count: u32,
    pub optional: bool,
    pub on_demand: bool,
    pub via: Vec<String>,
    pub ambiguous: bool,
    /// The sheet contradicts this relation (a copied row, a direction conflict).
    pub doubtful: bool,
    pub hops: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepsEntry {
    pub id: String,
    pub kind: NodeKind,
    pub role: String,
    pub count: u32,
    pub owner: String,
    pub upstream: Vec<Neighbor>,
    pub downstream: Vec<Neighbor>,
}

/// What each selected node calls (downstream) and what calls it (upstream), up to `depth` hops.
pub fn deps(topo: &Topology, sel: &[usize], dir: Direction, depth: u32) -> Vec<DepsEntry> {
    let depth = depth.max(1);
    sel.iter()
        .map(|&i| {
            let n = &topo.nodes()[i];
            let up = if dir != Direction::Down {
                walk(topo, &[i], false, depth, false, true)
            } else {
                Vec::new()
            };
            let down = if dir != Direction::Up {
                walk(topo, &[i], true, depth, false, true)
            } else {
                Vec::new()
            };
            DepsEntry {
                id: n.id.clone(),
                kind: n.kind,
                role: n.role.clone(),
                count: n.count,
                owner: n.owner.clone(),
                upstream: up.iter().map(|s| neighbor(topo, s)).collect(),
                downstream: down.iter().map(|s| neighbor(topo, s)).collect(),
            }
        })
        .collect()
}

fn neighbor(topo: &Topology, s: &Step) -> Neighbor {
    let n = &topo.nodes()[s.node];
    Neighbor {
        id: n.id.clone(),
        kind: n.kind,
        role: n.role.clone(),
        count: n.count,
        optional: s.optional,
        on_demand: s.on_demand,
        via: s.via.clone(),
        ambiguous: s.ambiguous,
        doubtful: s.doubtful,
        hops: s.hops,
    }
}
