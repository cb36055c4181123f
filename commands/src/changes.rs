//! Change commands: what differs between inventories and what the history holds.
//!
//! Grammar:
//! - `diff OLD NEW`, or `diff --since DURATION|VERSION` against the current inventory;
//! - `history`: the stored versions, newest first;
//! - `changes PATTERN [--since DURATION]`: changes near a component (itself and its neighbours
//!   up to 2 hops) across the versions in the window.
//!
//! DURATION is a whole number with a unit: `30m`, `12h`, `7d`. VERSION is a version id.
//! The store itself lives with the caller; these handlers get plain data and topologies.

use crate::{Attachment, Context, Lang, Msg, Reply, Status};
use aiops_core::diff;
use aiops_core::query::{self, QueryError};
use aiops_core::Topology;
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;

/// Diff diagrams show at most this many boxes, so they stay readable at chat preview size.
pub const DIFF_DIAGRAM_CAP: usize = 30;

/// How far around a component `changes` looks, in relations.
pub const CHANGES_HOPS: u32 = 2;

/// One stored inventory version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub id: i64,
    /// When it was first seen, RFC 3339 UTC.
    pub seen_at: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Where it was loaded from.
    pub source: String,
    /// What changed against the version before it.
    pub summary: String,
}

/// What `--since` names: a time window or a stored version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This many seconds back from now.
    Ago(u64),
    Version(i64),
}

/// Text `--since` cannot read; [`BadSince::text`] words it for the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSince(pub String);

impl BadSince {
    pub fn text(&self, lang: Lang) -> String {
        Msg::BadSince(&self.0).text(lang).into_owned()
    }
}

/// In English, for callers that have no reader's language.
impl From<BadSince> for String {
    fn from(e: BadSince) -> String {
        e.text(Lang::En)
    }
}

/// Parses `30m`, `12h`, `7d` (also `s` and `w`) or a version id.
pub fn parse_since(text: &str) -> Result<Since, BadSince> {
    let t = text.trim();
    let bad = || BadSince(t.to_string());
    if let Ok(id) = t.parse::<i64>() {
        return if id > 0 {
            Ok(Since::Version(id))
        } else {
            Err(bad())
        };
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).map(Since::Ago).ok_or_else(bad)
}

/// `diff OLD NEW`: what changed from `old` to `new`. The text is the chat-sized summary; when the
/// full detail does not fit, it is attached as `changes.txt`.
pub fn diff(old: Context, new: Context) -> Reply {
    diff_within(old, new, usize::MAX)
}

/// [`diff`] with the attached detail kept under `detail_max_bytes`, for a chat whose
/// attachments have a size limit: every group shows as many of its first lines as fit (see
/// [`diff::summarize_within`]).
pub fn diff_within(old: Context, new: Context, detail_max_bytes: usize) -> Reply {
    let d = diff::diff(old.topo, new.topo);
    let (short, full) = diff::summarize_within(&d, detail_max_bytes);
    let mut r = Reply::new(format!("diff {} → {}", old.source, new.source)).text(short.clone());
    r.json = d.to_json();
    if !d.is_empty() {
        r.diagram = Some(diff::diagram(&d, old.topo, new.topo, DIFF_DIAGRAM_CAP));
    }
    if short != full {
        r.detail = Some(Attachment {
            name: "changes.txt".into(),
            bytes: full.into_bytes(),
        });
    }
    r
}

/// `history`: the stored versions, newest first as given.
pub fn history(lang: Lang, versions: &[VersionInfo]) -> Reply {
    let mut r = Reply::new(format!(
        "history: {}",
        Msg::Versions(versions.len()).text(lang)
    ));
    if versions.is_empty() {
        r = r.text(Msg::NoVersionsYet.text(lang));
    }
    let rows = versions
        .iter()
        .map(|v| {
            vec![
                format!("v{}", v.id),
                v.seen_at.clone(),
                v.sha256.chars().take(12).collect(),
                v.source.clone(),
                v.summary.lines().next().unwrap_or("").to_string(),
            ]
        })
        .collect();
    r = r.table(rows);
    r.json = json!({ "versions": versions });
    r
}

/// `changes PATTERN --since SINCE`: what changed near the matched components between
/// consecutive versions. `versions` is oldest first; the last is the current inventory. `since`
/// is the window as the user wrote it (`30d`, a version id), for the title.
pub fn changes(
    lang: Lang,
    pattern: &str,
    since: &str,
    versions: &[(VersionInfo, Topology)],
) -> Reply {
    let Some((_, latest)) = versions.last() else {
        return Reply::user_error(Status::NotFound, Msg::NoStoredVersions.text(lang));
    };
    let matched = match matched_ids(pattern, versions) {
        Ok(ids) => ids,
        Err(e) => return Reply::query_error(&e, lang),
    };
    let mut steps = Vec::new();
    for pair in versions.windows(2) {
        let ((_, old), (v, new)) = (&pair[0], &pair[1]);
        let local = diff::diff(old, new).touching(&near(&matched, old, new));
        if !local.is_empty() {
            steps.push((v, local));
        }
    }
    let mut r = Reply::new(
        Msg::ChangesTitle {
            pattern,
            since,
            compared: versions.len(),
            nearby: steps.len(),
        }
        .text(lang),
    );
    if versions.len() < 2 {
        r = r.text(Msg::OnlyOneVersion.text(lang));
    } else if steps.is_empty() {
        r = r.text(
            Msg::NothingChangedNear {
                hops: CHANGES_HOPS,
                ids: &matched.join(", "),
            }
            .text(lang),
        );
    }
    let mut json_steps = Vec::new();
    for (v, local) in &steps {
        r = r
            .heading(format!("v{} · {} · {}", v.id, v.seen_at, v.source))
            .text(diff::summarize(local).1);
        json_steps.push(json!({ "id": v.id, "seen_at": v.seen_at, "changes": local.to_json() }));
    }
    if let (Some((_, first)), true) = (versions.first(), versions.len() > 1) {
        let overall = diff::diff(first, latest).touching(&near(&matched, first, latest));
        if !overall.is_empty() {
            r.diagram = Some(diff::diagram(&overall, first, latest, DIFF_DIAGRAM_CAP));
        }
    }
    r.json = json!({ "matched": matched, "versions": json_steps });
    r
}

