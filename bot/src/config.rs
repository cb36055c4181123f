//! Bot configuration: a TOML file, every key overridable from the environment. The token only
//! ever comes from the environment and is never printed.

mod alerts;
mod ec2;

pub use alerts::{AlertsConfig, Secret, GRAFANA_SIGNATURE_HEADER};
pub use ec2::{Ec2Source, DEFAULT_EC2_SCHEDULE};

use crate::rate::{RateConfig, Rule};
use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Settings as the bot uses them. `deploy/aiops.example.toml` documents every key.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Inventory file. Empty: the built-in sample.
    pub inventory: Option<PathBuf>,
    /// Alias file for resolution.
    pub aliases: Option<PathBuf>,
    /// Where history, answered threads and the audit log live.
    pub state_dir: PathBuf,
    /// Guild to register commands in (instant); empty: register globally.
    pub guild: Option<u64>,
    /// Channels whose new threads get an automatic incident reply.
    pub incident_channels: Vec<u64>,
    /// Where change summaries and the digest go.
    pub summary_channel: Option<u64>,
    /// Cron (5 fields: min hour day month weekday) for the digest, in `timezone`.
    pub summary_schedule: Option<String>,
    /// IANA zone for the schedule, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// Roles allowed to reload and upload the inventory.
    pub admin_roles: Vec<u64>,
    /// `zh` or `en`: the language when the user's locale does not decide it.
    pub language: String,
    /// Send all REST calls through this HTTP proxy (twilight-http-proxy, or the test stand-in).
    pub discord_proxy: Option<String>,
    /// Local address for `/healthz` and `/metrics`.
    pub health_addr: String,
    /// Seconds between polls of the inventory file.
    pub watch_interval_secs: u64,
    /// Token buckets for commands: per user, per user for expensive work, and global.
    pub rate: RateConfig,
    /// Font family for rendered diagrams (a CJK-capable one).
    pub font_family: Option<String>,
    /// Alert webhooks and alert messages.
    pub alerts: AlertsConfig,
    /// What runs in EC2: `aws ec2 describe-instances` JSON, one file per page (a path or a
    /// list), re-read when a file changes.
    #[serde(deserialize_with = "ec2::one_or_many")]
    pub ec2_inventory: Vec<PathBuf>,
    /// Or a command printing that JSON (run without a shell, words split as a shell would), at
    /// start and on `ec2_schedule`.
    pub ec2_command: Option<String>,
    /// Cron (5 fields, in `timezone`) for `ec2_command`; default every 10 minutes.
    pub ec2_schedule: Option<String>,
    /// Seconds `ec2_command` may run before it is killed and the run counts as failed.
    pub ec2_timeout_secs: u64,
    /// The tag that names an instance as the sheet does (default `Name`).
    pub ec2_name_tag: Option<String>,
    /// Tags naming a node's node group, tried in order (default: eks:nodegroup-name,
    /// alpha.eksctl.io/nodegroup-name, aws:autoscaling:groupName).
    pub ec2_group_tags: Vec<String>,
    #[serde(skip)]
    pub token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inventory: None,
            aliases: None,
            state_dir: PathBuf::from("state"),
            guild: None,
            incident_channels: Vec::new(),
            summary_channel: None,
            summary_schedule: None,
            timezone: "UTC".into(),
            admin_roles: Vec::new(),
            language: "en".into(),
            discord_proxy: None,
            health_addr: "127.0.0.1:9187".into(),
            watch_interval_secs: 2,
            rate: RateConfig::default(),
            font_family: None,
            alerts: AlertsConfig::default(),
            ec2_inventory: Vec::new(),
            ec2_command: None,
            ec2_schedule: None,
            ec2_timeout_secs: 120,
            ec2_name_tag: None,
            ec2_group_tags: Vec::new(),
            token: None,
        }
    }
}

