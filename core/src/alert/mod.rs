//! Alerts from monitoring: the webhook bodies of Prometheus Alertmanager (`version` "4"),
//! Grafana Alerting (`version` "1", the same alert list plus `title`, `message`, `state`,
//! `orgId`) and PagerDuty Webhooks v3 (`{"event": {…}}`), read into one [`Delivery`]; the
//! state of one alert group across deliveries ([`Group`]); and the inventory components an
//! alert is about ([`find`]).
//!
//! Unknown fields are ignored (senders add fields between versions); a body that is not the
//! sender's shape is refused with one line naming the field path and what was expected.

mod find;
mod group;
mod parse;

pub use find::{find, related, Found, LabelKeys};
pub use group::{Applied, Group, GroupAlert};
pub use parse::{detect_source, parse};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who sent a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Alertmanager,
    Grafana,
    PagerDuty,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Alertmanager, Source::Grafana, Source::PagerDuty];

    /// The sender's own name, for people: `Alertmanager`, `Grafana`, `PagerDuty`.
    pub fn label(self) -> &'static str {
        match self {
            Source::Alertmanager => "Alertmanager",
            Source::Grafana => "Grafana",
            Source::PagerDuty => "PagerDuty",
        }
    }

    /// The name used on the command line, in routes and in stored state.
    pub fn name(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Grafana => "grafana",
            Source::PagerDuty => "pagerduty",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`Source::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alert source '{0}': expected alertmanager, grafana or pagerduty")]
pub struct UnknownSource(pub String);

impl std::str::FromStr for Source {
    type Err = UnknownSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Source::ALL
            .into_iter()
            .find(|src| src.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSource(s.to_string()))
    }
}

/// Where an alert or a group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    /// PagerDuty only: someone took the incident; it is still open.
    Acknowledged,
    Resolved,
}

impl Status {
    /// Firing or acknowledged: not over yet.
    pub fn is_open(self) -> bool {
        self != Status::Resolved
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Acknowledged => "acknowledged",
            Status::Resolved => "resolved",
        }
    }
}

/// One webhook body, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub source: Source,
    /// Alertmanager/Grafana `groupKey`; PagerDuty: the incident id (`event.data.id`).
    pub group_key: String,
    /// PagerDuty `event.id`, unique per event (dedup); `None` for Alertmanager and Grafana.
    pub event_id: Option<String>,
    /// The group's status as sent (PagerDuty: triggered → firing, acknowledged, resolved).
    pub status: Status,
    /// Grafana `title`, PagerDuty `data.title`; for Alertmanager the alert name and the other
    /// group labels.
    pub title: String,
    /// Grafana's rendered `message`; empty for the others.
    #[serde(default)]
    pub message: String,
    /// Alertmanager/Grafana `externalURL`, PagerDuty `data.html_url`.
    pub link: Option<String>,
    /// The alerts of the group as sent; PagerDuty: one alert standing for the incident.
    pub alerts: Vec<Alert>,
    /// Alerts the sender left out (`truncatedAlerts`).
    pub truncated: u64,
}

/// One alert of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// `labels.alertname` (PagerDuty: the incident title).
    pub name: String,
    pub status: Status,
    /// `labels.severity` (PagerDuty: the priority, else the urgency).
    pub severity: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339 as sent; Alertmanager's zero time (`0001-01-01T00:00:00Z`) is `None`.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// The sender's fingerprint; when absent, Alertmanager's own (FNV-1a over the sorted
    /// labels), so the same labels always name the same alert.
    pub fingerprint: String,
    /// `generatorURL` (PagerDuty `html_url`); `None` when empty.
    pub link: Option<String>,
}

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    /// Not JSON at all.
    #[error("malformed JSON: {detail}")]
    Malformed { detail: String },
    /// JSON, but not what this sender sends: `alerts[1].labels: expected an object of strings`.
    #[error("{path}: expected {expected}")]
    NotThisShape { path: String, expected: String },
    /// A well-formed event that is about no alert (PagerDuty's `pagey.ping`, `service.*`,
    /// notes): the sender expects a 2xx and nothing is posted.
    #[error("nothing to post: {event_type} is not an incident status event")]
    Ignored { event_type: String },
}

/// Unix seconds of an RFC 3339 time, any offset; `None` if it does not read.
pub fn unix_seconds(rfc3339: &str) -> Option<i64> {
    rfc3339
        .trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// Unix seconds as RFC 3339 UTC, to the second (`2026-12-02T04:26:49Z`).
pub fn utc(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.to_string(),
        Err(_) => format!("@{secs}"),
    }
}
