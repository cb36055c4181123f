//! The inventory in force: what is loaded, how a new one comes into force ([`App::install`], the
//! only way), re-reading the configured file, and the last load error.

use super::{App, Change, ChangeKind};
use crate::stamp::{now_unix, sha256_hex};
use crate::store::Recorded;
use aiops_core::diff::{self, Standing};
use aiops_core::{LoadError, Topology};
use std::sync::{Arc, OnceLock, PoisonError};
use std::time::Instant;

/// An inventory that loaded cleanly.
pub struct Loaded {
    pub topo: Arc<Topology>,
    pub bytes: Arc<Vec<u8>>,
    pub source: String,
    pub sha256: String,
    /// Unix seconds.
    pub loaded_at: i64,
    /// History id, when the store is available.
    pub version: Option<i64>,
    /// When its bytes were read (for an upload: when it was applied). Content read earlier
    /// never replaces it.
    pub read_at: Instant,
    /// Its single points of failure and lint warnings, which a diff with the next version
    /// compares: computed once (by the diff that installed it, or by [`Loaded::standing`]), so
    /// that a reload computes only the new side's. It saves that CPU, not peak memory: a
    /// reload's peak is in loading the new file beside the graph in force.
    standing: Arc<OnceLock<Standing>>,
}

impl Loaded {
    /// A freshly loaded inventory, loaded now.
    pub fn new(l: crate::loading::Loaded, version: Option<i64>) -> Loaded {
        Loaded {
            topo: Arc::new(l.topo),
            sha256: sha256_hex(&l.bytes),
            bytes: Arc::new(l.bytes),
            source: l.source,
            loaded_at: now_unix(),
            version,
            read_at: Instant::now(),
            standing: Arc::default(),
        }
    }

    /// Its standing, computed now if no diff has computed it yet.
    pub fn standing(&self) -> &Standing {
        self.standing.get_or_init(|| Standing::of(&self.topo))
    }
}

