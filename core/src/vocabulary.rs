//! The team's language in one place: the words the loader and the matchers know (resource
//! words, generic words, qualifiers, filler, none-markers, non-production marks) and how the
//! relation flags are written in English and Chinese. Matchers elsewhere ask the functions
//! here rather than keep lists of their own.
//!
//! ASCII words are lower case and compared whole, against [`ascii_words`] of a text or a
//! name's tokens; Chinese marks are looked for inside a text. No inventory's own names are
//! listed: the common prefix of instance names differs per inventory and is found by the
//! loader ([`Topology::common_prefix`](crate::graph::Topology::common_prefix)).

use crate::graph::ResourceKind;
use crate::text::{ascii_words, fold_width, key};
use regex::Regex;
use std::sync::OnceLock;

/// The languages the team writes relation flags in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

/// A flag of a relation: how it is shown in each language, and the other ways a cell's note
/// may write it.
#[derive(Debug)]
pub struct FlagWord {
    /// Shown in English text.
    pub en: &'static str,
    /// Shown in Chinese text and in diagram labels.
    pub zh: &'static str,
    /// Other English spellings of the note.
    en_also: &'static [&'static str],
    /// Other Chinese spellings of the note.
    zh_also: &'static [&'static str],
}

/// Optional: losing the other end degrades rather than breaks (`（可选）`, `(optional)`).
pub const OPTIONAL: FlagWord = FlagWord {
    en: "optional",
    zh: "可选",
    en_also: &["opt"],
    zh_also: &[],
};
/// On demand: used now and then, not all the time (`（按需）`, `(on demand)`).
pub const ON_DEMAND: FlagWord = FlagWord {
    en: "on demand",
    zh: "按需",
    en_also: &["on-demand", "ondemand"],
    zh_also: &[],
};
/// Via: what the relation passes through (`（经 APISIX/NGINX）`, `(via MSK proxy)`).
pub const VIA: FlagWord = FlagWord {
    en: "via",
    zh: "经",
    en_also: &[],
    zh_also: &["通过"],
};
/// Ambiguous: the word fitted several instances equally and all were linked. Only shown; no
/// cell writes it.
pub const AMBIGUOUS: FlagWord = FlagWord {
    en: "ambiguous",
    zh: "不确定",
    en_also: &[],
    zh_also: &[],
};

impl FlagWord {
    /// How the flag is shown in `lang`.
    pub fn text(&self, lang: Language) -> &'static str {
        match lang {
            Language::English => self.en,
            Language::Chinese => self.zh,
        }
    }

    /// Whether a note sets this flag: a Chinese spelling anywhere in it (`可选依赖`), or the
    /// whole note an English one, in any case (`Optional`).
    pub fn marks(&self, note: &str) -> bool {
        let lower = note.to_lowercase();
        self.zh_spellings().any(|z| note.contains(z)) || self.en_spellings().any(|e| lower == e)
    }

    /// What a note introduced by this word says after it: `经 APISIX/NGINX` and
    /// `via APISIX/NGINX` give ` APISIX/NGINX`. A Chinese spelling may touch what follows; an
    /// English one is followed by a space, in any case.
    pub fn introduces<'n>(&self, note: &'n str) -> Option<&'n str> {
        if let Some(rest) = self.zh_spellings().find_map(|z| note.strip_prefix(z)) {
            return Some(rest);
        }
        self.en_spellings().find_map(|e| {
            let head = note.get(..e.len())?;
            let rest = note.get(e.len()..)?.strip_prefix(' ')?;
            head.eq_ignore_ascii_case(e).then_some(rest)
        })
    }

    fn en_spellings(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.en).chain(self.en_also.iter().copied())
    }

    fn zh_spellings(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.zh).chain(self.zh_also.iter().copied())
    }
}

/// A word of a relation cell that describes rather than names: it never picks instances by
/// itself (`API`, `EKS`, `Web`, `K8S`).
pub fn is_generic_cell_word(word: &str) -> bool {
    DESCRIPTIVE.contains(&word) || DESCRIPTIVE_IN_CELLS.contains(&word)
}

