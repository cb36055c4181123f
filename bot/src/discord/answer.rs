//! What the parts of the bot answer with, and the helpers every answer uses: the chat picture,
//! error ids, ephemeral notes.

use super::message::{no_mentions, short};
use crate::app::App;
use crate::stamp::now_unix;
use aiops_commands::{Block, Lang, Msg, Reply};
use serenity::all::{CreateInteractionResponse, CreateInteractionResponseMessage};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a command may take before the user is told it failed.
pub const COMMAND_TIME_LIMIT: Duration = Duration::from_secs(20);

/// A command's answer, as the runner sends it.
pub struct Answer {
    pub reply: Reply,
    pub png: Option<Vec<u8>>,
    /// An upload awaiting Apply or Cancel: the token its buttons carry.
    pub confirm: Option<String>,
}

impl Answer {
    /// An answer without a picture or buttons.
    pub fn text(reply: Reply) -> Answer {
        Answer {
            reply,
            png: None,
            confirm: None,
        }
    }
}

/// Why a command has no answer: our side failed. The user sees a short line with an error id;
/// the log has this.
#[derive(Debug)]
pub enum Internal {
    /// The work panicked or was cancelled.
    Crashed(tokio::task::JoinError),
    /// The work took longer than [`COMMAND_TIME_LIMIT`].
    TimedOut,
    /// Discord would not give us an uploaded file.
    Download(serenity::Error),
}

impl std::fmt::Display for Internal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Internal::Crashed(e) => write!(f, "the command failed: {e}"),
            Internal::TimedOut => write!(f, "the command took longer than {COMMAND_TIME_LIMIT:?}"),
            Internal::Download(e) => write!(f, "downloading the upload: {e}"),
        }
    }
}

impl From<tokio::task::JoinError> for Internal {
    fn from(e: tokio::task::JoinError) -> Internal {
        Internal::Crashed(e)
    }
}

/// A rendered diagram as PNG, when the renderer is available and within its budget. When it is
/// not, the reply says why in `lang` (its Mermaid source still goes with it), so a missing
/// picture is never a silent one.
pub fn png(app: &App, reply: &mut Reply, lang: Lang) -> Option<Vec<u8>> {
    let d = reply.diagram.as_ref()?;
    let out = crate::picture::chat_png(d, app.cfg.font_family.as_deref());
    app.metrics.render(out.is_ok());
    match out {
        Ok(png) => Some(png),
        Err(e) => {
            tracing::warn!("diagram not rendered: {e}");
            reply
                .blocks
                .push(Block::Text(Msg::NoPicture(&e).text(lang).into_owned()));
            None
        }
    }
}

/// [`png`] on the bounded pool, for async callers; gives the reply back with it.
pub async fn rendered(app: &Arc<App>, reply: Reply, lang: Lang) -> (Reply, Option<Vec<u8>>) {
    if reply.diagram.is_none() {
        return (reply, None);
    }
    let app2 = app.clone();
    let fallback = reply.clone();
    match app
        .blocking(move || {
            let mut reply = reply;
            let png = png(&app2, &mut reply, lang);
            (reply, png)
        })
        .await
    {
        Ok(done) => done,
        Err(e) => {
            tracing::error!("rendering the diagram failed: {e}");
            (fallback, None)
        }
    }
}

/// An id for an error a user sees, to find it in the logs: `E{seconds mod 100000}-{counter}`.
pub fn error_id() -> String {
    static ERRORS: AtomicU64 = AtomicU64::new(0);
    format!(
        "E{}-{}",
        now_unix() % 100_000,
        ERRORS.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(short(text))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}
