//! Diagrams of a topology: one model ([`Diagram`]) from which the Mermaid source is written, so
//! that anything drawn from the model shows exactly what the source says.
//!
//! Mermaid safety: node ids are synthetic (`n1`, `n2`…); labels are always quoted and escaped by
//! [`escape_label`], edge labels by [`escape_edge_label`], so any cell text renders literally.

use crate::graph::{pool_label, NodeKind, ResourceKind, Topology};
use crate::vocabulary::Language;
use std::collections::HashMap;
use std::fmt::Write;

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeClass {
    Instance,
    External,
    /// Selected, or an incident suspect: red.
    Selected,
    /// Impacted by a failure, effect unknown (generic amber).
    Impacted,
    /// Impact effects (see [`crate::query::Effect`]), each drawn its own way.
    Broken,
    Degraded,
    CutOff,
    PartlyFed,
    Exposed,
    Doubtful,
    /// In a diff: added (green), removed (red, dashed), changed (amber).
    Added,
    Removed,
    Changed,
}

impl NodeClass {
    /// The Mermaid class name and its style.
    pub fn mermaid(self) -> (&'static str, &'static str) {
        match self {
            NodeClass::Instance => ("inst", "fill:#ffffff,stroke:#333333,color:#111111"),
            NodeClass::External => ("ext", "fill:#eeeeee,stroke:#999999,color:#333333"),
            NodeClass::Selected => (
                "sel",
                "fill:#ffd6d6,stroke:#cc0000,stroke-width:3px,color:#111111",
            ),
            NodeClass::Impacted => (
                "imp",
                "fill:#ffe8b3,stroke:#d98c00,stroke-width:2px,color:#111111",
            ),
            NodeClass::Broken => (
                "brk",
                "fill:#ffcc80,stroke:#b35900,stroke-width:3px,color:#111111",
            ),
            NodeClass::Degraded => (
                "deg",
                "fill:#fff3cc,stroke:#d9a600,stroke-width:2px,color:#111111",
            ),
            NodeClass::CutOff => (
                "cut",
                "fill:#e6d9ff,stroke:#6a3db3,stroke-width:2px,color:#111111",
            ),
            NodeClass::PartlyFed => (
                "prt",
                "fill:#f3edff,stroke:#8c73bf,stroke-width:1px,color:#111111",
            ),
            NodeClass::Exposed => (
                "exp",
                "fill:#e0f0ff,stroke:#3d7ab3,stroke-width:2px,color:#111111",
            ),
            NodeClass::Doubtful => (
                "dbt",
                "fill:#ffffff,stroke:#888888,stroke-width:2px,stroke-dasharray:4 3,color:#111111",
            ),
            NodeClass::Added => (
                "add",
                "fill:#d9f7d9,stroke:#2e8b2e,stroke-width:2px,color:#111111",
            ),
            NodeClass::Removed => (
                "del",
                "fill:#ffd6d6,stroke:#cc0000,stroke-width:2px,stroke-dasharray:5 5,color:#111111",
            ),
            NodeClass::Changed => (
                "chg",
                "fill:#ffe8b3,stroke:#d98c00,stroke-width:2px,color:#111111",
            ),
        }
    }

    /// The legend text for a highlight class; `None` for the plain classes.
    pub fn legend(self) -> Option<&'static str> {
        match self {
            NodeClass::Instance | NodeClass::External => None,
            NodeClass::Selected => Some("selected / suspect"),
            NodeClass::Impacted => Some("impacted"),
            NodeClass::Broken => Some("broken"),
            NodeClass::Degraded => Some("degraded"),
            NodeClass::CutOff => Some("cut off"),
            NodeClass::PartlyFed => Some("partly fed"),
            NodeClass::Exposed => Some("exposed"),
            NodeClass::Doubtful => Some("doubtful"),
            NodeClass::Added => Some("added"),
            NodeClass::Removed => Some("removed"),
            NodeClass::Changed => Some("changed"),
        }
    }
}

