//! The team's language in one place: the words the loader and the matchers know (resource
//! words, generic words, qualifiers, filler, none-markers, non-production marks) and how the
//! relation flags are written in English and Chinese. Matchers elsewhere ask the functions
//! here rather than keep lists of their own.
//!
//! ASCII words are lower case and compared whole, against the
//! [`ascii_words`](crate::text::ascii_words) of a text or a name's tokens; Chinese marks are
//! looked for inside a text. No inventory's own names are listed: the common prefix of instance
//! names differs per inventory and is found by the loader
//! ([`Topology::common_prefix`](crate::graph::Topology::common_prefix)).

mod flags;
mod headers;
mod resources;

pub use flags::{FlagWord, Language, AMBIGUOUS, DOUBTFUL, ON_DEMAND, OPTIONAL, VIA};
pub use headers::{header_claim, header_key, Claim};
pub use resources::{classify_resource, is_engine_word, names_managed_resource};

use crate::text::{fold_width, key};
use regex::Regex;
use std::sync::OnceLock;

/// A word of a relation cell that describes rather than names: it never picks instances by
/// itself (`API`, `EKS`, `Web`, `K8S`, `config`, `data`), so a role-text match needs a word
/// that is not one of these (`config data` stays an external node even where a role says
/// "config").
pub fn is_generic_cell_word(word: &str) -> bool {
    DESCRIPTIVE.contains(&word)
        || DESCRIPTIVE_IN_CELLS.contains(&word)
        || GENERIC.iter().any(|(en, _)| en.contains(&word))
}

/// A word of chat (an incident thread's title or message) that never names a component by
/// itself: descriptive words, symptoms (`down`, `latency`), instance sizes and small words.
/// The inventory's common prefix never names one either; it is not listed here because each
/// inventory has its own.
pub fn is_generic_chat_word(word: &str) -> bool {
    DESCRIPTIVE.contains(&word)
        || CHAT.contains(&word)
        || SIZE_WORDS.contains(&word)
        || GENERIC.iter().any(|(en, _)| en.contains(&word))
}

/// A run of Chinese in a role that names no component by itself (`节点池`, `服务器`, `配置`).
pub fn is_generic_cjk(run: &str) -> bool {
    GENERIC_CJK.contains(&run) || GENERIC.iter().any(|(_, zh)| zh.contains(&run))
}

/// The generic words of both languages side by side, one concept a line: what a cell, a role
/// or a chat message may say about anything (configuration, data, a service, a server, a
/// system, an API) and so never names one thing by itself.
const GENERIC: &[(&[&str], &[&str])] = &[
    (
        &["config", "configs", "configuration", "settings"],
        &["配置"],
    ),
    (&["data"], &["数据"]),
    (&["service", "services"], &["服务"]),
    (&["server", "servers"], &["服务器"]),
    (&["system", "systems"], &["系统"]),
    (&["api", "apis"], &["接口", "接口服务"]),
];

/// Which part of a service a mention or role asks for: the access layer, the core, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    None,
    Access,
    Core,
}

/// The qualifier of a mention, from its text and its [`ascii_words`](crate::text::ascii_words):
/// `CES 接入层` and `Narwhal Access` ask for the access layer, `CES 核心`, `撮合` and
/// `matching engine` for the core.
pub fn qualifier_of(text: &str, words: &[String]) -> Qualifier {
    let k = key(text);
    let says = |marks: &[&str]| {
        marks.iter().any(|m| {
            if m.is_ascii() {
                words.iter().any(|w| w == m)
            } else {
                k.contains(m)
            }
        })
    };
    if says(ACCESS_MARKS) {
        Qualifier::Access
    } else if says(CORE_MARKS) || says(CORE_ASKING_WORDS) {
        Qualifier::Core
    } else {
        Qualifier::None
    }
}

/// Whether a role, by its [`key`], is the access layer of its service: a mark anywhere in it.
pub fn role_is_access(role_key: &str) -> bool {
    ACCESS_MARKS.iter().any(|m| role_key.contains(m))
}

/// Whether a role, by its [`key`], is the core of its service: a mark anywhere in it.
pub fn role_is_core(role_key: &str) -> bool {
    CORE_MARKS.iter().any(|m| role_key.contains(m))
}

/// Whether a role says the instance routes traffic to others rather than serving it: a
/// gateway, proxy, ingress or load balancer. Chinese marks anywhere, ASCII marks as whole words.
pub fn role_is_gateway(role: &str) -> bool {
    let k = key(role);
    let words = crate::text::ascii_words(role);
    GATEWAY_MARKS.iter().any(|m| {
        if m.is_ascii() {
            words.iter().any(|w| w == m)
        } else {
            k.contains(m)
        }
    })
}

