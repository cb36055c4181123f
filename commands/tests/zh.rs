//! `--lang zh` leaves no English label: every command, its error replies included, rendered in
//! Chinese on the seed, on an inventory that is not the seed and on a big synthetic one, has no
//! ASCII word left once the sheet's own text, core's messages and what the user typed are taken
//! out (see `english/mod.rs` for the rule and the allowlist).

mod english;

use aiops_commands::{self as commands, incident, Context, Lang, Parts, Reply, VersionInfo};
use aiops_core::query::{Direction, ImpactOptions, QueryError};
use aiops_core::{diff, load_bytes, seed, synth, LoadOptions, Topology};
use english::Foreign;

/// Not the seed: another prefix, other roles, an owner, environment, notes, instance id and an
/// extra column, two domains each with its own Kafka and Redis, a test row left out, a word
/// nothing resolves, optional, on-demand and via relations, and one-sided ones.
const OTHER: &str = "\
| 实例名称 | 服务角色 | 主要上游 | 主要下游 | 负责人 | 环境 | 备注 | 实例ID | 机房 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| qz7-paygw-01 | 支付网关 | 客户端；SLB paygw-public | qz7-ledger-01；qz7-ledger-02；qz7-payapi-01 | 支付组 | 生产 | 入口 | i-0123456789 | 华东一 |
| qz7-payapi-01 | 支付接口服务 | qz7-paygw-01 | qz7-ledger-01；pay-kafka；pay-redis | 支付组 |  |  |  | 华东一 |
| qz7-ledger-01 | 账本服务 | qz7-paygw-01 | MySQL ledgerdb；pay-kafka（可选） | 账务组 | 生产 |  |  | 华东二 |
| qz7-ledger-02 | 账本服务 | qz7-paygw-01 | MySQL ledgerdb；pay-kafka（可选） | 账务组 | 生产 |  |  | 华东二 |
| qz7-riskeng-nodes-a-Node | 风控引擎节点池（EKS） | risk-kafka；qz7-riskweb-01 | Valkey risk-redis；qz7-ledger-01（经 qz7-paygw-01） | 风控组 | 生产 |  |  |  |
| qz7-riskeng-nodes-a-Node | 风控引擎节点池（EKS） | risk-kafka；qz7-riskweb-01 | Valkey risk-redis；qz7-ledger-01（经 qz7-paygw-01） | 风控组 | 生产 |  |  |  |
| qz7-riskweb-01 | 风控后台 | 运营人员 | qz7-riskeng-nodes-a-Node；risk-redis（按需） |  | 生产 |  |  |  |
| qz7-notify-01 | 通知服务 | risk-kafka；qz7-report-01 | 短信平台；qz7-riskweb-01 | 运营组 | 生产 |  |  |  |
| qz7-report-01 | 报表服务 | qz7-notify-01 | ClickHouse reportdb；神秘系统；报表归档；报表邮件；报表大屏 | 数据组 | 生产 |  |  |  |
| qz7-sandbox-01 | 测试沙箱 | qz7-paygw-01 | pay-redis | 支付组 | 测试 |  |  |  |
";

/// An inventory with what lint reports less often: a CSV in GBK, a row without a name, an
/// instance whose rows disagree, a glob that matches nothing.
fn odd() -> Topology {
    let mut csv = b"Name,Role,Upstream,Downstream,Notes\n\
        bx4-gw-01,gateway,clients,bx4-api-01;bx4-api-02;bx4-cache-*,"
        .to_vec();
    // 网关 in GBK.
    csv.extend(b"\xcd\xf8\xb9\xd8\n");
    csv.extend(
        b"bx4-api-01,api,bx4-gw-01,api-db,\n\
          bx4-api-02,api,bx4-gw-01,api-db,\n\
          bx4-api-02,worker,bx4-gw-01,other-db,\n\
          ,orphan,bx4-gw-01,api-db,\n\
          bx4-job-01,job,Legacy,bx4-api-01,\n",
    );
    load_bytes("odd.csv", &csv, &LoadOptions::default()).expect("odd.csv loads")
}

