//! The `ec2_*` keys: where the bot learns what runs in EC2 (describe-instances JSON files it
//! watches, or a command it runs on a schedule) and which tags name an instance and its group.

use super::Config;
use crate::schedule::Cron;
use aiops_core::reconcile::TagKeys;
use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;
use std::time::Duration;

/// How often `ec2_command` runs when `ec2_schedule` is not set: every ten minutes, often
/// enough for a digest or an incident, far under describe-instances' API rate limits.
pub const DEFAULT_EC2_SCHEDULE: &str = "*/10 * * * *";

/// Where what runs in EC2 comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ec2Source {
    /// describe-instances output, one file per page, re-read when a file changes.
    Files(Vec<PathBuf>),
    /// A program (no shell) that prints describe-instances output, run at start and on the
    /// schedule, killed after `timeout`.
    Command {
        /// The command as configured, for logs and `/inventory status`.
        line: String,
        argv: Vec<String>,
        schedule: Cron,
        timeout: Duration,
    },
}

/// `ec2_inventory = "a.json"` or `ec2_inventory = ["a.json", "b.json"]`.
pub(super) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(v) => v,
    })
}

impl Config {
    /// `AIOPS_EC2_INVENTORY` (paths separated by commas), `AIOPS_EC2_COMMAND`,
    /// `AIOPS_EC2_SCHEDULE`, `AIOPS_EC2_TIMEOUT_SECS`, `AIOPS_EC2_NAME_TAG`,
    /// `AIOPS_EC2_GROUP_TAGS` (commas).
    pub(super) fn apply_ec2_env(&mut self, get: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        let list = |v: String| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        if let Some(v) = get("AIOPS_EC2_INVENTORY") {
            self.ec2_inventory = list(v).into_iter().map(PathBuf::from).collect();
        }
        if let Some(v) = get("AIOPS_EC2_COMMAND") {
            self.ec2_command = Some(v);
        }
        if let Some(v) = get("AIOPS_EC2_SCHEDULE") {
            self.ec2_schedule = Some(v);
        }
        if let Some(v) = get("AIOPS_EC2_TIMEOUT_SECS") {
            self.ec2_timeout_secs = super::parse_secs("AIOPS_EC2_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("AIOPS_EC2_NAME_TAG") {
            self.ec2_name_tag = Some(v);
        }
        if let Some(v) = get("AIOPS_EC2_GROUP_TAGS") {
            self.ec2_group_tags = list(v);
        }
        Ok(())
    }

    pub(super) fn validate_ec2(&self) -> Result<()> {
        self.ec2_source().map(|_| ())
    }

    /// Where EC2 data comes from; `None` when neither key is set. Both set, a schedule without
    /// a command, a command that does not split into words, or a zero timeout is an error.
    pub fn ec2_source(&self) -> Result<Option<Ec2Source>> {
        let command = self
            .ec2_command
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        match (self.ec2_inventory.is_empty(), command) {
            (false, Some(_)) => bail!(
                "set ec2_inventory or ec2_command, not both (AIOPS_EC2_INVENTORY, AIOPS_EC2_COMMAND)"
            ),
            (false, None) => {
                if self.ec2_schedule.is_some() {
                    bail!("ec2_schedule is for ec2_command; files in ec2_inventory are re-read when they change");
                }
                Ok(Some(Ec2Source::Files(self.ec2_inventory.clone())))
            }
            (true, None) => {
                if self.ec2_schedule.is_some() {
                    bail!("ec2_schedule is set but ec2_command is not");
                }
                Ok(None)
            }
            (true, Some(line)) => {
                let argv = shlex::split(line)
                    .filter(|w| !w.is_empty())
                    .with_context(|| {
                        format!("ec2_command {line:?}: unbalanced quotes or no program to run")
                    })?;
                let spec = self.ec2_schedule.as_deref().unwrap_or(DEFAULT_EC2_SCHEDULE);
                let schedule =
                    Cron::parse(spec).map_err(|e| anyhow::anyhow!("ec2_schedule {spec:?}: {e}"))?;
                if self.ec2_timeout_secs == 0 {
                    bail!("ec2_timeout_secs must be at least 1");
                }
                Ok(Some(Ec2Source::Command {
                    line: line.to_string(),
                    argv,
                    schedule,
                    timeout: Duration::from_secs(self.ec2_timeout_secs),
                }))
            }
        }
    }

    /// The tags that name an instance and its node group.
    pub fn ec2_tag_keys(&self) -> TagKeys {
        let mut keys = TagKeys::default();
        if let Some(name) = self
            .ec2_name_tag
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            keys.name = name.trim().to_string();
        }
        if !self.ec2_group_tags.is_empty() {
            keys.group = self.ec2_group_tags.clone();
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    fn load(pairs: &[(&str, &str)], toml: Option<&str>) -> Result<Config> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        if let Some(t) = toml {
            std::fs::write(&path, t).unwrap();
        }
        Config::load(toml.map(|_| path.as_path()), &move |k| m.get(k).cloned())
    }

    #[test]
    fn the_environment_sets_every_ec2_key() {
        let c = load(
            &[
                (
                    "AIOPS_EC2_COMMAND",
                    "aws ec2 describe-instances --filters 'Name=tag:Name,Values=x-*'",
                ),
                ("AIOPS_EC2_SCHEDULE", "*/5 * * * *"),
                ("AIOPS_EC2_TIMEOUT_SECS", "30"),
                ("AIOPS_EC2_NAME_TAG", "Hostname"),
                ("AIOPS_EC2_GROUP_TAGS", "pool, asg"),
            ],
            None,
        )
        .unwrap();
        let Some(Ec2Source::Command { argv, timeout, .. }) = c.ec2_source().unwrap() else {
            panic!("a command source");
        };
        assert_eq!(
            argv,
            [
                "aws",
                "ec2",
                "describe-instances",
                "--filters",
                "Name=tag:Name,Values=x-*"
            ]
        );
        assert_eq!(timeout, Duration::from_secs(30));
        let keys = c.ec2_tag_keys();
        assert_eq!(keys.name, "Hostname");
        assert_eq!(keys.group, ["pool", "asg"]);

        let c = load(
            &[("AIOPS_EC2_INVENTORY", "/data/a.json, /data/b.json")],
            None,
        )
        .unwrap();
        assert_eq!(
            c.ec2_source().unwrap(),
            Some(Ec2Source::Files(vec![
                "/data/a.json".into(),
                "/data/b.json".into()
            ]))
        );
        assert_eq!(c.ec2_tag_keys(), TagKeys::default());
    }

    #[test]
    fn one_file_or_a_list_in_the_file() {
        let c = load(&[], Some("ec2_inventory = \"/d/ec2.json\"\n")).unwrap();
        assert_eq!(c.ec2_inventory, [Path::new("/d/ec2.json")]);
        let c = load(
            &[],
            Some("ec2_inventory = [\"/d/1.json\", \"/d/2.json\"]\n"),
        )
        .unwrap();
        assert_eq!(c.ec2_inventory.len(), 2);
    }

    #[test]
    fn a_command_without_a_schedule_runs_every_ten_minutes() {
        let c = load(&[("AIOPS_EC2_COMMAND", "aws ec2 describe-instances")], None).unwrap();
        let Some(Ec2Source::Command { schedule, .. }) = c.ec2_source().unwrap() else {
            panic!("a command source");
        };
        assert_eq!(schedule, Cron::parse(DEFAULT_EC2_SCHEDULE).unwrap());
    }

    #[test]
    fn contradictory_or_broken_ec2_settings_are_refused_by_name() {
        for (env, says) in [
            (
                vec![
                    ("AIOPS_EC2_INVENTORY", "a.json"),
                    ("AIOPS_EC2_COMMAND", "aws"),
                ],
                "not both",
            ),
            (
                vec![("AIOPS_EC2_SCHEDULE", "0 * * * *")],
                "ec2_command is not",
            ),
            (
                vec![
                    ("AIOPS_EC2_INVENTORY", "a.json"),
                    ("AIOPS_EC2_SCHEDULE", "0 * * * *"),
                ],
                "re-read when they change",
            ),
            (vec![("AIOPS_EC2_COMMAND", "aws 'ec2")], "unbalanced quotes"),
            (
                vec![
                    ("AIOPS_EC2_COMMAND", "aws"),
                    ("AIOPS_EC2_SCHEDULE", "hourly"),
                ],
                "ec2_schedule",
            ),
            (
                vec![
                    ("AIOPS_EC2_COMMAND", "aws"),
                    ("AIOPS_EC2_TIMEOUT_SECS", "0"),
                ],
                "ec2_timeout_secs",
            ),
            (
                vec![("AIOPS_EC2_TIMEOUT_SECS", "1m")],
                "AIOPS_EC2_TIMEOUT_SECS",
            ),
        ] {
            let e = load(&env, None).unwrap_err();
            assert!(e.to_string().contains(says), "{env:?}: {e}");
        }
    }
}
