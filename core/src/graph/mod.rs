//! The resolved topology: nodes, edges with provenance, and the diagnostics of the load.
//!
//! petgraph stays inside this module; callers see plain data and node ids (instance names, or
//! the canonical name of an external node).

mod dominators;

use crate::diag::Diagnostic;
use crate::vocabulary::{Language, AMBIGUOUS, DOUBTFUL, ON_DEMAND, OPTIONAL, VIA};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::Direction;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Instance,
    External,
}

/// What kind of thing an external node is, guessed from its name. Drives grouping in diagrams
/// and what counts as an entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    LoadBalancer,
    Client,
    People,
    Database,
    Cache,
    Queue,
    Storage,
    Delivery,
    Observability,
    Platform,
    Other,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::LoadBalancer => "load balancer",
            ResourceKind::Client => "client",
            ResourceKind::People => "people",
            ResourceKind::Database => "database",
            ResourceKind::Cache => "cache",
            ResourceKind::Queue => "queue",
            ResourceKind::Storage => "storage",
            ResourceKind::Delivery => "delivery",
            ResourceKind::Observability => "observability",
            ResourceKind::Platform => "platform",
            ResourceKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Instance name, or the canonical name of an external node.
    pub id: String,
    pub kind: NodeKind,
    /// The role exactly as the sheet writes it; empty for external nodes.
    pub role: String,
    /// Rows of the sheet that describe this instance (a node pool has several); 0 for external.
    pub count: u32,
    pub owner: String,
    pub env: String,
    pub notes: String,
    pub instance_id: String,
    /// For external nodes: what kind of resource it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceKind>,
    /// Other spellings of an external node seen in the sheet (`spotdb` for `Aurora spotdb`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spellings: Vec<String>,
    /// Sheet rows describing this instance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<u32>,
    /// Columns the loader does not interpret, by header text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Node {
    pub fn is_instance(&self) -> bool {
        self.kind == NodeKind::Instance
    }
}

/// How a node is labelled for people: `name ×N` for a pool of N rows, the name alone
/// otherwise.
pub fn pool_label(id: &str, count: u32) -> String {
    if count > 1 {
        format!("{id}{POOL_MARK}{count}")
    } else {
        id.to_string()
    }
}

/// The name and row count in a label [`pool_label`] wrote (`kafka ×3` → `kafka`, 3; a count
/// too large for `u32` reads as `u32::MAX`); any other text is a name without a count.
pub fn parse_pool_label(label: &str) -> (&str, Option<u32>) {
    match label.rsplit_once(POOL_MARK) {
        Some((name, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (name.trim(), Some(n.parse().unwrap_or(u32::MAX)))
        }
        _ => (label, None),
    }
}

/// Between a pool's name and its count.
const POOL_MARK: &str = " ×";

/// Where a relation was stated: the cell it came from and the word in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub sheet: Arc<str>,
    pub row: u32,
    /// Column letter.
    pub column: Arc<str>,
    /// The raw cell text.
    pub text: Arc<str>,
    /// The word of the cell that produced this edge.
    pub word: Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The upstream end's node id. Shared with every other edge of that node.
    pub from: Arc<str>,
    /// The downstream end's node id.
    pub to: Arc<str>,
    pub optional: bool,
    pub on_demand: bool,
    /// What the relation passes through, as written (`经 APISIX/NGINX`).
    pub via: Vec<String>,
    /// The word fitted several instances equally; all were linked.
    pub ambiguous: bool,
    pub note: Option<String>,
    /// The first statement of this relation.
    pub source: Provenance,
    /// Further statements of this relation, after `source` (most relations are stated once,
    /// so this is usually empty and allocates nothing). See [`Edge::sources`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Provenance>,
    /// Why the sheet itself casts doubt on this relation (a copy-pasted row that the other end
    /// contradicts, a direction conflict); `None` for a relation nothing contradicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doubt: Option<String>,
    /// The `from` instance's downstream cell states it.
    #[serde(skip)]
    pub stated_by_from: bool,
    /// The `to` instance's upstream cell states it.
    #[serde(skip)]
    pub stated_by_to: bool,
}

