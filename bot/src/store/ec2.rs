//! The store's EC2 snapshots: what ran in EC2 each time it changed, as the compact
//! describe-instances JSON `aiops_core::reconcile::write_snapshot` writes (id, type, state, zone,
//! the naming tags), with its SHA-256, when it was read and where from. Like inventory versions,
//! a read whose snapshot equals the latest adds nothing, so `changes` can say when a pool grew.

use super::{Recorded, Store};
use crate::stamp::sha256_hex;
use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// One stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ec2Snapshot {
    pub id: i64,
    pub sha256: String,
    /// Unix seconds, UTC.
    pub seen_at: i64,
    pub source: String,
    pub bytes: Vec<u8>,
}

pub(super) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS ec2_snapshots (
             id      INTEGER PRIMARY KEY AUTOINCREMENT,
             sha256  TEXT    NOT NULL,
             seen_at INTEGER NOT NULL,
             source  TEXT    NOT NULL,
             bytes   BLOB    NOT NULL
         );
         CREATE INDEX IF NOT EXISTS ec2_snapshots_seen_at ON ec2_snapshots (seen_at);",
    )
}

const COLUMNS: &str = "id, sha256, seen_at, source, bytes";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ec2Snapshot> {
    Ok(Ec2Snapshot {
        id: r.get(0)?,
        sha256: r.get(1)?,
        seen_at: r.get(2)?,
        source: r.get(3)?,
        bytes: r.get(4)?,
    })
}

impl Store {
    /// Records a snapshot read at `now` from `source`, unless it equals the latest one.
    pub fn record_ec2(&mut self, source: &str, bytes: &[u8], now: i64) -> Result<Recorded> {
        let hash = sha256_hex(bytes);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting an EC2 snapshot transaction")?;
        let latest: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, sha256 FROM ec2_snapshots ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, h)) = latest {
            if h == hash {
                return Ok(Recorded::Unchanged(id));
            }
        }
        tx.execute(
            "INSERT INTO ec2_snapshots (sha256, seen_at, source, bytes) VALUES (?1, ?2, ?3, ?4)",
            params![hash, now, source, bytes],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit().context("saving the EC2 snapshot")?;
        Ok(Recorded::New(id))
    }

    /// The newest snapshot.
    pub fn ec2_latest(&self) -> Result<Option<Ec2Snapshot>> {
        let sql = format!("SELECT {COLUMNS} FROM ec2_snapshots ORDER BY id DESC LIMIT 1");
        Ok(self.conn.query_row(&sql, [], row).optional()?)
    }

    pub fn ec2_get(&self, id: i64) -> Result<Option<Ec2Snapshot>> {
        let sql = format!("SELECT {COLUMNS} FROM ec2_snapshots WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], row).optional()?)
    }

    /// The snapshot in force at `ts` (the last one seen at or before it, else the oldest) and
    /// every later one, oldest first, at most `limit` in all (the newest kept).
    pub fn ec2_since(&self, ts: i64, limit: usize) -> Result<Vec<Ec2Snapshot>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ec2_snapshots
             WHERE id >= COALESCE(
                 (SELECT max(id) FROM ec2_snapshots WHERE seen_at <= ?1),
                 (SELECT min(id) FROM ec2_snapshots))
             ORDER BY id DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = stmt
            .query_map(params![ts, limit], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.reverse();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_kept_only_when_they_change_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = Store::open(dir.path()).unwrap();
            assert_eq!(s.ec2_latest().unwrap(), None);
            assert_eq!(s.record_ec2("cmd", b"one", 100).unwrap(), Recorded::New(1));
            assert_eq!(
                s.record_ec2("cmd", b"one", 200).unwrap(),
                Recorded::Unchanged(1)
            );
            assert_eq!(s.record_ec2("cmd", b"two", 300).unwrap(), Recorded::New(2));
            assert_eq!(s.record_ec2("cmd", b"one", 400).unwrap(), Recorded::New(3));
        }
        let s = Store::open(dir.path()).unwrap();
        let latest = s.ec2_latest().unwrap().unwrap();
        assert_eq!(
            (latest.id, latest.seen_at, &latest.bytes[..]),
            (3, 400, &b"one"[..])
        );
        assert_eq!(s.ec2_get(2).unwrap().unwrap().bytes, b"two");
        let ids = |v: Vec<Ec2Snapshot>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        // In force at 350: the one seen at 300; then the later one.
        assert_eq!(ids(s.ec2_since(350, 10).unwrap()), [2, 3]);
        // Before the first: from the oldest.
        assert_eq!(ids(s.ec2_since(50, 10).unwrap()), [1, 2, 3]);
        // The newest kept under a limit.
        assert_eq!(ids(s.ec2_since(50, 2).unwrap()), [2, 3]);
    }
}
