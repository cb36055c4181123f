//! Single points of failure: dominators of the flow from the entry points, and single
//! instances that entry points or several callers need.

use crate::graph::{NodeKind, ResourceKind, Topology};
use crate::vocabulary::role_is_pool;
use serde::Serialize;
use std::collections::VecDeque;

/// A component whose loss cuts some nodes off from every entry point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spof {
    pub id: String,
    pub kind: NodeKind,
    pub role: String,
    pub count: u32,
    /// Nodes that lose every route from the entry points when this one fails.
    pub cut_off: Vec<String>,
    /// Entry points whose traffic reaches this one (so is cut off from it when it fails).
    pub entry_points: Vec<String>,
    /// Nodes that call this one directly.
    pub dependents: usize,
    /// A pool with more than one instance: losing one node is survivable.
    pub redundant: bool,
    /// A managed resource (database, cache, queue, storage): the sheet does not show whether
    /// it is redundant.
    pub managed: bool,
    /// One row whose role says it is a node pool: its size is not in the sheet.
    pub unknown_size: bool,
}

/// Single points of failure, ranked: single instances before pools, then by how many entry
/// points reach them, then by how much they cut off plus how many call them directly.
///
/// A node is listed when its loss cuts entry points off from what they need (never one that
/// every caller calls only through an optional or on-demand link):
/// - it dominates others in the flow graph rooted at the entry points (every route from any
///   entry point to them passes through it), or
/// - it is a single instance (count 1) that an entry point's traffic reaches, or that two or
///   more components call directly.
///
/// - it is a managed resource (database, cache, queue, storage) that an entry point's traffic
///   reaches or two or more components call: listed as `managed`, since the sheet does not
///   show its redundancy;
/// - a single row whose role says it is a node pool is listed as `unknown_size`, not as a
///   single instance.
///
/// Ranked: single instances, managed resources, pools of unknown size, then pools with
/// replicas.
pub fn spof(topo: &Topology) -> Vec<Spof> {
    let ids = |v: &[usize]| v.iter().map(|&c| topo.nodes()[c].id.clone()).collect();
    spof_at(topo)
        .into_iter()
        .map(|s| {
            let node = &topo.nodes()[s.node];
            Spof {
                id: node.id.clone(),
                kind: node.kind,
                role: node.role.clone(),
                count: node.count,
                cut_off: ids(&s.cut_off),
                entry_points: ids(&s.entry_points),
                dependents: s.dependents,
                redundant: s.redundant,
                managed: s.managed,
                unknown_size: s.unknown_size,
            }
        })
        .collect()
}

/// [`spof`] by node position, ranked the same way, without building names.
pub(crate) struct SpofAt {
    pub node: usize,
    pub cut_off: Vec<usize>,
    pub entry_points: Vec<usize>,
    pub dependents: usize,
    pub redundant: bool,
    pub managed: bool,
    pub unknown_size: bool,
}

impl SpofAt {
    /// Ranking tier: single instances, managed resources, pools of unknown size, pools.
    fn tier(&self) -> u8 {
        if self.redundant {
            3
        } else if self.unknown_size {
            2
        } else if self.managed {
            1
        } else {
            0
        }
    }
}

/// Where traffic starts, as `spof` reads it: the entry points (external nodes nothing calls:
/// clients, load balancers), or, on a sheet that names none, the instances nothing calls; with
/// `true` in the second case. Without that fallback such a sheet had no single point of
/// failure at all, while `impact` said what breaks.
pub fn traffic_roots(topo: &Topology) -> (Vec<usize>, bool) {
    let n = topo.nodes().len();
    let entries: Vec<usize> = (0..n).filter(|&i| topo.is_entry_point(i)).collect();
    if !entries.is_empty() {
        return (entries, false);
    }
    let uncalled: Vec<usize> = (0..n)
        .filter(|&i| topo.nodes()[i].is_instance() && topo.in_degree(i) == 0)
        .collect();
    let fallback = !uncalled.is_empty();
    (uncalled, fallback)
}

