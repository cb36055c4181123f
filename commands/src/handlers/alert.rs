//! The answer to an alert group: what fires (name, severity, status, since when, for how long
//! once resolved, the sender's link; resolved alerts struck through), the inventory components
//! it is about with their role and owner, whether customers are hit and what breaks, recent
//! changes near them, other groups firing in the same blast radius, the labels that named
//! nothing, and the incident diagram.
//!
//! Alert text comes from whoever can post to the monitoring system: every label, annotation
//! and title is shown on one line and cut to [`MAX_VALUE_CHARS`], so a 10 kB label or a
//! line break cannot take over the reply. Mentions and Markdown are the front end's to defuse,
//! as for sheet text.

use crate::incident::{changes_text, components_table, effect_rows, suspects_diagram};
use crate::{Context, Msg, Reply};
use aiops_core::alert::{utc, Found, Group, GroupAlert, LabelKeys};
use aiops_core::query;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Longest alert text (a label, an annotation, a title) a reply repeats.
pub const MAX_VALUE_CHARS: usize = 200;
/// Alerts listed in the text; the JSON has them all.
pub const ALERTS_LISTED: usize = 20;

/// The reply for `group`, whose components `found` names (see `aiops_core::alert::find`).
/// `recent_changes` are history lines near them; `also_firing` names other open groups whose
/// blast radius overlaps (`aiops_core::alert::related`).
pub fn alert(
    ctx: Context,
    group: &Group,
    found: &Found,
    recent_changes: &[String],
    also_firing: &[String],
) -> Reply {
    let lang = ctx.lang;
    let topo = ctx.topo;
    let status = Msg::AlertStatus(group.status).text(lang);
    let severity = group.severity().map(|s| one_line(s, 40));
    let title = one_line(&group.title, MAX_VALUE_CHARS);
    let mut r = Reply::new(match &severity {
        Some(sev) => format!("{status}: {title} · {sev}"),
        None => format!("{status}: {title}"),
    });

    let since = utc(group.opened_at);
    let mut facts = vec![
        status.to_string(),
        Msg::Since(&since).text(lang).into_owned(),
    ];
    if let (Some(at), Some(secs)) = (group.resolved_at, group.duration()) {
        let took = Msg::Duration(secs).text(lang);
        facts.push(
            Msg::ResolvedAfter {
                at: &utc(at),
                took: &took,
            }
            .text(lang)
            .into_owned(),
        );
    }
    facts.push(
        Msg::AlertsFiring {
            firing: group.firing().count(),
            total: group.alerts.len(),
        }
        .text(lang)
        .into_owned(),
    );
    r = r.text(facts.join(" · "));
    if let Some(link) = link(group) {
        r = r.text(format!("{}: {link}", Msg::Link.text(lang)));
    }
    if group.truncated > 0 {
        r = r.text(Msg::AlertsTruncated(group.truncated).text(lang));
    }

    // Alerts still open in an aligned table; resolved ones below it, one struck line each.
    let listed: Vec<&GroupAlert> = group.alerts.iter().take(ALERTS_LISTED).collect();
    let rows: Vec<Vec<String>> = listed
        .iter()
        .filter(|a| a.is_open())
        .map(|a| alert_row(a, lang))
        .collect();
    r = r.heading(Msg::Alerts.text(lang)).table(rows);
    for a in listed.iter().filter(|a| !a.is_open()) {
        let cells: Vec<String> = alert_row(a, lang)
            .into_iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        r = r.struck(cells.join(" · "));
    }
    let more = group.alerts.len().saturating_sub(ALERTS_LISTED);
    if more > 0 {
        r = r.text(Msg::AndMore(more).text(lang).trim().to_string());
    }

    let suspects = &found.components;
    let unmatched = found
        .unmatched
        .iter()
        .map(|u| one_line(u, MAX_VALUE_CHARS))
        .collect::<Vec<_>>();
    r = r
        .heading(Msg::Components.text(lang))
        .table(components_table(ctx, suspects));
    if !unmatched.is_empty() {
        r = r.text(Msg::UnmatchedLabels(&unmatched.join(", ")).text(lang));
    } else if suspects.is_empty() {
        r = r.text(Msg::NoComponentMatched.text(lang));
    }

    // The blast radius is of what still fires: a resolved alert's component is up again.
    let recovered: Vec<&str> = suspects
        .iter()
        .filter(|i| !found.open.contains(i))
        .map(|&i| topo.nodes()[i].id.as_str())
        .collect();
    if !suspects.is_empty() && found.open.is_empty() {
        r = r.text(Msg::AllAlertsResolved.text(lang));
    } else if !recovered.is_empty() {
        r = r.text(Msg::ComponentsRecovered(&recovered.join(", ")).text(lang));
    }
    let suspects = &found.open;
    let im = (!suspects.is_empty())
        .then(|| query::impact(topo, suspects, &query::ImpactOptions::default()));
    if let Some(im) = &im {
        r = r
            .heading(Msg::BlastRadius.text(lang))
            .text(crate::handlers::verdict(im, lang))
            .table(effect_rows(im, lang));
        r = r
            .heading(Msg::RecentChangesNearby.text(lang))
            .text(changes_text(recent_changes));
    }
    let also: Vec<String> = also_firing
        .iter()
        .map(|a| one_line(a, MAX_VALUE_CHARS))
        .collect();
    if !also.is_empty() {
        r = r.text(Msg::AlsoFiring(&also.join(", ")).text(lang));
    }
    if let Some(im) = &im {
        if ctx.parts.diagram {
            r.diagram = Some(suspects_diagram(ctx, suspects, im));
        }
    }
    if ctx.parts.json {
        r.json = json_of(ctx, group, found, im.as_ref(), recent_changes, &also);
    }
    r
}

