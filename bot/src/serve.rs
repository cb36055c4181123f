//! `aiops serve`: the bot and everything it starts — the HTTP server (health, metrics, alert
//! webhooks), the alert poster, the inventory watcher, the change poster, the reads of what runs
//! in EC2 and the digest schedule — until shutdown.
//!
//! The caller passes the health listener, the clock and the shutdown signal, so tests run the
//! whole bot on `127.0.0.1:0` with a clock they move by hand.

use crate::app::ChangeKind;
use crate::app::{App, Change};
use crate::config::{Config, Ec2Source};
use crate::discord;
use crate::schedule::{Cron, Zone};
use crate::stamp::rfc3339;
use crate::watch::{self, Event, Watcher};
use crate::window::{self, Start, WindowError};
use aiops_commands::Msg;
use anyhow::{Context as _, Result};
use jiff::Timestamp;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch as tokio_watch};
use tokio_util::task::TaskTracker;

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
///
/// The time is a `watch` value: [`Clock::now`] marks it seen, and a tick resolves as soon as it
/// changes after that, so a move between reading the time and waiting for the next tick is never
/// missed.
#[cfg(any(test, feature = "testing"))]
pub struct ManualClock {
    tx: tokio_watch::Sender<Timestamp>,
    seen: std::sync::Mutex<tokio_watch::Receiver<Timestamp>>,
}

#[cfg(any(test, feature = "testing"))]
impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        let (tx, rx) = tokio_watch::channel(at);
        ManualClock {
            tx,
            seen: std::sync::Mutex::new(rx),
        }
    }
    pub fn set(&self, at: Timestamp) {
        self.tx.send_replace(at);
    }
}

#[cfg(any(test, feature = "testing"))]
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let mut rx = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let now = *rx.borrow_and_update();
        now
    }
    fn tick(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        // A clone remembers which value was seen: a change since `now` resolves it at once.
        let mut rx = self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Box::pin(async move {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// Runs the bot until `shutdown` resolves; returns when the gateway is closed and everything it
/// started has finished: the health server, the change poster (after posting what was queued),
/// the digest schedule and the watcher thread.
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
            // An error means the sender is gone, which is a stop too.
            let _stopped = rx.wait_for(|s| *s).await;
        }
    };
    let tasks = TaskTracker::new();
    let inbox = open_inbox(&app);
    tasks.spawn(crate::http::serve(
        health,
        http_routes(&app, &inbox),
        stopped(),
    ));

    let http = Arc::new(discord::http(&app, &token));
    if let Some(inbox) = inbox {
        tasks.spawn(discord::alerts::run(
            app.clone(),
            http.clone(),
            inbox,
            stopped(),
        ));
    }
    let (changes_tx, mut changes_rx) = mpsc::unbounded_channel::<Change>();
    {
        let app = app.clone();
        let http = http.clone();
        tasks.spawn(async move {
            while let Some(change) = changes_rx.recv().await {
                discord::post_change(&app, &http, &change).await;
            }
        });
    }
    let watcher = start_watcher(&app, changes_tx.clone());
    drop(changes_tx);
    if let Some(source @ Ec2Source::Files(_)) = app.ec2_source() {
        tasks.spawn(ec2_files_loop(app.clone(), source.clone(), stopped()));
    }
    tasks.spawn(schedule_loop(app.clone(), http.clone(), clock, stopped()));
    tasks.close();

    let result = discord::run(app.clone(), &token, shutdown).await;
    stop_tx.send_replace(true);
    if let Some((stop, thread)) = watcher {
        // The thread may have ended already (then the send fails, which is fine).
        let _gone = stop.send(());
        match tokio::task::spawn_blocking(move || thread.join()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => tracing::error!("the inventory watcher thread panicked"),
            Err(e) => tracing::error!("waiting for the inventory watcher failed: {e}"),
        }
    }
    // The watcher's sender is gone with its thread: the poster ends after what was queued.
    if tokio::time::timeout(SHUTDOWN_GRACE, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            tasks = tasks.len(),
            "background tasks still running {SHUTDOWN_GRACE:?} after the gateway closed"
        );
    }
    result
}

/// The alert inbox in the state directory; without it the webhooks answer 503.
fn open_inbox(app: &App) -> Option<Arc<crate::alerts::Inbox>> {
    match crate::alerts::Inbox::open(&app.cfg.state_dir) {
        Ok(inbox) => Some(Arc::new(inbox)),
        Err(e) => {
            tracing::error!("the alert queue is unavailable, webhooks will answer 503: {e:#}");
            None
        }
    }
}