/// A word of chat (an incident thread's title or message) that never names a component by
/// itself: descriptive words, symptoms (`down`, `latency`), instance sizes and small words.
/// The inventory's common prefix never names one either; it is not listed here because each
/// inventory has its own.
pub fn is_generic_chat_word(word: &str) -> bool {
    DESCRIPTIVE.contains(&word) || CHAT.contains(&word) || SIZE_WORDS.contains(&word)
}

/// A run of Chinese in a role that names no component by itself (`节点池`, `服务器`).
pub fn is_generic_cjk(run: &str) -> bool {
    GENERIC_CJK.contains(&run)
}

/// Which part of a service a mention or role asks for: the access layer, the core, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    None,
    Access,
    Core,
}

/// The qualifier of a mention, from its text and its [`ascii_words`]: `CES 接入层` and
/// `Narwhal Access` ask for the access layer, `CES 核心`, `撮合` and `matching engine` for the
/// core.
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

/// Whether a mention's [`ascii_words`] name a managed resource (`Aurora`, `Valkey`, `ALB`,
/// `S3`, a `…db`) rather than one of our instances.
pub fn names_managed_resource(words: &[String]) -> bool {
    words
        .iter()
        .any(|w| resource_word(w).is_some_and(|r| r.managed) || is_db_word(w))
}

/// An engine or vendor word that may lead a resource's name and is left out when spellings
/// are compared: `Aurora spotdb` and `spotdb` are one database.
pub fn is_engine_word(word: &str) -> bool {
    resource_word(word).is_some_and(|r| r.leads)
}

/// Guesses the kind of an external resource from its name.
pub fn classify_resource(name: &str) -> ResourceKind {
    let k = key(name);
    let words = ascii_words(name);
    let says = |kind: ResourceKind| {
        words
            .iter()
            .any(|w| resource_word(w).is_some_and(|r| r.kind == Some(kind)))
            || KIND_PHRASES.iter().any(|&(p, pk)| pk == kind && k.contains(p))
            // A `…db` or a `…库` (a store) is a database.
            || (kind == ResourceKind::Database
                && (words.iter().any(|w| is_db_word(w)) || k.ends_with('库')))
    };
    KIND_ORDER
        .into_iter()
        .find(|&kind| says(kind))
        .unwrap_or(ResourceKind::Other)
}

/// Chinese category nouns that a `/` list shares from its last part: `监控/日志系统`.
pub const SHARED_SUFFIXES: &[&str] = &["系统", "日志", "服务", "平台", "数据库", "集群", "中心"];

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

/// A role or notes cell that marks the row temporary or for testing.
pub fn marks_temporary(text: &str) -> bool {
    static MARK: OnceLock<Regex> = OnceLock::new();
    MARK.get_or_init(|| marks_regex(TEMPORARY_CJK, TEMPORARY_WORDS))
        .is_match(&fold_width(text))
}

/// ASCII words that describe rather than name, in cells and in chat alike.
const DESCRIPTIVE: &[&str] = &[
    "api",
    "apis",
    "web",
    "websocket",
    "ws",
    "eks",
    "k8s",
    "node",
    "nodes",
    "pool",
    "service",
    "services",
    "server",
    "servers",
    "system",
    "app",
    "data",
    "the",
    "and",
    "for",
    "new",
    "copy",
];

