//! `/inventory status|reload|upload` and the Apply/Cancel buttons of an upload: the inventory
//! in force as chat sees it. Reload and upload need an admin role; an upload waits, with its
//! diff shown, until its uploader (or an admin) applies or cancels it, for at most
//! [`UPLOAD_TTL`](super::uploads::UPLOAD_TTL).

use super::answer::{error_id, rendered, Answer, Internal};
use super::message::{no_mentions, short};
use super::state::Handler;
use super::uploads::PendingUpload;
use crate::app::{ReloadError, Since};
use crate::schedule::{Cron, Zone};
use crate::stamp::{now_unix, rfc3339};
use aiops_commands::{self as cmds, Context as Cx, Lang, Msg, Reply, Status};
use serenity::all::{
    CommandInteraction, ComponentInteraction, Context, CreateInteractionResponse,
    CreateInteractionResponseMessage, ResolvedValue,
};
use std::time::Instant;

pub(super) const ADMIN_ONLY: &str =
    "This command requires an admin role. Ask an aiops admin to run it.";

impl Handler {
    pub(super) async fn inventory(
        &self,
        ctx: &Context,
        cmd: &CommandInteraction,
        roles: &[u64],
        lang: Lang,
    ) -> Result<Answer, Internal> {
        let opts = cmd.data.options();
        let Some(sub) = opts.first() else {
            return Ok(Answer::text(Reply::user_error(
                Status::UserError,
                "choose status, reload or upload",
            )));
        };
        let admin = self.is_admin(roles);
        match (sub.name, &sub.value) {
            ("status", _) => Ok(Answer::text(status_reply(self, lang))),
            ("reload", _) | ("upload", _) if !admin => Ok(Answer::text(Reply::user_error(
                Status::UserError,
                ADMIN_ONLY,
            ))),
            ("reload", _) => self.reload(ctx).await,
            ("upload", ResolvedValue::SubCommand(inner)) => {
                let Some(att) = inner.iter().find_map(|o| match o.value {
                    ResolvedValue::Attachment(a) => Some(a),
                    _ => None,
                }) else {
                    return Ok(Answer::text(Reply::user_error(
                        Status::UserError,
                        "attach the workbook as `file`",
                    )));
                };
                if u64::from(att.size) > aiops_core::ingest::MAX_FILE_BYTES {
                    return Ok(Answer::text(Reply::user_error(
                        Status::UserError,
                        "the file is too large for an inventory",
                    )));
                }
                let bytes = att.download().await.map_err(Internal::Download)?;
                self.upload(cmd, att.filename.clone(), bytes).await
            }
            _ => Ok(Answer::text(Reply::user_error(
                Status::UserError,
                "unknown subcommand",
            ))),
        }
    }

    async fn reload(&self, ctx: &Context) -> Result<Answer, Internal> {
        let app = self.app.clone();
        let reply = match self.app.blocking(move || app.reload()).await? {
            Ok(Some(change)) => {
                self.post_change(ctx, &change).await;
                Reply::new(format!("Reloaded: {}", change.headline)).text(change.summary)
            }
            Ok(None) => Reply::new("Reloaded: no change."),
            Err(e @ ReloadError::NoFile) => Reply::user_error(Status::UserError, e.to_string()),
            Err(e @ ReloadError::Load(_)) => {
                let mut r = Reply::new("Reload failed; the inventory in force is unchanged.")
                    .text(e.to_string());
                r.status = Status::Failed;
                r
            }
        };
        Ok(Answer::text(reply))
    }