pub(crate) fn spof_at(topo: &Topology) -> Vec<SpofAt> {
    let n = topo.nodes().len();
    let (entries, _) = traffic_roots(topo);
    let mut is_root = vec![false; n];
    for &e in &entries {
        is_root[e] = true;
    }
    let children = topo.immediately_dominated(&entries);
    let reach = EntryReach::new(topo, &entries);
    let mut out = Vec::new();
    for i in 0..n {
        if is_root[i] {
            continue;
        }
        // Called only through optional or on-demand links: its loss degrades its callers (as
        // `impact` says), it cuts nobody off.
        if topo.in_degree(i) > 0 && topo.incoming(i).all(|(_, e)| e.optional || e.on_demand) {
            continue;
        }
        let node = &topo.nodes()[i];
        let hits = reach.of(i);
        let dependents = topo.in_degree(i);
        let needed = !hits.is_empty() || dependents >= 2;
        let unknown_size = node.is_instance() && node.count == 1 && role_is_pool(&node.role);
        let single_needed = node.is_instance() && node.count == 1 && needed;
        let managed = matches!(
            node.resource,
            Some(
                ResourceKind::Database
                    | ResourceKind::Cache
                    | ResourceKind::Queue
                    | ResourceKind::Storage
            )
        );
        if children[i].is_empty() && !single_needed && !(managed && needed) {
            continue;
        }
        let mut cut = Vec::new();
        let mut stack = children[i].clone();
        while let Some(c) = stack.pop() {
            cut.push(c);
            stack.extend(children[c].iter().copied());
        }
        cut.sort_unstable();
        out.push(SpofAt {
            node: i,
            cut_off: cut,
            entry_points: hits,
            dependents,
            redundant: node.count > 1,
            managed,
            unknown_size,
        });
    }
    out.sort_by(|a, b| {
        a.tier()
            .cmp(&b.tier())
            .then(b.entry_points.len().cmp(&a.entry_points.len()))
            .then((b.cut_off.len() + b.dependents).cmp(&(a.cut_off.len() + a.dependents)))
            .then(a.node.cmp(&b.node))
    });
    out
}

/// Only the first this many entry points (in node order) are tracked when finding which reach
/// a node; later ones are not counted.
const MAX_TRACKED_ENTRY_POINTS: usize = 1024;

/// Which entry points need each node: one bit per entry point, spread forward along the
/// required edges (not optional, not on demand) until nothing changes (cycles included).
struct EntryReach<'e> {
    entries: &'e [usize],
    words: usize,
    bits: Vec<u64>,
}

impl<'e> EntryReach<'e> {
    fn new(topo: &Topology, entries: &'e [usize]) -> Self {
        let entries = &entries[..entries.len().min(MAX_TRACKED_ENTRY_POINTS)];
        let n = topo.nodes().len();
        let words = entries.len().div_ceil(64);
        let mut bits = vec![0u64; n * words];
        let mut queued = vec![false; n];
        let mut work: VecDeque<usize> = VecDeque::new();
        for (k, &e) in entries.iter().enumerate() {
            bits[e * words + k / 64] |= 1 << (k % 64);
            if !queued[e] {
                queued[e] = true;
                work.push_back(e);
            }
        }
        while let Some(u) = work.pop_front() {
            queued[u] = false;
            // Traffic that needs the next node: an optional or on-demand link does not.
            for (v, _) in topo
                .outgoing(u)
                .filter(|(_, e)| !e.optional && !e.on_demand)
            {
                let mut changed = false;
                for w in 0..words {
                    let add = bits[u * words + w] & !bits[v * words + w];
                    if add != 0 {
                        bits[v * words + w] |= add;
                        changed = true;
                    }
                }
                if changed && !queued[v] {
                    queued[v] = true;
                    work.push_back(v);
                }
            }
        }
        EntryReach {
            entries,
            words,
            bits,
        }
    }

    /// The entry points (node positions) that reach node `i`, itself excluded.
    fn of(&self, i: usize) -> Vec<usize> {
        let row = &self.bits[i * self.words..(i + 1) * self.words];
        self.entries
            .iter()
            .enumerate()
            .filter(|&(k, &e)| e != i && row[k / 64] & (1 << (k % 64)) != 0)
            .map(|(_, &e)| e)
            .collect()
    }
}
