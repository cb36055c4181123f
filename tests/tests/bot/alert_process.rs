//! Alert webhooks into the real `aiops serve` process, configured through the environment:
//! a delivery acknowledged with 202 is posted even when the process is killed (SIGKILL, no
//! shutdown) before Discord took the message, and later deliveries edit that message.

use super::*;
use aiops_tests::webhook::{self, am_alert, am_body, am_message};
use std::io::BufRead;

const TOKEN: &str = "process-token-3b9d";
const CES: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const SPOTWS: &str = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";

/// Starts `aiops serve` on port 0 and returns it with the address its HTTP server bound, read
/// from its log; stderr is drained from then on, so the process never blocks on it.
fn spawn_alerting(
    standin: &StandIn,
    state: &std::path::Path,
    inv: &std::path::Path,
) -> (Child, String) {
    let env = [
        ("AIOPS_WEBHOOK_TOKEN", TOKEN),
        ("AIOPS_ALERT_EDIT_INTERVAL_SECS", "0"),
        ("AIOPS_LOG", "info"),
    ];
    let mut child = spawn_bot(standin, state, inv, &env);
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("listening") {
                if let Some(at) = line.find("127.0.0.1:") {
                    let port: String = line[at + 10..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(format!("127.0.0.1:{port}"));
                    }
                }
            }
        }
    });
    let addr = rx
        .recv_timeout(WAIT)
        .expect("aiops serve logs the address it listens on");
    (child, addr)
}

fn high_cpu(statuses: [&str; 2]) -> Vec<u8> {
    let alert = |status, host: &str| {
        let instance = format!("{host}:9100");
        am_alert(
            status,
            &[("alertname", "HighCPU"), ("instance", &instance)],
            &[],
        )
    };
    am_body(&am_message(
        vec![alert(statuses[0], CES), alert(statuses[1], SPOTWS)],
        &["alertname"],
    ))
}

async fn deliver(addr: &str, body: Vec<u8>) -> u16 {
    let headers = [("authorization", format!("Bearer {TOKEN}"))];
    webhook::post(&format!("http://{addr}/hooks/alertmanager"), &headers, body)
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_alert_survives_a_kill_and_is_posted_by_the_next_process() {
    let standin = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("AI Ops List.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let state = dir.path().join("state");
    let forum = format!(
        "/api/v10/channels/{}/threads",
        standin.ids().incident_forum.get()
    );
    let is_post = |r: &Request| r.method == "POST" && r.path == forum;

    let (mut first, addr) = spawn_alerting(&standin, &state, &inv);
    standin.wait_for_identify(WAIT).await;
    // Discord refuses the message and its text fallback: acknowledged, not yet posted.
    for _ in 0..2 {
        standin.refuse_next("POST", &forum, 403, 50013, "Missing Permissions");
    }
    assert_eq!(deliver(&addr, high_cpu(["firing", "firing"])).await, 202);
    standin.wait_for_nth(WAIT, 2, is_post).await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    let (second, addr) = spawn_alerting(&standin, &state, &inv);
    let post = standin.wait_for_nth(WAIT, 3, is_post).await;
    assert_eq!(post.status, 201, "{}", post.response);
    let text = post.json["message"].to_string();
    assert!(text.contains(CES) && text.contains(SPOTWS), "{text}");
    let png = post.file("diagram.png").expect("the diagram");
    png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .expect("a decodable PNG");

    // The next delivery edits that message.
    assert_eq!(deliver(&addr, high_cpu(["resolved", "firing"])).await, 202);
    let thread = post.response["id"].as_str().unwrap().to_string();
    let edits = format!("/api/v10/channels/{thread}/messages/{thread}");
    standin
        .wait_for(WAIT, |r| r.method == "PATCH" && r.path == edits)
        .await;

    let pid = second.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let exit = wait_exit(second, Duration::from_secs(5)).await;
    assert!(exit.success(), "{exit:?}");
}