/// The patterns a case asks about, in the inventory's own names.
struct Case {
    source: &'static str,
    /// A short name that selects instances and also matches an external node.
    short: &'static str,
    /// A managed resource.
    resource: &'static str,
    /// A queue some depend on only optionally.
    queue: &'static str,
    /// A glob over a family of instances.
    glob: &'static str,
    /// A glob over a pool of several nodes.
    pool: &'static str,
    role: &'static str,
    owner: &'static str,
    /// `path` that finds paths, that finds them only the other way, and that finds none.
    path: (&'static str, &'static str),
    no_path: (&'static str, &'static str),
    /// A near miss that gets suggestions.
    typo: &'static str,
    /// A thread title that names components.
    incident: &'static str,
    /// An alert label value that names a component.
    alert_host: &'static str,
}

const SEED: Case = Case {
    source: "seed",
    short: "apisix",
    resource: "Aurora spotdb",
    queue: "kafka-server-01",
    glob: "aie1p-ces-*",
    pool: "aie1p-apisix-*",
    role: "做市",
    owner: "运维",
    path: ("apisix", "spotdb"),
    no_path: ("jenkins", "ETCD"),
    typo: "apisx",
    incident: "spotdb 故障，现货下单失败",
    alert_host: "aie1p-kafka-server-01:9308",
};

const OTHER_CASE: Case = Case {
    source: "other.md",
    short: "ledger",
    resource: "MySQL ledgerdb",
    queue: "pay-kafka",
    glob: "qz7-ledger-*",
    pool: "qz7-riskeng-*",
    role: "账本",
    owner: "组",
    path: ("paygw", "ledgerdb"),
    no_path: ("report-01", "paygw-01"),
    typo: "ledgr",
    incident: "qz7 支付网关 超时，pay-kafka 积压",
    alert_host: "qz7-ledger-01:8080",
};

fn other() -> Topology {
    load_bytes("other.md", OTHER.as_bytes(), &LoadOptions::default()).expect("other.md loads")
}

/// `other.md` a version later: a ledger retired and a role renamed.
fn other_v2() -> Topology {
    let text = OTHER
        .lines()
        .filter(|l| !l.starts_with("| qz7-ledger-02 |"))
        .map(|l| l.replace("支付接口服务", "支付接口服务二期") + "\n")
        .collect::<String>();
    load_bytes("other.md", text.as_bytes(), &LoadOptions::default()).expect("v2 loads")
}

/// A command's reply, and what in it is core's or the user's, not ours to translate.
struct Rendered {
    what: String,
    reply: Reply,
    foreign: Vec<String>,
}

