//! What changed between two inventories, compared after resolution: a cell reworded so that it
//! resolves to the same relations is no change.
//!
//! Instances are matched by id and relations by `(from, to)` through hash maps, so the comparison
//! itself is linear. Lint warnings are compared by message text, single points
//! of failure by id (only those without redundancy count).

mod diagram;
mod summary;

pub use diagram::diagram;
pub use summary::{cut_to, headline, summarize, summarize_within, CHAT_LIMIT};

use crate::diag::Severity;
use crate::graph::{Edge, Topology};
use crate::text::dedup_keep_order;
use crate::{lint, query};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Everything that differs between an old and a new inventory. Serialises to the documented
/// JSON shape (`added_instances`, `removed_instances`, `changed_instances`, `added_edges`,
/// `removed_edges`, `new_spofs`, `cleared_spofs`) plus the extra keys below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InventoryDiff {
    /// Instances only the new inventory has, in its sheet order.
    pub added_instances: Vec<String>,
    /// Instances only the old inventory has, in its sheet order.
    pub removed_instances: Vec<String>,
    /// Role, owner, environment and pool-count changes of instances in both.
    pub changed_instances: Vec<FieldChange>,
    pub added_edges: Vec<EdgeInfo>,
    pub removed_edges: Vec<EdgeInfo>,
    /// Relations in both whose optional, on-demand or via flags differ.
    pub changed_edges: Vec<EdgeFieldChange>,
    /// Single points of failure without redundancy that only the new inventory has.
    pub new_spofs: Vec<String>,
    pub cleared_spofs: Vec<String>,
    /// Lint warnings (by message) only the new inventory has.
    pub new_warnings: Vec<String>,
    pub cleared_warnings: Vec<String>,
    /// Removed instances that nodes of the new inventory still depend on.
    pub removed_with_dependents: Vec<Dependents>,
    /// Role, owner and pool size of each added instance, in `added_instances` order.
    pub added_details: Vec<InstanceInfo>,
    /// The same for each removed instance, as the old inventory described it.
    pub removed_details: Vec<InstanceInfo>,
}

/// One changed attribute of an instance. `old` and `new` are text for every field, `count`
/// included (`"1"` → `"2"`), so consumers read one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub id: String,
    /// `role`, `owner`, `env` or `count`.
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// A relation, with its flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeInfo {
    pub from: String,
    pub to: String,
    pub optional: bool,
    pub on_demand: bool,
    pub via: Vec<String>,
    /// The flags for people (`optional, via APISIX/NGINX`), as [`Edge::flags_text`] writes them.
    #[serde(skip)]
    pub flags: String,
}

/// One changed flag of a relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeFieldChange {
    pub from: String,
    pub to: String,
    /// `optional`, `on_demand`, `via` or `doubtful` (the sheet contradicts it, or no longer
    /// does: impact counts a doubtful relation only as possible).
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// A removed instance and who still depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependents {
    pub id: String,
    /// Nodes present in the new inventory that called it (relations pointing at it), in the
    /// old inventory or, where cells still name it, in the new one.
    pub dependents: Vec<String>,
    /// Cells of the new inventory still name it (it resolves to an external node now).
    pub still_named: bool,
}

/// What an added or removed instance was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceInfo {
    pub id: String,
    pub role: String,
    pub count: u32,
    pub owner: String,
}

impl InventoryDiff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added_instances.is_empty()
            && self.removed_instances.is_empty()
            && self.changed_instances.is_empty()
            && self.added_edges.is_empty()
            && self.removed_edges.is_empty()
            && self.changed_edges.is_empty()
            && self.new_spofs.is_empty()
            && self.cleared_spofs.is_empty()
            && self.new_warnings.is_empty()
            && self.cleared_warnings.is_empty()
    }

    /// Only the changes that touch one of `ids`: instances among them, relations with an end
    /// among them, warnings that name one of them.
    pub fn touching(&self, ids: &HashSet<String>) -> InventoryDiff {
        let has = |id: &String| ids.contains(id);
        let edge = |from: &String, to: &String| has(from) || has(to);
        let names_one = |msg: &String| ids.iter().any(|id| msg.contains(id.as_str()));
        InventoryDiff {
            added_instances: filtered(&self.added_instances, has),
            removed_instances: filtered(&self.removed_instances, has),
            changed_instances: filtered(&self.changed_instances, |c| has(&c.id)),
            added_edges: filtered(&self.added_edges, |e| edge(&e.from, &e.to)),
            removed_edges: filtered(&self.removed_edges, |e| edge(&e.from, &e.to)),
            changed_edges: filtered(&self.changed_edges, |e| edge(&e.from, &e.to)),
            new_spofs: filtered(&self.new_spofs, has),
            cleared_spofs: filtered(&self.cleared_spofs, has),
            new_warnings: filtered(&self.new_warnings, names_one),
            cleared_warnings: filtered(&self.cleared_warnings, names_one),
            removed_with_dependents: filtered(&self.removed_with_dependents, |d| has(&d.id)),
            added_details: filtered(&self.added_details, |d| has(&d.id)),
            removed_details: filtered(&self.removed_details, |d| has(&d.id)),
        }
    }

    /// The documented JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn filtered<T: Clone>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<T> {
    items.iter().filter(|x| keep(x)).cloned().collect()
}

