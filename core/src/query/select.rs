//! Selection patterns. A pattern is one of, tried in order:
//! - `re:REGEX`: node ids matching the regex;
//! - a glob (`aie1p-ces-*`, `?`, `[...]`), case-insensitive, with or without the common prefix;
//! - an exact node id, with or without the common prefix, or another spelling of an external node;
//! - instances first: those with the pattern's words as whole name tokens (`ces` is the CES
//!   pools, never `access`), or a name starting with it after the common prefix (`spot` is
//!   spotapi and spotws), or a role that the pattern describes by the rules the resolver uses
//!   for cells (`CES 核心`, `Kafka`) or whose role holds the pattern's Chinese words (`撮合`);
//! - otherwise external nodes whose name or spelling holds the pattern.
//!
//! When instances win, the external nodes the pattern would also match are returned as
//! `also_matches`, so a reply can say what else it could mean.

use crate::graph::{Node, NodeKind, Topology};
use crate::text::{ascii_words, is_cjk, key};
use crate::vocabulary::{
    is_access_word, is_generic_cjk, qualifier_of, role_is_access, role_is_core, Qualifier,
};

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

/// Which rule of the module doc chose a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Regex,
    Glob,
    Exact,
    /// Instances by name token, name prefix or role.
    Instances,
    /// External nodes whose name holds the pattern.
    Substring,
}

/// What a pattern selected, and what else it could have meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Node positions in [`Topology::nodes`] order.
    pub nodes: Vec<usize>,
    /// Nodes of another kind the pattern also matches but that were not selected.
    pub also_matches: Vec<usize>,
    pub rule: Rule,
}

/// Selects nodes by pattern. Returns node positions in [`Topology::nodes`] order.
pub fn select(topo: &Topology, pattern: &str) -> Result<Vec<usize>, QueryError> {
    select_explained(topo, pattern).map(|s| s.nodes)
}

/// Selects nodes by pattern, saying by which rule and what else the pattern matches.
pub fn select_explained(topo: &Topology, pattern: &str) -> Result<Selection, QueryError> {
    let p = pattern.trim();
    if p.is_empty() || p.chars().count() > MAX_PATTERN_CHARS {
        return Err(QueryError::BadPattern {
            pattern: truncate(p, 60),
            detail: format!("a pattern must be 1 to {MAX_PATTERN_CHARS} characters"),
        });
    }
    let nodes = topo.nodes();
    let only = |nodes: Vec<usize>, rule| Selection {
        nodes,
        also_matches: Vec::new(),
        rule,
    };
    let sel = if let Some(re) = p.strip_prefix("re:") {
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
        only(
            (0..nodes.len())
                .filter(|&i| re.is_match(&nodes[i].id))
                .collect(),
            Rule::Regex,
        )
    } else if p.contains(['*', '?', '[']) {
        only(glob_select(topo, p), Rule::Glob)
    } else if let Some(i) = exact(topo, p) {
        only(vec![i], Rule::Exact)
    } else {
        let lower = p.to_lowercase();
        let externals: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].kind == NodeKind::External && contains_ci(&nodes[i], &lower))
            .collect();
        let instances = instance_matches(topo, p);
        if instances.is_empty() {
            only(externals, Rule::Substring)
        } else {
            Selection {
                nodes: instances,
                also_matches: externals,
                rule: Rule::Instances,
            }
        }
    };
    if sel.nodes.is_empty() {
        return Err(QueryError::NoMatch {
            pattern: p.into(),
            suggestions: nearest(topo, p, 5),
        });
    }
    Ok(sel)
}

