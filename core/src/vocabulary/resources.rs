//! Resource words: which words name a managed resource, which lead a resource's name, and
//! what kind of resource a name says.

use crate::graph::ResourceKind;
use crate::text::{ascii_words, key};

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
        // English counterparts of the Chinese marks above, so a role typed in English says
        // the same kind (`Nacos config center` is platform as `Nacos 配置中心` is).
        ("config", Platform),
        ("registry", Platform),
        ("discovery", Platform),
        ("nacos", Platform),
        ("etcd", Platform),
        ("zookeeper", Platform),
        ("consul", Platform),
        ("message", Queue),
        ("queue", Queue),
        ("database", Database),
        ("monitoring", Observability),
        ("logging", Observability),
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
