//! A real sender: Debian's `prometheus-alertmanager` (0.25, installed by
//! `.ci/install-alertmanager`) on 127.0.0.1, its webhook receiver pointed at the real bot with
//! the bearer token in `http_config`. Alerts are posted to its `/api/v2/alerts`; the test checks
//! what the Discord stand-in receives: grouping (two alerts posted apart within `group_wait`
//! are one message), the repeat (taken, nothing posted), and the resolves, exactly as
//! Alertmanager itself sends them.
//!
//! Without the binary this test fails, so CI cannot pass it by accident; set
//! `AIOPS_SKIP_ALERTMANAGER=1` to skip it locally (it says so on stderr).

use super::alerts::{hook_url, start_alerting_in};
use super::*;
use std::process::{Child, Command, Stdio};

const BINARY: &str = "/usr/bin/prometheus-alertmanager";
const TOKEN: &str = "am-token-7f3a";
const CES: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const SPOTWS: &str = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";

/// A running Alertmanager; killed when dropped.
struct Alertmanager {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary, or `None` (loudly) when the developer asked to skip.
fn binary() -> Option<&'static str> {
    if std::path::Path::new(BINARY).exists() {
        return Some(BINARY);
    }
    if std::env::var_os("AIOPS_SKIP_ALERTMANAGER").is_some() {
        eprintln!(
            "SKIPPED: {BINARY} is not installed and AIOPS_SKIP_ALERTMANAGER is set; \
             the real-Alertmanager test did not run"
        );
        return None;
    }
    panic!(
        "{BINARY} is not installed: run .ci/install-alertmanager (or set \
         AIOPS_SKIP_ALERTMANAGER=1 to skip this test on this machine)"
    );
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Alertmanager {
    async fn start(binary: &str, webhook: &str) -> Alertmanager {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "global:\n  resolve_timeout: 5m\n\
             route:\n  receiver: bot\n  group_by: ['alertname']\n  group_wait: 2s\n  \
             group_interval: 1s\n  repeat_interval: 3s\n\
             receivers:\n  - name: bot\n    webhook_configs:\n      - url: {webhook}\n        \
             send_resolved: true\n        http_config:\n          authorization:\n            \
             type: Bearer\n            credentials: {TOKEN}\n"
        );
        let file = dir.path().join("alertmanager.yml");
        std::fs::write(&file, config).unwrap();
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let child = Command::new(binary)
            .arg(format!("--config.file={}", file.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--web.external-url={url}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus-alertmanager");
        let am = Alertmanager {
            child,
            url,
            _dir: dir,
        };
        am.wait_ready().await;
        am
    }

    async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        let ready = format!("{}/-/ready", self.url);
        while tokio::time::Instant::now() < deadline {
            if let Ok(r) = reqwest::get(&ready).await {
                if r.status().is_success() {
                    return;
                }
            }
            // Polling a real endpoint until a deadline: Alertmanager has no other signal.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Alertmanager at {} was not ready within {WAIT:?}", self.url);
    }

    /// Posts alerts to `/api/v2/alerts`, as Prometheus does.
    async fn post(&self, alerts: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.url))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&alerts).expect("JSON"))
            .send()
            .await
            .expect("Alertmanager answers");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        assert!(status.is_success(), "{status}: {text}");
    }
}

fn alert(host: &str, starts: &str, ends: Option<&str>) -> Value {
    let mut a = json!({
        "labels": {"alertname": "HighCPU", "instance": format!("{host}:9100"), "job": "node",
                   "severity": "critical"},
        "annotations": {"summary": format!("CPU > 90% on {host}")},
        "startsAt": starts,
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=cpu"
    });
    if let Some(e) = ends {
        a["endsAt"] = json!(e);
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_alertmanager_groups_repeats_and_resolves_into_one_edited_message() {
    let Some(binary) = binary() else { return };
    // The text incident channel: a message, and a thread opened on it.
    let bot = start_alerting_in(0, |c| {
        c.alerts.channel = c.incident_channels.get(1).copied()
    })
    .await;
    let am = Alertmanager::start(binary, &hook_url(bot.health, "alertmanager")).await;
    // Starting now: Alertmanager waits group_wait before the first notification (an alert that
    // started longer ago than that is sent at once).
    let started = jiff::Timestamp::now().to_string();

    // Two alerts posted apart, within group_wait: one notification, one message.
    am.post(json!([alert(CES, &started, None)])).await;
    am.post(json!([alert(SPOTWS, &started, None)])).await;
    let channel = bot.standin.ids().incident_text.get();
    let posts = format!("/api/v10/channels/{channel}/messages");
    let post = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == posts)
        .await;
    let text = post.json.to_string();
    assert!(text.contains(CES) && text.contains(SPOTWS), "{text}");
    assert!(post.file("diagram.png").is_some());
    let message = post.response["id"].as_str().unwrap().to_string();
    let thread = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == format!("{posts}/{message}/threads")
        })
        .await;
    assert!(
        thread.json["name"]
            .as_str()
            .unwrap_or("")
            .contains("HighCPU"),
        "{}",
        thread.json
    );

    // The repeat after repeat_interval is taken and changes nothing.
    bot.wait_for_metric("aiops_alert_duplicates_total{source=\"alertmanager\"} 1")
        .await;

    // One resolves, then the other: the message is edited each time.
    let now = jiff::Timestamp::now().to_string();
    am.post(json!([alert(CES, &started, Some(&now))])).await;
    let edits = format!("{posts}/{message}");
    bot.standin
        .wait_for(WAIT, |r| r.method == "PATCH" && r.path == edits)
        .await;
    let now = jiff::Timestamp::now().to_string();
    am.post(json!([alert(SPOTWS, &started, Some(&now))])).await;
    let last = bot
        .standin
        .wait_for_nth(WAIT, 2, |r| r.method == "PATCH" && r.path == edits)
        .await;
    assert!(
        last.json.to_string().to_lowercase().contains("resolved"),
        "{}",
        last.json
    );
    let posts = bot
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == posts)
        .count();
    assert_eq!(posts, 1, "one message for the group");
    drop(am);
    bot.shutdown().await;
}
