//! The command runner: admission and the rate limits, the deferred first response, the work on a
//! blocking thread under a time limit, the final reply with its fallback, error ids, metrics and
//! the audit log. Every slash command goes through [`Handler::command`].

use super::answer::{ephemeral, error_id, png, Answer, Internal, COMMAND_TIME_LIMIT};
use super::deliver::{retrying, retrying_after, FIRST_RESPONSE_DELAYS};
use super::message::{self, no_mentions, short};
use super::queries::{describe, run_query};
use super::state::Handler;
use crate::rate::{Limit, Refusal};
use aiops_commands::Status;
use serenity::all::{
    ButtonStyle, CommandInteraction, Context, CreateActionRow, CreateButton,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    EditInteractionResponse,
};
use std::time::Instant;

/// How a command went, for metrics and the audit log.
fn result_label(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::NotFound | Status::UserError => "user_error",
        Status::Failed => "failed",
    }
}

impl Handler {
    pub(super) async fn command(&self, ctx: &Context, cmd: CommandInteraction) {
        let started = Instant::now();
        let name = cmd.data.name.clone();
        let place = format!(
            "guild {} / channel {}",
            cmd.guild_id.map(|g| g.get()).unwrap_or(0),
            cmd.channel_id.get()
        );
        let what = describe(&cmd);
        let Some(_work) = self.app.begin() else {
            let refused = ephemeral("aiops is restarting; try again in a few seconds.");
            if let Err(e) = cmd.create_response(&ctx.http, refused).await {
                tracing::warn!(command = %what, "telling the user we are restarting failed: {e}");
            }
            return;
        };
        if let Err(refusal) = self.app.admit(cmd.user.id.get(), is_expensive(&cmd)) {
            let limit = refusal.limit.label();
            if let Err(e) = cmd
                .create_response(&ctx.http, ephemeral(&self.refusal_text(refusal)))
                .await
            {
                tracing::warn!(command = %what, "telling the user to slow down failed: {e}");
            }
            tracing::info!(command = %what, limit, "rate limited");
            // The audit line first: a test that sees the count can read the line.
            self.audit(
                cmd.user.id.get(),
                place,
                &what,
                &format!("rate_limited:{limit}"),
            );
            self.app.metrics.rate_limited(limit);
            self.app
                .metrics
                .command(&name, "rate_limited", started.elapsed());
            return;
        }
        // First response at once; the work and the diagram follow in an edit.
        let defer = CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new());
        if let Err(f) = retrying_after("deferring", &FIRST_RESPONSE_DELAYS, || {
            cmd.create_response(&ctx.http, defer.clone())
        })
        .await
        {
            // Without a first response Discord takes no reply at all for this interaction.
            let id = error_id();
            tracing::error!(command = %what, error_id = %id, "deferring failed, the command is dropped: {f}");
            self.app.metrics.reply("lost");
            self.audit(cmd.user.id.get(), place, &what, "lost");
            return;
        }
        let lang = self.lang(&cmd.locale);
        let roles: Vec<u64> = cmd
            .member
            .as_ref()
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default();
        let outcome = match name.as_str() {
            "inventory" => self.inventory(ctx, &cmd, &roles, lang).await,
            "alerts" => {
                let (app, cmd2, admin) = (self.app.clone(), cmd.clone(), self.is_admin(&roles));
                let work = move || super::alerts_command::answer(&app, admin, &cmd2, lang);
                self.app.blocking(work).await.map_err(Internal::from)
            }
            _ => {
                let app = self.app.clone();
                let cmd2 = cmd.clone();
                let work = self.app.blocking(move || {
                    let mut reply = run_query(&app, &cmd2, lang);
                    let png = if reply.status == Status::Ok {
                        png(&app, &mut reply, lang)
                    } else {
                        None
                    };
                    Answer {
                        reply,
                        png,
                        confirm: None,
                    }
                });
                match tokio::time::timeout(COMMAND_TIME_LIMIT, work).await {
                    Ok(done) => done.map_err(Internal::from),
                    Err(_) => Err(Internal::TimedOut),
                }
            }
        };
        let result = match outcome {
            Ok(answer) => self.send_reply(ctx, &cmd, answer).await,
            Err(internal) => {
                let id = error_id();
                tracing::error!(command = %what, error_id = %id, "{internal}");
                let text = format!("Something went wrong on our side (error id {id}).");
                match self.say(ctx, &cmd, text, &id).await {
                    Delivered::Lost => "lost",
                    _ => "error",
                }
            }
        };
        self.app.metrics.command(&name, result, started.elapsed());
        self.audit(cmd.user.id.get(), place, &what, result);
    }

    /// Sends the final reply; if Discord refuses it, a short text reply still arrives.
    async fn send_reply(
        &self,
        ctx: &Context,
        cmd: &CommandInteraction,
        answer: Answer,
    ) -> &'static str {
        let Answer {
            reply,
            png,
            confirm,
        } = answer;
        let label = result_label(reply.status);
        // A failure that is only a sentence is a line of text; one with detail (why an upload
        // does not load, why a reload failed) is a full reply.
        if reply.status != Status::Ok && reply.blocks.is_empty() {
            return match self.say(ctx, cmd, short(&reply.title), "").await {
                Delivered::Lost => "lost",
                _ => label,
            };
        }
        let limit = usize::try_from(cmd.attachment_size_limit)
            .ok()
            .filter(|l| *l > 0)
            .unwrap_or(message::DEFAULT_ATTACHMENT_LIMIT);
        let out = message::build(&reply, png, limit);
        let text = out.description.clone();
        let mut edit = EditInteractionResponse::new().allowed_mentions(no_mentions());
        if let Some(e) = out.embed {
            edit = edit.embed(e);
        }
        for f in out.files {
            edit = edit.new_attachment(f);
        }
        if let Some(token) = &confirm {
            edit = edit.components(vec![confirm_buttons(token)]);
        }
        let full = retrying("the final reply", || {
            cmd.edit_response(&ctx.http, edit.clone())
        })
        .await;
        let Err(failed) = full else {
            self.app.metrics.reply("full");
            return label;
        };
        let id = error_id();
        tracing::error!(command = %cmd.data.name, error_id = %id, "the full reply was not delivered: {failed}");
        let why = format!("the full answer could not be sent; error id {id}");
        let fallback = message::fallback(&reply.title, &text, &why);
        match self.say(ctx, cmd, fallback, &id).await {
            Delivered::Lost => "lost",
            _ => "fallback",
        }
    }

    /// Sends `text` as the reply: the deferred reply edited to it, or, when that edit fails, a
    /// follow-up message. Every outcome is logged with `id` (an error id, or empty when the text
    /// is not about an error) and counted.
    async fn say(
        &self,
        ctx: &Context,
        cmd: &CommandInteraction,
        text: String,
        id: &str,
    ) -> Delivered {
        let command = cmd.data.name.as_str();
        let edit = EditInteractionResponse::new()
            .content(text.clone())
            .allowed_mentions(no_mentions());
        let edited = retrying("the text reply", || {
            cmd.edit_response(&ctx.http, edit.clone())
        })
        .await;
        let outcome = match edited {
            Ok(_) => Delivered::Text,
            Err(f) => {
                tracing::error!(command, error_id = %id, "editing the reply to text failed, sending a follow-up: {f}");
                let followup = CreateInteractionResponseFollowup::new()
                    .content(text)
                    .allowed_mentions(no_mentions());
                match retrying("the follow-up", || {
                    cmd.create_followup(&ctx.http, followup.clone())
                })
                .await
                {
                    Ok(_) => Delivered::FollowUp,
                    Err(f) => {
                        tracing::error!(command, error_id = %id, "the follow-up failed too; the user has no answer: {f}");
                        Delivered::Lost
                    }
                }
            }
        };
        if !id.is_empty() && outcome != Delivered::Lost {
            tracing::info!(command, error_id = %id, "the user was told as {}", outcome.label());
        }
        self.app.metrics.reply(outcome.label());
        outcome
    }
}