    /// Loads an uploaded workbook and shows what it would change, with Apply/Cancel buttons.
    async fn upload(
        &self,
        cmd: &CommandInteraction,
        name: String,
        bytes: Vec<u8>,
    ) -> Result<Answer, Internal> {
        let opts = self.app.opts.clone();
        let cur = self.app.current();
        let file = name.clone();
        let (bytes, parsed) = self
            .app
            .blocking(move || {
                let r = aiops_core::load_bytes(&file, &bytes, &opts);
                (bytes, r)
            })
            .await?;
        let topo = match parsed {
            Ok(t) => t,
            Err(e) => {
                let mut r =
                    Reply::new("The upload does not load; nothing changed.").text(e.to_string());
                r.status = Status::UserError;
                return Ok(Answer::text(r));
            }
        };
        let mut reply = cmds::diff_within(
            Cx::new(&cur.topo, &cur.source),
            Cx::new(&topo, &name),
            crate::app::DETAIL_MAX_BYTES,
        );
        reply.title = format!("Upload {name}: {}", reply.title);
        let token = format!("{}-{}", cmd.id.get(), now_unix());
        self.uploads.put(
            token.clone(),
            PendingUpload {
                user: cmd.user.id.get(),
                name,
                bytes,
                topo,
                created: Instant::now(),
            },
        );
        let (reply, png) = rendered(&self.app, reply, self.app.lang).await;
        Ok(Answer {
            reply,
            png,
            confirm: Some(token),
        })
    }

    /// The Apply/Cancel buttons of an upload.
    pub(super) async fn component(&self, ctx: &Context, c: ComponentInteraction) {
        let id = c.data.custom_id.clone();
        let Some((action, token)) = id.strip_prefix("upload:").and_then(|s| s.split_once(':'))
        else {
            return;
        };
        let roles: Vec<u64> = c
            .member
            .as_ref()
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default();
        let pending = self.uploads.take(token, |user| {
            user == c.user.id.get() || self.is_admin(&roles)
        });
        let (text, result) = match (action, pending) {
            (_, None) => (
                "This upload is no longer pending, or it is not yours to confirm.".to_string(),
                "user_error",
            ),
            ("cancel", Some(u)) => (format!("Cancelled: {} was not applied.", u.name), "ok"),
            ("apply", Some(u)) => {
                let app = self.app.clone();
                let name = u.name.clone();
                match self
                    .app
                    .blocking(move || {
                        app.install(&u.name, u.bytes, u.topo, std::time::Instant::now())
                    })
                    .await
                {
                    Ok(Some(ch)) => {
                        self.post_change(ctx, &ch).await;
                        (format!("Applied {name}: {}", ch.headline), "ok")
                    }
                    Ok(None) => (
                        format!("{name} is the same as the inventory in force; nothing changed."),
                        "ok",
                    ),
                    Err(e) => {
                        let id = error_id();
                        tracing::error!(error_id = %id, "applying {name} failed: {e}");
                        (
                            format!(
                                "Applying {name} failed on our side (error id {id}); the \
                                 inventory in force is unchanged."
                            ),
                            "error",
                        )
                    }
                }
            }
            _ => ("Unknown action.".to_string(), "user_error"),
        };
        self.audit(
            c.user.id.get(),
            format!("channel {}", c.channel_id.get()),
            &format!("button {action}"),
            result,
        );
        let update = CreateInteractionResponse::UpdateMessage(
            CreateInteractionResponseMessage::new()
                .content(short(&text))
                .components(vec![])
                .allowed_mentions(no_mentions()),
        );
        if let Err(e) = c.create_response(&ctx.http, update).await {
            tracing::error!(action, "answering the upload button failed: {e}");
        }
    }
}

