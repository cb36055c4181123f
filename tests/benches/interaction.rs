//! Latency of the real bot against the Discord stand-in: from dispatching a slash command to its
//! first response (the deferral), and to the final reply carrying the PNG diagram.
//!
//! Targets (issue 5), on the seed inventory: under 50 ms to the first response, under 300 ms to
//! the final reply with the diagram.

use aiops_bot::config::Config;
use aiops_bot::serve::{self, ManualClock};
use aiops_tests::discord::StandIn;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn latency(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (standin, _state, _stop) = rt.block_on(async {
        let standin = StandIn::start().await;
        let state = tempfile::tempdir().expect("tempdir");
        let ids = standin.ids().clone();
        let cfg = Config {
            token: Some("bench-token".into()),
            discord_proxy: Some(standin.rest_proxy_url()),
            state_dir: state.path().to_path_buf(),
            guild: Some(ids.guild.get()),
            rate: aiops_bot::rate::RateConfig::unlimited(),
            ..Config::default()
        };
        let health = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let clock = Arc::new(ManualClock::new(jiff::Timestamp::UNIX_EPOCH));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve::run(cfg, health, clock, async move {
            let _ = rx.await;
        }));
        standin.wait_for_identify(WAIT).await;
        standin
            .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
            .await;
        (standin, state, tx)
    });
    let ids = standin.ids().clone();
    let mut g = c.benchmark_group("interaction_seed");
    g.sample_size(20);
    let run = |pick_final: bool, iters: u64| -> Duration {
        rt.block_on(async {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let h = standin.slash_command(
                    "deps",
                    json!([{"name": "pattern", "type": 3, "value": "aie1p-ces-*"}]),
                    ids.plain_user,
                    &[ids.plain_role],
                    "en-US",
                );
                let r = if pick_final {
                    h.wait_final(WAIT).await
                } else {
                    h.wait_callback(WAIT).await
                };
                assert!(
                    !pick_final || r.file("diagram.png").is_some(),
                    "final reply has the PNG"
                );
                total += h.latency(&r);
                if !pick_final {
                    h.wait_final(WAIT).await;
                }
            }
            total
        })
    };
    g.bench_function("deps_first_response", |b| b.iter_custom(|n| run(false, n)));
    g.bench_function("deps_final_reply_with_png", |b| {
        b.iter_custom(|n| run(true, n))
    });
    g.finish();
}

criterion_group!(benches, latency);
criterion_main!(benches);