/// Every query command on `topo` in `lang`: answers, and the error replies a user can get.
fn queries(topo: &Topology, case: &Case, lang: Lang) -> Vec<Rendered> {
    let ctx = Context {
        lang,
        ..Context::new(topo, case.source)
    };
    let leaf = topo
        .nodes()
        .iter()
        .enumerate()
        .find(|&(i, _)| topo.incoming(i).next().is_none())
        .map(|(_, n)| n.id.clone())
        .expect("some node nothing depends on");
    let spelled = topo
        .nodes()
        .iter()
        .find(|n| !n.spellings.is_empty())
        .map(|n| n.id.clone())
        .expect("some external node written several ways");
    let bad_pattern = match aiops_core::query::select(topo, "re:(") {
        Err(QueryError::BadPattern { detail, .. }) => detail,
        other => panic!("re:( is a bad pattern: {other:?}"),
    };
    let drawing = format!(
        "graph LR\n  A[{}] --> B[{}]\n  A --> X[qz7-ghost-01]\n",
        topo.nodes()[0].id,
        topo.nodes()[1].id
    );
    let not_a_chart = "这不是流程图";
    let chart_error = aiops_core::lint::compare_diagram(topo, not_a_chart)
        .expect_err("not a flowchart")
        .to_string();
    let one_node = ImpactOptions {
        depth: None,
        one_node: true,
        ..ImpactOptions::default()
    };
    let (a, b) = case.path;
    let (c, d) = case.no_path;
    let text_only = Context {
        parts: Parts::TEXT,
        ..ctx
    };
    let mut out: Vec<(&str, Reply)> = vec![
        (
            "deps short",
            commands::deps(ctx, case.short, Direction::Both, 1),
        ),
        (
            "deps resource --depth 2",
            commands::deps(ctx, case.resource, Direction::Both, 2),
        ),
        (
            "deps glob --up",
            commands::deps(ctx, case.glob, Direction::Up, 1),
        ),
        (
            "deps glob --down --depth 3",
            commands::deps(ctx, case.glob, Direction::Down, 3),
        ),
        (
            "deps typo",
            commands::deps(ctx, case.typo, Direction::Both, 1),
        ),
        (
            "deps nothing",
            commands::deps(ctx, "zzzzqqq", Direction::Both, 1),
        ),
        (
            "deps bad pattern",
            commands::deps(ctx, "re:(", Direction::Both, 1),
        ),
        (
            "impact resource",
            commands::impact(ctx, case.resource, None),
        ),
        ("impact queue", commands::impact(ctx, case.queue, None)),
        (
            "impact pool --one-node",
            commands::impact_with(ctx, case.pool, one_node),
        ),
        (
            "impact glob --depth 1",
            commands::impact(ctx, case.glob, Some(1)),
        ),
        ("impact short", commands::impact(ctx, case.short, None)),
        ("impact leaf", commands::impact(ctx, &leaf, None)),
        ("impact everything", commands::impact(ctx, "re:.*", None)),
        ("impact typo", commands::impact(ctx, case.typo, None)),
        ("whois short", commands::whois(ctx, case.short)),
        ("whois resource", commands::whois(ctx, case.resource)),
        ("whois glob", commands::whois(ctx, case.glob)),
        ("whois spelled", commands::whois(ctx, &spelled)),
        ("whois everything", commands::whois(ctx, "re:.*")),
        ("whois typo", commands::whois(ctx, case.typo)),
        ("role", commands::role(ctx, case.role)),
        ("role nothing", commands::role(ctx, "zzzzqqq")),
        ("owner", commands::owner(ctx, case.owner)),
        ("owner nothing", commands::owner(ctx, "zzzzqqq")),
        ("path", commands::path(ctx, a, b)),
        ("path reversed", commands::path(ctx, b, a)),
        ("path none", commands::path(ctx, c, d)),
        ("path typo", commands::path(ctx, case.typo, b)),
        ("spof", commands::spof(ctx)),
        ("export", commands::export(ctx)),
        ("export text", commands::export(text_only)),
        ("lint", commands::lint(ctx, None)),
        (
            "lint --diagram",
            commands::lint(ctx, Some(("drawing.mmd", &drawing))),
        ),
        (
            "lint --diagram not a chart",
            commands::lint(ctx, Some(("notes.md", not_a_chart))),
        ),
    ];
    let suspects = incident::detect(topo, case.incident);
    assert!(!suspects.is_empty(), "{} names components", case.incident);
    let recent = ["v2 · 2026-11-22T09:00:00Z".to_string()];
    out.push(("incident", incident::reply(ctx, &suspects, &recent)));
    out.push(("incident, no changes", incident::reply(ctx, &suspects, &[])));
    let (alerts, alert_texts) = alert_replies(ctx, case);
    out.extend(alerts);
    let typed = [
        case.short,
        case.resource,
        case.queue,
        case.glob,
        case.pool,
        case.role,
        case.owner,
        case.typo,
        a,
        b,
        c,
        d,
        "zzzzqqq",
        "re:(",
        "re:.*",
        &bad_pattern,
        &chart_error,
        &leaf,
        &spelled,
        case.source,
        "drawing.mmd",
        "notes.md",
        "qz7-ghost-01",
        &recent[0],
    ]
    .map(str::to_string)
    .into_iter()
    .chain(alert_texts)
    .collect::<Vec<_>>();
    out.into_iter()
        .map(|(what, reply)| Rendered {
            what: format!("{}: {what}", case.source),
            reply,
            foreign: typed.clone(),
        })
        .collect()
}

