//! Latency of the alert webhooks on the seed: from sending an Alertmanager delivery (a new group
//! of two alerts) to the bot's 2xx, and to the message with its PNG diagram arriving at the
//! Discord stand-in. The real bot (`serve::run`) and real HTTP on loopback.
//!
//! Targets (issue 15): 10 ms to the answer, 300 ms to the message posted with the PNG.

use aiops_bot::config::{Config, Secret};
use aiops_bot::serve::{self, ManualClock};
use aiops_tests::discord::StandIn;
use aiops_tests::webhook::{am_alert, am_body, am_message, post};
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "bench-token";

/// A new group each time (its own alertname), so every delivery is a new message.
fn delivery(n: u64) -> Vec<u8> {
    let name = format!("HighCPU{n}");
    let alert = |host: &str| {
        let instance = format!("{host}:9100");
        am_alert(
            "firing",
            &[("alertname", &name), ("instance", &instance)],
            &[],
        )
    };
    am_body(&am_message(
        vec![
            alert("aie1p-ces-c52xlarge-8c16g-v132-a-Node"),
            alert("aie1p-spotws-c5xlarge-4c8g-v132-a-Node"),
        ],
        &["alertname"],
    ))
}

fn latency(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (standin, url, _state, _stop) = rt.block_on(async {
        let standin = StandIn::start().await;
        let state = tempfile::tempdir().expect("tempdir");
        let ids = standin.ids().clone();
        let mut cfg = Config {
            token: Some("bench-token".into()),
            discord_proxy: Some(standin.rest_proxy_url()),
            state_dir: state.path().to_path_buf(),
            guild: Some(ids.guild.get()),
            incident_channels: vec![ids.incident_text.get()],
            rate: aiops_bot::rate::RateConfig::unlimited(),
            ..Config::default()
        };
        cfg.alerts.webhook_token = Some(Secret::new(TOKEN));
        cfg.alerts.edit_interval_secs = 0;
        let health = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/hooks/alertmanager",
            health.local_addr().expect("addr")
        );
        let clock = Arc::new(ManualClock::new(jiff::Timestamp::UNIX_EPOCH));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve::run(cfg, health, clock, async move {
            let _ = rx.await;
        }));
        standin.wait_for_identify(WAIT).await;
        (standin, url, state, tx)
    });
    let posts = format!(
        "/api/v10/channels/{}/messages",
        standin.ids().incident_text.get()
    );
    let headers = [("authorization", format!("Bearer {TOKEN}"))];
    let next = AtomicU64::new(0);
    let mut g = c.benchmark_group("alert_webhook_seed");
    g.sample_size(20);
    let run = |to_post: bool, iters: u64| -> Duration {
        rt.block_on(async {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let already = standin
                    .requests()
                    .iter()
                    .filter(|r| r.method == "POST" && r.path == posts)
                    .count();
                let sent = Instant::now();
                let answer = post(&url, &headers, delivery(n)).await;
                assert_eq!(answer.status, 202, "{answer:?}");
                let answered = sent.elapsed();
                let r = standin
                    .wait_for_nth(WAIT, already + 1, |r| r.method == "POST" && r.path == posts)
                    .await;
                assert!(r.file("diagram.png").is_some(), "the message has the PNG");
                total += if to_post {
                    r.received.duration_since(sent)
                } else {
                    answered
                };
            }
            total
        })
    };
    g.bench_function("receipt_to_2xx", |b| b.iter_custom(|n| run(false, n)));
    g.bench_function("receipt_to_posted_with_png", |b| {
        b.iter_custom(|n| run(true, n))
    });
    g.finish();
}

criterion_group!(benches, latency);
criterion_main!(benches);
