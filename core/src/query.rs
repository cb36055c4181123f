//! Questions about a topology: selection patterns, deps, impact, paths, single points of failure,
//! and role/owner search. Results are plain data with node ids, ready to serialise.
//!
//! A selection pattern is one of, tried in order:
//! - `re:REGEX`: node ids matching the regex;
//! - a glob (`aie1p-ces-*`, `?`, `[...]`), case-insensitive, with or without the common prefix;
//! - an exact node id, with or without the common prefix, or another spelling of an external node;
//! - a case-insensitive substring of node ids (external nodes, then instances).

use crate::graph::{Node, NodeKind, Topology};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("'{pattern}' matches nothing{}", suggest(.suggestions))]
    NoMatch {
        pattern: String,
        suggestions: Vec<String>,
    },
    #[error("'{pattern}' is not a valid pattern: {detail}")]
    BadPattern { pattern: String, detail: String },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// Longest pattern accepted from a user.
pub const MAX_PATTERN_CHARS: usize = 200;

/// Selects nodes by pattern. Returns node positions in [`Topology::nodes`] order.
pub fn select(topo: &Topology, pattern: &str) -> Result<Vec<usize>, QueryError> {
    let p = pattern.trim();
    if p.is_empty() || p.chars().count() > MAX_PATTERN_CHARS {
        return Err(QueryError::BadPattern {
            pattern: truncate(p, 60),
            detail: format!("a pattern must be 1 to {MAX_PATTERN_CHARS} characters"),
        });
    }
    let nodes = topo.nodes();
    let hits: Vec<usize> = if let Some(re) = p.strip_prefix("re:") {
        let re = regex::RegexBuilder::new(re)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| QueryError::BadPattern {
                pattern: p.into(),
                detail: e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            })?;
        (0..nodes.len())
            .filter(|&i| re.is_match(&nodes[i].id))
            .collect()
    } else if p.contains(['*', '?', '[']) {
        glob_select(topo, p)
    } else if let Some(i) = exact(topo, p) {
        vec![i]
    } else {
        let lower = p.to_lowercase();
        let mut hits: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].kind == NodeKind::External && contains_ci(&nodes[i], &lower))
            .collect();
        if hits.is_empty() {
            hits = (0..nodes.len())
                .filter(|&i| nodes[i].kind == NodeKind::Instance && contains_ci(&nodes[i], &lower))
                .collect();
        }
        hits
    };
    if hits.is_empty() {
        return Err(QueryError::NoMatch {
            pattern: p.into(),
            suggestions: nearest(topo, p, 5),
        });
    }
    Ok(hits)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn contains_ci(n: &Node, lower: &str) -> bool {
    n.id.to_lowercase().contains(lower)
        || n.spellings.iter().any(|s| s.to_lowercase().contains(lower))
}

fn exact(topo: &Topology, p: &str) -> Option<usize> {
    if let Some(i) = topo.index(p) {
        return Some(i);
    }
    if let Some(prefix) = topo.common_prefix() {
        if let Some(i) = topo.index(&format!("{prefix}-{p}")) {
            return Some(i);
        }
    }
    let lower = p.to_lowercase();
    topo.nodes()
        .iter()
        .position(|n| n.spellings.iter().any(|s| s.to_lowercase() == lower))
}

fn glob_select(topo: &Topology, p: &str) -> Vec<usize> {
    let mut patterns = vec![p.to_string()];
    if let Some(prefix) = topo.common_prefix() {
        if !p.to_lowercase().starts_with(prefix) {
            patterns.push(format!("{prefix}-{p}"));
        }
    }
    for pat in patterns {
        // Most patterns start with a literal (`aie1p-ces-`): a byte compare rules out nearly
        // every node before the glob runs.
        let literal = crate::text::glob_literal_prefix(&pat);
        let hits: Vec<usize> = (0..topo.nodes().len())
            .filter(|&i| {
                let id = topo.nodes()[i].id.as_bytes();
                id.len() >= literal.len()
                    && id[..literal.len()].eq_ignore_ascii_case(literal.as_bytes())
                    && crate::text::glob_match(&pat, &topo.nodes()[i].id)
            })
            .collect();
        if !hits.is_empty() {
            return hits;
        }
    }
    Vec::new()
}

