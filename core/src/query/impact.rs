//! Impact: suppose the selected nodes fail. Who breaks upstream, who is cut off downstream,
//! which gateways and entry points are exposed, whether customers are hit, and what the
//! doubtful relations would add.
//!
//! Rules (the README's "Impact" section says the same with examples):
//! - The selection fails as a whole (every replica of a pool). With `one_node`, a selected
//!   pool loses one node only: its callers are degraded (capacity), nothing breaks through it.
//! - A caller with a hard relation to something failed or broken is `broken`, unless another
//!   end of the same `/` list in the same cell, of the same kind, is still up, or the relation
//!   passes through several via nodes and one is still up: then `degraded`. Optional and
//!   on-demand relations only degrade.
//! - Gateways, load balancers, clients, people and callers outside the sheet (entry points)
//!   route traffic rather than serve it: where they would break they are `exposed`.
//! - Downstream, a node no live source reaches any more is `cut_off`; one that other live
//!   sources still reach is `partly_fed`.
//! - Doubtful relations (`Edge::doubt`) are left out of all of that; what they would add is
//!   listed as `doubtful` ("possibly").
//! - Customers are hit when a client or load balancer with no callers (a customer-facing entry
//!   point) reaches something failed or broken through exposed gateways, by certain relations.
//!   The verdict ignores `depth`, which only shortens the listing.

use super::walk::{all_via_failed, walk, Step};
use crate::cell::parse_cell;
use crate::graph::{Edge, NodeKind, ResourceKind, Topology};
use crate::text::key;
use crate::vocabulary::{classify_resource, role_is_gateway};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

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

impl Effect {
    /// Every effect, most harmful first: the order replies list them in.
    pub const BY_HARM: [Effect; 6] = [
        Effect::Broken,
        Effect::Exposed,
        Effect::Degraded,
        Effect::CutOff,
        Effect::PartlyFed,
        Effect::Doubtful,
    ];
}

/// What kind of thing an impacted node is, for the headline's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// One of our instances.
    Service,
    /// A managed resource or piece of infrastructure outside the sheet's rows.
    ManagedResource,
    /// A load balancer, client, person or outside caller.
    EntryPoint,
    /// A word the sheet uses that names nothing known.
    Other,
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
    /// An alternative remains: replicas (with `one_node`), another end of a `/` list or via,
    /// or another live source.
    pub redundant: bool,
    /// Every route to the failure has an optional or on-demand relation on it.
    pub soft: bool,
    pub effect: Effect,
    pub reach: Reach,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub targets: Vec<String>,
    pub impacted: Vec<Impacted>,
    /// Entry points (ALBs, clients, people) whose traffic reaches the failure.
    pub entry_points: Vec<String>,
    /// Whether a customer-facing entry point reaches something failed or broken.
    pub customers_hit: bool,
    /// The shortest such route from each customer-facing entry point, entry point first.
    pub customer_routes: Vec<Vec<String>>,
    /// Impacted nodes by effect, over the whole graph (not only the listed depth).
    pub counts: BTreeMap<Effect, u32>,
    /// Impacted nodes by kind (doubtful ones left out), over the whole graph.
    pub kinds: BTreeMap<Reach, u32>,
    /// Only one node of each selected pool was supposed lost.
    pub one_node: bool,
    /// The listing stops after this many hops; counts and the verdict do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
}

/// How an impact question is asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImpactOptions {
    /// List only this many hops (the verdict and counts still cover everything).
    pub depth: Option<u32>,
    /// Lose one node of each selected pool instead of the whole pool.
    pub one_node: bool,
    /// Pools that fail whole even with `one_node`: their running nodes are all in one
    /// availability zone (known from EC2), so one failure domain takes them all.
    pub one_zone: Vec<usize>,
}