fn http_routes(app: &App, inbox: &Option<Arc<crate::alerts::Inbox>>) -> Arc<crate::http::Routes> {
    Arc::new(crate::http::Routes {
        metrics: app.metrics.clone(),
        hooks: Some(crate::http::Hooks {
            cfg: app.cfg.alerts.clone(),
            inbox: inbox.clone(),
            metrics: app.metrics.clone(),
        }),
    })
}

/// How long shutdown waits for background tasks (posting queued change summaries) to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Watches the inventory file in a thread; new versions go through [`App::install`] and their
/// summary to the poster; a file that does not load is reported and changes nothing.
fn start_watcher(
    app: &Arc<App>,
    changes: mpsc::UnboundedSender<Change>,
) -> Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)> {
    let path = app.cfg.inventory.clone()?;
    let interval = Duration::from_secs(app.cfg.watch_interval_secs.max(1));
    // Half the interval at most, so a change is seen and settled within one interval.
    let settle = (interval / 2).min(Duration::from_secs(2));
    let watcher =
        Watcher::new(path.clone(), app.opts.clone(), settle).with_current(&app.current().bytes);
    let (tx, rx) = std::sync::mpsc::channel();
    let app = app.clone();
    let interval_secs = interval.as_secs();
    let spawned = std::thread::Builder::new()
        .name("inventory-watch".into())
        .spawn(move || {
            // What the first reload compares the new version with, computed now, while nothing
            // loads, so that the first reload does not compute it before its diff.
            app.current().standing();
            let on_event = |ev| on_watch_event(&app, &changes, ev);
            let polled = |w: &Watcher| {
                let problem = w.problem().map(|p| p.describe(w.path()));
                app.watch_polled(interval_secs, problem);
            };
            watch::run(watcher, interval, &rx, on_event, polled)
        });
    match spawned {
        Ok(thread) => Some((tx, thread)),
        Err(e) => {
            tracing::error!(
                "cannot start the inventory watcher, the file will not be watched: {e}"
            );
            None
        }
    }
}

/// What the watcher saw, acted on: a new version comes into force; a problem is logged once,
/// becomes the last error and is posted once; its end clears the error and is posted too.
fn on_watch_event(app: &App, changes: &mpsc::UnboundedSender<Change>, ev: Event) {
    let path = app.cfg.inventory.clone().unwrap_or_default();
    let in_force = |app: &App| match app.current().version {
        Some(v) => format!("v{v} is in force"),
        None => "the last good version is in force".to_string(),
    };
    match ev {
        Event::Loaded {
            bytes,
            topo,
            ended,
            read_at,
        } => {
            app.metrics.reload("ok");
            let change = app.install(&path.display().to_string(), bytes, *topo, read_at);
            if let Some(problem) = ended {
                let was = problem.describe(&path);
                tracing::info!("inventory file usable again, with a new version (was: {was})");
                app.set_last_error(None);
                post(
                    changes,
                    Change::note(
                        ChangeKind::Recovered,
                        "a new version loaded".into(),
                        format!("It was: {was}."),
                    ),
                );
            }
            if let Some(change) = change {
                post(changes, change);
            }
        }
        Event::Problem(problem) => {
            let what = problem.describe(&path);
            tracing::warn!("inventory file problem, keeping the version in force: {what}");
            app.metrics.reload("failed");
            app.set_last_error(Some(what.clone()));
            post(
                changes,
                Change::note(
                    ChangeKind::FileProblem,
                    format!(
                        "{}; {} and keeps answering",
                        short_problem(&problem),
                        in_force(app)
                    ),
                    what,
                ),
            );
        }
        Event::Recovered(problem) => {
            let was = problem.describe(&path);
            tracing::info!("inventory file usable again, same content as in force (was: {was})");
            app.set_last_error(None);
            post(
                changes,
                Change::note(
                    ChangeKind::Recovered,
                    format!(
                        "the file holds the version in force again; {}",
                        in_force(app)
                    ),
                    format!("It was: {was}."),
                ),
            );
        }
    }
}

/// A problem in a few words, for a summary's title.
fn short_problem(p: &watch::Problem) -> &'static str {
    match p {
        watch::Problem::Missing => "the file is missing",
        watch::Problem::Unreadable(_) => "the file cannot be read",
        watch::Problem::NotAFile => "the path is a directory",
        watch::Problem::DoesNotLoad(_) => "the file does not load",
    }
}

