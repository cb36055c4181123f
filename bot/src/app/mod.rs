//! The bot's shared state: the inventory in force ([`inventory`]), change records
//! ([`change`]), the recent-changes cache ([`recent`]), what runs in EC2 ([`ec2`]) and admission of work with the drain on
//! shutdown ([`admission`]), and what `/inventory status` reports besides ([`status`]). Every change of inventory goes through [`App::install`], so history,
//! metrics and the change summary never disagree.

mod admission;
mod change;
mod ec2;
mod inventory;
mod recent;
mod status;

pub use admission::InFlight;
pub use change::{Change, ChangeKind, DETAIL_MAX_BYTES};
pub use ec2::Fleet;
pub use inventory::{Loaded, ReloadError};
pub use status::{Since, WatchState};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::rate::Limiter;
use crate::store::Store;
use aiops_commands::Lang;
use aiops_core::{LoadError, LoadOptions};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tokio_util::task::TaskTracker;

pub struct App {
    pub cfg: Config,
    pub opts: LoadOptions,
    pub lang: Lang,
    pub metrics: Arc<Metrics>,
    current: RwLock<Arc<Loaded>>,
    /// Held for the whole of [`App::install`].
    installing: Mutex<()>,
    status: status::Status,
    store: Mutex<Option<Store>>,
    /// Why there is no store, when there is none.
    store_error: Option<String>,
    limiter: Mutex<Limiter>,
    /// One slot per core for CPU work ([`App::blocking`]).
    pool: Arc<tokio::sync::Semaphore>,
    work: TaskTracker,
    changes: Mutex<recent::ChangeCache>,
    /// What runs in EC2 ([`ec2`]) and the tags that name instances there.
    ec2: Mutex<ec2::Ec2State>,
    ec2_keys: aiops_core::reconcile::TagKeys,
    /// Where EC2 data comes from, from the validated config; `None`: not configured.
    ec2_source: Option<crate::config::Ec2Source>,
}

impl App {
    /// Loads the configured inventory (or the built-in sample) and opens the history store. A
    /// store that cannot be opened is logged and the bot runs without history.
    pub fn new(cfg: Config) -> Result<App, LoadError> {
        let opts = crate::loading::options(cfg.aliases.as_deref(), false)?;
        let loaded = crate::loading::inventory(cfg.inventory.as_deref(), &opts)?;
        let (store, store_error) = match Store::open(&cfg.state_dir) {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::error!("history store unavailable, running without history: {e:#}");
                (None, Some(format!("{e:#}")))
            }
        };
        let lang = Lang::parse(&cfg.language).unwrap_or_default();
        let limiter = Mutex::new(Limiter::new(cfg.rate, Instant::now()));
        let ec2_keys = cfg.ec2_tag_keys();
        // `Config::load` validated it already; a config built in code without that has none.
        let ec2_source = cfg.ec2_source().ok().flatten();
        let app = App {
            cfg,
            opts,
            lang,
            metrics: Arc::new(Metrics::default()),
            current: RwLock::new(Arc::new(Loaded::new(loaded, None))),
            installing: Mutex::new(()),
            status: Default::default(),
            store: Mutex::new(store),
            store_error,
            limiter,
            pool: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            work: TaskTracker::new(),
            changes: Mutex::new(recent::ChangeCache::new(recent::CACHED_PAIRS)),
            ec2: Mutex::default(),
            ec2_keys,
            ec2_source,
        };
        app.record_in_force();
        app.ec2_restore();
        Ok(app)
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

    /// Runs `f` with the store; `None` when the bot runs without one. Unlike
    /// [`App::with_store`], `f`'s errors are the caller's to report, for callers that must tell
    /// "no history" from "the store failed".
    pub fn on_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> Option<R> {
        let mut guard = match self.store.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        guard.as_mut().map(f)
    }
}
