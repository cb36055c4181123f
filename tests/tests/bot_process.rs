//! The real `aiops serve` process against the Discord stand-in: configured only through the
//! environment, it connects, registers its commands, answers, posts a change summary when the
//! inventory file is replaced, and on SIGTERM closes the gateway and exits 0 within 5 seconds.

use aiops_tests::aiops_command;
use aiops_tests::discord::{Request, StandIn};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "bot/alert_process.rs"]
mod alert_process;
#[path = "bot/reload_process.rs"]
mod reload_process;

const WAIT: Duration = Duration::from_secs(30);

fn spawn_bot(
    standin: &StandIn,
    state: &std::path::Path,
    inventory: &std::path::Path,
    env: &[(&str, &str)],
) -> Child {
    bot_env(aiops_command(), standin, state, inventory, env)
        .spawn()
        .expect("spawn aiops serve")
}

/// `base` (the `aiops` binary, or a program that runs it) with `serve` and the environment that
/// points the bot at the stand-in.
fn bot_env(
    mut base: Command,
    standin: &StandIn,
    state: &std::path::Path,
    inventory: &std::path::Path,
    env: &[(&str, &str)],
) -> Command {
    let ids = standin.ids();
    base.envs(env.iter().copied())
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
        .stderr(Stdio::piped());
    base
}

/// Waits up to `limit` (plus a second's grace) for the bot to exit; a bot still running then is
/// killed and the test fails, rather than waiting for ever.
async fn wait_exit(mut child: Child, limit: Duration) -> std::process::ExitStatus {
    let until = Instant::now() + limit + Duration::from_secs(1);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() >= until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the bot was still running {limit:?} after it was asked to stop");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A bot started on the seed, in a fresh folder holding `AI Ops List.xlsx` and the state
/// directory: the folder (kept alive by the caller), the inventory's path and the process.
fn seed_bot(
    standin: &StandIn,
    env: &[(&str, &str)],
) -> (tempfile::TempDir, std::path::PathBuf, Child) {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("AI Ops List.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let child = spawn_bot(standin, &dir.path().join("state"), &inv, env);
    (dir, inv, child)
}

/// Sends SIGTERM and waits for a clean exit within 5 s.
async fn stop(child: Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let exit = wait_exit(child, Duration::from_secs(5)).await;
    assert!(exit.success(), "exit status {exit:?}");
}

/// A bot whose log reader has gone away (the terminal closed, the log collector restarted) keeps
/// answering and still stops cleanly on SIGTERM: a log line it cannot write is lost, and never
/// takes the task that wrote it down with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_whose_log_reader_went_away_still_answers_and_stops_on_sigterm() {
    let standin = StandIn::start().await;
    let (_dir, _inv, mut child) = seed_bot(&standin, &[("AIOPS_LOG", "debug")]);
    wait_ready(&standin).await;
    drop(child.stderr.take());
    // Every command logs at debug level, now into a closed pipe.
    for _ in 0..2 {
        let answer = whois_jenkins(&standin).await;
        assert!(answer.contains("CI 构建服务器"), "{answer}");
    }
    // SIGTERM logs "shutting down" before it closes the gateway.
    stop(child).await;
    assert_eq!(
        standin.wait_for_disconnect(WAIT).await,
        Some(1000),
        "a clean Close frame"
    );
}

/// Reads the bot's log in a thread, until it exits.
fn read_log(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    })
}

/// Waits until the bot has identified and registered its commands.
async fn wait_ready(standin: &StandIn) {
    standin.wait_for_identify(WAIT).await;
    standin
        .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
}

/// Runs a command as the plain user; returns the final reply.
async fn ask(standin: &StandIn, name: &str, options: serde_json::Value) -> Request {
    let ids = standin.ids().clone();
    let h = standin.slash_command(name, options, ids.plain_user, &[ids.plain_role], "en-US");
    h.wait_final(WAIT).await
}

