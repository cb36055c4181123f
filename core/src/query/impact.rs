//! Impact: who breaks upstream and who starves downstream when the selected nodes fail,
//! softened by redundancy.

use super::walk::{all_via_failed, walk, Step};
use crate::graph::{NodeKind, Topology};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A caller: it breaks when the target fails.
    Upstream,
    /// A callee: it is starved of the target's traffic.
    Downstream,
}

/// What a failure does to one impacted component, as an incident commander reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// A hard dependency failed and no alternative is left.
    Broken,
    /// Only optional or on-demand links failed, or an alternative or replicas remain.
    Degraded,
    /// Downstream: no live source reaches it any more.
    CutOff,
    /// Downstream: other live sources still reach it.
    PartlyFed,
    /// A gateway, load balancer, client or person that routes to something broken but is not
    /// itself broken.
    Exposed,
    /// Reached only through doubtful relations.
    Doubtful,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impacted {
    pub id: String,
    pub kind: NodeKind,
    pub role: String,
    pub count: u32,
    pub side: Side,
    pub hops: u32,
    /// From the impacted node to the failed target (upstream side), or from the target to the
    /// impacted node (downstream side), following traffic.
    pub path: Vec<String>,
    /// Redundancy softens the blow: the failed target is a pool with replicas left, or (for a
    /// starved node) another live source still feeds it.
    pub redundant: bool,
    /// Every route to the failure has an optional or on-demand relation on it.
    pub soft: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub targets: Vec<String>,
    pub impacted: Vec<Impacted>,
    /// Entry points (ALBs, clients, people) whose traffic reaches the failure.
    pub entry_points: Vec<String>,
}

/// Supposes the selected nodes fail: who breaks upstream, who starves downstream, which entry
/// points are hit. `depth` bounds the hops (unbounded when `None`).
pub fn impact(topo: &Topology, sel: &[usize], depth: Option<u32>) -> Impact {
    let depth = depth.unwrap_or(u32::MAX);
    let up = walk(topo, sel, false, depth, true);
    let down = walk(topo, sel, true, depth, true);
    let is_target = |i: usize| sel.contains(&i);
    // Who can still feed a starved node: not a target, not a broken caller, and not itself
    // starved without another source. Decided in hop order, so a node's sources come first.
    // Relations whose every via node failed are cut even though both ends are up.
    let cut: HashSet<(usize, usize)> = sel
        .iter()
        .flat_map(|&t| {
            topo.through(t)
                .filter(|&(_, _, k, _)| all_via_failed(topo, k, sel))
                .map(|(a, b, _, _)| (a, b))
        })
        .collect();
    let mut dead: HashSet<usize> = sel.iter().copied().collect();
    dead.extend(up.iter().map(|s| s.node));
    let mut fed: HashMap<usize, bool> = HashMap::new();
    for s in &down {
        let alive = topo.incoming(s.node).any(|(p, _)| {
            !dead.contains(&p)
                && fed.get(&p).copied().unwrap_or(true)
                && !cut.contains(&(p, s.node))
        });
        fed.insert(s.node, alive);
        if !alive {
            dead.insert(s.node);
        }
    }
    let mut impacted = Vec::with_capacity(up.len() + down.len());
    for (steps, side) in [(&up, Side::Upstream), (&down, Side::Downstream)] {
        let at: HashMap<usize, &Step> = steps.iter().map(|s| (s.node, s)).collect();
        for s in steps {
            let mut chain = vec![s.node];
            let mut cur = s;
            let mut other_route = s.partial;
            while !is_target(cur.parent) {
                match at.get(&cur.parent) {
                    Some(p) => {
                        chain.push(p.node);
                        other_route |= p.partial;
                        cur = p;
                    }
                    None => break,
                }
            }
            chain.push(cur.parent);
            let target = cur.parent;
            if side == Side::Downstream {
                chain.reverse();
            }
            let pool_left = topo.nodes().get(target).is_some_and(|t| t.count > 1);
            let fed_elsewhere =
                side == Side::Downstream && fed.get(&s.node).copied().unwrap_or(false);
            let n = &topo.nodes()[s.node];
            impacted.push(Impacted {
                id: n.id.clone(),
                kind: n.kind,
                role: n.role.clone(),
                count: n.count,
                side,
                hops: s.hops,
                path: chain.iter().map(|&i| topo.nodes()[i].id.clone()).collect(),
                redundant: pool_left || fed_elsewhere || other_route,
                soft: s.soft,
            });
        }
    }
    let mut entry: Vec<usize> = up
        .iter()
        .map(|s| s.node)
        .chain(sel.iter().copied())
        .filter(|&i| topo.is_entry_point(i))
        .collect();
    entry.sort_unstable();
    entry.dedup();
    Impact {
        targets: sel.iter().map(|&i| topo.nodes()[i].id.clone()).collect(),
        impacted,
        entry_points: entry.iter().map(|&i| topo.nodes()[i].id.clone()).collect(),
    }
}
