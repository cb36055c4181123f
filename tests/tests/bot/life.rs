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