/// How a reply reached the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivered {
    /// The deferred reply edited to text.
    Text,
    /// A follow-up message, because the deferred reply could not be edited.
    FollowUp,
    /// Nothing arrived.
    Lost,
}

impl Delivered {
    fn label(self) -> &'static str {
        match self {
            Delivered::Text => "text",
            Delivered::FollowUp => "followup",
            Delivered::Lost => "lost",
        }
    }
}

/// Work charged to the expensive budget as well: whole diagrams (and `/reconcile`, which draws
/// the whole sheet), reloads and uploads.
fn is_expensive(cmd: &CommandInteraction) -> bool {
    match cmd.data.name.as_str() {
        "diagram" | "reconcile" => true,
        "inventory" => cmd
            .data
            .options()
            .first()
            .is_some_and(|o| matches!(o.name, "reload" | "upload")),
        _ => false,
    }
}

impl Handler {
    /// What a user is told when a budget refuses a command: which, and when to try again.
    fn refusal_text(&self, r: Refusal) -> String {
        let rate = self.app.cfg.rate;
        let secs = r.wait_secs();
        match r.limit {
            Limit::User => format!(
                "You are sending commands faster than aiops takes them ({}). Your next command \
                 is accepted in {secs} s.",
                rate.user.describe()
            ),
            Limit::Expensive => format!(
                "Diagrams, reloads and uploads have their own budget ({}). Your next one is \
                 accepted in {secs} s; other commands work now.",
                rate.expensive.describe()
            ),
            Limit::Global => format!(
                "aiops is busy with everyone's commands. The next command is accepted in \
                 {secs} s."
            ),
        }
    }
}

/// Apply/Cancel buttons for an upload awaiting confirmation.
fn confirm_buttons(token: &str) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(format!("upload:apply:{token}"))
            .label("Apply")
            .style(ButtonStyle::Success),
        CreateButton::new(format!("upload:cancel:{token}"))
            .label("Cancel")
            .style(ButtonStyle::Secondary),
    ])
}