/// What a diff compares besides instances and relations, and the costliest part of it: the
/// single points of failure (without redundancy, not managed) and the lint warnings of one
/// inventory. Worth keeping with a version in force, so that comparing a new version with it
/// computes only the new side ([`diff_from`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    spofs: Vec<String>,
    warnings: Vec<String>,
}

impl Standing {
    /// The standing of `topo`.
    pub fn of(topo: &Topology) -> Standing {
        Standing {
            spofs: spof_ids(topo),
            warnings: warnings(topo),
        }
    }
}

/// Compares two resolved inventories.
pub fn diff(old: &Topology, new: &Topology) -> InventoryDiff {
    // The old side's standing is independent of the rest: a second thread computes it while
    // this one does the new inventory and the comparison.
    let (old_standing, (d, new_standing)) = on_two_threads(
        || Standing::of(old),
        || (compare(old, new), Standing::of(new)),
    );
    with_standings(new, d, &old_standing, &new_standing)
}

/// [`diff`] when the old inventory's standing is known already, as it is for a version in
/// force: only the new side's is computed (on a second thread, while this one compares
/// instances and relations), and it is returned with the diff, to be kept with the new version.
/// The same answer as [`diff`] when `old_standing` is `Standing::of(old)`.
pub fn diff_from(
    old: &Topology,
    old_standing: &Standing,
    new: &Topology,
) -> (InventoryDiff, Standing) {
    let (new_standing, d) = on_two_threads(|| Standing::of(new), || compare(old, new));
    let d = with_standings(new, d, old_standing, &new_standing);
    (d, new_standing)
}

/// `a` on a second thread while this one runs `b`; a panic in `a` goes on in this thread.
fn on_two_threads<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        let a = a
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

/// Instances and relations compared.
fn compare(old: &Topology, new: &Topology) -> InventoryDiff {
    let mut d = InventoryDiff::default();
    instances(old, new, &mut d);
    edges(old, new, &mut d);
    d
}

fn with_standings(
    new: &Topology,
    mut d: InventoryDiff,
    old: &Standing,
    now: &Standing,
) -> InventoryDiff {
    (d.new_spofs, d.cleared_spofs) = set_changes(&old.spofs, &now.spofs);
    // A removed instance is gone (or only still named, as an external node), not a single point
    // of failure cleared: it is under removed instances, and under risk when still depended on.
    d.cleared_spofs
        .retain(|id| exact_index(new, id).is_some_and(|j| new.nodes()[j].is_instance()));
    (d.new_warnings, d.cleared_warnings) = set_changes(&old.warnings, &now.warnings);
    d
}

/// Position of the node with exactly this id (ids that differ only in case are different).
fn exact_index(topo: &Topology, id: &str) -> Option<usize> {
    topo.index(id).filter(|&i| topo.nodes()[i].id == id)
}

fn instance_info(topo: &Topology, i: usize) -> InstanceInfo {
    let n = &topo.nodes()[i];
    InstanceInfo {
        id: n.id.clone(),
        role: n.role.clone(),
        count: n.count,
        owner: n.owner.clone(),
    }
}

