//! Getting a message to Discord when Discord fails. A 5xx, a 429, a broken connection or no
//! answer within [`ATTEMPT_LIMIT`] is an outage and is tried again after each of
//! [`RETRY_DELAYS`] (about 15 s in all, far inside the 15 minutes an interaction token lives);
//! any other error is a refusal of what was sent, returned at once so the caller falls back to
//! something smaller. serenity retries nothing itself when a proxy is set (its ratelimiter is
//! off then), so every send that matters goes through [`retrying`].

use serenity::http::HttpError;
use std::future::Future;
use std::time::Duration;

/// Pauses before the second, third, … attempt of a reply or a post.
pub const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// Pauses for the first response to an interaction, which Discord must have within 3 s.
pub const FIRST_RESPONSE_DELAYS: [Duration; 3] = [
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
];

/// How long one attempt may take before it counts as an outage.
pub const ATTEMPT_LIMIT: Duration = Duration::from_secs(10);

/// Why a send did not arrive, after its retries.
#[derive(Debug)]
pub struct Failed {
    /// The last error, as text for the log.
    pub error: String,
    /// The last error was Discord's 404: the message or interaction to edit is gone.
    pub gone: bool,
    pub attempts: usize,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tries = match self.attempts {
            1 => "1 attempt".to_string(),
            n => format!("{n} attempts"),
        };
        write!(f, "{} ({tries})", self.error)
    }
}

/// Whether Discord (or the way to it) failed, as opposed to refusing what was sent.
pub fn is_outage(e: &serenity::Error) -> bool {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            r.status_code.is_server_error() || r.status_code.as_u16() == 429
        }
        serenity::Error::Http(HttpError::Request(_)) | serenity::Error::Io(_) => true,
        _ => false,
    }
}

fn is_gone(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.status_code.as_u16() == 404)
}

/// Runs `attempt` until it succeeds, is refused, or every retry was spent on outages. `what`
/// names the send in the log.
pub async fn retrying<T, Fut>(what: &str, attempt: impl FnMut() -> Fut) -> Result<T, Failed>
where
    Fut: Future<Output = serenity::Result<T>>,
{
    retrying_after(what, &RETRY_DELAYS, attempt).await
}

/// [`retrying`] with other pauses.
pub async fn retrying_after<T, Fut>(
    what: &str,
    delays: &[Duration],
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, Failed>
where
    Fut: Future<Output = serenity::Result<T>>,
{
    let mut attempts = 0;
    let mut delays = delays.iter();
    loop {
        attempts += 1;
        let (error, outage, gone) = match tokio::time::timeout(ATTEMPT_LIMIT, attempt()).await {
            Ok(Ok(t)) => {
                if attempts > 1 {
                    tracing::info!(attempts, "{what} arrived after retrying");
                }
                return Ok(t);
            }
            Ok(Err(e)) => (e.to_string(), is_outage(&e), is_gone(&e)),
            Err(_) => (format!("no answer within {ATTEMPT_LIMIT:?}"), true, false),
        };
        let next = if outage { delays.next() } else { None };
        let Some(delay) = next else {
            return Err(Failed {
                error,
                gone,
                attempts,
            });
        };
        tracing::warn!(attempts, "{what} failed, retrying in {delay:?}: {error}");
        tokio::time::sleep(*delay).await;
    }
}
