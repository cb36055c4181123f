//! `reconcile`: the sheet against what runs in EC2 (see `aiops_core::reconcile`).
//!
//! Grammar: `reconcile EC2.json [EC2-2.json …]`; the front end reads and parses the files and
//! hands over the report. Also the wording of what runs for one component
//! ([`running_text`]), of a line of drift ([`drift_line`]) and of a change in EC2 between two
//! snapshots ([`ec2_change_line`]), which whois, impact, incident replies, the digest and
//! `changes` share.

use super::name_with_count;
use crate::Lang;
use crate::{Context, Msg, Reply};
use aiops_core::reconcile::{self, Drift, Ec2Change, Report};

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
            .heading(Msg::ReconcileMissing(report.missing.len()).text(lang))
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
            .heading(Msg::ReconcileUnlisted(report.unlisted.len()).text(lang))
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
            .heading(Msg::ReconcilePoolSize(report.pool_size.len()).text(lang))
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
    r.diagram = Some(reconcile::diagram(topo, report, &Words(lang)));
    r.json = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    r
}

/// The reconcile diagram's phrases from the catalogue.
struct Words(Lang);

impl reconcile::DiagramWords for Words {
    fn not_running(&self, state: &str) -> String {
        Msg::BoxNotRunning(state).text(self.0).into_owned()
    }
    fn unlisted(&self, count: usize) -> String {
        Msg::BoxUnlisted(count).text(self.0).into_owned()
    }
    fn caption(&self, report: &Report) -> String {
        Msg::ReconcileCaption {
            missing: report.missing.len(),
            unlisted: report.unlisted.len(),
            pool_size: report.pool_size.len(),
            single_az: report.single_az.len(),
            types: report.type_mismatch.len(),
        }
        .text(self.0)
        .into_owned()
    }
}

/// "running 3 of 3, all in ap-northeast-1a" for a sheet instance, when EC2 is known.
pub fn running_text(ctx: Context, id: &str) -> Option<String> {
    let report = ctx.ec2?;
    let n = ctx.topo.node(id)?;
    if !n.is_instance() {
        return None;
    }
    let lang = ctx.lang;
    let r = report.by_node.get(id);
    let running = r.map_or(0, |r| r.running);
    let mut s = Msg::RunningOf {
        running,
        of: n.count.max(1),
    }
    .text(lang)
    .into_owned();
    if let Some(r) = r {
        match r.zones.len() {
            0 => {}
            1 => {
                let az = r.zones.keys().next().map(String::as_str).unwrap_or("");
                let part = if running > 1 {
                    Msg::AllInZone(az)
                } else {
                    Msg::InZones(az)
                };
                s.push_str(&part.text(lang));
            }
            _ => {
                let zones: Vec<String> = r.zones.iter().map(|(z, c)| format!("{z} ×{c}")).collect();
                s.push_str(&Msg::InZones(&zones.join(", ")).text(lang));
            }
        }
        if r.stopped > 0 {
            s.push_str(&Msg::AlsoStopped(r.stopped).text(lang));
        }
    }
    Some(s)
}

/// One line of drift, as the digest lists it.
pub fn drift_line(lang: Lang, d: &Drift) -> String {
    match d {
        Drift::Missing(m) => Msg::DriftMissing {
            id: &m.id,
            state: &m.state,
        },
        Drift::Unlisted(u) => Msg::DriftUnlisted {
            group: &u.group,
            count: u.count,
        },
        Drift::PoolSize(p) => Msg::DriftPoolSize {
            id: &p.id,
            sheet: p.sheet,
            running: p.running,
        },
        Drift::SingleAz(z) => Msg::DriftOneZone {
            id: &z.id,
            count: z.count,
            az: &z.az,
        },
        Drift::TypeMismatch(t) => Msg::DriftType {
            id: &t.id,
            says: &t.name_says,
            actual: &t.actual,
        },
    }
    .text(lang)
    .into_owned()
}