fn instances(old: &Topology, new: &Topology, d: &mut InventoryDiff) {
    for (i, n) in old.nodes().iter().enumerate() {
        if !n.is_instance() {
            continue;
        }
        let other = exact_index(new, &n.id);
        match other.map(|j| (j, &new.nodes()[j])) {
            Some((_, m)) if m.is_instance() => {
                let mut change = |field: &'static str, old: String, new: String| {
                    d.changed_instances.push(FieldChange {
                        id: n.id.clone(),
                        field,
                        old,
                        new,
                    })
                };
                // Compare before formatting: most instances do not change.
                if n.role != m.role {
                    change("role", n.role.clone(), m.role.clone());
                }
                if n.owner != m.owner {
                    change("owner", n.owner.clone(), m.owner.clone());
                }
                // `prod`, `production`, `生产` and an empty cell (the default) are one value.
                if n.env != m.env && !same_env(&n.env, &m.env) {
                    change("env", n.env.clone(), m.env.clone());
                }
                if n.count != m.count {
                    change("count", n.count.to_string(), m.count.to_string());
                }
            }
            still => {
                d.removed_instances.push(n.id.clone());
                d.removed_details.push(instance_info(old, i));
                // Still depended on only where a remaining row still names it: a caller whose
                // own row stated the relation, or a row naming it now that it is external.
                // Relations only the removed row stated went with it, a caller whose word
                // (`Kafka`, a glob) now picks other instances depends on those instead, and one
                // that no longer writes the word depends on nothing.
                let mut deps: Vec<String> = old
                    .incoming(i)
                    .filter(|(_, e)| e.stated_by_from)
                    .filter(|&(c, e)| {
                        exact_index(new, &old.nodes()[c].id)
                            .is_some_and(|j| still_states_it(old, c, e, new, j))
                    })
                    .map(|(c, _)| old.nodes()[c].id.clone())
                    .collect();
                if let Some((j, _)) = still {
                    deps.extend(new.incoming(j).map(|(c, _)| new.nodes()[c].id.clone()));
                }
                deps.sort();
                deps.dedup();
                if !deps.is_empty() || still.is_some() {
                    d.removed_with_dependents.push(Dependents {
                        id: n.id.clone(),
                        dependents: deps,
                        still_named: still.is_some(),
                    });
                }
            }
        }
    }
    for (j, m) in new.nodes().iter().enumerate() {
        let existed = exact_index(old, &m.id).is_some_and(|i| old.nodes()[i].is_instance());
        if m.is_instance() && !existed {
            d.added_instances.push(m.id.clone());
            d.added_details.push(instance_info(new, j));
        }
    }
}

/// Whether the caller (`c` in `old`, `j` in `new`) still states, in its own row, the word of
/// its old relation `e` to an instance now removed, without that word still naming, firmly, an
/// instance it named firmly before: `Kafka` with one broker fewer depends on
/// the brokers left, but a word that fell back to an external node of its text (`Redis` once the
/// only Redis instance is gone), or whose tie-break moved to an instance it did not name firmly
/// before, still depends on what was removed. A word taken out of the cell depends on nothing.
fn still_states_it(old: &Topology, c: usize, e: &Edge, new: &Topology, j: usize) -> bool {
    let own = |topo: &Topology, at: usize, p: &crate::graph::Provenance| {
        topo.nodes()[at].rows.contains(&p.row)
    };
    // The caller's own statements are in its downstream cell (`stated_by_from`); sheet names
    // and column letters may differ between versions.
    let words: Vec<&str> = e
        .sources()
        .filter(|q| own(old, c, q))
        .map(|q| &*q.word)
        .collect();
    let by_word = |topo: &Topology, at: usize, e2: &Edge| {
        e2.stated_by_from
            && e2
                .sources()
                .any(|p| own(topo, at, p) && words.contains(&&*p.word))
    };
    let firm_before: HashSet<&str> = old
        .outgoing(c)
        .filter(|&(k, e2)| old.nodes()[k].is_instance() && !e2.is_doubtful() && by_word(old, c, e2))
        .map(|(k, _)| old.nodes()[k].id.as_str())
        .collect();
    let mut now = new
        .outgoing(j)
        .filter(|(_, e2)| by_word(new, j, e2))
        .peekable();
    now.peek().is_some()
        && !now.any(|(k, e2)| {
            let n = &new.nodes()[k];
            n.is_instance() && !e2.is_doubtful() && firm_before.contains(n.id.as_str())
        })
}

fn edge_info(e: &Edge) -> EdgeInfo {
    EdgeInfo {
        from: e.from.to_string(),
        to: e.to.to_string(),
        optional: e.optional,
        on_demand: e.on_demand,
        via: e.via.clone(),
        flags: e.flags_text(),
    }
}

