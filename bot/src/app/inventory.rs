//! The inventory in force: what is loaded, how a new one comes into force ([`App::install`], the
//! only way), re-reading the configured file, and the last load error.

use super::{App, Change, ChangeKind};
use crate::stamp::{now_unix, sha256_hex};
use crate::store::Recorded;
use aiops_core::diff;
use aiops_core::{LoadError, Topology};
use std::sync::Arc;

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
        }
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
    /// Returns `None` when the content is the same as what is in force.
    pub fn install(&self, source: &str, bytes: Vec<u8>, topo: Topology) -> Option<Change> {
        let old = self.current();
        let sha = sha256_hex(&bytes);
        if sha == old.sha256 {
            tracing::info!("{source} holds the version in force already; nothing changed");
            return None;
        }
        let d = diff::diff(&old.topo, &topo);
        let (summary, full) = diff::summarize(&d);
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
        match crate::loading::file(&path, &self.opts) {
            Ok(l) => {
                self.metrics.reload("ok");
                Ok(self.install(&l.source, l.bytes, l.topo))
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