/// One change in EC2 between two snapshots: "pool x grew from 2 to 5 nodes".
pub fn ec2_change_line(lang: Lang, c: &Ec2Change) -> String {
    match c {
        Ec2Change::Running {
            id, from: 0, to, ..
        } => Msg::StartedRunning { id, count: *to },
        Ec2Change::Running { id, to: 0, .. } => Msg::StoppedRunning(id),
        Ec2Change::Running { id, from, to, .. } if to > from => Msg::PoolGrew {
            id,
            from: *from,
            to: *to,
        },
        Ec2Change::Running { id, from, to, .. } => Msg::PoolShrank {
            id,
            from: *from,
            to: *to,
        },
        Ec2Change::Unlisted { group, from: 0, to } => Msg::UnlistedAppeared { group, count: *to },
        Ec2Change::Unlisted { group, to: 0, .. } => Msg::UnlistedGone(group),
        Ec2Change::Unlisted { group, from, to } => Msg::UnlistedResized {
            group,
            from: *from,
            to: *to,
        },
        Ec2Change::OneZone { id, az: Some(az) } => Msg::NowOneZone { id, az },
        Ec2Change::OneZone { id, az: None } => Msg::NoLongerOneZone(id),
    }
    .text(lang)
    .into_owned()
}

/// The EC2 part of `changes`: each change between consecutive snapshots with when it was seen
/// (`steps` oldest first: the time of the newer snapshot and what changed up to it), appended
/// to `reply`.
pub fn ec2_changes(lang: Lang, mut reply: Reply, steps: &[(String, Vec<Ec2Change>)]) -> Reply {
    let lines: Vec<String> = steps
        .iter()
        .flat_map(|(when, changes)| {
            changes.iter().map(move |c| {
                Msg::HappenedOn {
                    what: &ec2_change_line(lang, c),
                    when,
                }
                .text(lang)
                .into_owned()
            })
        })
        .collect();
    if lines.is_empty() {
        return reply.text(Msg::NoEc2Changes.text(lang));
    }
    reply = reply.heading(Msg::Ec2Changes(lines.len()).text(lang));
    reply.text(lines.join("\n"))
}

/// How many lines of each list the digest shows before " …and N more".
const DIGEST_LINES: usize = 15;

/// The EC2 part of the scheduled digest, as lines: the drift `new` has that `old` (the report
/// at the last digest, against the same sheet) did not, first; then how much drift was already
/// there; then what changed in EC2 between the two.
pub fn ec2_digest(lang: Lang, topo: &aiops_core::Topology, old: &Report, new: &Report) -> String {
    let fresh = reconcile::new_drift(old, new);
    let total = new.drift().len();
    let mut out = Vec::new();
    if fresh.is_empty() {
        out.push(Msg::NoNewDrift.text(lang).into_owned());
    } else {
        out.push(
            Msg::NewDriftSinceDigest(fresh.len())
                .text(lang)
                .into_owned(),
        );
        list(
            &mut out,
            lang,
            fresh.iter().map(|d| drift_line(lang, d)),
            fresh.len(),
        );
    }
    if total > fresh.len() {
        out.push(Msg::DriftStill(total - fresh.len()).text(lang).into_owned());
    }
    let changes = reconcile::compare(topo, old, new);
    if !changes.is_empty() {
        out.push(Msg::Ec2Changes(changes.len()).text(lang).into_owned());
        list(
            &mut out,
            lang,
            changes.iter().map(|c| ec2_change_line(lang, c)),
            changes.len(),
        );
    }
    out.join("\n")
}

/// Appends `lines` as a bulleted list of at most [`DIGEST_LINES`], saying how many were left.
fn list(out: &mut Vec<String>, lang: Lang, lines: impl Iterator<Item = String>, n: usize) {
    out.extend(lines.take(DIGEST_LINES).map(|l| format!("• {l}")));
    if n > DIGEST_LINES {
        out.push(Msg::AndMore(n - DIGEST_LINES).text(lang).trim().to_string());
    }
}
