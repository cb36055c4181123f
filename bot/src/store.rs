//! The store, SQLite at `<state-dir>/aiops.sqlite3`: the history of inventory versions, the
//! audit log, the incident threads already answered, and small key-value state (the digest's
//! last run), the alert queue and groups (`alerts.rs`), and EC2 snapshots (`ec2.rs`). Each inventory version aiops loads is kept with its SHA-256, when it was first seen (unix seconds, UTC), where
//! it came from, its raw bytes (so it can be re-resolved with newer rules) and a summary.
//!
//! A load whose bytes equal the latest version's adds nothing; a return to older content (a
//! revert) is a new version, because it is a change at that time. Writes are transactions in WAL
//! mode and readers wait up to [`BUSY_TIMEOUT`], so the bot and a CLI can use the store at once.
//! A file SQLite cannot read is moved aside (`aiops.sqlite3.corrupt-<unix-ts>`) with a warning,
//! and a fresh store is started: the store must never cost anyone the current inventory.

mod alerts;
mod ec2;

pub use alerts::{AlertGroupRow, GroupUpdate, QueuedAlert};
pub use ec2::Ec2Snapshot;

use crate::stamp::{now_unix, rfc3339, sha256_hex};
use aiops_commands::VersionInfo;
use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database file inside the state directory.
pub const DB_FILE: &str = "aiops.sqlite3";
/// How long a reader or writer waits for another process's lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One stored version, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: i64,
    pub sha256: String,
    /// Unix seconds, UTC.
    pub seen_at: i64,
    pub source: String,
    pub summary: String,
}

