//! Selection patterns. A pattern is one of, tried in order:
//! - `re:REGEX`: node ids matching the regex;
//! - a glob (`aie1p-ces-*`, `?`, `[...]`), case-insensitive, with or without the common prefix;
//! - an exact node id, with or without the common prefix, or another spelling of an external node;
//! - a case-insensitive substring of node ids (external nodes, then instances).

use crate::graph::{Node, NodeKind, Topology};

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

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
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
