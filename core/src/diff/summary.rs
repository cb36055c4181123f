//! The change summary for people: risk first (removed instances others still depend on, new
//! single points of failure), then grouped changes. The short form fits a chat message; the full
//! form goes in an attachment.

use super::{yes_no, EdgeInfo, InventoryDiff};
use crate::graph::pool_label;

/// Longest chat message, in characters (Discord's limit).
pub const CHAT_LIMIT: usize = 2000;

/// One line saying how much changed, or that nothing did.
pub fn headline(d: &InventoryDiff) -> String {
    if d.is_empty() {
        return "No change after resolution.".into();
    }
    let mut parts = Vec::new();
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if !d.added_instances.is_empty() || !d.removed_instances.is_empty() {
        parts.push(format!(
            "instances +{} −{}",
            d.added_instances.len(),
            d.removed_instances.len()
        ));
    }
    if !d.changed_instances.is_empty() {
        parts.push(count(
            d.changed_instances.len(),
            "attribute changed",
            "attributes changed",
        ));
    }
    if !d.added_edges.is_empty() || !d.removed_edges.is_empty() || !d.changed_edges.is_empty() {
        parts.push(format!(
            "relations +{} −{} ~{}",
            d.added_edges.len(),
            d.removed_edges.len(),
            d.changed_edges.len()
        ));
    }
    if !d.new_spofs.is_empty() || !d.cleared_spofs.is_empty() {
        parts.push(format!(
            "SPOFs +{} −{}",
            d.new_spofs.len(),
            d.cleared_spofs.len()
        ));
    }
    if !d.new_warnings.is_empty() || !d.cleared_warnings.is_empty() {
        parts.push(format!(
            "lint warnings +{} −{}",
            d.new_warnings.len(),
            d.cleared_warnings.len()
        ));
    }
    format!("Inventory changed: {}", parts.join(", "))
}

/// The summary that fits [`CHAT_LIMIT`] characters, and the full text. They are equal when
/// everything fits; otherwise the short one says that the full detail is attached.
pub fn summarize(d: &InventoryDiff) -> (String, String) {
    summarize_within(d, usize::MAX)
}

/// [`summarize`] with the full text kept under `full_max_bytes`: when it does not fit, every
/// group shows as many of its first lines as fit for all of them alike, says how many more it
/// has, and a last line says so. A chat attachment has a size limit, and a whole new
/// inventory's full detail can be tens of megabytes.
pub fn summarize_within(d: &InventoryDiff, full_max_bytes: usize) -> (String, String) {
    let sections = sections(d);
    let full = full_within(d, &sections, full_max_bytes);
    if full.chars().count() <= CHAT_LIMIT {
        return (full.clone(), full);
    }
    const NOTE: &str = "… full detail attached.\n";
    let budget = CHAT_LIMIT - NOTE.chars().count();
    for cap in [10, 6, 3, 1, 0] {
        let short = render(d, &sections, cap, usize::MAX).0;
        if short.chars().count() <= budget {
            return (short + NOTE, full);
        }
    }
    let mut short: String = render(d, &sections, 0, usize::MAX)
        .0
        .chars()
        .take(budget - 1)
        .collect();
    short.push('\n');
    (short + NOTE, full)
}

/// The full text within `max` bytes: all of it when it fits; else the largest number of lines
/// per group that fits (found by halving, each try stopping at the limit, the best kept), or,
/// when not even the groups' headings fit, the text cut at the limit.
fn full_within(d: &InventoryDiff, sections: &[Section], max: usize) -> String {
    let (text, cut) = render(d, sections, usize::MAX, max);
    if !cut {
        return text;
    }
    let room = max.saturating_sub(NOTE_ROOM);
    // The text with `cap` lines a group, when it fits in `room`.
    let fitting = |cap: usize| match render(d, sections, cap, room) {
        (t, false) => Some(t),
        (_, true) => None,
    };
    let Some(mut best) = fitting(0) else {
        return text;
    };
    drop(text);
    let (mut lo, mut hi) = (0, sections.iter().map(|s| s.len).max().unwrap_or(0));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match fitting(mid) {
            Some(t) => (lo, best) = (mid, t),
            None => hi = mid - 1,
        }
    }
    best.push_str(&format!(
        "… each group above shows its first {lo} lines, to keep this text under {} KiB; \
         `aiops diff` of the two versions at a terminal lists them all.\n",
        max.div_ceil(1024)
    ));
    best
}

/// A group of lines, written only when shown: the full text of a large change is most of the
/// memory a summary takes, and the short one shows a few lines of each group.
struct Section<'a> {
    title: &'static str,
    len: usize,
    /// Appends line `i` (without its indent or newline).
    line: Box<LineFn<'a>>,
}

type LineFn<'a> = dyn Fn(usize, &mut String) + 'a;

impl<'a> Section<'a> {
    fn new<T>(
        title: &'static str,
        items: &'a [T],
        line: impl Fn(&T, &mut String) + 'a,
    ) -> Section<'a> {
        Section {
            title,
            len: items.len(),
            line: Box::new(move |i, out| line(&items[i], out)),
        }
    }
}