fn status_reply(handler: &Handler, lang: Lang) -> Reply {
    let app = &handler.app;
    let cur = app.current();
    let diags = cur.topo.diagnostics();
    let since = |s: &Since| format!("{} (since {})", s.what, rfc3339(s.since));
    let history = match (cur.version, app.store_error()) {
        (_, Some(why)) => format!("off, running without history: {why}"),
        (Some(v), None) => format!("on, v{v} in force"),
        (None, None) => "on, nothing recorded".into(),
    };
    let watch = app.watch_state();
    let watcher = match (&app.cfg.inventory, watch.interval_secs) {
        (None, _) => "not watching (the built-in sample is in force)".to_string(),
        (Some(_), None) => "not started".to_string(),
        (Some(_), Some(every)) => {
            let last = watch
                .last_poll
                .map(|t| format!(", last looked {}", rfc3339(t)))
                .unwrap_or_default();
            let state = match &watch.problem {
                Some(p) => format!(
                    "FILE PROBLEM: {}; the version in force keeps answering",
                    since(p)
                ),
                None => "file ok".to_string(),
            };
            format!("{state} (every {every} s{last})")
        }
    };
    let gateway = app
        .gateway_state()
        .map(|g| since(&g))
        .unwrap_or_else(|| "not connected yet".into());
    let rate = app.cfg.rate;
    let limits = format!(
        "per user {}; diagrams, reloads and uploads {}; everyone {}; {} refused so far",
        rate.user.describe(),
        rate.expensive.describe(),
        rate.global.describe(),
        app.metrics.rate_limited_total()
    );
    let mut r = Reply::new(format!(
        "{}: {} instances, {} relations",
        cur.source,
        cur.topo.instance_count(),
        cur.topo.edges().len()
    ))
    .table(vec![
        vec![
            "version".into(),
            cur.version
                .map(|v| format!("v{v}"))
                .unwrap_or_else(|| "— (no history)".into()),
        ],
        vec!["sha256".into(), cur.sha256.chars().take(12).collect()],
        vec!["loaded".into(), rfc3339(cur.loaded_at)],
        vec!["diagnostics".into(), diags.len().to_string()],
        vec![
            "last error".into(),
            app.last_error()
                .map(|e| since(&e))
                .unwrap_or_else(|| "none".into()),
        ],
        vec!["history".into(), history],
        vec!["watcher".into(), watcher],
        vec!["digest".into(), digest_times(app)],
        vec!["ec2".into(), ec2_state(app, lang)],
        vec!["gateway".into(), gateway],
        vec!["rate limits".into(), limits],
    ]);
    if !diags.is_empty() {
        let lines: Vec<String> = diags.iter().take(15).map(|d| d.to_string()).collect();
        r = r
            .heading(Msg::Diagnostics.text(lang))
            .text(lines.join("\n"));
    }
    r
}

/// Where EC2 data comes from, the read in force with its drift, and a failing read.
fn ec2_state(app: &crate::app::App, lang: Lang) -> String {
    let Some(source) = app.ec2_source() else {
        return "not configured (ec2_inventory or ec2_command)".into();
    };
    let mut parts = vec![match &source {
        crate::config::Ec2Source::Files(_) => {
            format!(
                "files {}, re-read when they change",
                crate::ec2::describe(source)
            )
        }
        crate::config::Ec2Source::Command { line, .. } => {
            let spec = app
                .cfg
                .ec2_schedule
                .as_deref()
                .unwrap_or(crate::config::DEFAULT_EC2_SCHEDULE);
            format!("`{line}` on {spec:?} in {}", app.cfg.timezone)
        }
    }];
    match (app.ec2_fleet(), app.ec2_report()) {
        (Some(fleet), Some(report)) => {
            parts.push(
                Msg::Ec2InForce {
                    instances: fleet.instances.len(),
                    source: &fleet.source,
                    when: &rfc3339(fleet.read_at),
                }
                .text(lang)
                .into_owned(),
            );
            parts.push(format!(
                "{} sheet instances matched, {} lines of drift",
                report.matched,
                report.drift().len()
            ));
        }
        _ => parts.push("nothing read yet".into()),
    }
    parts.extend(app.ec2_failing_text(lang));
    parts.join("; ")
}

/// "last …, next …" of the scheduled digest.
fn digest_times(app: &crate::app::App) -> String {
    let (Some(spec), Some(_)) = (&app.cfg.summary_schedule, app.cfg.summary_channel) else {
        return "not scheduled".into();
    };
    let last = app
        .with_store(|s| s.get_kv("digest.last"))
        .flatten()
        .and_then(|v| v.parse::<i64>().ok())
        .map(rfc3339)
        .unwrap_or_else(|| "never".into());
    let next = match (Cron::parse(spec), Zone::parse(&app.cfg.timezone)) {
        (Ok(cron), Some(zone)) => cron
            .next_after(jiff::Timestamp::now(), &zone)
            .map(|t| rfc3339(t.as_second()))
            .unwrap_or_else(|| "not within a year".into()),
        _ => "the schedule does not parse".into(),
    };
    format!("last {last}, next {next} ({spec} in {})", app.cfg.timezone)
}
