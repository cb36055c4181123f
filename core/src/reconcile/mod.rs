//! Is the sheet true? The sheet's instances against what runs in EC2 (`aws ec2
//! describe-instances`), and where they drift: listed but not running, running but not listed,
//! pool sizes, pools whose replicas all run in one availability zone, and instance types that
//! disagree with the size a name encodes.
//!
//! Matching: an EC2 instance's `Name` tag is compared with sheet names as the sheet writes them
//! (trimmed, case-insensitive). Node-group nodes all carry their group's name (eksctl writes
//! `<cluster>-<nodegroup>-Node`), so every running node of a group counts towards the pool row of
//! that name; a node without a matching `Name` is matched by its node-group tags
//! (`eks:nodegroup-name`, `alpha.eksctl.io/nodegroup-name`, `aws:autoscaling:groupName` by
//! default) against the sheet's `…-<nodegroup>-Node` rows. Only pending and running instances
//! count as running; stopped ones are reported as such; terminated and shutting-down ones are
//! ignored.

pub mod ec2;
pub mod history;

use crate::diagram::{Diagram, DiagramEdge, DiagramNode, Highlights, NodeClass};
use crate::graph::Topology;
use crate::text::fold_width;
use crate::vocabulary::is_stem_token;
pub use ec2::{parse, write_snapshot, Ec2Error, Instance, State};
pub use history::{compare, new_drift, Drift, Ec2Change};
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Which tags name an instance and its node group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagKeys {
    pub name: String,
    /// Tried in order; the first present names the node group.
    pub group: Vec<String>,
}

impl Default for TagKeys {
    fn default() -> Self {
        TagKeys {
            name: "Name".into(),
            group: vec![
                "eks:nodegroup-name".into(),
                "alpha.eksctl.io/nodegroup-name".into(),
                "aws:autoscaling:groupName".into(),
            ],
        }
    }
}

/// A sheet instance with no running EC2 instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub id: String,
    /// `stopped`/`stopping` when the instance exists but does not run, else `not found`.
    pub state: String,
}

/// Running instances the sheet does not list, one line per node group or name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unlisted {
    pub group: String,
    pub count: usize,
    /// Up to three instance names (or ids when they have no name).
    pub examples: Vec<String>,
}

/// A pool whose row count differs from its running nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolSize {
    pub id: String,
    pub sheet: u32,
    pub running: usize,
}

/// A pool, or a set of copies of one instance, whose running nodes are all in one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SingleAz {
    /// The pool's id, or the copies' ids joined with `, `.
    pub id: String,
    pub az: String,
    pub count: usize,
}

/// An instance type that is not the size the name encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeMismatch {
    pub id: String,
    pub name_says: String,
    pub actual: String,
}

/// What runs, per sheet instance: its running nodes' zones and types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Running {
    pub running: usize,
    pub stopped: usize,
    /// Zones of the running nodes, sorted, with how many run in each.
    pub zones: BTreeMap<String, usize>,
}

/// The drift report. The JSON shape is documented in the README and kept stable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub missing: Vec<Missing>,
    pub unlisted: Vec<Unlisted>,
    pub pool_size: Vec<PoolSize>,
    pub single_az: Vec<SingleAz>,
    pub type_mismatch: Vec<TypeMismatch>,
    /// Sheet instances with at least one running EC2 instance.
    pub matched: usize,
    /// What runs for each sheet instance, by id (instances with nothing running are absent).
    #[serde(skip)]
    pub by_node: BTreeMap<String, Running>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.pool_size.is_empty()
            && self.single_az.is_empty()
            && self.type_mismatch.is_empty()
    }

    /// Sheet instances whose running nodes are all in one zone (one failure domain for an
    /// outage of that zone).
    pub fn one_zone(&self, id: &str) -> Option<&str> {
        let r = self.by_node.get(id)?;
        (r.running >= 2 && r.zones.len() == 1)
            .then(|| r.zones.keys().next().map(String::as_str))
            .flatten()
    }
}

/// The key sheet names and `Name` tags are compared by: trimmed, width-folded, lower case,
/// invisible characters dropped.
fn name_key(s: &str) -> Cow<'_, str> {
    // Most names are already plain: lower-case ASCII without spaces at the ends.
    if s.bytes()
        .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        fold_width(s)
            .chars()
            .filter(|c| !matches!(c, '\u{200b}'..='\u{200d}' | '\u{feff}' | '\u{2060}'))
            .collect::<String>()
            .trim()
            .to_lowercase(),
    )
}