impl App {
    pub fn current(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn set_current(&self, l: Loaded) {
        match self.current.write() {
            Ok(mut g) => *g = Arc::new(l),
            Err(p) => *p.into_inner() = Arc::new(l),
        }
    }

    /// Records the inventory loaded at start-up in the history and notes its version.
    pub(super) fn record_in_force(&self) {
        let cur = self.current();
        let Some(v) = self.record(&cur.source, &cur.bytes, None) else {
            return;
        };
        self.set_current(Loaded {
            topo: cur.topo.clone(),
            bytes: cur.bytes.clone(),
            source: cur.source.clone(),
            sha256: cur.sha256.clone(),
            loaded_at: cur.loaded_at,
            version: Some(v),
            read_at: cur.read_at,
            standing: cur.standing.clone(),
        });
        self.metrics.set_inventory_version(v as u64);
    }

    fn record(&self, source: &str, bytes: &[u8], summary: Option<&str>) -> Option<i64> {
        self.with_store(|s| {
            let r = s.record(source, bytes, now_unix(), |_| {
                summary.unwrap_or("loaded").to_string()
            })?;
            Ok(match r {
                Recorded::New(id) | Recorded::Unchanged(id) => id,
            })
        })
    }

    /// Makes `topo` the inventory in force, records it in history, and says what changed.
    /// Returns `None` when the content is the same as what is in force, or when what is in force
    /// was read after `read_at` (when its bytes were read).
    ///
    /// One install at a time: the watcher, `/inventory reload` and an applied upload can finish
    /// loading together, and each diffs against what is in force when it comes in. The read
    /// times keep a slow load of older content (a reload that read the file just before it
    /// changed) from replacing a newer one that finished first: the watcher, which has seen the
    /// newer content already, would never bring it back.
    pub fn install(
        &self,
        source: &str,
        bytes: Vec<u8>,
        topo: Topology,
        read_at: Instant,
    ) -> Option<Change> {
        let _one_at_a_time = self
            .installing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let old = self.current();
        if read_at < old.read_at {
            let in_force = old.version.map_or_else(String::new, |v| format!(" (v{v})"));
            tracing::info!(
                "{source} was read before the version in force{in_force}, which stays; \
                 this older read is not installed"
            );
            return None;
        }
        let sha = sha256_hex(&bytes);
        if sha == old.sha256 {
            tracing::info!("{source} holds the version in force already; nothing changed");
            return None;
        }
        let (d, standing) = diff::diff_from(&old.topo, old.standing(), &topo);
        let (summary, full) = diff::summarize_within(&d, super::change::DETAIL_MAX_BYTES);
        let headline = diff::headline(&d);
        let diagram = diff::diagram(&d, &old.topo, &topo, aiops_commands::DIAGRAM_NODE_CAP);
        let version = self.record(source, &bytes, Some(&headline));
        if let Some(v) = version {
            self.metrics.set_inventory_version(v as u64);
        }
        self.set_current(Loaded {
            topo: Arc::new(topo),
            sha256: sha,
            bytes: Arc::new(bytes),
            source: source.to_string(),
            loaded_at: now_unix(),
            version,
            read_at,
            standing: Arc::new(OnceLock::from(standing)),
        });
        self.set_last_error(None);
        match version {
            Some(v) => tracing::info!("{source} is in force as v{v}"),
            None => tracing::info!("{source} is in force (no history is kept)"),
        }
        Some(Change {
            kind: ChangeKind::Update,
            headline,
            summary,
            full,
            diagram,
            version,
        })
    }

    /// Re-reads the configured inventory file. A file that does not load leaves the inventory in
    /// force untouched and becomes the last error.
    pub fn reload(&self) -> Result<Option<Change>, ReloadError> {
        let Some(path) = self.cfg.inventory.clone() else {
            return Err(ReloadError::NoFile);
        };
        let read_at = Instant::now();
        match crate::loading::file(&path, &self.opts) {
            Ok(l) => {
                self.metrics.reload("ok");
                Ok(self.install(&l.source, l.bytes, l.topo, read_at))
            }
            Err(e) => {
                self.metrics.reload("failed");
                self.set_last_error(Some(e.to_string()));
                Err(ReloadError::Load(e))
            }
        }
    }
}

/// Why a reload changed nothing.
#[derive(Debug)]
pub enum ReloadError {
    /// No inventory file is configured: the bot runs on the built-in sample.
    NoFile,
    /// The file does not load; the inventory in force stays.
    Load(LoadError),
}

impl std::fmt::Display for ReloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReloadError::NoFile => write!(
                f,
                "no inventory file is configured (the bot runs on the built-in sample)"
            ),
            ReloadError::Load(e) => write!(f, "{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use aiops_core::synth::{csv_of, Shape};

    /// An app on a small inventory that is not the seed, with its history in `dir`; and three
    /// versions of that inventory, each one row longer than the one before.
    fn app_and_versions(dir: &std::path::Path) -> (App, Vec<(Vec<u8>, Topology)>) {
        let versions: Vec<_> = (40..43)
            .map(|n| {
                let bytes = csv_of(&Shape::SmallDomains.rows(n)).into_bytes();
                let topo = aiops_core::load_bytes("inventory.csv", &bytes, &Default::default())
                    .expect("loads");
                (bytes, topo)
            })
            .collect();
        let inventory = dir.join("inventory.csv");
        std::fs::write(&inventory, &versions[0].0).expect("write");
        let cfg = Config {
            inventory: Some(inventory),
            state_dir: dir.to_path_buf(),
            ..Config::default()
        };
        (App::new(cfg).expect("app"), versions)
    }

    #[test]
    fn content_read_before_the_version_in_force_never_replaces_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (app, mut versions) = app_and_versions(dir.path());
        let (v3, v2) = (versions.pop().expect("v3"), versions.pop().expect("v2"));
        // A reload reads v2; the file then changes, and the watcher reads and installs v3
        // before the reload's slower load of v2 ends.
        let reload_read = Instant::now();
        let watcher_read = Instant::now();
        let change = app.install("inventory.csv", v3.0.clone(), v3.1, watcher_read);
        assert!(change.is_some(), "v3 comes into force");
        assert!(app
            .install("inventory.csv", v2.0.clone(), v2.1, reload_read)
            .is_none());
        assert_eq!(app.current().sha256, sha256_hex(&v3.0), "v3 stays in force");
        // Read later, the same v2 content does come into force, diffed against v3.
        let topo = aiops_core::load_bytes("inventory.csv", &v2.0, &app.opts).expect("loads");
        let change = app
            .install("inventory.csv", v2.0.clone(), topo, Instant::now())
            .expect("v2 read after v3 comes into force");
        assert!(
            change.headline.contains("instances +0 −1"),
            "{}",
            change.headline
        );
        assert_eq!(app.current().sha256, sha256_hex(&v2.0));
    }