/// The node ids closest to `p`, best first.
pub fn nearest(topo: &Topology, p: &str, n: usize) -> Vec<String> {
    // Score the pattern's words, not its syntax: `re:^zz.*` and `zz*` both read as `zz`.
    let p = p.strip_prefix("re:").unwrap_or(p);
    let lower: String = p
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        .collect();
    let prefix = topo.common_prefix().map(|s| format!("{s}-"));
    let mut scored: Vec<(f64, &str)> = topo
        .nodes()
        .iter()
        .map(|node| {
            let id = node.id.to_lowercase();
            let short = prefix
                .as_deref()
                .and_then(|pre| id.strip_prefix(pre))
                .unwrap_or(&id)
                .to_string();
            let mut score =
                strsim::jaro_winkler(&lower, &id).max(strsim::jaro_winkler(&lower, &short));
            if !lower.is_empty() && short.contains(&lower) {
                score += 0.5;
            }
            (score, node.id.as_str())
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    // Close names when there are some; otherwise still the nearest few, so a miss always
    // shows what the inventory calls things.
    let close = scored.iter().take_while(|(s, _)| *s > 0.6).count();
    if close > 0 || scored.first().is_some_and(|(s, _)| *s > 0.0) {
        let take = if close > 0 { close.min(n) } else { n.min(3) };
        return scored
            .into_iter()
            .take(take)
            .map(|(_, id)| id.to_string())
            .collect();
    }
    // Nothing in common at all: the first instances in sheet order, as examples.
    topo.nodes()
        .iter()
        .filter(|node| node.is_instance())
        .take(n.min(3))
        .map(|node| node.id.clone())
        .collect()
}

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
                walk(topo, &[i], false, depth, false)
            } else {
                Vec::new()
            };
            let down = if dir != Direction::Up {
                walk(topo, &[i], true, depth, false)
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
        hops: s.hops,
    }
}

/// A node reached by a breadth-first walk, with the edge that reached it.
#[derive(Debug, Clone)]
struct Step {
    node: usize,
    parent: usize,
    hops: u32,
    optional: bool,
    on_demand: bool,
    via: Vec<String>,
    ambiguous: bool,
    /// Some edge on the way here is optional or on demand.
    soft: bool,
    /// Reached through a relation that passes through a failed node and another via node that
    /// is still up.
    partial: bool,
}

/// Whether every node edge `k`'s relation passes through is among `failed`: via nodes are
/// alternatives, so the relation is cut only then.
fn all_via_failed(topo: &Topology, k: usize, failed: &[usize]) -> bool {
    topo.via_nodes(k).all(|v| failed.contains(&v))
}

/// Breadth-first from `start`, forward (downstream) or backward (upstream), excluding `start`.
/// Returns steps in visiting order: by hops, then node order. With `failed`, the start nodes
/// are down, which also cuts the relations that pass through them.
fn walk(topo: &Topology, start: &[usize], forward: bool, depth: u32, failed: bool) -> Vec<Step> {
    let mut seen: HashMap<usize, usize> = start.iter().map(|&s| (s, usize::MAX)).collect();
    let mut soft_at: HashMap<usize, bool> = start.iter().map(|&s| (s, false)).collect();
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
        let mut next: Vec<(usize, &crate::graph::Edge, bool)> = if forward {
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
        next.sort_by_key(|&(n, _, partial)| (n, partial));
        for (n, e, partial) in next {
            if seen.contains_key(&n) {
                continue;
            }
            let soft = soft_at.get(&at).copied().unwrap_or(false) || e.is_soft();
            seen.insert(n, out.len());
            soft_at.insert(n, soft);
            out.push(Step {
                node: n,
                parent: at,
                hops: hops + 1,
                optional: e.optional,
                on_demand: e.on_demand,
                via: e.via.clone(),
                ambiguous: e.ambiguous,
                soft,
                partial,
            });
            frontier.push_back((n, hops + 1));
        }
    }
    out.sort_by_key(|s| (s.hops, s.node));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A caller: it breaks when the target fails.
    Upstream,
    /// A callee: it is starved of the target's traffic.
    Downstream,
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
    let cut: std::collections::HashSet<(usize, usize)> = sel
        .iter()
        .flat_map(|&t| {
            topo.through(t)
                .filter(|&(_, _, k, _)| all_via_failed(topo, k, sel))
                .map(|(a, b, _, _)| (a, b))
        })
        .collect();
    let mut dead: std::collections::HashSet<usize> = sel.iter().copied().collect();
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

/// Dependency paths from any node of `from` to any node of `to`, following traffic, shortest
/// first. At most `limit` paths of at most `max_hops` hops.
pub fn paths(
    topo: &Topology,
    from: &[usize],
    to: &[usize],
    limit: usize,
    max_hops: usize,
) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut budget: usize = 200_000;
    for &start in from {
        let mut stack = vec![start];
        dfs(
            topo,
            &mut stack,
            to,
            max_hops,
            limit * 4,
            &mut found,
            &mut budget,
        );
    }
    found.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    found.dedup();
    found.truncate(limit);
    found
        .into_iter()
        .map(|p| p.into_iter().map(|i| topo.nodes()[i].id.clone()).collect())
        .collect()
}