/// Compares the sheet with what runs.
pub fn reconcile(topo: &Topology, instances: &[Instance], keys: &TagKeys) -> Report {
    let nodes = topo.nodes();
    let mut by_name: HashMap<Cow<str>, usize> = HashMap::default();
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| n.is_instance()) {
        by_name.entry(name_key(&n.id)).or_insert(i);
    }
    // `…-<nodegroup>-Node` rows by every dash-separated tail before `-node`, for node groups;
    // built only when a node's `Name` matches no row.
    let mut by_group: Option<HashMap<String, usize>> = None;
    let group_index = || {
        let mut m: HashMap<String, usize> = HashMap::default();
        for (k, &i) in &by_name {
            if let Some(stem) = k.strip_suffix("-node") {
                let mut rest = stem;
                while let Some((_, tail)) = rest.split_once('-') {
                    m.entry(tail.to_string())
                        .and_modify(|j| *j = (*j).min(i))
                        .or_insert(i);
                    rest = tail;
                }
            }
        }
        m
    };
    let mut running: Vec<Vec<&Instance>> = vec![Vec::new(); nodes.len()];
    let mut stopped: Vec<Vec<&Instance>> = vec![Vec::new(); nodes.len()];
    let mut unlisted: BTreeMap<String, Vec<&Instance>> = BTreeMap::new();
    for inst in instances.iter().filter(|i| !i.state.is_gone()) {
        let written = inst.tags.get(&keys.name).filter(|n| !n.trim().is_empty());
        let name = written.map(|n| name_key(n));
        let group = keys
            .group
            .iter()
            .find_map(|k| inst.tags.get(k))
            .map(|g| name_key(g));
        let mut hit = name.as_ref().and_then(|n| by_name.get(n.as_ref())).copied();
        if hit.is_none() {
            if let Some(g) = &group {
                let index = by_group.get_or_insert_with(group_index);
                hit = index.get(g.as_ref()).or(by_name.get(g.as_ref())).copied();
            }
        }
        match hit {
            Some(i) if inst.state.is_running() => running[i].push(inst),
            Some(i) => stopped[i].push(inst),
            None if inst.state.is_running() => {
                let label = group
                    .map(|g| format!("node group {g}"))
                    .or_else(|| written.map(|n| name_pattern(n)))
                    .unwrap_or_else(|| "(no Name tag)".to_string());
                unlisted.entry(clip(&label)).or_default().push(inst);
            }
            None => {}
        }
    }
    let mut report = Report::default();
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| n.is_instance()) {
        let (run, stop) = (&running[i], &stopped[i]);
        if run.is_empty() {
            report.missing.push(Missing {
                id: n.id.clone(),
                state: match stop.first() {
                    Some(s) => s.state.name().to_string(),
                    None => "not found".into(),
                },
            });
        } else {
            report.matched += 1;
        }
        if !run.is_empty() && (run.len() != n.count as usize) && (n.count > 1 || run.len() > 1) {
            report.pool_size.push(PoolSize {
                id: n.id.clone(),
                sheet: n.count,
                running: run.len(),
            });
        }
        let mut zones: BTreeMap<String, usize> = BTreeMap::new();
        for r in run.iter().filter(|r| !r.az.is_empty()) {
            *zones.entry(r.az.clone()).or_default() += 1;
        }
        if run.len() >= 2 && zones.len() == 1 {
            if let Some(az) = zones.keys().next() {
                report.single_az.push(SingleAz {
                    id: n.id.clone(),
                    az: az.clone(),
                    count: run.len(),
                });
            }
        }
        if let Some(says) = size_in_name(&n.id) {
            let mut actual: Vec<&str> = run
                .iter()
                .map(|r| r.instance_type.as_str())
                .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case(&says))
                .collect();
            actual.sort_unstable();
            actual.dedup();
            if !actual.is_empty() {
                report.type_mismatch.push(TypeMismatch {
                    id: n.id.clone(),
                    name_says: says,
                    actual: actual.join(", "),
                });
            }
        }
        if !run.is_empty() || !stop.is_empty() {
            report.by_node.insert(
                n.id.clone(),
                Running {
                    running: run.len(),
                    stopped: stop.len(),
                    zones,
                },
            );
        }
    }
    let copies = copies_in_one_zone(topo, &report.by_node, &running);
    report.single_az.extend(copies);
    report.unlisted = unlisted
        .into_iter()
        .map(|(group, list)| Unlisted {
            count: list.len(),
            examples: list
                .iter()
                .take(3)
                .map(|i| {
                    i.tags
                        .get(&keys.name)
                        .filter(|n| !n.trim().is_empty())
                        .map(|n| clip(n))
                        .unwrap_or_else(|| clip(&i.id))
                })
                .collect(),
            group,
        })
        .collect();
    report
        .unlisted
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.group.cmp(&b.group)));
    report
}

