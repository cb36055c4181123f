//! `reconcile`: the sheet against what runs in EC2 (see `aiops_core::reconcile`).
//!
//! Grammar: `reconcile EC2.json [EC2-2.json …]`; the front end reads and parses the files and
//! hands over the report.

use super::name_with_count;
use crate::{Context, Msg, Reply};
use aiops_core::reconcile::{self, Report};

/// The drift report as a reply: a line per kind of drift, the JSON, and the diagram.
pub fn reconcile(ctx: Context, report: &Report) -> Reply {
    let topo = ctx.topo;
    let total = topo.instance_count();
    let drift = report.missing.len()
        + report.unlisted.len()
        + report.pool_size.len()
        + report.single_az.len()
        + report.type_mismatch.len();
    let lang = ctx.lang;
    let mut r = Reply::new(
        Msg::ReconcileTitle {
            source: ctx.source,
            drift,
            matched: report.matched,
            total,
        }
        .text(lang),
    );
    if report.is_clean() {
        r = r.text(Msg::SheetAgrees.text(lang));
    }
    if !report.missing.is_empty() {
        r = r
            .heading(format!(
                "Listed in the sheet, not running: {}",
                report.missing.len()
            ))
            .table(
                report
                    .missing
                    .iter()
                    .map(|m| {
                        let n = topo.node(&m.id).map_or(1, |n| n.count);
                        vec![
                            format!("  {}", name_with_count(&m.id, n)),
                            Msg::NotRunning(&m.state).text(lang).into_owned(),
                        ]
                    })
                    .collect(),
            );
    }
    if !report.unlisted.is_empty() {
        r = r
            .heading(format!(
                "Running, not in the sheet: {}",
                report.unlisted.len()
            ))
            .table(
                report
                    .unlisted
                    .iter()
                    .map(|u| {
                        vec![
                            format!("  {}", u.group),
                            Msg::RunningCount(u.count).text(lang).into_owned(),
                            u.examples.join(", "),
                        ]
                    })
                    .collect(),
            );
    }
    if !report.pool_size.is_empty() {
        r = r
            .heading(format!(
                "Pool size, sheet against running: {}",
                report.pool_size.len()
            ))
            .table(
                report
                    .pool_size
                    .iter()
                    .map(|p| {
                        vec![
                            format!("  {}", p.id),
                            Msg::SheetCount(p.sheet).text(lang).into_owned(),
                            Msg::RunningNow(p.running).text(lang).into_owned(),
                        ]
                    })
                    .collect(),
            );
    }
    if !report.single_az.is_empty() {
        r = r
            .heading(Msg::ReconcileSingleAz(report.single_az.len()).text(lang))
            .table(
                report
                    .single_az
                    .iter()
                    .map(|s| {
                        vec![
                            format!("  {}", s.id),
                            Msg::InZone {
                                count: s.count,
                                az: &s.az,
                            }
                            .text(lang)
                            .into_owned(),
                        ]
                    })
                    .collect(),
            );
    }
    if !report.type_mismatch.is_empty() {
        r = r
            .heading(Msg::ReconcileTypes(report.type_mismatch.len()).text(lang))
            .table(
                report
                    .type_mismatch
                    .iter()
                    .map(|t| {
                        vec![
                            format!("  {}", t.id),
                            Msg::NameSays(&t.name_says).text(lang).into_owned(),
                            Msg::Runs(&t.actual).text(lang).into_owned(),
                        ]
                    })
                    .collect(),
            );
    }
    r.diagram = Some(reconcile::diagram(topo, report));
    r.json = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    r
}