impl Version {
    /// The platform-neutral description the command handlers take.
    pub fn info(&self) -> VersionInfo {
        VersionInfo {
            id: self.id,
            seen_at: rfc3339(self.seen_at),
            sha256: self.sha256.clone(),
            source: self.source.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// One line of the audit log: who ran what, where, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub at: i64,
    pub user: String,
    pub place: String,
    pub command: String,
    pub result: String,
}

/// What [`Store::record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new version with this id.
    New(i64),
    /// The content equals the latest version, this one.
    Unchanged(i64),
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating the directory and the database when missing) the store in `state_dir`.
    /// A corrupt database is moved aside with a warning and replaced by an empty one.
    pub fn open(state_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("creating state directory {}", state_dir.display()))?;
        let path = state_dir.join(DB_FILE);
        let conn = match connect(&path) {
            Ok(c) => c,
            Err(e) if is_corruption(&e) => {
                let aside = move_aside(&path)?;
                tracing::warn!(
                    "history database {} is unreadable ({e}); moved it to {} and started a new one",
                    path.display(),
                    aside.display()
                );
                connect(&path).with_context(|| format!("starting {}", path.display()))?
            }
            Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
        };
        Ok(Store { conn })
    }

    /// Records `bytes` from `source`, seen at `now` (unix seconds), unless they equal the latest
    /// version. `summarize` gets the latest version's bytes (`None` for the first version) and
    /// says what changed; it runs only for new content.
    pub fn record(
        &mut self,
        source: &str,
        bytes: &[u8],
        now: i64,
        summarize: impl FnOnce(Option<&[u8]>) -> String,
    ) -> Result<Recorded> {
        let hash = sha256_hex(bytes);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting a history transaction")?;
        let latest: Option<(i64, String, Vec<u8>)> = tx
            .query_row(
                "SELECT id, sha256, bytes FROM versions ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((id, h, _)) = &latest {
            if *h == hash {
                return Ok(Recorded::Unchanged(*id));
            }
        }
        let summary = summarize(latest.as_ref().map(|(_, _, b)| b.as_slice()));
        tx.execute(
            "INSERT INTO versions (sha256, seen_at, source, bytes, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash, now, source, bytes, summary],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit().context("saving the new version")?;
        Ok(Recorded::New(id))
    }

    /// Every version, newest first.
    pub fn list(&self) -> Result<Vec<Version>> {
        self.versions("ORDER BY id DESC", params![])
    }

    /// The latest version seen at or before `ts`: the inventory as it was then.
    pub fn at(&self, ts: i64) -> Result<Option<Version>> {
        Ok(self
            .versions("WHERE seen_at <= ?1 ORDER BY id DESC LIMIT 1", params![ts])?
            .pop())
    }

    pub fn oldest(&self) -> Result<Option<Version>> {
        Ok(self.versions("ORDER BY id LIMIT 1", params![])?.pop())
    }

    pub fn get(&self, id: i64) -> Result<Option<Version>> {
        Ok(self.versions("WHERE id = ?1", params![id])?.pop())
    }

    /// The raw file bytes of a version.
    pub fn bytes(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT bytes FROM versions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The newest version.
    pub fn latest(&self) -> Result<Option<Version>> {
        Ok(self.versions("ORDER BY id DESC LIMIT 1", params![])?.pop())
    }

    /// Writes one line of the audit log: who ran what, where, and how it went.
    pub fn audit(
        &self,
        at: i64,
        user: &str,
        place: &str,
        command: &str,
        result: &str,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit (at, user_id, place, command, result) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at, user, place, command, result],
        )?;
        Ok(())
    }

    /// The newest audit lines, newest first.
    pub fn audit_tail(&self, n: i64) -> Result<Vec<AuditLine>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, user_id, place, command, result FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([n], |r| {
            Ok(AuditLine {
                at: r.get(0)?,
                user: r.get(1)?,
                place: r.get(2)?,
                command: r.get(3)?,
                result: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An incident thread already seen: the bot's reply (if it sent one) and the components it
    /// named.
    pub fn incident_thread(&self, thread: u64) -> Result<Option<(Option<u64>, Vec<String>)>> {
        let row: Option<(Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT message_id, components FROM incident_threads WHERE thread_id = ?1",
                [thread.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(m, c)| {
            let comps = c
                .split('\n')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (m.and_then(|m| m.parse().ok()), comps)
        }))
    }

    /// Remembers an incident thread, so a restart or a late join never answers twice.
    pub fn set_incident_thread(
        &self,
        thread: u64,
        message: Option<u64>,
        components: &[String],
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO incident_threads (thread_id, message_id, components) VALUES (?1, ?2, ?3)
             ON CONFLICT(thread_id) DO UPDATE SET message_id = excluded.message_id, components = excluded.components",
            params![thread.to_string(), message.map(|m| m.to_string()), components.join("\n")],
        )?;
        Ok(())
    }

    pub fn get_kv(&self, k: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT v FROM kv WHERE k = ?1", [k], |r| r.get(0))
            .optional()?)
    }

    pub fn set_kv(&self, k: &str, v: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            params![k, v],
        )?;
        Ok(())
    }

    fn versions(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Version>> {
        let sql = format!("SELECT id, sha256, seen_at, source, summary FROM versions {tail}");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(args, |r| {
            Ok(Version {
                id: r.get(0)?,
                sha256: r.get(1)?,
                seen_at: r.get(2)?,
                source: r.get(3)?,
                summary: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Opens the database, sets WAL and the busy timeout, creates the schema, and reads it once so
/// that a file that is not a database fails here rather than later.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS versions (
             id      INTEGER PRIMARY KEY AUTOINCREMENT,
             sha256  TEXT    NOT NULL,
             seen_at INTEGER NOT NULL,
             source  TEXT    NOT NULL,
             bytes   BLOB    NOT NULL,
             summary TEXT    NOT NULL
         );
         CREATE INDEX IF NOT EXISTS versions_seen_at ON versions (seen_at);
         CREATE TABLE IF NOT EXISTS audit (
             id      INTEGER PRIMARY KEY AUTOINCREMENT,
             at      INTEGER NOT NULL,
             user_id TEXT    NOT NULL,
             place   TEXT    NOT NULL,
             command TEXT    NOT NULL,
             result  TEXT    NOT NULL
         );
         CREATE TABLE IF NOT EXISTS incident_threads (
             thread_id  TEXT PRIMARY KEY,
             message_id TEXT,
             components TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS kv (
             k TEXT PRIMARY KEY,
             v TEXT NOT NULL
         );",
    )?;
    alerts::create(&conn)?;
    ec2::create(&conn)?;
    conn.query_row("SELECT count(*) FROM versions", [], |r| r.get::<_, i64>(0))?;
    Ok(conn)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Renames the database and its WAL files to `<name>.corrupt-<unix-ts>[-wal|-shm]`.
fn move_aside(path: &Path) -> Result<PathBuf> {
    let aside = PathBuf::from(format!("{}.corrupt-{}", path.display(), now_unix()));
    std::fs::rename(path, &aside)
        .with_context(|| format!("moving corrupt {} aside", path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let to = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&side, &to)
                .with_context(|| format!("moving {} aside", side.display()))?;
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &[u8] = aiops_core::SEED_XLSX;

    fn first(_: Option<&[u8]>) -> String {
        "first version".into()
    }

    #[test]
    fn incident_threads_and_audit_survive_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = Store::open(dir.path()).expect("open");
            store
                .set_incident_thread(42, Some(7), &["aie1p-jenkins".into(), "Redis".into()])
                .expect("thread");
            store
                .audit(1, "u1", "guild 1 / channel 2", "/deps pattern:x", "ok")
                .expect("audit");
            store.set_kv("digest.last", "100").expect("kv");
        }
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(
            store.incident_thread(42).expect("read"),
            Some((
                Some(7),
                vec!["aie1p-jenkins".to_string(), "Redis".to_string()]
            ))
        );
        assert_eq!(store.incident_thread(43).expect("read"), None);
        assert_eq!(
            store.audit_tail(5).expect("tail")[0].command,
            "/deps pattern:x"
        );
        assert_eq!(
            store.get_kv("digest.last").expect("kv").as_deref(),
            Some("100")
        );
    }

    #[test]
    fn history_persists_across_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut store = Store::open(dir.path()).expect("open");
            assert_eq!(
                store
                    .record("seed.xlsx", SEED, 1_000, first)
                    .expect("record"),
                Recorded::New(1)
            );
        }
        let store = Store::open(dir.path()).expect("reopen");
        let versions = store.list().expect("list");
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].sha256, sha256_hex(SEED));
        assert_eq!(
            (versions[0].seen_at, versions[0].source.as_str()),
            (1_000, "seed.xlsx")
        );
        assert_eq!(store.bytes(1).expect("bytes").as_deref(), Some(SEED));
    }

    #[test]
    fn identical_reload_adds_no_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("open");
        assert_eq!(
            store.record("a", SEED, 1, first).expect("record"),
            Recorded::New(1)
        );
        let again = store.record("a", SEED, 2, |_| {
            unreachable!("no summary for the same content")
        });
        assert_eq!(again.expect("record"), Recorded::Unchanged(1));
        assert_eq!(store.list().expect("list").len(), 1);
        // Different content is a version, and so is a revert to the first content.
        let md = aiops_core::SEED_MARKDOWN.as_bytes();
        let summary = |prev: Option<&[u8]>| format!("after {} bytes", prev.map_or(0, <[u8]>::len));
        assert_eq!(
            store.record("b", md, 3, summary).expect("record"),
            Recorded::New(2)
        );
        assert_eq!(
            store.record("a", SEED, 4, first).expect("record"),
            Recorded::New(3)
        );
        let v2 = store.get(2).expect("get").expect("v2");
        assert_eq!(v2.summary, format!("after {} bytes", SEED.len()));
    }

    #[test]
    fn corrupt_database_is_moved_aside_and_a_new_one_started() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join(DB_FILE);
        std::fs::write(
            &db,
            b"this is not a database, it is a shopping list\n".repeat(100),
        )
        .expect("write");
        let mut store = Store::open(dir.path()).expect("open despite corruption");
        assert_eq!(
            store.record("a", SEED, 1, first).expect("record"),
            Recorded::New(1)
        );
        let aside: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("aiops.sqlite3.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        let kept = std::fs::read(dir.path().join(&aside[0])).expect("moved file");
        assert!(kept.starts_with(b"this is not a database"));
    }

    #[test]
    fn missing_state_directory_is_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("var").join("aiops");
        Store::open(&nested).expect("open");
        assert!(nested.join(DB_FILE).exists());
    }

    #[test]
    fn a_reader_is_not_blocked_by_a_writer_in_another_connection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = Store::open(dir.path()).expect("writer");
        writer.record("a", SEED, 1, first).expect("record");
        let reader = Store::open(dir.path()).expect("reader");
        let tx = writer
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("write transaction");
        tx.execute(
            "INSERT INTO versions (sha256, seen_at, source, bytes, summary) VALUES ('x', 2, 'b', x'00', 's')",
            [],
        )
        .expect("insert");
        // WAL: the reader sees the last committed state while the write is open.
        assert_eq!(reader.list().expect("list while writing").len(), 1);
        tx.commit().expect("commit");
        assert_eq!(reader.list().expect("list after commit").len(), 2);
    }

    #[test]
    fn window_queries_find_the_version_in_force_then() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("open");
        store.record("a", b"one", 100, first).expect("record");
        store.record("a", b"two", 200, first).expect("record");
        store.record("a", b"three", 300, first).expect("record");
        assert_eq!(store.at(250).expect("at").map(|v| v.id), Some(2));
        assert_eq!(store.at(50).expect("at"), None);
        assert_eq!(store.oldest().expect("oldest").map(|v| v.id), Some(1));
    }
}
