//! Command-line front end: loads the inventory, runs one command, prints its reply as text,
//! JSON or Mermaid.

use crate::history_cli;
use aiops_commands::{self as commands, Context, Reply, Status};
use aiops_core::query::Direction;
use aiops_core::Topology;
use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "aiops",
    version,
    about = "Answers questions about the production inventory: dependencies, impact, owners."
)]
pub struct Args {
    /// Inventory file (xlsx, xls, xlsb, ods, csv, or a Markdown table). Default: the built-in sample.
    #[arg(long, global = true, env = "AIOPS_INVENTORY")]
    pub inventory: Option<PathBuf>,
    /// Alias file (TOML) that pins words to instances or declares them external.
    #[arg(long, global = true, env = "AIOPS_ALIASES")]
    pub aliases: Option<PathBuf>,
    /// Keep test, staging and temporary rows.
    #[arg(long, global = true)]
    pub include_nonprod: bool,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Language of headings and labels (names and roles are always as the sheet writes them).
    #[arg(long, global = true, value_enum, default_value_t = LangArg::En, env = "AIOPS_LANGUAGE")]
    pub lang: LangArg,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Directory of the history store (aiops.sqlite3). When set, every load is recorded;
    /// `history`, `diff --since` and `changes` default to ./state.
    #[arg(long, global = true, env = "AIOPS_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for aiops_commands::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => aiops_commands::Lang::En,
            LangArg::Zh => aiops_commands::Lang::Zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot.
    Serve {
        /// Config file (TOML); every key can also come from the environment.
        #[arg(long, env = "AIOPS_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Validate the bot's config and print the effective settings (never the token).
    CheckConfig {
        #[arg(long, env = "AIOPS_CONFIG")]
        config: Option<PathBuf>,
    },
    /// What the matched instances call (downstream) and what calls them (upstream).
    Deps {
        /// Exact name, glob (aie1p-ces-*), re:REGEX, or part of an external node's name.
        pattern: String,
        /// Only upstreams (callers).
        #[arg(long, conflicts_with = "down")]
        up: bool,
        /// Only downstreams (callees).
        #[arg(long)]
        down: bool,
        /// Follow relations this many hops (1 = direct).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
        depth: u32,
    },
    /// Suppose the matched nodes fail: who breaks, who starves, which entry points are hit.
    Impact {
        pattern: String,
        /// Stop after this many hops (default: follow everything).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50))]
        depth: Option<u32>,
    },
    /// Role, owner, pool size, environment and neighbours of a node.
    Whois { name: String },
    /// Instances whose role contains TEXT.
    Role { text: String },
    /// Instances whose owner contains TEXT.
    Owner { text: String },
    /// Dependency paths from A to B.
    Path { from: String, to: String },
    /// Single points of failure, ranked.
    Spof,
    /// The whole resolved graph.
    Export,
    /// Draw the diagram that `deps`/`impact --format mermaid` prints: PNG or SVG with --out,
    /// otherwise a Unicode text drawing.
    Render {
        pattern: String,
        /// Follow relations this many hops (deps default 1; impact default: everything).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50))]
        depth: Option<u32>,
        /// Draw the impact of the matched nodes failing instead of their dependencies.
        #[arg(long)]
        impact: bool,
        /// Picture file, FILE.png or FILE.svg.
        #[arg(long, conflicts_with = "ascii")]
        out: Option<PathBuf>,
        /// A Unicode text drawing on stdout (the default without --out).
        #[arg(long)]
        ascii: bool,
        /// Font family for labels; must have Chinese glyphs. Default: the first of Noto Sans
        /// CJK, Source Han Sans, WenQuanYi found.
        #[arg(long, env = "AIOPS_FONT_FAMILY")]
        font_family: Option<String>,
    },
    /// What to fix in the sheet; with --diagram, how a hand-drawn Mermaid chart differs from it.
    Lint {
        /// A Mermaid file, or a Markdown document with a ```mermaid block.
        #[arg(long)]
        diagram: Option<PathBuf>,
    },
    /// What changed between two inventories, after resolution: `diff OLD NEW`, `diff OLD`
    /// (against the current inventory), or `diff --since 7d|VERSION` (from the history).
    Diff {
        old: Option<PathBuf>,
        new: Option<PathBuf>,
        /// A duration (30m, 12h, 7d) or a version id from `aiops history`.
        #[arg(long, conflicts_with_all = ["old", "new"])]
        since: Option<String>,
    },
    /// The stored inventory versions, newest first.
    History,
    /// What changed near a component (itself and neighbours up to 2 hops) in a window.
    Changes {
        pattern: String,
        /// A duration (30m, 12h, 7d) or a version id.
        #[arg(long, default_value = "30d")]
        since: String,
    },
    /// Watch the inventory file; print each new version's summary.
    Watch {
        /// How often to look at the file, in milliseconds.
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
        interval_ms: u64,
        /// How long new content must stay unchanged before it is taken, in milliseconds.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
        settle_ms: u64,
    },
}

pub fn init_tracing(args: &Args) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AIOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Loads the inventory named by the arguments, or the built-in sample, and records it in the
/// history when a state directory is set.
pub fn load(args: &Args) -> Result<(Topology, String), aiops_core::LoadError> {
    let loaded = history_cli::load_current(args)?;
    history_cli::record_if_configured(args, &loaded);
    Ok((loaded.topo, loaded.source))
}

/// Runs one command; returns the exit code. The one place commands are dispatched: the
/// service and history commands first, then the queries, which need the inventory loaded.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let format = args.format;
    let print = |reply: Reply| print_reply(&reply, format);
    match &args.command {
        Command::Serve { config } => serve(config.as_deref()),
        Command::CheckConfig { config } => {
            let env = |k: &str| std::env::var(k).ok();
            match crate::config::Config::load(config.as_deref(), &env) {
                Ok(cfg) => {
                    print!("{}", cfg.describe());
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("aiops: {e:#}");
                    Ok(2)
                }
            }
        }
        Command::Diff { .. }
        | Command::History
        | Command::Changes { .. }
        | Command::Watch { .. } => history_cli::run(&args)?
            .ok_or_else(|| anyhow::anyhow!("history command not dispatched: {:?}", args.command)),
        Command::Deps {
            pattern,
            up,
            down,
            depth,
        } => {
            let dir = match (up, down) {
                (true, _) => Direction::Up,
                (_, true) => Direction::Down,
                _ => Direction::Both,
            };
            with_inventory(&args, |ctx| {
                print(commands::deps(ctx, pattern, dir, *depth))
            })
        }
        Command::Impact { pattern, depth } => {
            with_inventory(&args, |ctx| print(commands::impact(ctx, pattern, *depth)))
        }
        Command::Whois { name } => with_inventory(&args, |ctx| print(commands::whois(ctx, name))),
        Command::Role { text } => with_inventory(&args, |ctx| print(commands::role(ctx, text))),
        Command::Owner { text } => with_inventory(&args, |ctx| print(commands::owner(ctx, text))),
        Command::Path { from, to } => {
            with_inventory(&args, |ctx| print(commands::path(ctx, from, to)))
        }
        Command::Spof => with_inventory(&args, |ctx| print(commands::spof(ctx))),
        Command::Export if format == Format::Json => {
            with_inventory(&args, |ctx| stream_export_json(ctx.topo))
        }
        Command::Export => with_inventory(&args, |ctx| print(commands::export(ctx))),
        Command::Render {
            pattern,
            depth,
            impact,
            out,
            ascii: _,
            font_family,
        } => with_inventory(&args, |ctx| {
            let a = crate::render::RenderArgs {
                pattern,
                depth: *depth,
                impact: *impact,
                out: out.as_deref(),
                font_family: font_family.as_deref(),
            };
            crate::render::run(ctx, &a)
        }),
        Command::Lint { diagram } => with_inventory(&args, |ctx| match diagram {
            Some(path) => {
                let bytes = match aiops_core::read_file(path) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("aiops: {e}");
                        return Ok(2);
                    }
                };
                let text = String::from_utf8_lossy(&bytes);
                let name = path.display().to_string();
                print(commands::lint(ctx, Some((&name, &text))))
            }
            None => print(commands::lint(ctx, None)),
        }),
    }
}

