//! The relation flags (optional, on demand, via, ambiguous): how each is shown in English and
//! Chinese, and how a cell's note may write it.

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

/// Doubtful: the sheet itself contradicts the relation (see `Edge::doubt`). Only shown.
pub const DOUBTFUL: FlagWord = FlagWord {
    en: "doubtful",
    zh: "存疑",
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
