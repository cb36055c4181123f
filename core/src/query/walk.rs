//! Breadth-first walks along the relations, shared by deps and impact.

use crate::graph::{Edge, Topology};
use rustc_hash::FxHashMap as HashMap;
use std::collections::VecDeque;

/// A node reached by a breadth-first walk, with the edge that reached it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub(super) node: usize,
    pub(super) parent: usize,
    pub(super) hops: u32,
    pub(super) optional: bool,
    pub(super) on_demand: bool,
    pub(super) via: Vec<String>,
    pub(super) ambiguous: bool,
    /// The relation that reached this node is one the sheet contradicts (`Edge::is_doubtful`).
    pub(super) doubtful: bool,
    /// Some edge on the way here is optional or on demand.
    pub(super) soft: bool,
    /// Reached through a relation that passes through a failed node and another via node that
    /// is still up.
    pub(super) partial: bool,
}

/// Whether every node edge `k`'s relation passes through is among `failed`: via nodes are
/// alternatives, so the relation is cut only then.
pub(super) fn all_via_failed(topo: &Topology, k: usize, failed: &[usize]) -> bool {
    topo.via_nodes(k).all(|v| failed.contains(&v))
}

/// Breadth-first from `start`, forward (downstream) or backward (upstream), excluding `start`.
/// Returns steps in visiting order: by hops, then node order. With `failed`, the start nodes
/// are down, which also cuts the relations that pass through them. Doubtful relations are
/// followed only with `doubtful`.
pub(super) fn walk(
    topo: &Topology,
    start: &[usize],
    forward: bool,
    depth: u32,
    failed: bool,
    doubtful: bool,
) -> Vec<Step> {
    let mut seen: HashMap<usize, usize> = start.iter().map(|&s| (s, usize::MAX)).collect();
    let mut soft_at: HashMap<usize, bool> = start.iter().map(|&s| (s, false)).collect();
    // Whether the route that reached a node has a doubtful relation on it.
    let mut doubt_at: HashMap<usize, bool> = start.iter().map(|&s| (s, false)).collect();
    let mut out: Vec<Step> = Vec::new();
    let mut frontier: VecDeque<(usize, u32)> = start.iter().map(|&s| (s, 0)).collect();
    while let Some((at, hops)) = frontier.pop_front() {
        if hops >= depth {
            continue;
        }
        // A failed node also cuts the relations that pass through it (`经 APISIX`): their
        // callers break and their callees starve. Only the failed nodes themselves: a node
        // that is merely broken or starved still carries other traffic.
        // `partial`: another via node of that relation is still up (they are alternatives).
        let mut next: Vec<(usize, &Edge, bool)> = if forward {
            topo.outgoing(at).map(|(n, e)| (n, e, false)).collect()
        } else {
            topo.incoming(at).map(|(n, e)| (n, e, false)).collect()
        };
        if failed && hops == 0 {
            next.extend(topo.through(at).map(|(from, to, k, e)| {
                let partial = !all_via_failed(topo, k, start);
                (if forward { to } else { from }, e, partial)
            }));
        }
        if !doubtful {
            next.retain(|(_, e, _)| !e.is_doubtful());
        }
        next.sort_by_key(|&(n, _, partial)| (n, partial));
        for (n, e, partial) in next {
            let soft = soft_at.get(&at).copied().unwrap_or(false) || e.is_soft();
            let firm = !e.is_doubtful() && !doubt_at.get(&at).copied().unwrap_or(false);
            if let Some(&k) = seen.get(&n) {
                // Reached first by a worse route as short: one with a doubtful relation, or an
                // optional or on-demand one, when this one is firm, or firm and required. The
                // better one is the answer (`n` is not expanded yet: it is one hop further than
                // `at`, and the walk goes hop by hop).
                let had = (
                    doubt_at.get(&n).copied().unwrap_or(false),
                    soft_at.get(&n).copied().unwrap_or(false),
                );
                if k != usize::MAX && out[k].hops == hops + 1 && (!firm, soft) < had {
                    out[k] = step(n, at, hops + 1, e, soft, partial);
                    soft_at.insert(n, soft);
                    doubt_at.insert(n, false);
                }
                continue;
            }
            seen.insert(n, out.len());
            soft_at.insert(n, soft);
            doubt_at.insert(n, !firm);
            out.push(step(n, at, hops + 1, e, soft, partial));
            frontier.push_back((n, hops + 1));
        }
    }
    out.sort_by_key(|s| (s.hops, s.node));
    out
}

fn step(node: usize, parent: usize, hops: u32, e: &Edge, soft: bool, partial: bool) -> Step {
    Step {
        node,
        parent,
        hops,
        optional: e.optional,
        on_demand: e.on_demand,
        via: e.via.clone(),
        ambiguous: e.ambiguous,
        doubtful: e.is_doubtful(),
        soft,
        partial,
    }
}
