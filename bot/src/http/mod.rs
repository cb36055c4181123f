//! Everything aiops serves over HTTP, on `health_addr`, with hyper: `GET /healthz` (Kubernetes
//! probes), `GET /metrics` (Prometheus text, or OpenMetrics when the scraper asks for it), and
//! the alert webhooks `POST /hooks/alertmanager`, `/hooks/grafana` and `/hooks/pagerduty`
//! ([`hooks`]). HTTP/1.1 with keep-alive; a request's head must arrive within
//! [`HEADER_TIMEOUT`].

pub mod auth;
pub mod hooks;

use crate::metrics::{Metrics, OPENMETRICS_TEXT, PROMETHEUS_TEXT};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

pub use hooks::Hooks;

/// How long a client may take to send a request's head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long open connections get to finish their request at shutdown.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What the server answers with.
pub struct Routes {
    pub metrics: Arc<Metrics>,
    /// The webhook routes; `None` answers them 404.
    pub hooks: Option<Hooks>,
}

/// Serves until `shutdown` resolves, then lets open connections finish their request (for up to
/// [`CLOSE_GRACE`]). The caller binds the listener, so tests can use port 0.
pub async fn serve(listener: TcpListener, routes: Arc<Routes>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                tracing::warn!("accepting an HTTP connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let routes = routes.clone();
        let mut closing = closing.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let routes = routes.clone();
                async move { Ok::<_, Infallible>(answer(&routes, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("HTTP connection ended: {e}");
                    }
                }
                _ = async { closing.wait_for(|c| *c).await.map(|_| ()) } => {
                    conn.as_mut().graceful_shutdown();
                    let _finished = conn.await;
                }
            }
        });
    }
    closing_tx.send_replace(true);
    connections.close();
    if tokio::time::timeout(CLOSE_GRACE, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "HTTP connections still open {CLOSE_GRACE:?} after shutdown"
        );
    }
}

async fn answer(routes: &Routes, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let received = Instant::now();
    let path = req.uri().path().to_string();
    match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n".into()),
        (&Method::GET, "/metrics") => {
            let openmetrics = req.headers().get_all(ACCEPT).iter().any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.contains("application/openmetrics-text"))
            });
            let (ctype, body) = if openmetrics {
                (OPENMETRICS_TEXT, routes.metrics.export_openmetrics())
            } else {
                (PROMETHEUS_TEXT, routes.metrics.export())
            };
            with_type(StatusCode::OK, ctype, body)
        }
        (_, p) if p.starts_with("/hooks/") => match &routes.hooks {
            Some(hooks) => hooks.answer(&p["/hooks/".len()..], req, received).await,
            None => text(StatusCode::NOT_FOUND, "not found\n".into()),
        },
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    }
}

/// A plain-text response.
pub fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    with_type(status, "text/plain; charset=utf-8", body)
}

fn with_type(status: StatusCode, ctype: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn get(addr: std::net::SocketAddr, path: &str, extra: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn healthz_and_metrics_answer() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let m = Arc::new(Metrics::default());
        m.reload("ok");
        let routes = Arc::new(Routes {
            metrics: m,
            hooks: None,
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(l, routes, async {
            let _ = rx.await;
        }));
        assert!(get(addr, "/healthz", "")
            .await
            .starts_with("HTTP/1.1 200 OK"));
        let metrics = get(addr, "/metrics", "").await;
        assert!(
            metrics.contains("aiops_reloads_total{result=\"ok\"} 1"),
            "{metrics}"
        );
        let om = get(addr, "/metrics", "Accept: application/openmetrics-text\r\n").await;
        assert!(
            om.contains("application/openmetrics-text") && om.ends_with("# EOF\n"),
            "{om}"
        );
        assert!(get(addr, "/nope", "").await.starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/hooks/alertmanager", "")
            .await
            .starts_with("HTTP/1.1 404"));
        let _ = tx.send(());
        task.await.unwrap();
    }
}