/// Ids the pattern selects in the newest version that has them: a removed component is still
/// found in the versions before its removal.
fn matched_ids(
    pattern: &str,
    versions: &[(VersionInfo, Topology)],
) -> Result<Vec<String>, QueryError> {
    let mut first_err = None;
    for (_, topo) in versions.iter().rev() {
        match query::select(topo, pattern) {
            Ok(sel) => return Ok(sel.iter().map(|&i| topo.nodes()[i].id.clone()).collect()),
            Err(e @ QueryError::BadPattern { .. }) => return Err(e),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or(QueryError::NoMatch {
        pattern: pattern.into(),
        suggestions: Vec::new(),
    }))
}

fn near(ids: &[String], old: &Topology, new: &Topology) -> HashSet<String> {
    let mut set = diff::neighbourhood(old, ids, CHANGES_HOPS);
    set.extend(diff::neighbourhood(new, ids, CHANGES_HOPS));
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::{load_bytes, LoadOptions, SEED_MARKDOWN};

    /// The seed document with the etcd-01 row gone (retired).
    fn seed_md(retire: &str) -> Topology {
        let text: String = SEED_MARKDOWN
            .lines()
            .filter(|l| !l.starts_with(&format!("| {retire} |")))
            .map(|l| format!("{l}\n"))
            .collect();
        load_bytes("seed.md", text.as_bytes(), &LoadOptions::default()).expect("seed loads")
    }

    fn version(id: i64) -> VersionInfo {
        VersionInfo {
            id,
            seen_at: format!("2026-11-2{id}T09:00:00Z"),
            sha256: format!("{id:064x}"),
            source: "ai-ops-list.xlsx".into(),
            summary: String::new(),
        }
    }

    #[test]
    fn since_takes_durations_and_version_ids() {
        assert_eq!(parse_since("30m"), Ok(Since::Ago(1800)));
        assert_eq!(parse_since("12h"), Ok(Since::Ago(43_200)));
        assert_eq!(parse_since("7d"), Ok(Since::Ago(604_800)));
        assert_eq!(parse_since("42"), Ok(Since::Version(42)));
        for bad in ["", "d", "7y", "-3", "0", "99999999999999999999d"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_lists_only_versions_that_touched_the_neighbourhood() {
        let versions = vec![
            (version(1), seed_md("")),
            (version(2), seed_md("aie1p-etcd-01")),
            (version(3), seed_md("aie1p-etcd-01")),
        ];
        let r = changes(Lang::En, "apisix-*", "7d", &versions);
        assert_eq!(r.status, Status::Ok);
        assert_eq!(r.json["versions"].as_array().map(Vec::len), Some(1));
        assert_eq!(r.json["versions"][0]["id"], 2);
        assert_eq!(
            r.json["versions"][0]["changes"]["removed_instances"][0],
            "aie1p-etcd-01"
        );
        assert!(r.diagram.is_some());
        // Far from the gateway nothing changed.
        let quiet = changes(Lang::En, "aie1p-superset-server-1", "7d", &versions);
        assert_eq!(quiet.json["versions"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn changes_finds_a_component_that_no_longer_exists() {
        let versions = vec![
            (version(1), seed_md("")),
            (version(2), seed_md("aie1p-etcd-01")),
        ];
        let r = changes(Lang::En, "aie1p-etcd-01", "7d", &versions);
        assert_eq!(r.json["matched"][0], "aie1p-etcd-01");
        assert_eq!(r.json["versions"].as_array().map(Vec::len), Some(1));
        let none = changes(Lang::En, "no-such-thing-at-all", "7d", &versions);
        assert_eq!(none.status, Status::NotFound);
    }

    #[test]
    fn diff_attaches_the_full_text_only_when_the_summary_is_cut() {
        let (old, new) = (seed_md(""), seed_md("aie1p-etcd-01"));
        let ctx = |topo| Context::new(topo, "x");
        let r = diff(ctx(&old), ctx(&new));
        assert!(r.detail.is_none() && r.attachments.is_empty());
        assert_eq!(r.json["removed_instances"][0], "aie1p-etcd-01");
    }

    #[test]
    fn a_diff_for_a_chat_keeps_its_detail_under_the_limit_and_the_terminal_gets_all() {
        use aiops_core::synth::{self, Shape};
        let load = |shape: Shape| {
            let csv = synth::csv_of(&shape.rows(400));
            aiops_core::load_bytes("x.csv", csv.as_bytes(), &Default::default())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let (old, new) = (load(Shape::SmallDomains), load(Shape::RepeatedPools));
        let ctx = |topo| Context::new(topo, "x");
        let bytes = |r: &Reply| r.detail.as_ref().map_or(0, |a| a.bytes.len());
        let all = diff(ctx(&old), ctx(&new));
        assert!(bytes(&all) > 40_000, "{} bytes", bytes(&all));
        let chat = diff_within(ctx(&old), ctx(&new), 20_000);
        assert!(
            (1..=20_000).contains(&bytes(&chat)),
            "{} bytes",
            bytes(&chat)
        );
        assert_eq!(chat.blocks, all.blocks, "the summary itself is the same");
    }
}
