//! Watches the inventory file by polling and reloads it when it changes.
//!
//! A new version is taken only when two reads at least the settle interval apart give the same
//! bytes and those bytes parse: a half-written file (an editor saving in place) is still changing
//! or does not parse, so it is never taken. A file that cannot be used — missing, unreadable, a
//! directory, or content that does not load — is a [`Problem`], reported once when it has lasted
//! the settle interval (an editor replacing the file is missing for a moment, which is no
//! problem), while the last good version stays in force. The problem is over when the file is
//! usable again: with the content in force ([`Event::Recovered`]) or a new one
//! ([`Event::Loaded`]). The file's inode is part of what is compared, so a symlink switched to
//! another file (how Kubernetes updates a mounted ConfigMap) is read even when size and time
//! match. Polling needs no new dependencies and behaves the same on every filesystem, network
//! mounts included.
//!
//! [`Watcher::poll`] takes the time as an argument, so tests drive it without sleeping;
//! [`run`] is the loop a thread runs, with a stop channel.

use aiops_core::{LoadOptions, Topology};
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// What a poll noticed.
#[derive(Debug)]
pub enum Event {
    /// A new version: it parsed cleanly and stayed the same for the settle interval. Ends a
    /// problem, if there was one.
    Loaded {
        bytes: Vec<u8>,
        topo: Box<Topology>,
        /// When `bytes` were read.
        read_at: Instant,
        /// The problem this ends.
        ended: Option<Problem>,
    },
    /// The file cannot be used; the last good version stays in force.
    Problem(Problem),
    /// The file is usable again and holds the version in force: the problem is over.
    Recovered(Problem),
}

/// Why the file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing,
    /// It exists but cannot be read (permissions, I/O); the system's words.
    Unreadable(String),
    /// A directory or another thing that is not a file.
    NotAFile,
    /// It reads but does not load: the file/sheet/row of the error.
    DoesNotLoad(String),
}

impl Problem {
    /// What an operator reads, naming the file.
    pub fn describe(&self, path: &std::path::Path) -> String {
        let file = path.display();
        match self {
            Problem::Missing => format!("{file} is missing"),
            Problem::Unreadable(e) => format!("{file} cannot be read: {e}"),
            Problem::NotAFile => format!("{file} is a directory, not a file"),
            Problem::DoesNotLoad(e) => format!("{file} does not load: {e}"),
        }
    }
}

/// The file's metadata, to skip reading a file that has not changed. Permissions and owner are
/// in it because a `chmod` or `chown` changes whether the bot may read the file without
/// touching its time or size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    dev: u64,
    ino: u64,
    mode: u32,
    uid: u32,
    gid: u32,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            dev: meta.dev(),
            ino: meta.ino(),
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
        }
    }
}

/// The shortest wait between two polls.
const MIN_POLL: Duration = Duration::from_millis(50);

