//! The CLI's history commands (`diff`, `history`, `changes`, `watch`) and the recording of every
//! load in the store.
//!
//! Recording: a load is recorded when `--state-dir`/`AIOPS_STATE_DIR` is set. `history`,
//! `diff --since` and `changes` need the store, so they use `./state` when neither is set (and
//! record the current inventory there too). `diff OLD NEW` compares two files and records
//! neither. A store that fails is a warning: the command still answers from the inventory.

use super::{output, Args, Format, Outcome, Stop};
use crate::loading::{self, Loaded};
use crate::stamp::{now_unix, rfc3339, sha256_hex};
use crate::store::{Recorded, Store, Version};
use crate::watch::{self, Event, Watcher};
use crate::window::{self, Start, Window, WindowError};
use aiops_commands::{self as commands, Block, Context, Lang, Reply, Status, VersionInfo};
use aiops_core::{diff, LoadError, LoadOptions, Topology};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// State directory used by the history commands when none is configured.
pub const DEFAULT_STATE_DIR: &str = "./state";

const NO_STORE: &str = "the history store is unavailable; see the warning above";

/// Loads the current inventory (`--inventory`, `AIOPS_INVENTORY` or the built-in sample) and
/// records it when a state directory is set.
pub fn load_and_record(args: &Args) -> Result<Loaded, LoadError> {
    let loaded = load_current(args)?;
    tracing::info!(
        inventory = %loaded.source,
        nodes = loaded.topo.nodes().len(),
        edges = loaded.topo.edges().len(),
        "loaded"
    );
    record_if_configured(args, &loaded);
    Ok(loaded)
}

pub fn diff(
    args: &Args,
    old: Option<&Path>,
    new: Option<&Path>,
    since: Option<&str>,
) -> Result<Outcome, Stop> {
    let opts = options(args)?;
    let (old, new) =
        match (old, new, since) {
            (Some(old), Some(new), _) => (loading::file(old, &opts)?, loading::file(new, &opts)?),
            (Some(old), None, _) => (loading::file(old, &opts)?, load_and_record(args)?),
            (None, _, Some(since)) => {
                let (current, store) = current_with_store(args)?;
                let base = history_window(&store, since, args.lang.into())?
                    .base()
                    .clone();
                let bytes = store.bytes(base.id)?.unwrap_or_default();
                let source = format!("v{} ({})", base.id, base.info().seen_at);
                let topo = aiops_core::load_bytes(&base.source, &bytes, &opts).map_err(|e| {
                    Stop::user(
                        Status::UserError,
                        format!("stored {source} no longer loads: {e}"),
                    )
                })?;
                let old = Loaded {
                    topo,
                    source,
                    bytes,
                };
                (old, current)
            }
            _ => return Err(Stop::user(
                Status::UserError,
                "diff needs OLD NEW, OLD (against the current inventory), or --since 7d|VERSION",
            )),
        };
    let reply = commands::diff(ctx(&old), ctx(&new));
    Ok(Outcome::reply(full_detail(reply, args.format)))
}

pub fn history(args: &Args) -> Result<Outcome, Stop> {
    let store =
        open_store(&state_dir(args)).ok_or_else(|| Stop::user(Status::UserError, NO_STORE))?;
    let versions: Vec<VersionInfo> = store.list()?.iter().map(Version::info).collect();
    Ok(Outcome::reply(commands::history(
        args.lang.into(),
        &versions,
    )))
}

pub fn changes(args: &Args, pattern: &str, since_text: &str) -> Result<Outcome, Stop> {
    let opts = options(args)?;
    let (current, store) = current_with_store(args)?;
    let window = history_window(&store, since_text, args.lang.into())?;
    let mut versions = window.topologies(&store, &opts).map_err(window_stop)?;
    let current_hash = sha256_hex(&current.bytes);
    if versions
        .last()
        .is_none_or(|(v, _)| v.sha256 != current_hash)
    {
        let info = VersionInfo {
            id: 0,
            seen_at: rfc3339(now_unix()),
            sha256: current_hash,
            source: current.source.clone(),
            summary: "current inventory, not stored".into(),
        };
        versions.push((info, current.topo));
    }
    Ok(Outcome::reply(commands::changes(
        args.lang.into(),
        pattern,
        since_text,
        &versions,
    )))
}