impl From<crate::query::Effect> for NodeClass {
    fn from(e: crate::query::Effect) -> Self {
        use crate::query::Effect;
        match e {
            Effect::Broken => NodeClass::Broken,
            Effect::Degraded => NodeClass::Degraded,
            Effect::CutOff => NodeClass::CutOff,
            Effect::PartlyFed => NodeClass::PartlyFed,
            Effect::Exposed => NodeClass::Exposed,
            Effect::Doubtful => NodeClass::Doubtful,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramNode {
    /// The topology node id this box stands for.
    pub key: String,
    /// Label lines, unescaped.
    pub lines: Vec<String>,
    pub class: NodeClass,
    /// For external nodes: the kind, used to group them.
    pub group: Option<ResourceKind>,
}

impl DiagramNode {
    /// External resources and people are drawn as rounded boxes (in Mermaid and in the
    /// PNG/SVG), so they stay apart from instances whatever highlight class they carry.
    pub fn rounded(&self) -> bool {
        self.group.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramEdge {
    /// Positions in [`Diagram::nodes`].
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    /// Optional, on demand, or removed.
    pub dashed: bool,
    /// A doubtful relation (see `Edge::doubt`): drawn dashed, with a note.
    pub doubtful: bool,
}

/// A diagram: boxes, arrows, and the caption saying what was left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagram {
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<DiagramEdge>,
    pub caption: String,
}

/// What to highlight in a view of the topology.
#[derive(Debug, Clone, Default)]
pub struct Highlights {
    pub selected: Vec<usize>,
    /// Impacted, effect not known: the generic amber.
    pub impacted: Vec<usize>,
    /// Impacted with a known effect; takes precedence over `impacted`.
    pub effects: Vec<(usize, NodeClass)>,
}

impl Diagram {
    /// The nodes `include` of the topology (positions), with every edge between them.
    pub fn view(topo: &Topology, include: &[usize], hl: &Highlights) -> Diagram {
        let mut include: Vec<usize> = include.to_vec();
        include.sort_unstable();
        include.dedup();
        let pos: HashMap<usize, usize> = include.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let nodes = include
            .iter()
            .map(|&i| {
                let n = &topo.nodes()[i];
                let class = if hl.selected.contains(&i) {
                    NodeClass::Selected
                } else if let Some(&(_, c)) = hl.effects.iter().find(|(n, _)| *n == i) {
                    c
                } else if hl.impacted.contains(&i) {
                    NodeClass::Impacted
                } else if n.kind == NodeKind::Instance {
                    NodeClass::Instance
                } else {
                    NodeClass::External
                };
                let mut lines = vec![pool_label(&n.id, n.count)];
                if !n.role.is_empty() {
                    lines.push(n.role.clone());
                }
                DiagramNode {
                    key: n.id.clone(),
                    lines,
                    class,
                    group: n.resource,
                }
            })
            .collect();
        let mut edges = Vec::new();
        for &i in &include {
            for (j, e) in topo.outgoing(i) {
                if let Some(&to) = pos.get(&j) {
                    edges.push(DiagramEdge {
                        from: pos[&i],
                        to,
                        label: edge_label(e),
                        dashed: e.is_soft() || e.is_doubtful(),
                        doubtful: e.is_doubtful(),
                    });
                }
            }
        }
        edges.sort_by_key(|e| (e.from, e.to));
        Diagram {
            nodes,
            edges,
            caption: String::new(),
        }
    }

    /// The whole topology.
    pub fn whole(topo: &Topology) -> Diagram {
        let all: Vec<usize> = (0..topo.nodes().len()).collect();
        Diagram::view(topo, &all, &Highlights::default())
    }

    /// The highlight classes used, in legend order.
    pub fn legend(&self) -> Vec<NodeClass> {
        let mut used: Vec<NodeClass> = self
            .nodes
            .iter()
            .map(|n| n.class)
            .filter(|c| c.legend().is_some())
            .collect();
        used.sort();
        used.dedup();
        used
    }

    /// The start all instance names share, up to and including a `-` (such as a team's
    /// `team1-` naming prefix), when there are at least two instances and every one keeps a
    /// name without it. Pictures drop it from each box and say it once in the caption.
    pub fn common_name_prefix(&self) -> Option<String> {
        let names: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.group.is_none())
            .filter_map(|n| n.lines.first().map(String::as_str))
            .collect();
        let (first, rest) = names.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let mut len = first.len();
        for n in rest {
            len = len.min(
                first
                    .bytes()
                    .zip(n.bytes())
                    .take_while(|(a, b)| a == b)
                    .count(),
            );
        }
        let cut = first.get(..len)?.rfind('-')? + 1;
        let prefix = &first[..cut];
        let keeps_a_name = names.iter().all(|n| n.len() > cut + 1);
        (prefix.chars().count() >= 3 && keeps_a_name).then(|| prefix.to_string())
    }

    /// Mermaid flowchart source, left to right.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("graph LR\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let label = n
                .lines
                .iter()
                .map(|l| escape_label(l))
                .collect::<Vec<_>>()
                .join("<br>");
            let (open, close) = if n.rounded() { ("(", ")") } else { ("[", "]") };
            let _ = writeln!(out, "    n{}{open}\"{}\"{close}", i + 1, label);
        }
        for e in &self.edges {
            let arrow = if e.dashed || e.doubtful {
                "-.->"
            } else {
                "-->"
            };
            let label = match (&e.label, e.doubtful) {
                (Some(l), true) if l.contains(DOUBTFUL_NOTE) => Some(l.clone()),
                (Some(l), true) => Some(format!("{l} · {DOUBTFUL_NOTE}")),
                (None, true) => Some(DOUBTFUL_NOTE.to_string()),
                (l, false) => l.clone(),
            };
            match &label {
                Some(l) => {
                    let _ = writeln!(
                        out,
                        "    n{} {}|{}| n{}",
                        e.from + 1,
                        arrow,
                        escape_edge_label(l),
                        e.to + 1
                    );
                }
                None => {
                    let _ = writeln!(out, "    n{} {} n{}", e.from + 1, arrow, e.to + 1);
                }
            }
        }
        let mut by_class: Vec<(NodeClass, Vec<usize>)> = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            match by_class.iter_mut().find(|(c, _)| *c == n.class) {
                Some((_, v)) => v.push(i + 1),
                None => by_class.push((n.class, vec![i + 1])),
            }
        }
        by_class.sort_by_key(|(c, _)| *c);
        for (i, e) in self.edges.iter().enumerate() {
            if e.doubtful {
                let _ = writeln!(out, "    linkStyle {i} {DOUBTFUL_LINK_STYLE};");
            }
        }
        for (class, _) in &by_class {
            let (name, style) = class.mermaid();
            let _ = writeln!(out, "    classDef {name} {style};");
        }
        for (class, ids) in &by_class {
            let list = ids
                .iter()
                .map(|i| format!("n{i}"))
                .collect::<Vec<_>>()
                .join(",");
            let _ = writeln!(out, "    class {list} {};", class.mermaid().0);
        }
        out
    }
}

