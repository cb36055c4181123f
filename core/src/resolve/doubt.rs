//! Doubtful relations: statements the sheet itself contradicts. They stay in the graph, marked
//! with why, so answers can set them apart (impact lists what they would add as "possibly").
//!
//! - **Copy-paste**: two or more instances of one role whose relation cells are word for word
//!   the same. A relation that only such a row states, with an instance whose own row names
//!   another instance of that copy group in the same place instead, is doubtful: the other end
//!   knows better (`Kafka` rows that both list `Narwhal` as producer, while Narwhal's own row
//!   says which Kafka it writes to). Replicas with identical rows are not doubtful by
//!   themselves: only a contradiction makes a relation doubtful.
//! - **Direction conflict**: A's row names B as upstream and B's row names A as upstream (or
//!   both as downstream). Read as a dependency on the end that is infrastructure (a
//!   configuration centre, queue, database, cache, storage or observability service, by its
//!   role): that relation stays certain and the reverse one is doubtful. When neither or both
//!   ends are infrastructure, both directions are doubtful.

use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::graph::{Edge, Node, ResourceKind};
use crate::text::key;
use crate::vocabulary::classify_resource;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rows a copy-paste finding names; the rest are counted.
const SHOWN_ROWS: usize = 8;
/// Doubtful relations a copy-paste finding spells out; the rest are counted.
const SHOWN_DOUBTS: usize = 5;

/// One statement of a relation: the sheet row that made it and its cell, as the column index
/// (high 32 bits) and the interned cell text (low 32 bits).
#[derive(Clone, Copy)]
pub(super) struct Stated {
    pub(super) row: u32,
    pub(super) cell: u64,
}

/// Marks the doubtful edges (`Edge::doubt`) and reports them. `stated` holds every statement
/// of every edge, in any order.
pub(super) fn mark(
    nodes: &[Node],
    edges: &mut [Edge],
    ends: &[(u32, u32)],
    stated: &[Stated],
    sheet: &str,
    diags: &mut Vec<Diagnostic>,
) {
    debug_assert!(ends.is_sorted(), "edges come sorted by their ends");
    copy_paste(nodes, edges, ends, stated, sheet, diags);
    direction_conflicts(nodes, edges, ends, sheet, diags);
}

