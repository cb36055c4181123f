//! The `[alerts]` section: where alert messages go, which labels name components, how often a
//! message may be edited, and the webhook secrets, which come from the environment only and are
//! never printed.

use super::{parse_id, parse_secs};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// A secret from the environment: compared, never shown (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

/// `[alerts]`: see `deploy/aiops.example.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Channel for alert messages; empty: the first incident channel.
    pub channel: Option<u64>,
    /// Label names that name components, tried in order; empty: the built-in list.
    pub label_keys: Vec<String>,
    /// The header Grafana's contact point puts its HMAC-SHA256 signature in.
    pub grafana_signature_header: String,
    /// The header Grafana puts the signing time in, when the contact point sets one; the
    /// signature then covers `<timestamp>:<body>` and must be at most 5 minutes old.
    pub grafana_timestamp_header: Option<String>,
    /// Seconds between two edits of one alert message; changes in between are sent together.
    pub edit_interval_secs: u64,
    /// How long `/alerts silence` stops updates when no duration is given, in minutes.
    pub silence_minutes: u64,
    /// `AIOPS_WEBHOOK_TOKEN`: the bearer token Alertmanager (and Grafana) send.
    #[serde(skip)]
    pub webhook_token: Option<Secret>,
    /// `AIOPS_GRAFANA_HMAC_SECRET`.
    #[serde(skip)]
    pub grafana_hmac_secret: Option<Secret>,
    /// `AIOPS_PAGERDUTY_SECRET`: the v3 subscription's signing secret.
    #[serde(skip)]
    pub pagerduty_secret: Option<Secret>,
}

/// Grafana's default signature header.
pub const GRAFANA_SIGNATURE_HEADER: &str = "X-Grafana-Alerting-Signature";

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            channel: None,
            label_keys: Vec::new(),
            grafana_signature_header: GRAFANA_SIGNATURE_HEADER.into(),
            grafana_timestamp_header: None,
            edit_interval_secs: 5,
            silence_minutes: 60,
            webhook_token: None,
            grafana_hmac_secret: None,
            pagerduty_secret: None,
        }
    }
}

impl AlertsConfig {
    pub(super) fn apply_env(&mut self, get: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = get("AIOPS_ALERT_CHANNEL") {
            self.channel = Some(parse_id("AIOPS_ALERT_CHANNEL", &v)?);
        }
        if let Some(v) = get("AIOPS_ALERT_LABEL_KEYS") {
            self.label_keys = v
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = get("AIOPS_GRAFANA_SIGNATURE_HEADER") {
            self.grafana_signature_header = v;
        }
        if let Some(v) = get("AIOPS_GRAFANA_TIMESTAMP_HEADER") {
            self.grafana_timestamp_header = Some(v);
        }
        if let Some(v) = get("AIOPS_ALERT_EDIT_INTERVAL_SECS") {
            self.edit_interval_secs = parse_secs("AIOPS_ALERT_EDIT_INTERVAL_SECS", &v)?;
        }
        if let Some(v) = get("AIOPS_ALERT_SILENCE_MINUTES") {
            self.silence_minutes = v.parse().ok().filter(|m| *m > 0).ok_or_else(|| {
                anyhow::anyhow!("AIOPS_ALERT_SILENCE_MINUTES: {v:?} is not a positive number")
            })?;
        }
        let secrets = [
            ("AIOPS_WEBHOOK_TOKEN", &mut self.webhook_token),
            ("AIOPS_GRAFANA_HMAC_SECRET", &mut self.grafana_hmac_secret),
            ("AIOPS_PAGERDUTY_SECRET", &mut self.pagerduty_secret),
        ];
        for (name, slot) in secrets {
            if let Some(v) = get(name) {
                *slot = Some(Secret::new(v));
            }
        }
        Ok(())
    }

    pub(super) fn validate(&self) -> Result<()> {
        let headers = std::iter::once(&self.grafana_signature_header)
            .chain(&self.grafana_timestamp_header)
            .map(|h| ("grafana header", h));
        for (what, h) in headers {
            if h.is_empty()
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
            {
                bail!("alerts: {what} {h:?} is not an HTTP header name (letters, digits, '-')");
            }
        }
        if self.silence_minutes == 0 {
            bail!("alerts.silence_minutes must be at least 1");
        }
        Ok(())
    }

    /// Which secrets are set, for `aiops check-config`: names only.
    pub(super) fn describe_secrets(&self) -> String {
        let shown = |s: &Option<Secret>| {
            if s.is_some() {
                "set (hidden)"
            } else {
                "not set"
            }
        };
        format!(
            "# AIOPS_WEBHOOK_TOKEN: {}\n# AIOPS_GRAFANA_HMAC_SECRET: {}\n# AIOPS_PAGERDUTY_SECRET: {}\n",
            shown(&self.webhook_token),
            shown(&self.grafana_hmac_secret),
            shown(&self.pagerduty_secret),
        )
    }
}

impl super::Config {
    /// Where alert messages go: `[alerts] channel`, else the first incident channel.
    pub fn alert_channel(&self) -> Option<u64> {
        self.alerts
            .channel
            .or_else(|| self.incident_channels.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(None, &move |k| m.get(k).cloned())
    }

    #[test]
    fn alert_keys_come_from_the_environment_and_secrets_are_never_shown() {
        let c = load(&[
            ("AIOPS_INCIDENT_CHANNELS", "11,12"),
            ("AIOPS_ALERT_LABEL_KEYS", "instance, service"),
            (
                "AIOPS_GRAFANA_TIMESTAMP_HEADER",
                "X-Grafana-Alerting-Timestamp",
            ),
            ("AIOPS_ALERT_EDIT_INTERVAL_SECS", "9"),
            ("AIOPS_ALERT_SILENCE_MINUTES", "30"),
            ("AIOPS_WEBHOOK_TOKEN", "tok-123"),
            ("AIOPS_GRAFANA_HMAC_SECRET", "graf-456"),
            ("AIOPS_PAGERDUTY_SECRET", "pd-789"),
        ])
        .unwrap();
        assert_eq!(c.alert_channel(), Some(11), "the first incident channel");
        assert_eq!(c.alerts.label_keys, ["instance", "service"]);
        assert_eq!(c.alerts.edit_interval_secs, 9);
        assert_eq!(c.alerts.silence_minutes, 30);
        assert_eq!(
            c.alerts.webhook_token.as_ref().unwrap().expose(),
            b"tok-123"
        );
        let shown = format!("{}{c:?}", c.describe());
        for secret in ["tok-123", "graf-456", "pd-789"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("AIOPS_PAGERDUTY_SECRET: set (hidden)"),
            "{shown}"
        );
        let c = load(&[
            ("AIOPS_INCIDENT_CHANNELS", "11"),
            ("AIOPS_ALERT_CHANNEL", "99"),
        ])
        .unwrap();
        assert_eq!(c.alert_channel(), Some(99));
    }

    #[test]
    fn a_bad_alert_setting_is_a_clear_error() {
        let e = load(&[("AIOPS_ALERT_CHANNEL", "alerts")]).unwrap_err();
        assert!(e.to_string().contains("AIOPS_ALERT_CHANNEL"), "{e}");
        let e = load(&[("AIOPS_GRAFANA_SIGNATURE_HEADER", "X Sig")]).unwrap_err();
        assert!(e.to_string().contains("not an HTTP header name"), "{e}");
    }
}
