//! `aiops render`: the diagram that `deps`/`impact --format mermaid` prints, drawn as PNG or SVG
//! in-process, or as a Unicode text drawing for the terminal.
//!
//! Fonts are found here, at start-up of the command, because looking in directories is I/O:
//! core's renderer only takes the [`Fonts`] value.

use aiops_commands::{self as commands, Context, Status};
use aiops_core::query::Direction;
use aiops_core::render::{self, ascii, fonts, Budget, Fonts};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `aiops render` was asked for.
pub struct RenderArgs<'a> {
    pub pattern: &'a str,
    pub depth: Option<u32>,
    pub impact: bool,
    pub out: Option<&'a Path>,
    pub font_family: Option<&'a str>,
}

/// Where fonts are looked for: the system's and the user's font directories.
pub fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

/// Finds a CJK-capable font, or says which package to install.
pub fn load_fonts(family: Option<&str>) -> Result<Fonts, fonts::FontError> {
    let f = fonts::discover(&font_dirs(), family)?;
    tracing::info!(family = f.family(), "font chosen");
    Ok(f)
}

/// Fonts found once per process: looking in directories is slow and the answer does not change.
static BOT_FONTS: std::sync::OnceLock<Result<Fonts, String>> = std::sync::OnceLock::new();

/// The diagram as PNG for chat, within the bot's time and size budget. A missing CJK font is an
/// error that names the package to install: the bot never posts boxes instead of Chinese.
pub fn png(d: &aiops_core::diagram::Diagram, family: Option<&str>) -> Result<Vec<u8>, String> {
    let fonts = BOT_FONTS.get_or_init(|| load_fonts(family).map_err(|e| e.to_string()));
    let fonts = fonts.as_ref().map_err(Clone::clone)?;
    render::to_png(d, fonts, &Budget::default()).map_err(|e| e.to_string())
}

/// Runs `render`; returns the exit code.
pub fn run(ctx: Context, a: &RenderArgs) -> anyhow::Result<i32> {
    let ctx = Context {
        parts: commands::Parts::DIAGRAM,
        ..ctx
    };
    let reply = if a.impact {
        commands::impact(ctx, a.pattern, a.depth)
    } else {
        commands::deps(ctx, a.pattern, Direction::Both, a.depth.unwrap_or(1))
    };
    if reply.status != Status::Ok {
        eprintln!("aiops: {}", crate::cli::for_terminal(&reply.title));
        return Ok(if reply.status == Status::NotFound {
            1
        } else {
            2
        });
    }
    let Some(diagram) = reply.diagram else {
        eprintln!("aiops: nothing to draw");
        return Ok(2);
    };
    let Some(out) = a.out else {
        match ascii::to_ascii(&diagram) {
            Some(text) => print!("{text}"),
            None => {
                eprintln!(
                    "aiops: {} boxes are too many for a text drawing (limit {}); use --out FILE.png",
                    diagram.nodes.len(),
                    ascii::MAX_ASCII_NODES
                );
                return Ok(2);
            }
        }
        return Ok(0);
    };
    let svg = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => true,
        Some(e) if e.eq_ignore_ascii_case("png") => false,
        _ => {
            eprintln!("aiops: --out {} must end in .png or .svg", out.display());
            return Ok(2);
        }
    };
    let fonts = match load_fonts(a.font_family) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("aiops: {e}");
            return Ok(2);
        }
    };
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
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            eprintln!("aiops: {e}");
            return Ok(2);
        }
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {} ({} nodes, {} edges, {} KB, font {}) in {} ms",
        out.display(),
        diagram.nodes.len(),
        diagram.edges.len(),
        bytes.len().div_ceil(1024),
        fonts.family(),
        started.elapsed().as_millis()
    );
    if !diagram.caption.is_empty() {
        eprintln!("{}", diagram.caption);
    }
    Ok(0)
}
