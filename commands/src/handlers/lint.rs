//! `lint`: what to fix in the sheet, and how a hand-drawn Mermaid chart differs from it.
//!
//! Grammar: `lint [--diagram FILE]`. FILE is a Mermaid file, or a Markdown document with a
//! `mermaid` code block; the handler gets its name and text.

use crate::{Context, Reply, Status};
use aiops_core::lint::{compare_diagram, lint as lint_sheet};
use serde_json::{json, Value};

/// `lint [--diagram NAME TEXT]`: what to fix in the sheet, and how a drawing differs from it.
pub fn lint(ctx: Context, diagram: Option<(&str, &str)>) -> Reply {
    let report = lint_sheet(ctx.topo);
    let mut r = Reply::new(format!(
        "lint {}: {} finding(s)",
        ctx.source,
        report.findings.len()
    ));
    let mut groups: Vec<(aiops_core::DiagKind, Vec<String>)> = Vec::new();
    for f in &report.findings {
        match groups.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, v)) => v.push(f.to_string()),
            None => groups.push((f.kind, vec![f.to_string()])),
        }
    }
    for (kind, lines) in &groups {
        r = r
            .heading(format!("{} ({})", kind_title(*kind), lines.len()))
            .text(lines.join("\n"));
    }
    let mut json = json!({ "findings": report.findings });
    if let Some((name, text)) = diagram {
        let d = match compare_diagram(ctx.topo, text) {
            Ok(d) => d,
            Err(e) => return Reply::user_error(Status::UserError, format!("{name}: {e}")),
        };
        r = r.heading(format!(
            "Diagram {name}: {} boxes, {} arrows; misses {} relation(s) the sheet states, draws {} it does not",
            d.drawn_nodes,
            d.drawn_edges,
            d.missing.len(),
            d.extra.len()
        ));
        r = r.text("Missing from the drawing:");
        r = r.table(
            d.missing
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        r = r.text("Drawn but not in the sheet:");
        r = r.table(
            d.extra
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        if !d.unknown_nodes.is_empty() {
            r = r.text(format!(
                "Boxes that match nothing in the sheet: {}",
                d.unknown_nodes.join(", ")
            ));
        }
        json["diagram"] = serde_json::to_value(&d).unwrap_or(Value::Null);
    }
    r.json = json;
    r
}

fn kind_title(k: aiops_core::DiagKind) -> &'static str {
    use aiops_core::DiagKind::*;
    match k {
        SkippedRow => "Skipped rows",
        NonProduction => "Non-production rows left out",
        ConflictingDuplicate => "Conflicting duplicates",
        Unresolved => "Unresolved words (kept as external nodes)",
        Ambiguous => "Ambiguous words",
        PatternMatchedNothing => "Patterns that match nothing",
        AliasTarget => "Alias problems",
        OneSided => "One-sided relations",
        Encoding => "Text encoding",
        CopyPaste => "Doubtful relations: copied rows",
        DirectionConflict => "Doubtful relations: direction conflicts",
        MissingColumn => "Missing columns",
        RelationLikeColumn => "Columns that look like relations (kept as attributes)",
        NameCase => "Names repeated in other capitals",
    }
}
