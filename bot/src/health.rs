//! `GET /healthz` and `GET /metrics` on a local port: a minimal HTTP/1.1 responder, enough for
//! Kubernetes probes and a Prometheus scrape.

use crate::metrics::{Metrics, OPENMETRICS_TEXT, PROMETHEUS_TEXT};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves until `shutdown` resolves. The caller binds the listener, so tests can use port 0.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let conn = tokio::select! {
            _ = &mut shutdown => return,
            c = listener.accept() => c,
        };
        let Ok((mut sock, _)) = conn else { continue };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            let n =
                match tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut buf))
                    .await
                {
                    Ok(Ok(n)) => n,
                    _ => return,
                };
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split_whitespace().nth(1).unwrap_or("");
            let openmetrics = req.lines().any(|l| {
                l.to_ascii_lowercase().starts_with("accept:")
                    && l.contains("application/openmetrics-text")
            });
            let (status, ctype, body) = match (req.split_whitespace().next(), path) {
                (Some("GET"), "/healthz") => ("200 OK", "text/plain", "ok\n".to_string()),
                (Some("GET"), "/metrics") if openmetrics => {
                    ("200 OK", OPENMETRICS_TEXT, metrics.export_openmetrics())
                }
                (Some("GET"), "/metrics") => ("200 OK", PROMETHEUS_TEXT, metrics.export()),
                _ => ("404 Not Found", "text/plain", "not found\n".to_string()),
            };
            let resp = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
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
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(l, m, async {
            let _ = rx.await;
        }));
        assert!(get(addr, "/healthz").await.starts_with("HTTP/1.1 200 OK"));
        let metrics = get(addr, "/metrics").await;
        assert!(
            metrics.contains("aiops_reloads_total{result=\"ok\"} 1"),
            "{metrics}"
        );
        assert!(get(addr, "/nope").await.starts_with("HTTP/1.1 404"));
        let _ = tx.send(());
        task.await.unwrap();
    }
}