/// Text from an alert on one line, at most `max` characters: control characters (line breaks
/// included) become spaces.
fn one_line(s: &str, max: usize) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.trim().chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The sender's page for the group: the first alert's generator, else the group's link.
fn link(group: &Group) -> Option<String> {
    group
        .alerts
        .iter()
        .find_map(|a| a.alert.link.as_deref())
        .or(group.link.as_deref())
        .map(|l| one_line(l, 2 * MAX_VALUE_CHARS))
}

/// `name  severity  status  where  summary`.
fn alert_row(ga: &GroupAlert, lang: crate::Lang) -> Vec<String> {
    let a = &ga.alert;
    let name = one_line(&a.name, MAX_VALUE_CHARS);
    let name = format!("  {name}");
    let place = LabelKeys::default()
        .0
        .iter()
        .find_map(|k| a.labels.get(k).map(|v| format!("{k}={}", one_line(v, 60))))
        .unwrap_or_default();
    let summary = ["summary", "description", "title"]
        .iter()
        .find_map(|k| a.annotations.get(*k))
        .filter(|s| s.as_str() != a.name)
        .map(|s| one_line(s, 120))
        .unwrap_or_default();
    vec![
        name,
        a.severity
            .as_deref()
            .map_or_else(|| "—".to_string(), |s| one_line(s, 40)),
        Msg::AlertStatus(a.status).text(lang).into_owned(),
        place,
        summary,
    ]
}

fn clipped(m: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| (one_line(k, 60), one_line(v, MAX_VALUE_CHARS)))
        .collect()
}

fn json_of(
    ctx: Context,
    group: &Group,
    found: &Found,
    im: Option<&query::Impact>,
    recent_changes: &[String],
    also: &[String],
) -> Value {
    let topo = ctx.topo;
    let alerts: Vec<Value> = group
        .alerts
        .iter()
        .map(|ga| {
            let a = &ga.alert;
            json!({
                "name": one_line(&a.name, MAX_VALUE_CHARS),
                "status": a.status.name(),
                "severity": a.severity.as_deref().map(|s| one_line(s, 40)),
                "fingerprint": one_line(&a.fingerprint, 64),
                "starts_at": a.starts_at,
                "ends_at": a.ends_at,
                "resolved_at": ga.resolved_at.map(utc),
                "link": a.link.as_deref().map(|l| one_line(l, 2 * MAX_VALUE_CHARS)),
                "labels": clipped(&a.labels),
                "annotations": clipped(&a.annotations),
            })
        })
        .collect();
    let components: Vec<Value> = found
        .components
        .iter()
        .map(|&i| {
            let n = &topo.nodes()[i];
            let mut c = json!({
                "id": n.id,
                "kind": n.kind,
                "role": n.role,
                "owner": n.owner,
                "count": n.count,
                "firing": found.open.contains(&i),
            });
            if let Some(running) = crate::running_text(ctx, &n.id) {
                c["ec2"] = Value::String(running);
            }
            c
        })
        .collect();
    json!({
        "source": group.source,
        "group_key": one_line(&group.group_key, 2 * MAX_VALUE_CHARS),
        "title": one_line(&group.title, MAX_VALUE_CHARS),
        "status": group.status.name(),
        "acknowledged": group.acknowledged,
        "severity": group.severity().map(|s| one_line(s, 40)),
        "opened_at": utc(group.opened_at),
        "resolved_at": group.resolved_at.map(utc),
        "duration_s": group.duration(),
        "link": link(group),
        "truncated": group.truncated,
        "alerts": alerts,
        "components": components,
        "unmatched": found.unmatched.iter().map(|u| one_line(u, MAX_VALUE_CHARS)).collect::<Vec<_>>(),
        "impact": im,
        "recent_changes": recent_changes,
        "also_firing": also,
        "firing_now": group.firing().count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::alert::{find, parse, Source};
    use aiops_core::{seed, LoadOptions};

    #[test]
    fn one_line_cuts_and_flattens() {
        assert_eq!(one_line("a\nb\tc", 10), "a b c");
        assert_eq!(one_line(&"x".repeat(500), 3), "xxx…");
    }

    #[test]
    fn a_resolved_alert_is_struck_through_and_the_group_says_how_long() {
        let topo = seed(&LoadOptions::default()).unwrap();
        let firing = parse(
            Source::Alertmanager,
            include_bytes!("../../../tests/fixtures/alerts/am-firing.json"),
        )
        .unwrap();
        let partial = parse(
            Source::Alertmanager,
            include_bytes!("../../../tests/fixtures/alerts/am-partial.json"),
        )
        .unwrap();
        let mut g = Group::new(&firing, 1_796_186_000);
        g.apply(&partial, 1_796_186_500);
        let found = find(&topo, &g, &LabelKeys::default());
        let text = alert(Context::new(&topo, "seed"), &g, &found, &[], &[]).to_text();
        assert!(
            text.contains("~~KafkaConsumerLag · critical · resolved"),
            "{text}"
        );
        assert!(text.contains("1 of 2 alerts firing"), "{text}");
        assert!(!text.contains("resolved at"), "{text}");
    }
}
