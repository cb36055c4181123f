//! Alerts from monitoring, the part that knows neither HTTP nor Discord: the inbox the webhook
//! routes queue deliveries into and the worker (`discord/alerts.rs`) drains.
//!
//! The inbox has its own SQLite connection to the store, with `synchronous = FULL`, so that a
//! delivery is on disk before its sender hears 2xx, and so that queueing never waits behind the
//! bot's other use of the store.

use crate::store::Store;
use anyhow::{anyhow, Result};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

pub struct Inbox {
    store: Mutex<Store>,
    wake: Notify,
}

impl Inbox {
    pub fn open(state_dir: &Path) -> Result<Inbox> {
        let store = Store::open(state_dir)?;
        store.make_durable()?;
        Ok(Inbox {
            store: Mutex::new(store),
            wake: Notify::new(),
        })
    }

    /// Runs `f` with the store on a blocking thread.
    pub async fn run<R: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = me.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
        .await
        .map_err(|e| anyhow!("the alert store task failed: {e}"))?
    }

    /// Tells the worker there is something new (remembered if it is busy).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when [`Inbox::wake`] was called since the last time this resolved.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}
