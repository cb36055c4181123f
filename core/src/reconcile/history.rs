//! Drift over time: the items of one report ([`Drift`]), the drift one report has that an
//! earlier one did not ([`new_drift`]), and what changed in EC2 between two snapshots as seen
//! by the same sheet ([`compare`]: a pool that grew from 2 to 5 nodes, an instance that stopped,
//! a node group that appeared). Both reports must be reconciled against the same sheet, so a
//! change of the sheet is not taken for a change in EC2.

use super::{Missing, PoolSize, Report, SingleAz, TypeMismatch, Unlisted};
use crate::graph::Topology;
use std::collections::{BTreeMap, BTreeSet};

/// One line of drift in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    Missing(Missing),
    Unlisted(Unlisted),
    PoolSize(PoolSize),
    SingleAz(SingleAz),
    TypeMismatch(TypeMismatch),
}

impl Drift {
    /// What makes two lines the same drift: a pool whose size is off by another amount, or a
    /// group with more nodes, is still the drift it was; a new state, zone or type is new.
    fn key(&self) -> (u8, &str, &str) {
        match self {
            Drift::Missing(m) => (0, &m.id, &m.state),
            Drift::Unlisted(u) => (1, &u.group, ""),
            Drift::PoolSize(p) => (2, &p.id, ""),
            Drift::SingleAz(s) => (3, &s.id, &s.az),
            Drift::TypeMismatch(t) => (4, &t.id, &t.actual),
        }
    }
}

impl Report {
    /// Every line of drift, in the report's order: missing, unlisted, pool sizes, single zones,
    /// types.
    pub fn drift(&self) -> Vec<Drift> {
        let mut out = Vec::new();
        out.extend(self.missing.iter().cloned().map(Drift::Missing));
        out.extend(self.unlisted.iter().cloned().map(Drift::Unlisted));
        out.extend(self.pool_size.iter().cloned().map(Drift::PoolSize));
        out.extend(self.single_az.iter().cloned().map(Drift::SingleAz));
        out.extend(self.type_mismatch.iter().cloned().map(Drift::TypeMismatch));
        out
    }
}

/// The drift `new` has that `old` did not, in `new`'s order.
pub fn new_drift(old: &Report, new: &Report) -> Vec<Drift> {
    let old_drift = old.drift();
    let seen: BTreeSet<(u8, &str, &str)> = old_drift.iter().map(Drift::key).collect();
    new.drift()
        .into_iter()
        .filter(|d| !seen.contains(&d.key()))
        .collect()
}

/// What changed in EC2 from one snapshot to the next, for one sheet instance or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ec2Change {
    /// The running nodes of a sheet instance: a pool that grew or shrank, an instance that
    /// started (0 → n) or stopped running (n → 0).
    Running {
        id: String,
        from: usize,
        to: usize,
        /// The sheet's count (rows), for "of N".
        sheet: u32,
    },
    /// A group of running instances the sheet does not list: appeared (0 → n), gone (n → 0)
    /// or resized.
    Unlisted {
        group: String,
        from: usize,
        to: usize,
    },
    /// The running nodes of a sheet instance are all in one zone now (`Some`), or no longer
    /// (`None`), where they were not before.
    OneZone { id: String, az: Option<String> },
}

/// What changed from `old` to `new`, two snapshots reconciled against `topo`: sheet instances
/// in sheet order, then unlisted groups by name.
pub fn compare(topo: &Topology, old: &Report, new: &Report) -> Vec<Ec2Change> {
    let mut out = Vec::new();
    let running = |r: &Report, id: &str| r.by_node.get(id).map_or(0, |n| n.running);
    for n in topo.nodes().iter().filter(|n| n.is_instance()) {
        let (id, sheet) = (&n.id, n.count);
        let (from, to) = (running(old, id), running(new, id));
        if from != to {
            out.push(Ec2Change::Running {
                id: id.clone(),
                from,
                to,
                sheet,
            });
        }
        let (was, is) = (old.one_zone(id), new.one_zone(id));
        if was != is && (is.is_some() || running(new, id) >= 2) {
            out.push(Ec2Change::OneZone {
                id: id.clone(),
                az: is.map(str::to_string),
            });
        }
    }
    let groups = |r: &Report| -> BTreeMap<String, usize> {
        r.unlisted
            .iter()
            .map(|u| (u.group.clone(), u.count))
            .collect()
    };
    let (before, after) = (groups(old), groups(new));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for g in names {
        let (from, to) = (
            before.get(g).copied().unwrap_or(0),
            after.get(g).copied().unwrap_or(0),
        );
        if from != to {
            out.push(Ec2Change::Unlisted {
                group: g.clone(),
                from,
                to,
            });
        }
    }
    out
}