/// Instances a plain word selects: by whole name tokens, then by name prefix, together with
/// those whose role it describes.
fn instance_matches(topo: &Topology, p: &str) -> Vec<usize> {
    let words: Vec<String> = p
        .to_lowercase()
        .split(|c: char| matches!(c, '-' | '_' | '.') || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let prefix = topo.common_prefix().map(|s| format!("{s}-"));
    // A pattern written like a name (`apisix-public`) is a name, not a role phrase.
    let role = if p.contains(['-', '_', '.']) {
        None
    } else {
        RolePattern::new(p)
    };
    let mut by_token = Vec::new();
    let mut by_prefix = Vec::new();
    for (i, n) in topo.nodes().iter().enumerate() {
        if !n.is_instance() {
            continue;
        }
        let lower = n.id.to_lowercase();
        let short = prefix
            .as_deref()
            .and_then(|pre| lower.strip_prefix(pre))
            .unwrap_or(&lower);
        let tokens: Vec<&str> = lower
            .split(['-', '_', '.'])
            .filter(|t| !t.is_empty())
            .collect();
        if !words.is_empty()
            && p.is_ascii()
            && tokens
                .windows(words.len())
                .any(|w| w.iter().eq(words.iter()))
            || role.as_ref().is_some_and(|r| r.fits(n))
        {
            by_token.push(i);
        } else if p.is_ascii() && p.len() >= 2 && short.starts_with(&p.to_lowercase()) {
            by_prefix.push(i);
        }
    }
    if by_token.is_empty() {
        by_prefix
    } else {
        by_token
    }
}

/// A pattern read as a role phrase: its significant ASCII words (all must be among an
/// instance's name tokens or role words), the access/core qualifier it asks for, and its
/// Chinese words (all must be in the role). The significant words and the qualifier are the
/// resolver's (see `resolve/family.rs`).
struct RolePattern {
    heads: Vec<String>,
    qualifier: Qualifier,
    cjk: Vec<String>,
}

impl RolePattern {
    fn new(p: &str) -> Option<Self> {
        let words = ascii_words(p);
        let heads: Vec<String> = crate::resolve::role_heads(&words)
            .into_iter()
            .cloned()
            .collect();
        let k = key(p);
        let cjk: Vec<String> = k
            .split(|c: char| !is_cjk(c))
            .filter(|r| !r.is_empty() && !is_generic_cjk(r))
            .map(str::to_string)
            .collect();
        let qualifier = qualifier_of(p, &words);
        // A Chinese qualifier alone (`核心`) with a head asks for that part, not for the word.
        let cjk: Vec<String> = if heads.is_empty() {
            cjk
        } else {
            cjk.into_iter()
                .filter(|r| qualifier_of(r, &[]) == Qualifier::None)
                .collect()
        };
        (!heads.is_empty() || !cjk.is_empty()).then_some(RolePattern {
            heads,
            qualifier,
            cjk,
        })
    }

    fn fits(&self, n: &Node) -> bool {
        let role = key(&n.role);
        if !self.cjk.iter().all(|r| role.contains(r.as_str())) {
            return false;
        }
        if !self.heads.is_empty() {
            let mut words = ascii_words(&n.role);
            words.extend(
                n.id.to_lowercase()
                    .split(['-', '_', '.'])
                    .map(str::to_string),
            );
            if !self.heads.iter().all(|h| words.contains(h)) {
                return false;
            }
        }
        let access = role_is_access(&role)
            || n.id
                .to_lowercase()
                .split(['-', '_', '.'])
                .any(is_access_word);
        match self.qualifier {
            Qualifier::None => true,
            Qualifier::Access => access,
            Qualifier::Core => role_is_core(&role) || !access,
        }
    }
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
            // Role matches count too: `撮合引擎` suggests the pools whose role says 撮合.
            score = score.max(role_closeness(&lower, &node.role));
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

/// How much of a pattern's Chinese (its longest run) or ASCII words a role holds, 0 to 1.5:
/// a role holding half the pattern ranks with a close name.
fn role_closeness(pattern: &str, role: &str) -> f64 {
    if role.is_empty() {
        return 0.0;
    }
    let role_key = key(role);
    // The longest run of the pattern's Chinese that the role holds, as a share of it.
    let cjk: Vec<char> = pattern.chars().filter(|&c| is_cjk(c)).collect();
    let mut longest = 0;
    for start in 0..cjk.len() {
        for end in (start + longest + 1)..=cjk.len() {
            let run: String = cjk[start..end].iter().collect();
            if role_key.contains(run.as_str()) {
                longest = end - start;
            } else {
                break;
            }
        }
    }
    let by_cjk = if cjk.len() < 2 || longest < 2 {
        0.0
    } else {
        longest as f64 / cjk.len() as f64
    };
    let words = ascii_words(pattern);
    let role_words = ascii_words(role);
    let by_words = if words.is_empty() {
        0.0
    } else {
        words
            .iter()
            .filter(|w| w.len() >= 3 && role_words.contains(w))
            .count() as f64
            / words.len() as f64
    };
    let best = by_cjk.max(by_words);
    if best >= 0.5 {
        1.0 + best / 2.0
    } else {
        0.0
    }
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