fn sections(d: &InventoryDiff) -> Vec<Section<'_>> {
    use std::fmt::Write as _;
    let risk_len = d.removed_with_dependents.len() + d.new_spofs.len();
    let risk = Section {
        title: "Risk",
        len: risk_len,
        line: Box::new(move |i, out| {
            let Some(r) = d.removed_with_dependents.get(i) else {
                let s = &d.new_spofs[i - d.removed_with_dependents.len()];
                let _ = write!(out, "⚠ new single point of failure: {s}");
                return;
            };
            let _ = write!(out, "⚠ removed but still depended on: {}", r.id);
            if !r.dependents.is_empty() {
                let _ = write!(out, " ← {}", list(&r.dependents, 5));
            }
            if r.still_named {
                out.push_str(" (cells still name it)");
            }
        }),
    };
    let info = |sign: &'static str| {
        move |i: &super::InstanceInfo, out: &mut String| {
            let _ = write!(out, "{sign} {}", pool_label(&i.id, i.count));
            if !i.role.is_empty() {
                let _ = write!(out, " — {}", i.role);
            }
        }
    };
    vec![
        risk,
        Section::new("Added instances", &d.added_details, info("+")),
        Section::new("Removed instances", &d.removed_details, info("−")),
        Section::new("Changed instances", &d.changed_instances, |c, out| {
            let _ = write!(
                out,
                "~ {}: {} {} → {}",
                c.id,
                c.field,
                shown(&c.old),
                shown(&c.new)
            );
        }),
        Section::new("Relations added", &d.added_edges, |e, out| {
            edge_line("+", e, out)
        }),
        Section::new("Relations removed", &d.removed_edges, |e, out| {
            edge_line("−", e, out)
        }),
        Section::new("Relation flags changed", &d.changed_edges, |c, out| {
            let _ = write!(
                out,
                "~ {} → {}: {} {} → {}",
                c.from,
                c.to,
                c.field.replace('_', " "),
                yes_no(&c.old),
                yes_no(&c.new)
            );
        }),
        Section::new(
            "Single points of failure cleared",
            &d.cleared_spofs,
            |s, out| {
                let _ = write!(out, "✓ {s}");
            },
        ),
        Section::new("Lint warnings new", &d.new_warnings, |w, out| {
            let _ = write!(out, "+ {w}");
        }),
        Section::new("Lint warnings cleared", &d.cleared_warnings, |w, out| {
            let _ = write!(out, "− {w}");
        }),
    ]
}

/// The text with at most `cap` lines of each section (Risk keeps five at any size), within
/// `max_bytes`: when the whole does not fit, it stops after the last line that leaves room for
/// one saying how many lines were left out.
fn render(d: &InventoryDiff, sections: &[Section], cap: usize, max_bytes: usize) -> (String, bool) {
    let mut w = Limited {
        out: headline(d),
        max: max_bytes,
        mark: None,
        written: 0,
        full: false,
    };
    w.out.push('\n');
    let mut line = String::new();
    let mut items = 0usize;
    for s in sections.iter().filter(|s| s.len > 0) {
        let cap = if s.title == "Risk" { cap.max(5) } else { cap };
        let shown = s.len.min(cap);
        items += shown;
        if w.full {
            continue;
        }
        line.clear();
        line.push_str(s.title);
        line.push_str(&format!(" ({}):\n", s.len));
        w.push(&line, false);
        for i in 0..shown {
            line.clear();
            line.push_str("  ");
            (s.line)(i, &mut line);
            line.push('\n');
            if !w.push(&line, true) {
                break;
            }
        }
        if s.len > cap {
            w.push(&format!("  … +{} more\n", s.len - cap), false);
        }
    }
    if w.full {
        w.out.push_str(&left_out_note(items - w.written, max_bytes));
    }
    (w.out, w.full)
}

/// Text written up to a byte limit. When a piece would pass it, the text goes back to where it
/// first passed the limit less [`NOTE_ROOM`], so the note saying what was left out still fits.
struct Limited {
    out: String,
    max: usize,
    /// Length and item lines written when the text first reached the note's room.
    mark: Option<(usize, usize)>,
    written: usize,
    full: bool,
}

impl Limited {
    /// Appends `text` (one item line when `item`); false once the limit is reached.
    fn push(&mut self, text: &str, item: bool) -> bool {
        if self.full {
            return false;
        }
        let end = self.out.len() + text.len();
        if self.mark.is_none() && end > self.max.saturating_sub(NOTE_ROOM) {
            self.mark = Some((self.out.len(), self.written));
        }
        if end > self.max {
            let (len, written) = self.mark.unwrap_or((self.out.len(), self.written));
            self.out.truncate(len);
            self.written = written;
            self.full = true;
            return false;
        }
        self.out.push_str(text);
        self.written += usize::from(item);
        true
    }
}

/// Room kept for [`left_out_note`] under a byte limit.
const NOTE_ROOM: usize = 160;

fn left_out_note(lines: usize, max_bytes: usize) -> String {
    format!(
        "… and {lines} more lines, left out to keep this text under {} KiB; \
         `aiops diff` of the two versions at a terminal lists them all.\n",
        max_bytes.div_ceil(1024)
    )
}

/// `text` cut after its last whole line that leaves room, within `max_bytes`, for a line saying
/// how many lines were left out; `text` itself when it fits.
pub fn cut_to(text: &str, max_bytes: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max_bytes {
        return text.into();
    }
    let room = max_bytes.saturating_sub(NOTE_ROOM);
    // The last newline at or before `room` (a newline byte is never inside a character).
    let keep = text.as_bytes()[..room]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let rest = &text[keep..];
    let lines = rest.lines().count();
    let mut out = String::with_capacity(keep + NOTE_ROOM);
    out.push_str(&text[..keep]);
    out.push_str(&left_out_note(lines, max_bytes));
    out.into()
}

fn shown(s: &str) -> &str {
    if s.is_empty() {
        "(empty)"
    } else {
        s
    }
}

fn edge_line(sign: &str, e: &EdgeInfo, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(out, "{sign} {} → {}", e.from, e.to);
    if !e.flags.is_empty() {
        let _ = write!(out, " ({})", e.flags);
    }
}

fn list(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" +{} more", items.len() - n));
    }
    s
}
