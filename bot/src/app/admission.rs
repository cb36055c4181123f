//! Admission of work: the per-user cooldown, and the work in flight that a shutdown waits for.
//!
//! Work is tracked with a [`TaskTracker`]: closing it stops admission, and waiting on it cannot
//! miss the last piece of work finishing (a count checked before a `Notified` future exists
//! could).

use super::App;
use std::time::{Duration, Instant};
use tokio_util::task::task_tracker::TaskTrackerToken;

/// Work in flight; dropping it lets a draining shutdown proceed.
pub struct InFlight {
    _token: TaskTrackerToken,
}

impl App {
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
