//! The bot's shared state: the inventory in force, the history store, cooldowns, pending uploads
//! and in-flight work. Every change of inventory goes through [`App::install`], so history,
//! metrics and the change summary never disagree.

use crate::config::Config;
use crate::history::{now_unix, Recorded, Store};
use crate::metrics::Metrics;
use aiops_commands::Lang;
use aiops_core::diagram::Diagram;
use aiops_core::diff;
use aiops_core::{Aliases, LoadError, LoadOptions, Topology};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

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

/// Why a change summary is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new inventory is in force.
    Update,
    /// The scheduled digest.
    Digest,
    /// A new file did not load; nothing changed.
    Failed,
}

impl ChangeKind {
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::Update => "Inventory changed",
            ChangeKind::Digest => "Inventory digest",
            ChangeKind::Failed => "Inventory reload failed",
        }
    }
}

/// What changed when a new inventory was installed, ready to post.
pub struct Change {
    pub kind: ChangeKind,
    pub headline: String,
    pub summary: String,
    pub full: String,
    pub diagram: Diagram,
    pub version: Option<i64>,
}

/// An uploaded workbook waiting for Apply or Cancel.
pub struct PendingUpload {
    pub user: u64,
    pub name: String,
    pub bytes: Vec<u8>,
    pub topo: Topology,
    pub created: Instant,
}

pub struct App {
    pub cfg: Config,
    pub opts: LoadOptions,
    pub lang: Lang,
    pub metrics: Arc<Metrics>,
    current: RwLock<Arc<Loaded>>,
    last_error: Mutex<Option<String>>,
    store: Mutex<Option<Store>>,
    pub pending: Mutex<HashMap<String, PendingUpload>>,
    cooldowns: Mutex<HashMap<u64, Instant>>,
    accepting: AtomicBool,
    in_flight: AtomicUsize,
    pub idle: tokio::sync::Notify,
}