/// `/whois aie1p-jenkins`: the reply as JSON text.
async fn whois_jenkins(standin: &StandIn) -> String {
    let options = json!([{"name": "name", "type": 3, "value": "aie1p-jenkins"}]);
    ask(standin, "whois", options).await.json.to_string()
}

/// The seed as a workbook, with aie1p-jenkins's role changed to "CI 构建服务器（v2）".
fn seed_with_jenkins_v2() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in aiops_core::synth::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in aiops_core::synth::seed_rows().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let cell = cell.replace("CI 构建服务器", "CI 构建服务器（v2）");
            ws.write_string(r as u32 + 1, c as u16, &cell).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_posts_changes_and_exits_cleanly_on_sigterm() {
    let standin = StandIn::start().await;
    let (dir, inv, child) = seed_bot(&standin, &[]);
    let pid = child.id();

    wait_ready(&standin).await;
    let ids = standin.ids().clone();
    assert!(whois_jenkins(&standin).await.contains("CI 构建服务器"));

    // Replace the inventory file: the watcher picks it up and the summary is posted.
    // Atomic replace, as an editor saving a new copy would do.
    let tmp = dir.path().join("incoming.xlsx.part");
    std::fs::write(&tmp, seed_with_jenkins_v2()).unwrap();
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
    // The example names the production path of the sheet, which this machine does not have:
    // check-config says so, as the bot could not serve it.
    let missing = aiops_command()
        .args(["check-config", "--config"])
        .arg(aiops_tests::fixture("../../deploy/aiops.example.toml"))
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file"));
    let state = aiops_tests::temp_dir();
    let out = aiops_command()
        .args(["check-config", "--config"])
        .arg(aiops_tests::fixture("../../deploy/aiops.example.toml"))
        .env("DISCORD_TOKEN", "super-secret-token")
        .env("AIOPS_INVENTORY", aiops_tests::fixture("ai-ops-list.xlsx"))
        .env("AIOPS_STATE_DIR", state.path())
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

/// The titles of the summaries posted for each state of the file.
const PROBLEM_MISSING: &str = "Inventory file problem: the file is missing";
const PROBLEM_GARBAGE: &str = "Inventory file problem: the file does not load";
const PROBLEM_DIR: &str = "Inventory file problem: the path is a directory";
const PROBLEM_UNREADABLE: &str = "Inventory file problem: the file cannot be read";

/// The messages posted to the summary channel so far whose text contains `needle`.
fn summaries_with(standin: &StandIn, needle: &str) -> usize {
    let path = format!("/api/v10/channels/{}/messages", standin.ids().summary.get());
    standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path && r.json.to_string().contains(needle))
        .count()
}

/// Waits for the `n`th summary containing `needle`.
async fn wait_summary(standin: &StandIn, needle: &str, n: usize) {
    let path = format!("/api/v10/channels/{}/messages", standin.ids().summary.get());
    standin
        .wait_for_nth(WAIT, n, |r| {
            r.method == "POST" && r.path == path && r.json.to_string().contains(needle)
        })
        .await;
}

/// The value in the `key` row of `/inventory status`'s table.
fn row(status: &str, key: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key:?} row in {status}"))
}

/// `/inventory status` as the plain user: the reply's text.
async fn status(standin: &StandIn) -> String {
    let r = ask(
        standin,
        "inventory",
        json!([{"name": "status", "type": 1, "options": []}]),
    )
    .await;
    r.json["embeds"][0]["description"]
        .as_str()
        .unwrap_or_else(|| panic!("a status embed: {}", r.json))
        .to_string()
}

