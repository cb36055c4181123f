//! What runs in EC2, in the real bot: a fake `aws` on PATH behind `ec2_command` (success,
//! failure, a hang, garbage), describe-instances files behind `ec2_inventory`, and what users
//! see of it: `/reconcile`, `/whois`, `/inventory status`, `/changes` and the digest's drift.

use super::*;
use aiops_tests::describe_instances;

const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const KAFKA: &str = "aie1p-kafka-server-01";

/// A fake `aws` in its own directory: it prints `out.json`, or fails, hangs or prints garbage as
/// `mode` says, and notes each call in `calls`.
struct FakeAws {
    dir: tempfile::TempDir,
}

impl FakeAws {
    fn new() -> FakeAws {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("aws");
        std::fs::write(
            &script,
            r#"#!/bin/sh
d=$(dirname "$0")
echo "$*" >> "$d/calls"
case "$(cat "$d/mode")" in
  ok) cat "$d/out.json" ;;
  fail) echo "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation" >&2; exit 254 ;;
  hang) exec sleep 30 ;;
  garbage) echo "<html>502 Bad Gateway</html>" ;;
esac
"#,
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let fake = FakeAws { dir };
        fake.set_mode("ok");
        fake
    }

    fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).unwrap();
    }

    fn prints(&self, instances: &[(&str, &str, &str)]) {
        std::fs::write(
            self.dir.path().join("out.json"),
            describe_instances("fake", instances),
        )
        .unwrap();
    }

    /// The command line, finding `aws` on PATH as an operator's would.
    fn command(&self) -> String {
        format!(
            "env PATH={}:/usr/bin:/bin aws ec2 describe-instances --filters Name=tag:Name,Values=aie1p-*",
            self.dir.path().display()
        )
    }

    fn calls(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("calls"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

fn status_options() -> Value {
    json!([{"name": "status", "type": 1, "options": []}])
}

/// Moves the clock to `at` and waits until the schedule has done what it does then.
async fn at(bot: &Bot, at: &str) {
    let t: Timestamp = at.parse().unwrap();
    bot.clock.set(t);
    bot.clock.schedule_done_at(t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ec2_command_feeds_reconcile_whois_status_changes_and_the_history() {
    let aws = FakeAws::new();
    aws.prints(&[
        (APISIX, "c5.large", "ap-northeast-1a"),
        (APISIX, "c5.large", "ap-northeast-1a"),
        (APISIX, "c5.large", "ap-northeast-1a"),
        (KAFKA, "m5.large", "ap-northeast-1c"),
        ("@everyone **loud**", "t3.micro", "ap-northeast-1c"),
    ]);
    let command = aws.command();
    let bot = start(move |c| {
        c.ec2_command = Some(command);
        c.ec2_schedule = Some("*/10 * * * *".into());
    })
    .await;
    // The read at start.
    bot.clock.schedule_done_at(monday_0859()).await;
    assert_eq!(aws.calls(), 1);

    let r = bot.ask("reconcile", json!([])).await;
    let text = description(&r);
    assert!(text.contains("Running, not in the sheet"), "{text}");
    assert!(text.contains(APISIX), "{text}");
    assert!(
        text.contains("All replicas in one availability zone"),
        "{text}"
    );
    assert!(
        text.contains("instance(s) from `env PATH="),
        "says where from: {text}"
    );
    assert!(r.file("diagram.png").is_some(), "with the diagram");
    assert_no_pings(&r);

    let whois = bot.ask("whois", json!([opt("name", "apisix")])).await;
    assert!(
        description(&whois).contains("running 3 of 2, all in ap-northeast-1a"),
        "{}",
        description(&whois)
    );

    // The read is in the history, as a snapshot.
    let store = aiops_bot::store::Store::open(bot._state.path()).unwrap();
    let first = store.ec2_latest().unwrap().expect("a stored snapshot");

    // A failing run keeps the last good read and says why, in status.
    aws.set_mode("fail");
    at(&bot, "2026-11-30T01:00:00Z").await;
    assert_eq!(aws.calls(), 2, "the schedule ran the command again");
    let status = bot.ask("inventory", status_options()).await;
    let text = description(&status);
    assert!(text.contains("LAST READ FAILED"), "{text}");
    assert!(text.contains("exited with status 254"), "{text}");
    assert!(text.contains("UnauthorizedOperation"), "{text}");
    let whois = bot.ask("whois", json!([opt("name", "apisix")])).await;
    assert!(
        description(&whois).contains("running 3 of 2"),
        "the last good read stays: {}",
        description(&whois)
    );
    assert_eq!(store.ec2_latest().unwrap().unwrap().id, first.id);

    // The pool grows: a new snapshot, `changes` says so, and the failure is over.
    aws.set_mode("ok");
    aws.prints(&[
        (APISIX, "c5.large", "ap-northeast-1a"),
        (APISIX, "c5.large", "ap-northeast-1a"),
        (APISIX, "c5.large", "ap-northeast-1c"),
        (APISIX, "c5.large", "ap-northeast-1c"),
        (APISIX, "c5.large", "ap-northeast-1c"),
        (KAFKA, "m5.large", "ap-northeast-1c"),
    ]);
    at(&bot, "2026-11-30T01:10:00Z").await;
    assert_eq!(aws.calls(), 3);
    assert!(store.ec2_latest().unwrap().unwrap().id > first.id);
    let changes = bot
        .ask(
            "changes",
            json!([opt("since", "30d"), opt("pattern", "aie1p-apisix-*")]),
        )
        .await;
    let text = description(&changes);
    assert!(
        text.contains(&format!("pool {APISIX} grew from 3 to 5 nodes")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{APISIX}: running nodes no longer all in one zone"
        )),
        "{text}"
    );
    let status = bot.ask("inventory", status_options()).await;
    let text = description(&status);
    assert!(!text.contains("LAST READ FAILED"), "{text}");
    assert!(text.contains("6 instance(s) from"), "{text}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_hangs_or_prints_garbage_is_reported_and_nothing_is_made_up() {
    let aws = FakeAws::new();
    aws.set_mode("hang");
    let command = aws.command();
    let bot = start(move |c| {
        c.ec2_command = Some(command);
        c.ec2_timeout_secs = 1;
    })
    .await;
    bot.clock.schedule_done_at(monday_0859()).await;
    let r = bot.ask("reconcile", json!([])).await;
    let text = embed_text(&r);
    assert!(text.contains("nothing has been read yet"), "{text}");
    assert!(text.contains("did not finish within 1 s"), "{text}");
    let whois = bot.ask("whois", json!([opt("name", "apisix")])).await;
    assert!(
        !description(&whois).contains("running"),
        "no running state without a read: {}",
        description(&whois)
    );

    aws.set_mode("garbage");
    // The default schedule: every ten minutes.
    at(&bot, "2026-11-30T01:00:00Z").await;
    let status = bot.ask("inventory", status_options()).await;
    let text = description(&status);
    assert!(
        text.contains("the output of `env PATH=")
            && text.contains("not the output of `aws ec2 describe-instances`"),
        "{text}"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_ec2_settings_reconcile_says_how_to_configure_it() {
    let bot = start(|_| {}).await;
    let r = bot.ask("reconcile", json!([])).await;
    assert!(
        embed_text(&r).contains("set ec2_inventory or ec2_command"),
        "{}",
        embed_text(&r)
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_lists_new_drift_first_from_watched_ec2_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ec2.json");
    let fleet = |extra: &[(&'static str, &'static str, &'static str)]| {
        let mut list = vec![
            (APISIX, "c5.large", "ap-northeast-1a"),
            (APISIX, "c5.large", "ap-northeast-1c"),
        ];
        list.extend_from_slice(extra);
        describe_instances("digest", &list)
    };
    std::fs::write(&file, fleet(&[(KAFKA, "m5.large", "ap-northeast-1c")])).unwrap();
    let file2 = file.clone();
    let bot = start(move |c| {
        c.ec2_inventory = vec![file2];
        c.watch_interval_secs = 1;
        c.summary_schedule = Some("0 9 * * *".into());
        c.timezone = "Asia/Shanghai".into();
    })
    .await;
    bot.wait_for_metric("aiops_ec2_reads_total{result=\"ok\"} 1")
        .await;
    let summary = messages_path(bot.standin.ids().summary);
    at(&bot, "2026-11-30T01:00:00Z").await;
    let first = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == summary)
        .await;
    let text = embed_text(&first);
    assert!(
        text.contains("EC2: new drift since the last digest"),
        "{text}"
    );
    assert!(!text.contains(&format!("{KAFKA}: in the sheet")), "{text}");

    // Kafka stops and a node nobody listed appears: the next digest starts with those two.
    std::fs::write(
        &file,
        fleet(&[("aie1p-canary-01", "t3.micro", "ap-northeast-1a")]),
    )
    .unwrap();
    bot.wait_for_metric("aiops_ec2_reads_total{result=\"ok\"} 2")
        .await;
    at(&bot, "2026-12-01T01:00:00Z").await;
    let second = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == summary && r.json != first.json
        })
        .await;
    // As Discord shows it: without the backslashes that escape Markdown.
    let text = embed_text(&second).replace('\\', "");
    let new_at = text
        .find("EC2: new drift since the last digest: 2")
        .unwrap_or_else(|| panic!("two new lines of drift: {text}"));
    let kafka_at = text
        .find(&format!("{KAFKA}: in the sheet, not running"))
        .unwrap_or_else(|| panic!("kafka's stop: {text}"));
    let still_at = text
        .find("EC2: drift already there")
        .unwrap_or_else(|| panic!("the rest: {text}"));
    assert!(
        new_at < kafka_at && kafka_at < still_at,
        "new drift first: {text}"
    );
    assert!(
        text.contains("aie1p-canary-*: 1 running, not in the sheet"),
        "{text}"
    );
    bot.shutdown().await;
}
