//! The store's alert tables: the queue of raw webhook deliveries (written before the sender is
//! answered, removed once applied), the ids already seen (PagerDuty's `X-Webhook-Id` and
//! `event.id`), and one row per alert group with its state, the message that shows it, and
//! whether that message is behind.
//!
//! A delivery moves from the queue into its group in one transaction, and a group stays
//! `dirty` until its message is posted, so a restart at any point loses nothing and posts nothing
//! twice.

use super::Store;
use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// One delivery as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedAlert {
    pub id: i64,
    /// The route it came in on: `alertmanager`, `grafana`, `pagerduty`.
    pub source: String,
    /// Unix milliseconds.
    pub received_ms: i64,
    pub body: Vec<u8>,
}

/// One alert group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertGroupRow {
    /// A short id for `/alerts silence group:<id>`.
    pub id: i64,
    /// `<source> <groupKey>`: unique per group.
    pub key: String,
    /// The group's state (`aiops_core::alert::Group` as JSON).
    pub state: String,
    pub title: String,
    pub firing: bool,
    /// The message that shows the group, once posted; `None`: the next post is a new message.
    pub channel_id: Option<u64>,
    pub message_id: Option<u64>,
    /// Changed since its message was last posted or edited.
    pub dirty: bool,
    /// The receipt (unix ms) of the oldest change not yet posted.
    pub pending_ms: Option<i64>,
    /// When its message was last posted or edited (unix ms).
    pub posted_ms: Option<i64>,
    /// The components its message named, by id.
    pub components: Vec<String>,
    /// No updates are posted before this time (unix seconds).
    pub silenced_until: Option<i64>,
}

/// What applying one delivery did to its group.
#[derive(Debug, Clone)]
pub struct GroupUpdate<'a> {
    pub key: &'a str,
    pub state: &'a str,
    pub title: &'a str,
    pub firing: bool,
    /// Something a reader would see changed.
    pub changed: bool,
    /// The group came back after it had resolved: the next post is a new message.
    pub reopened: bool,
    pub received_ms: i64,
}

pub(super) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS alert_queue (
             id          INTEGER PRIMARY KEY AUTOINCREMENT,
             source      TEXT    NOT NULL,
             received_ms INTEGER NOT NULL,
             body        BLOB    NOT NULL
         );
         CREATE TABLE IF NOT EXISTS alert_seen (
             id TEXT PRIMARY KEY,
             at INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS alert_seen_at ON alert_seen (at);
         CREATE TABLE IF NOT EXISTS alert_groups (
             id             INTEGER PRIMARY KEY AUTOINCREMENT,
             key            TEXT    NOT NULL UNIQUE,
             state          TEXT    NOT NULL,
             title          TEXT    NOT NULL,
             firing         INTEGER NOT NULL,
             channel_id     TEXT,
             message_id     TEXT,
             dirty          INTEGER NOT NULL,
             pending_ms     INTEGER,
             posted_ms      INTEGER,
             components     TEXT    NOT NULL DEFAULT '',
             silenced_until INTEGER
         );",
    )
}

const GROUP_COLUMNS: &str = "id, key, state, title, firing, channel_id, message_id, dirty, \
                             pending_ms, posted_ms, components, silenced_until";

fn group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertGroupRow> {
    let id = |v: Option<String>| v.and_then(|s| s.parse().ok());
    let components: String = r.get(10)?;
    Ok(AlertGroupRow {
        id: r.get(0)?,
        key: r.get(1)?,
        state: r.get(2)?,
        title: r.get(3)?,
        firing: r.get(4)?,
        channel_id: id(r.get(5)?),
        message_id: id(r.get(6)?),
        dirty: r.get(7)?,
        pending_ms: r.get(8)?,
        posted_ms: r.get(9)?,
        components: components
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        silenced_until: r.get(11)?,
    })
}

impl Store {
    /// Every commit of this connection reaches the disk before it returns (`synchronous =
    /// FULL`): a delivery acknowledged to its sender survives a power loss, not only a crash.
    pub fn make_durable(&self) -> Result<()> {
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .context("setting synchronous = FULL")
    }