/// Whether a role says the row stands for a pool of nodes (`节点池`, `node pool`, `node group`,
/// `ASG`), so one row does not mean one instance.
pub fn role_is_pool(role: &str) -> bool {
    let k = key(role);
    let words = crate::text::ascii_words(role);
    POOL_MARKS.iter().any(|m| k.contains(m))
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "asg" | "nodegroup" | "nodepool"))
        || words
            .windows(2)
            .any(|w| w[0] == "node" && matches!(w[1].as_str(), "pool" | "group"))
}

/// Chinese marks of a node pool.
const POOL_MARKS: &[&str] = &["节点池", "节点组", "伸缩组"];

/// An ASCII word or name token saying "access layer" (`access`).
pub fn is_access_word(word: &str) -> bool {
    ACCESS_MARKS.iter().any(|m| m.is_ascii() && *m == word)
}

/// An ASCII word that qualifies rather than names: the access or core words.
pub fn is_qualifier_word(word: &str) -> bool {
    is_access_word(word)
        || CORE_ASKING_WORDS.contains(&word)
        || CORE_MARKS.iter().any(|m| m.is_ascii() && *m == word)
}

/// Name tokens that say nothing about what a box does: numbers, instance sizes (`c5large`,
/// `r52xlarge`, `2c4g`, `v132`), single letters, replica marks and filler words.
pub fn is_filler_token(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let lower = |s: &[u8]| s.iter().all(u8::is_ascii_lowercase);
    if b.len() <= 1 || digits(b) {
        return true;
    }
    if FILLER_TOKENS.contains(&t) || REPLICA_WORDS.contains(&t) {
        return true;
    }
    // letter, digits, letters: c5large, r52xlarge, v132, c5xlarge
    if b[0].is_ascii_lowercase() {
        let d_end = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d_end > 1 && lower(&b[d_end..]) {
            return true;
        }
    }
    // digits c digits g: 2c4g, 8c64g
    if let Some(c) = t.find('c') {
        if digits(&b[..c]) && b.last() == Some(&b'g') && digits(&b[c + 1..b.len() - 1]) {
            return true;
        }
    }
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    SIZE_WORDS.contains(&rest)
}

/// Whether a name token is part of the name's stem: not a replica number or mark (`01`,
/// `copy`, `bak`), so `maker-02` and `maker-03-copy` share a stem.
pub fn is_stem_token(t: &str) -> bool {
    !t.chars().all(|c| c.is_ascii_digit()) && !REPLICA_WORDS.contains(&t)
}

/// Chinese category nouns that a `/` list shares from its last part: `监控/日志系统`.
pub const SHARED_SUFFIXES: &[&str] = &["系统", "日志", "服务", "平台", "数据库", "集群", "中心"];

/// Chinese category nouns that a `/` list's later part may be alone, sharing the first part's
/// leading word: `运维人员/系统` → 运维人员, 运维系统.
pub const CATEGORY_NOUNS: &[&str] = &[
    "人员",
    "系统",
    "服务",
    "平台",
    "中心",
    "集群",
    "数据库",
    "日志",
];

/// A trailing word meaning "and so on", dropped from a part: `推送等`.
pub const ETC: char = '等';

/// Whether a cell or list item means "nothing": `——`, `-`, `无`, `N/A`, and the like.
pub fn is_none_marker(s: &str) -> bool {
    let k = key(s);
    k.is_empty()
        || k.chars().all(|c| matches!(c, '-' | '—' | '–' | '一' | '_'))
        || NONE_WORDS.contains(&k.as_str())
}

/// An environment cell that says test, staging, dev, UAT…
pub fn env_is_nonprod(env: &str) -> bool {
    static ENV: OnceLock<Regex> = OnceLock::new();
    ENV.get_or_init(|| marks_regex(NONPROD_ENV_CJK, NONPROD_ENV_WORDS))
        .is_match(&fold_width(env))
}

/// An environment cell that says production (`prod`, `production`, `生产`, `生产环境`, `prd`,
/// `live`), or is empty: a sheet without an environment is production.
pub fn env_is_production(env: &str) -> bool {
    let k = key(env);
    k.is_empty() || PRODUCTION_ENV.contains(&k.as_str())
}

