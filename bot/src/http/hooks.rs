//! The alert webhook routes: `POST /hooks/alertmanager`, `/hooks/grafana` (also `PUT`, which
//! Grafana can be set to use) and `/hooks/pagerduty`.
//!
//! A route is enabled by its secret (`AIOPS_WEBHOOK_TOKEN` for Alertmanager, that token or
//! `AIOPS_GRAFANA_HMAC_SECRET` for Grafana, `AIOPS_PAGERDUTY_SECRET` for PagerDuty) and answers
//! 404 without it. A request is answered, in this order: 405 for another method, 401 without
//! credentials and 403 with wrong ones (nothing is read further or changed), 413 over
//! [`MAX_BODY`], 400 with a one-line reason when the body is not the sender's JSON, and 202 once
//! the raw body is queued in SQLite, or 200 when PagerDuty sends a delivery or event id already
//! queued, or an event aiops does not post (a ping). When the delivery cannot be queued the
//! answer is 503, which Alertmanager and PagerDuty retry; never 429, which Alertmanager does not.

use super::auth::{self, Verdict};
use super::text;
use crate::alerts::Inbox;
use crate::config::AlertsConfig;
use crate::metrics::Metrics;
use crate::stamp::now_unix;
use aiops_core::alert::{self, AlertError, Source};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_LENGTH};
use hyper::{Method, Request, Response, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest body accepted: far above what any sender sends (PagerDuty: 55 KB).
pub const MAX_BODY: usize = 1024 * 1024;
/// How long a client may take to send the body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What the webhook routes need: the secrets, the inbox, the metrics.
pub struct Hooks {
    pub cfg: AlertsConfig,
    /// `None` when the store cannot be opened: deliveries are refused with 503.
    pub inbox: Option<Arc<Inbox>>,
    pub metrics: Arc<Metrics>,
}

/// One answer: its status, its outcome for the metrics, its one-line text.
struct Answer {
    status: StatusCode,
    outcome: &'static str,
    text: String,
}

fn reply(status: StatusCode, outcome: &'static str, text: impl Into<String>) -> Answer {
    Answer {
        status,
        outcome,
        text: text.into(),
    }
}

impl Hooks {
    pub(super) async fn answer(
        &self,
        route: &str,
        req: Request<Incoming>,
        received: Instant,
    ) -> Response<Full<Bytes>> {
        let Ok(source) = route.parse::<Source>() else {
            return text(StatusCode::NOT_FOUND, "not found\n".into());
        };
        let a = self.handle(source, req, received).await;
        let l = source.name();
        if a.status.is_client_error() {
            tracing::info!(
                source = l,
                status = a.status.as_u16(),
                "webhook refused: {}",
                a.text
            );
        } else if a.status.is_server_error() {
            tracing::error!(source = l, "webhook not queued: {}", a.text);
        }
        self.metrics
            .alerts
            .webhook(l, a.outcome, received.elapsed());
        text(a.status, format!("{}\n", a.text))
    }

    async fn handle(&self, source: Source, req: Request<Incoming>, received: Instant) -> Answer {
        let cfg = &self.cfg;
        let token = cfg.webhook_token.as_ref();
        let enabled = match source {
            Source::Alertmanager => token.is_some(),
            Source::Grafana => token.is_some() || cfg.grafana_hmac_secret.is_some(),
            Source::PagerDuty => cfg.pagerduty_secret.is_some(),
        };
        if !enabled {
            return reply(
                StatusCode::NOT_FOUND,
                "disabled",
                format!("the {} webhook is not enabled on this bot", source.name()),
            );
        }
        let method_ok = match source {
            Source::Grafana => matches!(*req.method(), Method::POST | Method::PUT),
            _ => *req.method() == Method::POST,
        };
        if !method_ok {
            return reply(StatusCode::METHOD_NOT_ALLOWED, "bad_method", "use POST");
        }
        let headers = req.headers().clone();
        let authorization = header(&headers, AUTHORIZATION.as_str());
        // Alertmanager has only the token: check it before reading the body.
        if source == Source::Alertmanager {
            if let Some(refused) = refusal(auth::bearer(authorization, expose(token))) {
                return refused;
            }
        }
        let declared =
            header(&headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY as u64) {
            return too_large();
        }
        let body = match read_body(req).await {
            Ok(b) => b,
            Err(a) => return a,
        };
        let verdict = match source {
            Source::Alertmanager => Verdict::Valid,
            Source::Grafana => self.grafana_verdict(&headers, &body),
            Source::PagerDuty => auth::pagerduty(
                header(&headers, "x-pagerduty-signature"),
                expose(cfg.pagerduty_secret.as_ref()),
                &body,
            ),
        };
        if let Some(refused) = refusal(verdict) {
            return refused;
        }
        let delivery = match alert::parse(source, &body) {
            Ok(d) => d,
            Err(e) => return parse_refusal(&e),
        };
        let mut seen: Vec<String> = Vec::new();
        if source == Source::PagerDuty {
            if let Some(id) = header(&headers, "x-webhook-id") {
                seen.push(format!("pagerduty webhook {id}"));
            }
            if let Some(id) = &delivery.event_id {
                seen.push(format!("pagerduty event {id}"));
            }
        }
        self.queue(source, body, received, seen).await
    }

    fn grafana_verdict(&self, headers: &HeaderMap, body: &[u8]) -> Verdict {
        let cfg = &self.cfg;
        let by_token = cfg
            .webhook_token
            .as_ref()
            .map(|t| auth::bearer(header(headers, AUTHORIZATION.as_str()), t.expose()));
        if by_token == Some(Verdict::Valid) {
            return Verdict::Valid;
        }
        let by_signature = cfg.grafana_hmac_secret.as_ref().map(|secret| {
            let timestamp = cfg
                .grafana_timestamp_header
                .as_deref()
                .map(|name| header(headers, name));
            auth::grafana(
                header(headers, &cfg.grafana_signature_header),
                timestamp,
                secret.expose(),
                body,
                now_unix(),
            )
        });
        // Wrong credentials of either kind are wrong; otherwise they are missing.
        match (by_token, by_signature) {
            (_, Some(Verdict::Valid)) => Verdict::Valid,
            (Some(Verdict::Wrong), _) | (_, Some(Verdict::Wrong)) => Verdict::Wrong,
            _ => Verdict::Missing,
        }
    }

    async fn queue(
        &self,
        source: Source,
        body: Bytes,
        received: Instant,
        seen: Vec<String>,
    ) -> Answer {
        let Some(inbox) = &self.inbox else {
            return reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the alert queue is unavailable (no state directory); try again later",
            );
        };
        let name = source.name();
        // The receipt time in wall-clock milliseconds, for receipt → post after a restart.
        let received_ms = unix_ms() - i64::try_from(received.elapsed().as_millis()).unwrap_or(0);
        let queued = inbox
            .run(move |s| {
                let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
                let id = s.enqueue_alert(name, &body, received_ms, &seen, now_unix())?;
                Ok((id, s.alert_queue_depth()?))
            })
            .await;
        match queued {
            Ok((Some(_), depth)) => {
                self.metrics.alerts.set_queue_depth(depth);
                inbox.wake();
                reply(StatusCode::ACCEPTED, "queued", "queued")
            }
            Ok((None, _)) => {
                self.metrics.alerts.duplicate(name);
                reply(StatusCode::OK, "duplicate", "already received")
            }
            Err(e) => {
                tracing::error!(source = name, "queueing an alert failed: {e:#}");
                reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the alert could not be queued; try again later",
                )
            }
        }
    }
}