/// Something seen once, waiting to be seen again after the settle interval.
#[derive(Debug)]
struct Pending<T> {
    what: T,
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
    pending: Option<Pending<String>>,
    pending_problem: Option<Pending<Problem>>,
    problem: Option<Problem>,
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
            pending_problem: None,
            problem: None,
        }
    }

    /// Starts from a version already loaded, so it is not reported again.
    pub fn with_current(mut self, bytes: &[u8]) -> Watcher {
        self.good = Some(crate::stamp::sha256_hex(bytes));
        self
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The problem reported and not over yet.
    pub fn problem(&self) -> Option<&Problem> {
        self.problem.as_ref()
    }

    /// How long to wait before the next poll, so that whatever happens to the file is reported
    /// within `interval`: the rest of the settle interval while something waits to be seen
    /// again, else `interval` less the settle interval (what the next poll sees first still has
    /// time to settle).
    pub fn next_poll(&self, now: Duration, interval: Duration) -> Duration {
        let first_seen = [
            self.pending.as_ref().map(|p| p.since),
            self.pending_problem.as_ref().map(|p| p.since),
        ]
        .into_iter()
        .flatten()
        .min();
        match first_seen {
            Some(since) => (since + self.settle).saturating_sub(now),
            None => interval.saturating_sub(self.settle),
        }
        .max(MIN_POLL)
    }

    /// Looks at the file once; `now` is the time since the watch started.
    pub fn poll(&mut self, now: Duration) -> Option<Event> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return self.trouble(Problem::NotAFile, now),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return self.trouble(Problem::Missing, now)
            }
            Err(e) => return self.trouble(Problem::Unreadable(e.to_string()), now),
        };
        let stamp = Stamp::of(&meta);
        if self.pending.is_none()
            && self.pending_problem.is_none()
            && self.stamp.as_ref() == Some(&stamp)
        {
            return None;
        }
        let read_at = Instant::now();
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return self.trouble(Problem::Missing, now)
            }
            Err(e) => return self.trouble(Problem::Unreadable(e.to_string()), now),
        };
        self.stamp = Some(stamp);
        self.pending_problem = None;
        let hash = crate::stamp::sha256_hex(&bytes);
        if self.good.as_ref() == Some(&hash) {
            self.pending = None;
            return self.problem.take().map(Event::Recovered);
        }
        if self.failed.as_ref() == Some(&hash) {
            self.pending = None;
            return None;
        }
        match &self.pending {
            Some(p) if p.what == hash && now.saturating_sub(p.since) >= self.settle => {
                self.pending = None;
                let file = self.path.display().to_string();
                tracing::info!(
                    "loading a new version of {file} ({} bytes); the version in force answers until it is ready",
                    bytes.len()
                );
                let started = std::time::Instant::now();
                let loaded = aiops_core::load_bytes(&file, &bytes, &self.opts);
                tracing::info!("loading {file} took {:.2?}", started.elapsed());
                match loaded {
                    Ok(topo) => {
                        self.good = Some(hash);
                        self.failed = None;
                        Some(Event::Loaded {
                            bytes,
                            read_at,
                            topo: Box::new(topo),
                            ended: self.problem.take(),
                        })
                    }
                    Err(e) => {
                        self.failed = Some(hash);
                        let problem = Problem::DoesNotLoad(e.to_string());
                        self.problem = Some(problem.clone());
                        Some(Event::Problem(problem))
                    }
                }
            }
            Some(p) if p.what == hash => None,
            _ => {
                self.pending = Some(Pending {
                    what: hash,
                    since: now,
                });
                None
            }
        }
    }

    /// The file cannot be used now: a problem once it has lasted the settle interval.
    fn trouble(&mut self, problem: Problem, now: Duration) -> Option<Event> {
        self.pending = None;
        // Read the file again when it is back, whatever its metadata.
        self.stamp = None;
        if self.problem.as_ref() == Some(&problem) {
            return None;
        }
        match &self.pending_problem {
            Some(p) if p.what == problem && now.saturating_sub(p.since) >= self.settle => {
                self.pending_problem = None;
                // Content that failed before is reported again when it comes back.
                self.failed = None;
                self.problem = Some(problem.clone());
                Some(Event::Problem(problem))
            }
            Some(p) if p.what == problem => None,
            _ => {
                self.pending_problem = Some(Pending {
                    what: problem,
                    since: now,
                });
                None
            }
        }
    }
}

