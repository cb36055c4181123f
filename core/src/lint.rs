//! What the team should fix in the sheet, and how a hand-drawn Mermaid diagram differs from it.

use crate::cell::parse_cell;
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::graph::{parse_pool_label, NodeKind, Topology};
use crate::resolve::external_key;
use crate::text::key;
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// Everything lint found, worst first within each group.
#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    pub findings: Vec<Diagnostic>,
}

/// Lints the loaded sheet: doubtful relations first, then alias problems, unresolved and
/// ambiguous words, conflicting duplicates, missing columns, one-sided relations (one line per
/// group of rows saying the same of one component), and what loading skipped.
pub fn lint(topo: &Topology) -> LintReport {
    let mut findings: Vec<Diagnostic> = topo.diagnostics().to_vec();
    // One-sided statements by (the end that is silent, the side, the word): four replicas that
    // all list one component are one finding.
    let mut one_sided: BTreeMap<(String, bool, String), (Vec<String>, Location)> = BTreeMap::new();
    for e in topo.edges() {
        let (Some(a), Some(b)) = (topo.node(&e.from), topo.node(&e.to)) else {
            continue;
        };
        if a.kind != NodeKind::Instance || b.kind != NodeKind::Instance {
            continue;
        }
        // Both directions stated: a direction conflict, reported as such.
        let reversed = topo
            .index(&e.to)
            .is_some_and(|j| topo.outgoing(j).any(|(_, r)| r.to == e.from));
        // Doubtful relations are reported with their doubt.
        if reversed || e.is_doubtful() {
            continue;
        }
        let (silent, stater, by_downstream) = match (e.stated_by_from, e.stated_by_to) {
            (true, false) => (&e.to, &e.from, true),
            (false, true) => (&e.from, &e.to, false),
            _ => continue,
        };
        let at = Location {
            sheet: e.source.sheet.to_string(),
            row: e.source.row,
            column: Some(e.source.column.to_string()),
        };
        let entry = one_sided
            .entry((silent.to_string(), by_downstream, e.source.word.to_string()))
            .or_insert_with(|| (Vec::new(), at));
        entry.0.push(stater.to_string());
    }
    for ((silent, by_downstream, word), (mut staters, at)) in one_sided {
        staters.sort();
        staters.dedup();
        let (side, other) = if by_downstream {
            ("a downstream", "an upstream")
        } else {
            ("an upstream", "a downstream")
        };
        let who = staters.join(", ");
        let them = if staters.len() == 1 { "it" } else { "them" };
        findings.push(
            Diagnostic::new(
                Severity::Warning,
                DiagKind::OneSided,
                format!(
                    "one-sided: {who} list{} {silent} as {side} ('{word}'), but {silent} does not list {them} as {other}",
                    if staters.len() == 1 { "s" } else { "" }
                ),
            )
            .at(at),
        );
    }
    findings.sort_by(|a, b| {
        a.kind
            .harm_rank()
            .cmp(&b.kind.harm_rank())
            .then(b.severity.cmp(&a.severity))
            .then(a.location.cmp(&b.location))
    });
    LintReport { findings }
}

/// A relation in a drawing, by the drawing's labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DrawnEdge {
    pub from: String,
    pub to: String,
}

/// How a hand-drawn diagram differs from the sheet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiagramReport {
    /// Relations the sheet states that the drawing misses (sheet node ids).
    pub missing: Vec<DrawnEdge>,
    /// Relations the drawing shows that the sheet does not state (sheet ids where known, else
    /// the drawing's label).
    pub extra: Vec<DrawnEdge>,
    /// Drawn boxes that match nothing in the sheet.
    pub unknown_nodes: Vec<String>,
    pub drawn_nodes: usize,
    pub drawn_edges: usize,
}

/// The text given to [`compare_diagram`] holds no Mermaid flowchart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no Mermaid flowchart found: expected a first line `graph LR` / `flowchart TD` (after any %% comments), or a Markdown ```mermaid block holding one")]
pub struct NotAFlowchart;

/// Compares a Mermaid flowchart (or a Markdown document holding one in a ```mermaid block) with
/// the sheet.
pub fn compare_diagram(topo: &Topology, text: &str) -> Result<DiagramReport, NotAFlowchart> {
    let block = mermaid_block(text);
    let chart = parse_flowchart(flowchart_body(&block).ok_or(NotAFlowchart)?);
    let lookup = ExternalLookup::new(topo);
    let mut mapped: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut report = DiagramReport {
        drawn_nodes: chart.labels.len(),
        drawn_edges: chart.edges.len(),
        ..DiagramReport::default()
    };
    for (id, label) in &chart.labels {
        let hits = map_label(topo, &lookup, label);
        if hits.is_empty() {
            report.unknown_nodes.push(label.clone());
        }
        mapped.insert(id.as_str(), hits);
    }
    let mut drawn: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut extra: BTreeSet<DrawnEdge> = BTreeSet::new();
    for (a, b) in &chart.edges {
        let (ma, mb) = (
            mapped.get(a.as_str()).cloned().unwrap_or_default(),
            mapped.get(b.as_str()).cloned().unwrap_or_default(),
        );
        let label = |id: &str, m: &[usize]| match m {
            [] => chart
                .labels
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string()),
            _ => m
                .iter()
                .map(|&i| topo.nodes()[i].id.clone())
                .collect::<Vec<_>>()
                .join(" / "),
        };
        let mut any = false;
        for &x in &ma {
            for &y in &mb {
                drawn.insert((x, y));
                if topo.outgoing(x).any(|(j, _)| j == y) {
                    any = true;
                }
            }
        }
        if !any {
            extra.insert(DrawnEdge {
                from: label(a, &ma),
                to: label(b, &mb),
            });
        }
    }
    for e in topo.edges() {
        let (Some(a), Some(b)) = (topo.index(&e.from), topo.index(&e.to)) else {
            continue;
        };
        if !drawn.contains(&(a, b)) {
            report.missing.push(DrawnEdge {
                from: e.from.to_string(),
                to: e.to.to_string(),
            });
        }
    }
    report.extra = extra.into_iter().collect();
    report.unknown_nodes.sort();
    report.unknown_nodes.dedup();
    Ok(report)
}