fn copy_paste(
    nodes: &[Node],
    edges: &mut [Edge],
    ends: &[(u32, u32)],
    stated: &[Stated],
    sheet: &str,
    diags: &mut Vec<Diagnostic>,
) {
    // Which instance each sheet row describes.
    let rows = nodes.iter().flat_map(|n| n.rows.iter().copied()).max();
    let mut row_owner: Vec<u32> = vec![u32::MAX; rows.map_or(0, |r| r as usize + 1)];
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| n.is_instance()) {
        for &r in &n.rows {
            row_owner[r as usize] = i as u32;
        }
    }
    // The relation cells each instance's rows state, as (column, text) ids.
    let mut cells: Vec<Vec<u64>> = vec![Vec::new(); nodes.len()];
    for s in stated {
        if let Some(&owner) = row_owner.get(s.row as usize).filter(|&&o| o != u32::MAX) {
            cells[owner as usize].push(s.cell);
        }
    }
    // Instances of one role (roles that differ only in width, case or spaces are one) with
    // the same cells, each group in instance order.
    let mut role_ids: HashMap<&str, u32> = HashMap::default();
    let mut role_keys: HashMap<String, u32> = HashMap::default();
    let mut groups: HashMap<(u32, Vec<u64>), Vec<u32>> = HashMap::default();
    for (owner, mut c) in cells.into_iter().enumerate() {
        if c.is_empty() {
            continue;
        }
        let role = nodes[owner].role.as_str();
        let role_id = match role_ids.get(role) {
            Some(&id) => id,
            None => {
                let k = key(role);
                let next = role_keys.len() as u32;
                let id = if k.is_empty() {
                    u32::MAX
                } else {
                    *role_keys.entry(k).or_insert(next)
                };
                role_ids.insert(role, id);
                id
            }
        };
        if role_id == u32::MAX {
            continue;
        }
        c.sort_unstable();
        c.dedup();
        groups.entry((role_id, c)).or_default().push(owner as u32);
    }
    let mut groups: Vec<Vec<u32>> = groups.into_values().filter(|g| g.len() >= 2).collect();
    if groups.is_empty() {
        return;
    }
    // Members were pushed in instance order; groups are taken in the order of their first.
    groups.sort_unstable_by_key(|g| g[0]);
    // The edges at each node, as offsets into one list (node i's are at[start[i]..start[i + 1]]).
    let mut start: Vec<u32> = vec![0; nodes.len() + 1];
    for &(a, b) in ends {
        start[a as usize + 1] += 1;
        start[b as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut at: Vec<u32> = vec![0; ends.len() * 2];
    for (k, &(a, b)) in ends.iter().enumerate() {
        for n in [a, b] {
            at[fill[n as usize] as usize] = k as u32;
            fill[n as usize] += 1;
        }
    }
    let edges_at = |n: u32| {
        at[start[n as usize] as usize..start[n as usize + 1] as usize]
            .iter()
            .map(|&k| k as usize)
    };
    for group in &groups {
        // For each instance outside the group, the two smallest members its own row names:
        // as downstream (`up`, it names them in its downstream cell) and as upstream (`down`).
        // One pass over the members' edges, so a group of thousands of copies costs its edges,
        // not its size squared.
        let mut up: HashMap<u32, [u32; 2]> = HashMap::default();
        let mut down: HashMap<u32, [u32; 2]> = HashMap::default();
        for &s in group {
            for k in edges_at(s) {
                let (a, b) = ends[k];
                let e = &edges[k];
                if b == s && e.stated_by_from {
                    keep_two_smallest(up.entry(a).or_insert([u32::MAX; 2]), s);
                }
                if a == s && e.stated_by_to {
                    keep_two_smallest(down.entry(b).or_insert([u32::MAX; 2]), s);
                }
            }
        }
        let mut doubted: Vec<(u32, u32, u32)> = Vec::new();
        for &r in group {
            for k in edges_at(r) {
                let (a, b) = ends[k];
                let e = &edges[k];
                // Stated by r's row only, with an instance at the other end.
                let (other, r_upstream_cell) = if b == r && e.stated_by_to && !e.stated_by_from {
                    (a, true)
                } else if a == r && e.stated_by_from && !e.stated_by_to {
                    (b, false)
                } else {
                    continue;
                };
                if !nodes[other as usize].is_instance() || group.binary_search(&other).is_ok() {
                    continue;
                }
                // The other end's own row names a sibling of r in the same place: the first
                // in the group's order.
                let named = if r_upstream_cell { &up } else { &down };
                let sibling = named
                    .get(&other)
                    .and_then(|two| two.iter().copied().find(|&s| s != r && s != u32::MAX));
                let Some(s) = sibling else { continue };
                let (rn, on, sn) = (
                    &nodes[r as usize].id,
                    &nodes[other as usize].id,
                    &nodes[s as usize].id,
                );
                let edge = &mut edges[k];
                if edge.doubt.is_none() {
                    edge.doubt = Some(format!(
                        "stated only by {rn}'s row, whose relation cells are word for word those of \
                         {sn}'s; {on}'s own row names {sn} there instead"
                    ));
                    doubted.push((r, other, s));
                }
            }
        }
        if doubted.is_empty() {
            continue;
        }
        // A sheet that repeats a domain's rows makes groups of thousands: the finding names a
        // few rows and a few relations and counts the rest (each doubtful relation carries its
        // own reason), so one finding stays a readable line, not megabytes.
        let names: Vec<&str> = group
            .iter()
            .map(|&i| nodes[i as usize].id.as_str())
            .collect();
        let lines: Vec<String> = doubted
            .iter()
            .take(SHOWN_DOUBTS)
            .map(|&(r, o, s)| {
                format!(
                    "{} ↔ {} (its own row names {})",
                    nodes[r as usize].id, nodes[o as usize].id, nodes[s as usize].id
                )
            })
            .collect();
        let more = match doubted.len().saturating_sub(SHOWN_DOUBTS) {
            0 => String::new(),
            n => format!("; …and {n} more, each marked doubtful on its relation"),
        };
        let first = &nodes[group[0] as usize];
        let d = Diagnostic::new(
            Severity::Warning,
            DiagKind::CopyPaste,
            format!(
                "rows of {} have word-for-word the same relation cells, as if copied; doubtful: {}{more}",
                super::join_limited(&names, SHOWN_ROWS),
                lines.join("; ")
            ),
        );
        diags.push(at_first_row(d, first, sheet));
    }
}

fn direction_conflicts(
    nodes: &[Node],
    edges: &mut [Edge],
    ends: &[(u32, u32)],
    sheet: &str,
    diags: &mut Vec<Diagnostic>,
) {
    // Conflicts grouped by the end they share and the text that stated them: the four rows of
    // a pool of copies against one configuration centre are one finding.
    let mut found: BTreeMap<(u32, Arc<str>), Vec<u32>> = BTreeMap::new();
    // Whether each node is infrastructure, decided when first asked.
    let mut infra_of: Vec<Option<bool>> = vec![None; nodes.len()];
    let mut infra =
        |i: u32| *infra_of[i as usize].get_or_insert_with(|| is_infrastructure(&nodes[i as usize]));
    for (k, &(a, b)) in ends.iter().enumerate() {
        if a >= b || !nodes[a as usize].is_instance() || !nodes[b as usize].is_instance() {
            continue;
        }
        // Edges come sorted by their ends.
        let Ok(back) = ends.binary_search(&(b, a)) else {
            continue;
        };
        let (fwd, rev) = (&edges[k], &edges[back]);
        let upstream_both = fwd.stated_by_to && rev.stated_by_to;
        let downstream_both = fwd.stated_by_from && rev.stated_by_from;
        // Each relation stated by one row only, and the two rows disagree.
        let one_each =
            fwd.stated_by_from != fwd.stated_by_to && rev.stated_by_from != rev.stated_by_to;
        if !(upstream_both || downstream_both) || !one_each {
            continue;
        }
        let (an, bn) = (&nodes[a as usize].id, &nodes[b as usize].id);
        let side = if upstream_both {
            "upstream"
        } else {
            "downstream"
        };
        let why = format!(
            "direction conflict: {an}'s row names {bn} as {side} and {bn}'s row names {an} as {side}"
        );
        // (edge, reading kept) for each direction.
        let (keep_fwd, keep_rev) = match (infra(a), infra(b)) {
            (false, true) => (true, false),
            (true, false) => (false, true),
            _ => (false, false),
        };
        for (j, keep, callee) in [(k, keep_fwd, b), (back, keep_rev, a)] {
            if !keep && edges[j].doubt.is_none() {
                let reading = if keep_fwd || keep_rev {
                    format!(
                        "; read the other way, as a dependency on {}",
                        nodes[if callee == b { a } else { b } as usize].id
                    )
                } else {
                    "; neither end is infrastructure, so neither direction is certain".to_string()
                };
                edges[j].doubt = Some(format!("{why}{reading}"));
            }
        }
        let (shared, other) = if infra(a) { (a, b) } else { (b, a) };
        let text = edges[k].source.text.clone();
        found.entry((shared, text)).or_default().push(other);
    }
    for ((shared, _), mut others) in found {
        others.sort_unstable();
        others.dedup();
        let s = &nodes[shared as usize];
        let names = others
            .iter()
            .map(|&i| nodes[i as usize].id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let reading = if is_infrastructure(s) {
            format!("read as {names} depending on {}", s.id)
        } else {
            "neither direction is certain; both are doubtful".to_string()
        };
        let d = Diagnostic::new(
            Severity::Warning,
            DiagKind::DirectionConflict,
            format!(
                "{} and {names} each name the other on the same side (both upstream or both \
                 downstream); {reading}",
                s.id
            ),
        );
        diags.push(at_first_row(d, s, sheet));
    }
}

/// The finding, placed at the node's first sheet row.
fn at_first_row(d: Diagnostic, node: &Node, sheet: &str) -> Diagnostic {
    match node.rows.first() {
        Some(&row) => d.at(Location {
            sheet: sheet.to_string(),
            row,
            column: None,
        }),
        None => d,
    }
}

/// A node whose role (or name) says it is a service others depend on: configuration,
/// messaging, data, cache, storage, observability.
fn is_infrastructure(n: &Node) -> bool {
    let text = if n.role.is_empty() { &n.id } else { &n.role };
    matches!(
        classify_resource(text),
        ResourceKind::Platform
            | ResourceKind::Queue
            | ResourceKind::Database
            | ResourceKind::Cache
            | ResourceKind::Storage
            | ResourceKind::Observability
    )
}

/// Keeps the two smallest distinct values seen in `two` (unset slots are `u32::MAX`).
fn keep_two_smallest(two: &mut [u32; 2], v: u32) {
    if v < two[0] {
        two[1] = two[0];
        two[0] = v;
    } else if v != two[0] && v < two[1] {
        two[1] = v;
    }
}
