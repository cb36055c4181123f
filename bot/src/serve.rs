//! `aiops serve`: the bot and everything it starts — the health server, the inventory watcher,
//! the change poster and the digest schedule — until shutdown.
//!
//! The caller passes the health listener, the clock and the shutdown signal, so tests run the
//! whole bot on `127.0.0.1:0` with a clock they move by hand.

use crate::app::ChangeKind;
use crate::app::{App, Change};
use crate::config::Config;
use crate::discord;
use crate::history::rfc3339;
use crate::schedule::{Cron, Zone};
use crate::watch::{self, Event, Watcher};
use anyhow::{Context as _, Result};
use jiff::Timestamp;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch as tokio_watch, Notify};

/// Where the schedule gets the time from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
    /// Resolves when it is worth looking at the time again.
    fn tick(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The wall clock; ticks every few seconds.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
    fn tick(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(Duration::from_secs(5)))
    }
}

/// A clock that moves only when told to: for tests of the schedule.
pub struct ManualClock {
    now: Mutex<Timestamp>,
    moved: Notify,
}

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        ManualClock {
            now: Mutex::new(at),
            moved: Notify::new(),
        }
    }
    pub fn set(&self, at: Timestamp) {
        if let Ok(mut n) = self.now.lock() {
            *n = at;
        }
        self.moved.notify_waiters();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.now.lock().map(|n| *n).unwrap_or(Timestamp::UNIX_EPOCH)
    }
    fn tick(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(self.moved.notified())
    }
}

/// Runs the bot until `shutdown` resolves; returns when the gateway is closed.
pub async fn run(
    cfg: Config,
    health: TcpListener,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let token = cfg.token.clone().context("DISCORD_TOKEN is not set")?;
    let app = Arc::new(tokio::task::spawn_blocking(move || App::new(cfg)).await??);
    let (stop_tx, stop_rx) = tokio_watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };

    tokio::spawn(crate::health::serve(health, app.metrics.clone(), stopped()));

    let http = Arc::new(discord::http(&app, &token));
    let (changes_tx, mut changes_rx) = mpsc::unbounded_channel::<Change>();
    {
        let app = app.clone();
        let http = http.clone();
        tokio::spawn(async move {
            while let Some(change) = changes_rx.recv().await {
                discord::post_change(&app, &http, &change).await;
            }
        });
    }
    let watcher_stop = start_watcher(&app, changes_tx.clone());
    tokio::spawn(digest_loop(app.clone(), http.clone(), clock, stopped()));

    let result = discord::run(app.clone(), &token, shutdown).await;
    let _ = stop_tx.send(true);
    if let Some(tx) = watcher_stop {
        let _ = tx.send(());
    }
    result
}

/// Watches the inventory file in a thread; new versions go through [`App::install`] and their
/// summary to the poster; a file that does not load is reported and changes nothing.
fn start_watcher(
    app: &Arc<App>,
    changes: mpsc::UnboundedSender<Change>,
) -> Option<std::sync::mpsc::Sender<()>> {
    let path = app.cfg.inventory.clone()?;
    let interval = Duration::from_secs(app.cfg.watch_interval_secs.max(1));
    let settle = interval.min(Duration::from_secs(2));
    let watcher =
        Watcher::new(path.clone(), app.opts.clone(), settle).with_current(&app.current().bytes);
    let (tx, rx) = std::sync::mpsc::channel();
    let app = app.clone();
    std::thread::Builder::new()
        .name("inventory-watch".into())
        .spawn(move || {
            watch::run(watcher, interval, &rx, |ev| match ev {
                Event::Loaded { bytes, topo } => {
                    app.metrics.reload("ok");
                    if let Some(change) = app.install(&path.display().to_string(), bytes, *topo) {
                        let _ = changes.send(change);
                    }
                }
                Event::Failed { error } => {
                    tracing::warn!(
                        "inventory reload failed, keeping the version in force: {error}"
                    );
                    app.metrics.reload("failed");
                    app.set_last_error(Some(error.clone()));
                    let _ = changes.send(Change {
                        kind: ChangeKind::Failed,
                        headline: "reload failed; the inventory in force is unchanged".into(),
                        summary: error.clone(),
                        full: error,
                        diagram: Default::default(),
                        version: None,
                    });
                }
            })
        })
        .ok()?;
    Some(tx)
}

/// Posts the digest whenever the schedule fires: what changed since the last digest.
async fn digest_loop(
    app: Arc<App>,
    http: Arc<serenity::http::Http>,
    clock: Arc<dyn Clock>,
    stopped: impl Future<Output = ()> + Send,
) {
    let (Some(spec), Some(_)) = (app.cfg.summary_schedule.clone(), app.cfg.summary_channel) else {
        return;
    };
    let (Ok(cron), Some(zone)) = (Cron::parse(&spec), Zone::parse(&app.cfg.timezone)) else {
        return;
    };
    tokio::pin!(stopped);
    let mut last_minute = i64::MIN;
    loop {
        let now = clock.now();
        let minute = now.as_second().div_euclid(60);
        if minute != last_minute && cron.matches(zone.civil(now)) {
            last_minute = minute;
            post_digest(&app, &http, now.as_second()).await;
        }
        tokio::select! {
            _ = &mut stopped => return,
            _ = clock.tick() => {}
        }
    }
}

async fn post_digest(app: &Arc<App>, http: &serenity::http::Http, now: i64) {
    let since = app
        .with_store(|s| s.get_kv("digest.last"))
        .flatten()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(now - 7 * 24 * 3600);
    let app2 = app.clone();
    let change = tokio::task::spawn_blocking(move || {
        let base = app2
            .with_store(|s| Ok(s.at(since)?.or(s.oldest()?)))
            .flatten()?;
        let bytes = app2.with_store(|s| s.bytes(base.id)).flatten()?;
        let old = aiops_core::load_bytes(&base.source, &bytes, &app2.opts).ok()?;
        let cur = app2.current();
        let d = aiops_core::diff::diff(&old, &cur.topo);
        let (summary, full) = aiops_core::diff::summarize(&d);
        Some(Change {
            kind: ChangeKind::Digest,
            headline: format!(
                "since {}: {}",
                rfc3339(since),
                aiops_core::diff::headline(&d)
            ),
            diagram: aiops_core::diff::diagram(
                &d,
                &old,
                &cur.topo,
                aiops_commands::DIAGRAM_NODE_CAP,
            ),
            summary,
            full,
            version: cur.version,
        })
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_else(|| Change {
        kind: ChangeKind::Digest,
        headline: format!("since {}: no history to compare", rfc3339(since)),
        summary: "No stored versions yet.".into(),
        full: String::new(),
        diagram: Default::default(),
        version: None,
    });
    discord::post_change(app, http, &change).await;
    app.with_store(|s| s.set_kv("digest.last", &now.to_string()));
}
