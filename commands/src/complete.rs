//! Autocomplete for pattern and name options: instance names, pools and external resources,
//! best match first.
//!
//! Ranking: exact (with or without the common prefix) > prefix > word start > substring >
//! fuzzy (Jaro-Winkler ≥ 0.75). Ties keep sheet order. Discord takes at most 25 choices of at most
//! 100 characters.

use aiops_core::Topology;

/// Longest choice Discord accepts.
pub const MAX_CHOICE_CHARS: usize = 100;

/// Up to `limit` node ids for what the user has typed so far.
pub fn autocomplete(topo: &Topology, typed: &str, limit: usize) -> Vec<String> {
    let q = typed.trim().to_lowercase();
    let prefix = topo.common_prefix().map(|p| format!("{p}-"));
    let mut scored: Vec<(u8, f64, usize)> = Vec::new();
    for (i, n) in topo.nodes().iter().enumerate() {
        if n.id.chars().count() > MAX_CHOICE_CHARS {
            continue;
        }
        let id = n.id.to_lowercase();
        let short = prefix
            .as_deref()
            .and_then(|p| id.strip_prefix(p))
            .unwrap_or(&id);
        let rank = if q.is_empty() {
            Some((5, 0.0))
        } else if id == q || short == q {
            Some((0, 0.0))
        } else if id.starts_with(&q) || short.starts_with(&q) {
            Some((1, 0.0))
        } else if short.split(['-', ' ', '_']).any(|w| w.starts_with(&q)) {
            Some((2, 0.0))
        } else if id.contains(&q) || n.spellings.iter().any(|s| s.to_lowercase().contains(&q)) {
            Some((3, 0.0))
        } else {
            let jw = strsim::jaro_winkler(&q, short).max(strsim::jaro_winkler(&q, &id));
            (jw >= 0.75).then_some((4, -jw))
        };
        if let Some((r, s)) = rank {
            scored.push((r, s, i));
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, i)| topo.nodes()[i].id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::{seed, LoadOptions};

    #[test]
    fn best_matches_first_and_at_most_the_limit() {
        let t = seed(&LoadOptions::default()).unwrap();
        let c = autocomplete(&t, "ces", 25);
        assert_eq!(c[0], "aie1p-ces-access-c5large-2c4g-v132-a-Node");
        assert_eq!(c[1], "aie1p-ces-c52xlarge-8c16g-v132-a-Node");
        assert_eq!(autocomplete(&t, "", 25).len(), 25);
        assert_eq!(autocomplete(&t, "spotdb", 25)[0], "Aurora spotdb");
        assert_eq!(
            autocomplete(&t, "jenkns", 5)[0],
            "aie1p-jenkins",
            "typos still find it"
        );
        assert!(autocomplete(&t, "zzzzqqq", 25).is_empty());
    }
}
