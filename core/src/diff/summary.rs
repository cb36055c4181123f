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
    let sections = sections(d);
    let full = render(d, &sections, usize::MAX);
    if full.chars().count() <= CHAT_LIMIT {
        return (full.clone(), full);
    }
    const NOTE: &str = "… full detail attached.\n";
    let budget = CHAT_LIMIT - NOTE.chars().count();
    for cap in [10, 6, 3, 1, 0] {
        let short = render(d, &sections, cap);
        if short.chars().count() <= budget {
            return (short + NOTE, full);
        }
    }
    let mut short: String = render(d, &sections, 0).chars().take(budget - 1).collect();
    short.push('\n');
    (short + NOTE, full)
}

struct Section {
    title: &'static str,
    lines: Vec<String>,
}

fn sections(d: &InventoryDiff) -> Vec<Section> {
    let mut risk = Vec::new();
    for r in &d.removed_with_dependents {
        let mut line = format!("⚠ removed but still depended on: {}", r.id);
        if !r.dependents.is_empty() {
            line.push_str(&format!(" ← {}", list(&r.dependents, 5)));
        }
        if r.still_named {
            line.push_str(" (cells still name it)");
        }
        risk.push(line);
    }
    risk.extend(
        d.new_spofs
            .iter()
            .map(|s| format!("⚠ new single point of failure: {s}")),
    );
    let info = |i: &super::InstanceInfo, sign: &str| {
        let mut s = format!("{sign} {}", pool_label(&i.id, i.count));
        if !i.role.is_empty() {
            s.push_str(&format!(" — {}", i.role));
        }
        s
    };
    vec![
        Section {
            title: "Risk",
            lines: risk,
        },
        Section {
            title: "Added instances",
            lines: d.added_details.iter().map(|i| info(i, "+")).collect(),
        },
        Section {
            title: "Removed instances",
            lines: d.removed_details.iter().map(|i| info(i, "−")).collect(),
        },
        Section {
            title: "Changed instances",
            lines: d
                .changed_instances
                .iter()
                .map(|c| {
                    format!(
                        "~ {}: {} {} → {}",
                        c.id,
                        c.field,
                        shown(&c.old),
                        shown(&c.new)
                    )
                })
                .collect(),
        },
        Section {
            title: "Relations added",
            lines: d.added_edges.iter().map(|e| edge_line("+", e)).collect(),
        },
        Section {
            title: "Relations removed",
            lines: d.removed_edges.iter().map(|e| edge_line("−", e)).collect(),
        },
        Section {
            title: "Relation flags changed",
            lines: d
                .changed_edges
                .iter()
                .map(|c| {
                    format!(
                        "~ {} → {}: {} {} → {}",
                        c.from,
                        c.to,
                        c.field.replace('_', " "),
                        yes_no(&c.old),
                        yes_no(&c.new)
                    )
                })
                .collect(),
        },
        Section {
            title: "Single points of failure cleared",
            lines: d.cleared_spofs.iter().map(|s| format!("✓ {s}")).collect(),
        },
        Section {
            title: "Lint warnings new",
            lines: d.new_warnings.iter().map(|w| format!("+ {w}")).collect(),
        },
        Section {
            title: "Lint warnings cleared",
            lines: d
                .cleared_warnings
                .iter()
                .map(|w| format!("− {w}"))
                .collect(),
        },
    ]
}

fn render(d: &InventoryDiff, sections: &[Section], cap: usize) -> String {
    let mut out = headline(d);
    out.push('\n');
    for s in sections.iter().filter(|s| !s.lines.is_empty()) {
        out.push_str(&format!("{} ({}):\n", s.title, s.lines.len()));
        // Risk is the point of the summary: it keeps at least five lines at any size.
        let cap = if s.title == "Risk" { cap.max(5) } else { cap };
        for l in s.lines.iter().take(cap) {
            out.push_str("  ");
            out.push_str(l);
            out.push('\n');
        }
        if s.lines.len() > cap {
            out.push_str(&format!("  … +{} more\n", s.lines.len() - cap));
        }
    }
    out
}

fn shown(s: &str) -> &str {
    if s.is_empty() {
        "(empty)"
    } else {
        s
    }
}

fn edge_line(sign: &str, e: &EdgeInfo) -> String {
    if e.flags.is_empty() {
        format!("{sign} {} → {}", e.from, e.to)
    } else {
        format!("{sign} {} → {} ({})", e.from, e.to, e.flags)
    }
}

fn list(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" +{} more", items.len() - n));
    }
    s
}