/// The note on a doubtful relation's arrow, in Mermaid and in pictures.
/// The edge flags' word for it, as the other flags (可选, 按需) are written in diagrams.
pub const DOUBTFUL_NOTE: &str = crate::vocabulary::DOUBTFUL.zh;
/// How a doubtful relation's arrow is drawn: dotted, in the doubtful colour.
pub const DOUBTFUL_LINK_STYLE: &str = "stroke:#b35900,stroke-width:2px,stroke-dasharray:2 4";

/// An edge's flags in the sheet's own words (`可选`, `按需`, `经 …`).
fn edge_label(e: &crate::graph::Edge) -> Option<String> {
    let parts = e.flag_words(Language::Chinese);
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Longest label line kept in a diagram; longer text is cut with an ellipsis.
pub const MAX_LABEL_CHARS: usize = 80;

/// Makes text safe inside a quoted Mermaid label: no `"`, no `#entity;`, no HTML, no `:::`, no
/// leading backtick, no line breaks (callers join lines with `<br>`), bounded length.
pub fn escape_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (count, c) in text.chars().enumerate() {
        if count >= MAX_LABEL_CHARS {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push('\''),
            '#' => out.push('＃'),
            '<' => out.push('＜'),
            '>' => out.push('＞'),
            // Mermaid's HTML labels would read `&amp;` as an entity and draw `&`.
            '&' => out.push('＆'),
            '`' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            // Bidirectional overrides could reorder what a reader sees.
            c if crate::text::is_bidi_control(c) => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    while out.contains(":::") {
        out = out.replace(":::", ": : :");
    }
    if out.trim().is_empty() {
        out = "·".into();
    }
    out
}

/// Makes text safe as an unquoted edge label `-->|text|`.
pub fn escape_edge_label(text: &str) -> String {
    escape_label(text)
        .chars()
        .map(|c| match c {
            '|' => '｜',
            // Mermaid 11 reads `@` after an arrow as an edge id (`-->|@x|` fails to parse).
            '@' => '＠',
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '{' => '｛',
            '}' => '｝',
            '\'' => '’',
            c => c,
        })
        .collect()
}
