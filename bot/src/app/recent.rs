//! Recent changes near a component, for incident replies: the diffs between consecutive stored
//! versions in the history window, computed once per process and cached.

use super::{App, Loaded};
use crate::stamp::{now_unix, rfc3339};
use crate::store::Version;
use crate::window::{self, Start};
use aiops_core::diff::{self, InventoryDiff};
use aiops_core::Topology;
use std::collections::BTreeMap;
use std::sync::{Arc, MutexGuard};

/// How many pairs of consecutive versions [`ChangeCache`] keeps (the newest ones): enough for a
/// busy week of inventory changes, the window incident replies look back over. Most diffs are
/// small (the few rows an edit touched); a bulk edit's diff can hold a good part of the
/// inventory, so the cap trades memory in that worst case for not re-loading whole inventories.
pub(super) const CACHED_PAIRS: usize = 256;

/// What [`App::recent_changes_near`] learnt from history, so that it loads each stored version
/// at most once per process while its pairs are among the newest `cap`. Nothing here goes
/// stale: a version's bytes never change, and neither do the load options. Only diffs are kept,
/// never old topologies (which can weigh 100+ MB each).
pub(super) struct ChangeCache {
    /// How many pairs to keep; [`CACHED_PAIRS`] but in tests.
    cap: usize,
    /// `(newer, older)` version ids → everything that changed between them, unfiltered. Keyed
    /// newer first so that the oldest pairs are the first ones evicted.
    pairs: BTreeMap<(i64, i64), Arc<InventoryDiff>>,
    /// Whether a version's bytes load; versions that do not are skipped. Up to `2 * cap`.
    loads: BTreeMap<i64, bool>,
}

impl ChangeCache {
    pub(super) fn new(cap: usize) -> ChangeCache {
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
    /// Recent changes near `ids` (themselves and 2 hops around), newest first, from history:
    /// one line `v{id} ({rfc3339}): {headline}` per stored version that changed something near
    /// them, at most 5, over the history window that starts `window_secs` ago (its first
    /// version, the one in force then, is the base of the oldest line). Versions whose bytes do not load are skipped.
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
        let start = Start::At(now_unix().saturating_sub(window_secs));
        let mut versions = self
            .with_store(|s| match window::window(s, start) {
                Ok(w) => Ok(w.versions().to_vec()),
                Err(window::WindowError::Store(e)) => Err(e),
                Err(_) => Ok(Vec::new()),
            })
            .unwrap_or_default();
        // Newest first: the walk stops once it has enough lines.
        versions.reverse();
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
                    let label = format!("v{} ({})", n.id, rfc3339(n.seen_at));
                    out.push(format!("{label}: {}", diff::headline(&d)));
                }
            }
            if out.len() >= 5 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::{Store, DB_FILE};
    use aiops_core::LoadOptions;
    use std::sync::Mutex;

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
            newer = Some((format!("v{} ({})", v.id, rfc3339(v.seen_at)), topo));
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
