//! The CLI's history commands (`diff`, `history`, `changes`, `watch`) and the recording of every
//! load in the history store.
//!
//! Recording: a load is recorded when `--state-dir`/`AIOPS_STATE_DIR` is set. `history`,
//! `diff --since` and `changes` need the store, so they use `./state` when neither is set (and
//! record the current inventory there too). `diff OLD NEW` compares two files and records
//! neither. A store that fails is a warning: the command still answers from the inventory.

use crate::cli::{print_reply, Args, Command, Format};
use crate::history::{now_unix, Recorded, Store, Version};
use crate::watch::{self, Event, Watcher};
use aiops_commands::{self as commands, Block, Context, Reply, Since, Status, VersionInfo};
use aiops_core::diff;
use aiops_core::{Aliases, LoadError, LoadOptions, Topology};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// State directory used by the history commands when none is configured.
pub const DEFAULT_STATE_DIR: &str = "./state";

/// An inventory as loaded: the graph, its name in messages, and the bytes it came from.
pub struct Loaded {
    pub topo: Topology,
    pub source: String,
    pub bytes: Vec<u8>,
}

/// Runs the history commands; `None` for the other commands.
pub fn run(args: &Args) -> anyhow::Result<Option<i32>> {
    let result = match &args.command {
        Command::Diff { old, new, since } => {
            diff_cmd(args, old.as_deref(), new.as_deref(), since.as_deref())
        }
        Command::History => history_cmd(args),
        Command::Changes { pattern, since } => changes_cmd(args, pattern, since),
        Command::Watch {
            interval_ms,
            settle_ms,
        } => watch_cmd(
            args,
            Duration::from_millis(*interval_ms),
            Duration::from_millis(*settle_ms),
        ),
        _ => return Ok(None),
    };
    match result {
        Ok(code) => Ok(Some(code)),
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(Exit(code)) => Ok(Some(*code)),
            None => Err(e),
        },
    }
}

/// A command stopped early after telling the user why; the process exits with this code.
#[derive(Debug)]
struct Exit(i32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// Tells the user what is wrong with the request; stops the command.
fn tell(format: Format, status: Status, message: impl Into<String>) -> anyhow::Error {
    let code = print_reply(&Reply::user_error(status, message), format).unwrap_or(2);
    Exit(code).into()
}

/// Reports an inventory that does not load; stops the command with exit code 2.
fn bad_load(e: LoadError) -> anyhow::Error {
    eprintln!("aiops: {e}");
    Exit(e.exit_code()).into()
}

const NO_STORE: &str = "the history store is unavailable; see the warning above";

/// Load options from the arguments: non-production rows and the alias file.
pub fn options(args: &Args) -> Result<LoadOptions, LoadError> {
    let mut opts = LoadOptions {
        include_nonprod: args.include_nonprod,
        ..LoadOptions::default()
    };
    if let Some(path) = &args.aliases {
        let bytes = aiops_core::read_file(path)?;
        let file = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| LoadError::Alias {
            file: file.clone(),
            detail: "not UTF-8 text".into(),
        })?;
        opts.aliases = Aliases::parse(&file, &text)?;
    }
    Ok(opts)
}

/// The current inventory: `--inventory`/`AIOPS_INVENTORY`, or the built-in sample.
pub fn load_current(args: &Args) -> Result<Loaded, LoadError> {
    let opts = options(args)?;
    match &args.inventory {
        // Only the inventory itself gets the hint about --inventory.
        Some(path) => load_file(path, &opts).map_err(LoadError::of_inventory),
        None => Ok(Loaded {
            topo: aiops_core::seed(&opts)?,
            source: aiops_core::SEED_NAME.to_string(),
            bytes: aiops_core::SEED_XLSX.to_vec(),
        }),
    }
}

fn load_file(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let source = path.display().to_string();
    let bytes = aiops_core::read_file(path)?;
    let topo = aiops_core::load_bytes(&source, &bytes, opts)?;
    Ok(Loaded {
        topo,
        source,
        bytes,
    })
}

