//! A Unicode text drawing of a small [`Diagram`] for terminals and chat code blocks: the same
//! columns as the picture, top to bottom, each box drawn with its arrows beneath it.
//!
//! ```text
//! ── column 1 ──
//! ╭────────╮
//! │ APISIX │
//! ╰────────╯
//!   ──→ aie1p-ces-access ×4
//!   ┄┄→ Aurora makerdb  (可选)
//! ```
//! Highlighted boxes use heavy lines (`┏━┓`) and are marked with their legend word. Arrows
//! follow traffic; a dashed arrow is optional, on demand or removed.

use super::layout::columns;
use crate::diagram::{escape_edge_label, escape_label, Diagram, NodeClass};
use crate::text::display_width;
use std::fmt::Write;

/// Text drawings are for small neighbourhoods; larger diagrams are refused with this many nodes.
pub const MAX_ASCII_NODES: usize = 40;

/// The drawing, or `None` when the diagram has more than [`MAX_ASCII_NODES`] boxes.
pub fn to_ascii(d: &Diagram) -> Option<String> {
    if d.nodes.len() > MAX_ASCII_NODES {
        return None;
    }
    let edges: Vec<(usize, usize)> = d.edges.iter().map(|e| (e.from, e.to)).collect();
    let col = columns(d.nodes.len(), &edges);
    let ncols = col.iter().copied().max().map_or(0, |m| m + 1);
    let name = |i: usize| escape_label(d.nodes[i].lines.first().map_or("", String::as_str));
    let mut out = String::new();
    for c in 0..ncols {
        let _ = writeln!(out, "── column {} ──", c + 1);
        for (i, n) in d.nodes.iter().enumerate().filter(|(i, _)| col[*i] == c) {
            let mut lines: Vec<String> = n.lines.iter().map(|l| escape_label(l)).collect();
            if let Some(word) = n.class.legend() {
                lines[0] = format!("{} [{word}]", lines[0]);
            }
            let w = lines.iter().map(|l| display_width(l)).max().unwrap_or(0);
            let heavy = !matches!(n.class, NodeClass::Instance | NodeClass::External);
            let (tl, tr, bl, br, h, v) = if heavy {
                ('┏', '┓', '┗', '┛', '━', '┃')
            } else {
                ('╭', '╮', '╰', '╯', '─', '│')
            };
            let bar = h.to_string().repeat(w + 2);
            let _ = writeln!(out, "{tl}{bar}{tr}");
            for l in &lines {
                let pad = " ".repeat(w - display_width(l));
                let _ = writeln!(out, "{v} {l}{pad} {v}");
            }
            let _ = writeln!(out, "{bl}{bar}{br}");
            for e in d.edges.iter().filter(|e| e.from == i) {
                let arrow = if e.dashed { "┄┄→" } else { "──→" };
                let label = e
                    .label
                    .as_deref()
                    .map(|l| format!("  ({})", escape_edge_label(l)))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {arrow} {}{label}", name(e.to));
            }
        }
    }
    if !d.caption.is_empty() {
        let _ = writeln!(out, "{}", d.caption);
    }
    Some(out)
}