/// Reads the environment through a function, so tests can pass a map instead of the process's.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Config {
    /// Loads the file (if given), then applies the environment, then validates.
    pub fn load(path: Option<&Path>, env: Env) -> Result<Config> {
        let mut cfg = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("{}: cannot read config", p.display()))?;
                toml::from_str::<Config>(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {}", p.display(), e.to_string().trim()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(env)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn apply_env(&mut self, env: Env) -> Result<()> {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("DISCORD_TOKEN") {
            self.token = Some(v);
        }
        if let Some(v) = get("AIOPS_INVENTORY") {
            self.inventory = Some(v.into());
        }
        if let Some(v) = get("AIOPS_ALIASES") {
            self.aliases = Some(v.into());
        }
        if let Some(v) = get("AIOPS_STATE_DIR") {
            self.state_dir = v.into();
        }
        if let Some(v) = get("AIOPS_GUILD") {
            self.guild = Some(parse_id("AIOPS_GUILD", &v)?);
        }
        if let Some(v) = get("AIOPS_INCIDENT_CHANNELS") {
            self.incident_channels = parse_ids("AIOPS_INCIDENT_CHANNELS", &v)?;
        }
        if let Some(v) = get("AIOPS_SUMMARY_CHANNEL") {
            self.summary_channel = Some(parse_id("AIOPS_SUMMARY_CHANNEL", &v)?);
        }
        if let Some(v) = get("AIOPS_SUMMARY_SCHEDULE") {
            self.summary_schedule = Some(v);
        }
        if let Some(v) = get("AIOPS_TIMEZONE") {
            self.timezone = v;
        }
        if let Some(v) = get("AIOPS_ADMIN_ROLES") {
            self.admin_roles = parse_ids("AIOPS_ADMIN_ROLES", &v)?;
        }
        if let Some(v) = get("AIOPS_LANGUAGE") {
            self.language = v;
        }
        if let Some(v) = get("AIOPS_DISCORD_PROXY") {
            self.discord_proxy = Some(v);
        }
        if let Some(v) = get("AIOPS_HEALTH_ADDR") {
            self.health_addr = v;
        }
        if let Some(v) = get("AIOPS_FONT_FAMILY") {
            self.font_family = Some(v);
        }
        if let Some(v) = get("AIOPS_WATCH_INTERVAL_SECS") {
            self.watch_interval_secs = parse_secs("AIOPS_WATCH_INTERVAL_SECS", &v)?;
        }
        let rules = [
            ("USER", &mut self.rate.user),
            ("EXPENSIVE", &mut self.rate.expensive),
            ("GLOBAL", &mut self.rate.global),
        ];
        for (which, rule) in rules {
            apply_rule(&get, which, rule)?;
        }
        self.alerts.apply_env(&get)?;
        self.apply_ec2_env(&get)?;
        Ok(())
    }

    fn validate(&self) -> Result<()> {
        if !matches!(self.language.as_str(), "en" | "zh") {
            bail!("language must be \"en\" or \"zh\", not {:?}", self.language);
        }
        if crate::schedule::Zone::parse(&self.timezone).is_none() {
            bail!(
                "timezone {:?} is not a known IANA zone or UTC offset",
                self.timezone
            );
        }
        if let Some(s) = &self.summary_schedule {
            crate::schedule::Cron::parse(s)
                .map_err(|e| anyhow::anyhow!("summary_schedule {s:?}: {e}"))?;
        }
        for (name, rule) in [
            ("user", self.rate.user),
            ("expensive", self.rate.expensive),
            ("global", self.rate.global),
        ] {
            if rule.burst > 0 && rule.per_minute == 0 {
                bail!(
                    "rate.{name}: per_minute must be at least 1 when burst is {} (a burst of 0 \
                     turns the limit off)",
                    rule.burst
                );
            }
        }
        if let Some(p) = &self.discord_proxy {
            if !(p.starts_with("http://") || p.starts_with("https://")) {
                bail!("discord_proxy must be an http:// or https:// URL, not {p:?}");
            }
        }
        self.health_addr
            .parse::<std::net::SocketAddr>()
            .map_err(|_| {
                anyhow::anyhow!(
                    "health_addr {:?} is not an address like 127.0.0.1:9187",
                    self.health_addr
                )
            })?;
        self.alerts.validate()?;
        self.validate_ec2()?;
        Ok(())
    }

    /// The effective settings for `aiops check-config`, without the token.
    pub fn describe(&self) -> String {
        let mut shown = toml::to_string_pretty(self).unwrap_or_default();
        shown.push_str(&format!(
            "# DISCORD_TOKEN: {}\n",
            if self.token.is_some() {
                "set (hidden)"
            } else {
                "not set"
            }
        ));
        shown.push_str(&self.alerts.describe_secrets());
        shown
    }
}

fn parse_id(name: &str, v: &str) -> Result<u64> {
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .with_context(|| format!("{name}: {v:?} is not a Discord id (a positive number)"))
}

fn parse_secs(name: &str, v: &str) -> Result<u64> {
    v.trim()
        .parse::<u64>()
        .ok()
        .with_context(|| format!("{name}: {v:?} is not a whole number of seconds"))
}

