//! The alias file: the team pins a word to instances, or declares it external. It overrides
//! every resolution rule.
//!
//! ```toml
//! # A word (as written in a cell, or a whole `/` group) → instance names or globs.
//! [instances]
//! "Kafka" = ["aie1p-kafka-server-01"]
//! "做市服务器" = ["maker-*"]
//!
//! # A word → the external node it names (canonical name).
//! [external]
//! "业务API" = "业务API"
//! "NGINX" = "ALB nginx-public"
//!
//! # A header → the field it holds, for sheets whose headers no rule recognises: `name`,
//! # `role`, `upstream`, `downstream`, `owner`, `env`, `notes`, `instance_id`, or `attribute`
//! # to keep a column as an attribute whatever its header says.
//! [columns]
//! "Talks to" = "downstream"
//! "Pinged by" = "upstream"
//! ```

use crate::error::LoadError;
use crate::ingest::{ColumnMap, Field};
use crate::text::key;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    instances: BTreeMap<String, Vec<String>>,
    external: BTreeMap<String, String>,
    /// The alias file's name, for messages.
    file: String,
    columns: ColumnMap,
}

/// What an alias says about a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasTarget<'a> {
    Instances(&'a [String]),
    External(&'a str),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    #[serde(default)]
    instances: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    external: BTreeMap<String, String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

/// The `[columns]` values, as the alias file writes them.
const COLUMN_FIELDS: &[(&str, Option<Field>)] = &[
    ("name", Some(Field::Name)),
    ("role", Some(Field::Role)),
    ("upstream", Some(Field::Upstream)),
    ("downstream", Some(Field::Downstream)),
    ("owner", Some(Field::Owner)),
    ("env", Some(Field::Env)),
    ("notes", Some(Field::Notes)),
    ("instance_id", Some(Field::InstanceId)),
    ("attribute", None),
];

impl Aliases {
    /// Refuses an alias that pins a word to names no instance of `topo` has: a typo there
    /// would silently drop every relation the word states. `inventory` names the sheet's file.
    pub fn check(&self, topo: &crate::Topology, inventory: &str) -> Result<(), LoadError> {
        let prefix = topo.common_prefix().map(|p| format!("{p}-"));
        let matches = |pin: &str| {
            let candidates = [
                Some(pin.to_string()),
                prefix.as_ref().map(|p| format!("{p}{pin}")),
            ];
            candidates.into_iter().flatten().any(|pat| {
                if pat.contains(['*', '?', '[']) {
                    topo.nodes()
                        .iter()
                        .any(|n| n.is_instance() && crate::text::glob_match(&pat, &n.id))
                } else {
                    topo.index(&pat)
                        .is_some_and(|i| topo.nodes()[i].is_instance())
                }
            })
        };
        for (word, pins) in &self.instances {
            if let Some(pin) = pins.iter().find(|p| !matches(p)) {
                return Err(LoadError::Alias {
                    file: self.file.clone(),
                    detail: format!(
                        "[instances] '{word}' names '{pin}', which matches no instance of \
                         {inventory}; fix the name or remove it (relations that say '{word}' \
                         would otherwise be lost)"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Parses alias TOML. `file` is only used in the error message.
    pub fn parse(file: &str, text: &str) -> Result<Self, LoadError> {
        let raw: AliasFile = toml::from_str(text).map_err(|e| LoadError::Alias {
            file: file.into(),
            detail: e.to_string().replace('\n', " "),
        })?;
        let mut out = Aliases {
            file: file.to_string(),
            ..Aliases::default()
        };
        for (word, targets) in raw.instances {
            if targets.is_empty() {
                return Err(LoadError::Alias {
                    file: file.into(),
                    detail: format!("[instances] '{word}' lists no instances"),
                });
            }
            out.instances.insert(key(&word), targets);
        }
        for (word, name) in raw.external {
            let k = key(&word);
            if out.instances.contains_key(&k) {
                return Err(LoadError::Alias {
                    file: file.into(),
                    detail: format!("'{word}' is under both [instances] and [external]"),
                });
            }
            let name = if name.trim().is_empty() {
                word.clone()
            } else {
                name
            };
            out.external.insert(k, name.trim().to_string());
        }
        for (header, field) in raw.columns {
            let wanted = field.trim().to_ascii_lowercase();
            let Some((_, f)) = COLUMN_FIELDS.iter().find(|(w, _)| *w == wanted) else {
                let known: Vec<&str> = COLUMN_FIELDS.iter().map(|(w, _)| *w).collect();
                return Err(LoadError::Alias {
                    file: file.into(),
                    detail: format!(
                        "[columns] '{header}' = '{field}': not a field; use one of {}",
                        known.join(", ")
                    ),
                });
            };
            out.columns.insert(&header, *f);
        }
        Ok(out)
    }

    /// Whether no word is pinned (the `[columns]` section aside).
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty() && self.external.is_empty()
    }

    /// The `[columns]` section: headers mapped to fields.
    pub fn columns(&self) -> &ColumnMap {
        &self.columns
    }

    /// Looks a word up, width- and case-insensitively.
    pub fn get(&self, word: &str) -> Option<AliasTarget<'_>> {
        if self.is_empty() {
            return None;
        }
        let k = key(word);
        if let Some(t) = self.instances.get(&k) {
            return Some(AliasTarget::Instances(t));
        }
        self.external.get(&k).map(|n| AliasTarget::External(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_words_match_width_and_case_insensitively() {
        let a = Aliases::parse(
            "a.toml",
            "[instances]\n\"Kafka\" = [\"aie1p-kafka-server-01\"]\n[external]\n\"业务API\" = \"\"\n",
        )
        .unwrap();
        assert_eq!(
            a.get("ＫＡＦＫＡ"),
            Some(AliasTarget::Instances(&[
                "aie1p-kafka-server-01".to_string()
            ]))
        );
        assert_eq!(a.get("业务 api"), Some(AliasTarget::External("业务API")));
        assert_eq!(a.get("Redis"), None);
    }

    #[test]
    fn columns_section_maps_any_header_to_a_field() {
        let a = Aliases::parse(
            "a.toml",
            "[columns]\n\"Talks to\" = \"downstream\"\n\"Upstream\" = \"attribute\"\n",
        )
        .unwrap();
        use crate::vocabulary::Claim;
        assert_eq!(
            a.columns().claim("talks_to"),
            Some((Field::Downstream, Claim::Mapped))
        );
        assert_eq!(a.columns().claim("Upstream"), None);
        assert!(a.is_empty(), "no word is pinned");
        let e = Aliases::parse("a.toml", "[columns]\n\"X\" = \"sideways\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("[columns] 'X' = 'sideways': not a field"),
            "{e}"
        );
    }

    #[test]
    fn unknown_alias_sections_are_an_error_naming_the_file() {
        let e = Aliases::parse("team.toml", "[pins]\nx = 1\n").unwrap_err();
        assert!(e.to_string().starts_with("team.toml: alias file:"), "{e}");
    }
}
