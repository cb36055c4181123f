//! One alert group across deliveries: which alerts it has had, which still fire, when it
//! opened and resolved, and whether a delivery changed anything worth an edit.
//!
//! Senders deliver at least once (HA peers, retries, `repeat_interval`), so a delivery that
//! brings the same alerts with the same statuses (Alertmanager/Grafana) or an event already
//! seen (PagerDuty `event.id`) is [`Applied::Unchanged`]. Alertmanager and Grafana send every
//! alert of the group that still fires in each message, so an alert that fired before and is
//! missing from an untruncated message has resolved (with `send_resolved: false` no resolve is
//! ever sent). A group that resolved and fires again is [`Applied::Reopened`]: a new incident.

use super::{Alert, Delivery, Source, Status};
use serde::{Deserialize, Serialize};

/// What a delivery did to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A duplicate or a repeat: nothing to edit.
    Unchanged,
    /// Alerts added, resolved, firing again, or the group acknowledged or resolved.
    Updated,
    /// Seen again after it resolved: the group starts over, as a new message.
    Reopened,
}

/// An alert of a group, with when the group first had it and when it resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAlert {
    pub alert: Alert,
    /// Unix seconds.
    pub first_seen: i64,
    /// Unix seconds: the alert's `endsAt` when sent, else when the resolve arrived.
    pub resolved_at: Option<i64>,
}

impl GroupAlert {
    pub fn is_open(&self) -> bool {
        self.alert.status.is_open()
    }
}

/// One group's state; the bot stores it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub source: Source,
    pub group_key: String,
    pub title: String,
    #[serde(default)]
    pub message: String,
    pub link: Option<String>,
    pub status: Status,
    /// Every alert the group has had, in the order first seen.
    pub alerts: Vec<GroupAlert>,
    /// Unix seconds: the earliest `startsAt`, else when the first delivery arrived.
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    /// PagerDuty: acknowledged and not resolved.
    pub acknowledged: bool,
    pub truncated: u64,
    /// PagerDuty event ids already applied, newest last, at most [`Group::EVENTS_KEPT`].
    #[serde(default)]
    pub events: Vec<String>,
}

impl Group {
    /// How many PagerDuty event ids a group remembers for dedup.
    pub const EVENTS_KEPT: usize = 64;

    /// The group as its first delivery (at unix second `now`) shows it.
    pub fn new(d: &Delivery, now: i64) -> Group {
        let alerts: Vec<GroupAlert> = d
            .alerts
            .iter()
            .map(|a| GroupAlert {
                alert: a.clone(),
                first_seen: now,
                resolved_at: (!a.status.is_open()).then(|| ended(a, now)),
            })
            .collect();
        let opened_at = alerts
            .iter()
            .filter_map(|a| a.alert.starts_at.as_deref().and_then(super::unix_seconds))
            .min()
            .map_or(now, |t| t.min(now));
        let mut g = Group {
            source: d.source,
            group_key: d.group_key.clone(),
            title: d.title.clone(),
            message: d.message.clone(),
            link: d.link.clone(),
            status: Status::Firing,
            alerts,
            opened_at,
            resolved_at: None,
            acknowledged: false,
            truncated: d.truncated,
            events: d.event_id.iter().cloned().collect(),
        };
        g.settle(d, now);
        g
    }