/// Hands a change to the poster; the poster only stops at shutdown, when nothing is lost by
/// not posting.
fn post(changes: &mpsc::UnboundedSender<Change>, change: Change) {
    if changes.send(change).is_err() {
        tracing::warn!("shutting down: a change summary was not posted");
    }
}

/// The clock's work: runs the EC2 command at start and whenever its schedule fires, and posts
/// the digest whenever the digest's does, in that order within a minute so a digest sees the
/// read of the same minute. One loop, so the two never race for the store.
async fn schedule_loop(
    app: Arc<App>,
    http: Arc<serenity::http::Http>,
    clock: Arc<dyn Clock>,
    stopped: impl Future<Output = ()> + Send,
) {
    let zone = Zone::parse(&app.cfg.timezone);
    let ec2 = match app.ec2_source() {
        Some(source @ Ec2Source::Command { .. }) => Some(source.clone()),
        _ => None,
    };
    let digest = match (&app.cfg.summary_schedule, app.cfg.summary_channel) {
        (Some(spec), Some(_)) => Cron::parse(spec).ok(),
        _ => None,
    };
    let Some(zone) = zone.filter(|_| ec2.is_some() || digest.is_some()) else {
        return;
    };
    tokio::pin!(stopped);
    let minute_of = |t: Timestamp| t.as_second().div_euclid(60);
    let mut ec2_minute = i64::MIN;
    if let Some(source) = &ec2 {
        ec2_minute = minute_of(clock.now());
        tokio::select! {
            _ = &mut stopped => return,
            _ = read_ec2(&app, source) => {}
        }
    }
    let mut last_minute = i64::MIN;
    loop {
        let now = clock.now();
        let minute = minute_of(now);
        if minute != last_minute {
            last_minute = minute;
            let civil = zone.civil(now);
            if let Some(source @ Ec2Source::Command { schedule, .. }) = &ec2 {
                if minute != ec2_minute && schedule.matches(civil) {
                    ec2_minute = minute;
                    tokio::select! {
                        _ = &mut stopped => return,
                        _ = read_ec2(&app, source) => {}
                    }
                }
            }
            if digest.as_ref().is_some_and(|c| c.matches(civil)) {
                post_digest(&app, &http, now.as_second()).await;
            }
        }
        tokio::select! {
            _ = &mut stopped => return,
            _ = clock.tick() => {}
        }
    }
}