/// Loads the inventory and answers with `answer`, which gets a context that builds only the
/// form of reply that will be printed (`export` of a big inventory is costly).
fn with_inventory(
    args: &Args,
    answer: impl FnOnce(Context) -> anyhow::Result<i32>,
) -> anyhow::Result<i32> {
    let (topo, source) = match load(args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("aiops: {e}");
            return Ok(e.exit_code());
        }
    };
    tracing::info!(inventory = %source, nodes = topo.nodes().len(), edges = topo.edges().len(), "loaded");
    let mut ctx = Context::new(&topo, &source);
    ctx.lang = args.lang.into();
    ctx.parts = match args.format {
        Format::Text => aiops_commands::Parts::TEXT,
        Format::Json => aiops_commands::Parts::JSON,
        Format::Mermaid => aiops_commands::Parts::DIAGRAM,
    };
    answer(ctx)
}

/// `aiops serve`: runs the bot until SIGTERM or Ctrl-C, then shuts down cleanly (exit 0).
fn serve(config: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let env = |k: &str| std::env::var(k).ok();
    let cfg = match crate::config::Config::load(config, &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("aiops: {e:#}");
            return Ok(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let health = tokio::net::TcpListener::bind(&cfg.health_addr)
            .await
            .with_context(|| format!("binding the health port {}", cfg.health_addr))?;
        tracing::info!(addr = %cfg.health_addr, "health and metrics listening");
        let shutdown = async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        tokio::select! {
                            _ = term.recv() => {}
                            _ = tokio::signal::ctrl_c() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
            tracing::info!("shutting down: finishing commands in flight");
        };
        crate::serve::run(
            cfg,
            health,
            std::sync::Arc::new(crate::serve::SystemClock),
            shutdown,
        )
        .await
    })?;
    Ok(0)
}

