//! The alert poster: drains the alert inbox into groups and keeps one message per group in the
//! alert channel up to date.
//!
//! Each queued delivery is applied to its stored `Group` (in one transaction with taking it off
//! the queue); a group whose message is behind is posted at once if it has no message yet, else
//! edited at most once per `edit_interval_secs`, so changes in between go out together; a group
//! seen again after it resolved gets a new message. A silenced group is not posted until its
//! silence ends. Discord's outages are retried like every other send; a message Discord refuses
//! in full goes as text; a group whose post failed waits [`RETRY_AFTER`] before the next try.

use super::alerts_post::{self, Target};
use super::answer::png;
use super::message;
use crate::alerts::Inbox;
use crate::app::App;
use crate::http::hooks::unix_ms;
use crate::stamp::now_unix;
use crate::store::{AlertGroupRow, GroupUpdate, QueuedAlert};
use aiops_commands::Context as Cx;
use aiops_core::alert::{self, Applied, Group, LabelKeys, Source};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How far back an alert message looks for inventory changes near its components.
const RECENT_CHANGES_SECS: i64 = 7 * 24 * 3600;
/// How long a group whose post failed waits before the next try.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);
/// How often delivery ids are forgotten (after a week; PagerDuty retries for 48 hours).
const SEEN_FOR_SECS: i64 = 7 * 24 * 3600;

