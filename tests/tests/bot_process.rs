//! The real `aiops serve` process against the Discord stand-in: configured only through the
//! environment, it connects, registers its commands, answers, posts a change summary when the
//! inventory file is replaced, and on SIGTERM closes the gateway and exits 0 within 5 seconds.

use aiops_tests::aiops_command;
use aiops_tests::discord::StandIn;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn spawn_bot(standin: &StandIn, state: &std::path::Path, inventory: &std::path::Path) -> Child {
    let ids = standin.ids();
    aiops_command()
        .arg("serve")
        .env("DISCORD_TOKEN", "test-token")
        .env("AIOPS_DISCORD_PROXY", standin.rest_proxy_url())
        .env("AIOPS_STATE_DIR", state)
        .env("AIOPS_INVENTORY", inventory)
        .env("AIOPS_GUILD", ids.guild.get().to_string())
        .env("AIOPS_SUMMARY_CHANNEL", ids.summary.get().to_string())
        .env(
            "AIOPS_INCIDENT_CHANNELS",
            format!("{},{}", ids.incident_forum.get(), ids.incident_text.get()),
        )
        .env("AIOPS_ADMIN_ROLES", ids.admin_role.get().to_string())
        .env("AIOPS_HEALTH_ADDR", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aiops serve")
}

async fn wait_exit(mut child: Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    let (status, took) = tokio::task::spawn_blocking(move || {
        let status = child.wait().expect("wait");
        (status, started.elapsed())
    })
    .await
    .expect("join");
    assert!(took <= limit + Duration::from_secs(1), "took {took:?}");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_posts_changes_and_exits_cleanly_on_sigterm() {
    let standin = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("AI Ops List.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let child = spawn_bot(&standin, &dir.path().join("state"), &inv);
    let pid = child.id();

    standin.wait_for_identify(WAIT).await;
    standin
        .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    let ids = standin.ids().clone();
    let h = standin.slash_command(
        "whois",
        json!([{"name": "name", "type": 3, "value": "aie1p-jenkins"}]),
        ids.plain_user,
        &[ids.plain_role],
        "en-US",
    );
    let reply = h.wait_final(WAIT).await;
    assert!(reply.json.to_string().contains("CI 构建服务器"));

    // Replace the inventory file: the watcher picks it up and the summary is posted.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in aiops_core::synth::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in aiops_core::synth::seed_rows().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let cell = if cell == "CI 构建服务器" {
                "CI 构建服务器（v2）"
            } else {
                cell.as_str()
            };
            ws.write_string(r as u32 + 1, c as u16, cell).unwrap();
        }
    }
    // Atomic replace, as an editor saving a new copy would do.
    let tmp = dir.path().join("incoming.xlsx.part");
    std::fs::write(&tmp, wb.save_to_buffer().unwrap()).unwrap();
    std::fs::rename(&tmp, &inv).unwrap();
    let summary = format!("/api/v10/channels/{}/messages", ids.summary.get());
    let posted = standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == summary)
        .await;
    let body = posted.json.to_string();
    assert!(body.contains("Inventory changed"), "{body}");
    assert!(body.contains("aie1p-jenkins"), "{body}");

    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = wait_exit(child, Duration::from_secs(5)).await;
    assert!(exit.success(), "exit status {exit:?}");
    assert!(sent.elapsed() < Duration::from_secs(6));
    assert_eq!(
        standin.wait_for_disconnect(WAIT).await,
        Some(1000),
        "the gateway was closed cleanly"
    );
}

#[test]
fn check_config_prints_settings_without_the_token() {
    let out = aiops_command()
        .args(["check-config", "--config"])
        .arg(aiops_tests::fixture("../../deploy/aiops.example.toml"))
        .env("DISCORD_TOKEN", "super-secret-token")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("timezone = \"Asia/Shanghai\""), "{stdout}");
    assert!(stdout.contains("DISCORD_TOKEN: set (hidden)"));
    assert!(!stdout.contains("super-secret-token"));
}