/// Supposes the selected nodes fail and says what that does.
pub fn impact(topo: &Topology, sel: &[usize], opts: &ImpactOptions) -> Impact {
    let thinned: Vec<usize> = if opts.one_node {
        sel.iter()
            .copied()
            .filter(|&i| topo.nodes()[i].count > 1 && !opts.one_zone.contains(&i))
            .collect()
    } else {
        Vec::new()
    };
    let failed: Vec<usize> = sel
        .iter()
        .copied()
        .filter(|i| !thinned.contains(i))
        .collect();
    let certain = analyse(topo, sel, &failed, &thinned, false);
    let possible = analyse(topo, sel, &failed, &thinned, true);
    let known: HashSet<usize> = certain.iter().map(|f| f.node).collect();
    let mut found = certain.clone();
    for mut f in possible {
        if !known.contains(&f.node) {
            f.effect = Effect::Doubtful;
            found.push(f);
        }
    }
    let mut counts: BTreeMap<Effect, u32> = BTreeMap::new();
    let mut kinds: BTreeMap<Reach, u32> = BTreeMap::new();
    let mut counted: HashSet<usize> = HashSet::default();
    // A node on both sides counts once, by its upstream (worse) effect: upstream comes first.
    for f in &found {
        if counted.insert(f.node) {
            *counts.entry(f.effect).or_default() += 1;
            if f.effect != Effect::Doubtful {
                *kinds.entry(reach(topo, f.node)).or_default() += 1;
            }
        }
    }
    let dead: HashSet<usize> = failed
        .iter()
        .copied()
        .chain(
            certain
                .iter()
                .filter(|f| f.effect == Effect::Broken)
                .map(|f| f.node),
        )
        .collect();
    let exposed: HashSet<usize> = certain
        .iter()
        .filter(|f| f.effect == Effect::Exposed)
        .map(|f| f.node)
        .collect();
    let customer_routes = customer_routes(topo, sel, &dead, &exposed);
    let mut entry: Vec<usize> = found
        .iter()
        .filter(|f| f.side == Side::Upstream && f.effect != Effect::Doubtful)
        .map(|f| f.node)
        .chain(sel.iter().copied())
        .filter(|&i| topo.is_entry_point(i))
        .collect();
    entry.sort_unstable();
    entry.dedup();
    let depth = opts.depth.unwrap_or(u32::MAX);
    let id = |i: usize| topo.nodes()[i].id.clone();
    let impacted = found
        .iter()
        .filter(|f| f.hops <= depth)
        .map(|f| {
            let n = &topo.nodes()[f.node];
            Impacted {
                id: n.id.clone(),
                kind: n.kind,
                role: n.role.clone(),
                count: n.count,
                side: f.side,
                hops: f.hops,
                path: f.path.iter().map(|&i| id(i)).collect(),
                redundant: f.redundant,
                soft: f.soft,
                effect: f.effect,
                reach: reach(topo, f.node),
            }
        })
        .collect();
    Impact {
        targets: sel.iter().map(|&i| id(i)).collect(),
        impacted,
        entry_points: entry.into_iter().map(id).collect(),
        customers_hit: !customer_routes.is_empty(),
        customer_routes: customer_routes
            .into_iter()
            .map(|r| r.into_iter().map(id).collect())
            .collect(),
        counts,
        kinds,
        one_node: opts.one_node,
        depth: opts.depth,
    }
}

/// One impacted node as the analysis found it.
#[derive(Debug, Clone)]
struct Found {
    node: usize,
    side: Side,
    hops: u32,
    path: Vec<usize>,
    effect: Effect,
    redundant: bool,
    soft: bool,
}

/// Whether a node routes traffic rather than serves it: load balancers, clients, people,
/// gateway roles, via nodes, and outside callers with no callers of their own.
fn routes_traffic(topo: &Topology, i: usize) -> bool {
    let n = &topo.nodes()[i];
    matches!(
        n.resource,
        Some(ResourceKind::LoadBalancer | ResourceKind::Client | ResourceKind::People)
    ) || role_is_gateway(&n.role)
        || topo.through(i).next().is_some()
        || topo.is_entry_point(i)
}