/// Further descriptive words, of relation cells only.
const DESCRIPTIVE_IN_CELLS: &[&str] = &[
    "kubernetes",
    "systems",
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
const GENERIC_CJK: &[&str] = &[
    "节点池",
    "服务器",
    "服务",
    "系统",
    "配置",
    "中心",
    "节点",
    "实例",
    "集群",
    "网关节点池",
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

/// A word naming a kind of resource.
struct ResourceWord {
    word: &'static str,
    /// The kind of resource it names, when the word says.
    kind: Option<ResourceKind>,
    /// A managed resource: a mention with this word is an external node, never one of our
    /// instances. Other words (`kafka`, `nginx`) only tell the kind of a node that is external
    /// anyway: the team runs its own.
    managed: bool,
    /// May lead a resource's name and is left out when spellings are compared.
    leads: bool,
}

const fn managed(word: &'static str, kind: Option<ResourceKind>) -> ResourceWord {
    ResourceWord {
        word,
        kind,
        managed: true,
        leads: false,
    }
}

/// A managed engine that leads the names of its databases and caches: `Aurora spotdb`.
const fn engine(word: &'static str, kind: ResourceKind) -> ResourceWord {
    ResourceWord {
        word,
        kind: Some(kind),
        managed: true,
        leads: true,
    }
}

/// Software the team may run itself.
const fn product(word: &'static str, kind: ResourceKind) -> ResourceWord {
    ResourceWord {
        word,
        kind: Some(kind),
        managed: false,
        leads: false,
    }
}

/// A cloud vendor's name, which leads a resource's name: `AWS S3`.
const fn vendor(word: &'static str) -> ResourceWord {
    ResourceWord {
        word,
        kind: None,
        managed: false,
        leads: true,
    }
}

const RESOURCE_WORDS: &[ResourceWord] = {
    use ResourceKind::*;
    &[
        managed("alb", Some(LoadBalancer)),
        managed("nlb", Some(LoadBalancer)),
        managed("elb", Some(LoadBalancer)),
        managed("clb", Some(LoadBalancer)),
        managed("cloudfront", Some(LoadBalancer)),
        product("nginx", LoadBalancer),
        managed("redis", Some(Cache)),
        engine("valkey", Cache),
        managed("memcached", Some(Cache)),
        engine("elasticache", Cache),
        managed("s3", Some(Storage)),
        managed("ecr", Some(Storage)),
        managed("efs", Some(Storage)),
        managed("ebs", None),
        engine("aurora", Database),
        engine("rds", Database),
        managed("mysql", Some(Database)),
        managed("postgres", Some(Database)),
        managed("postgresql", Some(Database)),
        managed("dynamodb", Some(Database)),
        managed("mongodb", Some(Database)),
        managed("sqs", Some(Queue)),
        managed("sns", Some(Queue)),
        managed("msk", Some(Queue)),
        product("kafka", Queue),
        product("rabbitmq", Queue),
        product("mq", Queue),
        managed("route53", None),
        product("argocd", Delivery),
        product("helm", Delivery),
        product("jenkins", Delivery),
        product("runner", Delivery),
        product("gitlab", Delivery),
        product("webhook", Delivery),
        product("elasticsearch", Observability),
        product("grafana", Observability),
        product("prometheus", Observability),
        product("kibana", Observability),
        product("k8s", Platform),
        product("eks", Platform),
        product("kubernetes", Platform),
        vendor("aws"),
        vendor("amazon"),
    ]
};

fn resource_word(word: &str) -> Option<&'static ResourceWord> {
    RESOURCE_WORDS.iter().find(|r| r.word == word)
}

/// A database by its name: `spotdb`, `makerdb` (not `db` itself).
fn is_db_word(word: &str) -> bool {
    word.len() > 2 && word.ends_with("db")
}

/// Text anywhere in a name's [`key`] that tells its kind.
const KIND_PHRASES: &[(&str, ResourceKind)] = {
    use ResourceKind::*;
    &[
        ("负载均衡", LoadBalancer),
        ("loadbalancer", LoadBalancer),
        ("客户端", Client),
        ("用户", Client),
        ("client", Client),
        ("browser", Client),
        ("人员", People),
        ("开发者", People),
        ("developer", People),
        ("engineer", People),
        ("运维", People),
        ("oncall", People),
        ("缓存", Cache),
        ("cache", Cache),
        ("制品", Storage),
        ("存储", Storage),
        ("磁盘", Storage),
        ("artifact", Storage),
        ("bucket", Storage),
        ("数据库", Database),
        ("业务库", Database),
        ("只读实例", Database),
        ("消息", Queue),
        ("消费者", Queue),
        ("推送", Queue),
        ("部署", Delivery),
        ("构建", Delivery),
        ("监控", Observability),
        ("日志", Observability),
        ("观测", Observability),
        ("告警", Observability),
        ("后端服务", Platform),
        ("配置", Platform),
    ]
};

/// The order kinds are tried in; the first a name says wins (`NGINX 日志` is a load balancer).
const KIND_ORDER: [ResourceKind; 10] = [
    ResourceKind::LoadBalancer,
    ResourceKind::Client,
    ResourceKind::People,
    ResourceKind::Cache,
    ResourceKind::Storage,
    ResourceKind::Database,
    ResourceKind::Queue,
    ResourceKind::Delivery,
    ResourceKind::Observability,
    ResourceKind::Platform,
];

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
