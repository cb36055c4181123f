//! The components a free text mentions: incident thread titles, alert summaries. One finder
//! for every front end, so a thread and an alert about the same words find the same things.
//!
//! Finds, in order:
//! - exact instance names, with or without the common prefix (`aie1p-jenkins`, `jenkins`);
//! - globs (`aie1p-ces-*`);
//! - significant ASCII words that name instances by name or role (`CES`, `Kafka`, `Narwhal`);
//! - Chinese role words (`期货撮合`, `现货`), longest first, so `期货撮合` does not also count
//!   as the `撮合` of another role;
//! - managed resources by name (`spotdb`, `Redis`).
//!
//! Generic words (`API`, `down`, `error`, `节点池`, `服务器`) never match.

use crate::graph::{Node, NodeKind, ResourceKind, Topology};
use crate::text::{ascii_words, fold_width, is_cjk};
use crate::{query, vocabulary};
use std::collections::BTreeSet;

/// Longest text scanned; incident titles and first messages are short.
pub const MAX_MENTION_TEXT_CHARS: usize = 4_000;

/// Letters and digits a glob in free text must spell (`ces-*` has 3).
pub const MIN_GLOB_LETTERS: usize = 3;

/// The components a text mentions, as node positions in topology order.
pub fn mentions(topo: &Topology, text: &str) -> Vec<usize> {
    let text: String = fold_width(text)
        .chars()
        .take(MAX_MENTION_TEXT_CHARS)
        .collect();
    let lower = text.to_lowercase();
    let mut hits: BTreeSet<usize> = BTreeSet::new();
    let prefix = topo.common_prefix().map(|p| format!("{p}-"));
    let words = ascii_words(&text);
    for (i, n) in topo.nodes().iter().enumerate() {
        let id = n.id.to_lowercase();
        match n.kind {
            NodeKind::Instance => {
                let short = prefix
                    .as_deref()
                    .and_then(|p| id.strip_prefix(p))
                    .unwrap_or(&id);
                if lower.contains(&id) || (short.len() >= 6 && contains_token(&lower, short)) {
                    hits.insert(i);
                }
            }
            NodeKind::External => {
                let kind_ok = matches!(
                    n.resource,
                    Some(
                        ResourceKind::Database
                            | ResourceKind::Cache
                            | ResourceKind::Queue
                            | ResourceKind::LoadBalancer
                    )
                );
                let spelled = std::iter::once(&n.id).chain(&n.spellings).any(|s| {
                    let s = s.to_lowercase();
                    s.chars().count() >= 4 && contains_token(&lower, &s)
                });
                if kind_ok && spelled {
                    hits.insert(i);
                }
            }
        }
    }
    // A glob names components only when it spells enough of a name: `*x*` or `**bold**` in a
    // title or an alert's summary is emphasis, not a pattern.
    let spelled =
        |w: &&str| w.chars().filter(char::is_ascii_alphanumeric).count() >= MIN_GLOB_LETTERS;
    for w in text
        .split_whitespace()
        .filter(|w| w.contains(['*', '?']))
        .filter(spelled)
    {
        if let Ok(sel) = query::select(topo, w.trim_matches(|c: char| !c.is_ascii_graphic())) {
            hits.extend(sel);
        }
    }
    for w in words
        .iter()
        .filter(|w| w.len() >= 3 && !vocabulary::is_generic_chat_word(w))
    {
        for (i, n) in topo.nodes().iter().enumerate() {
            if n.kind == NodeKind::Instance && names_word(topo, n, w) {
                hits.insert(i);
            }
        }
    }
    hits.extend(role_word_hits(topo, &text));
    hits.into_iter().collect()
}

fn contains_token(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let edge = |c: Option<char>| {
            c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        };
        edge(before) && edge(after)
    })
}

fn names_word(topo: &Topology, n: &Node, w: &str) -> bool {
    let prefix = topo.common_prefix().unwrap_or("");
    let in_name =
        n.id.to_lowercase()
            .split(['-', '_', '.'])
            .any(|t| t == w && t != prefix);
    in_name || ascii_words(&n.role).iter().any(|r| r == w)
}

/// Chinese runs of each role, matched longest first without overlap.
fn role_word_hits(topo: &Topology, text: &str) -> Vec<usize> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for (i, n) in topo.nodes().iter().enumerate() {
        if n.kind != NodeKind::Instance {
            continue;
        }
        let mut cur = String::new();
        for c in n.role.chars().chain(std::iter::once(' ')) {
            if is_cjk(c) {
                cur.push(c);
            } else if !cur.is_empty() {
                let run = std::mem::take(&mut cur);
                if run.chars().count() >= 2 && !vocabulary::is_generic_cjk(&run) {
                    runs.push((run, i));
                }
            }
        }
    }
    runs.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.1.cmp(&b.1))
    });
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut hits = Vec::new();
    for (run, i) in &runs {
        for (at, _) in text.match_indices(run.as_str()) {
            let end = at + run.len();
            let inside_longer = taken
                .iter()
                .any(|(a, b)| *a <= at && end <= *b && (b - a) > run.len());
            if !inside_longer {
                taken.push((at, end));
                hits.push(*i);
                break;
            }
        }
    }
    hits
}
