//! Which inventory components an alert group is about.
//!
//! For each alert, the labels named by [`LabelKeys`] are read in order and the first whose
//! value names a component wins. A value names a component by its name as the sheet writes
//! it (case-insensitive), with `host:port` stripped to the host and a domain stripped to its
//! first label; with or without the inventory's common prefix; in the EC2 `Name` tag form of
//! node-group nodes (`<cluster>-<nodegroup>-Node`: the full name, the name without `-Node`, or
//! the node-group tail); by instance id; or by an external node's spelling. An alert whose
//! labels name nothing is looked for in its free text (`summary`, `description`, `title`,
//! `message`, the alert name, the group's title and message) with
//! [`mentions`](crate::query::mentions), the finder incident threads use. An alert that
//! still names nothing is reported once in [`Found::unmatched`] with its labels.

use super::{Alert, Group};
use crate::graph::Topology;
use crate::query;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The label names read for component names, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelKeys(pub Vec<String>);

impl LabelKeys {
    /// The names given, in their order, or the built-in list when none is given.
    pub fn or_default(names: &[String]) -> LabelKeys {
        if names.is_empty() {
            LabelKeys::default()
        } else {
            LabelKeys(names.to_vec())
        }
    }
}

impl Default for LabelKeys {
    fn default() -> Self {
        LabelKeys(
            [
                "instance", "host", "hostname", "nodename", "ec2_name", "name", "service", "job",
                "pod", "node",
            ]
            .map(String::from)
            .to_vec(),
        )
    }
}

/// What [`find`] found for a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Node positions, in the order found.
    pub components: Vec<usize>,
    /// The components that an alert still firing (or acknowledged) names, in the same order:
    /// the ones whose blast radius is current. Empty once every alert has resolved.
    pub open: Vec<usize>,
    /// `key=value` of each alert that named no component (its keyed labels, or its
    /// `alertname` when it has none), each once, values cut to [`UNMATCHED_VALUE_CHARS`].
    pub unmatched: Vec<String>,
}

/// Longest label value quoted in [`Found::unmatched`].
pub const UNMATCHED_VALUE_CHARS: usize = 80;

/// The components `group`'s alerts are about.
pub fn find(topo: &Topology, group: &Group, keys: &LabelKeys) -> Found {
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    let mut open = BTreeSet::new();
    // A group of hundreds of alerts repeats its label values and texts: each is looked up once.
    let mut labels: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut texts: HashMap<String, Vec<usize>> = HashMap::new();
    for ga in &group.alerts {
        let a = &ga.alert;
        let mut hits = Vec::new();
        for v in keys.0.iter().filter_map(|k| a.labels.get(k)) {
            let h = labels
                .entry(v.as_str())
                .or_insert_with(|| by_label(topo, v));
            if !h.is_empty() {
                hits = h.clone();
                break;
            }
        }
        if hits.is_empty() {
            let text = free_text(a, group);
            hits = match texts.get(&text) {
                Some(h) => h.clone(),
                None => {
                    let h = query::mentions(topo, &text);
                    texts.insert(text, h.clone());
                    h
                }
            };
        }
        if hits.is_empty() {
            let mut said: Vec<String> = keys
                .0
                .iter()
                .filter_map(|k| a.labels.get(k).map(|v| pair(k, v)))
                .collect();
            if said.is_empty() {
                said.push(pair("alertname", &a.name));
            }
            for s in said {
                if !found.unmatched.contains(&s) {
                    found.unmatched.push(s);
                }
            }
        }
        for &i in &hits {
            if seen.insert(i) {
                found.components.push(i);
            }
        }
        if ga.is_open() {
            for i in hits {
                if open.insert(i) {
                    found.open.push(i);
                }
            }
        }
    }
    found
}

/// Whether the blast radii of two sets of components overlap: one's components, or what
/// their failure impacts, are among the other's.
pub fn related(topo: &Topology, a: &[usize], b: &[usize]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let ra = radius(topo, a);
    radius(topo, b).iter().any(|i| ra.contains(i))
}

fn radius(topo: &Topology, of: &[usize]) -> BTreeSet<usize> {
    let im = query::impact(topo, of, &query::ImpactOptions::default());
    let mut r: BTreeSet<usize> = of.iter().copied().collect();
    r.extend(im.impacted.iter().filter_map(|i| topo.index(&i.id)));
    r
}

fn pair(k: &str, v: &str) -> String {
    let v = v.trim();
    if v.chars().count() > UNMATCHED_VALUE_CHARS {
        let cut: String = v.chars().take(UNMATCHED_VALUE_CHARS).collect();
        format!("{k}={cut}…")
    } else {
        format!("{k}={v}")
    }
}

fn free_text(a: &Alert, group: &Group) -> String {
    let mut parts: Vec<&str> = ["summary", "description", "title", "message"]
        .iter()
        .filter_map(|k| a.annotations.get(*k).map(String::as_str))
        .collect();
    parts.push(&a.name);
    parts.push(&group.title);
    parts.push(&group.message);
    parts.join("\n")
}

/// The components one label value names.
fn by_label(topo: &Topology, value: &str) -> Vec<usize> {
    let v = value.trim();
    if v.is_empty() || v.len() > 253 {
        return Vec::new();
    }
    let host = strip_port(v);
    let mut forms = vec![host];
    if let Some((first, _)) = host.split_once('.') {
        if !host.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !first.is_empty() {
            forms.push(first);
        }
    }
    forms
        .into_iter()
        .map(|f| named(topo, f))
        .find(|h| !h.is_empty())
        .unwrap_or_default()
}

/// `web-1:9100` → `web-1`; `[::1]:9100` → `::1`; anything else as it is.
fn strip_port(v: &str) -> &str {
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split_once(']').map_or(v, |(h, _)| h);
    }
    match v.rsplit_once(':') {
        Some((h, port))
            if !h.is_empty()
                && !h.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            h
        }
        _ => v,
    }
}

fn named(topo: &Topology, name: &str) -> Vec<usize> {
    let lower = name.to_lowercase();
    let mut tries = vec![name.to_string()];
    match lower.strip_suffix("-node") {
        Some(stem) => tries.push(stem.to_string()),
        None => tries.push(format!("{name}-Node")),
    }
    if let Some(p) = topo.common_prefix() {
        if !lower.starts_with(&format!("{}-", p.to_lowercase())) {
            let with: Vec<String> = tries.iter().map(|t| format!("{p}-{t}")).collect();
            tries.extend(with);
        }
    }
    if let Some(i) = tries.iter().find_map(|t| topo.index(t)) {
        return vec![i];
    }
    let nodes = topo.nodes();
    if let Some(i) = nodes.iter().position(|n| {
        (!n.instance_id.is_empty() && n.instance_id.eq_ignore_ascii_case(name))
            || n.spellings.iter().any(|s| s.eq_ignore_ascii_case(name))
    }) {
        return vec![i];
    }
    // A node group's name: the dash-separated tail of a `…-<nodegroup>-Node` row.
    if lower.len() >= 6 && lower.contains('-') {
        let tail = format!("-{}", lower.strip_suffix("-node").unwrap_or(&lower));
        return nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_instance())
            .filter(|(_, n)| {
                n.id.to_lowercase()
                    .strip_suffix("-node")
                    .is_some_and(|stem| stem.ends_with(&tail))
            })
            .map(|(i, _)| i)
            .collect();
    }
    Vec::new()
}
