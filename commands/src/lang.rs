//! Reply language: English, or Simplified Chinese for readers whose locale is zh-CN or whose
//! team configured `language = "zh"`. Names and roles are never translated: only the fixed
//! phrases of the catalogue ([`Msg`](crate::Msg)).

use aiops_core::vocabulary::Language;

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

    /// The language of core's relation flag words (optional, on demand, via), which core also
    /// draws in diagrams.
    pub fn flags(self) -> Language {
        match self {
            Lang::En => Language::English,
            Lang::Zh => Language::Chinese,
        }
    }
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
}