    /// Applies a later delivery of the same group (the caller keys groups by source and group
    /// key) that arrived at unix second `now`.
    pub fn apply(&mut self, d: &Delivery, now: i64) -> Applied {
        if let Some(id) = &d.event_id {
            if self.events.contains(id) {
                return Applied::Unchanged;
            }
        }
        if self.is_resolved() && d.alerts.iter().any(|a| a.status.is_open()) {
            let mut events = std::mem::take(&mut self.events);
            *self = Group::new(d, now);
            events.append(&mut self.events);
            self.events = events;
            self.trim_events();
            return Applied::Reopened;
        }
        let before = self.key();
        for a in &d.alerts {
            match self
                .alerts
                .iter_mut()
                .find(|g| g.alert.fingerprint == a.fingerprint)
            {
                Some(g) => {
                    let starts_at = a.starts_at.clone().or(g.alert.starts_at.take());
                    let link = a.link.clone().or(g.alert.link.take());
                    g.alert = Alert {
                        starts_at,
                        link,
                        ..a.clone()
                    };
                    g.resolved_at = match (a.status.is_open(), g.resolved_at) {
                        (true, _) => None,
                        (false, Some(t)) => Some(t),
                        (false, None) => Some(ended(a, now)),
                    };
                }
                None => self.alerts.push(GroupAlert {
                    alert: a.clone(),
                    first_seen: now,
                    resolved_at: (!a.status.is_open()).then(|| ended(a, now)),
                }),
            }
        }
        if self.source != Source::PagerDuty && d.truncated == 0 {
            for g in self.alerts.iter_mut().filter(|g| g.is_open()) {
                if !d
                    .alerts
                    .iter()
                    .any(|a| a.fingerprint == g.alert.fingerprint)
                {
                    g.alert.status = Status::Resolved;
                    g.resolved_at = Some(now);
                }
            }
        }
        if !d.title.is_empty() {
            self.title = d.title.clone();
        }
        if !d.message.is_empty() {
            self.message = d.message.clone();
        }
        if d.link.is_some() {
            self.link = d.link.clone();
        }
        self.truncated = d.truncated;
        if let Some(id) = &d.event_id {
            self.events.push(id.clone());
            self.trim_events();
        }
        self.settle(d, now);
        if self.key() == before {
            Applied::Unchanged
        } else {
            Applied::Updated
        }
    }

    /// No alert of the group is open any more.
    pub fn is_resolved(&self) -> bool {
        self.status == Status::Resolved
    }

    /// The alerts still firing (or acknowledged), in the order first seen.
    pub fn firing(&self) -> impl Iterator<Item = &GroupAlert> + '_ {
        self.alerts.iter().filter(|a| a.is_open())
    }

    /// Seconds from opening to resolving, once resolved.
    pub fn duration(&self) -> Option<i64> {
        self.resolved_at.map(|r| (r - self.opened_at).max(0))
    }

    /// The highest severity the group's alerts carry, as written (`critical` before
    /// `warning`; PagerDuty's `P1` before `P2`).
    pub fn severity(&self) -> Option<&str> {
        self.alerts
            .iter()
            .filter_map(|a| a.alert.severity.as_deref())
            .min_by_key(|s| severity_rank(s))
    }

    /// The group's status from its alerts (PagerDuty: from the event), and when it resolved.
    fn settle(&mut self, d: &Delivery, now: i64) {
        self.status = if self.source == Source::PagerDuty {
            d.status
        } else if self.alerts.iter().any(GroupAlert::is_open) {
            Status::Firing
        } else {
            Status::Resolved
        };
        self.acknowledged = self.status == Status::Acknowledged;
        self.resolved_at = match (self.is_resolved(), self.resolved_at) {
            (false, _) => None,
            (true, Some(t)) => Some(t),
            (true, None) => Some(
                self.alerts
                    .iter()
                    .filter_map(|a| a.resolved_at)
                    .max()
                    .unwrap_or(now)
                    .max(self.opened_at),
            ),
        };
    }

    /// What deduplication compares: the status and each alert's fingerprint and status.
    fn key(&self) -> (Status, Vec<(String, Status)>) {
        let mut alerts: Vec<(String, Status)> = self
            .alerts
            .iter()
            .map(|a| (a.alert.fingerprint.clone(), a.alert.status))
            .collect();
        alerts.sort_unstable();
        (self.status, alerts)
    }

    fn trim_events(&mut self) {
        let over = self.events.len().saturating_sub(Self::EVENTS_KEPT);
        self.events.drain(..over);
    }
}

/// When an alert ended: its `endsAt` when sent, else `now`.
fn ended(a: &Alert, now: i64) -> i64 {
    a.ends_at
        .as_deref()
        .and_then(super::unix_seconds)
        .unwrap_or(now)
}

fn severity_rank(s: &str) -> u32 {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "critical" | "crit" | "fatal" | "emergency" | "page" | "high" | "error" => 0,
        "major" => 1,
        "warning" | "warn" | "minor" | "medium" => 2,
        "low" | "info" | "informational" | "none" => 3,
        p if p.starts_with('p') => p[1..].parse::<u32>().map_or(4, |n| n.min(9)),
        _ => 4,
    }
}
