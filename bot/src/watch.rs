//! Watches the inventory file by polling and reloads it when it changes.
//!
//! A new version is taken only when two reads at least the settle interval apart give the same
//! bytes and those bytes parse: a half-written file (an editor saving in place) is still changing
//! or does not parse, so it is never taken. A file that stays unparsable is reported once, with
//! the file/sheet/row of the error, and the last good version stays in force. Polling needs no
//! new dependencies and behaves the same on every filesystem, network mounts included.
//!
//! [`Watcher::poll`] takes the time as an argument, so tests drive it without sleeping;
//! [`run`] is the loop a thread runs, with a stop channel.

use aiops_core::{LoadOptions, Topology};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// What a poll noticed.
#[derive(Debug)]
pub enum Event {
    /// A new version: it parsed cleanly and stayed the same for the settle interval.
    Loaded { bytes: Vec<u8>, topo: Box<Topology> },
    /// The file changed and settled, but does not load; the last good version stays in force.
    Failed { error: String },
}

/// The file's metadata, to skip reading a file that has not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

/// Content seen once, waiting to be seen again after the settle interval.
#[derive(Debug)]
struct Pending {
    hash: String,
    since: Duration,
}

#[derive(Debug)]
pub struct Watcher {
    path: PathBuf,
    opts: LoadOptions,
    settle: Duration,
    stamp: Option<Stamp>,
    good: Option<String>,
    failed: Option<String>,
    pending: Option<Pending>,
}

impl Watcher {
    pub fn new(path: PathBuf, opts: LoadOptions, settle: Duration) -> Watcher {
        Watcher {
            path,
            opts,
            settle,
            stamp: None,
            good: None,
            failed: None,
            pending: None,
        }
    }

    /// Starts from a version already loaded, so it is not reported again.
    pub fn with_current(mut self, bytes: &[u8]) -> Watcher {
        self.good = Some(crate::stamp::sha256_hex(bytes));
        self
    }

    /// Looks at the file once; `now` is the time since the watch started.
    pub fn poll(&mut self, now: Duration) -> Option<Event> {
        // A file missing or unreadable for a moment (an editor replacing it) is in flux.
        let Ok(meta) = std::fs::metadata(&self.path) else {
            self.pending = None;
            return None;
        };
        let stamp = Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        };
        if self.pending.is_none() && self.stamp.as_ref() == Some(&stamp) {
            return None;
        }
        self.stamp = Some(stamp);
        let Ok(bytes) = std::fs::read(&self.path) else {
            self.pending = None;
            return None;
        };
        let hash = crate::stamp::sha256_hex(&bytes);
        if self.good.as_ref() == Some(&hash) || self.failed.as_ref() == Some(&hash) {
            self.pending = None;
            return None;
        }
        match &self.pending {
            Some(p) if p.hash == hash && now.saturating_sub(p.since) >= self.settle => {
                self.pending = None;
                let file = self.path.display().to_string();
                match aiops_core::load_bytes(&file, &bytes, &self.opts) {
                    Ok(topo) => {
                        self.good = Some(hash);
                        self.failed = None;
                        Some(Event::Loaded {
                            bytes,
                            topo: Box::new(topo),
                        })
                    }
                    Err(e) => {
                        self.failed = Some(hash);
                        Some(Event::Failed {
                            error: e.to_string(),
                        })
                    }
                }
            }
            Some(p) if p.hash == hash => None,
            _ => {
                self.pending = Some(Pending { hash, since: now });
                None
            }
        }
    }
}

/// Polls every `interval` until `stop` receives or its sender is dropped, handing each event to
/// `on_event`. Meant for a thread of its own.
pub fn run(
    mut watcher: Watcher,
    interval: Duration,
    stop: &Receiver<()>,
    mut on_event: impl FnMut(Event),
) {
    let start = Instant::now();
    loop {
        if let Some(ev) = watcher.poll(start.elapsed()) {
            on_event(ev);
        }
        match stop.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) => continue,
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Duration = Duration::from_millis(1000);
    const SEED: &[u8] = aiops_core::SEED_XLSX;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn watcher(dir: &tempfile::TempDir, name: &str) -> (Watcher, PathBuf) {
        let path = dir.path().join(name);
        let w = Watcher::new(path.clone(), LoadOptions::default(), SETTLE).with_current(SEED);
        (w, path)
    }

    fn loaded(ev: Option<Event>) -> Option<Topology> {
        match ev {
            Some(Event::Loaded { topo, .. }) => Some(*topo),
            _ => None,
        }
    }

    #[test]
    fn half_written_file_is_not_taken() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut w, path) = watcher(&dir, "seed.md");
        let md = aiops_core::SEED_MARKDOWN.as_bytes();
        // The editor writes the file in pieces; each poll sees something different.
        std::fs::write(&path, &md[..md.len() / 3]).expect("write");
        assert!(w.poll(ms(0)).is_none());
        std::fs::write(&path, &md[..md.len() * 2 / 3]).expect("write");
        assert!(
            w.poll(ms(1500)).is_none(),
            "changed since last poll: not settled"
        );
        std::fs::write(&path, md).expect("write");
        assert!(w.poll(ms(3000)).is_none(), "first sight of the full file");
        assert!(w.poll(ms(3500)).is_none(), "not yet settled");
        let topo = loaded(w.poll(ms(4000))).expect("settled and parsed");
        assert_eq!(topo.instance_count(), 23);
        assert!(w.poll(ms(5000)).is_none(), "reported once");
    }

    #[test]
    fn truncated_workbook_that_settles_is_reported_and_the_last_good_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut w, path) = watcher(&dir, "ai-ops-list.xlsx");
        std::fs::write(&path, &SEED[..SEED.len() / 2]).expect("write");
        assert!(w.poll(ms(0)).is_none());
        match w.poll(ms(1000)) {
            Some(Event::Failed { error }) => assert!(error.contains("ai-ops-list.xlsx"), "{error}"),
            other => panic!("expected a failure report, got {other:?}"),
        }
        assert!(
            w.poll(ms(2000)).is_none(),
            "the same bad file is reported once"
        );
        // Saving the last good content again is no new version.
        std::fs::write(&path, SEED).expect("write");
        assert!(w.poll(ms(3000)).is_none());
        assert!(w.poll(ms(4000)).is_none());
    }

    #[test]
    fn unparsable_rows_report_file_sheet_and_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.csv");
        let mut w = Watcher::new(path.clone(), LoadOptions::default(), SETTLE);
        let huge = "x".repeat(aiops_core::ingest::MAX_CELL_CHARS + 1);
        std::fs::write(&path, format!("实例名称,服务角色\naie1p-a,{huge}\n")).expect("write");
        assert!(w.poll(ms(0)).is_none());
        match w.poll(ms(1000)) {
            Some(Event::Failed { error }) => assert!(error.contains("row 2"), "{error}"),
            other => panic!("expected a failure report, got {other:?}"),
        }
    }

    #[test]
    fn run_stops_when_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (w, _) = watcher(&dir, "ai-ops-list.xlsx");
        let (tx, rx) = std::sync::mpsc::channel();
        tx.send(()).expect("send");
        let mut events = 0;
        run(w, ms(10), &rx, |_| events += 1);
        assert_eq!(events, 0);
    }
}