fn reach(topo: &Topology, i: usize) -> Reach {
    let n = &topo.nodes()[i];
    match n.resource {
        None => Reach::Service,
        Some(ResourceKind::LoadBalancer | ResourceKind::Client | ResourceKind::People) => {
            Reach::EntryPoint
        }
        Some(ResourceKind::Other) if topo.is_entry_point(i) => Reach::EntryPoint,
        Some(ResourceKind::Other) => Reach::Other,
        Some(_) => Reach::ManagedResource,
    }
}

/// The kind a `/` alternative must share: the same role, or the same kind of resource.
fn alternative_kind(topo: &Topology, i: usize) -> Option<String> {
    let n = &topo.nodes()[i];
    if n.is_instance() {
        let by_role = classify_resource(&n.role);
        return Some(if by_role == ResourceKind::Other {
            key(&n.role)
        } else {
            format!("{by_role:?}")
        });
    }
    match n.resource {
        Some(ResourceKind::Other) | None => None,
        Some(k) => Some(format!("{k:?}")),
    }
}

/// Whether caller `c`'s relation `e` to `x` has a live alternative: another end of the same
/// `/` list in the same cell, of the same kind, that is not down.
fn has_alternative(
    topo: &Topology,
    c: usize,
    x: usize,
    e: &Edge,
    down: &dyn Fn(usize) -> bool,
) -> bool {
    let Some(kind) = alternative_kind(topo, x) else {
        return false;
    };
    let mentions = parse_cell(&e.source.text);
    let siblings: Vec<&str> = mentions
        .iter()
        .filter(|m| m.text == *e.source.word)
        .flat_map(|m| {
            mentions
                .iter()
                .filter(move |o| o.item == m.item && o.text != m.text)
                .map(|o| o.text.as_str())
        })
        .collect();
    if siblings.is_empty() {
        return false;
    }
    topo.outgoing(c).any(|(y, f)| {
        y != x
            && !down(y)
            && !f.is_doubtful()
            && f.sources().any(|p| {
                p.row == e.source.row
                    && p.column == e.source.column
                    && siblings.iter().any(|s| *s == &*p.word)
            })
            && alternative_kind(topo, y).as_deref() == Some(kind.as_str())
    })
}

