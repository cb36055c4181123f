//! The read-only slash commands: their options, and each one run against the inventory in
//! force through the platform-neutral handlers.

use crate::app::App;
use crate::stamp::{now_unix, rfc3339};
use crate::window::{self, Start, WindowError};
use aiops_commands::{self as cmds, Context as Cx, Lang, Msg, Reply, Status};
use aiops_core::query::{Direction, ImpactOptions};
use aiops_core::reconcile::{self, Ec2Change};
use serenity::all::{CommandInteraction, ResolvedOption, ResolvedValue};
use std::collections::HashSet;

fn opt_str<'a>(opts: &'a [ResolvedOption<'a>], name: &str) -> Option<&'a str> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            ResolvedValue::String(s) => Some(s),
            _ => None,
        })
}

fn opt_int(opts: &[ResolvedOption<'_>], name: &str) -> Option<i64> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            ResolvedValue::Integer(i) => Some(i),
            _ => None,
        })
}

fn opt_bool(opts: &[ResolvedOption<'_>], name: &str) -> bool {
    opts.iter()
        .find(|o| o.name == name)
        .is_some_and(|o| matches!(o.value, ResolvedValue::Boolean(true)))
}

pub fn describe(cmd: &CommandInteraction) -> String {
    let mut s = format!("/{}", cmd.data.name);
    for o in cmd.data.options() {
        match &o.value {
            ResolvedValue::String(v) => s.push_str(&format!(
                " {}:{}",
                o.name,
                v.chars().take(100).collect::<String>()
            )),
            ResolvedValue::Integer(v) => s.push_str(&format!(" {}:{v}", o.name)),
            ResolvedValue::SubCommand(_) => s.push_str(&format!(" {}", o.name)),
            _ => s.push_str(&format!(" {}", o.name)),
        }
    }
    s
}

/// Runs a read-only command against the inventory in force.
pub fn run_query(app: &App, cmd: &CommandInteraction, lang: Lang) -> Reply {
    let cur = app.current();
    let ec2 = app.ec2_report_for(&cur);
    let mut cx = Cx::new(&cur.topo, &cur.source);
    cx.lang = lang;
    cx.parts = cmds::Parts::CHAT;
    cx.ec2 = ec2.as_deref();
    let opts = cmd.data.options();
    let s = |n| opt_str(&opts, n).unwrap_or("");
    let depth = opt_int(&opts, "depth").map(|d| d.clamp(1, 10) as u32);
    match cmd.data.name.as_str() {
        "deps" => {
            let dir = match opt_str(&opts, "direction") {
                Some("up") => Direction::Up,
                Some("down") => Direction::Down,
                _ => Direction::Both,
            };
            cmds::deps(cx, s("pattern"), dir, depth.unwrap_or(1))
        }
        "impact" => cmds::impact_with(
            cx,
            s("pattern"),
            ImpactOptions {
                depth,
                one_node: opt_bool(&opts, "one_node"),
                ..ImpactOptions::default()
            },
        ),
        "whois" => cmds::whois(cx, s("name")),
        "role" => cmds::role(cx, s("text")),
        "owner" => cmds::owner(cx, s("team")),
        "path" => cmds::path(cx, s("from"), s("to")),
        "spof" => cmds::spof(cx),
        "lint" => cmds::lint(cx, None),
        "reconcile" => reconcile_reply(app, cx),
        "diagram" => cmds::deps(cx, s("pattern"), Direction::Both, depth.unwrap_or(2)),
        "changes" => changes_reply(
            app,
            lang,
            opt_str(&opts, "since").unwrap_or("7d"),
            opt_str(&opts, "pattern"),
        ),
        "help" => help_reply(app),
        other => Reply::user_error(Status::UserError, format!("unknown command /{other}")),
    }
}

/// `/reconcile`: the inventory in force against the last good read of EC2, with where and when
/// it was read and, while it lasts, why the latest read failed.
fn reconcile_reply(app: &App, cx: Cx) -> Reply {
    let lang = cx.lang;
    let failing = app.ec2_failing_text(lang);
    let with_failing = |r: Reply| match &failing {
        Some(f) => r.text(f.clone()),
        None => r,
    };
    if app.ec2_source().is_none() {
        return Reply::user_error(Status::NotFound, Msg::Ec2NotConfigured.text(lang));
    }
    match (cx.ec2, app.ec2_fleet()) {
        (Some(report), Some(fleet)) => {
            let r = cmds::reconcile(cx, report).text(
                Msg::Ec2InForce {
                    instances: fleet.instances.len(),
                    source: &fleet.source,
                    when: &rfc3339(fleet.read_at),
                }
                .text(lang),
            );
            with_failing(r)
        }
        _ => {
            let mut r = with_failing(Reply::new(Msg::Ec2NoResultYet.text(lang)));
            r.status = Status::NotFound;
            r
        }
    }
}

/// `/changes [since] [pattern]`: over the history window `since` names, what changed near the
/// pattern, or everything that changed from the window's first version to its last.
fn changes_reply(app: &App, lang: Lang, since: &str, pattern: Option<&str>) -> Reply {
    let start = match cmds::parse_since(since) {
        Ok(s) => Start::from_since(s, now_unix()),
        Err(e) => return Reply::user_error(Status::UserError, e.text(lang)),
    };
    let versions = app.on_store(|store| {
        window::window(store, start).and_then(|w| w.topologies(store, &app.opts))
    });
    let window = match versions {
        // No store, or nothing in it: nothing changed that we know of.
        None | Some(Err(WindowError::EmptyHistory)) => Vec::new(),
        Some(Ok(v)) => v,
        Some(Err(e @ WindowError::NoSuchVersion(_))) => {
            return Reply::user_error(Status::NotFound, format!("There is {e}."))
        }
        Some(Err(WindowError::Store(e))) => {
            tracing::error!("/changes: the history store failed: {e:#}");
            return Reply::user_error(Status::Failed, "The history store failed; try again later.");
        }
    };
    let reply = match pattern {
        Some(p) => cmds::changes(lang, p, since, &window),
        None => match (window.first(), window.last()) {
            (Some((a, ta)), Some((b, tb))) if window.len() > 1 => cmds::diff_within(
                Cx::new(ta, &format!("v{}", a.id)),
                Cx::new(tb, &format!("v{}", b.id)),
                crate::app::DETAIL_MAX_BYTES,
            ),
            _ => Reply::new(format!("No inventory changes since {since}.")),
        },
    };
    match ec2_steps(app, &start, pattern) {
        Some(steps) => cmds::ec2_changes(lang, reply, &steps),
        None => reply,
    }
}

/// How many EC2 snapshots `/changes` compares at most (the newest), each reconciled anew.
const CHANGES_SNAPSHOTS: usize = 30;

/// The EC2 part of `/changes`: what changed between consecutive stored snapshots from `start`
/// on, each seen through the inventory in force, near `pattern` when one is given; `None` when
/// EC2 is not configured or there is no history.
fn ec2_steps(
    app: &App,
    start: &Start,
    pattern: Option<&str>,
) -> Option<Vec<(String, Vec<Ec2Change>)>> {
    // Nothing to say about EC2 when it is not configured.
    app.ec2_source()?;
    let from = match start {
        Start::At(t) => *t,
        Start::Version(id) => app
            .with_store(|s| s.get(*id))
            .flatten()
            .map_or(0, |v| v.seen_at),
    };
    let snapshots = app.with_store(|s| s.ec2_since(from, CHANGES_SNAPSHOTS))?;
    let cur = app.current();
    let topo = &cur.topo;
    let near: Option<HashSet<&str>> = pattern.map(|p| {
        aiops_core::query::select(topo, p)
            .unwrap_or_default()
            .into_iter()
            .map(|i| topo.nodes()[i].id.as_str())
            .collect()
    });
    let concerns = |c: &Ec2Change| match (&near, c) {
        (None, _) => true,
        (Some(ids), Ec2Change::Running { id, .. } | Ec2Change::OneZone { id, .. }) => {
            ids.contains(id.as_str())
        }
        (Some(_), Ec2Change::Unlisted { group, .. }) => {
            pattern.is_some_and(|p| aiops_core::text::glob_match(p, group))
        }
    };
    let reports: Vec<(i64, aiops_core::reconcile::Report)> = snapshots
        .iter()
        .filter_map(|s| {
            let instances = reconcile::parse(&format!("snapshot #{}", s.id), &s.bytes).ok()?;
            Some((
                s.seen_at,
                reconcile::reconcile(topo, &instances, app.ec2_keys()),
            ))
        })
        .collect();
    Some(
        reports
            .windows(2)
            .map(|w| {
                let changes: Vec<Ec2Change> = reconcile::compare(topo, &w[0].1, &w[1].1)
                    .into_iter()
                    .filter(|c| concerns(c))
                    .collect();
                (rfc3339(w[1].0), changes)
            })
            .filter(|(_, c)| !c.is_empty())
            .collect(),
    )
}

/// `/help`, with example patterns from the inventory in force.
fn help_reply(app: &App) -> Reply {
    let cur = app.current();
    let topo = &cur.topo;
    let glob = topo
        .nodes()
        .iter()
        .find(|n| n.count > 1)
        .or_else(|| topo.nodes().iter().find(|n| n.is_instance()))
        .map(|n| match n.id.rsplit_once('-') {
            Some((stem, _)) => format!("{stem}-*"),
            None => n.id.clone(),
        })
        .unwrap_or_else(|| "name-*".into());
    let resource = topo
        .nodes()
        .iter()
        .find(|n| !n.is_instance())
        .map_or("…", |n| n.id.as_str());
    Reply::new("aiops: the production inventory as a dependency graph").text(format!(
        "/deps pattern:{glob} — what it calls and what calls it\n\
         /impact pattern:{resource} — who breaks, who starves, entry points hit\n\
         /whois name:… — role, owner, pool size, neighbours\n\
         /role text:… · /owner team:… — which boxes\n\
         /path from:… to:… — dependency paths\n\
         /spof — single points of failure\n\
         /diagram pattern:… depth:2 — a picture of the neighbourhood\n\
         /changes since:7d pattern:… — what changed nearby\n\
         /lint — what to fix in the sheet\n\
         /reconcile — the sheet against what runs in EC2\n\
         /inventory status|reload|upload — the inventory in force (reload/upload: admins)\n\
         Patterns: exact name, glob ({glob}), re:REGEX, or part of a resource name."
    ))
}
