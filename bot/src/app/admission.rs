//! Admission of work: the rate limits ([`crate::rate`]), the bounded pool CPU work runs on, and
//! the work in flight that a shutdown waits for.
//!
//! Work is tracked with a [`TaskTracker`]: closing it stops admission, and waiting on it cannot
//! miss the last piece of work finishing (a count checked before a `Notified` future exists
//! could).

use super::App;
use crate::rate::Refusal;
use std::time::{Duration, Instant};
use tokio_util::task::task_tracker::TaskTrackerToken;

/// Work in flight; dropping it lets a draining shutdown proceed.
pub struct InFlight {
    _token: TaskTrackerToken,
}

impl App {
    /// Charges a command of `user` to the rate limits; says which one refused it and for how
    /// long.
    pub fn admit(&self, user: u64, expensive: bool) -> Result<(), Refusal> {
        let mut l = match self.limiter.lock() {
            Ok(l) => l,
            Err(p) => p.into_inner(),
        };
        l.admit(user, expensive, Instant::now())
    }

    /// Runs CPU work (a query with its picture, a load, a diff) on the bounded pool: at most one
    /// piece per core at a time, so a burst of renders queues instead of taking the CPU from the
    /// runtime threads that keep the gateway's heartbeat. The slot is held by the work itself,
    /// so work whose caller gave up still counts until it ends.
    pub async fn blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, tokio::task::JoinError> {
        // The semaphore is never closed, so acquiring only fails if it were.
        let permit = self.pool.clone().acquire_owned().await.ok();
        tokio::task::spawn_blocking(move || {
            let _slot = permit;
            f()
        })
        .await
    }

    /// Registers work in flight; `None` when the bot is shutting down.
    pub fn begin(&self) -> Option<InFlight> {
        // The token first: a drain that closes the tracker after this point waits for it.
        let token = self.work.token();
        if self.work.is_closed() {
            return None;
        }
        Some(InFlight { _token: token })
    }

    /// Stops taking new work and waits (up to `limit`) for what is in flight.
    pub async fn drain(&self, limit: Duration) {
        self.work.close();
        if tokio::time::timeout(limit, self.work.wait()).await.is_err() {
            tracing::warn!(
                in_flight = self.work.len(),
                "shutting down with work still in flight after {limit:?}"
            );
        }
    }
}
