//! Putting an alert message in Discord: a new message in the alert channel with a thread named
//! after the alert (a forum post in a forum channel, a thread on the message in a text channel,
//! where the bot may open one), or an edit of the message posted before. A message Discord
//! refuses in full (an embed or picture it will not take) goes as text, like every reply.

use super::answer::error_id;
use super::deliver::{retrying, Failed};
use super::incident::{deliver_in_thread, Post};
use super::message::{self, defang, no_mentions, Outgoing};
use serenity::all::{
    ChannelId, ChannelType, CreateForumPost, CreateMessage, CreateThread, MessageId,
};

/// Discord's limit on a thread's name.
const MAX_THREAD_NAME: usize = 100;

/// Where an alert message goes.
pub enum Target {
    /// The message posted before.
    Edit { channel: u64, message: u64 },
    /// A new message in `channel`, in a thread called `thread_name`.
    New {
        channel: u64,
        forum: bool,
        thread_name: String,
    },
}

/// Delivers `out` to `target`, falling back to text; returns where the message is (the channel
/// or thread to edit it in, and its id).
pub async fn deliver(
    http: &serenity::http::Http,
    target: Target,
    title: &str,
    out: Outgoing,
) -> Result<(u64, u64), Failed> {
    let text = out.description.clone();
    let full = Post {
        content: out.content,
        embed: out.embed,
        files: out.files,
    };
    let refused = match put(http, &target, &full).await {
        Ok(at) => return Ok(at),
        Err(f) => f,
    };
    let id = error_id();
    tracing::error!(error_id = %id, "alert message not delivered in full: {refused}");
    let why = format!("the diagram could not be posted; error id {id}");
    let plain = Post {
        content: message::fallback(title, &text, &why),
        embed: None,
        files: Vec::new(),
    };
    let sent = put(http, &target, &plain).await;
    if sent.is_ok() {
        tracing::info!(error_id = %id, "alert message delivered as text");
    }
    sent
}

async fn put(
    http: &serenity::http::Http,
    target: &Target,
    post: &Post,
) -> Result<(u64, u64), Failed> {
    match target {
        Target::Edit { channel, message } => {
            let channel = ChannelId::new(*channel);
            deliver_in_thread(http, channel, Some(*message), post)
                .await
                .map(|m| (channel.get(), m))
        }
        Target::New {
            channel,
            forum: true,
            thread_name,
        } => {
            let forum = ChannelId::new(*channel);
            let name = thread_name_of(thread_name);
            let thread = retrying("the alert forum post", || {
                let p = post.clone();
                let mut m = CreateMessage::new()
                    .content(p.content)
                    .embeds(p.embed.into_iter().collect())
                    .allowed_mentions(no_mentions());
                m = m.add_files(p.files);
                forum.create_forum_post(http, CreateForumPost::new(name.clone(), m))
            })
            .await?;
            // A forum post's starter message has the thread's id.
            Ok((thread.id.get(), thread.id.get()))
        }
        Target::New {
            channel,
            forum: false,
            thread_name,
        } => {
            let channel = ChannelId::new(*channel);
            let message = deliver_in_thread(http, channel, None, post).await?;
            let name = thread_name_of(thread_name);
            let opened = retrying("the alert thread", || {
                channel.create_thread_from_message(
                    http,
                    MessageId::new(message),
                    CreateThread::new(name.clone()),
                )
            })
            .await;
            if let Err(e) = opened {
                // Not allowed here (no permission, or threads are off): the message stands alone.
                tracing::warn!(
                    channel = channel.get(),
                    "no thread opened for the alert: {e}"
                );
            }
            Ok((channel.get(), message))
        }
    }
}

/// A thread name from the alert's title: defanged, within Discord's limit, never empty.
fn thread_name_of(title: &str) -> String {
    let name: String = defang(title.trim()).chars().take(MAX_THREAD_NAME).collect();
    if name.trim().is_empty() {
        "alert".into()
    } else {
        name
    }
}

/// Whether `channel` is a forum; `None` when Discord would not say.
pub async fn is_forum(http: &serenity::http::Http, channel: u64) -> Option<bool> {
    match retrying("reading the alert channel", || {
        http.get_channel(ChannelId::new(channel))
    })
    .await
    {
        Ok(c) => Some(c.guild().is_some_and(|g| g.kind == ChannelType::Forum)),
        Err(e) => {
            tracing::warn!(channel, "cannot read the alert channel: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_names_fit_discord_and_cannot_ping() {
        assert_eq!(thread_name_of("  "), "alert");
        assert_eq!(
            thread_name_of(&"x".repeat(300)).chars().count(),
            MAX_THREAD_NAME
        );
        assert!(!thread_name_of("@everyone HighCPU").contains("@everyone"));
    }
}