/// Polls, as often as [`Watcher::next_poll`] says for `interval`, until `stop` receives or its sender is dropped, handing each event to
/// `on_event` and calling `polled` after every poll. Meant for a thread of its own.
pub fn run(
    mut watcher: Watcher,
    interval: Duration,
    stop: &Receiver<()>,
    mut on_event: impl FnMut(Event),
    mut polled: impl FnMut(&Watcher),
) {
    let start = Instant::now();
    loop {
        if let Some(ev) = watcher.poll(start.elapsed()) {
            on_event(ev);
        }
        polled(&watcher);
        match stop.recv_timeout(watcher.next_poll(start.elapsed(), interval)) {
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
            Some(Event::Problem(Problem::DoesNotLoad(error))) => {
                assert!(error.contains("ai-ops-list.xlsx"), "{error}")
            }
            other => panic!("expected a failure report, got {other:?}"),
        }
        assert!(
            w.poll(ms(2000)).is_none(),
            "the same bad file is reported once"
        );
        // Saving the last good content again is no new version, and ends the problem.
        std::fs::write(&path, SEED).expect("write");
        assert!(matches!(
            w.poll(ms(3000)),
            Some(Event::Recovered(Problem::DoesNotLoad(_)))
        ));
        assert!(w.problem().is_none());
        assert!(w.poll(ms(4000)).is_none());
    }

    #[test]
    fn a_missing_file_is_reported_once_after_the_settle_interval_and_its_return_ends_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut w, path) = watcher(&dir, "ai-ops-list.xlsx");
        std::fs::write(&path, SEED).expect("write");
        assert!(w.poll(ms(0)).is_none());
        std::fs::remove_file(&path).expect("remove");
        assert!(w.poll(ms(500)).is_none(), "missing for a moment: in flux");
        assert!(matches!(
            w.poll(ms(1500)),
            Some(Event::Problem(Problem::Missing))
        ));
        assert!(w.poll(ms(2500)).is_none(), "reported once");
        assert_eq!(w.problem(), Some(&Problem::Missing));
        std::fs::write(&path, SEED).expect("write");
        assert!(matches!(
            w.poll(ms(3500)),
            Some(Event::Recovered(Problem::Missing))
        ));
    }

    #[test]
    fn a_directory_and_an_unreadable_path_are_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut w, path) = watcher(&dir, "inventory.xlsx");
        std::fs::create_dir(&path).expect("mkdir");
        assert!(w.poll(ms(0)).is_none());
        assert!(matches!(
            w.poll(ms(1000)),
            Some(Event::Problem(Problem::NotAFile))
        ));
        // Permissions do not stop root, who runs the tests; a symlink loop fails to open the
        // same way (any error but "not found").
        std::fs::remove_dir(&path).expect("rmdir");
        std::os::unix::fs::symlink(&path, &path).expect("symlink");
        assert!(w.poll(ms(2000)).is_none());
        match w.poll(ms(3000)) {
            Some(Event::Problem(Problem::Unreadable(e))) => assert!(!e.is_empty()),
            other => panic!("expected an unreadable file, got {other:?}"),
        }
    }

    #[test]
    fn a_symlink_switched_to_another_file_is_read_even_with_the_same_size_and_time() {
        // How Kubernetes updates a ConfigMap: `inventory.md` -> `..data/inventory.md`, and
        // `..data` is switched atomically to a new directory.
        let dir = tempfile::tempdir().expect("tempdir");
        let md = aiops_core::SEED_MARKDOWN;
        let edited = md.replacen("CI 构建服务器", "CI 构建服务甲", 1);
        assert_eq!(md.len(), edited.len());
        let (v1, v2) = (dir.path().join("v1"), dir.path().join("v2"));
        for (d, text) in [(&v1, md), (&v2, edited.as_str())] {
            std::fs::create_dir(d).expect("mkdir");
            std::fs::write(d.join("inventory.md"), text).expect("write");
        }
        let when = std::fs::metadata(v1.join("inventory.md"))
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::File::options()
            .write(true)
            .open(v2.join("inventory.md"))
            .and_then(|f| f.set_modified(when))
            .expect("set mtime");
        let data = dir.path().join("..data");
        std::os::unix::fs::symlink(&v1, &data).expect("symlink");
        let path = dir.path().join("inventory.md");
        std::os::unix::fs::symlink(data.join("inventory.md"), &path).expect("symlink");
        let mut w =
            Watcher::new(path.clone(), LoadOptions::default(), SETTLE).with_current(md.as_bytes());
        assert!(w.poll(ms(0)).is_none());
        let tmp = dir.path().join("..data_tmp");
        std::os::unix::fs::symlink(&v2, &tmp).expect("symlink");
        std::fs::rename(&tmp, &data).expect("switch");
        assert!(w.poll(ms(1000)).is_none(), "first sight");
        let topo = loaded(w.poll(ms(2000))).expect("the switched file is loaded");
        assert!(topo
            .nodes()
            .iter()
            .any(|n| n.role.contains("CI 构建服务甲")));
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
            Some(Event::Problem(Problem::DoesNotLoad(error))) => {
                assert!(error.contains("row 2"), "{error}")
            }
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
        run(w, ms(10), &rx, |_| events += 1, |_| {});
        assert_eq!(events, 0);
    }

    /// Polls on the schedule [`Watcher::next_poll`] gives, from `from` until an event or `until`;
    /// the time of the event.
    fn first_event_between(
        w: &mut Watcher,
        from: Duration,
        until: Duration,
        interval: Duration,
    ) -> Option<(Duration, Event)> {
        let mut now = from;
        while now <= until {
            if let Some(ev) = w.poll(now) {
                return Some((now, ev));
            }
            now += w.next_poll(now, interval);
        }
        None
    }

    #[test]
    fn every_change_is_reported_within_one_interval() {
        let interval = ms(4000);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.xlsx");
        std::fs::write(&path, SEED).expect("write");
        let mut w =
            Watcher::new(path.clone(), LoadOptions::default(), interval / 2).with_current(SEED);
        // Quiet: polls every interval less the settle time, never more often.
        assert!(w.poll(ms(0)).is_none());
        assert_eq!(w.next_poll(ms(0), interval), ms(2000));
        // The file vanishes just after a poll: reported within one interval of vanishing.
        let mut now = ms(0);
        std::fs::remove_file(&path).expect("remove");
        let (at, ev) = first_event_between(&mut w, now + ms(1), now + interval * 3, interval)
            .expect("reported");
        assert!(matches!(ev, Event::Problem(Problem::Missing)), "{ev:?}");
        assert!(at <= now + interval, "missing reported at {at:?}");
        // It comes back with the same bytes: recovered within one interval.
        now = at;
        std::fs::write(&path, SEED).expect("write");
        let (at, ev) = first_event_between(&mut w, now + ms(1), now + interval * 3, interval)
            .expect("recovered");
        assert!(matches!(ev, Event::Recovered(Problem::Missing)), "{ev:?}");
        assert!(at <= now + interval, "recovery reported at {at:?}");
        now = at;
        // A new version (another file, as a new watch sees it): taken within one interval.
        let mut w2 = Watcher::new(
            dir.path().join("seed.md"),
            LoadOptions::default(),
            interval / 2,
        );
        std::fs::write(dir.path().join("seed.md"), aiops_core::SEED_MARKDOWN).expect("write");
        let (at2, ev) =
            first_event_between(&mut w2, now, now + interval * 3, interval).expect("loaded");
        assert!(matches!(ev, Event::Loaded { .. }), "{ev:?}");
        assert!(at2 <= now + interval, "new version taken at {at2:?}");
    }
}