fn edges(old: &Topology, new: &Topology, d: &mut InventoryDiff) {
    // Relations are keyed by node positions rather than id strings: old positions are mapped to
    // new ones once, then each relation costs one integer-pair lookup.
    let to_new: Vec<Option<usize>> = old
        .nodes()
        .iter()
        .map(|n| exact_index(new, &n.id))
        .collect();
    let mut new_by: HashMap<(usize, usize), &Edge> = HashMap::with_capacity(new.edges().len());
    for i in 0..new.nodes().len() {
        new_by.extend(new.outgoing(i).map(|(j, e)| ((i, j), e)));
    }
    let mut removed: Vec<(usize, usize, &Edge)> = Vec::new();
    let mut both: Vec<((usize, usize), &Edge, &Edge)> = Vec::new();
    for i in 0..old.nodes().len() {
        for (j, o) in old.outgoing(i) {
            let key = to_new[i].zip(to_new[j]);
            match key.and_then(|k| new_by.get(&k).map(|e| (k, *e))) {
                Some((k, e)) => both.push((k, o, e)),
                None => removed.push((i, j, o)),
            }
        }
    }
    // Report in the topologies' edge order: by `from`, then `to`, in node order.
    removed.sort_by_key(|(i, j, _)| (*i, *j));
    d.removed_edges = removed.into_iter().map(|(_, _, e)| edge_info(e)).collect();
    both.sort_by_key(|(k, _, _)| *k);
    let matched: HashSet<(usize, usize)> = both.iter().map(|(k, _, _)| *k).collect();
    let mut added: Vec<(&(usize, usize), &&Edge)> = new_by
        .iter()
        .filter(|(k, _)| !matched.contains(k))
        .collect();
    added.sort_by_key(|(k, _)| **k);
    d.added_edges = added.into_iter().map(|(_, e)| edge_info(e)).collect();
    for (_, o, e) in both {
        let mut change = |field: &'static str, old: String, new: String| {
            d.changed_edges.push(EdgeFieldChange {
                from: e.from.to_string(),
                to: e.to.to_string(),
                field,
                old,
                new,
            })
        };
        if o.optional != e.optional {
            change("optional", o.optional.to_string(), e.optional.to_string());
        }
        if o.on_demand != e.on_demand {
            change(
                "on_demand",
                o.on_demand.to_string(),
                e.on_demand.to_string(),
            );
        }
        if o.via != e.via {
            change("via", o.via.join("/"), e.via.join("/"));
        }
        if o.is_doubtful() != e.is_doubtful() {
            change(
                "doubtful",
                o.is_doubtful().to_string(),
                e.is_doubtful().to_string(),
            );
        }
    }
}

/// Whether two environment cells mean the same: both production (an empty cell is the
/// production default) or equal by key.
fn same_env(a: &str, b: &str) -> bool {
    use crate::vocabulary::env_is_production;
    (env_is_production(a) && env_is_production(b)) || crate::text::key(a) == crate::text::key(b)
}

fn spof_ids(topo: &Topology) -> Vec<String> {
    query::spof_at(topo)
        .into_iter()
        .filter(|s| !s.redundant && !s.managed)
        .map(|s| topo.nodes()[s.node].id.clone())
        .collect()
}

fn warnings(topo: &Topology) -> Vec<String> {
    let mut messages: Vec<String> = lint::lint(topo)
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.message)
        .collect();
    dedup_keep_order(&mut messages);
    messages
}

/// Items only in `new` (in its order) and items only in `old` (in its order).
fn set_changes(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let o: HashSet<&str> = old.iter().map(String::as_str).collect();
    let n: HashSet<&str> = new.iter().map(String::as_str).collect();
    (
        new.iter()
            .filter(|x| !o.contains(x.as_str()))
            .cloned()
            .collect(),
        old.iter()
            .filter(|x| !n.contains(x.as_str()))
            .cloned()
            .collect(),
    )
}

/// Ids of the nodes within `hops` relations of the nodes `ids`, either direction, in `topo`;
/// `ids` themselves included when present.
pub fn neighbourhood(topo: &Topology, ids: &[String], hops: u32) -> HashSet<String> {
    let start: Vec<usize> = ids.iter().filter_map(|id| exact_index(topo, id)).collect();
    let mut out: HashSet<String> = ids.iter().cloned().collect();
    for entry in query::deps(topo, &start, query::Direction::Both, hops) {
        out.extend(entry.upstream.into_iter().map(|n| n.id));
        out.extend(entry.downstream.into_iter().map(|n| n.id));
    }
    out
}

/// `true`/`false` flag text for people.
fn yes_no(s: &str) -> &str {
    match s {
        "true" => "yes",
        "false" => "no",
        "" => "none",
        other => other,
    }
}
