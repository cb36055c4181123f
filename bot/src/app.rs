//! The bot's shared state: the inventory in force, the history store, cooldowns, pending uploads
//! and in-flight work. Every change of inventory goes through [`App::install`], so history,
//! metrics and the change summary never disagree.

use crate::config::Config;
use crate::history::{now_unix, Recorded, Store, Version};
use crate::metrics::Metrics;
use aiops_commands::Lang;
use aiops_core::diagram::Diagram;
use aiops_core::diff::{self, InventoryDiff};
use aiops_core::{Aliases, LoadError, LoadOptions, Topology};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
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
    changes: Mutex<ChangeCache>,
}

/// How many pairs of consecutive versions [`ChangeCache`] keeps (the newest ones): enough for a
/// busy week of inventory changes, the window incident replies look back over. Most diffs are
/// small (the few rows an edit touched); a bulk edit's diff can hold a good part of the
/// inventory, so the cap trades memory in that worst case for not re-loading whole inventories.
const CACHED_PAIRS: usize = 256;

/// What [`App::recent_changes_near`] learnt from history, so that it loads each stored version
/// at most once per process while its pairs are among the newest `cap`. Nothing here goes
/// stale: a version's bytes never change, and neither do the load options. Only diffs are kept,
/// never old topologies (which can weigh 100+ MB each).
struct ChangeCache {
    /// How many pairs to keep; [`CACHED_PAIRS`] but in tests.
    cap: usize,
    /// `(newer, older)` version ids → everything that changed between them, unfiltered. Keyed
    /// newer first so that the oldest pairs are the first ones evicted.
    pairs: BTreeMap<(i64, i64), Arc<InventoryDiff>>,
    /// Whether a version's bytes load; versions that do not are skipped. Up to `2 * cap`.
    loads: BTreeMap<i64, bool>,
}

impl ChangeCache {
    fn new(cap: usize) -> ChangeCache {
        ChangeCache {
            cap,
            pairs: BTreeMap::new(),
            loads: BTreeMap::new(),
        }
    }

    fn insert_pair(&mut self, key: (i64, i64), d: Arc<InventoryDiff>) {
        insert_newest(&mut self.pairs, self.cap, key, d);
    }

    fn insert_load(&mut self, id: i64, ok: bool) {
        insert_newest(&mut self.loads, 2 * self.cap, id, ok);
    }
}