/// `aiops watch`: runs until Ctrl-C, printing each new version's summary as it is taken.
pub fn watch(args: &Args, interval_ms: u64, settle_ms: u64) -> Result<Outcome, Stop> {
    let (interval, settle) = (
        Duration::from_millis(interval_ms),
        Duration::from_millis(settle_ms),
    );
    let path = args.inventory.clone().ok_or_else(|| {
        Stop::user(
            Status::UserError,
            "watch needs --inventory PATH or AIOPS_INVENTORY: the built-in sample never changes",
        )
    })?;
    let opts = options(args)?;
    let first = loading::file(&path, &opts)?;
    record_if_configured(args, &first);
    output::emit(
        Outcome::Stdout(format!(
            "watching {}: {} instances, {} relations; checking every {} ms\n",
            first.source,
            first.topo.instance_count(),
            first.topo.edges().len(),
            interval.as_millis()
        )),
        args.format,
    );
    let watcher = Watcher::new(path.clone(), opts, settle).with_current(&first.bytes);
    let mut last = first;
    // The sender stays alive for the life of the process: the CLI watch ends with Ctrl-C.
    let (_stop_tx, stop_rx) = std::sync::mpsc::channel();
    let file = path;
    let on_event = |event| match event {
        Event::Loaded { bytes, topo, .. } => {
            let next = Loaded {
                topo: *topo,
                source: last.source.clone(),
                bytes,
            };
            let (summary, _) = diff::summarize(&diff::diff(&last.topo, &next.topo));
            let line = format!(
                "\n[{}] new version of {}\n{summary}\n",
                rfc3339(now_unix()),
                next.source
            );
            output::emit(Outcome::Stdout(line), args.format);
            record_if_configured(args, &next);
            last = next;
        }
        Event::Problem(problem) => {
            let reply = Reply::user_error(
                Status::UserError,
                format!("keeping the last good version: {}", problem.describe(&file)),
            );
            output::stopped(Stop::User(Box::new(reply)), Format::Text);
        }
        Event::Recovered(problem) => {
            let line = format!(
                "\n[{}] usable again, with the last good version (was: {})\n",
                rfc3339(now_unix()),
                problem.describe(&file)
            );
            output::emit(Outcome::Stdout(line), args.format);
        }
    };
    watch::run(watcher, interval, &stop_rx, on_event, |_| {});
    Ok(Outcome::Done(String::new()))
}

/// Load options from the arguments: non-production rows, names only, and the alias file.
fn options(args: &Args) -> Result<LoadOptions, LoadError> {
    let opts = loading::options(args.aliases.as_deref(), args.include_nonprod)?;
    Ok(LoadOptions {
        names_only: args.names_only,
        ..opts
    })
}

/// The current inventory: `--inventory`/`AIOPS_INVENTORY`, or the built-in sample.
fn load_current(args: &Args) -> Result<Loaded, LoadError> {
    loading::inventory(args.inventory.as_deref(), &options(args)?)
}

/// Records the load when a state directory is configured; a failing store is only a warning.
fn record_if_configured(args: &Args, loaded: &Loaded) {
    if let Some(dir) = &args.state_dir {
        if let Some(mut store) = open_store(dir) {
            record(&mut store, args, loaded);
        }
    }
}

fn open_store(dir: &Path) -> Option<Store> {
    match Store::open(dir) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!("history store unavailable, continuing without it: {e:#}");
            None
        }
    }
}

fn record(store: &mut Store, args: &Args, loaded: &Loaded) -> Option<Recorded> {
    let summarize = |prev: Option<&[u8]>| version_summary(args, prev, &loaded.source, &loaded.topo);
    match store.record(&loaded.source, &loaded.bytes, now_unix(), summarize) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!("could not record the inventory in the history: {e:#}");
            None
        }
    }
}

/// What a new version changed against the previous one, as the chat-sized summary.
fn version_summary(args: &Args, prev: Option<&[u8]>, source: &str, topo: &Topology) -> String {
    let Some(prev) = prev else {
        return format!(
            "first version: {} instances, {} relations",
            topo.instance_count(),
            topo.edges().len()
        );
    };
    let old = options(args).and_then(|o| aiops_core::load_bytes(source, prev, &o));
    match old {
        Ok(old) => diff::summarize(&diff::diff(&old, topo)).0,
        Err(e) => format!("previous version no longer loads ({e}); not compared"),
    }
}

fn state_dir(args: &Args) -> PathBuf {
    args.state_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR))
}

/// The current inventory, recorded in the store, and the store.
fn current_with_store(args: &Args) -> Result<(Loaded, Store), Stop> {
    let loaded = load_current(args)?;
    let mut store =
        open_store(&state_dir(args)).ok_or_else(|| Stop::user(Status::UserError, NO_STORE))?;
    record(&mut store, args, &loaded);
    Ok((loaded, store))
}

/// The window `since` names (a duration or a version id), worded for a terminal.
fn history_window(store: &Store, since: &str, lang: Lang) -> Result<Window, Stop> {
    let since =
        commands::parse_since(since).map_err(|e| Stop::user(Status::UserError, e.text(lang)))?;
    window::window(store, Start::from_since(since, now_unix())).map_err(window_stop)
}

fn window_stop(e: WindowError) -> Stop {
    match e {
        WindowError::NoSuchVersion(_) => {
            Stop::user(Status::NotFound, format!("{e}; see `aiops history`"))
        }
        WindowError::EmptyHistory => Stop::user(
            Status::NotFound,
            "the history is empty; load an inventory with --state-dir first",
        ),
        WindowError::Store(e) => Stop::Internal(e),
    }
}

fn ctx(l: &Loaded) -> Context<'_> {
    Context::new(&l.topo, &l.source)
}

/// A terminal has no message limit: text output shows the full detail instead of the summary.
fn full_detail(mut reply: Reply, format: Format) -> Reply {
    if format == Format::Text {
        if let Some(full) = &reply.detail {
            reply.blocks = vec![Block::Text(
                String::from_utf8_lossy(&full.bytes).into_owned(),
            )];
        }
    }
    reply
}
