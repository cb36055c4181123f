//! Incident threads: a new thread in an incident channel gets an answer about the components it
//! names (what they are, what breaks, recent changes nearby); later messages that name more
//! components update that answer in place.

use super::answer::{error_id, png};
use super::deliver::{retrying, Failed};
use super::message::{self, no_mentions};
use super::state::Handler;
use aiops_commands::{incident, Context as Cx};
use serenity::all::{
    ChannelId, Context, CreateAttachment, CreateEmbed, CreateMessage, EditMessage, MessageId,
};

/// How far back an incident answer looks for changes near its components.
const RECENT_CHANGES_SECS: i64 = 7 * 24 * 3600;

impl Handler {
    pub(super) async fn incident_update(
        &self,
        ctx: &Context,
        thread: ChannelId,
        text: &str,
        first: bool,
    ) {
        let cur = self.app.current();
        let found: Vec<String> = incident::detect(&cur.topo, text)
            .into_iter()
            .map(|i| cur.topo.nodes()[i].id.clone())
            .collect();
        let (reply_msg, mut known) = self
            .app
            .with_store(|s| s.incident_thread(thread.get()))
            .flatten()
            .unwrap_or((None, Vec::new()));
        let before = known.len();
        for f in found {
            if !known.contains(&f) {
                known.push(f);
            }
        }
        if known.is_empty() {
            if first {
                // Remember the thread so later messages are followed, but stay silent.
                self.app
                    .with_store(|s| s.set_incident_thread(thread.get(), None, &[]));
            }
            return;
        }
        if known.len() == before && reply_msg.is_some() {
            return;
        }
        let app = self.app.clone();
        let ids = known.clone();
        let built = self
            .app
            .blocking(move || {
                let cur = app.current();
                let sel: Vec<usize> = ids.iter().filter_map(|id| cur.topo.index(id)).collect();
                let changes = app.recent_changes_near(&ids, RECENT_CHANGES_SECS);
                let ec2 = app.ec2_report_for(&cur);
                let mut cx = Cx::new(&cur.topo, &cur.source);
                cx.lang = app.lang;
                cx.ec2 = ec2.as_deref();
                let mut reply = incident::reply(cx, &sel, &changes);
                let png = png(&app, &mut reply, app.lang);
                (reply, png)
            })
            .await;
        let (reply, png) = match built {
            Ok(x) => x,
            Err(e) => {
                tracing::error!(
                    thread = thread.get(),
                    "building the incident reply failed: {e}"
                );
                return;
            }
        };
        let out = message::build(&reply, png, message::DEFAULT_ATTACHMENT_LIMIT);
        let text = out.description.clone();
        let http = &ctx.http;
        let full = Post {
            content: out.content,
            embed: out.embed,
            files: out.files,
        };
        let sent = deliver_in_thread(http, thread, reply_msg, &full).await;
        // Refused in full (an embed or picture Discord would not take): the text still goes.
        let sent = match sent {
            Ok(mid) => Ok(mid),
            Err(e) => {
                let id = error_id();
                tracing::error!(error_id = %id, thread = thread.get(), "incident reply not delivered in full: {e}");
                let why = format!("the diagram could not be posted; error id {id}");
                let content = message::fallback(&reply.title, &text, &why);
                let text = Post {
                    content,
                    embed: None,
                    files: Vec::new(),
                };
                let sent = deliver_in_thread(http, thread, reply_msg, &text).await;
                match &sent {
                    Ok(_) => {
                        tracing::info!(error_id = %id, thread = thread.get(), "incident reply delivered as text")
                    }
                    Err(e) => {
                        tracing::error!(error_id = %id, thread = thread.get(), "the text incident reply failed too: {e}")
                    }
                }
                sent
            }
        };
        match sent {
            Ok(mid) => {
                self.app
                    .with_store(|s| s.set_incident_thread(thread.get(), Some(mid), &known));
            }
            Err(_) => self.app.metrics.reply("lost"),
        }
    }
}

/// A message for an incident thread (or an alert message).
#[derive(Clone)]
pub(super) struct Post {
    pub content: String,
    pub embed: Option<CreateEmbed>,
    pub files: Vec<CreateAttachment>,
}

/// [`put_in_thread`] through outages; an edit of a message that is gone (deleted by a moderator)
/// becomes a new message.
pub(super) async fn deliver_in_thread(
    http: &serenity::http::Http,
    thread: ChannelId,
    existing: Option<u64>,
    post: &Post,
) -> Result<u64, Failed> {
    let put = |target: Option<u64>| {
        retrying("the incident reply", move || {
            put_in_thread(http, thread, target, post.clone())
        })
    };
    match put(existing).await {
        Err(f) if f.gone && existing.is_some() => {
            tracing::warn!(
                thread = thread.get(),
                "the incident reply is gone, posting a new one: {f}"
            );
            put(None).await
        }
        other => other,
    }
}

/// Posts the bot's reply in an incident thread, or replaces the one it posted before
/// (`existing`): content, embed and files as given, nothing left over from the old message.
/// Returns the message id.
async fn put_in_thread(
    http: &serenity::http::Http,
    thread: ChannelId,
    existing: Option<u64>,
    post: Post,
) -> serenity::Result<u64> {
    let Post {
        content,
        embed,
        files,
    } = post;
    let embeds: Vec<CreateEmbed> = embed.into_iter().collect();
    match existing {
        Some(mid) => {
            let mut e = EditMessage::new()
                .content(content)
                .embeds(embeds)
                .remove_all_attachments()
                .allowed_mentions(no_mentions());
            for f in files {
                e = e.new_attachment(f);
            }
            thread
                .edit_message(http, MessageId::new(mid), e)
                .await
                .map(|m| m.id.get())
        }
        None => {
            let m = CreateMessage::new()
                .content(content)
                .embeds(embeds)
                .add_files(files)
                .allowed_mentions(no_mentions());
            thread.send_message(http, m).await.map(|m| m.id.get())
        }
    }
}
