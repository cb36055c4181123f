//! The typed message catalogue: every fixed phrase a reply shows, with its English and Chinese.
//! `Msg::text` is one exhaustive match, so a phrase without a translation does not compile.
//! (The older phrases still looked up by English text in `i18n.rs` move here as their handlers
//! are rewritten.)

use crate::Lang;
use aiops_core::query::{Effect, Reach};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    CustomersHitYes,
    CustomersHitNo,
    Via,
    WholeSelectionFails,
    OneNodeLost,
    PoolWholeFails,
    PoolOneNodeLost,
    SingleInstance,
    ExternalTarget,
    ListingDepth,
    AlsoMatches,
    UseFullName,
    SelectedInstances,
    PossiblyNote,
    AlternativeLeft,
    SoftOnly,
    CustomerRoutes,
    EntryPointsHit,
    Targets,
    NothingImpacted,
    Effect(Effect),
    /// The section heading for the impacted nodes of one effect.
    Heading(Effect),
    Reach(Reach),
}

impl Msg {
    /// The phrase in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (en, zh) = self.pair();
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    fn pair(self) -> (&'static str, &'static str) {
        match self {
            Msg::CustomersHitYes => ("customers hit: YES", "客户受影响：是"),
            Msg::CustomersHitNo => ("customers hit: no", "客户受影响：否"),
            Msg::Via => ("through", "经由"),
            Msg::WholeSelectionFails => (
                "every node of the selection fails (whole pools)",
                "所选节点全部故障（整池）",
            ),
            Msg::OneNodeLost => (
                "one node of each selected pool is lost (capacity, not outage)",
                "每个所选节点池损失一个节点（容量下降，非中断）",
            ),
            Msg::PoolWholeFails => ("whole pool fails", "整池故障"),
            Msg::PoolOneNodeLost => ("one node lost, replicas remain", "损失一个节点，仍有副本"),
            Msg::SingleInstance => ("single instance: no redundancy", "单实例：无冗余"),
            Msg::ExternalTarget => ("outside the sheet", "清单外组件"),
            Msg::ListingDepth => (
                "listing stops at this many hops; counts and the verdict cover everything",
                "列表只显示到该跳数；统计与结论覆盖全部",
            ),
            Msg::AlsoMatches => ("also matches", "也匹配"),
            Msg::UseFullName => ("use the full name to select them", "如需选择请使用完整名称"),
            Msg::SelectedInstances => ("selected our instances", "已选择清单中的实例"),
            Msg::PossiblyNote => (
                "only doubtful relations lead here; see lint",
                "仅经存疑关系相连；见 lint",
            ),
            Msg::AlternativeLeft => ("an alternative remains", "仍有替代"),
            Msg::SoftOnly => ("optional/on-demand link only", "仅可选/按需依赖"),
            Msg::CustomerRoutes => ("Customer routes to the failure", "客户到故障点的路径"),
            Msg::EntryPointsHit => ("Entry points exposed", "受波及的入口"),
            Msg::Targets => ("Targets", "故障目标"),
            Msg::NothingImpacted => ("nothing depends on it", "无依赖方"),
            Msg::Effect(e) => match e {
                Effect::Broken => ("broken", "中断"),
                Effect::Degraded => ("degraded", "降级"),
                Effect::CutOff => ("cut off", "断流"),
                Effect::PartlyFed => ("partly fed", "部分来源仍在"),
                Effect::Exposed => ("exposed", "受波及"),
                Effect::Doubtful => ("possibly", "可能"),
            },
            Msg::Heading(e) => match e {
                Effect::Broken => (
                    "Broken (a hard dependency failed, no alternative)",
                    "中断（硬依赖故障且无替代）",
                ),
                Effect::Exposed => (
                    "Exposed (routes traffic to what broke)",
                    "受波及（流量经过故障部分）",
                ),
                Effect::Degraded => (
                    "Degraded (optional links, or an alternative remains)",
                    "降级（可选依赖，或仍有替代）",
                ),
                Effect::CutOff => (
                    "Cut off (downstream, no live source left)",
                    "断流（下游，已无可用来源）",
                ),
                Effect::PartlyFed => (
                    "Partly fed (downstream, other sources still live)",
                    "部分来源仍在（下游）",
                ),
                Effect::Doubtful => (
                    "Possibly (through doubtful relations)",
                    "可能受影响（经存疑关系）",
                ),
            },
            Msg::Reach(r) => match r {
                Reach::Service => ("our services", "我方服务"),
                Reach::ManagedResource => ("managed resources", "托管资源"),
                Reach::EntryPoint => ("entry points", "入口"),
                Reach::Other => ("other", "其他"),
            },
        }
    }
}