impl Edge {
    /// Every statement of this relation, `source` first.
    pub fn sources(&self) -> impl Iterator<Item = &Provenance> + '_ {
        std::iter::once(&self.source).chain(&self.also)
    }

    /// Whether the sheet contradicts this relation (see [`Edge::doubt`]).
    pub fn is_doubtful(&self) -> bool {
        self.doubt.is_some()
    }

    /// Optional or on demand: losing the other end degrades rather than breaks.
    pub fn is_soft(&self) -> bool {
        self.optional || self.on_demand
    }

    /// Short flag text for people: `optional, on demand, via APISIX/NGINX, ambiguous, doubtful`.
    pub fn flags_text(&self) -> String {
        self.flag_words(Language::English).join(", ")
    }

    /// The relation's flags in `lang`, in a fixed order: optional, on demand, via (with what it
    /// passes through), ambiguous, doubtful.
    pub fn flag_words(&self, lang: Language) -> Vec<String> {
        let mut f = Vec::new();
        if self.optional {
            f.push(OPTIONAL.text(lang).to_string());
        }
        if self.on_demand {
            f.push(ON_DEMAND.text(lang).to_string());
        }
        if !self.via.is_empty() {
            f.push(format!("{} {}", VIA.text(lang), self.via.join("/")));
        }
        if self.ambiguous {
            f.push(AMBIGUOUS.text(lang).to_string());
        }
        if self.doubt.is_some() {
            f.push(DOUBTFUL.text(lang).to_string());
        }
        f
    }
}

/// The dependency graph built from one inventory.
#[derive(Debug, Clone)]
pub struct Topology {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    diagnostics: Vec<Diagnostic>,
    graph: DiGraph<(), usize, u32>,
    by_id: HashMap<Arc<str>, usize>,
    /// Lower-cased ids that differ from the id itself (most ids are lower case already).
    by_key: HashMap<String, usize>,
    common_prefix: Option<String>,
    /// (node, edge) for every relation that passes through a node (`经 APISIX`), by node.
    through: Vec<(u32, u32)>,
    /// The same pairs as (edge, node), by edge.
    via_of: Vec<(u32, u32)>,
    /// The fields the sheet has a column for.
    columns: Vec<crate::ingest::Field>,
}