/// Switches the ConfigMap-style `..data` link in `dir` to `target` atomically.
fn switch_data(dir: &std::path::Path, target: &std::path::Path) {
    let tmp = dir.join("..data_tmp");
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_of_the_inventory_file_is_reported_once_and_its_end_too() {
    let standin = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Laid out as Kubernetes mounts a ConfigMap: inventory.xlsx -> ..data/inventory.xlsx, and
    // ..data -> one directory per version.
    let version = |name: &str, bytes: Option<&[u8]>| {
        let v = d.join(name);
        std::fs::create_dir(&v).unwrap();
        if let Some(b) = bytes {
            std::fs::write(v.join("inventory.xlsx"), b).unwrap();
        }
        v
    };
    let good = version("v1", Some(aiops_core::SEED_XLSX));
    let empty = version("v-empty", None);
    let garbage = version("v-garbage", Some(b"PK\x03\x04 not really a workbook"));
    let as_dir = version("v-dir", None);
    std::fs::create_dir(as_dir.join("inventory.xlsx")).unwrap();
    let looped = version("v-loop", None);
    std::os::unix::fs::symlink(looped.join("inventory.xlsx"), looped.join("inventory.xlsx"))
        .unwrap();
    std::os::unix::fs::symlink(&good, d.join("..data")).unwrap();
    let inv = d.join("inventory.xlsx");
    std::os::unix::fs::symlink(d.join("..data").join("inventory.xlsx"), &inv).unwrap();

    let env = [
        ("AIOPS_WATCH_INTERVAL_SECS", "1"),
        ("AIOPS_RATE_USER_BURST", "0"),
    ];
    let mut child = spawn_bot(&standin, &d.join("state"), &inv, &env);
    let log = read_log(&mut child);
    wait_ready(&standin).await;

    // Missing: reported once, shown with since-when, and the last good inventory answers.
    switch_data(d, &empty);
    wait_summary(&standin, PROBLEM_MISSING, 1).await;
    let shown = status(&standin).await;
    let watcher = row(&shown, "watcher");
    assert!(watcher.starts_with("FILE PROBLEM"), "{shown}");
    assert!(
        watcher.contains("inventory.xlsx is missing (since 20"),
        "{shown}"
    );
    assert!(
        row(&shown, "last error").contains("is missing (since 20"),
        "{shown}"
    );
    assert!(whois_jenkins(&standin).await.contains("CI 构建服务器"));
    // Back with the same bytes: the error clears and the recovery is posted.
    switch_data(d, &good);
    wait_summary(&standin, "Inventory file recovered", 1).await;
    let shown = status(&standin).await;
    assert_eq!(row(&shown, "last error"), "none", "{shown}");
    assert!(row(&shown, "watcher").starts_with("file ok"), "{shown}");
    // Garbage, then the good bytes again: the stale error clears (it used to stay).
    switch_data(d, &garbage);
    wait_summary(&standin, PROBLEM_GARBAGE, 1).await;
    switch_data(d, &good);
    wait_summary(&standin, "Inventory file recovered", 2).await;
    assert_eq!(row(&status(&standin).await, "last error"), "none");
    // A directory where the file should be, then a file that cannot be opened.
    switch_data(d, &as_dir);
    wait_summary(&standin, PROBLEM_DIR, 1).await;
    switch_data(d, &looped);
    wait_summary(&standin, PROBLEM_UNREADABLE, 1).await;
    // A new version switched in: loaded, and the problem is over.
    let edited = version("v2", None);
    std::fs::write(edited.join("inventory.xlsx"), seed_with_jenkins_v2()).unwrap();
    switch_data(d, &edited);
    wait_summary(&standin, "Inventory changed", 1).await;
    wait_summary(&standin, "Inventory file recovered", 3).await;

    // Each state was posted once.
    for needle in [
        PROBLEM_MISSING,
        PROBLEM_GARBAGE,
        PROBLEM_DIR,
        PROBLEM_UNREADABLE,
    ] {
        assert_eq!(summaries_with(&standin, needle), 1, "{needle}");
    }
    stop(child).await;
    // And logged once.
    let log = log.join().expect("stderr reader");
    assert_eq!(
        log.matches("inventory file problem").count(),
        4,
        "one line per problem:\n{log}"
    );
}

/// On a machine without font packages (the font directories point at an empty folder), the bot
/// still posts the diagram, drawn with the font built into the binary, and says so in its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_any_font_package_the_bot_still_posts_the_diagram() {
    let standin = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("AI Ops List.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let no_fonts = dir.path().join("no-fonts");
    std::fs::create_dir(&no_fonts).unwrap();
    let mut child = spawn_bot(
        &standin,
        &dir.path().join("state"),
        &inv,
        &[
            ("AIOPS_FONT_DIRS", no_fonts.to_str().unwrap()),
            ("AIOPS_LOG", "info"),
        ],
    );
    let log = read_log(&mut child);
    wait_ready(&standin).await;
    let options = json!([{"name": "pattern", "type": 3, "value": "aie1p-ces-*"}]);
    let reply = ask(&standin, "deps", options).await;
    let png = reply.file("diagram.png").unwrap_or_else(|| {
        panic!("no diagram.png in the reply: {}", reply.json);
    });
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().expect("a decodable PNG").info().clone();
    assert!(
        info.width > 400 && info.height > 100,
        "{}x{}",
        info.width,
        info.height
    );
    assert_eq!(
        reply.json["embeds"][0]["image"]["url"],
        "attachment://diagram.png"
    );
    assert!(reply.file("diagram.mmd").is_some());

    stop(child).await;
    let log = log.join().expect("stderr reader");
    assert!(log.contains("using the built-in one"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diagram_that_cannot_be_drawn_is_explained_in_the_reply() {
    let standin = StandIn::start().await;
    // A family no machine has: the renderer refuses, and says which.
    let (_dir, _inv, mut child) = seed_bot(&standin, &[("AIOPS_FONT_FAMILY", "No Such Family 42")]);
    let _log = read_log(&mut child);
    wait_ready(&standin).await;
    let options = json!([{"name": "pattern", "type": 3, "value": "aie1p-ces-*"}]);
    let reply = ask(&standin, "deps", options).await;
    assert!(reply.file("diagram.png").is_none());
    assert!(reply.file("diagram.mmd").is_some(), "the source still goes");
    let text = reply.json["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .replace('\\', "");
    assert!(text.contains("No picture: "), "{text}");
    assert!(text.contains("No Such Family 42"), "names the font: {text}");
    assert!(
        text.contains("aie1p-ces-access"),
        "the answer is all there: {text}"
    );
    stop(child).await;
}

/// A file the bot's user may not read (permissions, not a broken link) is reported as
/// unreadable with the system's reason, and its recovery too. Root reads any file, so when the
/// tests run as root the bot runs as `nobody` (through util-linux's `setpriv`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_the_bot_may_not_read_is_reported_and_its_recovery_too() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let standin = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inv = d.join("inventory.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let state = d.join("state");
    std::fs::create_dir(&state).unwrap();
    let as_root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let base = if as_root {
        const NOBODY: u32 = 65534;
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&state, Some(NOBODY), Some(NOBODY)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(aiops_tests::aiops_bin());
        c
    } else {
        aiops_command()
    };
    let env = [
        ("AIOPS_WATCH_INTERVAL_SECS", "1"),
        ("AIOPS_RATE_USER_BURST", "0"),
    ];
    let mut child = bot_env(base, &standin, &state, &inv, &env)
        .spawn()
        .expect("spawn aiops serve");
    let log = read_log(&mut child);
    wait_ready(&standin).await;

    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o000)).unwrap();
    wait_summary(&standin, PROBLEM_UNREADABLE, 1).await;
    let shown = status(&standin).await;
    let watcher = row(&shown, "watcher");
    assert!(watcher.starts_with("FILE PROBLEM"), "{shown}");
    assert!(
        watcher.contains("ermission denied"),
        "the system's reason: {shown}"
    );
    assert!(
        whois_jenkins(&standin).await.contains("CI 构建服务器"),
        "the last good one answers"
    );

    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o644)).unwrap();
    wait_summary(&standin, "Inventory file recovered", 1).await;
    assert_eq!(row(&status(&standin).await, "last error"), "none");
    stop(child).await;
    let log = log.join().expect("stderr reader");
    assert_eq!(log.matches("inventory file problem").count(), 1, "{log}");
}
