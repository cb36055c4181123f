//! Command-line front end, the only place that knows clap: the arguments, the one dispatch, and
//! the one map from how a command went to the process's exit code. Each command's handler
//! returns an [`Outcome`] (or a [`Stop`]); only [`output`] prints.
//!
//! Exit codes: 0 answered; 1 nothing matched; 2 bad input, or our side failed.

mod alert;
mod history;
mod output;
mod query;
mod render;
mod service;

pub use output::for_terminal;

use aiops_commands::{Reply, Status};
use aiops_core::LoadError;
use clap::{Parser, Subcommand, ValueEnum};
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
    /// Load a sheet that has no upstream and no downstream column as names without relations,
    /// instead of refusing it.
    #[arg(long, global = true)]
    pub names_only: bool,
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
    /// What runs in EC2: `aws ec2 describe-instances` JSON, one file per page (repeat the
    /// flag, or separate with commas). whois says what runs; `impact --one-node` fails a pool
    /// whose nodes share one zone as a whole.
    #[arg(
        long,
        global = true,
        env = "AIOPS_EC2_INVENTORY",
        value_delimiter = ','
    )]
    pub ec2: Vec<PathBuf>,
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
pub enum SourceArg {
    Alertmanager,
    Grafana,
    Pagerduty,
}

impl From<SourceArg> for aiops_core::alert::Source {
    fn from(s: SourceArg) -> Self {
        match s {
            SourceArg::Alertmanager => aiops_core::alert::Source::Alertmanager,
            SourceArg::Grafana => aiops_core::alert::Source::Grafana,
            SourceArg::Pagerduty => aiops_core::alert::Source::PagerDuty,
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
        /// Exact name, glob (web-*), re:REGEX, or part of an external node's name.
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
        /// List only this many hops (default: everything); the verdict and counts still cover
        /// the whole graph.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50))]
        depth: Option<u32>,
        /// Lose one node of each selected pool (capacity) instead of the whole pool (outage).
        #[arg(long)]
        one_node: bool,
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
    /// The sheet against what runs in EC2: the JSON of `aws ec2 describe-instances`, one file
    /// per page.
    Reconcile {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Tag that names an instance as the sheet does.
        #[arg(long, default_value = "Name")]
        name_tag: String,
        /// Tags that name a node's node group, tried in order (default: eks:nodegroup-name,
        /// alpha.eksctl.io/nodegroup-name, aws:autoscaling:groupName).
        #[arg(long = "group-tag")]
        group_tags: Vec<String>,
    },
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
        /// Picture file, FILE.png or FILE.svg; without it, a Unicode text drawing on stdout.
        #[arg(long)]
        out: Option<PathBuf>,
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
    /// What the bot would post for an alert webhook body (Alertmanager, Grafana, PagerDuty v3):
    /// the alert, its components, what breaks, the diagram. Several files are later
    /// deliveries of the same group, applied in order.
    Alert {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Which sender wrote the body; default: told by its shape.
        #[arg(long, value_enum)]
        source: Option<SourceArg>,
        /// Label names read for component names, in order (repeat the flag). Default:
        /// instance, host, hostname, nodename, ec2_name, name, service, job, pod, node.
        #[arg(long = "label-key")]
        label_keys: Vec<String>,
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
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not into journald or a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // When standard error is gone (its reader exited, a log collector restarted), a log
        // line is lost quietly. By default the subscriber reports the failed write with
        // `eprintln!`, which panics on the same closed pipe and takes down whatever task was
        // logging: a command handler, or the one that closes the gateway on SIGTERM.
        .log_internal_errors(false);
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// What a command produced, for [`output`] to print.
pub enum Outcome {
    /// An answer, printed in the chosen format.
    Reply(Box<Reply>),
    /// The whole graph as JSON, streamed as it is serialized (`export --format json`).
    ExportJson(Box<aiops_core::Topology>),
    /// Text for standard output as it is (a text drawing, the effective config).
    Stdout(String),
    /// Done; a note for standard error (`wrote out.png …`), if any.
    Done(String),
}

impl Outcome {
    pub fn reply(reply: Reply) -> Outcome {
        Outcome::Reply(Box::new(reply))
    }
}

/// Why a command stopped without an answer.
#[derive(Debug)]
pub enum Stop {
    /// The request or its input is wrong; the reply says why.
    User(Box<Reply>),
    /// An inventory, alias or diagram file that does not load.
    Load(LoadError),
    /// Our side failed.
    Internal(anyhow::Error),
}

impl Stop {
    /// A user error with this status and message.
    pub fn user(status: Status, message: impl Into<String>) -> Stop {
        Stop::User(Box::new(Reply::user_error(status, message)))
    }
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Stop {
        Stop::Load(e)
    }
}

impl From<anyhow::Error> for Stop {
    fn from(e: anyhow::Error) -> Stop {
        Stop::Internal(e)
    }
}

/// How a command went, as the process's exit code: the one place this is decided.
pub fn exit_code(status: Status) -> i32 {
    match status {
        Status::Ok => 0,
        Status::NotFound => 1,
        Status::UserError | Status::Failed => 2,
    }
}

/// Runs one command and prints what it produced; returns the exit code.
pub fn run(args: Args) -> i32 {
    let format = args.format;
    let status = match dispatch(&args) {
        Ok(outcome) => output::emit(outcome, format),
        Err(stop) => output::stopped(stop, format),
    };
    exit_code(status)
}

/// The one dispatch: each command to its handler.
fn dispatch(args: &Args) -> Result<Outcome, Stop> {
    match &args.command {
        Command::Serve { config } => service::serve(config.as_deref()),
        Command::CheckConfig { config } => service::check_config(config.as_deref()),
        Command::Deps {
            pattern,
            up,
            down,
            depth,
        } => query::deps(args, pattern, *up, *down, *depth),
        Command::Impact {
            pattern,
            depth,
            one_node,
        } => query::impact(args, pattern, *depth, *one_node),
        Command::Whois { name } => query::whois(args, name),
        Command::Role { text } => query::role(args, text),
        Command::Owner { text } => query::owner(args, text),
        Command::Path { from, to } => query::path(args, from, to),
        Command::Spof => query::spof(args),
        Command::Export => query::export(args),
        Command::Reconcile {
            files,
            name_tag,
            group_tags,
        } => query::reconcile(args, files, name_tag, group_tags),
        Command::Lint { diagram } => query::lint(args, diagram.as_deref()),
        Command::Render {
            pattern,
            depth,
            impact,
            out,
            font_family,
        } => render::render(
            args,
            &render::RenderArgs {
                pattern,
                depth: *depth,
                impact: *impact,
                out: out.as_deref(),
                font_family: font_family.as_deref(),
            },
        ),
        Command::Diff { old, new, since } => {
            history::diff(args, old.as_deref(), new.as_deref(), since.as_deref())
        }
        Command::History => history::history(args),
        Command::Changes { pattern, since } => history::changes(args, pattern, since),
        Command::Alert {
            files,
            source,
            label_keys,
        } => alert::alert(args, files, source.map(Into::into), label_keys),
        Command::Watch {
            interval_ms,
            settle_ms,
        } => history::watch(args, *interval_ms, *settle_ms),
    }
}