/// The alert reply for a group of two, one naming a component and one naming nothing: firing,
/// then resolved. Returns the replies and the texts the sender wrote (labels, annotations,
/// title, link, times), which are not ours to translate.
fn alert_replies(ctx: Context, case: &Case) -> (Vec<(&'static str, Reply)>, Vec<String>) {
    use aiops_core::alert::{find, parse, utc, Group, LabelKeys, Source};
    let body = |status: &str, end: &str| {
        format!(
            r#"{{"version":"4","groupKey":"{{}}:{{alertname=\"ServiceDown\"}}","status":"{status}",
            "externalURL":"http://127.0.0.1:19093","groupLabels":{{"alertname":"ServiceDown"}},
            "alerts":[{{"status":"{status}","labels":{{"alertname":"ServiceDown","instance":"{}",
            "severity":"critical"}},"annotations":{{"summary":"probe failed"}},
            "startsAt":"2026-12-02T04:00:00Z","endsAt":"{end}",
            "generatorURL":"http://prometheus.example/graph"}},
            {{"status":"{status}","labels":{{"alertname":"ServiceDown","instance":"10.0.3.7:9100",
            "job":"node"}},"startsAt":"2026-12-02T04:00:00Z","endsAt":"{end}"}}]}}"#,
            case.alert_host
        )
    };
    let firing = parse(
        Source::Alertmanager,
        body("firing", "0001-01-01T00:00:00Z").as_bytes(),
    )
    .expect("firing body");
    let resolved = parse(
        Source::Alertmanager,
        body("resolved", "2026-12-02T05:05:00Z").as_bytes(),
    )
    .expect("resolved body");
    let mut g = Group::new(&firing, 1_796_187_000);
    let found = find(ctx.topo, &g, &LabelKeys::default());
    assert_eq!(found.components.len(), 1, "{}", case.alert_host);
    let open = commands::alert(
        ctx,
        &g,
        &found,
        &["v2 · 2026-11-22T09:00:00Z".into()],
        &["DiskFull".into()],
    );
    g.apply(&resolved, 1_796_190_000);
    let closed = commands::alert(ctx, &g, &found, &[], &[]);
    let mut texts: Vec<String> = Vec::new();
    for a in g.alerts.iter().map(|a| &a.alert) {
        for (k, v) in a.labels.iter().chain(&a.annotations) {
            texts.extend([format!("{k}={v}"), k.clone(), v.clone()]);
        }
        texts.extend(a.link.clone());
    }
    texts.extend([
        g.title.clone(),
        "http://127.0.0.1:19093".into(),
        utc(g.opened_at),
        utc(g.resolved_at.expect("resolved")),
        "DiskFull".into(),
        "v2 · 2026-11-22T09:00:00Z".into(),
    ]);
    (
        vec![("alert firing", open), ("alert resolved", closed)],
        texts,
    )
}

fn version(id: i64, summary: &str) -> VersionInfo {
    VersionInfo {
        id,
        seen_at: format!("2026-11-2{id}T09:00:00Z"),
        sha256: format!("{id:064}"),
        source: "other.md".into(),
        summary: summary.into(),
    }
}