/// Re-reads the EC2 files whenever one of them changes (size or modification time), polled
/// every watch interval; the first read is at start.
async fn ec2_files_loop(app: Arc<App>, source: Ec2Source, stopped: impl Future<Output = ()>) {
    let Ec2Source::Files(paths) = &source else {
        return;
    };
    let interval = Duration::from_secs(app.cfg.watch_interval_secs.max(1));
    tokio::pin!(stopped);
    let mut seen = None;
    loop {
        let now = crate::ec2::Signature::of(paths);
        if seen.as_ref() != Some(&now) {
            read_ec2(&app, &source).await;
            seen = Some(now);
        }
        tokio::select! {
            _ = &mut stopped => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One read of EC2: a good one comes into force (and into the history), a failed one is
/// recorded and the last good one stays.
async fn read_ec2(app: &Arc<App>, source: &Ec2Source) {
    match crate::ec2::read(source).await {
        Ok(read) => {
            let app2 = app.clone();
            let done = app
                .blocking(move || {
                    app2.ec2_install(read.instances, &read.source);
                    // Reconciled now, so the first command after a read does not wait for it.
                    app2.ec2_report();
                })
                .await;
            if let Err(e) = done {
                tracing::error!("installing the EC2 read failed: {e}");
            }
        }
        Err(e) => app.ec2_failed(e),
    }
}

async fn post_digest(app: &Arc<App>, http: &serenity::http::Http, now: i64) {
    let since = app
        .with_store(|s| s.get_kv("digest.last"))
        .flatten()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(now - 7 * 24 * 3600);
    let app2 = app.clone();
    let (change, ec2_snapshot) = match app.blocking(move || digest(&app2, since)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("building the digest failed: {e}");
            return;
        }
    };
    discord::post_change(app, http, &change).await;
    app.with_store(|s| s.set_kv("digest.last", &now.to_string()));
    if let Some(id) = ec2_snapshot {
        app.with_store(|s| s.set_kv(DIGEST_EC2_KEY, &id.to_string()));
    }
}

/// The store key of the EC2 snapshot the last digest compared against.
const DIGEST_EC2_KEY: &str = "digest.ec2";

/// The digest: what changed in the inventory since `since` and, when EC2 is configured, the
/// drift, new drift first. Also the EC2 snapshot it reflects, for the next digest to start from.
fn digest(app: &App, since: i64) -> (Change, Option<i64>) {
    let mut change = inventory_digest(app, since);
    let Some((text, snapshot)) = ec2_digest(app) else {
        return (change, None);
    };
    for part in [&mut change.summary, &mut change.full] {
        if !part.is_empty() {
            part.push_str("\n\n");
        }
        part.push_str(&text);
    }
    (change, snapshot)
}

/// The EC2 part of the digest against the snapshot the last digest saw (everything is new
/// drift when there is none), and the latest snapshot's id; `None` when EC2 is not configured.
fn ec2_digest(app: &App) -> Option<(String, Option<i64>)> {
    // Nothing to say about EC2 when it is not configured.
    app.ec2_source()?;
    let lang = app.lang;
    let cur = app.current();
    let mut lines = Vec::new();
    let latest = app.with_store(|s| s.ec2_latest()).flatten().map(|s| s.id);
    match app.ec2_report_for(&cur) {
        None => lines.push(Msg::Ec2NoResultYet.text(lang).into_owned()),
        Some(new) => {
            let old = app
                .with_store(|s| {
                    let id = s
                        .get_kv(DIGEST_EC2_KEY)?
                        .and_then(|v| v.parse::<i64>().ok());
                    id.map(|id| s.ec2_get(id)).transpose().map(Option::flatten)
                })
                .flatten()
                .and_then(|snap| {
                    aiops_core::reconcile::parse(&format!("snapshot #{}", snap.id), &snap.bytes)
                        .ok()
                })
                .map(|instances| {
                    aiops_core::reconcile::reconcile(&cur.topo, &instances, app.ec2_keys())
                })
                .unwrap_or_default();
            lines.push(aiops_commands::ec2_digest(lang, &cur.topo, &old, &new));
        }
    }
    lines.extend(app.ec2_failing_text(lang));
    Some((lines.join("\n"), latest))
}

/// The inventory part of the digest: what changed from the version in force at `since` to the
/// one in force now.
fn inventory_digest(app: &App, since: i64) -> Change {
    let headline = |what: &str| format!("since {}: {what}", rfc3339(since));
    let nothing = |what: &str, summary: String| Change {
        kind: ChangeKind::Digest,
        headline: headline(what),
        summary,
        full: String::new(),
        diagram: Default::default(),
        version: None,
    };
    let base = app.on_store(|s| {
        let w = window::window(s, Start::At(since))?;
        let base = w.base().clone();
        let bytes = s.bytes(base.id).map_err(WindowError::Store)?;
        Ok((base, bytes))
    });
    let (base, bytes) = match base {
        None => {
            return nothing(
                "no history to compare",
                "The bot runs without a history store.".into(),
            )
        }
        Some(Err(WindowError::EmptyHistory)) | Some(Ok((_, None))) => {
            return nothing("no history to compare", "No stored versions yet.".into())
        }
        Some(Err(e)) => {
            tracing::error!("digest: {e}");
            return nothing(
                "the history store failed",
                "The history could not be read; see the bot's log.".into(),
            );
        }
        Some(Ok((base, Some(bytes)))) => (base, bytes),
    };
    let old = match aiops_core::load_bytes(&base.source, &bytes, &app.opts) {
        Ok(t) => t,
        Err(e) => {
            return nothing(
                &format!("v{} no longer loads", base.id),
                format!("The version in force then no longer loads, so nothing is compared: {e}"),
            )
        }
    };
    let cur = app.current();
    let d = aiops_core::diff::diff(&old, &cur.topo);
    let (summary, full) = aiops_core::diff::summarize_within(&d, crate::app::DETAIL_MAX_BYTES);
    Change {
        kind: ChangeKind::Digest,
        headline: headline(&aiops_core::diff::headline(&d)),
        diagram: aiops_core::diff::diagram(&d, &old, &cur.topo, aiops_commands::DIAGRAM_NODE_CAP),
        summary,
        full,
        version: cur.version,
    }
}
