//! Announcements: change summaries and the digest, posted to the summary channel with their
//! diagram; the full detail attached when the summary is cut.

use super::answer::{error_id, rendered};
use super::deliver::retrying;
use super::message::{self, no_mentions};
use super::state::Handler;
use crate::app::{App, Change};
use aiops_commands::{Attachment, Reply};
use serenity::all::{ChannelId, Context, CreateMessage};
use std::sync::Arc;

impl Handler {
    /// Posts a change summary (with its diagram) to the summary channel.
    pub async fn post_change(&self, ctx: &Context, change: &Change) {
        post_change(&self.app, &ctx.http, change).await;
    }
}

/// Posts a change summary to the summary channel, if one is configured.
pub async fn post_change(app: &Arc<App>, http: &serenity::http::Http, change: &Change) {
    let Some(ch) = app.cfg.summary_channel else {
        return;
    };
    let mut reply = Reply::new(change.title()).text(change.summary.clone());
    if !change.diagram.nodes.is_empty() {
        reply.diagram = Some(change.diagram.clone());
    }
    let (mut reply, png) = rendered(app, reply, app.lang).await;
    if change.summary != change.full {
        // The message builder sends it within what the diagram's files leave of the limit.
        reply.detail = Some(Attachment {
            name: "changes.txt".into(),
            bytes: change.full.clone().into_bytes(),
        });
    }
    let out = message::build(&reply, png, message::DEFAULT_ATTACHMENT_LIMIT);
    let text = out.description.clone();
    let mut m = CreateMessage::new().allowed_mentions(no_mentions());
    if let Some(e) = out.embed {
        m = m.embed(e);
    }
    m = m.add_files(out.files);
    let channel = ChannelId::new(ch);
    let Err(e) = retrying("the change summary", || {
        channel.send_message(http, m.clone())
    })
    .await
    else {
        return;
    };
    // Refused in full: the summary's text still goes, so no change passes unannounced.
    let id = error_id();
    tracing::error!(error_id = %id, "change summary not delivered in full: {e}");
    let why = format!("the diagram and attachments could not be posted; error id {id}");
    let m = CreateMessage::new()
        .content(message::fallback(&reply.title, &text, &why))
        .allowed_mentions(no_mentions());
    match retrying("the text change summary", || {
        channel.send_message(http, m.clone())
    })
    .await
    {
        Ok(_) => tracing::info!(error_id = %id, "change summary delivered as text"),
        Err(e) => {
            app.metrics.reply("lost");
            tracing::error!(error_id = %id, "posting the change summary failed: {e}");
        }
    }
}
