//! The typed message catalogue: every fixed phrase a reply shows, with its English and Chinese.
//! `Msg::text` is one exhaustive match and every arm writes both languages, so a phrase without
//! a translation does not compile. Variants carry the numbers and names a phrase embeds; names,
//! roles and cell text from the sheet are passed through untranslated, and so are core's
//! diagnostic messages. Relation flags (optional, on demand, via) are core's vocabulary
//! ([`Lang::flags`]), shared with the diagrams.

use crate::Lang;
use aiops_core::alert::Status as AlertStatus;
use aiops_core::graph::ResourceKind;
use aiops_core::query::{Effect, Reach};
use aiops_core::DiagKind;
use std::borrow::Cow;

/// A phrase of a reply. `'a` is the lifetime of the names a phrase embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg<'a> {
    // Shared by several commands.
    Upstream,
    Downstream,
    /// `1 hop`, `3 hops`.
    Hops(u32),
    /// What kind of external node a name is: `external · database`.
    External(ResourceKind),
    SelectedInstances,
    AlsoMatches,
    UseFullName,
    /// `'x' matches nothing; did you mean: a, b?`
    MatchesNothing {
        pattern: &'a str,
        suggestions: &'a [String],
    },
    /// `'x' is not a valid pattern: <core's detail>`
    BadPattern {
        pattern: &'a str,
        detail: &'a str,
    },
    /// A diagram cut to size: the fold box `+3 more` (the side is [`Msg::Upstream`] or
    /// [`Msg::Downstream`]) and the caption.
    MoreBox(usize),
    FoldCaption {
        cap: usize,
        total: usize,
        dropped: usize,
    },

    // deps
    /// `deps X: 2 matches`, after the pattern.
    Matches(usize),

    // impact
    CustomersHitYes,
    CustomersHitNo,
    Via,
    WholeSelectionFails,
    OneNodeLost,
    PoolWholeFails,
    PoolOneNodeLost,
    SingleInstance,
    /// A one-row pool (its role says node pool): its size is not in the sheet.
    PoolOfUnknownSize,
    /// `×5: all running in ap-northeast-1a, one failure domain: fails whole`
    OneZonePool {
        count: u32,
        az: &'a str,
    },
    OneZoneNote,
    /// `reconcile X: 3 drift(s); 20 of 23 sheet instance(s) running`
    ReconcileTitle {
        source: &'a str,
        drift: usize,
        matched: usize,
        total: usize,
    },
    SheetAgrees,
    ReconcileMissing(usize),
    ReconcileUnlisted(usize),
    ReconcilePoolSize(usize),
    ReconcileSingleAz(usize),
    ReconcileTypes(usize),
    /// `N running`
    RunningCount(usize),
    /// `sheet ×2`
    SheetCount(u32),
    /// `running 5`
    RunningNow(usize),
    /// `3 in ap-northeast-1a`
    InZone {
        count: usize,
        az: &'a str,
    },
    NameSays(&'a str),
    Runs(&'a str),
    /// `not found` / the EC2 state of a sheet instance that does not run.
    NotRunning(&'a str),
    /// In the reconcile diagram: a missing box's note, an unlisted group's, and the caption.
    BoxNotRunning(&'a str),
    BoxUnlisted(usize),
    ReconcileCaption {
        missing: usize,
        unlisted: usize,
        pool_size: usize,
        single_az: usize,
        types: usize,
    },
    // What runs in EC2, for whois, impact and incident replies, the digest and `changes`.
    /// `running 3 of 3`
    RunningOf {
        running: usize,
        of: u32,
    },
    /// `, all in ap-northeast-1a` (two or more nodes).
    AllInZone(&'a str),
    /// `, in ap-northeast-1a` (one node), or `, in a ×2, c ×1`.
    InZones(&'a str),
    /// `; 1 stopped`
    AlsoStopped(usize),
    /// `x: in the sheet, not running (stopped)`
    DriftMissing {
        id: &'a str,
        state: &'a str,
    },
    /// `group: 40 running, not in the sheet`
    DriftUnlisted {
        group: &'a str,
        count: usize,
    },
    /// `x: sheet ×2, running 5`
    DriftPoolSize {
        id: &'a str,
        sheet: u32,
        running: usize,
    },
    /// `x: all 3 running in ap-northeast-1a`
    DriftOneZone {
        id: &'a str,
        count: usize,
        az: &'a str,
    },
    /// `x: name says c5.2xlarge, runs c5.xlarge`
    DriftType {
        id: &'a str,
        says: &'a str,
        actual: &'a str,
    },
    /// `pool x grew from 2 to 5 nodes`
    PoolGrew {
        id: &'a str,
        from: usize,
        to: usize,
    },
    PoolShrank {
        id: &'a str,
        from: usize,
        to: usize,
    },
    /// A sheet instance that did not run and runs now.
    StartedRunning {
        id: &'a str,
        count: usize,
    },
    /// A sheet instance that ran and runs no more.
    StoppedRunning(&'a str),
    UnlistedAppeared {
        group: &'a str,
        count: usize,
    },
    UnlistedGone(&'a str),
    UnlistedResized {
        group: &'a str,
        from: usize,
        to: usize,
    },
    NowOneZone {
        id: &'a str,
        az: &'a str,
    },
    NoLongerOneZone(&'a str),
    /// `what on when`
    HappenedOn {
        what: &'a str,
        when: &'a str,
    },
    /// Headings of the EC2 part of the digest and of `changes`.
    NewDriftSinceDigest(usize),
    DriftStill(usize),
    NoNewDrift,
    Ec2Changes(usize),
    NoEc2Changes,
    /// `/reconcile` with nothing known about EC2.
    Ec2NotConfigured,
    /// EC2 is configured but nothing has been read yet.
    Ec2NoResultYet,
    /// `/inventory status`: `40 instances from aws ec2 describe-instances, read 2026-…`
    Ec2InForce {
        instances: usize,
        source: &'a str,
        when: &'a str,
    },
    /// `/inventory status`: the last run or read failed, the last good result stays.
    Ec2Failing {
        what: &'a str,
        since: &'a str,
    },
    InEc2,
    ExternalTarget,
    ListingDepth,
    PossiblyNote,
    AlternativeLeft,
    SoftOnly,
    CustomerRoutes,
    Targets,
    NothingImpacted,
    Effect(Effect),
    /// The section heading for the impacted nodes of one effect.
    Heading(Effect),
    Reach(Reach),

    // whois
    Role,
    Owner,
    PoolSize,
    Environment,
    InstanceId,
    Notes,
    SheetRows,
    Kind,
    AlsoWritten,
    NoOwnerColumn,
    OwnerCellEmpty,
    /// A pool's size: `3 nodes`.
    PoolNodes(u32),
    OneSingleInstance,
    ProductionNoEnvColumn,
    ProductionEnvEmpty,

    // role, owner
    /// `role X: 3 instances`, after the text.
    Instances(usize),
    NoRoleContaining(&'a str),
    NoOwnerContaining(&'a str),
    NoOwnerColumnToAsk,

    // path
    NoPath {
        max_hops: usize,
    },
    PathsReversed {
        from: &'a str,
        to: &'a str,
        paths: usize,
    },
    Paths(usize),

    // spof
    /// `spof: …`, after the command.
    SpofTitle(usize),
    /// The sheet names no entry point; the instances nothing calls stand in for them.
    SpofUncalledRoots(usize),
    PoolHasReplicas,
    PoolUnknownSize,
    ManagedResource,
    Single,
    SpofReach {
        entry_points: usize,
        callers: usize,
    },
    CutsOff(usize),
    /// ` …and 3 more`, after a shortened list.
    AndMore(usize),

    // export
    /// `SOURCE: …`, after the inventory's name.
    ExportTitle {
        instances: usize,
        externals: usize,
        relations: usize,
        diagnostics: usize,
    },
    InstancesHeading,
    RelationsHeading,
    Diagnostics,
    /// Where a relation is written: `row 3 col D`.
    RowCol {
        row: u32,
        column: &'a str,
    },
    WholeGraphCaption {
        nodes: usize,
        cap: usize,
    },

    // lint
    /// `lint SOURCE: …`, after the inventory's name.
    Findings(usize),
    LintSection(DiagKind),
    /// A chat reply whose picture could not be drawn: why, and where the diagram still is.
    NoPicture(&'a str),
    DiagramCompared {
        name: &'a str,
        boxes: usize,
        arrows: usize,
        missing: usize,
        extra: usize,
    },
    MissingFromDrawing,
    DrawnNotInSheet,
    UnknownBoxes,

    // history, changes
    /// `history: …`, after the command.
    Versions(usize),
    NoVersionsYet,
    NoStoredVersions,
    /// `changes near X since 7d: 2 version(s) compared, 1 with changes nearby`
    ChangesTitle {
        pattern: &'a str,
        since: &'a str,
        compared: usize,
        nearby: usize,
    },
    OnlyOneVersion,
    NothingChangedNear {
        hops: u32,
        ids: &'a str,
    },
    BadSince(&'a str),

    // incident
    Components,
    BlastRadius,
    RecentChangesNearby,

    // alert
    /// An alert's or a group's status: `firing`, `acknowledged`, `resolved`.
    AlertStatus(AlertStatus),
    /// `since 2026-12-02T04:26:49Z`
    Since(&'a str),
    /// `resolved at 2026-12-02T05:12:19Z, after 45m`
    ResolvedAfter {
        at: &'a str,
        took: &'a str,
    },
    /// `1h 5m`, `2d 3h`, `45s`.
    Duration(i64),
    /// `2 of 3 alerts firing`
    AlertsFiring {
        firing: usize,
        total: usize,
    },
    /// `4 more alert(s) left out by the sender`
    AlertsTruncated(u64),
    Alerts,
    Link,
    NoComponentMatched,
    /// `no inventory component matched labels instance=10.0.3.7:9100, job=node`
    UnmatchedLabels(&'a str),
    /// `also firing: …`
    AlsoFiring(&'a str),
    /// Components whose alerts have all resolved while others in the group still fire.
    ComponentsRecovered(&'a str),
    /// The whole group resolved: no blast radius is current.
    AllAlertsResolved,
    AlertStoreUnavailable,
    NoAlertGroupFiring,
    /// `silenced until <RFC 3339>`
    SilencedUntil(&'a str),
    NameTheAlertGroup,
    NoSuchAlertGroup(i64),
    AlertGroupSilenced {
        group: i64,
        title: &'a str,
        until: &'a str,
    },
}

/// Both languages of a phrase that embeds values: `tr!(lang, "{n} hops", "{n} 跳")`.
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal) => {
        Cow::Owned(match $lang {
            Lang::En => format!($en),
            Lang::Zh => format!($zh),
        })
    };
}

/// `s` when `n` is not one, for English plurals.
fn s(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl Msg<'_> {
    /// The phrase in `lang`.
    pub fn text(self, lang: Lang) -> Cow<'static, str> {
        let fixed = |en: &'static str, zh: &'static str| {
            Cow::Borrowed(match lang {
                Lang::En => en,
                Lang::Zh => zh,
            })
        };
        match self {
            Msg::Upstream => fixed("upstream", "上游"),
            Msg::Downstream => fixed("downstream", "下游"),
            Msg::Hops(n) => {
                let plural = s(n as usize);
                tr!(lang, "{n} hop{plural}", "{n} 跳")
            }
            Msg::External(r) => {
                let en = r.label();
                let zh = resource_zh(r);
                tr!(lang, "external · {en}", "外部 · {zh}")
            }
            Msg::SelectedInstances => fixed("selected our instances", "已选择清单中的实例"),
            Msg::AlsoMatches => fixed("also matches", "也匹配"),
            Msg::UseFullName => fixed("use the full name to select them", "如需选择请使用完整名称"),
            Msg::MatchesNothing {
                pattern,
                suggestions,
            } => {
                let list = suggestions.join(", ");
                match (lang, suggestions.is_empty()) {
                    (Lang::En, true) => format!("'{pattern}' matches nothing").into(),
                    (Lang::En, false) => {
                        format!("'{pattern}' matches nothing; did you mean: {list}?").into()
                    }
                    (Lang::Zh, true) => format!("“{pattern}”没有匹配任何组件").into(),
                    (Lang::Zh, false) => {
                        format!("“{pattern}”没有匹配任何组件；是否要找：{list}？").into()
                    }
                }
            }
            Msg::BadPattern { pattern, detail } => tr!(
                lang,
                "'{pattern}' is not a valid pattern: {detail}",
                "“{pattern}”不是有效的模式：{detail}"
            ),
            Msg::MoreBox(n) => tr!(lang, "+{n} more", "+{n} 个"),
            Msg::FoldCaption {
                cap,
                total,
                dropped,
            } => tr!(
                lang,
                "Diagram shows the nearest {cap} of {total} nodes; the other {dropped} farther away are folded into \"+N more\" boxes.",
                "图中只画出最近的 {cap} 个节点（共 {total} 个）；较远的其余 {dropped} 个折叠在“+N 个”框中。"
            ),

            Msg::Matches(n) => {
                let es = if n == 1 { "" } else { "es" };
                tr!(lang, "{n} match{es}", "{n} 个匹配")
            }

            Msg::CustomersHitYes => fixed("customers hit: YES", "客户受影响：是"),
            Msg::CustomersHitNo => fixed("customers hit: no", "客户受影响：否"),
            Msg::Via => fixed("through", "经由"),
            Msg::WholeSelectionFails => fixed(
                "every node of the selection fails (whole pools)",
                "所选节点全部故障（整池）",
            ),
            Msg::OneNodeLost => fixed(
                "one node of each selected pool is lost (capacity, not outage)",
                "每个所选节点池损失一个节点（容量下降，非中断）",
            ),
            Msg::PoolWholeFails => fixed("whole pool fails", "整池故障"),
            Msg::PoolOneNodeLost => fixed("one node lost, replicas remain", "损失一个节点，仍有副本"),
            Msg::SingleInstance => fixed("single instance: no redundancy", "单实例：无冗余"),
            Msg::OneZonePool { count, az } => tr!(
                lang,
                "×{count}: all running in {az}, one failure domain: fails whole",
                "×{count}：全部运行在 {az}，同一故障域：整体故障"
            ),
            Msg::OneZoneNote => fixed(
                "pools whose running nodes are all in one availability zone (from EC2) fail whole: one zone outage takes them all",
                "运行节点全部位于同一可用区的节点池（据 EC2）按整体故障计：一个可用区中断即全部失效",
            ),
            Msg::ReconcileTitle {
                source,
                drift,
                matched,
                total,
            } => tr!(
                lang,
                "reconcile {source}: {drift} drift(s); {matched} of {total} sheet instance(s) running",
                "reconcile {source}：{drift} 处偏差；清单 {total} 个实例中 {matched} 个在运行"
            ),
            Msg::SheetAgrees => fixed("The sheet and EC2 agree.", "清单与 EC2 一致。"),
            Msg::ReconcileMissing(n) => tr!(
                lang,
                "Listed in the sheet, not running: {n}",
                "清单中有、但未运行：{n}"
            ),
            Msg::ReconcileUnlisted(n) => tr!(
                lang,
                "Running, not in the sheet: {n}",
                "在运行、但清单中没有：{n}"
            ),
            Msg::ReconcilePoolSize(n) => tr!(
                lang,
                "Pool size, sheet against running: {n}",
                "节点池规模（清单 / 运行）：{n}"
            ),
            Msg::ReconcileSingleAz(n) => tr!(
                lang,
                "All replicas in one availability zone (an outage of it takes them all): {n}",
                "副本全部位于同一可用区（该区中断即全部失效）：{n}"
            ),
            Msg::ReconcileTypes(n) => tr!(
                lang,
                "Instance type not what the name says: {n}",
                "实例类型与名称不符：{n}"
            ),
            Msg::RunningCount(n) => tr!(lang, "{n} running", "{n} 个在运行"),
            Msg::SheetCount(n) => tr!(lang, "sheet ×{n}", "清单 ×{n}"),
            Msg::RunningNow(n) => tr!(lang, "running {n}", "运行 {n}"),
            Msg::InZone { count, az } => tr!(lang, "{count} in {az}", "{count} 个在 {az}"),
            Msg::NameSays(t) => tr!(lang, "name says {t}", "名称表示 {t}"),
            Msg::Runs(t) => tr!(lang, "runs {t}", "实际 {t}"),
            Msg::NotRunning(state) => match (lang, state) {
                (Lang::En, s) => Cow::Owned(s.to_string()),
                (Lang::Zh, "not found") => Cow::Borrowed("未找到"),
                (Lang::Zh, "stopped") => Cow::Borrowed("已停止"),
                (Lang::Zh, "stopping") => Cow::Borrowed("正在停止"),
                (Lang::Zh, s) => Cow::Owned(s.to_string()),
            },
            Msg::BoxNotRunning(state) => {
                let state = Msg::NotRunning(state).text(lang);
                tr!(lang, "not running ({state})", "未运行（{state}）")
            }
            Msg::BoxUnlisted(n) => tr!(lang, "{n} running, not in the sheet", "{n} 个在运行，清单中没有"),
            Msg::ReconcileCaption {
                missing,
                unlisted,
                pool_size,
                single_az,
                types,
            } => tr!(
                lang,
                "{missing} missing, {unlisted} unlisted group(s), {pool_size} pool size(s) off, {single_az} single-zone, {types} type mismatch(es)",
                "缺失 {missing} 个，清单外分组 {unlisted} 个，节点池规模不符 {pool_size} 个，单可用区 {single_az} 个，机型不符 {types} 个"
            ),
            Msg::InEc2 => fixed("in EC2", "EC2 中"),
            Msg::RunningOf { running, of } => {
                tr!(lang, "running {running} of {of}", "运行 {running} / {of}")
            }
            Msg::AllInZone(az) => tr!(lang, ", all in {az}", "，全部在 {az}"),
            Msg::InZones(zones) => tr!(lang, ", in {zones}", "，在 {zones}"),
            Msg::AlsoStopped(n) => tr!(lang, "; {n} stopped", "；{n} 个已停止"),
            Msg::DriftMissing { id, state } => {
                let state = Msg::NotRunning(state).text(lang);
                tr!(
                    lang,
                    "{id}: in the sheet, not running ({state})",
                    "{id}：清单中有，未运行（{state}）"
                )
            }
            Msg::DriftUnlisted { group, count } => tr!(
                lang,
                "{group}: {count} running, not in the sheet",
                "{group}：{count} 个在运行，清单中没有"
            ),
            Msg::DriftPoolSize { id, sheet, running } => tr!(
                lang,
                "{id}: sheet ×{sheet}, running {running}",
                "{id}：清单 ×{sheet}，运行 {running}"
            ),
            Msg::DriftOneZone { id, count, az } => tr!(
                lang,
                "{id}: all {count} running in {az}",
                "{id}：{count} 个全部运行在 {az}"
            ),
            Msg::DriftType { id, says, actual } => tr!(
                lang,
                "{id}: name says {says}, runs {actual}",
                "{id}：名称表示 {says}，实际 {actual}"
            ),
            Msg::PoolGrew { id, from, to } => tr!(
                lang,
                "pool {id} grew from {from} to {to} nodes",
                "节点池 {id} 从 {from} 个节点增加到 {to} 个"
            ),
            Msg::PoolShrank { id, from, to } => tr!(
                lang,
                "pool {id} shrank from {from} to {to} nodes",
                "节点池 {id} 从 {from} 个节点减少到 {to} 个"
            ),
            Msg::StartedRunning { id, count } => {
                let plural = s(count);
                tr!(
                    lang,
                    "{id} runs now ({count} node{plural})",
                    "{id} 开始运行（{count} 个节点）"
                )
            }
            Msg::StoppedRunning(id) => tr!(lang, "{id} no longer runs", "{id} 不再运行"),
            Msg::UnlistedAppeared { group, count } => tr!(
                lang,
                "{group} appeared: {count} running, not in the sheet",
                "{group} 出现：{count} 个在运行，清单中没有"
            ),
            Msg::UnlistedGone(group) => tr!(
                lang,
                "{group} (not in the sheet) no longer runs",
                "{group}（清单中没有）不再运行"
            ),
            Msg::UnlistedResized { group, from, to } => tr!(
                lang,
                "{group} (not in the sheet) went from {from} to {to} running",
                "{group}（清单中没有）运行数从 {from} 变为 {to}"
            ),
            Msg::NowOneZone { id, az } => tr!(
                lang,
                "{id}: all running nodes now in {az}",
                "{id}：运行节点现在全部在 {az}"
            ),
            Msg::NoLongerOneZone(id) => tr!(
                lang,
                "{id}: running nodes no longer all in one zone",
                "{id}：运行节点不再集中在同一可用区"
            ),
            Msg::HappenedOn { what, when } => tr!(lang, "{what} on {when}", "{when}：{what}"),
            Msg::NewDriftSinceDigest(n) => tr!(
                lang,
                "EC2: new drift since the last digest: {n}",
                "EC2：自上次摘要以来的新偏差：{n}"
            ),
            Msg::DriftStill(n) => tr!(
                lang,
                "EC2: drift already there: {n}",
                "EC2：已有的偏差：{n}"
            ),
            Msg::NoNewDrift => fixed(
                "EC2: no new drift since the last digest.",
                "EC2：自上次摘要以来没有新偏差。",
            ),
            Msg::Ec2Changes(n) => tr!(lang, "Changes in EC2: {n}", "EC2 的变化：{n}"),
            Msg::NoEc2Changes => fixed("No changes in EC2.", "EC2 没有变化。"),
            Msg::Ec2NotConfigured => fixed(
                "Nothing is known about EC2: set ec2_inventory or ec2_command in the bot's config (AIOPS_EC2_INVENTORY, AIOPS_EC2_COMMAND).",
                "尚无 EC2 数据：请在机器人配置中设置 ec2_inventory 或 ec2_command（AIOPS_EC2_INVENTORY、AIOPS_EC2_COMMAND）。",
            ),
            Msg::Ec2NoResultYet => fixed(
                "EC2 is configured but nothing has been read yet; see /inventory status.",
                "已配置 EC2，但尚未读到数据；请查看 /inventory status。",
            ),
            Msg::Ec2InForce {
                instances,
                source,
                when,
            } => tr!(
                lang,
                "{instances} instance(s) from {source}, read {when}",
                "{instances} 个实例，来自 {source}，读取于 {when}"
            ),
            Msg::Ec2Failing { what, since } => tr!(
                lang,
                "LAST READ FAILED: {what} (since {since}); the last good result stays in force",
                "上次读取失败：{what}（自 {since} 起）；沿用上次成功的结果"
            ),
            Msg::PoolOfUnknownSize => fixed(
                "one row of a node pool: its size is not in the sheet",
                "节点池只有一行：清单中没有其规模",
            ),
            Msg::ExternalTarget => fixed("outside the sheet", "清单外组件"),
            Msg::ListingDepth => fixed(
                "listing stops at this many hops; counts and the verdict cover everything",
                "列表只显示到该跳数；统计与结论覆盖全部",
            ),
            Msg::PossiblyNote => fixed(
                "only doubtful relations lead here; see lint",
                "仅经存疑关系相连；见 lint",
            ),
            Msg::AlternativeLeft => fixed("an alternative remains", "仍有替代"),
            Msg::SoftOnly => fixed("optional/on-demand link only", "仅可选/按需依赖"),
            Msg::CustomerRoutes => fixed("Customer routes to the failure", "客户到故障点的路径"),
            Msg::Targets => fixed("Targets", "故障目标"),
            Msg::NothingImpacted => fixed("nothing depends on it", "无依赖方"),
            Msg::Effect(e) => match e {
                Effect::Broken => fixed("broken", "中断"),
                Effect::Degraded => fixed("degraded", "降级"),
                Effect::CutOff => fixed("cut off", "断流"),
                Effect::PartlyFed => fixed("partly fed", "部分来源仍在"),
                Effect::Exposed => fixed("exposed", "受波及"),
                Effect::Doubtful => fixed("possibly", "可能"),
            },
            Msg::Heading(e) => match e {
                Effect::Broken => fixed(
                    "Broken (a hard dependency failed, no alternative)",
                    "中断（硬依赖故障且无替代）",
                ),
                Effect::Exposed => fixed(
                    "Exposed (routes traffic to what broke)",
                    "受波及（流量经过故障部分）",
                ),
                Effect::Degraded => fixed(
                    "Degraded (optional links, or an alternative remains)",
                    "降级（可选依赖，或仍有替代）",
                ),
                Effect::CutOff => fixed(
                    "Cut off (downstream, no live source left)",
                    "断流（下游，已无可用来源）",
                ),
                Effect::PartlyFed => fixed(
                    "Partly fed (downstream, other sources still live)",
                    "部分来源仍在（下游）",
                ),
                Effect::Doubtful => fixed(
                    "Possibly (through doubtful relations)",
                    "可能受影响（经存疑关系）",
                ),
            },
            Msg::Reach(r) => match r {
                Reach::Service => fixed("our services", "我方服务"),
                Reach::ManagedResource => fixed("managed resources", "托管资源"),
                Reach::EntryPoint => fixed("entry points", "入口"),
                Reach::Other => fixed("other", "其他"),
            },

            Msg::Role => fixed("role", "角色"),
            Msg::Owner => fixed("owner", "负责人"),
            Msg::PoolSize => fixed("pool size", "节点数"),
            Msg::Environment => fixed("environment", "环境"),
            Msg::InstanceId => fixed("instance id", "实例 ID"),
            Msg::Notes => fixed("notes", "备注"),
            Msg::SheetRows => fixed("sheet rows", "表格行"),
            Msg::Kind => fixed("kind", "类型"),
            Msg::AlsoWritten => fixed("also written", "其他写法"),
            Msg::NoOwnerColumn => fixed("— (the sheet has no owner column)", "—（表格没有负责人列）"),
            Msg::OwnerCellEmpty => fixed("— (the owner cell is empty)", "—（负责人单元格为空）"),
            Msg::PoolNodes(n) => tr!(lang, "{n} nodes", "{n} 个节点"),
            Msg::OneSingleInstance => fixed("1 (single instance)", "1（单实例）"),
            Msg::ProductionNoEnvColumn => fixed(
                "production (the sheet has no environment column)",
                "生产（表格没有环境列）",
            ),
            Msg::ProductionEnvEmpty => fixed(
                "production (the environment cell is empty)",
                "生产（环境单元格为空）",
            ),

            Msg::Instances(n) => {
                let plural = s(n);
                tr!(lang, "{n} instance{plural}", "{n} 个实例")
            }
            Msg::NoRoleContaining(text) => tr!(
                lang,
                "no instance has a role containing '{text}'",
                "没有角色包含“{text}”的实例"
            ),
            Msg::NoOwnerContaining(text) => tr!(
                lang,
                "no instance has an owner containing '{text}'",
                "没有负责人包含“{text}”的实例"
            ),
            Msg::NoOwnerColumnToAsk => fixed(
                "the inventory has no owner column (负责人/Owner); add one to answer owner questions",
                "清单没有负责人列；加上这一列才能按负责人查询",
            ),

            Msg::NoPath { max_hops } => tr!(
                lang,
                "no dependency path within {max_hops} hops, in either direction",
                "{max_hops} 跳以内两个方向都没有依赖路径"
            ),
            Msg::PathsReversed { from, to, paths } => tr!(
                lang,
                "none that way; {paths} path(s) the other way, {to} → {from}",
                "该方向没有；反方向有 {paths} 条路径，{to} → {from}"
            ),
            Msg::Paths(n) => tr!(lang, "{n} path(s)", "{n} 条路径"),

            Msg::SpofTitle(n) => tr!(
                lang,
                "{n} component(s) whose loss cuts entry points or callers off",
                "{n} 个组件，失去后会切断入口或调用方"
            ),
            Msg::SpofUncalledRoots(n) => tr!(
                lang,
                "The sheet names no entry point (a client or load balancer that nothing calls), so \
                 the {n} instance(s) nothing calls are taken as where traffic starts.",
                "表格没有写明入口（不被任何组件调用的客户端或负载均衡），因此把不被调用的 {n} 个实例当作流量起点。"
            ),
            Msg::PoolHasReplicas => fixed("pool, has replicas", "节点池，有副本"),
            Msg::PoolUnknownSize => fixed("pool of unknown size (one row)", "节点池，规模未知（仅一行）"),
            Msg::ManagedResource => fixed(
                "managed resource: redundancy not in the sheet",
                "托管资源：表格未写明冗余",
            ),
            Msg::Single => fixed("single", "单实例"),
            Msg::SpofReach {
                entry_points,
                callers,
            } => tr!(
                lang,
                "{entry_points} entry point(s), {callers} caller(s)",
                "{entry_points} 个入口，{callers} 个调用方"
            ),
            Msg::CutsOff(n) => tr!(lang, "cuts off {n}", "切断 {n} 个"),
            Msg::AndMore(n) => tr!(lang, " …and {n} more", " …另有 {n} 个"),

            Msg::ExportTitle {
                instances,
                externals,
                relations,
                diagnostics,
            } => tr!(
                lang,
                "{instances} instances, {externals} external nodes, {relations} relations, {diagnostics} diagnostics",
                "{instances} 个实例，{externals} 个外部节点，{relations} 条关系，{diagnostics} 条诊断"
            ),
            Msg::InstancesHeading => fixed("Instances", "实例"),
            Msg::RelationsHeading => fixed("Relations", "关系"),
            Msg::Diagnostics => fixed("Diagnostics", "诊断"),
            Msg::RowCol { row, column } => tr!(lang, "row {row} col {column}", "第 {row} 行 {column} 列"),
            Msg::WholeGraphCaption { nodes, cap } => tr!(
                lang,
                "Whole graph: {nodes} nodes (over the {cap}-node reading cap).",
                "全图：{nodes} 个节点（超过便于阅读的 {cap} 个节点上限）。"
            ),

            Msg::Findings(n) => tr!(lang, "{n} finding(s)", "{n} 条问题"),
            Msg::LintSection(k) => {
                let (en, zh) = lint_section(k);
                fixed(en, zh)
            }
            Msg::NoPicture(why) => tr!(
                lang,
                "No picture: {why}. The diagram's Mermaid source is attached (diagram.mmd).",
                "未能生成图片：{why}。图的 Mermaid 源码见附件 diagram.mmd。"
            ),
            Msg::DiagramCompared {
                name,
                boxes,
                arrows,
                missing,
                extra,
            } => tr!(
                lang,
                "Diagram {name}: {boxes} boxes, {arrows} arrows; misses {missing} relation(s) the sheet states, draws {extra} it does not",
                "图 {name}：{boxes} 个框，{arrows} 条箭头；缺少表格写明的 {missing} 条关系，多画了 {extra} 条表格没有的关系"
            ),
            Msg::MissingFromDrawing => fixed("Missing from the drawing:", "图中缺少："),
            Msg::DrawnNotInSheet => fixed("Drawn but not in the sheet:", "图中画了但表格没有："),
            Msg::UnknownBoxes => fixed(
                "Boxes that match nothing in the sheet",
                "与表格中任何组件都不对应的框",
            ),

            Msg::Versions(n) => tr!(lang, "{n} version(s)", "{n} 个版本"),
            Msg::NoVersionsYet => fixed(
                "No versions stored yet: every load with a state directory records one.",
                "尚未保存任何版本：设置了状态目录后，每次加载都会记录一个版本。",
            ),
            Msg::NoStoredVersions => fixed("no stored versions to compare", "没有可比较的已保存版本"),
            Msg::ChangesTitle {
                pattern,
                since,
                compared,
                nearby,
            } => tr!(
                lang,
                "changes near {pattern} since {since}: {compared} version(s) compared, {nearby} with changes nearby",
                "changes {pattern}（{since} 以来）：比较了 {compared} 个版本，其中 {nearby} 个在附近有变更"
            ),
            Msg::OnlyOneVersion => fixed(
                "Only one version in the window: nothing to compare yet.",
                "时间窗口内只有一个版本：暂时没有可比较的。",
            ),
            Msg::NothingChangedNear { hops, ids } => tr!(
                lang,
                "Nothing changed within {hops} hops of {ids}.",
                "{ids} 的 {hops} 跳以内没有变更。"
            ),
            Msg::BadSince(text) => tr!(
                lang,
                "'{text}' is neither a duration (30m, 12h, 7d) nor a version id (see `aiops history`)",
                "“{text}”既不是时长（30m、12h、7d），也不是版本号（见 `aiops history`）"
            ),

            Msg::Components => fixed("Components", "相关组件"),
            Msg::BlastRadius => fixed("Blast radius", "影响范围"),
            Msg::RecentChangesNearby => fixed("Recent changes nearby", "附近的近期变更"),

            Msg::AlertStatus(st) => match st {
                AlertStatus::Firing => fixed("firing", "告警中"),
                AlertStatus::Acknowledged => fixed("acknowledged", "已确认"),
                AlertStatus::Resolved => fixed("resolved", "已恢复"),
            },
            Msg::Since(t) => tr!(lang, "since {t}", "开始于 {t}"),
            Msg::ResolvedAfter { at, took } => tr!(
                lang,
                "resolved at {at}, after {took}",
                "已于 {at} 恢复，持续 {took}"
            ),
            Msg::Duration(secs) => duration(secs.max(0), lang),
            Msg::AlertsFiring { firing, total } => {
                let plural = s(total);
                tr!(
                    lang,
                    "{firing} of {total} alert{plural} firing",
                    "{total} 条告警中 {firing} 条仍在告警"
                )
            }
            Msg::AlertsTruncated(n) => tr!(
                lang,
                "{n} more alert(s) left out by the sender",
                "发送方另外省略了 {n} 条告警"
            ),
            Msg::Alerts => fixed("Alerts", "告警"),
            Msg::Link => fixed("link", "链接"),
            Msg::NoComponentMatched => fixed(
                "no inventory component matched this alert",
                "没有清单组件与此告警对应",
            ),
            Msg::UnmatchedLabels(labels) => tr!(
                lang,
                "no inventory component matched labels {labels}",
                "没有清单组件与标签 {labels} 对应"
            ),
            Msg::AlsoFiring(list) => tr!(lang, "also firing: {list}", "同时在告警：{list}"),
            Msg::ComponentsRecovered(list) => tr!(
                lang,
                "no alert fires on {list} any more: left out of the blast radius",
                "{list} 的告警已恢复：不计入影响范围"
            ),
            Msg::AlertStoreUnavailable => fixed(
                "The alert store is unavailable; see the bot's log.",
                "告警存储不可用；请查看机器人日志。",
            ),
            Msg::NoAlertGroupFiring => fixed("No alert group is firing.", "当前没有正在告警的告警组。"),
            Msg::SilencedUntil(until) => tr!(lang, "silenced until {until}", "静默至 {until}"),
            Msg::NameTheAlertGroup => fixed(
                "Name the group: /alerts silence group:<id>.",
                "请指定告警组：/alerts silence group:<id>。",
            ),
            Msg::NoSuchAlertGroup(group) => tr!(
                lang,
                "There is no alert group #{group}; /alerts list shows them.",
                "没有告警组 #{group}；/alerts list 可列出现有告警组。"
            ),
            Msg::AlertGroupSilenced { group, title, until } => tr!(
                lang,
                "Updates of #{group} {title} are silenced until {until}.",
                "#{group} {title} 的更新已静默至 {until}。"
            ),
            Msg::AllAlertsResolved => fixed(
                "every alert of this group has resolved: nothing it named is failing now",
                "该组告警已全部恢复：所涉组件目前均无故障",
            ),
        }
    }
}

/// `45s`, `12m`, `1h 5m`, `2d 3h`: the two largest units.
fn duration(secs: i64, lang: Lang) -> Cow<'static, str> {
    let (d, h, m, sec) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let units: [(i64, &str, &str); 4] = [
        (d, "d", "天"),
        (h, "h", "小时"),
        (m, "m", "分"),
        (sec, "s", "秒"),
    ];
    let first = units.iter().position(|u| u.0 > 0).unwrap_or(3);
    let parts: Vec<String> = units[first..(first + 2).min(4)]
        .iter()
        .enumerate()
        .filter(|(i, u)| *i == 0 || u.0 > 0)
        .map(|(_, (n, en, zh))| match lang {
            Lang::En => format!("{n}{en}"),
            Lang::Zh => format!("{n}{zh}"),
        })
        .collect();
    Cow::Owned(match lang {
        Lang::En => parts.join(" "),
        Lang::Zh => parts.concat(),
    })
}

fn resource_zh(r: ResourceKind) -> &'static str {
    match r {
        ResourceKind::LoadBalancer => "负载均衡",
        ResourceKind::Client => "客户端",
        ResourceKind::People => "人员",
        ResourceKind::Database => "数据库",
        ResourceKind::Cache => "缓存",
        ResourceKind::Queue => "队列",
        ResourceKind::Storage => "存储",
        ResourceKind::Delivery => "交付",
        ResourceKind::Observability => "观测",
        ResourceKind::Platform => "平台",
        ResourceKind::Other => "其他",
    }
}

fn lint_section(k: DiagKind) -> (&'static str, &'static str) {
    match k {
        DiagKind::SkippedRow => ("Skipped rows", "跳过的行"),
        DiagKind::NonProduction => ("Non-production rows left out", "未计入的非生产行"),
        DiagKind::ConflictingDuplicate => ("Conflicting duplicates", "互相矛盾的重复行"),
        DiagKind::Unresolved => (
            "Unresolved words (kept as external nodes)",
            "未识别的词（保留为外部节点）",
        ),
        DiagKind::Ambiguous => ("Ambiguous words", "有歧义的词"),
        DiagKind::PatternMatchedNothing => ("Patterns that match nothing", "没有匹配的模式"),
        DiagKind::AliasTarget => ("Alias problems", "别名问题"),
        DiagKind::OneSided => ("One-sided relations", "单方面声明的关系"),
        DiagKind::Encoding => ("Text encoding", "文本编码"),
        DiagKind::CopyPaste => ("Doubtful relations: copied rows", "存疑关系：复制的行"),
        DiagKind::DirectionConflict => (
            "Doubtful relations: direction conflicts",
            "存疑关系：方向冲突",
        ),
        DiagKind::MissingColumn => ("Missing columns", "缺少的列"),
        DiagKind::RelationLikeColumn => (
            "Columns that look like relations (kept as attributes)",
            "看起来像关系的列（保留为属性）",
        ),
        DiagKind::NameCase => ("Names repeated in other capitals", "大小写不同的重复名称"),
        DiagKind::FlagConflict => (
            "Relations whose rows disagree on optional or on demand",
            "可选/按需标注不一致的关系",
        ),
    }
}