    /// Queues a delivery, unless one of `seen` (delivery or event ids) was queued before:
    /// `Ok(None)` then. `now` (unix seconds) is when the ids were seen.
    pub fn enqueue_alert(
        &mut self,
        source: &str,
        body: &[u8],
        received_ms: i64,
        seen: &[&str],
        now: i64,
    ) -> Result<Option<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting the alert queue transaction")?;
        for id in seen {
            let known: Option<i64> = tx
                .query_row("SELECT at FROM alert_seen WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            if known.is_some() {
                return Ok(None);
            }
        }
        for id in seen {
            tx.execute(
                "INSERT INTO alert_seen (id, at) VALUES (?1, ?2)",
                params![id, now],
            )?;
        }
        tx.execute(
            "INSERT INTO alert_queue (source, received_ms, body) VALUES (?1, ?2, ?3)",
            params![source, received_ms, body],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit().context("queueing the alert")?;
        Ok(Some(id))
    }

    /// The oldest queued delivery.
    pub fn next_queued_alert(&self) -> Result<Option<QueuedAlert>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, source, received_ms, body FROM alert_queue ORDER BY id LIMIT 1",
                [],
                |r| {
                    Ok(QueuedAlert {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        received_ms: r.get(2)?,
                        body: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn alert_queue_depth(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM alert_queue", [], |r| r.get(0))?)
    }

    /// Removes a queued delivery that cannot be applied (it no longer parses).
    pub fn drop_queued_alert(&self, queued: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM alert_queue WHERE id = ?1", [queued])?;
        Ok(())
    }

    /// Stores a group's new state and takes its delivery off the queue, in one transaction.
    /// Returns the group's id.
    pub fn apply_queued_alert(&mut self, queued: i64, u: &GroupUpdate<'_>) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting the alert group transaction")?;
        tx.execute(
            "INSERT INTO alert_groups (key, state, title, firing, dirty, pending_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?5 THEN ?6 END)
             ON CONFLICT(key) DO UPDATE SET
                 state = excluded.state,
                 title = excluded.title,
                 firing = excluded.firing,
                 dirty = dirty OR excluded.dirty,
                 pending_ms = CASE WHEN excluded.dirty THEN min(coalesce(pending_ms, ?6), ?6)
                                   ELSE pending_ms END,
                 channel_id = CASE WHEN ?7 THEN NULL ELSE channel_id END,
                 message_id = CASE WHEN ?7 THEN NULL ELSE message_id END",
            params![
                u.key,
                u.state,
                u.title,
                u.firing,
                u.changed,
                u.received_ms,
                u.reopened
            ],
        )?;
        let id: i64 = tx.query_row("SELECT id FROM alert_groups WHERE key = ?1", [u.key], |r| {
            r.get(0)
        })?;
        tx.execute("DELETE FROM alert_queue WHERE id = ?1", [queued])?;
        tx.commit().context("applying the alert")?;
        Ok(id)
    }

    pub fn alert_group(&self, key: &str) -> Result<Option<AlertGroupRow>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM alert_groups WHERE key = ?1");
        Ok(self.conn.query_row(&sql, [key], group_row).optional()?)
    }

    pub fn alert_group_by_id(&self, id: i64) -> Result<Option<AlertGroupRow>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM alert_groups WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], group_row).optional()?)
    }

    /// Groups whose message is behind, oldest change first.
    pub fn dirty_alert_groups(&self) -> Result<Vec<AlertGroupRow>> {
        self.alert_groups("WHERE dirty ORDER BY pending_ms, id")
    }

    /// Groups firing now, oldest first.
    pub fn firing_alert_groups(&self) -> Result<Vec<AlertGroupRow>> {
        self.alert_groups("WHERE firing ORDER BY id")
    }

    fn alert_groups(&self, tail: &str) -> Result<Vec<AlertGroupRow>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM alert_groups {tail}");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], group_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The group's message is up to date: where it is, when, and what it named.
    pub fn alert_posted(
        &self,
        id: i64,
        channel: u64,
        message: u64,
        posted_ms: i64,
        components: &[String],
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE alert_groups SET channel_id = ?2, message_id = ?3, posted_ms = ?4,
                 components = ?5, dirty = 0, pending_ms = NULL
             WHERE id = ?1",
            params![
                id,
                channel.to_string(),
                message.to_string(),
                posted_ms,
                components.join("\n")
            ],
        )?;
        Ok(())
    }

    /// Stops updates of a group's message until `until` (unix seconds); false if there is no
    /// such group.
    pub fn silence_alert_group(&self, id: i64, until: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE alert_groups SET silenced_until = ?2 WHERE id = ?1",
            params![id, until],
        )?;
        Ok(n > 0)
    }

    /// Forgets delivery ids seen before `before` (unix seconds): senders stop retrying long
    /// before (PagerDuty after 48 hours).
    pub fn prune_alert_seen(&self, before: i64) -> Result<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM alert_seen WHERE at < ?1", [before])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update<'a>(key: &'a str, state: &'a str, changed: bool, reopened: bool) -> GroupUpdate<'a> {
        GroupUpdate {
            key,
            state,
            title: "HighCPU",
            firing: true,
            changed,
            reopened,
            received_ms: 1_000,
        }
    }

    #[test]
    fn a_queued_delivery_survives_a_restart_and_leaves_the_queue_with_its_group() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut s = Store::open(dir.path()).expect("open");
            s.make_durable().expect("durable");
            let q = s
                .enqueue_alert("alertmanager", b"{}", 5, &[], 1)
                .expect("queue");
            assert_eq!(q, Some(1));
        }
        let mut s = Store::open(dir.path()).expect("reopen");
        let q = s.next_queued_alert().expect("read").expect("still queued");
        assert_eq!(
            (q.source.as_str(), q.received_ms, q.body.as_slice()),
            ("alertmanager", 5, &b"{}"[..])
        );
        let id = s
            .apply_queued_alert(q.id, &update("k", "{}", true, false))
            .expect("apply");
        assert_eq!(s.alert_queue_depth().expect("depth"), 0);
        let g = s.alert_group("k").expect("read").expect("group");
        assert_eq!(
            (g.id, g.dirty, g.pending_ms, g.message_id),
            (id, true, Some(1_000), None)
        );
        s.alert_posted(id, 7, 8, 2_000, &["a".into(), "b".into()])
            .expect("posted");
        let g = s.alert_group_by_id(id).expect("read").expect("group");
        assert_eq!(
            (g.dirty, g.message_id, g.components.len()),
            (false, Some(8), 2)
        );
        assert!(s.dirty_alert_groups().expect("dirty").is_empty());
    }

    #[test]
    fn a_seen_delivery_id_is_not_queued_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path()).expect("open");
        assert!(s
            .enqueue_alert("pagerduty", b"1", 1, &["w1", "e1"], 1)
            .expect("q")
            .is_some());
        assert_eq!(
            s.enqueue_alert("pagerduty", b"1", 2, &["w2", "e1"], 1)
                .expect("q"),
            None
        );
        assert_eq!(
            s.enqueue_alert("pagerduty", b"1", 2, &["w1"], 1)
                .expect("q"),
            None
        );
        assert_eq!(s.alert_queue_depth().expect("depth"), 1);
        assert_eq!(s.prune_alert_seen(2).expect("prune"), 2);
        assert!(s
            .enqueue_alert("pagerduty", b"1", 3, &["w1"], 3)
            .expect("q")
            .is_some());
    }

    #[test]
    fn a_reopened_group_gets_a_new_message_and_an_unchanged_one_stays_posted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path()).expect("open");
        let q = s
            .enqueue_alert("grafana", b"1", 1, &[], 1)
            .expect("q")
            .expect("id");
        let id = s
            .apply_queued_alert(q, &update("k", "{}", true, false))
            .expect("apply");
        s.alert_posted(id, 7, 8, 2_000, &[]).expect("posted");
        let q = s
            .enqueue_alert("grafana", b"2", 1, &[], 1)
            .expect("q")
            .expect("id");
        s.apply_queued_alert(q, &update("k", "{}", false, false))
            .expect("repeat");
        let g = s.alert_group_by_id(id).expect("read").expect("group");
        assert_eq!((g.dirty, g.message_id), (false, Some(8)));
        let q = s
            .enqueue_alert("grafana", b"3", 1, &[], 1)
            .expect("q")
            .expect("id");
        s.apply_queued_alert(q, &update("k", "{}", true, true))
            .expect("reopen");
        let g = s.alert_group_by_id(id).expect("read").expect("group");
        assert_eq!((g.dirty, g.message_id, g.channel_id), (true, None, None));
        assert!(s.silence_alert_group(id, 99).expect("silence"));
        assert!(!s.silence_alert_group(id + 1, 99).expect("silence"));
    }
}
