//! The CLI's queries: each loads the inventory (recording it when a state directory is set) and
//! answers with the platform-neutral handler, building only the part of the reply that will be
//! printed (`export` of a big inventory is costly).

use super::history::load_and_record;
use super::{Args, Format, Outcome, Stop};
use aiops_commands::{self as commands, Context, Parts, Reply, Status};
use aiops_core::query::{Direction, ImpactOptions};
use aiops_core::reconcile::TagKeys;
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
    let opts = ImpactOptions {
        depth,
        one_node,
        ..ImpactOptions::default()
    };
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

/// `reconcile FILES…`: reads every page of describe-instances output, then compares.
pub fn reconcile(
    args: &Args,
    files: &[std::path::PathBuf],
    name_tag: &str,
    group_tags: &[String],
) -> Result<Outcome, Stop> {
    let instances = crate::loading::ec2(files).map_err(|e| Stop::user(Status::UserError, e))?;
    let mut keys = TagKeys {
        name: name_tag.to_string(),
        ..TagKeys::default()
    };
    if !group_tags.is_empty() {
        keys.group = group_tags.to_vec();
    }
    let loaded = load_and_record(args)?;
    let report = aiops_core::reconcile::reconcile(&loaded.topo, &instances, &keys);
    Ok(Outcome::reply(commands::reconcile(
        context(args, &loaded),
        &report,
    )))
}

/// Loads the inventory (and what runs in EC2, with `--ec2`) and answers with `handler`.
fn answer(args: &Args, handler: impl FnOnce(Context) -> Reply) -> Result<Outcome, Stop> {
    let loaded = load_and_record(args)?;
    let ec2 = ec2_report(args, &loaded.topo)?;
    let mut ctx = context(args, &loaded);
    ctx.ec2 = ec2.as_ref();
    // The graph is freed here, before the answer is written: a big JSON answer then reuses its
    // memory. Leaving it to the system at exit saved 2% of a 100k-row run but raised the peak
    // by the size of the answer (366 to 452 MiB on the 100k `huge-domain` workbook).
    Ok(Outcome::reply(handler(ctx)))
}

/// The reconciliation against `--ec2` files, when given.
pub(super) fn ec2_report(
    args: &Args,
    topo: &aiops_core::Topology,
) -> Result<Option<aiops_core::reconcile::Report>, Stop> {
    if args.ec2.is_empty() {
        return Ok(None);
    }
    let instances = crate::loading::ec2(&args.ec2).map_err(|e| Stop::user(Status::UserError, e))?;
    Ok(Some(aiops_core::reconcile::reconcile(
        topo,
        &instances,
        &TagKeys::default(),
    )))
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
