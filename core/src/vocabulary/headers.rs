//! Header words: how a sheet names each column the loader understands, in English and Chinese,
//! and how strongly each spelling claims its field.
//!
//! Relation columns are named by position (`主要上游`, `Upstream`) or phrased as the relation
//! itself. The phrase says which way the relation points, seen from the row's instance:
//! - upstream, who calls this row: `Used by`, `Called by`, `Callers`, `Consumers`, `Clients`,
//!   `Dependents`; `调用方` (the calling party), `被依赖` (is depended on by), `依赖方` (the
//!   depending party), `使用方` (the using party);
//! - downstream, what this row calls: `Depends on`, `Calls`, `Uses`, `Dependencies`,
//!   `Backends`; `被调用方` (the called party), `依赖` (depends on), `依赖服务`, `调用`
//!   (calls).
//!
//! When several columns claim one field, the strongest claim wins and the others stay
//! attributes; among equal claims, the leftmost.

use crate::ingest::Field;
use crate::text::key;

/// How strongly a header claims its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Claim {
    /// A word that often names this field but may name something else (`Service`, `Server`,
    /// `Uses`, `说明`).
    Loose,
    /// A phrase that says the field (`Used by`, `调用方`, `Hostname`).
    Phrase,
    /// The field's own name (`主要上游`, `Upstream`, `实例名称`, `Name`).
    Own,
    /// The alias file's `[columns]` names this header.
    Mapped,
}

/// The field a header names and how strongly, after width folding, case, spaces, `_`/`-`,
/// a trailing colon or asterisk and a trailing note in brackets (`主要上游（调用方）`).
pub fn header_claim(text: &str) -> Option<(Field, Claim)> {
    let k = header_key(text);
    HEADERS
        .iter()
        .find(|(_, words)| words.contains(&k.as_str()))
        .map(|(claim, _)| *claim)
}

/// A header as compared: [`key`] without `_`, `-`, `.`, a trailing note in brackets, or a
/// trailing `:`/`*`.
pub fn header_key(text: &str) -> String {
    let mut k: String = key(text)
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.'))
        .collect();
    if let Some(at) = k.find('(') {
        if at > 0 {
            k.truncate(at);
        }
    }
    k.trim_end_matches([':', '：', '*']).to_string()
}

type Spellings = ((Field, Claim), &'static [&'static str]);

/// Every spelling, by field and claim, as [`header_key`]s.
const HEADERS: &[Spellings] = &[
    (
        (Field::Name, Claim::Own),
        &["实例名称", "实例名", "name", "instancename"],
    ),
    (
        (Field::Name, Claim::Phrase),
        &[
            "主机名",
            "服务器名称",
            "主机",
            "hostname",
            "host",
            "servername",
            "instance",
            "ec2name",
            "machine",
        ],
    ),
    (
        (Field::Name, Claim::Loose),
        &["名称", "实例", "服务器", "server"],
    ),
    (
        (Field::Role, Claim::Own),
        &["服务角色", "角色", "role", "servicerole"],
    ),
    (
        (Field::Role, Claim::Phrase),
        &["用途", "功能", "function", "purpose", "usage"],
    ),
    (
        (Field::Role, Claim::Loose),
        &["服务", "service", "application"],
    ),
    (
        (Field::Upstream, Claim::Own),
        &[
            "主要上游",
            "上游",
            "上游服务",
            "upstream",
            "upstreams",
            "mainupstream",
            "mainupstreams",
        ],
    ),
    (
        (Field::Upstream, Claim::Phrase),
        &[
            "调用方",
            "被依赖",
            "被依赖方",
            "依赖方",
            "使用方",
            "上游调用方",
            "usedby",
            "calledby",
            "callers",
            "caller",
            "consumers",
            "consumedby",
            "dependents",
            "dependedonby",
            "inbound",
            "incoming",
            "upstreamservices",
        ],
    ),
    (
        (Field::Upstream, Claim::Loose),
        &["clients", "client", "调用者"],
    ),
    (
        (Field::Downstream, Claim::Own),
        &[
            "主要下游",
            "下游",
            "下游服务",
            "downstream",
            "downstreams",
            "maindownstream",
            "maindownstreams",
        ],
    ),
    (
        (Field::Downstream, Claim::Phrase),
        &[
            "被调用方",
            "依赖",
            "依赖服务",
            "依赖项",
            "下游依赖",
            "dependson",
            "dependencies",
            "dependency",
            "calls",
            "backends",
            "backend",
            "outbound",
            "outgoing",
            "downstreamservices",
            "talksto",
        ],
    ),
    ((Field::Downstream, Claim::Loose), &["uses", "调用", "使用"]),
    ((Field::Owner, Claim::Own), &["负责人", "owner", "owners"]),
    (
        (Field::Owner, Claim::Phrase),
        &[
            "负责团队",
            "团队",
            "所属团队",
            "维护人",
            "team",
            "ownerteam",
            "maintainer",
        ],
    ),
    ((Field::Env, Claim::Own), &["环境", "env", "environment"]),
    ((Field::Env, Claim::Loose), &["stage"]),
    ((Field::Notes, Claim::Own), &["备注", "notes", "note"]),
    (
        (Field::Notes, Claim::Loose),
        &["说明", "remark", "remarks", "comment", "comments"],
    ),
    (
        (Field::InstanceId, Claim::Own),
        &["instanceid", "实例id", "ec2id"],
    ),
    ((Field::InstanceId, Claim::Loose), &["id"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_spelling_is_listed_twice() {
        let mut all: Vec<&str> = HEADERS
            .iter()
            .flat_map(|(_, w)| w.iter().copied())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn every_spelling_is_its_own_header_key() {
        for (_, words) in HEADERS {
            for w in *words {
                assert_eq!(header_key(w), *w);
            }
        }
    }
}
