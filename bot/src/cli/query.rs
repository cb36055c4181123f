//! The CLI's queries: each loads the inventory (recording it when a state directory is set) and
//! answers with the platform-neutral handler, building only the part of the reply that will be
//! printed (`export` of a big inventory is costly).

use super::history::load_and_record;
use super::{Args, Format, Outcome, Stop};
use aiops_commands::{self as commands, Context, Parts, Reply};
use aiops_core::query::{Direction, ImpactOptions};
use std::path::Path;

pub fn deps(args: &Args, pattern: &str, up: bool, down: bool, depth: u32) -> Result<Outcome, Stop> {
    let dir = match (up, down) {
        (true, _) => Direction::Up,
        (_, true) => Direction::Down,
        _ => Direction::Both,
    };
    answer(args, |ctx| commands::deps(ctx, pattern, dir, depth))
}

pub fn impact(
    args: &Args,
    pattern: &str,
    depth: Option<u32>,
    one_node: bool,
) -> Result<Outcome, Stop> {
    let opts = ImpactOptions { depth, one_node };
    answer(args, |ctx| commands::impact_with(ctx, pattern, opts))
}

pub fn whois(args: &Args, name: &str) -> Result<Outcome, Stop> {
    answer(args, |ctx| commands::whois(ctx, name))
}

pub fn role(args: &Args, text: &str) -> Result<Outcome, Stop> {
    answer(args, |ctx| commands::role(ctx, text))
}

pub fn owner(args: &Args, text: &str) -> Result<Outcome, Stop> {
    answer(args, |ctx| commands::owner(ctx, text))
}

pub fn path(args: &Args, from: &str, to: &str) -> Result<Outcome, Stop> {
    answer(args, |ctx| commands::path(ctx, from, to))
}

pub fn spof(args: &Args) -> Result<Outcome, Stop> {
    answer(args, commands::spof)
}

pub fn export(args: &Args) -> Result<Outcome, Stop> {
    if args.format == Format::Json {
        let loaded = load_and_record(args)?;
        return Ok(Outcome::ExportJson(Box::new(loaded.topo)));
    }
    answer(args, commands::export)
}

pub fn lint(args: &Args, diagram: Option<&Path>) -> Result<Outcome, Stop> {
    let Some(path) = diagram else {
        return answer(args, |ctx| commands::lint(ctx, None));
    };
    let loaded = load_and_record(args)?;
    let bytes = aiops_core::read_file(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let name = path.display().to_string();
    Ok(Outcome::reply(commands::lint(
        context(args, &loaded),
        Some((&name, &text)),
    )))
}

/// Loads the inventory and answers with `handler`.
fn answer(args: &Args, handler: impl FnOnce(Context) -> Reply) -> Result<Outcome, Stop> {
    let loaded = load_and_record(args)?;
    Ok(Outcome::reply(handler(context(args, &loaded))))
}

/// The handlers' context for this inventory, language and output format.
pub(super) fn context<'a>(args: &Args, loaded: &'a crate::loading::Loaded) -> Context<'a> {
    let mut ctx = Context::new(&loaded.topo, &loaded.source);
    ctx.lang = args.lang.into();
    ctx.parts = match args.format {
        Format::Text => Parts::TEXT,
        Format::Json => Parts::JSON,
        Format::Mermaid => Parts::DIAGRAM,
    };
    ctx
}