/// `AIOPS_RATE_{which}_BURST` and `AIOPS_RATE_{which}_PER_MINUTE`.
fn apply_rule(get: &dyn Fn(&str) -> Option<String>, which: &str, rule: &mut Rule) -> Result<()> {
    for (field, value) in [
        ("BURST", &mut rule.burst),
        ("PER_MINUTE", &mut rule.per_minute),
    ] {
        let key = format!("AIOPS_RATE_{which}_{field}");
        if let Some(v) = get(&key) {
            *value = v
                .parse::<u32>()
                .ok()
                .with_context(|| format!("{key}: {v:?} is not a whole number"))?;
        }
    }
    Ok(())
}

fn parse_ids(name: &str, v: &str) -> Result<Vec<u64>> {
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_id(name, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn example_config_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/aiops.example.toml");
        let cfg = Config::load(Some(&path), &env(&[])).unwrap();
        assert_eq!(cfg.timezone, "Asia/Shanghai");
        assert_eq!(cfg.summary_schedule.as_deref(), Some("0 9 * * MON-FRI"));
        assert!(!cfg.incident_channels.is_empty());
    }

    #[test]
    fn environment_overrides_every_key() {
        let e = env(&[
            ("DISCORD_TOKEN", "secret-token"),
            ("AIOPS_INVENTORY", "/data/inv.xlsx"),
            ("AIOPS_STATE_DIR", "/var/lib/aiops"),
            ("AIOPS_INCIDENT_CHANNELS", "11, 12"),
            ("AIOPS_SUMMARY_CHANNEL", "13"),
            ("AIOPS_SUMMARY_SCHEDULE", "30 8 * * *"),
            ("AIOPS_TIMEZONE", "Asia/Shanghai"),
            ("AIOPS_ADMIN_ROLES", "21,22"),
            ("AIOPS_GUILD", "31"),
            ("AIOPS_DISCORD_PROXY", "http://127.0.0.1:3000"),
            ("AIOPS_WATCH_INTERVAL_SECS", "7"),
            ("AIOPS_RATE_USER_BURST", "12"),
            ("AIOPS_RATE_USER_PER_MINUTE", "30"),
            ("AIOPS_RATE_EXPENSIVE_BURST", "0"),
            ("AIOPS_RATE_GLOBAL_PER_MINUTE", "1200"),
        ]);
        let c = Config::load(None, &e).unwrap();
        assert_eq!(c.token.as_deref(), Some("secret-token"));
        assert_eq!(c.inventory, Some(PathBuf::from("/data/inv.xlsx")));
        assert_eq!(c.state_dir, PathBuf::from("/var/lib/aiops"));
        assert_eq!(c.incident_channels, [11, 12]);
        assert_eq!(c.summary_channel, Some(13));
        assert_eq!(c.summary_schedule.as_deref(), Some("30 8 * * *"));
        assert_eq!(c.admin_roles, [21, 22]);
        assert_eq!(c.guild, Some(31));
        assert_eq!(c.discord_proxy.as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(c.watch_interval_secs, 7);
        assert_eq!((c.rate.user.burst, c.rate.user.per_minute), (12, 30));
        assert_eq!(c.rate.expensive.burst, 0);
        assert_eq!((c.rate.global.burst, c.rate.global.per_minute), (60, 1200));
        assert!(!c.describe().contains("secret-token"));
        assert!(c.describe().contains("DISCORD_TOKEN: set (hidden)"));
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let e = Config::load(None, &env(&[("AIOPS_RATE_USER_BURST", "8/s")])).unwrap_err();
        assert!(e.to_string().contains("AIOPS_RATE_USER_BURST"), "{e}");
        let e = Config::load(None, &env(&[("AIOPS_ADMIN_ROLES", "admins")])).unwrap_err();
        assert!(e.to_string().contains("AIOPS_ADMIN_ROLES"), "{e}");
        let e = Config::load(None, &env(&[("AIOPS_SUMMARY_SCHEDULE", "every day")])).unwrap_err();
        assert!(e.to_string().contains("summary_schedule"), "{e}");
        let e = Config::load(None, &env(&[("AIOPS_TIMEZONE", "Mars/Olympus")])).unwrap_err();
        assert!(e.to_string().contains("timezone"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "tokne = \"x\"\n").unwrap();
        let e = Config::load(Some(&p), &env(&[])).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