/// Environment cells meaning production, by [`key`].
const PRODUCTION_ENV: &[&str] = &[
    "prod",
    "production",
    "prd",
    "live",
    "生产",
    "生产环境",
    "线上",
];

/// A role or notes cell that marks the row temporary or for testing.
pub fn marks_temporary(text: &str) -> bool {
    static MARK: OnceLock<Regex> = OnceLock::new();
    MARK.get_or_init(|| marks_regex(TEMPORARY_CJK, TEMPORARY_WORDS))
        .is_match(&fold_width(text))
}

/// ASCII words that describe rather than name, in cells and in chat alike.
const DESCRIPTIVE: &[&str] = &[
    "web",
    "websocket",
    "ws",
    "eks",
    "k8s",
    "node",
    "nodes",
    "pool",
    "app",
    "the",
    "and",
    "for",
    "new",
    "copy",
];

/// Further descriptive words, of relation cells only.
const DESCRIPTIVE_IN_CELLS: &[&str] = &[
    "kubernetes",
    "apps",
    "db",
    "internal",
    "public",
    "private",
    "of",
    "cluster",
    "ec2",
    "instance",
    "host",
    "cron",
    "job",
    "jobs",
    "bi",
    "ci",
    "cd",
    "old",
];

/// Words of incident chat that name no component: symptoms, alerts, small words.
const CHAT: &[&str] = &[
    "with", "from", "down", "error", "errors", "slow", "high", "low", "latency", "timeout",
    "timeouts", "alert", "alarm", "issue", "incident", "outage", "fail", "failed", "failing",
    "failure", "broken", "prod", "cpu", "memory", "disk", "is", "are", "not", "all",
];

/// Chinese runs of roles that name no component by themselves.
const GENERIC_CJK: &[&str] = &["节点池", "中心", "节点", "实例", "集群", "网关节点池"];

/// Marks of a role that routes traffic: gateways, proxies, ingresses, load balancers.
const GATEWAY_MARKS: &[&str] = &[
    "网关",
    "代理",
    "负载均衡",
    "gateway",
    "proxy",
    "ingress",
    "loadbalancer",
];

/// Marks of the access layer: `接入层`, `Access`.
const ACCESS_MARKS: &[&str] = &["接入", "access"];
/// Marks of the core of a service: `核心`, `撮合` (matching), `core`.
const CORE_MARKS: &[&str] = &["核心", "撮合", "core"];
/// Further words by which a mention asks for the core; a role is judged by [`CORE_MARKS`]
/// only.
const CORE_ASKING_WORDS: &[&str] = &["engine", "matching"];

/// Name tokens that say nothing about what a box does.
const FILLER_TOKENS: &[&str] = &[
    "node", "nodes", "new", "server", "srv", "host", "vm", "pool",
];
/// Name tokens that mark a copy of another box.
const REPLICA_WORDS: &[&str] = &["copy", "bak"];
/// Instance sizes, after their digits: `2xlarge`, `large`.
const SIZE_WORDS: &[&str] = &["xlarge", "large"];

/// Cell texts that mean "nothing", by [`key`].
const NONE_WORDS: &[&str] = &["无", "n/a", "na", "none", "null", "nil", "暂无"];

/// Environments that are not production: test, pre-release, development.
const NONPROD_ENV_CJK: &[&str] = &["测试", "预发", "开发"];
const NONPROD_ENV_WORDS: &[&str] = &[
    "test",
    "testing",
    "staging",
    "stage",
    "stg",
    "dev",
    "develop",
    "development",
    "uat",
    "qa",
    "sandbox",
];
/// Marks of a temporary or test box in a role or notes: temporary, test.
const TEMPORARY_CJK: &[&str] = &["临时", "测试"];
const TEMPORARY_WORDS: &[&str] = &["tmp", "temp", "temporary", "test", "testing"];

/// A case-insensitive regex for Chinese marks anywhere and ASCII words whole.
fn marks_regex(cjk: &[&str], words: &[&str]) -> Regex {
    // ASCII word boundaries: Unicode `\b` on Chinese text would push the regex engine off its
    // fast path, which costs seconds on a 100k-row sheet.
    let pattern = format!(
        r"(?i){}|(?-u:\b)({})(?-u:\b)",
        cjk.join("|"),
        words.join("|")
    );
    Regex::new(&pattern).expect("static regex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_none_markers_mean_nothing() {
        for s in ["——", "-", "无", "N/A", " ", "n/a"] {
            assert!(is_none_marker(s), "{s:?}");
        }
        assert!(!is_none_marker("Kafka"));
    }
}