/// `diff`, `history` and `changes` on two versions of the other inventory. Their change lines
/// and diagrams are core's (`aiops_core::diff`), so they count as foreign here.
fn change_commands(lang: Lang) -> Vec<Rendered> {
    let (old, new) = (other(), other_v2());
    let d = diff::diff(&old, &new);
    let (short, full) = diff::summarize(&d);
    let v1 = version(1, "first version");
    let v2 = version(2, &short);
    let both = vec![(v1.clone(), old.clone()), (v2.clone(), new.clone())];
    let one = vec![(v1.clone(), old.clone())];
    let ctx = |topo, source| Context {
        lang,
        ..Context::new(topo, source)
    };
    let mut foreign: Vec<String> = vec![short, full];
    for v in [&v1, &v2] {
        foreign.extend([v.seen_at.clone(), v.sha256.clone(), v.source.clone()]);
        foreign.push(v.summary.clone());
    }
    let near = |pattern: &str| {
        let r = commands::changes(lang, pattern, "7d", &both);
        let matched: Vec<String> = r.json["matched"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_string))
            .collect();
        let mut hood = diff::neighbourhood(&old, &matched, commands::CHANGES_HOPS);
        hood.extend(diff::neighbourhood(&new, &matched, commands::CHANGES_HOPS));
        let touched = diff::summarize(&d.touching(&hood)).1;
        (r, touched)
    };
    let (changes, touched) = near("payapi");
    let (quiet, _) = near("report");
    foreign.push(touched);
    let mut out = vec![
        ("diff", commands::diff(ctx(&old, "v1"), ctx(&new, "v2"))),
        (
            "history",
            commands::history(lang, &[v2.clone(), v1.clone()]),
        ),
        ("history empty", commands::history(lang, &[])),
        ("changes", changes),
        ("changes, nothing nearby", quiet),
        (
            "changes, one version",
            commands::changes(lang, "payapi", "7d", &one),
        ),
        (
            "changes, no versions",
            commands::changes(lang, "payapi", "7d", &[]),
        ),
        (
            "changes typo",
            commands::changes(lang, "zzzzqqq", "7d", &both),
        ),
        (
            "changes bad since",
            Reply::user_error(
                aiops_commands::Status::UserError,
                commands::parse_since("7x").expect_err("7x").text(lang),
            ),
        ),
    ];
    foreign.extend(["payapi", "report", "7d", "7x", "zzzzqqq", "v1", "v2"].map(str::to_string));
    out.iter_mut()
        .map(|(what, reply)| {
            let mut foreign = foreign.clone();
            // The change diagrams and their captions are core's.
            if let Some(d) = reply.diagram.take() {
                foreign.push(d.caption);
            }
            Rendered {
                what: format!("changes: {what}"),
                reply: reply.clone(),
                foreign,
            }
        })
        .collect()
}

/// A reply as a reader sees it: its text, and the words of its diagram.
fn seen(r: &Reply) -> String {
    let mut s = r.to_text();
    if let Some(d) = &r.diagram {
        for n in &d.nodes {
            s.push('\n');
            s.push_str(&n.lines.join("\n"));
        }
        for e in d.edges.iter().filter_map(|e| e.label.as_ref()) {
            s.push('\n');
            s.push_str(e);
        }
    }
    s
}

/// Foreign texts of `topo` plus those of each reply, checked together: a name a user typed
/// may stand next to a name of the sheet.
fn english_in(topo: &Topology, replies: &[Rendered]) -> Vec<String> {
    replies
        .iter()
        .filter_map(|r| {
            let mut f = Foreign::of(topo);
            f.add_all(&r.foreign);
            let text = seen(&r.reply);
            let left = f.english_left(&text);
            (!left.is_empty()).then(|| format!("{}: {left:?}\n{text}", r.what))
        })
        .collect()
}

fn inventories() -> Vec<(Topology, Case)> {
    vec![
        (seed(&LoadOptions::default()).expect("seed loads"), SEED),
        (other(), OTHER_CASE),
    ]
}