/// Records the load when a state directory is configured; a failing store is only a warning.
pub fn record_if_configured(args: &Args, loaded: &Loaded) {
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
fn current_with_store(args: &Args) -> anyhow::Result<(Loaded, Store)> {
    let loaded = load_current(args).map_err(bad_load)?;
    let mut store = open_store(&state_dir(args))
        .ok_or_else(|| tell(args.format, Status::UserError, NO_STORE))?;
    record(&mut store, args, &loaded);
    Ok((loaded, store))
}

fn diff_cmd(
    args: &Args,
    old: Option<&Path>,
    new: Option<&Path>,
    since: Option<&str>,
) -> anyhow::Result<i32> {
    let opts = options(args).map_err(bad_load)?;
    let (old, new) =
        match (old, new, since) {
            (Some(old), Some(new), _) => (
                load_file(old, &opts).map_err(bad_load)?,
                load_file(new, &opts).map_err(bad_load)?,
            ),
            (Some(old), None, _) => {
                let old = load_file(old, &opts).map_err(bad_load)?;
                let current = load_current(args).map_err(bad_load)?;
                record_if_configured(args, &current);
                (old, current)
            }
            (None, _, Some(since)) => {
                let (current, store) = current_with_store(args)?;
                let base = baseline(args, &store, since)?;
                let bytes = store.bytes(base.id)?.unwrap_or_default();
                let source = format!("v{} ({})", base.id, base.info().seen_at);
                let topo = aiops_core::load_bytes(&base.source, &bytes, &opts).map_err(|e| {
                    tell(
                        args.format,
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
            _ => return Err(tell(
                args.format,
                Status::UserError,
                "diff needs OLD NEW, OLD (against the current inventory), or --since 7d|VERSION",
            )),
        };
    let reply = commands::diff(ctx(&old), ctx(&new));
    print_reply(&full_detail(reply, args.format), args.format)
}

fn ctx(l: &Loaded) -> Context<'_> {
    Context::new(&l.topo, &l.source)
}

/// A terminal has no message limit: text output shows the full detail instead of the summary.
fn full_detail(mut reply: Reply, format: Format) -> Reply {
    if format == Format::Text {
        if let Some(full) = reply.attachments.iter().find(|a| a.name == "changes.txt") {
            reply.blocks = vec![Block::Text(
                String::from_utf8_lossy(&full.bytes).into_owned(),
            )];
        }
    }
    reply
}

/// The version `since` names: the given id, or the version in force that long ago (the oldest
/// when the history is younger than that).
fn baseline(args: &Args, store: &Store, since: &str) -> anyhow::Result<Version> {
    let since =
        commands::parse_since(since).map_err(|e| tell(args.format, Status::UserError, e))?;
    let found = match since {
        Since::Version(id) => store.get(id)?,
        Since::Ago(secs) => {
            let cutoff = now_unix().saturating_sub(i64::try_from(secs).unwrap_or(i64::MAX));
            match store.at(cutoff)? {
                Some(v) => Some(v),
                None => store.oldest()?,
            }
        }
    };
    found.ok_or_else(|| {
        let msg = match since {
            Since::Version(id) => format!("no version v{id} in the history; see `aiops history`"),
            Since::Ago(_) => {
                "the history is empty; load an inventory with --state-dir first".into()
            }
        };
        tell(args.format, Status::NotFound, msg)
    })
}

fn history_cmd(args: &Args) -> anyhow::Result<i32> {
    let store = open_store(&state_dir(args))
        .ok_or_else(|| tell(args.format, Status::UserError, NO_STORE))?;
    let versions: Vec<VersionInfo> = store.list()?.iter().map(Version::info).collect();
    print_reply(&commands::history(&versions), args.format)
}

fn changes_cmd(args: &Args, pattern: &str, since_text: &str) -> anyhow::Result<i32> {
    let opts = options(args).map_err(bad_load)?;
    let (current, store) = current_with_store(args)?;
    let base = baseline(args, &store, since_text)?;
    let mut window: Vec<(VersionInfo, Topology)> = Vec::new();
    for v in store.list()?.into_iter().rev().filter(|v| v.id >= base.id) {
        let bytes = store.bytes(v.id)?.unwrap_or_default();
        match aiops_core::load_bytes(&v.source, &bytes, &opts) {
            Ok(topo) => window.push((v.info(), topo)),
            Err(e) => tracing::warn!("skipping v{}: it no longer loads: {e}", v.id),
        }
    }
    let current_hash = crate::history::sha256_hex(&current.bytes);
    if window.last().is_none_or(|(v, _)| v.sha256 != current_hash) {
        let info = VersionInfo {
            id: 0,
            seen_at: crate::history::rfc3339(now_unix()),
            sha256: current_hash,
            source: current.source.clone(),
            summary: "current inventory, not stored".into(),
        };
        window.push((info, current.topo));
    }
    let label = format!("since {since_text}");
    print_reply(&commands::changes(pattern, &label, &window), args.format)
}

fn watch_cmd(args: &Args, interval: Duration, settle: Duration) -> anyhow::Result<i32> {
    let path = args.inventory.clone().ok_or_else(|| {
        tell(
            args.format,
            Status::UserError,
            "watch needs --inventory PATH or AIOPS_INVENTORY: the built-in sample never changes",
        )
    })?;
    let opts = options(args).map_err(bad_load)?;
    let first = load_file(&path, &opts).map_err(bad_load)?;
    record_if_configured(args, &first);
    println!(
        "watching {}: {} instances, {} relations; checking every {} ms",
        first.source,
        first.topo.instance_count(),
        first.topo.edges().len(),
        interval.as_millis()
    );
    let watcher = Watcher::new(path, opts, settle).with_current(&first.bytes);
    let mut last = first;
    // The sender stays alive for the life of the process: the CLI watch ends with Ctrl-C.
    let (_stop_tx, stop_rx) = std::sync::mpsc::channel();
    watch::run(watcher, interval, &stop_rx, |event| match event {
        Event::Loaded { bytes, topo } => {
            let next = Loaded {
                topo: *topo,
                source: last.source.clone(),
                bytes,
            };
            let (summary, _) = diff::summarize(&diff::diff(&last.topo, &next.topo));
            println!(
                "\n[{}] new version of {}\n{summary}",
                crate::history::rfc3339(now_unix()),
                next.source
            );
            record_if_configured(args, &next);
            last = next;
        }
        Event::Failed { error } => {
            eprintln!("aiops: reload failed, keeping the last good version: {error}");
        }
    });
    Ok(0)
}