/// Inserts into `map`, keeping its `cap` largest keys. A key that would be evicted at once (the
/// map is full and it is smaller than every key there) is not inserted at all: a walk over more
/// history than the cache holds then leaves the newest entries alone.
fn insert_newest<K: Ord, V>(map: &mut BTreeMap<K, V>, cap: usize, key: K, value: V) {
    let too_old = map.first_key_value().is_none_or(|(first, _)| key < *first);
    if map.len() >= cap && too_old {
        return;
    }
    map.insert(key, value);
    while map.len() > cap {
        map.pop_first();
    }
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
            changes: Mutex::new(ChangeCache::new(CACHED_PAIRS)),
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

    /// Recent changes near `ids` (themselves and 2 hops around), newest first, from history:
    /// one line `v{id} ({rfc3339}): {headline}` per stored version that changed something near
    /// them, at most 5, going back `window_secs` (the version just before the window is the base
    /// of the oldest line). Versions whose bytes do not load are skipped.
    ///
    /// Each diff between consecutive versions is computed once per process and cached
    /// ([`ChangeCache`]): a repeated call, even for other `ids`, loads nothing as long as the
    /// pairs it walks are among the newest [`CACHED_PAIRS`]. Older pairs are loaded and diffed
    /// again on every call and not cached, so they never push newer ones out. The cache lock is
    /// held only to look up and insert, never while loading or diffing, so one cold walk does not
    /// hold up other replies; two concurrent calls may then compute the same pair twice.
    ///
    /// "Near" is judged on the inventory in force: the neighbourhood of `ids` is computed once,
    /// on [`App::current`], not on the newer version of each pair (that would need every old
    /// topology again). For the newest change the two are the same; for an older one, a component
    /// that was within 2 hops of `ids` when the change was made but no longer is (or the other
    /// way round) counts by where it is now. `ids` themselves always count.
    pub fn recent_changes_near(&self, ids: &[String], window_secs: i64) -> Vec<String> {
        let since = now_unix() - window_secs;
        let versions = self.with_store(|s| s.list()).unwrap_or_default();
        let cur = self.current();
        let near = diff::neighbourhood(&cur.topo, ids, 2);
        let mut out = Vec::new();
        // The previous (newer) version that loads, and its topology when it had to be loaded.
        let mut newer: Option<(&Version, Option<Arc<Topology>>)> = None;
        for v in versions.iter() {
            let (cached, loads) = {
                let cache = self.change_cache();
                let pair = newer.as_ref().map(|(n, _)| (n.id, v.id));
                let cached = pair.and_then(|key| cache.pairs.get(&key).cloned());
                (cached, cache.loads.get(&v.id).copied())
            };
            let mut topo = None;
            if cached.is_none() {
                match loads {
                    Some(false) => continue,
                    Some(true) => {}
                    None => match self.load_version(v, &cur) {
                        Some(Ok(t)) => {
                            self.change_cache().insert_load(v.id, true);
                            topo = Some(t);
                        }
                        Some(Err(())) => {
                            self.change_cache().insert_load(v.id, false);
                            continue;
                        }
                        // The store did not give the bytes this time: skip, remember nothing.
                        None => continue,
                    },
                }
            }
            if let Some((n, n_topo)) = &mut newer {
                let d = match cached {
                    Some(d) => Some(d),
                    None => self.pair_diff(v, &mut topo, n, n_topo, &cur),
                };
                if let Some(d) = d.map(|d| d.touching(&near)).filter(|d| !d.is_empty()) {
                    let label = format!("v{} ({})", n.id, crate::history::rfc3339(n.seen_at));
                    out.push(format!("{label}: {}", diff::headline(&d)));
                }
            }
            if v.seen_at < since || out.len() >= 5 {
                break;
            }
            newer = Some((v, topo));
        }
        out
    }

    /// The cache of [`App::recent_changes_near`]. Hold it only for lookups and inserts.
    fn change_cache(&self) -> MutexGuard<'_, ChangeCache> {
        self.changes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The diff from `older` to `newer`, loading whichever topology is not at hand yet (with the
    /// cache unlocked), and caches it. `None` when a topology cannot be had right now (the store
    /// failed).
    fn pair_diff(
        &self,
        older: &Version,
        older_topo: &mut Option<Arc<Topology>>,
        newer: &Version,
        newer_topo: &mut Option<Arc<Topology>>,
        cur: &Loaded,
    ) -> Option<Arc<InventoryDiff>> {
        for (v, t) in [(older, &mut *older_topo), (newer, &mut *newer_topo)] {
            if t.is_none() {
                *t = self.load_version(v, cur)?.ok();
            }
        }
        self.note_work();
        let d = Arc::new(diff::diff(older_topo.as_deref()?, newer_topo.as_deref()?));
        self.change_cache()
            .insert_pair((newer.id, older.id), d.clone());
        Some(d)
    }

    /// Counts a load or diff of [`App::recent_changes_near`] for the tests, and whether the
    /// cache was locked meanwhile.
    #[cfg(test)]
    fn note_work(&self) {
        let locked = matches!(
            self.changes.try_lock(),
            Err(std::sync::TryLockError::WouldBlock)
        );
        tests::WORK.with(|w| {
            let (n, under_lock) = w.get();
            w.set((n + 1, under_lock + usize::from(locked)));
        });
    }

    #[cfg(not(test))]
    fn note_work(&self) {}

    /// A stored version's topology: the one in force when the content is the same, else its
    /// bytes loaded again. `None` when the store gives no bytes, `Some(Err)` when they do not
    /// load.
    fn load_version(&self, v: &Version, cur: &Loaded) -> Option<Result<Arc<Topology>, ()>> {
        if v.sha256 == cur.sha256 {
            return Some(Ok(cur.topo.clone()));
        }
        self.note_work();
        let bytes = self.with_store(|s| s.bytes(v.id)).flatten()?;
        Some(
            aiops_core::load_bytes(&v.source, &bytes, &self.opts)
                .map(Arc::new)
                .map_err(|_| ()),
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::DB_FILE;

    const KAFKA: &str = "aie1p-kafka-server-01";
    const JENKINS: &str = "aie1p-jenkins";
    /// Seconds between two stored versions.
    const STEP: i64 = 1_000;

    thread_local! {
        /// `(loads and diffs, of which with the cache locked)` by `recent_changes_near` on
        /// this thread.
        pub(super) static WORK: std::cell::Cell<(usize, usize)> =
            const { std::cell::Cell::new((0, 0)) };
    }

    fn csv(rows: &[[String; 4]]) -> Vec<u8> {
        let mut s = aiops_core::synth::HEADER.join(",");
        for r in rows {
            let quoted: Vec<String> = r.iter().map(|c| format!("\"{c}\"")).collect();
            s.push('\n');
            s.push_str(&quoted.join(","));
        }
        s.into_bytes()
    }

    /// Sets the cell `col` of every row named `name` with `edit`.
    fn edit(rows: &mut [[String; 4]], name: &str, col: usize, edit: impl Fn(&str) -> String) {
        for r in rows.iter_mut().filter(|r| r[0] == name) {
            r[col] = edit(&r[col]);
        }
    }

    /// An app whose history holds ten versions of the seed, one every [`STEP`] seconds up to
    /// a little before now, each changing one row (one of them does not load), the last one in
    /// force.
    fn app_with_history() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rows = aiops_core::synth::seed_rows();
        let mut versions = vec![csv(&rows)];
        rows.push([
            "aie1p-ces-access-c5large-2c4g-v133-a-Node".into(),
            "CES 接入层节点池（EKS）".into(),
            "APISIX/NGINX/客户端".into(),
            "CES 核心；Kafka".into(),
        ]);
        versions.push(csv(&rows));
        edit(&mut rows, JENKINS, 1, |c| format!("{c}（新）"));
        versions.push(csv(&rows));
        edit(&mut rows, KAFKA, 1, |c| format!("{c}（主）"));
        versions.push(csv(&rows));
        versions.push(b"not an inventory at all".to_vec());
        let spotws = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";
        edit(&mut rows, spotws, 3, |c| format!("{c}；Kafka"));
        versions.push(csv(&rows));
        edit(&mut rows, "aie1p-superset-server-1", 1, |c| {
            format!("{c} v2")
        });
        versions.push(csv(&rows));
        let cron = "aie1p-brokercron-c5large-2c4g-v132-a-Node";
        edit(&mut rows, cron, 3, |_| "各业务库；Redis".into());
        versions.push(csv(&rows));
        edit(&mut rows, "aie1p-elasticsearch-01", 2, |c| {
            format!("{c}；Kafka")
        });
        versions.push(csv(&rows));
        edit(&mut rows, "aie1p-gitlab", 3, |c| {
            format!("{c}；ArgoCD/Helm")
        });
        versions.push(csv(&rows));
        let opts = LoadOptions::default();
        assert!(aiops_core::load_bytes("broken.csv", &versions[4], &opts).is_err());
        let now = now_unix();
        {
            let mut store = Store::open(dir.path()).expect("store");
            let n = versions.len() as i64;
            for (i, bytes) in versions.iter().enumerate() {
                let at = now - (n - i as i64) * STEP;
                store
                    .record("inventory.csv", bytes, at, |_| "test".into())
                    .expect("record");
            }
        }
        let inventory = dir.path().join("inventory.csv");
        std::fs::write(&inventory, versions.last().expect("versions")).expect("write");
        let cfg = Config {
            inventory: Some(inventory),
            state_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let app = App::new(cfg).expect("app");
        (dir, app)
    }

    /// The lines as `recent_changes_near` wrote them when it re-loaded every version on every
    /// call and judged nearness on the newer version of each pair.
    fn reloading_every_version(app: &App, ids: &[String], window_secs: i64) -> Vec<String> {
        let since = now_unix() - window_secs;
        let versions = app.with_store(|s| s.list()).unwrap_or_default();
        let mut out = Vec::new();
        let mut newer: Option<(String, Topology)> = None;
        for v in versions.iter() {
            let Some(bytes) = app.with_store(|s| s.bytes(v.id)).flatten() else {
                continue;
            };
            let Ok(topo) = aiops_core::load_bytes(&v.source, &bytes, &app.opts) else {
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

    /// `(ids, window)`: the whole history (Kafka hits the 5-line limit), the last 2.5 steps,
    /// nothing.
    fn cases() -> Vec<(Vec<String>, i64)> {
        let (kafka, jenkins) = (vec![KAFKA.to_string()], vec![JENKINS.to_string()]);
        vec![
            (jenkins.clone(), 100 * STEP),
            (kafka.clone(), 100 * STEP),
            (kafka, 5 * STEP / 2),
            (jenkins, 0),
        ]
    }

    #[test]
    fn recent_changes_near_gives_the_lines_reloading_every_version_gave() {
        let (_dir, app) = app_with_history();
        for (ids, window) in cases() {
            let want = reloading_every_version(&app, &ids, window);
            assert_eq!(
                app.recent_changes_near(&ids, window),
                want,
                "{ids:?} {window}"
            );
            if window > 0 {
                assert!(!want.is_empty(), "{ids:?} {window}: no lines to compare");
            }
        }
        let kafka = reloading_every_version(&app, &[KAFKA.to_string()], 100 * STEP);
        assert_eq!(kafka.len(), 5, "{kafka:?}");
    }

    #[test]
    fn recent_changes_near_loads_each_version_at_most_once() {
        let (dir, app) = app_with_history();
        let want = reference_lines(&app);
        // One walk over the whole history, then no stored version can be loaded any more.
        let (ids, window) = &cases()[0];
        assert_eq!(app.recent_changes_near(ids, *window), want[0]);
        let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("db");
        db.execute("UPDATE versions SET bytes = x'00'", [])
            .expect("corrupt");
        for ((ids, window), want) in cases().iter().zip(&want) {
            assert_eq!(
                &app.recent_changes_near(ids, *window),
                want,
                "{ids:?} {window}"
            );
        }
    }

    /// What the old reload-everything code gives for every case.
    fn reference_lines(app: &App) -> Vec<Vec<String>> {
        cases()
            .iter()
            .map(|(ids, window)| reloading_every_version(app, ids, *window))
            .collect()
    }

    #[test]
    fn recent_changes_near_loads_and_diffs_with_the_cache_unlocked() {
        let (_dir, app) = app_with_history();
        let want = reference_lines(&app);
        WORK.with(|w| w.set((0, 0)));
        let (ids, window) = &cases()[0];
        assert_eq!(app.recent_changes_near(ids, *window), want[0]);
        let (work, under_lock) = WORK.with(|w| w.get());
        assert!(work > 0, "the cold walk loaded nothing");
        assert_eq!(
            under_lock, 0,
            "{under_lock} of {work} loads and diffs held the cache"
        );
    }

    #[test]
    fn recent_changes_near_gives_the_same_lines_to_concurrent_calls() {
        let (_dir, app) = app_with_history();
        let want = reference_lines(&app);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for ((ids, window), want) in cases().iter().zip(&want) {
                        assert_eq!(&app.recent_changes_near(ids, *window), want);
                    }
                });
            }
        });
    }

    #[test]
    fn change_cache_keeps_the_newest_entries_and_skips_older_ones_when_full() {
        let mut map = BTreeMap::new();
        for k in [5, 7] {
            insert_newest(&mut map, 2, k, "first");
        }
        insert_newest(&mut map, 2, 3, "older");
        assert_eq!(map, BTreeMap::from([(5, "first"), (7, "first")]));
        insert_newest(&mut map, 2, 9, "newer");
        assert_eq!(map, BTreeMap::from([(7, "first"), (9, "newer")]));
        insert_newest(&mut map, 2, 7, "again");
        assert_eq!(map, BTreeMap::from([(7, "again"), (9, "newer")]));
    }

    #[test]
    fn recent_changes_near_keeps_the_newest_pairs_over_a_longer_window() {
        let (dir, mut app) = app_with_history();
        app.changes = Mutex::new(ChangeCache::new(3));
        // The pairs of consecutive versions that load, newest first, and the newest six ids.
        let versions = app.with_store(|s| s.list()).unwrap_or_default();
        let loading: Vec<i64> = versions
            .iter()
            .filter(|v| {
                app.load_version(v, &app.current())
                    .is_some_and(|r| r.is_ok())
            })
            .map(|v| v.id)
            .collect();
        assert_eq!(loading.len(), 9, "{loading:?}");
        let newest_pairs: Vec<(i64, i64)> = loading.windows(2).map(|w| (w[0], w[1])).collect();
        let newest_pairs = newest_pairs[..3].to_vec();
        let newest_ids: Vec<i64> = versions.iter().take(6).map(|v| v.id).collect();
        let cached = |app: &App| {
            let cache = app.change_cache();
            let mut pairs: Vec<(i64, i64)> = cache.pairs.keys().copied().collect();
            let mut loads: Vec<i64> = cache.loads.keys().copied().collect();
            pairs.reverse();
            loads.reverse();
            (pairs, loads)
        };
        // 3.5 steps back: the newest three pairs and nothing older.
        let short: Vec<(Vec<String>, i64)> = [KAFKA, JENKINS]
            .iter()
            .map(|id| (vec![id.to_string()], 7 * STEP / 2))
            .collect();
        let want: Vec<Vec<String>> = short
            .iter()
            .map(|(ids, window)| reloading_every_version(&app, ids, *window))
            .collect();
        assert!(want.iter().any(|w| !w.is_empty()), "{want:?}");

        // A walk over all eight pairs leaves the newest three (and six load results) cached.
        let (ids, window) = &cases()[0];
        assert_eq!(
            app.recent_changes_near(ids, *window),
            reloading_every_version(&app, ids, *window)
        );
        assert_eq!(cached(&app), (newest_pairs.clone(), newest_ids.clone()));

        // With no stored version loadable any more, the newest three still answer, and another
        // long walk leaves them in place.
        let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("db");
        db.execute("UPDATE versions SET bytes = x'00'", [])
            .expect("corrupt");
        app.recent_changes_near(ids, *window);
        assert_eq!(cached(&app), (newest_pairs, newest_ids));
        for ((ids, window), want) in short.iter().zip(&want) {
            assert_eq!(
                &app.recent_changes_near(ids, *window),
                want,
                "{ids:?} {window}"
            );
        }
    }
}