/// Single instances that are copies of one another (`maker-02`, `maker-02-copy`: the same
/// name but for replica numbers and marks) all running in one zone.
fn copies_in_one_zone(
    topo: &Topology,
    by_node: &BTreeMap<String, Running>,
    running: &[Vec<&Instance>],
) -> Vec<SingleAz> {
    let mut out = Vec::new();
    let mut stems: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, n) in topo.nodes().iter().enumerate() {
        if n.is_instance() && n.count <= 1 && by_node.get(&n.id).is_some_and(|r| r.running == 1) {
            let stem: Vec<&str> =
                n.id.split(['-', '_', '.'])
                    .filter(|t| is_stem_token(&t.to_lowercase()))
                    .collect();
            stems
                .entry(stem.join("-").to_lowercase())
                .or_default()
                .push(i);
        }
    }
    for members in stems.values().filter(|m| m.len() >= 2) {
        let mut zones: Vec<&str> = members
            .iter()
            .flat_map(|&i| running[i].iter().map(|r| r.az.as_str()))
            .filter(|z| !z.is_empty())
            .collect();
        zones.sort_unstable();
        zones.dedup();
        if let [az] = zones[..] {
            out.push(SingleAz {
                id: members
                    .iter()
                    .map(|&i| topo.nodes()[i].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                az: az.to_string(),
                count: members.len(),
            });
        }
    }
    out
}

/// Longest tag text kept in a report line; tags are free text and can be kilobytes.
const MAX_LABEL_CHARS: usize = 100;

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_LABEL_CHARS {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX_LABEL_CHARS).collect::<String>())
    }
}

/// A name's instances as one pattern: replica numbers become `*` (`batch-07`, `batch-08` →
/// `batch-*`); a node group's nodes share one name already.
fn name_pattern(name: &str) -> String {
    name.trim()
        .split('-')
        .map(|t| {
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The EC2 instance type a name encodes, where a name token does: `c5large` → `c5.large`,
/// `r52xlarge` → `r5.2xlarge`, `c5xlarge` → `c5.xlarge`, `m6ilarge` → `m6i.large`.
pub fn size_in_name(name: &str) -> Option<String> {
    const SIZES: &[&str] = &[
        "metal", "nano", "micro", "small", "medium", "large", "xlarge",
    ];
    for token in name.to_lowercase().split(['-', '_', '.']) {
        let b = token.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
        if letters == 0 || letters > 3 || b.get(letters).is_none_or(|c| !c.is_ascii_digit()) {
            continue;
        }
        let rest = &token[letters + 1..];
        // Optional attribute letters (a, d, g, i, n, e, z…), then the size.
        for attrs in 0..=rest.len().min(3) {
            let (attr, size) = rest.split_at(attrs);
            if !attr.bytes().all(|c| c.is_ascii_lowercase()) {
                break;
            }
            let digits = size.bytes().take_while(u8::is_ascii_digit).count();
            let bare = &size[digits..];
            let ok = SIZES.contains(&bare) && (digits == 0 || bare == "xlarge");
            if ok && !size.is_empty() {
                return Some(format!("{}.{size}", &token[..letters + 1 + attrs]));
            }
        }
    }
    None
}

/// The phrases the reconcile diagram shows, in the reader's language (the front end words
/// them; core only places them).
pub trait DiagramWords {
    /// The note on a missing box: `not running (stopped)`.
    fn not_running(&self, state: &str) -> String;
    /// The note on an unlisted group's box: `3 running, not in the sheet`.
    fn unlisted(&self, count: usize) -> String;
    fn caption(&self, report: &Report) -> String;
}

/// The sheet's graph with what drifted drawn apart: missing components red and dashed, and
/// each unlisted group a grey box joined (dashed) to the first sheet instance of its naming
/// domain.
pub fn diagram(topo: &Topology, report: &Report, words: &dyn DiagramWords) -> Diagram {
    let all: Vec<usize> = (0..topo.nodes().len()).collect();
    let mut d = Diagram::view(topo, &all, &Highlights::default());
    for m in &report.missing {
        if let Some(n) = d.nodes.iter_mut().find(|n| n.key == m.id) {
            n.class = NodeClass::Removed;
            n.lines.push(words.not_running(&m.state));
        }
    }
    let prefix = topo.common_prefix().map(|p| format!("{p}-"));
    for u in &report.unlisted {
        let at = d.nodes.len();
        d.nodes.push(DiagramNode {
            key: format!("unlisted: {}", u.group),
            lines: vec![u.group.clone(), words.unlisted(u.count)],
            class: NodeClass::External,
            group: None,
        });
        let domain = domain_of(&u.group, prefix.as_deref());
        if let Some(to) = domain.and_then(|dom| {
            d.nodes.iter().position(|n| {
                domain_of(&n.key, prefix.as_deref()).as_deref() == Some(dom.as_str())
                    && !n.key.starts_with("unlisted: ")
            })
        }) {
            d.edges.push(DiagramEdge {
                from: at,
                to,
                label: Some("?".into()),
                dashed: true,
                doubtful: false,
            });
        }
    }
    d.caption = words.caption(report);
    d
}

/// The first name token after the common prefix: a name's naming domain for drawing.
fn domain_of(name: &str, prefix: Option<&str>) -> Option<String> {
    let lower = name
        .trim_start_matches("node group ")
        .trim_start_matches("unlisted: ")
        .to_lowercase();
    let rest = prefix.and_then(|p| lower.strip_prefix(p)).unwrap_or(&lower);
    rest.split(['-', '_', '.'])
        .find(|t| !t.is_empty() && t.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::to_string)
}
