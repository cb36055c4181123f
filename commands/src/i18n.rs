//! Reply language: English, or Simplified Chinese for readers whose locale is zh-CN or whose
//! team configured `language = "zh"`. Names and roles are never translated: only the fixed
//! phrases that handlers write.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Picks the language from a Discord locale (`zh-CN`, `zh-TW`, `en-US`), falling back to the
    /// configured default.
    pub fn from_locale(locale: Option<&str>, default: Lang) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            Some(l) if !l.is_empty() => Lang::En,
            _ => default,
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// Fixed phrases and their Chinese; [`t`] looks a phrase up by its exact English text.
const PHRASES: &[(&str, &str)] = &[
    (
        "degraded only (optional/on-demand link)",
        "仅降级（可选/按需依赖）",
    ),
    ("replicas remain if one node fails", "单节点故障时仍有副本"),
    ("single instance: no redundancy", "单实例：无冗余"),
    ("Who breaks (upstream callers)", "受影响的上游（调用方）"),
    ("Who starves (downstream)", "断流的下游"),
    ("Entry points hit", "受影响的入口"),
    ("external · load balancer", "外部 · 负载均衡"),
    ("external · observability", "外部 · 观测"),
    ("external · database", "外部 · 数据库"),
    ("external · delivery", "外部 · 交付"),
    ("external · platform", "外部 · 平台"),
    ("external · storage", "外部 · 存储"),
    ("external · client", "外部 · 客户端"),
    ("external · people", "外部 · 人员"),
    ("external · cache", "外部 · 缓存"),
    ("external · queue", "外部 · 队列"),
    ("external · other", "外部 · 其他"),
    ("Components", "相关组件"),
    ("Blast radius", "影响范围"),
    ("Recent changes nearby", "附近的近期变更"),
    ("Diagnostics", "诊断"),
    ("Targets", "故障目标"),
    ("upstream", "上游"),
    ("downstream", "下游"),
    ("redundant", "有冗余"),
    ("on demand", "按需"),
    ("optional", "可选"),
    ("ambiguous", "不确定"),
    ("hops", "跳"),
    ("hop", "跳"),
    ("via", "经"),
];

/// The phrase in `lang`: exact matches of the table, anything else unchanged. Handlers pass only
/// their own fixed words here, never names or roles from the sheet.
pub fn t(lang: Lang, phrase: &str) -> String {
    if lang == Lang::Zh {
        if let Some((_, zh)) = PHRASES.iter().find(|(en, _)| *en == phrase) {
            return (*zh).to_string();
        }
    }
    phrase.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_decides_before_the_configured_default() {
        assert_eq!(Lang::from_locale(Some("zh-CN"), Lang::En), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("en-US"), Lang::Zh), Lang::En);
        assert_eq!(Lang::from_locale(None, Lang::Zh), Lang::Zh);
    }

    #[test]
    fn only_known_phrases_are_translated() {
        assert_eq!(t(Lang::Zh, "Who starves (downstream)"), "断流的下游");
        assert_eq!(
            t(Lang::En, "Who starves (downstream)"),
            "Who starves (downstream)"
        );
        assert_eq!(
            t(Lang::Zh, "aie1p-kafka-server-01"),
            "aie1p-kafka-server-01"
        );
    }
}