/// `export --format json`, written as it is serialized: 150 MB for a 100k-row inventory.
fn stream_export_json(topo: &aiops_core::Topology) -> anyhow::Result<i32> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // serde_json hands back the writer's own I/O error, OS message included.
    let written = commands::write_export_json(topo, &mut out)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(0),
        // A closed pipe (`aiops export --format json | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(anyhow::Error::new(e).context("writing the export to standard output")),
    }
}

pub(crate) fn print_reply(reply: &Reply, format: Format) -> anyhow::Result<i32> {
    let code = match reply.status {
        Status::Ok => 0,
        Status::NotFound => 1,
        Status::UserError => 2,
    };
    if reply.status != Status::Ok {
        eprintln!("aiops: {}", for_terminal(&reply.title));
        if format == Format::Json {
            println!("{}", serde_json_string(&reply.json)?);
        }
        return Ok(code);
    }
    let out = match format {
        Format::Text => for_terminal(&reply.to_text()),
        Format::Json => serde_json_string(&reply.json)? + "\n",
        Format::Mermaid => match &reply.diagram {
            Some(d) => d.to_mermaid(),
            None => {
                eprintln!("aiops: this command has no diagram; use --format text or json");
                return Ok(2);
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(code),
        // A closed pipe (`aiops export | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

/// Text for a terminal: control characters from the sheet (an escape sequence in a cell could
/// recolour or rewrite the screen) and bidirectional overrides become U+FFFD; line breaks and
/// tabs stay. JSON escapes them anyway, and Mermaid labels drop them.
pub(crate) fn for_terminal(s: &str) -> String {
    s.chars()
        .map(|c| {
            let control = c.is_control() && c != '\n' && c != '\t';
            if control || aiops_core::text::is_bidi_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

fn serde_json_string(v: &serde_json::Value) -> anyhow::Result<String> {
    Ok(aiops_commands::to_json_pretty(v)?)
}
