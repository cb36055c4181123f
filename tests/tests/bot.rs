//! The real bot (`aiops_bot::serve::run`, the real serenity client) against the Discord stand-in
//! on 127.0.0.1: registration, every slash command, autocomplete, deferral, incident threads,
//! admin checks, upload with confirmation, the scheduled digest with a hand-moved clock, a broken
//! reload, and mention safety.

use aiops_bot::config::Config;
use aiops_bot::serve::{self, Clock, ManualClock};
use aiops_tests::discord::{Request, StandIn};
use jiff::Timestamp;
use serde_json::{json, Value};
use serenity::all::{ChannelId, MessageId};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

#[path = "bot/alertmanager.rs"]
mod alertmanager;
#[path = "bot/alerts.rs"]
mod alerts;
#[path = "bot/ec2.rs"]
mod ec2;
#[path = "bot/life.rs"]
mod life;

const WAIT: Duration = Duration::from_secs(20);

struct Bot {
    standin: StandIn,
    /// Where `/healthz` and `/metrics` listen.
    health: std::net::SocketAddr,
    clock: Arc<WatchedClock>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _state: tempfile::TempDir,
}

/// Monday 2026-11-30 08:59 in Shanghai.
fn monday_0859() -> Timestamp {
    "2026-11-30T00:59:00Z".parse().unwrap()
}

/// The bot's hand-moved clock, which also shows the test which time the schedule last read
/// before it went back to waiting: once it waits after reading a time, it has done all it will
/// do at that time.
struct WatchedClock {
    clock: ManualClock,
    read: Mutex<Option<Timestamp>>,
    waiting_after: watch::Sender<Option<Timestamp>>,
}

impl WatchedClock {
    fn new(at: Timestamp) -> Self {
        WatchedClock {
            clock: ManualClock::new(at),
            read: Mutex::new(None),
            waiting_after: watch::Sender::new(None),
        }
    }

    fn set(&self, at: Timestamp) {
        self.clock.set(at);
    }

    /// Waits until the schedule has read `at` and waits for the clock to move again.
    async fn schedule_done_at(&self, at: Timestamp) {
        let mut waiting = self.waiting_after.subscribe();
        tokio::time::timeout(WAIT, waiting.wait_for(|t| *t == Some(at)))
            .await
            .unwrap_or_else(|_| panic!("the schedule did not look at {at} within {WAIT:?}"))
            .expect("the clock is alive");
    }
}

impl Clock for WatchedClock {
    fn now(&self) -> Timestamp {
        let now = self.clock.now();
        *self.read.lock().unwrap() = Some(now);
        now
    }

    fn tick(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        // The tick listens from here on, so a move the test makes after seeing this wakes it.
        let tick = self.clock.tick();
        self.waiting_after.send_replace(*self.read.lock().unwrap());
        tick
    }
}

async fn start(tweak: impl FnOnce(&mut Config)) -> Bot {
    let standin = StandIn::start().await;
    let ids = standin.ids().clone();
    let state = tempfile::tempdir().unwrap();
    let mut cfg = Config {
        token: Some("test-token".into()),
        discord_proxy: Some(standin.rest_proxy_url()),
        state_dir: state.path().to_path_buf(),
        guild: Some(ids.guild.get()),
        incident_channels: vec![ids.incident_forum.get(), ids.incident_text.get()],
        summary_channel: Some(ids.summary.get()),
        admin_roles: vec![ids.admin_role.get()],
        rate: aiops_bot::rate::RateConfig::unlimited(),
        ..Config::default()
    };
    tweak(&mut cfg);
    let health = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let health_addr = health.local_addr().unwrap();
    let clock = Arc::new(WatchedClock::new(monday_0859()));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::run(cfg, health, clock.clone(), async move {
        let _ = rx.await;
    }));
    standin.wait_for_identify(WAIT).await;
    standin
        .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    Bot {
        standin,
        health: health_addr,
        clock,
        stop: Some(tx),
        task,
        _state: state,
    }
}

