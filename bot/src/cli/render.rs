//! `aiops render`: the diagram that `deps`/`impact --format mermaid` prints, drawn as PNG or SVG
//! in-process, or as a Unicode text drawing for the terminal.

use super::history::load_and_record;
use super::{Args, Outcome, Stop};
use crate::picture::load_fonts;
use aiops_commands::{self as commands, Context, Parts, Status};
use aiops_core::query::Direction;
use aiops_core::render::fonts::FontError;
use aiops_core::render::{self, ascii, Budget, RenderError};
use anyhow::Context as _;
use std::path::Path;
use std::time::Instant;

/// What `aiops render` was asked for.
pub struct RenderArgs<'a> {
    pub pattern: &'a str,
    pub depth: Option<u32>,
    pub impact: bool,
    pub out: Option<&'a Path>,
    pub font_family: Option<&'a str>,
}

pub fn render(args: &Args, a: &RenderArgs) -> Result<Outcome, Stop> {
    let loaded = load_and_record(args)?;
    let mut ctx = Context::new(&loaded.topo, &loaded.source);
    ctx.lang = args.lang.into();
    ctx.parts = Parts::DIAGRAM;
    let reply = if a.impact {
        commands::impact(ctx, a.pattern, a.depth)
    } else {
        commands::deps(ctx, a.pattern, Direction::Both, a.depth.unwrap_or(1))
    };
    if reply.status != Status::Ok {
        return Err(Stop::User(Box::new(reply)));
    }
    let Some(diagram) = reply.diagram else {
        return Err(Stop::user(Status::UserError, "nothing to draw"));
    };
    let Some(out) = a.out else {
        return match ascii::to_ascii(&diagram) {
            Some(text) => Ok(Outcome::Stdout(text)),
            None => Err(Stop::user(
                Status::UserError,
                format!(
                    "{} boxes are too many for a text drawing (limit {}); use --out FILE.png",
                    diagram.nodes.len(),
                    ascii::MAX_ASCII_NODES
                ),
            )),
        };
    };
    let svg = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => true,
        Some(e) if e.eq_ignore_ascii_case("png") => false,
        _ => {
            return Err(Stop::user(
                Status::UserError,
                format!("--out {} must end in .png or .svg", out.display()),
            ))
        }
    };
    let fonts = load_fonts(a.font_family).map_err(|e| {
        let advice = match e {
            FontError::NoCjkFont { .. } | FontError::FamilyLacksCjk { .. } => {
                "; or name one with --font-family / AIOPS_FONT_FAMILY"
            }
            FontError::FamilyNotFound { .. } => {
                "; or unset --font-family / AIOPS_FONT_FAMILY to pick a CJK font automatically"
            }
        };
        Stop::user(Status::UserError, format!("{e}{advice}"))
    })?;
    let started = Instant::now();
    // The default budget fits the chat reply window; at a terminal nobody is cut off after
    // 3 s, and an unoptimised build needs more.
    let budget = Budget {
        time: std::time::Duration::from_secs(20),
        ..Budget::default()
    };
    let bytes = if svg {
        render::to_svg(&diagram, &fonts, &budget).map(String::into_bytes)
    } else {
        render::to_png(&diagram, &fonts, &budget)
    }
    .map_err(|e| {
        let advice = match e {
            RenderError::TooLarge { .. } => "; narrow the pattern or lower --depth",
            _ => "",
        };
        Stop::user(Status::UserError, format!("{e}{advice}"))
    })?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let mut note = format!(
        "wrote {} ({} nodes, {} edges, {} KB, font {}{}) in {} ms",
        out.display(),
        diagram.nodes.len(),
        diagram.edges.len(),
        bytes.len().div_ceil(1024),
        fonts.family(),
        if fonts.is_embedded() {
            ", built in"
        } else {
            ""
        },
        started.elapsed().as_millis()
    );
    if !diagram.caption.is_empty() {
        note = format!("{note}\n{}", diagram.caption);
    }
    Ok(Outcome::Done(note))
}