/// Runs until `stopped` resolves. What is queued or behind at that point stays in the store and
/// is posted after the next start.
pub async fn run(
    app: Arc<App>,
    http: Arc<serenity::http::Http>,
    inbox: Arc<Inbox>,
    stopped: impl Future<Output = ()> + Send,
) {
    tokio::pin!(stopped);
    let mut poster = Poster {
        app,
        http,
        inbox: inbox.clone(),
        failed: HashMap::new(),
        kinds: HashMap::new(),
    };
    if let Err(e) = inbox
        .run(|s| s.prune_alert_seen(now_unix() - SEEN_FOR_SECS))
        .await
    {
        tracing::warn!("forgetting old alert delivery ids failed: {e:#}");
    }
    loop {
        poster.drain().await;
        let next = poster.post_due().await;
        let wait = next.unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            _ = &mut stopped => return,
            _ = inbox.woken() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

struct Poster {
    app: Arc<App>,
    http: Arc<serenity::http::Http>,
    inbox: Arc<Inbox>,
    /// Groups whose last post failed, and when (unix ms).
    failed: HashMap<i64, i64>,
    /// Whether each channel posted to is a forum.
    kinds: HashMap<u64, bool>,
}

impl Poster {
    /// Applies every queued delivery, oldest first.
    async fn drain(&mut self) {
        loop {
            let next = self.inbox.run(|s| s.next_queued_alert()).await;
            match next {
                Ok(Some(q)) => {
                    if let Err(e) = self.apply(q).await {
                        // The store failed: the delivery stays queued for the next round.
                        tracing::error!("applying a queued alert failed: {e:#}");
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!("reading the alert queue failed: {e:#}");
                    break;
                }
            }
        }
        if let Ok(depth) = self.inbox.run(|s| s.alert_queue_depth()).await {
            self.app.metrics.alerts.set_queue_depth(depth);
        }
    }

    async fn apply(&self, q: QueuedAlert) -> anyhow::Result<()> {
        let parsed = q
            .source
            .parse::<Source>()
            .map_err(|_| format!("unknown source {:?}", q.source))
            .and_then(|source| {
                alert::parse(source, &q.body)
                    .map(|d| (source, d))
                    .map_err(|e| e.to_string())
            });
        let (source, delivery) = match parsed {
            Ok(p) => p,
            Err(why) => {
                // It parsed when it was received; a newer bot may read it differently.
                tracing::error!(
                    queued = q.id,
                    "dropping a queued alert that no longer parses: {why}"
                );
                return self.inbox.run(move |s| s.drop_queued_alert(q.id)).await;
            }
        };
        let key = format!("{} {}", source.name(), delivery.group_key);
        let now = q.received_ms / 1000;
        let key2 = key.clone();
        let stored = self.inbox.run(move |s| s.alert_group(&key2)).await?;
        let old = stored.and_then(|row| match serde_json::from_str::<Group>(&row.state) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::warn!(
                    group = row.id,
                    "a stored alert group does not read, starting it anew: {e}"
                );
                None
            }
        });
        let (group, applied) = match old {
            Some(mut g) => {
                let a = g.apply(&delivery, now);
                (g, a)
            }
            None => (Group::new(&delivery, now), Applied::Updated),
        };
        if matches!(applied, Applied::Unchanged) {
            self.app.metrics.alerts.duplicate(source.name());
        }
        let state = serde_json::to_string(&group)?;
        let title = group.title.clone();
        let firing = !group.is_resolved();
        self.inbox
            .run(move |s| {
                s.apply_queued_alert(
                    q.id,
                    &GroupUpdate {
                        key: &key,
                        state: &state,
                        title: &title,
                        firing,
                        changed: !matches!(applied, Applied::Unchanged),
                        reopened: matches!(applied, Applied::Reopened),
                        received_ms: q.received_ms,
                    },
                )
            })
            .await?;
        Ok(())
    }

    /// Posts every group that is behind and due; returns how long until the next one is due.
    async fn post_due(&mut self) -> Option<Duration> {
        let dirty = match self.inbox.run(|s| s.dirty_alert_groups()).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("reading the alert groups failed: {e:#}");
                return Some(RETRY_AFTER);
            }
        };
        let interval = i64::try_from(self.app.cfg.alerts.edit_interval_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let retry = i64::try_from(RETRY_AFTER.as_millis()).unwrap_or(i64::MAX);
        let mut next: Option<i64> = None;
        for row in dirty {
            let now = unix_ms();
            let mut due = match (row.message_id, row.posted_ms) {
                (Some(_), Some(posted)) => posted.saturating_add(interval),
                _ => now,
            };
            if let Some(until) = row.silenced_until {
                due = due.max(until.saturating_mul(1000));
            }
            if let Some(failed) = self.failed.get(&row.id) {
                due = due.max(failed.saturating_add(retry));
            }
            if due > now {
                next = Some(next.map_or(due, |n| n.min(due)));
                continue;
            }
            let id = row.id;
            if self.post(row).await {
                self.failed.remove(&id);
            } else {
                self.failed.insert(id, unix_ms());
                next = Some(next.map_or(unix_ms() + retry, |n| n.min(unix_ms() + retry)));
            }
        }
        next.map(|at| Duration::from_millis(u64::try_from(at - unix_ms()).unwrap_or(0)))
    }

    /// Builds the group's answer and posts or edits its message; false when it did not arrive.
    async fn post(&mut self, row: AlertGroupRow) -> bool {
        let group = match serde_json::from_str::<Group>(&row.state) {
            Ok(g) => g,
            Err(e) => {
                tracing::error!(group = row.id, "a stored alert group does not read: {e}");
                return false;
            }
        };
        let Some(channel) = self.app.cfg.alert_channel() else {
            tracing::warn!(
                group = row.id,
                "an alert arrived but there is no alert channel (set AIOPS_ALERT_CHANNEL)"
            );
            return false;
        };
        let others = self
            .inbox
            .run(|s| s.firing_alert_groups())
            .await
            .unwrap_or_default();
        let app = self.app.clone();
        let this = row.id;
        let built = self
            .app
            .blocking(move || {
                let cur = app.current();
                let topo = &cur.topo;
                let keys = LabelKeys::or_default(&app.cfg.alerts.label_keys);
                let found = alert::find(topo, &group, &keys);
                let ids: Vec<String> = found
                    .components
                    .iter()
                    .map(|&i| topo.nodes()[i].id.clone())
                    .collect();
                let also: Vec<String> = others
                    .iter()
                    .filter(|o| o.id != this && !found.open.is_empty())
                    .filter(|o| {
                        let theirs: Vec<usize> =
                            o.components.iter().filter_map(|c| topo.index(c)).collect();
                        alert::related(topo, &found.open, &theirs)
                    })
                    .map(|o| format!("{} (group {})", o.title, o.id))
                    .collect();
                let changes = app.recent_changes_near(&ids, RECENT_CHANGES_SECS);
                let ec2 = app.ec2_report_for(&cur);
                let mut cx = Cx::new(topo, &cur.source);
                cx.lang = app.lang;
                cx.ec2 = ec2.as_deref();
                let mut reply = aiops_commands::alert(cx, &group, &found, &changes, &also);
                let png = png(&app, &mut reply, app.lang);
                (reply, png, ids, group.title.clone())
            })
            .await;
        let (reply, png, ids, title) = match built {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(group = row.id, "building the alert message failed: {e}");
                return false;
            }
        };
        let out = message::build(&reply, png, message::DEFAULT_ATTACHMENT_LIMIT);
        let target = match (row.channel_id, row.message_id) {
            (Some(c), Some(m)) => Target::Edit {
                channel: c,
                message: m,
            },
            _ => Target::New {
                channel,
                forum: self.is_forum(channel).await,
                thread_name: title,
            },
        };
        match alerts_post::deliver(&self.http, target, &reply.title, out).await {
            Ok((c, m)) => {
                let posted = unix_ms();
                let source = row.key.split(' ').next().unwrap_or("").to_string();
                if let (Some(pending), Ok(s)) = (row.pending_ms, source.parse::<Source>()) {
                    let took = u64::try_from(posted - pending).unwrap_or(0);
                    self.app
                        .metrics
                        .alerts
                        .posted(s.name(), Duration::from_millis(took));
                }
                let id = row.id;
                if let Err(e) = self
                    .inbox
                    .run(move |s| s.alert_posted(id, c, m, posted, &ids))
                    .await
                {
                    tracing::error!(group = id, "recording the alert message failed: {e:#}");
                }
                true
            }
            Err(e) => {
                tracing::error!(group = row.id, "the alert message was not delivered: {e}");
                self.app.metrics.reply("lost");
                false
            }
        }
    }

    /// Whether `channel` is a forum (posts there are threads of their own), asked once.
    async fn is_forum(&mut self, channel: u64) -> bool {
        if let Some(k) = self.kinds.get(&channel) {
            return *k;
        }
        let kind = alerts_post::is_forum(&self.http, channel).await;
        if let Some(k) = kind {
            self.kinds.insert(channel, k);
        }
        kind.unwrap_or(false)
    }
}