impl Bot {
    /// Waits until `/metrics` has a line equal to `line`.
    async fn wait_for_metric(&self, line: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut last = String::new();
        while tokio::time::Instant::now() < deadline {
            last = http_get(self.health, "/metrics").await;
            if last.lines().any(|l| l == line) {
                return;
            }
            // Polling a real endpoint until a deadline: the counter has no notification.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no `{line}` in /metrics within {WAIT:?}:\n{last}");
    }

    async fn shutdown(self) {
        self.shutdown_keeping_standin().await;
    }

    /// Stops the bot and waits until `serve::run` has returned; the stand-in stays up, to look at
    /// what it saw by then.
    async fn shutdown_keeping_standin(mut self) -> StandIn {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let r = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("bot stops")
            .expect("join");
        r.expect("bot ran cleanly");
        self.standin
    }

    /// Runs a command as the plain user and returns the final reply request.
    async fn ask(&self, name: &str, options: Value) -> Request {
        self.ask_in("en-US", name, options).await
    }

    /// Runs a command as the plain user whose Discord client is set to `locale`.
    async fn ask_in(&self, locale: &str, name: &str, options: Value) -> Request {
        let ids = self.standin.ids().clone();
        let h =
            self.standin
                .slash_command(name, options, ids.plain_user, &[ids.plain_role], locale);
        let cb = h.wait_callback(WAIT).await;
        assert_eq!(cb.json["type"], 5, "deferred first: {:?}", cb.json);
        let r = h.wait_final(WAIT).await;
        // The stand-in holds replies to Discord's limits; a refused one is a failed answer.
        assert_eq!(r.status, 200, "/{name} reply refused: {}", r.response);
        r
    }
}

fn embed_text(r: &Request) -> String {
    let mut s = r.json["content"].as_str().unwrap_or("").to_string();
    for e in r.json["embeds"].as_array().into_iter().flatten() {
        s.push_str(e["title"].as_str().unwrap_or(""));
        s.push('\n');
        s.push_str(e["description"].as_str().unwrap_or(""));
    }
    s
}

/// The embed's description as Discord shows it: the reply's blocks, without the title, and
/// without the backslashes that escape Markdown.
fn description(r: &Request) -> String {
    let markdown = r.json["embeds"][0]["description"]
        .as_str()
        .unwrap_or_else(|| panic!("a reply with an embed: {}", r.json));
    let mut shown = String::with_capacity(markdown.len());
    let mut chars = markdown.chars();
    while let Some(c) = chars.next() {
        shown.extend(if c == '\\' { chars.next() } else { Some(c) });
    }
    shown
}

fn opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

fn assert_no_pings(r: &Request) {
    let am = &r.json["allowed_mentions"];
    assert_eq!(
        am["parse"],
        json!([]),
        "allowed_mentions must allow nothing: {am}"
    );
    assert!(!embed_text(r).contains("@everyone"), "{}", embed_text(r));
}

/// Starts the bot on the seed as `inventory.xlsx` in `dir`, polled every `interval` seconds;
/// returns it with the file's path.
async fn start_watching(dir: &tempfile::TempDir, interval: u64) -> (Bot, std::path::PathBuf) {
    let inv = dir.path().join("inventory.xlsx");
    std::fs::write(&inv, aiops_core::SEED_XLSX).unwrap();
    let inv2 = inv.clone();
    let bot = start(move |c| {
        c.inventory = Some(inv2);
        c.watch_interval_secs = interval;
    })
    .await;
    (bot, inv)
}

/// An incident reply that arrived in full and names spotdb.
fn assert_full_spotdb_answer(r: &Request) {
    assert_eq!(r.status, 200);
    assert!(embed_text(r).contains("Aurora spotdb"), "{}", embed_text(r));
    assert!(r.file("diagram.png").is_some());
}

/// Where messages in `channel` are posted.
fn messages_path(channel: ChannelId) -> String {
    format!("/api/v10/channels/{}/messages", channel.get())
}

/// Opens a forum post about CES latency; returns the thread and its messages path.
fn open_ces_incident(bot: &Bot) -> (ChannelId, String) {
    let ids = bot.standin.ids().clone();
    let thread = bot.standin.forum_post(
        ids.incident_forum,
        "CES 撮合延迟升高",
        "kafka lag since 02:10",
        ids.plain_user,
    );
    let path = messages_path(thread);
    (thread, path)
}

/// Posts a later message naming spotdb in the thread; returns the edit of the bot's reply.
async fn spotdb_follow_up(bot: &Bot, thread: ChannelId, path: &str, reply: &Request) -> Request {
    let ids = bot.standin.ids().clone();
    let msg_id = reply.response["id"].as_str().unwrap().to_string();
    bot.standin
        .message_create(thread, "now spotdb CPU is 100% too", ids.plain_user);
    let edit_path = format!("{path}/{msg_id}");
    bot.standin
        .wait_for(WAIT, |r| r.method == "PATCH" && r.path == edit_path)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_every_command_in_the_guild_with_minimal_intents() {
    let bot = start(|_| {}).await;
    let names: Vec<String> = bot
        .standin
        .registered_commands()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    for n in aiops_bot::discord::commands::NAMES {
        assert!(names.iter().any(|x| x == n), "{n} registered: {names:?}");
    }
    let identify = bot.standin.gateway_state().identifies[0].clone();
    let want = (1u64 << 0) | (1 << 9) | (1 << 15);
    assert_eq!(identify["intents"].as_u64(), Some(want));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deps_answers_with_an_embed_and_the_mermaid_source() {
    let bot = start(|_| {}).await;
    let r = bot
        .ask("deps", json!([opt("pattern", "aie1p-ces-*")]))
        .await;
    let text = embed_text(&r);
    assert!(
        text.contains("aie1p-ces-access-c5large-2c4g-v132-a-Node"),
        "{text}"
    );
    assert!(text.contains("upstream"), "{text}");
    let mmd = r.file("diagram.mmd").expect("mermaid source attached");
    assert!(String::from_utf8_lossy(mmd).starts_with("graph LR"));
    let png = r.file("diagram.png").expect("rendered diagram attached");
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().expect("a decodable PNG").info().clone();
    assert!(
        info.width > 400 && info.height > 100,
        "{}x{}",
        info.width,
        info.height
    );
    assert_eq!(
        r.json["embeds"][0]["image"]["url"],
        "attachment://diagram.png"
    );
    assert_no_pings(&r);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_only_command_answers() {
    let bot = start(|_| {}).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("impact", json!([opt("pattern", "spotdb")]), "customers hit"),
        (
            "impact",
            json!([
                opt("pattern", "aie1p-apisix-*"),
                {"name": "one_node", "type": 5, "value": true}
            ]),
            "one node of each selected pool is lost",
        ),
        (
            "whois",
            json!([opt("name", "aie1p-jenkins")]),
            "CI 构建服务器",
        ),
        (
            "role",
            json!([opt("text", "撮合")]),
            "aie1p-ces-c52xlarge-8c16g-v132-a-Node",
        ),
        ("owner", json!([opt("team", "ops")]), "owner column"),
        (
            "path",
            json!([
                opt("from", "客户端"),
                opt("to", "aie1p-ces-c52xlarge-8c16g-v132-a-Node")
            ]),
            "→",
        ),
        (
            "spof",
            json!([]),
            "aie1p-ces-access-c5large-2c4g-v132-a-Node",
        ),
        (
            "diagram",
            json!([opt("pattern", "aie1p-ces-*")]),
            "aie1p-ces",
        ),
        ("lint", json!([]), "One-sided"),
        ("changes", json!([]), "No inventory changes"),
        ("help", json!([]), "/deps"),
        (
            "inventory",
            json!([{"name": "status", "type": 1, "options": []}]),
            "instances",
        ),
    ];
    for (name, options, want) in cases {
        let r = bot.ask(name, options).await;
        let text = embed_text(&r);
        assert!(text.contains(want), "/{name}: {want:?} not in {text}");
        assert_no_pings(&r);
    }
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_final_reply_still_leaves_a_short_answer() {
    let bot = start(|_| {}).await;
    let ids = bot.standin.ids().clone();
    // Discord refuses the full reply (as it does an invalid form body); nothing else fails.
    bot.standin.refuse_next(
        "PATCH",
        "/messages/@original",
        400,
        50035,
        "Invalid Form Body",
    );
    let h = bot.standin.slash_command(
        "deps",
        json!([opt("pattern", "aie1p-ces-*")]),
        ids.plain_user,
        &[ids.plain_role],
        "en-US",
    );
    let refused = h.wait_final(WAIT).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.file("diagram.png").is_some(),
        "the full reply was tried first"
    );
    let title = refused.json["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let fallback = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "PATCH" && r.path.ends_with("/messages/@original") && r.status == 200
        })
        .await;
    let content = fallback.json["content"].as_str().unwrap_or("");
    assert!(content.starts_with(&title), "{content}");
    assert!(content.contains("could not be sent; error id"), "{content}");
    assert!(fallback.files.is_empty());
    assert_no_pings(&fallback);
    // The next command is answered in full again.
    let r = bot
        .ask("whois", json!([opt("name", "aie1p-jenkins")]))
        .await;
    assert!(r.json["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("CI"));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_upload_limit_leaves_the_picture_out_but_still_answers() {
    let bot = start(|_| {}).await;
    // A guild whose uploads may total 4 KB: the PNG does not fit, the Mermaid source does,
    // and the stand-in answers 413 to anything larger, as Discord does.
    bot.standin.set_upload_limit(4096);
    let r = bot
        .ask("deps", json!([opt("pattern", "aie1p-ces-*")]))
        .await;
    assert!(r.file("diagram.png").is_none());
    assert!(r.file("diagram.mmd").is_some());
    assert!(r.json["embeds"][0]["image"].is_null(), "{}", r.json);
    assert!(embed_text(&r).contains("aie1p-ces-access-c5large-2c4g-v132-a-Node"));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_ranks_names_within_discords_limit() {
    let bot = start(|_| {}).await;
    let h = bot.standin.autocomplete("deps", "pattern", "ces");
    let cb = h.wait_callback(WAIT).await;
    assert_eq!(cb.json["type"], 8);
    let choices = cb.json["data"]["choices"].as_array().unwrap();
    assert!(choices.len() <= 25 && !choices.is_empty());
    assert_eq!(
        choices[0]["value"],
        "aie1p-ces-access-c5large-2c4g-v132-a-Node"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zh_cn_reader_gets_chinese_headings_and_the_sheets_names() {
    let bot = start(|_| {}).await;
    let reply = bot
        .ask_in("zh-CN", "impact", json!([opt("pattern", "spotdb")]))
        .await;
    let zh = format!(
        "{}\n{}",
        reply.json["embeds"][0]["title"].as_str().unwrap_or(""),
        description(&reply)
    );
    // Every fixed phrase of this reply that commands/src/i18n.rs translates, in English (as
    // `aiops impact spotdb` prints them) and in Chinese.
    let phrases = [
        ("Targets", "故障目标"),
        (
            "Broken (a hard dependency failed, no alternative)",
            "中断（硬依赖故障且无替代）",
        ),
        ("customers hit", "客户受影响"),
        (
            "Exposed (routes traffic to what broke)",
            "受波及（流量经过故障部分）",
        ),
        ("external · database", "外部 · 数据库"),
        ("external · load balancer", "外部 · 负载均衡"),
        ("external · client", "外部 · 客户端"),
        ("hop", "跳"),
    ];
    for (english, chinese) in phrases {
        assert!(
            zh.contains(chinese),
            "{chinese:?} for {english:?} not in {zh}"
        );
        assert!(!zh.contains(english), "{english:?} left in English: {zh}");
    }
    assert!(zh.contains("现货 Spot API 节点池（EKS）"), "{zh}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_thread_gets_one_reply_that_later_messages_update() {
    let bot = start(|_| {}).await;
    let (thread, path) = open_ces_incident(&bot);
    let first = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == path)
        .await;
    let text = embed_text(&first);
    assert!(
        text.contains("aie1p-ces-c52xlarge-8c16g-v132-a-Node"),
        "{text}"
    );
    assert!(text.contains("aie1p-kafka-server-01"), "{text}");
    assert!(text.contains("customers hit"), "{text}");
    assert_no_pings(&first);
    let edit = spotdb_follow_up(&bot, thread, &path, &first).await;
    assert!(
        embed_text(&edit).contains("Aurora spotdb"),
        "{}",
        embed_text(&edit)
    );
    let posts = bot
        .standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .count();
    assert_eq!(posts, 1, "updates edit the reply instead of posting again");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_incident_reply_is_posted_as_text_and_later_updated_in_full() {
    let bot = start(|_| {}).await;
    // Discord refuses the first message posted anywhere (the reply with its embed and picture).
    bot.standin
        .refuse_next("POST", "/messages", 400, 50035, "Invalid Form Body");
    let (thread, path) = open_ces_incident(&bot);
    let text_only = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == path && r.status == 200
        })
        .await;
    let content = text_only.json["content"].as_str().unwrap_or("");
    assert!(
        content.contains("could not be posted; error id"),
        "{content}"
    );
    assert!(
        content.contains("aie1p-ces-c52xlarge-8c16g-v132-a-Node"),
        "{content}"
    );
    assert!(text_only.files.is_empty());
    assert_no_pings(&text_only);
    // The thread is answered: a later message edits that reply, now in full.
    let edit = spotdb_follow_up(&bot, thread, &path, &text_only).await;
    assert_full_spotdb_answer(&edit);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_without_components_get_no_reply_until_a_message_names_one() {
    let bot = start(|_| {}).await;
    let ids = bot.standin.ids().clone();
    let thread = bot.standin.forum_post(
        ids.incident_forum,
        "lunch order",
        "who wants noodles",
        ids.plain_user,
    );
    let path = messages_path(thread);
    // The bot reads the starter message while it holds the thread's lock, and a later message
    // in the thread waits for that lock: so whatever the bot does about the new thread is done
    // before it answers the follow-up.
    let starter = format!("{path}/{}", thread.get());
    bot.standin
        .wait_for(WAIT, |r| r.method == "GET" && r.path == starter)
        .await;
    bot.standin
        .message_create(thread, "jenkins build stuck as well", ids.plain_user);
    let first = bot
        .standin
        .wait_for(WAIT, |r| {
            matches!(r.method.as_str(), "POST" | "PATCH") && r.path.starts_with(&path)
        })
        .await;
    assert_eq!(first.method, "POST", "{}", embed_text(&first));
    assert!(
        embed_text(&first).contains("aie1p-jenkins"),
        "the bot's first message in the thread answers the follow-up: {}",
        embed_text(&first)
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_outside_incident_channels_get_no_reply() {
    let bot = start(|_| {}).await;
    let ids = bot.standin.ids().clone();
    let general = bot.standin.thread_create(ids.general, "CES 撮合延迟", true);
    let answered = bot.standin.forum_post(
        ids.incident_forum,
        "jenkins build stuck",
        "",
        ids.plain_user,
    );
    // The bot counts each new thread it is done with by outcome: once the one outside the
    // incident channels is counted, everything it would do about it has been done.
    bot.wait_for_metric(r#"aiops_thread_events_total{outcome="not_incident_channel"} 1"#)
        .await;
    bot.standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == messages_path(answered)
        })
        .await;
    let general_path = format!("/api/v10/channels/{}/", general.get());
    assert!(
        !bot.standin
            .requests()
            .iter()
            .any(|r| r.path.starts_with(&general_path)),
        "the bot neither reads nor answers {general}"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_and_upload_need_an_admin_role() {
    let bot = start(|_| {}).await;
    let r = bot
        .ask(
            "inventory",
            json!([{"name": "reload", "type": 1, "options": []}]),
        )
        .await;
    assert!(
        embed_text(&r).contains("requires an admin role"),
        "{}",
        embed_text(&r)
    );
    bot.shutdown().await;
}

fn edited_seed_with_a_new_pool() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = aiops_core::synth::seed_rows();
    for (c, h) in aiops_core::synth::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let extra = [
        "aie1p-ces-access-c5large-2c4g-v133-a-Node".to_string(),
        "CES 接入层节点池（EKS）".to_string(),
        "APISIX/NGINX/客户端".to_string(),
        "CES 核心；Kafka".to_string(),
    ];
    for (r, row) in rows.iter().chain(std::iter::once(&extra)).enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_shows_the_diff_and_applies_only_after_confirmation() {
    let bot = start(|_| {}).await;
    let ids = bot.standin.ids().clone();
    let att = bot
        .standin
        .attachment("new.xlsx", edited_seed_with_a_new_pool());
    let options = json!([{"name": "upload", "type": 1, "options": [{"name": "file", "type": 11, "value": att.to_string()}]}]);
    let h = bot.standin.slash_command(
        "inventory",
        options,
        ids.admin_user,
        &[ids.admin_role, ids.plain_role],
        "en-US",
    );
    let r = h.wait_final(WAIT).await;
    assert!(embed_text(&r).contains("v133"), "{}", embed_text(&r));
    let buttons = &r.json["components"][0]["components"];
    let apply = buttons
        .as_array()
        .and_then(|b| {
            b.iter().find(|b| {
                b["custom_id"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("upload:apply:"))
            })
        })
        .expect("an Apply button")["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Nothing changed before the confirmation.
    let before = bot
        .ask(
            "whois",
            json!([opt("name", "aie1p-ces-access-c5large-2c4g-v133-a-Node")]),
        )
        .await;
    assert!(
        embed_text(&before).contains("matches nothing"),
        "{}",
        embed_text(&before)
    );
    let msg_id: u64 = r.response["id"].as_str().unwrap().parse().unwrap();
    let channel = ChannelId::new(r.response["channel_id"].as_str().unwrap().parse().unwrap());
    let b = bot.standin.button(
        &apply,
        channel,
        MessageId::new(msg_id),
        ids.admin_user,
        &[ids.admin_role],
    );
    let cb = b.wait_callback(WAIT).await;
    assert_eq!(cb.json["type"], 7);
    assert!(
        cb.json["data"]["content"]
            .as_str()
            .unwrap_or("")
            .starts_with("Applied"),
        "{}",
        cb.json
    );
    let summary_path = messages_path(ids.summary);
    let posted = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == summary_path)
        .await;
    assert!(
        embed_text(&posted).contains("Inventory changed"),
        "{}",
        embed_text(&posted)
    );
    let after = bot
        .ask(
            "whois",
            json!([opt("name", "aie1p-ces-access-c5large-2c4g-v133-a-Node")]),
        )
        .await;
    assert!(
        embed_text(&after).contains("CES 接入层节点池"),
        "{}",
        embed_text(&after)
    );
    bot.shutdown().await;
}

/// A bot whose digest fires at 09:00 Shanghai on weekdays; also the summary channel's path.
async fn start_with_weekday_digest() -> (Bot, String) {
    let bot = start(|c| {
        c.summary_schedule = Some("0 9 * * MON-FRI".into());
        c.timezone = "Asia/Shanghai".into();
    })
    .await;
    let path = messages_path(bot.standin.ids().summary);
    (bot, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_posts_when_the_schedule_fires_in_the_team_time_zone() {
    let (bot, summary_path) = start_with_weekday_digest().await;
    bot.clock.schedule_done_at(monday_0859()).await;
    assert!(
        !bot.standin
            .requests()
            .iter()
            .any(|r| r.path == summary_path),
        "nothing at 08:59"
    );
    bot.clock.set("2026-11-30T01:00:00Z".parse().unwrap());
    let posted = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == summary_path)
        .await;
    assert!(
        embed_text(&posted).contains("Inventory digest"),
        "{}",
        embed_text(&posted)
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_summary_is_still_posted_as_text() {
    let (bot, summary_path) = start_with_weekday_digest().await;
    bot.standin
        .refuse_next("POST", &summary_path, 400, 50035, "Invalid Form Body");
    bot.clock.schedule_done_at(monday_0859()).await;
    bot.clock.set("2026-11-30T01:00:00Z".parse().unwrap());
    let posted = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == summary_path && r.status == 200
        })
        .await;
    let content = posted.json["content"].as_str().unwrap_or("");
    assert!(content.starts_with("Inventory digest"), "{content}");
    assert!(
        content.contains("could not be posted; error id"),
        "{content}"
    );
    assert!(posted.files.is_empty());
    let refused = bot
        .standin
        .requests()
        .into_iter()
        .filter(|r| r.status == 400)
        .count();
    assert_eq!(refused, 1);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_reload_keeps_the_old_inventory_and_reports_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, inv) = start_watching(&dir, 3600).await;
    std::fs::write(&inv, b"PK\x03\x04 not really a workbook").unwrap();
    let ids = bot.standin.ids().clone();
    let h = bot.standin.slash_command(
        "inventory",
        json!([{"name": "reload", "type": 1, "options": []}]),
        ids.admin_user,
        &[ids.admin_role],
        "en-US",
    );
    let r = h.wait_final(WAIT).await;
    let text = embed_text(&r);
    assert!(text.contains("Reload failed"), "{text}");
    assert!(text.contains("inventory.xlsx"), "names the file: {text}");
    let status = bot
        .ask(
            "inventory",
            json!([{"name": "status", "type": 1, "options": []}]),
        )
        .await;
    assert!(
        embed_text(&status).contains("corrupt"),
        "{}",
        embed_text(&status)
    );
    let deps = bot
        .ask("deps", json!([opt("pattern", "aie1p-ces-*")]))
        .await;
    assert!(
        embed_text(&deps).contains("aie1p-ces-access"),
        "old inventory still answers"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_user_types_can_ping_anyone() {
    let bot = start(|_| {}).await;
    let r = bot
        .ask("deps", json!([opt("pattern", "@everyone <@&1>")]))
        .await;
    assert_no_pings(&r);
    assert!(!embed_text(&r).contains("<@&1>"), "{}", embed_text(&r));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_since_an_unknown_version_is_an_error_naming_it() {
    let bot = start(|_| {}).await;
    let r = bot.ask("changes", json!([opt("since", "99")])).await;
    let text = embed_text(&r);
    assert!(text.contains("no version v99 in the history"), "{text}");
    assert!(!text.contains("No inventory changes"), "{text}");
    // The version the bot recorded at start-up is known: a window from it is an answer.
    let r = bot.ask("changes", json!([opt("since", "1")])).await;
    let text = embed_text(&r);
    assert!(text.contains("No inventory changes since 1"), "{text}");
    bot.shutdown().await;
}

/// A plain HTTP/1.0 GET on loopback; the response's body.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    sock.read_to_string(&mut out).await.unwrap();
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}