impl App {
    /// Loads the configured inventory (or the built-in sample) and opens the history store. A
    /// store that cannot be opened is logged and the bot runs without history.
    pub fn new(cfg: Config) -> Result<App, LoadError> {
        let mut opts = LoadOptions::default();
        if let Some(path) = &cfg.aliases {
            let file = path.display().to_string();
            let bytes = aiops_core::read_file(path)?;
            let text = String::from_utf8(bytes).map_err(|_| LoadError::Alias {
                file: file.clone(),
                detail: "not UTF-8 text".into(),
            })?;
            opts.aliases = Aliases::parse(&file, &text)?;
        }
        let (source, bytes) = match &cfg.inventory {
            Some(p) => (p.display().to_string(), aiops_core::read_file(p)?),
            None => (
                aiops_core::SEED_NAME.to_string(),
                aiops_core::SEED_XLSX.to_vec(),
            ),
        };
        let topo = aiops_core::load_bytes(&source, &bytes, &opts)?;
        let store = match Store::open(&cfg.state_dir) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!("history store unavailable, running without history: {e:#}");
                None
            }
        };
        let lang = Lang::parse(&cfg.language).unwrap_or_default();
        let loaded = Loaded {
            topo: Arc::new(topo),
            sha256: crate::history::sha256_hex(&bytes),
            bytes: Arc::new(bytes),
            source,
            loaded_at: now_unix(),
            version: None,
        };
        let app = App {
            cfg,
            opts,
            lang,
            metrics: Arc::new(Metrics::default()),
            current: RwLock::new(Arc::new(loaded)),
            last_error: Mutex::new(None),
            store: Mutex::new(store),
            pending: Mutex::new(HashMap::new()),
            cooldowns: Mutex::new(HashMap::new()),
            accepting: AtomicBool::new(true),
            in_flight: AtomicUsize::new(0),
            idle: tokio::sync::Notify::new(),
        };
        let cur = app.current();
        let version = app.record(&cur.source, &cur.bytes, None);
        if let Some(v) = version {
            app.set_current(Loaded {
                version: Some(v),
                ..clone_loaded(&cur)
            });
            app.metrics.set_inventory_version(v as u64);
        }
        Ok(app)
    }

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

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|g| g.clone())
    }

    pub fn set_last_error(&self, e: Option<String>) {
        if let Ok(mut g) = self.last_error.lock() {
            *g = e;
        }
    }

    /// Runs `f` with the store, if there is one; errors are logged, not raised.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> anyhow::Result<R>) -> Option<R> {
        let mut guard = self.store.lock().ok()?;
        let store = guard.as_mut()?;
        match f(store) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!("history store: {e:#}");
                None
            }
        }
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
        let sha = crate::history::sha256_hex(&bytes);
        if sha == old.sha256 {
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
    pub fn reload(&self) -> Result<Option<Change>, String> {
        let Some(path) = self.cfg.inventory.clone() else {
            return Err(
                "no inventory file is configured (the bot runs on the built-in sample)".into(),
            );
        };
        let loaded = aiops_core::read_file(&path).and_then(|b| {
            aiops_core::load_bytes(&path.display().to_string(), &b, &self.opts).map(|t| (b, t))
        });
        match loaded {
            Ok((bytes, topo)) => {
                self.metrics.reload("ok");
                Ok(self.install(&path.display().to_string(), bytes, topo))
            }
            Err(e) => {
                self.metrics.reload("failed");
                let msg = e.to_string();
                self.set_last_error(Some(msg.clone()));
                Err(msg)
            }
        }
    }

    /// Starts a per-user cooldown; returns the time left when the user is still cooling down.
    pub fn cooldown(&self, user: u64) -> Option<Duration> {
        let span = Duration::from_secs(self.cfg.cooldown_secs);
        let mut m = self.cooldowns.lock().ok()?;
        let now = Instant::now();
        if let Some(at) = m.get(&user) {
            let since = now.duration_since(*at);
            if since < span {
                return Some(span - since);
            }
        }
        m.insert(user, now);
        if m.len() > 10_000 {
            m.retain(|_, t| now.duration_since(*t) < span);
        }
        None
    }

    /// Registers work in flight; `None` when the bot is shutting down.
    pub fn begin(self: &Arc<Self>) -> Option<InFlight> {
        if !self.accepting.load(Ordering::SeqCst) {
            return None;
        }
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Some(InFlight(self.clone()))
    }

    /// Stops taking new work and waits (up to `limit`) for what is in flight.
    pub async fn drain(&self, limit: Duration) {
        self.accepting.store(false, Ordering::SeqCst);
        let wait = async {
            while self.in_flight.load(Ordering::SeqCst) > 0 {
                self.idle.notified().await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    /// Recent changes near `ids` (themselves and 2 hops around), newest first, from history.
    pub fn recent_changes_near(&self, ids: &[String], window_secs: i64) -> Vec<String> {
        let since = now_unix() - window_secs;
        let versions = self.with_store(|s| s.list()).unwrap_or_default();
        let mut out = Vec::new();
        let mut newer: Option<(String, Topology)> = None;
        for v in versions.iter() {
            let Some(bytes) = self.with_store(|s| s.bytes(v.id)).flatten() else {
                continue;
            };
            let Ok(topo) = aiops_core::load_bytes(&v.source, &bytes, &self.opts) else {
                continue;
            };
            if let Some((label, new)) = &newer {
                let near = diff::neighbourhood(new, ids, 2);
                let d = diff::diff(&topo, new).touching(&near);
                if !d.is_empty() {
                    out.push(format!("{label}: {}", diff::headline(&d)));
                }
            }
            if v.seen_at < since || out.len() >= 5 {
                break;
            }
            newer = Some((
                format!("v{} ({})", v.id, crate::history::rfc3339(v.seen_at)),
                topo,
            ));
        }
        out
    }
}

fn clone_loaded(l: &Loaded) -> Loaded {
    Loaded {
        topo: l.topo.clone(),
        bytes: l.bytes.clone(),
        source: l.source.clone(),
        sha256: l.sha256.clone(),
        loaded_at: l.loaded_at,
        version: l.version,
    }
}

/// Work in flight; dropping it lets a draining shutdown proceed.
pub struct InFlight(Arc<App>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
