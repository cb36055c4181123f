//! `lint`: what to fix in the sheet, and how a hand-drawn Mermaid chart differs from it.
//!
//! Grammar: `lint [--diagram FILE]`. FILE is a Mermaid file, or a Markdown document with a
//! `mermaid` code block; the handler gets its name and text.

use crate::{Context, Msg, Reply, Status};
use aiops_core::lint::{compare_diagram, lint as lint_sheet};
use serde_json::{json, Value};

/// `lint [--diagram NAME TEXT]`: what to fix in the sheet, and how a drawing differs from it.
pub fn lint(ctx: Context, diagram: Option<(&str, &str)>) -> Reply {
    let lang = ctx.lang;
    let report = lint_sheet(ctx.topo);
    let mut r = Reply::new(format!(
        "lint {}: {}",
        ctx.source,
        Msg::Findings(report.findings.len()).text(lang)
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
            .heading(format!(
                "{} ({})",
                Msg::LintSection(*kind).text(lang),
                lines.len()
            ))
            .text(lines.join("\n"));
    }
    let mut json = json!({ "findings": report.findings });
    if let Some((name, text)) = diagram {
        let d = match compare_diagram(ctx.topo, text) {
            Ok(d) => d,
            Err(e) => return Reply::user_error(Status::UserError, format!("{name}: {e}")),
        };
        r = r.heading(
            Msg::DiagramCompared {
                name,
                boxes: d.drawn_nodes,
                arrows: d.drawn_edges,
                missing: d.missing.len(),
                extra: d.extra.len(),
            }
            .text(lang),
        );
        r = r.text(Msg::MissingFromDrawing.text(lang));
        r = r.table(
            d.missing
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        r = r.text(Msg::DrawnNotInSheet.text(lang));
        r = r.table(
            d.extra
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        if !d.unknown_nodes.is_empty() {
            r = r.text(format!(
                "{}: {}",
                Msg::UnknownBoxes.text(lang),
                d.unknown_nodes.join(", ")
            ));
        }
        json["diagram"] = serde_json::to_value(&d).unwrap_or(Value::Null);
    }
    r.json = json;
    r
}