/// 400 with the parser's one-line reason for a body that is not the sender's JSON; 200 for an
/// event about no alert (PagerDuty's test ping, service events), which PagerDuty must not see
/// refused (three refusals in a row disable the subscription).
fn parse_refusal(e: &AlertError) -> Answer {
    let outcome = match e {
        AlertError::Ignored { .. } => return reply(StatusCode::OK, "ignored", e.to_string()),
        AlertError::Malformed { .. } => "malformed",
        AlertError::NotThisShape { .. } => "wrong_shape",
    };
    let why = e.to_string();
    let line = why.lines().next().unwrap_or("the body is not valid");
    reply(StatusCode::BAD_REQUEST, outcome, line.to_string())
}

/// Unix milliseconds, now.
pub fn unix_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn expose(secret: Option<&crate::config::Secret>) -> &[u8] {
    secret.map_or(&[], |s| s.expose())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn refusal(v: Verdict) -> Option<Answer> {
    match v {
        Verdict::Valid => None,
        Verdict::Missing => Some(reply(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or malformed credentials",
        )),
        Verdict::Wrong => Some(reply(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the credentials do not match",
        )),
    }
}

fn too_large() -> Answer {
    reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the body is larger than {MAX_BODY} bytes"),
    )
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, Answer> {
    let limited = Limited::new(req.into_body(), MAX_BODY);
    match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(reply(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body could not be read: {e}"),
        )),
        Err(_) => Err(reply(
            StatusCode::REQUEST_TIMEOUT,
            "malformed",
            format!("the body did not arrive within {BODY_TIMEOUT:?}"),
        )),
    }
}