    /// `+A −B` after "instances" in a change headline: A − B.
    fn instances_delta(headline: &str) -> i64 {
        let rest = headline
            .split("instances ")
            .nth(1)
            .expect("instances in the headline");
        let mut nums = rest.split([' ', ',']).take(2).map(|n| {
            n.trim_start_matches(['+', '−'])
                .parse::<i64>()
                .expect("a count")
        });
        let (added, removed) = (nums.next().expect("added"), nums.next().expect("removed"));
        added - removed
    }

    #[test]
    fn installs_that_finish_together_each_diff_against_the_one_before() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (app, versions) = app_and_versions(dir.path());
        let app = Arc::new(app);
        let first = app.current().sha256.clone();
        let start = app.current().topo.instance_count() as i64;
        let threads: Vec<_> = versions
            .into_iter()
            .skip(1)
            .map(|(bytes, topo)| {
                let app = app.clone();
                std::thread::spawn(move || {
                    app.install("inventory.csv", bytes, topo, Instant::now())
                })
            })
            .collect();
        // Each diffed against what was in force when it came in (or, read earlier than what
        // came in first, was refused): their instance counts chain from the start to the end.
        // Diffed both against the start, they would add up to 3 or 1 against the end's 2 or 1.
        let mut delta = 0i64;
        for t in threads {
            if let Some(change) = t.join().expect("join") {
                delta += instances_delta(&change.headline);
            }
        }
        let end = app.current().topo.instance_count() as i64;
        assert_eq!(start + delta, end);
        assert_ne!(app.current().sha256, first);
    }

    /// Each install diffs against the standing kept with the version in force, and keeps the new
    /// version's: along a chain where a SPOF and a warning appear, clear and appear again, every
    /// change's full text is the one a diff computing both sides gives. Another team's sheet.
    #[test]
    fn installs_compare_with_the_standing_kept_in_force() {
        let sheet = |beta_nodes: usize, zeta_down: &str| {
            aiops_core::synth::small_team_csv(beta_nodes, zeta_down).into_bytes()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let inventory = dir.path().join("inventory.csv");
        let versions = [
            sheet(2, ""),
            sheet(1, "ops7-alpha-01"),
            sheet(2, ""),
            sheet(1, "ops7-alpha-01"),
        ];
        std::fs::write(&inventory, &versions[0]).expect("write");
        let cfg = Config {
            inventory: Some(inventory),
            state_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let app = App::new(cfg).expect("app");
        let load = |b: &[u8]| aiops_core::load_bytes("inventory.csv", b, &app.opts).expect("loads");
        let mut spof_changes = 0;
        for pair in versions.windows(2) {
            let (old, new) = (load(&pair[0]), load(&pair[1]));
            let change = app
                .install(
                    "inventory.csv",
                    pair[1].clone(),
                    new.clone(),
                    Instant::now(),
                )
                .expect("a new version");
            let (_, full) =
                diff::summarize_within(&diff::diff(&old, &new), super::super::DETAIL_MAX_BYTES);
            assert_eq!(change.full, full);
            spof_changes += usize::from(change.headline.contains("SPOFs"));
            assert_eq!(app.current().standing(), &Standing::of(&new));
        }
        assert_eq!(spof_changes, 3, "every step moves the SPOF");
    }
}