/// The effects of failing `failed` (and thinning `thinned`), following doubtful relations only
/// with `doubtful`. Upstream entries first, each side in walk order.
fn analyse(
    topo: &Topology,
    sel: &[usize],
    failed: &[usize],
    thinned: &[usize],
    doubtful: bool,
) -> Vec<Found> {
    let up = walk(topo, sel, false, u32::MAX, true, doubtful);
    let down = walk(topo, sel, true, u32::MAX, true, doubtful);
    // Per node, dense: a 100k-node graph's upstream walk can reach most of it, and these are
    // asked for every relation of every caller in every round.
    let n = topo.nodes().len();
    let mut state = vec![0u8; n];
    const FAILED: u8 = 1;
    const THINNED: u8 = 2;
    for &i in failed {
        state[i] |= FAILED;
    }
    for &i in thinned {
        state[i] |= THINNED;
    }
    let is_failed = |i: usize| state[i] & FAILED != 0;
    let is_thinned = |i: usize| state[i] & THINNED != 0;
    let selected: HashSet<usize> = sel.iter().copied().collect();
    let mut up_at_pos = vec![u32::MAX; n];
    for (p, s) in up.iter().enumerate() {
        up_at_pos[s.node] = p as u32;
    }
    let up_pos = |i: usize| Some(up_at_pos[i] as usize).filter(|&p| p != u32::MAX as usize);
    let routers: Vec<bool> = up.iter().map(|s| routes_traffic(topo, s.node)).collect();
    // Relations cut or thinned because they pass through a failed via node: (from, to) →
    // every via node failed.
    let mut through: HashMap<(usize, usize), bool> = HashMap::default();
    // By caller: (every via node failed, the relation is optional or on demand).
    let mut cut_for: HashMap<usize, Vec<(bool, bool)>> = HashMap::default();
    for &v in failed {
        for (a, b, k, e) in topo.through(v) {
            if doubtful || !e.is_doubtful() {
                let all = all_via_failed(topo, k, failed);
                if through.insert((a, b), all).is_none() {
                    cut_for.entry(a).or_default().push((all, e.is_soft()));
                }
            }
        }
    }
    // Upstream effects, raised until nothing changes: a caller's effect depends on its
    // callees' effects, which may be further from the failure in a cycle.
    let mut effect: Vec<Option<Effect>> = vec![None; up.len()];
    let mut redundant: Vec<bool> = vec![false; up.len()];
    let severity = |e: Effect| match e {
        Effect::Broken => 3,
        Effect::Exposed => 2,
        _ => 1,
    };
    for _round in 0..=up.len() {
        let mut changed = false;
        for (p, s) in up.iter().enumerate() {
            let c = s.node;
            let router = routers[p];
            let down_now = |y: usize| {
                is_failed(y) || up_pos(y).is_some_and(|q| effect[q] == Some(Effect::Broken))
            };
            let mut worst: Option<Effect> = None;
            let mut alt = false;
            let raise = |e: Effect, worst: &mut Option<Effect>| {
                if worst.is_none_or(|w| severity(e) > severity(w)) {
                    *worst = Some(e);
                }
            };
            for (x, e) in topo.outgoing(c) {
                if !doubtful && e.is_doubtful() {
                    continue;
                }
                let hard_loss = if is_failed(x) {
                    true
                } else if is_thinned(x) {
                    alt = true;
                    raise(Effect::Degraded, &mut worst);
                    continue;
                } else if let Some(q) = up_pos(x) {
                    match effect[q] {
                        Some(Effect::Broken) => true,
                        Some(Effect::Exposed) => {
                            raise(
                                if router {
                                    Effect::Exposed
                                } else {
                                    Effect::Degraded
                                },
                                &mut worst,
                            );
                            continue;
                        }
                        Some(_) => {
                            raise(Effect::Degraded, &mut worst);
                            continue;
                        }
                        None => continue,
                    }
                } else {
                    continue;
                };
                debug_assert!(hard_loss);
                if e.is_soft() {
                    raise(Effect::Degraded, &mut worst);
                } else if has_alternative(topo, c, x, e, &down_now) {
                    alt = true;
                    raise(Effect::Degraded, &mut worst);
                } else {
                    raise(
                        if router {
                            Effect::Exposed
                        } else {
                            Effect::Broken
                        },
                        &mut worst,
                    );
                }
            }
            for &(all, soft) in cut_for.get(&c).into_iter().flatten() {
                if all && !soft {
                    raise(
                        if router {
                            Effect::Exposed
                        } else {
                            Effect::Broken
                        },
                        &mut worst,
                    );
                } else {
                    alt |= !all;
                    raise(Effect::Degraded, &mut worst);
                }
            }
            if worst.is_some() && worst != effect[p] {
                effect[p] = worst;
                redundant[p] = alt;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::with_capacity(up.len() + down.len());
    let up_at: HashMap<usize, &Step> = up.iter().map(|s| (s.node, s)).collect();
    for (p, s) in up.iter().enumerate() {
        let Some(e) = effect[p] else { continue };
        out.push(found_at(
            &up_at,
            s,
            &selected,
            Side::Upstream,
            e,
            redundant[p],
        ));
    }
    // Downstream: who can still feed a node: not failed, not broken upstream, not itself cut
    // off, and not by a relation whose every via node failed. Decided in hop order.
    let mut dead: HashSet<usize> = failed.iter().copied().collect();
    dead.extend(
        out.iter()
            .filter(|f| f.effect == Effect::Broken)
            .map(|f| f.node),
    );
    let mut fed: HashMap<usize, bool> = HashMap::default();
    let down_at: HashMap<usize, &Step> = down.iter().map(|s| (s.node, s)).collect();
    for s in &down {
        let alive = topo.incoming(s.node).any(|(p, e)| {
            (doubtful || !e.is_doubtful())
                && !dead.contains(&p)
                && fed.get(&p).copied().unwrap_or(true)
                && through.get(&(p, s.node)) != Some(&true)
        });
        fed.insert(s.node, alive);
        if !alive {
            dead.insert(s.node);
        }
        let e = if alive {
            Effect::PartlyFed
        } else {
            Effect::CutOff
        };
        out.push(found_at(&down_at, s, &selected, Side::Downstream, e, alive));
    }
    out
}

/// The entry for step `s`, with its path to (or from) the selection.
fn found_at(
    at: &HashMap<usize, &Step>,
    s: &Step,
    sel: &HashSet<usize>,
    side: Side,
    effect: Effect,
    redundant: bool,
) -> Found {
    let mut chain = vec![s.node];
    let mut cur = s;
    while !sel.contains(&cur.parent) {
        match at.get(&cur.parent) {
            Some(p) => {
                chain.push(p.node);
                cur = p;
            }
            None => break,
        }
    }
    chain.push(cur.parent);
    if side == Side::Downstream {
        chain.reverse();
    }
    Found {
        node: s.node,
        side,
        hops: s.hops,
        path: chain,
        effect,
        redundant: redundant || s.partial,
        soft: s.soft,
    }
}

/// From each customer-facing entry point, the shortest route by certain relations through
/// exposed nodes to something failed or broken. A relation that passes through via nodes is
/// walked through them (entry → gateway → service).
fn customer_routes(
    topo: &Topology,
    sel: &[usize],
    dead: &HashSet<usize>,
    exposed: &HashSet<usize>,
) -> Vec<Vec<usize>> {
    let selected: HashSet<usize> = sel.iter().copied().collect();
    let facing = |i: usize| {
        matches!(
            topo.nodes()[i].resource,
            Some(ResourceKind::LoadBalancer | ResourceKind::Client)
        ) && (topo.is_entry_point(i) || selected.contains(&i))
    };
    let mut routes = Vec::new();
    // A route starts at a facing node that is dead or exposed: only those sets are looked at,
    // not every node of the graph (a 100k-row sheet has 80k), in index order as before.
    let mut starts: Vec<usize> = dead
        .iter()
        .chain(exposed)
        .copied()
        .filter(|&i| facing(i))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        if dead.contains(&start) {
            routes.push(vec![start]);
            continue;
        }
        if !exposed.contains(&start) {
            continue;
        }
        let mut parent: HashMap<usize, usize> = HashMap::default();
        let mut queue = VecDeque::from([start]);
        parent.insert(start, start);
        let mut end = None;
        'bfs: while let Some(u) = queue.pop_front() {
            // Only dead or exposed nodes take part, so the rest (all of a shared gateway's
            // callees) are dropped before sorting.
            let mut next: Vec<(usize, bool)> = topo
                .traffic_iter(u)
                .filter(|(v, e)| !e.is_doubtful() && (dead.contains(v) || exposed.contains(v)))
                .map(|(v, e)| (v, e.is_soft()))
                .collect();
            next.sort_unstable();
            for (v, soft) in next {
                if parent.contains_key(&v) {
                    continue;
                }
                if dead.contains(&v) && !soft {
                    parent.insert(v, u);
                    end = Some(v);
                    break 'bfs;
                }
                if exposed.contains(&v) {
                    parent.insert(v, u);
                    queue.push_back(v);
                }
            }
        }
        if let Some(mut v) = end {
            let mut route = vec![v];
            while v != start {
                v = parent[&v];
                route.push(v);
            }
            route.reverse();
            routes.push(route);
        }
    }
    routes.sort_by_key(|r| (r.len(), r.clone()));
    routes
}
