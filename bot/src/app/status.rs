//! What `/inventory status` reports besides the inventory: the last error and since when, the
//! history store's state, the file watcher's, and the gateway's.

use super::App;
use crate::stamp::now_unix;
use std::sync::Mutex;

/// Something that has been so since a time (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Since {
    pub what: String,
    pub since: i64,
}

/// The inventory file watcher as last seen.
#[derive(Debug, Clone, Default)]
pub struct WatchState {
    /// Seconds between polls; `None` when no file is watched.
    pub interval_secs: Option<u64>,
    /// Unix seconds of the last poll.
    pub last_poll: Option<i64>,
    /// The file's problem, while it lasts.
    pub problem: Option<Since>,
}

/// The shared state behind [`App`]'s status methods.
#[derive(Debug, Default)]
pub(super) struct Status {
    last_error: Mutex<Option<Since>>,
    watch: Mutex<WatchState>,
    gateway: Mutex<Option<Since>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sets `slot` to `what`, keeping the time when it was already so.
pub(super) fn set_since(slot: &mut Option<Since>, what: Option<String>) {
    *slot = match (slot.take(), what) {
        (Some(old), Some(what)) if old.what == what => Some(old),
        (_, Some(what)) => Some(Since {
            what,
            since: now_unix(),
        }),
        (_, None) => None,
    };
}

impl App {
    /// The last load error (reload, upload of the configured file, the watcher) and since when.
    pub fn last_error(&self) -> Option<Since> {
        lock(&self.status.last_error).clone()
    }

    pub fn set_last_error(&self, e: Option<String>) {
        set_since(&mut lock(&self.status.last_error), e);
    }

    pub fn watch_state(&self) -> WatchState {
        lock(&self.status.watch).clone()
    }

    /// Records a poll of the watcher: its interval and the file's problem, if any.
    pub fn watch_polled(&self, interval_secs: u64, problem: Option<String>) {
        let mut w = lock(&self.status.watch);
        w.interval_secs = Some(interval_secs);
        w.last_poll = Some(now_unix());
        set_since(&mut w.problem, problem);
    }

    /// The gateway's state as serenity last reported it (`Connected`, `Resuming`, …).
    pub fn gateway_state(&self) -> Option<Since> {
        lock(&self.status.gateway).clone()
    }

    pub fn set_gateway_state(&self, stage: String) {
        set_since(&mut lock(&self.status.gateway), Some(stage));
    }

    /// Why the bot runs without history, when it does.
    pub fn store_error(&self) -> Option<&str> {
        self.store_error.as_deref()
    }
}