fn dfs(
    topo: &Topology,
    stack: &mut Vec<usize>,
    to: &[usize],
    max_hops: usize,
    cap: usize,
    found: &mut Vec<Vec<usize>>,
    budget: &mut usize,
) {
    let Some(&at) = stack.last() else { return };
    if stack.len() > 1 && to.contains(&at) {
        found.push(stack.clone());
        return;
    }
    if stack.len() > max_hops || found.len() >= cap || *budget == 0 {
        return;
    }
    *budget -= 1;
    let mut next: Vec<usize> = topo.outgoing(at).map(|(n, _)| n).collect();
    next.sort_unstable();
    for n in next {
        if stack.contains(&n) {
            continue;
        }
        stack.push(n);
        dfs(topo, stack, to, max_hops, cap, found, budget);
        stack.pop();
    }
}

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
}

/// Only the first this many entry points (in node order) are tracked when finding which reach
/// a node; later ones are not counted.
const MAX_TRACKED_ENTRY_POINTS: usize = 1024;

/// Single points of failure, ranked: single instances before pools, then by how many entry
/// points reach them, then by how much they cut off plus how many call them directly.
///
/// A node is listed when its loss cuts entry points off from what they need:
/// - it dominates others in the flow graph rooted at the entry points (every route from any
///   entry point to them passes through it), or
/// - it is a single instance (count 1) that an entry point's traffic reaches, or that two or
///   more components call directly.
///
/// External nodes are listed only by the first rule: a managed resource's redundancy is not in
/// the sheet.
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
}

pub(crate) fn spof_at(topo: &Topology) -> Vec<SpofAt> {
    use petgraph::algo::dominators::simple_fast;
    use petgraph::graph::{DiGraph, NodeIndex};
    let n = topo.nodes().len();
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n + 1, topo.edges().len() + n);
    for _ in 0..=n {
        g.add_node(());
    }
    let root = NodeIndex::new(n);
    let entries: Vec<usize> = (0..n).filter(|&i| topo.is_entry_point(i)).collect();
    for i in 0..n {
        for (j, _) in topo.outgoing(i) {
            g.add_edge(NodeIndex::new(i), NodeIndex::new(j), ());
        }
    }
    for &e in &entries {
        g.add_edge(root, NodeIndex::new(e), ());
    }
    let dom = simple_fast(&g, root);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
    for i in 0..n {
        if let Some(d) = dom.immediate_dominator(NodeIndex::new(i)) {
            children[d.index()].push(i);
        }
    }
    let reach = EntryReach::new(topo, &entries);
    let mut out = Vec::new();
    for i in 0..n {
        if topo.is_entry_point(i) {
            continue;
        }
        let node = &topo.nodes()[i];
        let hits = reach.of(i);
        let dependents = topo.in_degree(i);
        let single_needed =
            node.is_instance() && node.count == 1 && (!hits.is_empty() || dependents >= 2);
        if children[i].is_empty() && !single_needed {
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
        });
    }
    out.sort_by(|a, b| {
        a.redundant
            .cmp(&b.redundant)
            .then(b.entry_points.len().cmp(&a.entry_points.len()))
            .then((b.cut_off.len() + b.dependents).cmp(&(a.cut_off.len() + a.dependents)))
            .then(a.node.cmp(&b.node))
    });
    out
}

/// Which entry points reach each node: one bit per entry point, spread forward along the
/// edges until nothing changes (cycles included).
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
        let mut work: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
        for (k, &e) in entries.iter().enumerate() {
            bits[e * words + k / 64] |= 1 << (k % 64);
            if !queued[e] {
                queued[e] = true;
                work.push_back(e);
            }
        }
        while let Some(u) = work.pop_front() {
            queued[u] = false;
            for (v, _) in topo.outgoing(u) {
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

/// Instances whose role contains `text` (width- and case-insensitive), in sheet order.
pub fn by_role(topo: &Topology, text: &str) -> Vec<usize> {
    let k = crate::text::key(text);
    if k.is_empty() {
        return Vec::new();
    }
    (0..topo.nodes().len())
        .filter(|&i| {
            let n = &topo.nodes()[i];
            n.is_instance() && crate::text::key(&n.role).contains(&k)
        })
        .collect()
}

/// Instances whose owner contains `text`, in sheet order.
pub fn by_owner(topo: &Topology, text: &str) -> Vec<usize> {
    let k = crate::text::key(text);
    if k.is_empty() {
        return Vec::new();
    }
    (0..topo.nodes().len())
        .filter(|&i| {
            let n = &topo.nodes()[i];
            n.is_instance() && crate::text::key(&n.owner).contains(&k)
        })
        .collect()
}