#[test]
fn every_command_in_chinese_has_no_english_label() {
    let mut dirty = Vec::new();
    for (topo, case) in inventories() {
        dirty.extend(english_in(&topo, &queries(&topo, &case, Lang::Zh)));
    }
    let changes = change_commands(Lang::Zh);
    dirty.extend(english_in(&other_v2(), &changes));
    dirty.extend(english_in(&other(), &changes));
    // Diagrams cut to size and the whole-graph caption need more nodes than a reading cap.
    let big = load_bytes(
        "big.csv",
        synth::csv(300).as_bytes(),
        &LoadOptions::default(),
    )
    .expect("synthetic inventory loads");
    let big_ctx = Context {
        lang: Lang::Zh,
        ..Context::new(&big, "big.csv")
    };
    let folded = commands::impact(big_ctx, "NGINX", None);
    assert!(
        folded
            .diagram
            .as_ref()
            .is_some_and(|d| !d.caption.is_empty()),
        "the big impact is folded"
    );
    let whole = commands::export(big_ctx);
    assert!(whole
        .diagram
        .as_ref()
        .is_some_and(|d| !d.caption.is_empty()));
    let spof = commands::spof(big_ctx);
    let big_replies =
        [("impact NGINX", folded), ("export", whole), ("spof", spof)].map(|(what, reply)| {
            Rendered {
                what: format!("big.csv: {what}"),
                reply,
                foreign: vec!["NGINX".into(), "big.csv".into()],
            }
        });
    dirty.extend(english_in(&big, &big_replies));
    let odd = odd();
    let odd_ctx = Context {
        lang: Lang::Zh,
        ..Context::new(&odd, "odd.csv")
    };
    let odd_replies = [
        ("lint", commands::lint(odd_ctx, None)),
        ("export", commands::export(odd_ctx)),
        ("whois everything", commands::whois(odd_ctx, "re:.*")),
    ]
    .map(|(what, reply)| Rendered {
        what: format!("odd.csv: {what}"),
        reply,
        foreign: vec!["odd.csv".into(), "re:.*".into()],
    });
    dirty.extend(english_in(&odd, &odd_replies));
    assert!(dirty.is_empty(), "English left:\n{}", dirty.join("\n\n"));
}

/// The check is not vacuous: the same replies in English keep their labels, one reply at a
/// time. The exceptions say nothing of ours in a word of three letters that is not a command's
/// name: `path`'s `N path(s)`, lint's answer to a file that is no chart (core's words), and
/// `diff` (core's change lines).
#[test]
fn the_same_replies_in_english_keep_english_labels() {
    let mut clean = Vec::new();
    for (topo, case) in inventories() {
        let replies = queries(&topo, &case, Lang::En);
        let dirty = english_in(&topo, &replies);
        clean.extend(
            replies
                .iter()
                .filter(|r| !dirty.iter().any(|d| d.starts_with(&format!("{}:", r.what))))
                .map(|r| r.what.clone()),
        );
    }
    let changes = change_commands(Lang::En);
    let dirty = english_in(&other_v2(), &changes);
    clean.extend(
        changes
            .iter()
            .filter(|r| !dirty.iter().any(|d| d.starts_with(&format!("{}:", r.what))))
            .map(|r| r.what.clone()),
    );
    assert_eq!(
        clean,
        [
            "seed: path",
            "seed: lint --diagram not a chart",
            "other.md: path",
            "other.md: lint --diagram not a chart",
            "changes: diff"
        ],
        "no English found in these"
    );
}

#[test]
fn one_english_label_in_a_chinese_reply_is_found() {
    let topo = other();
    let mut f = Foreign::of(&topo);
    f.add("ledger");
    assert_eq!(
        f.english_left("deps ledger: 2 个匹配\n  上游 (3)\n    pool size  qz7-paygw-01"),
        ["pool", "size"]
    );
    assert!(f
        .english_left("whois ledger\n    节点数  2 个节点 --depth 2")
        .is_empty());
    // A name from the sheet is stripped whole, never from inside a longer word.
    f.add("nod");
    assert_eq!(f.english_left("3 nodes"), ["nodes"]);
}
