//! The bot under real use: people who type fast (rate limits), Discord that fails (retries and
//! fallbacks of every reply), and the gateway dropping, invalidating and reconnecting.

use super::*;
use aiops_bot::rate::RateConfig;

/// Sends `/whois` as `user` and returns the first response (the callback).
async fn whois_callback(bot: &Bot, user: serenity::all::UserId) -> Request {
    let ids = bot.standin.ids().clone();
    let h = bot.standin.slash_command(
        "whois",
        json!([opt("name", "aie1p-jenkins")]),
        user,
        &[ids.plain_role],
        "en-US",
    );
    h.wait_callback(WAIT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_typing_fast_is_served_and_a_flood_is_told_when_to_come_back() {
    let bot = start(|c| c.rate = RateConfig::default()).await;
    let ids = bot.standin.ids().clone();
    // Eight commands back to back, faster than anyone types: the burst takes them all.
    for i in 0..8 {
        let cb = whois_callback(&bot, ids.plain_user).await;
        assert_eq!(cb.json["type"], 5, "command {i} deferred: {}", cb.json);
    }
    // The ninth at once is refused, for this user only, saying when in whole seconds.
    let refused = whois_callback(&bot, ids.plain_user).await;
    assert_eq!(refused.json["type"], 4, "{}", refused.json);
    assert_eq!(
        refused.json["data"]["flags"], 64,
        "ephemeral: {}",
        refused.json
    );
    let text = refused.json["data"]["content"].as_str().unwrap_or("");
    let secs: u64 = text
        .split("accepted in ")
        .nth(1)
        .and_then(|t| t.strip_suffix(" s."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a whole number of seconds: {text}"));
    assert!((1..=3).contains(&secs), "{text}");
    // Someone else is served, and autocomplete is never limited.
    assert_eq!(whois_callback(&bot, ids.admin_user).await.json["type"], 5);
    let ac = bot.standin.autocomplete("whois", "name", "jenk");
    assert_eq!(ac.wait_callback(WAIT).await.json["type"], 8);
    // Counted in the metrics and the audit log.
    bot.wait_for_metric("aiops_rate_limited_total{limit=\"user\"} 1")
        .await;
    let store = aiops_bot::store::Store::open(bot._state.path()).unwrap();
    let audit = store.audit_tail(20).unwrap();
    let limited: Vec<_> = audit
        .iter()
        .filter(|l| l.result.starts_with("rate_limited"))
        .collect();
    assert_eq!(limited.len(), 1, "{audit:?}");
    assert_eq!(limited[0].result, "rate_limited:user");
    assert_eq!(limited[0].user, ids.plain_user.get().to_string());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagrams_have_their_own_budget_and_ordinary_commands_still_work() {
    let bot = start(|c| c.rate = RateConfig::default()).await;
    let ids = bot.standin.ids().clone();
    let diagram = || {
        bot.standin.slash_command(
            "diagram",
            json!([opt("pattern", "aie1p-jenkins")]),
            ids.plain_user,
            &[ids.plain_role],
            "en-US",
        )
    };
    for _ in 0..3 {
        assert_eq!(diagram().wait_callback(WAIT).await.json["type"], 5);
    }
    let refused = diagram().wait_callback(WAIT).await;
    assert_eq!(refused.json["type"], 4, "{}", refused.json);
    let text = refused.json["data"]["content"].as_str().unwrap_or("");
    assert!(text.contains("Diagrams, reloads and uploads"), "{text}");
    assert!(text.contains("accepted in 10 s"), "{text}");
    assert_eq!(whois_callback(&bot, ids.plain_user).await.json["type"], 5);
    bot.wait_for_metric("aiops_rate_limited_total{limit=\"expensive\"} 1")
        .await;
    bot.shutdown().await;
}

/// Runs `/deps` as the plain user; returns its handle.
fn deps(bot: &Bot) -> aiops_tests::discord::InteractionHandle {
    let ids = bot.standin.ids().clone();
    bot.standin.slash_command(
        "deps",
        json!([opt("pattern", "aie1p-ces-*")]),
        ids.plain_user,
        &[ids.plain_role],
        "en-US",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_on_the_final_reply_is_retried_until_the_full_answer_arrives() {
    let bot = start(|_| {}).await;
    for _ in 0..2 {
        bot.standin.refuse_next(
            "PATCH",
            "/messages/@original",
            500,
            0,
            "Internal Server Error",
        );
    }
    let h = deps(&bot);
    let token = h.token.clone();
    let full = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "PATCH" && r.path.contains(&token) && r.status == 200
        })
        .await;
    assert!(full.file("diagram.png").is_some(), "{}", full.json);
    assert!(full.json["embeds"][0]["title"].is_string(), "{}", full.json);
    let edits: Vec<u16> = h
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.status)
        .collect();
    assert_eq!(edits, [500, 500, 200]);
    bot.wait_for_metric("aiops_replies_total{outcome=\"full\"} 1")
        .await;
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_reply_cannot_be_edited_at_all_a_follow_up_message_carries_the_answer() {
    let bot = start(|_| {}).await;
    for _ in 0..2 {
        bot.standin.refuse_next(
            "PATCH",
            "/messages/@original",
            400,
            50035,
            "Invalid Form Body",
        );
    }
    let h = deps(&bot);
    let webhook = format!(
        "/api/v10/webhooks/{}/{}",
        bot.standin.ids().application,
        h.token
    );
    let followup = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == webhook)
        .await;
    assert_eq!(followup.status, 200, "{}", followup.response);
    let content = followup.json["content"].as_str().unwrap_or("");
    assert!(
        content.contains("could not be sent; error id E"),
        "{content}"
    );
    assert!(content.contains("aie1p-ces"), "{content}");
    assert_no_pings(&followup);
    // Refusals are not retried: one full edit, one text edit, then the follow-up.
    let edits = h.requests().iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(edits, 2);
    bot.wait_for_metric("aiops_replies_total{outcome=\"followup\"} 1")
        .await;
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_reply_that_was_deleted_is_posted_again_instead_of_edited() {
    let bot = start(|_| {}).await;
    let ids = bot.standin.ids().clone();
    let (thread, path) = open_ces_incident(&bot);
    let first = bot
        .standin
        .wait_for(WAIT, |r| r.method == "POST" && r.path == path)
        .await;
    let first_id = first.response["id"].as_str().unwrap().to_string();
    // A moderator deleted the bot's reply: editing it is Discord's 404 Unknown Message.
    bot.standin
        .refuse_next("PATCH", &path, 404, 10008, "Unknown Message");
    bot.standin
        .message_create(thread, "now spotdb CPU is 100% too", ids.plain_user);
    let again = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == path && r.response["id"] != first_id.as_str()
        })
        .await;
    assert_full_spotdb_answer(&again);
    bot.shutdown().await;
}

/// Replaces `path` at once (write aside, rename), as an editor saving a copy does.
fn replace(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_summary_survives_an_outage_and_says_its_title_once() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, inv) = start_watching(&dir, 1).await;
    let summary_path = messages_path(bot.standin.ids().summary);
    bot.standin
        .refuse_next("POST", &summary_path, 503, 0, "upstream connect error");
    replace(&inv, &edited_seed_with_a_new_pool());
    let posted = bot
        .standin
        .wait_for(WAIT, |r| {
            r.method == "POST" && r.path == summary_path && r.status == 200
        })
        .await;
    assert!(
        posted.file("diagram.png").is_some(),
        "in full: {}",
        posted.json
    );
    let title = posted.json["embeds"][0]["title"].as_str().unwrap_or("");
    assert!(title.starts_with("Inventory changed: "), "{title}");
    assert_eq!(title.matches("Inventory changed").count(), 1, "{title}");
    bot.shutdown().await;
}

/// A whole new inventory of another shape replaces the seed: its full detail is several
/// megabytes, more than the bot keeps for a message beside the diagram. The summary is posted
/// with the detail under the bot's limit: every group, each with its first lines and a count of
/// the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_too_big_to_attach_whole_is_posted_with_every_group_cut_alike() {
    use aiops_core::synth::{self, Shape};
    let rows = Shape::DomainHeavy.rows(14_000);
    let xlsx = synth::xlsx(&rows).unwrap();
    let new = aiops_core::load_bytes("inventory.xlsx", &xlsx, &Default::default()).unwrap();
    let old = aiops_core::seed(&Default::default()).unwrap();
    let whole = aiops_core::diff::summarize(&aiops_core::diff::diff(&old, &new)).1;
    assert!(
        whole.len() > aiops_bot::app::DETAIL_MAX_BYTES,
        "{} bytes",
        whole.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let (bot, inv) = start_watching(&dir, 1).await;
    let summary_path = messages_path(bot.standin.ids().summary);
    replace(&inv, &xlsx);
    let posted = bot
        .standin
        .wait_for(Duration::from_secs(120), |r| {
            r.method == "POST" && r.path == summary_path && r.status == 200
        })
        .await;
    assert!(posted.file("diagram.png").is_some(), "{}", posted.json);
    let detail = posted.file("changes.txt").expect("the detail is attached");
    assert!(
        detail.len() <= aiops_bot::app::DETAIL_MAX_BYTES,
        "{} bytes",
        detail.len()
    );
    let detail = std::str::from_utf8(detail).unwrap();
    // Every group of the whole text is there with its count, each cut alike, and it says so.
    let heads = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with(' ') && l.ends_with("):"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(heads(detail), heads(&whole));
    let note = detail.lines().last().unwrap_or_default();
    assert!(
        note.starts_with("… each group above shows its first "),
        "{note}"
    );
    assert!(
        detail.contains("  … +"),
        "groups say how many more they have"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_why_history_is_off_and_how_the_bot_is_doing() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A state directory that is a file: the store cannot be opened, the bot runs without it.
    let state = blocker.path().to_path_buf();
    let bot = start(move |c| {
        c.state_dir = state;
        c.rate = RateConfig::default();
    })
    .await;
    let r = bot
        .ask(
            "inventory",
            json!([{"name": "status", "type": 1, "options": []}]),
        )
        .await;
    let shown = description(&r);
    let row = |key: &str| {
        shown
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {key:?} row in {shown}"))
    };
    let history = row("history");
    assert!(
        history.starts_with("off, running without history: "),
        "{shown}"
    );
    assert!(
        history.contains(&blocker.path().display().to_string()),
        "{shown}"
    );
    assert!(row("gateway").starts_with("connected (since 20"), "{shown}");
    assert!(row("watcher").starts_with("not watching"), "{shown}");
    assert_eq!(row("digest"), "not scheduled", "{shown}");
    assert!(
        row("rate limits").starts_with("per user 8 at once, then one every 3 s;"),
        "{shown}"
    );
    bot.shutdown().await;
}

/// Waits until serenity has been connected for more than 5 s (four heartbeats at 1.5 s), the
/// spacing serenity keeps between two identifies of a shard anyway.
async fn wait_past_identify_spacing(bot: &Bot) {
    let beats = bot.standin.gateway_state().heartbeats;
    bot.standin
        .wait_for_state(WAIT, |g| g.heartbeats >= beats + 4)
        .await;
}

/// `/whois` answers: the bot is back on the gateway.
async fn answers(bot: &Bot) {
    let r = bot
        .ask("whois", json!([opt("name", "aie1p-jenkins")]))
        .await;
    assert!(embed_text(&r).contains("CI"), "{}", embed_text(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_invalid_session_the_bot_identifies_again_at_once_and_closes_cleanly() {
    let bot = start(|_| {}).await;
    wait_past_identify_spacing(&bot).await;
    let sent = bot.standin.invalidate_session(false);
    let g = bot
        .standin
        .wait_for_state(WAIT, |g| g.identifies.len() == 2)
        .await;
    let took = g.identified_at[1].saturating_duration_since(sent);
    // serenity 0.12.5 alone waits 5 s for a notice that never comes.
    assert!(
        took < Duration::from_secs(3),
        "identified again after {took:?}"
    );
    answers(&bot).await;
    let standin_close = bot.standin.gateway_state();
    assert_eq!(standin_close.close_code, None);
    let standin = bot.shutdown_keeping_standin().await;
    // serve::run returned only after the Close handshake.
    assert_eq!(standin.gateway_state().close_code, Some(1000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_request_and_a_dropped_connection_are_resumed() {
    let bot = start(|_| {}).await;
    bot.standin.request_reconnect();
    bot.standin
        .wait_for_state(WAIT, |g| g.resumes == 1 && g.connected)
        .await;
    answers(&bot).await;
    // The network drops the connection without a Close frame.
    bot.standin.drop_gateway();
    bot.standin
        .wait_for_state(WAIT, |g| g.resumes == 2 && g.connected)
        .await;
    answers(&bot).await;
    assert_eq!(bot.standin.gateway_state().identifies.len(), 1);
    let standin = bot.shutdown_keeping_standin().await;
    assert_eq!(standin.gateway_state().close_code, Some(1000));
}