/// The chart of Mermaid source that declares a flowchart, without its `---` front matter:
/// the first line after that, blank lines and `%%` comments or directives must be `graph …` or
/// `flowchart …`.
fn flowchart_body(src: &str) -> Option<&str> {
    let mut body = src.trim_start();
    if let Some(rest) = body.strip_prefix("---") {
        let end = rest.find("\n---")?;
        body = rest[end + 4..].trim_start();
    }
    let first = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%"))?;
    let word = first.split_whitespace().next()?;
    (word == "graph" || word == "flowchart").then_some(body)
}

struct ExternalLookup {
    by_key: HashMap<String, usize>,
}

impl ExternalLookup {
    fn new(topo: &Topology) -> Self {
        let mut by_key = HashMap::new();
        for (i, n) in topo.nodes().iter().enumerate() {
            if n.kind == NodeKind::External {
                by_key.insert(external_key(&n.id), i);
                for s in &n.spellings {
                    by_key.entry(external_key(s)).or_insert(i);
                }
            }
        }
        ExternalLookup { by_key }
    }
}

fn map_label(topo: &Topology, ext: &ExternalLookup, label: &str) -> Vec<usize> {
    let first = label
        .split("\\n")
        .next()
        .unwrap_or("")
        .split("<br>")
        .next()
        .unwrap_or("")
        .trim();
    // A pool as aiops draws it: `name ×3`.
    let (first, _) = parse_pool_label(first);
    if let Some(i) = topo.index(first) {
        return vec![i];
    }
    let mut hits = Vec::new();
    for m in parse_cell(first) {
        if let Some(i) = topo.index(&m.text) {
            hits.push(i);
        } else if let Some(&i) = ext.by_key.get(&external_key(&m.text)) {
            hits.push(i);
        }
    }
    if hits.is_empty() {
        if let Some(&i) = ext.by_key.get(&key(first)) {
            hits.push(i);
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}

struct Flowchart {
    labels: HashMap<String, String>,
    edges: Vec<(String, String)>,
}

/// The first ```mermaid block of a Markdown document, or the whole text when there is none.
fn mermaid_block(text: &str) -> String {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if !inside && t.starts_with("```mermaid") {
            inside = true;
            continue;
        }
        if inside && t.starts_with("```") {
            return out.join("\n");
        }
        if inside {
            out.push(line);
        }
    }
    if out.is_empty() {
        text.to_string()
    } else {
        out.join("\n")
    }
}

fn parse_flowchart(src: &str) -> Flowchart {
    static NODE: OnceLock<Regex> = OnceLock::new();
    static ARROW: OnceLock<Regex> = OnceLock::new();
    let node_re = NODE.get_or_init(|| {
        Regex::new(r#"^([A-Za-z0-9_]+)\s*(?:\[\[?|\(\(?|\{\{?|>)\s*"?(.*?)"?\s*(?:\]\]?|\)\)?|\}\}?)(?::::[A-Za-z0-9_]+)?$"#)
            .expect("static regex")
    });
    let arrow_re = ARROW.get_or_init(|| {
        Regex::new(r"\s*(?:-->|-\.->|==>|---|-\.-|===|--o|--x)(?:\|[^|]*\|)?\s*")
            .expect("static regex")
    });
    let mut labels = HashMap::new();
    let mut edges = Vec::new();
    for line in src.lines() {
        let t = line.trim().trim_end_matches(';');
        if t.is_empty()
            || t.starts_with("%%")
            || t.starts_with("graph")
            || t.starts_with("flowchart")
            || t.starts_with("classDef")
            || t.starts_with("class ")
            || t.starts_with("style ")
            || t.starts_with("linkStyle")
            || t.starts_with("subgraph")
            || t == "end"
        {
            continue;
        }
        let parts: Vec<&str> = arrow_re.split(t).collect();
        let mut ids = Vec::new();
        for p in &parts {
            let p = p.trim();
            let id = match node_re.captures(p) {
                Some(c) => {
                    let id = c[1].to_string();
                    labels.insert(id.clone(), c[2].to_string());
                    id
                }
                None => p.split(":::").next().unwrap_or(p).trim().to_string(),
            };
            if !id.is_empty() {
                labels.entry(id.clone()).or_insert_with(|| id.clone());
                ids.push(id);
            }
        }
        for w in ids.windows(2) {
            edges.push((w[0].clone(), w[1].clone()));
        }
    }
    Flowchart { labels, edges }
}