impl Topology {
    /// `ids` are the nodes' ids, shared with the edges' `from` and `to`; `ends` are the
    /// positions of each edge's ends in `nodes`.
    pub(crate) fn new(
        nodes: Vec<Node>,
        ids: Vec<Arc<str>>,
        edges: Vec<Edge>,
        ends: &[(u32, u32)],
        diagnostics: Vec<Diagnostic>,
        common_prefix: Option<String>,
        mut through: Vec<(u32, u32)>,
    ) -> Self {
        let mut graph = DiGraph::with_capacity(nodes.len(), edges.len());
        let mut by_id = HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
        let mut by_key = HashMap::default();
        for (i, id) in ids.into_iter().enumerate() {
            graph.add_node(());
            if crate::text::has_capitals(&id) {
                by_key.entry(id.to_lowercase()).or_insert(i);
            }
            by_id.insert(id, i);
        }
        // Keep the first of ids equal but for case, in node order.
        by_key.retain(|k, i| by_id.get(k.as_str()).is_none_or(|j| j > i));
        debug_assert_eq!(edges.len(), ends.len());
        for (i, &(a, b)) in ends.iter().enumerate() {
            graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), i);
        }
        let mut topo = Topology {
            nodes,
            edges,
            diagnostics,
            graph,
            by_id,
            by_key,
            common_prefix,
            through: Vec::new(),
            via_of: Vec::new(),
            columns: Vec::new(),
        };
        through.sort_unstable();
        through.dedup();
        let mut via_of: Vec<(u32, u32)> = through.iter().map(|&(v, k)| (k, v)).collect();
        via_of.sort_unstable();
        topo.via_of = via_of;
        topo.through = through;
        topo
    }

    /// Relations that pass through node `v` (`经 APISIX/NGINX` names it): (from, to, edge
    /// position, edge). Losing `v` cuts them unless another of their via nodes remains.
    pub fn through(&self, v: usize) -> impl Iterator<Item = (usize, usize, usize, &Edge)> + '_ {
        pairs_of(&self.through, v as u32)
            .iter()
            .filter_map(move |&(_, k)| {
                let (a, b) = self.graph.edge_endpoints(EdgeIndex::new(k as usize))?;
                Some((a.index(), b.index(), k as usize, &self.edges[k as usize]))
            })
    }

    /// The nodes edge `k`'s relation passes through (its via words, resolved): alternatives,
    /// any one of which carries it.
    pub fn via_nodes(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        pairs_of(&self.via_of, k as u32)
            .iter()
            .map(|&(_, v)| v as usize)
    }

    /// Nodes in a stable order: instances in sheet order, then external nodes in order of
    /// first mention.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Edges in a stable order: by `from`, then `to`, in node order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The first name token most instance names share (`aie1p`), which users may leave out.
    pub fn common_prefix(&self) -> Option<&str> {
        self.common_prefix.as_deref()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index(id).map(|i| &self.nodes[i])
    }

    /// Position of a node in [`Topology::nodes`], by exact id or case-insensitively.
    pub fn index(&self, id: &str) -> Option<usize> {
        if let Some(&i) = self.by_id.get(id) {
            return Some(i);
        }
        let lower = id.to_lowercase();
        // `by_key` only holds ids with capitals that come before an equal lower-case id.
        self.by_key
            .get(&lower)
            .or_else(|| self.by_id.get(lower.as_str()))
            .copied()
    }

    /// Edges leaving node `i` (its downstreams), with the index of the other end.
    pub fn outgoing(&self, i: usize) -> impl Iterator<Item = (usize, &Edge)> + '_ {
        self.neighbors(i, Direction::Outgoing)
    }

    /// Where traffic goes next from node `i`: its downstreams, the via nodes of its relations
    /// (`A → B 经 V` goes A → V), and the callees of the relations that pass through it
    /// (V → B). Paths and the customer verdict walk this way.
    pub fn traffic_next(&self, i: usize) -> Vec<(usize, &Edge)> {
        self.traffic_iter(i).collect()
    }

    /// [`Topology::traffic_next`] as it is found, without collecting it.
    pub fn traffic_iter(&self, i: usize) -> impl Iterator<Item = (usize, &Edge)> + '_ {
        use petgraph::visit::EdgeRef;
        self.graph
            .edges_directed(NodeIndex::new(i), Direction::Outgoing)
            .flat_map(move |e| {
                let k = *e.weight();
                let edge = &self.edges[k];
                std::iter::once((e.target().index(), edge))
                    .chain(self.via_nodes(k).map(move |v| (v, edge)))
            })
            .chain(self.through(i).map(|(_, b, _, e)| (b, e)))
    }

    /// Edges entering node `i` (its upstreams), with the index of the other end.
    pub fn incoming(&self, i: usize) -> impl Iterator<Item = (usize, &Edge)> + '_ {
        self.neighbors(i, Direction::Incoming)
    }

    fn neighbors(&self, i: usize, dir: Direction) -> impl Iterator<Item = (usize, &Edge)> + '_ {
        use petgraph::visit::EdgeRef;
        self.graph
            .edges_directed(NodeIndex::new(i), dir)
            .map(move |e| {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (other.index(), &self.edges[*e.weight()])
            })
    }

    pub fn in_degree(&self, i: usize) -> usize {
        self.graph
            .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            .count()
    }

    /// External nodes nothing points at: where traffic and people come in (ALBs, clients,
    /// developers).
    pub fn is_entry_point(&self, i: usize) -> bool {
        self.nodes[i].kind == NodeKind::External && self.in_degree(i) == 0
    }

    /// Whether the sheet has a column for `field` (an owner column, an environment column).
    pub fn has_column(&self, field: crate::ingest::Field) -> bool {
        self.columns.contains(&field)
    }

    pub(crate) fn set_columns(&mut self, columns: Vec<crate::ingest::Field>) {
        self.columns = columns;
    }

    pub fn instance_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_instance()).count()
    }
}

/// The run of `pairs` (sorted) whose first element is `key`.
fn pairs_of(pairs: &[(u32, u32)], key: u32) -> &[(u32, u32)] {
    let start = pairs.partition_point(|&(a, _)| a < key);
    let len = pairs[start..].partition_point(|&(a, _)| a == key);
    &pairs[start..start + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_label_reads_back_as_its_name_and_count() {
        assert_eq!(pool_label("aie1p-maker-02", 1), "aie1p-maker-02");
        assert_eq!(pool_label("aie1p-apisix", 3), "aie1p-apisix ×3");
        assert_eq!(
            parse_pool_label("aie1p-apisix ×3"),
            ("aie1p-apisix", Some(3))
        );
        assert_eq!(parse_pool_label("aie1p-maker-02"), ("aie1p-maker-02", None));
        assert_eq!(parse_pool_label("a ×3b"), ("a ×3b", None));
    }
}
