//! Thirty people at once: the real bot against the Discord stand-in, 30 users each sending one
//! command within one second (`/deps`, `/impact`, `/whois`, `/diagram` in turn), with the default
//! rate limits. Measures, over several rounds, the time from each dispatch to its first response
//! (the deferral) and to its final reply, and prints p50, p95 and max.
//!
//! Targets (issue 13): every first response within 1 s, every final reply within 5 s.

use aiops_bot::config::Config;
use aiops_bot::serve::{self, ManualClock};
use aiops_tests::discord::StandIn;
use serde_json::json;
use serenity::all::UserId;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const USERS: u64 = 30;
const ROUNDS: u64 = 5;

fn command(i: u64) -> (&'static str, serde_json::Value) {
    let opt = |name: &str, value: &str| json!([{"name": name, "type": 3, "value": value}]);
    match i % 4 {
        0 => ("deps", opt("pattern", "aie1p-ces-*")),
        1 => ("impact", opt("pattern", "spotdb")),
        2 => ("whois", opt("name", "aie1p-jenkins")),
        _ => ("diagram", opt("pattern", "aie1p-ces-*")),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let standin = StandIn::start().await;
        let state = tempfile::tempdir().expect("tempdir");
        let ids = standin.ids().clone();
        let cfg = Config {
            token: Some("bench-token".into()),
            discord_proxy: Some(standin.rest_proxy_url()),
            state_dir: state.path().to_path_buf(),
            guild: Some(ids.guild.get()),
            ..Config::default()
        };
        let health = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let clock = Arc::new(ManualClock::new(jiff::Timestamp::UNIX_EPOCH));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let bot = tokio::spawn(serve::run(cfg, health, clock, async move {
            let _ = rx.await;
        }));
        standin.wait_for_identify(WAIT).await;
        standin
            .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
            .await;
        let (mut first, mut last) = (Vec::new(), Vec::new());
        let mut refused = 0;
        for round in 0..ROUNDS {
            // Thirty people, one command each, spread over one second.
            let mut pace = tokio::time::interval(Duration::from_millis(1000 / USERS));
            let mut handles = Vec::new();
            for u in 0..USERS {
                pace.tick().await;
                let (name, options) = command(u);
                let user = UserId::new(2_000_000_000_000_000_000 + round * USERS + u);
                handles.push(standin.slash_command(
                    name,
                    options,
                    user,
                    &[ids.plain_role],
                    "en-US",
                ));
            }
            for h in &handles {
                let cb = h.wait_callback(WAIT).await;
                refused += usize::from(cb.json["type"] != 5);
                first.push(h.latency(&cb));
                let done = h.wait_final(WAIT).await;
                last.push(h.latency(&done));
            }
            // The global bucket refills at 10 a second: let it fill before the next round.
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        first.sort();
        last.sort();
        println!(
            "{USERS} users within 1 s, {ROUNDS} rounds, {} commands, {refused} refused",
            first.len()
        );
        println!("| | p50 | p95 | max | target |");
        println!("|---|---|---|---|---|");
        for (what, v, target) in [
            ("first response", &first, Duration::from_secs(1)),
            ("final reply", &last, Duration::from_secs(5)),
        ] {
            let max = *v.last().expect("samples");
            println!(
                "| {what} | {:.0} ms | {:.0} ms | {:.0} ms | {} ms ({}) |",
                percentile(v, 0.5).as_secs_f64() * 1000.0,
                percentile(v, 0.95).as_secs_f64() * 1000.0,
                max.as_secs_f64() * 1000.0,
                target.as_millis(),
                if max <= target { "met" } else { "MISSED" }
            );
        }
        let _ = tx.send(());
        let _ = bot.await;
    });
}
