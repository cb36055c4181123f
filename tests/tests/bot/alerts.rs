//! Alert webhooks into the real bot (`serve::run` in-process, the real serenity client, the
//! Discord stand-in): Alertmanager, Grafana and PagerDuty deliveries over real HTTP, what the
//! stand-in receives (one message per group, a thread named after the alert, edited in place, a
//! new one when a resolved group fires again), and every way a request is refused.

use super::*;
use aiops_bot::config::Secret;
use aiops_bot::http::auth::sign_hex;
use aiops_tests::webhook::{self, am_alert, am_body, am_message, pagerduty_event, Answer};

const TOKEN: &str = "am-token-7f3a";
const PD_SECRET: &str = "pd-secret-91c2";
const GRAFANA_SECRET: &str = "grafana-secret-55e0";
const TS_HEADER: &str = "X-Grafana-Alerting-Timestamp";

/// Two seed node pools that both write to Aurora spotdb.
const CES: &str = "aie1p-ces-c52xlarge-8c16g-v132-a-Node";
const SPOTWS: &str = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";

/// The bot with every webhook enabled; messages may be edited every `interval` seconds.
pub(crate) async fn start_alerting(interval: u64) -> Bot {
    start_alerting_in(interval, |_| {}).await
}

/// [`start_alerting`], then `tweak`.
pub(crate) async fn start_alerting_in(interval: u64, tweak: impl FnOnce(&mut Config)) -> Bot {
    start(move |c| {
        c.alerts.webhook_token = Some(Secret::new(TOKEN));
        c.alerts.pagerduty_secret = Some(Secret::new(PD_SECRET));
        c.alerts.grafana_hmac_secret = Some(Secret::new(GRAFANA_SECRET));
        c.alerts.grafana_timestamp_header = Some(TS_HEADER.into());
        c.alerts.edit_interval_secs = interval;
        tweak(c);
    })
    .await
}

pub(crate) fn hook_url(addr: std::net::SocketAddr, route: &str) -> String {
    format!("http://{addr}/hooks/{route}")
}

fn bearer() -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {TOKEN}"))]
}

async fn to_alertmanager(bot: &Bot, message: &Value) -> Answer {
    webhook::post(
        &hook_url(bot.health, "alertmanager"),
        &bearer(),
        am_body(message),
    )
    .await
}

async fn to_pagerduty(bot: &Bot, event: &Value, webhook_id: &str) -> Answer {
    let body = serde_json::to_vec(event).unwrap();
    let headers = [
        (
            "x-pagerduty-signature",
            format!("v1={}", sign_hex(PD_SECRET.as_bytes(), &body)),
        ),
        ("x-webhook-id", webhook_id.to_string()),
    ];
    webhook::post(&hook_url(bot.health, "pagerduty"), &headers, body).await
}

/// The firing HighCPU group on CES and spotws, as Alertmanager sends it.
fn high_cpu(statuses: [&str; 2]) -> Value {
    let alert = |status, host: &str| {
        let instance = format!("{host}:9100");
        am_alert(
            status,
            &[
                ("alertname", "HighCPU"),
                ("instance", &instance),
                ("job", "node"),
                ("severity", "critical"),
            ],
            &[("summary", &format!("CPU > 90% on {host}"))],
        )
    };
    am_message(
        vec![alert(statuses[0], CES), alert(statuses[1], SPOTWS)],
        &["alertname"],
    )
}

fn forum_posts_path(bot: &Bot) -> String {
    format!(
        "/api/v10/channels/{}/threads",
        bot.standin.ids().incident_forum.get()
    )
}

fn is_alert_post(bot: &Bot) -> impl Fn(&Request) -> bool {
    let path = forum_posts_path(bot);
    move |r| r.method == "POST" && r.path == path
}

/// The `n`th new alert message (a forum post in the alert channel).
async fn nth_post(bot: &Bot, n: usize) -> Request {
    bot.standin.wait_for_nth(WAIT, n, is_alert_post(bot)).await
}

/// The `n`th edit of the message in `thread`.
async fn nth_edit(bot: &Bot, thread: &str, n: usize) -> Request {
    let path = format!("/api/v10/channels/{thread}/messages/{thread}");
    bot.standin
        .wait_for_nth(WAIT, n, |r| r.method == "PATCH" && r.path == path)
        .await
}

/// A forum post's message: the body Discord got under `message`.
fn post_text(r: &Request) -> String {
    let m = &r.json["message"];
    let mut s = m["content"].as_str().unwrap_or("").to_string();
    for e in m["embeds"].as_array().into_iter().flatten() {
        s.push_str(e["title"].as_str().unwrap_or(""));
        s.push('\n');
        s.push_str(e["description"].as_str().unwrap_or(""));
    }
    s
}

fn thread_id(post: &Request) -> String {
    post.response["id"]
        .as_str()
        .expect("the thread's id")
        .to_string()
}

fn assert_png(r: &Request) {
    let png = r.file("diagram.png").expect("the diagram as PNG");
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().expect("a decodable PNG").info().clone();
    assert!(
        info.width > 100 && info.height > 50,
        "{}x{}",
        info.width,
        info.height
    );
}

/// The messages and threads the bot has posted or edited in any channel.
fn alert_writes(bot: &Bot) -> usize {
    bot.standin
        .requests()
        .iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH"))
        .filter(|r| r.path.starts_with("/api/v10/channels/"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alertmanager_group_is_one_message_edited_until_it_resolves_and_a_new_one_when_it_fires_again(
) {
    let bot = start_alerting(0).await;
    let firing = high_cpu(["firing", "firing"]);
    let a = to_alertmanager(&bot, &firing).await;
    assert_eq!(a.status, 202, "{a:?}");

    // One message for the group of two, in a thread named after the alert, with the picture.
    let post = nth_post(&bot, 1).await;
    assert_eq!(post.status, 201, "{}", post.response);
    let text = post_text(&post);
    assert!(text.contains("HighCPU"), "{text}");
    assert!(text.contains(CES) && text.contains(SPOTWS), "{text}");
    assert_png(&post);
    assert!(post.file("diagram.mmd").is_some());
    assert_eq!(post.json["message"]["allowed_mentions"]["parse"], json!([]));
    assert!(
        post.json["name"].as_str().unwrap_or("").contains("HighCPU"),
        "{}",
        post.json
    );
    let thread = thread_id(&post);

    // Partial resolve: the same message, edited.
    let a = to_alertmanager(&bot, &high_cpu(["resolved", "firing"])).await;
    assert_eq!(a.status, 202);
    let edit = nth_edit(&bot, &thread, 1).await;
    assert_eq!(edit.status, 200, "{}", edit.response);
    assert_png(&edit);

    // Full resolve: edited again, saying so.
    to_alertmanager(&bot, &high_cpu(["resolved", "resolved"])).await;
    let resolved = nth_edit(&bot, &thread, 2).await;
    let text = embed_text(&resolved);
    assert!(text.to_lowercase().contains("resolved"), "{text}");
    // Resolved alerts are struck through as Discord draws it (not inside a code block, not
    // escaped), and a resolved group claims no current blast radius.
    assert!(
        text.lines()
            .any(|l| l.starts_with("~~HighCPU") && l.ends_with("~~")),
        "{text}"
    );
    assert!(!text.contains("customers hit"), "{text}");

    // The same resolve again (a retry, or the HA peer's copy): nothing new is posted.
    let a = to_alertmanager(&bot, &high_cpu(["resolved", "resolved"])).await;
    assert_eq!(a.status, 202);
    bot.wait_for_metric("aiops_alert_duplicates_total{source=\"alertmanager\"} 1")
        .await;

    // Firing again after it resolved: a new message.
    to_alertmanager(&bot, &firing).await;
    let again = nth_post(&bot, 2).await;
    assert_ne!(thread_id(&again), thread);
    let posts = bot
        .standin
        .requests()
        .iter()
        .filter(|r| is_alert_post(&bot)(r))
        .count();
    assert_eq!(posts, 2, "one message per firing of the group");
    bot.wait_for_metric("aiops_webhooks_total{source=\"alertmanager\",outcome=\"queued\"} 5")
        .await;
    bot.wait_for_metric("aiops_alert_queue_depth 0").await;
    // The bot's own alert threads are not answered as incident threads.
    assert_eq!(bot.standin.threads_opened().len(), 2);
    bot.standin.assert_no_unexpected_requests();
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_within_the_edit_interval_go_out_in_one_edit() {
    let bot = start_alerting(5).await;
    to_alertmanager(&bot, &high_cpu(["firing", "firing"])).await;
    let thread = thread_id(&nth_post(&bot, 1).await);
    // Two changes right after the first post: one edit carries both.
    to_alertmanager(&bot, &high_cpu(["resolved", "firing"])).await;
    to_alertmanager(&bot, &high_cpu(["resolved", "resolved"])).await;
    let edit = nth_edit(&bot, &thread, 1).await;
    assert!(
        embed_text(&edit).to_lowercase().contains("resolved"),
        "{}",
        embed_text(&edit)
    );
    bot.wait_for_metric("aiops_alert_queue_depth 0").await;
    let shutdown = bot.shutdown_keeping_standin().await;
    let path = format!("/api/v10/channels/{thread}/messages/{thread}");
    let edits = shutdown
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path == path)
        .count();
    assert_eq!(edits, 1, "the two changes were coalesced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pagerduty_incident_is_one_message_through_trigger_acknowledge_and_resolve() {
    let bot = start_alerting(0).await;
    let title = "Aurora spotdb CPU at 100%";
    let triggered = pagerduty_event("incident.triggered", "01EVT0TRIG", "PGR0VU2", title);
    assert_eq!(to_pagerduty(&bot, &triggered, "wh-1").await.status, 202);
    let post = nth_post(&bot, 1).await;
    assert!(post_text(&post).contains("spotdb"), "{}", post_text(&post));
    assert_png(&post);
    let thread = thread_id(&post);

    // PagerDuty's retry of the same webhook, and the same event through another
    // subscription: answered 200, nothing queued.
    let again = to_pagerduty(&bot, &triggered, "wh-1").await;
    assert_eq!((again.status, again.text.trim()), (200, "already received"));
    assert_eq!(to_pagerduty(&bot, &triggered, "wh-other").await.status, 200);

    let acked = pagerduty_event("incident.acknowledged", "01EVT1ACK", "PGR0VU2", title);
    assert_eq!(to_pagerduty(&bot, &acked, "wh-2").await.status, 202);
    nth_edit(&bot, &thread, 1).await;
    let resolved = pagerduty_event("incident.resolved", "01EVT2RES", "PGR0VU2", title);
    assert_eq!(to_pagerduty(&bot, &resolved, "wh-3").await.status, 202);
    let last = nth_edit(&bot, &thread, 2).await;
    assert!(
        embed_text(&last).to_lowercase().contains("resolved"),
        "{}",
        embed_text(&last)
    );

    // The test event is answered and posts nothing.
    let ping = to_pagerduty(&bot, &webhook::pagerduty_ping(), "wh-ping").await;
    assert_eq!(ping.status, 200, "{ping:?}");
    bot.wait_for_metric("aiops_webhooks_total{source=\"pagerduty\",outcome=\"duplicate\"} 2")
        .await;
    bot.wait_for_metric("aiops_alert_queue_depth 0").await;
    assert_eq!(bot.standin.threads_opened().len(), 1);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grafana_is_taken_with_the_bearer_token_or_a_fresh_signature() {
    let bot = start_alerting(0).await;
    let alert = am_alert(
        "firing",
        &[
            ("alertname", "SpotWsDown"),
            ("grafana_folder", "Infra"),
            ("instance", SPOTWS),
        ],
        &[("summary", "spot websocket down")],
    );
    let body = serde_json::to_vec(&webhook::grafana_message(
        vec![alert],
        &["alertname", "grafana_folder"],
    ))
    .unwrap();
    let url = hook_url(bot.health, "grafana");
    let now = jiff::Timestamp::now().as_second().to_string();
    let signed = sign_hex(
        GRAFANA_SECRET.as_bytes(),
        format!("{now}:")
            .as_bytes()
            .iter()
            .chain(&body)
            .copied()
            .collect::<Vec<u8>>()
            .as_slice(),
    );
    let by_signature = [
        ("x-grafana-alerting-signature", signed.clone()),
        (TS_HEADER, now.clone()),
    ];
    assert_eq!(
        webhook::post(&url, &by_signature, body.clone())
            .await
            .status,
        202
    );
    let post = nth_post(&bot, 1).await;
    assert!(post_text(&post).contains(SPOTWS), "{}", post_text(&post));

    // An old timestamp, or the signature without it, is refused; the token works by itself,
    // also with PUT, which Grafana can be set to use.
    let stale = [
        ("x-grafana-alerting-signature", signed),
        (TS_HEADER, "1000".to_string()),
    ];
    assert_eq!(webhook::post(&url, &stale, body.clone()).await.status, 403);
    let plain = sign_hex(GRAFANA_SECRET.as_bytes(), &body);
    let unstamped = [("x-grafana-alerting-signature", plain)];
    assert_eq!(
        webhook::post(&url, &unstamped, body.clone()).await.status,
        401
    );
    assert_eq!(
        webhook::send("PUT", &url, &bearer(), body).await.status,
        202
    );
    bot.wait_for_metric("aiops_alert_duplicates_total{source=\"grafana\"} 1")
        .await;
    bot.shutdown().await;
}

/// What is sent, where, with which headers, and the status and words expected back.
type Refused<'a> = (
    &'a str,
    String,
    Vec<(&'a str, String)>,
    Vec<u8>,
    u16,
    &'a str,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_gets_its_status_and_reason_and_changes_nothing() {
    let bot = start_alerting(0).await;
    let am = hook_url(bot.health, "alertmanager");
    let pd = hook_url(bot.health, "pagerduty");
    let good = am_body(&high_cpu(["firing", "firing"]));
    let wrong = [("authorization", "Bearer not-the-token".to_string())];
    let cases: Vec<Refused> = vec![
        (
            "no token",
            am.clone(),
            vec![],
            good.clone(),
            401,
            "credentials",
        ),
        (
            "wrong token",
            am.clone(),
            wrong.to_vec(),
            good.clone(),
            403,
            "do not match",
        ),
        (
            "basic auth",
            am.clone(),
            vec![("authorization", "Basic YTpi".into())],
            good.clone(),
            401,
            "credentials",
        ),
        (
            "over 1 MiB",
            am.clone(),
            bearer(),
            vec![b' '; 1024 * 1024 + 1],
            413,
            "larger than",
        ),
        (
            "malformed JSON",
            am.clone(),
            bearer(),
            b"{\"alerts\": [".to_vec(),
            400,
            "",
        ),
        (
            "JSON of another shape",
            am.clone(),
            bearer(),
            br#"{"hello":"world"}"#.to_vec(),
            400,
            "",
        ),
        (
            "PagerDuty without a signature",
            pd.clone(),
            vec![],
            good.clone(),
            401,
            "credentials",
        ),
        (
            "PagerDuty, bad signature",
            pd.clone(),
            vec![("x-pagerduty-signature", "v1=00ff".into())],
            good.clone(),
            403,
            "do not match",
        ),
        (
            "PagerDuty, the signature of another body",
            pd.clone(),
            vec![(
                "x-pagerduty-signature",
                format!("v1={}", sign_hex(PD_SECRET.as_bytes(), b"{}")),
            )],
            good.clone(),
            403,
            "do not match",
        ),
    ];
    for (what, url, headers, body, status, says) in cases {
        let a = webhook::post(&url, &headers, body).await;
        assert_eq!(a.status, status, "{what}: {a:?}");
        assert_eq!(a.text.trim().lines().count(), 1, "{what}: one line: {a:?}");
        assert!(a.text.contains(says), "{what}: {a:?}");
    }
    // The shape error names the field.
    let mut odd = high_cpu(["firing", "firing"]);
    odd["alerts"][1]["labels"] = json!("instance=x");
    let shape = webhook::post(&am, &bearer(), am_body(&odd)).await;
    assert_eq!(shape.status, 400, "{shape:?}");
    assert!(
        shape.text.starts_with("alerts[1].labels: expected"),
        "{shape:?}"
    );
    let get = reqwest_get(&am).await;
    assert_eq!(get, 405);
    bot.wait_for_metric("aiops_webhooks_total{source=\"alertmanager\",outcome=\"forbidden\"} 1")
        .await;
    bot.wait_for_metric("aiops_webhooks_total{source=\"alertmanager\",outcome=\"too_large\"} 1")
        .await;
    let store = aiops_bot::store::Store::open(bot._state.path()).unwrap();
    assert_eq!(store.alert_queue_depth().unwrap(), 0);
    assert!(store.firing_alert_groups().unwrap().is_empty());
    assert_eq!(alert_writes(&bot), 0, "nothing posted");
    bot.shutdown().await;
}

async fn reqwest_get(url: &str) -> u16 {
    webhook::send("GET", url, &[], Vec::new()).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_without_its_secret_is_not_there() {
    let bot = start(|_| {}).await;
    for route in ["alertmanager", "grafana", "pagerduty"] {
        let a = webhook::post(&hook_url(bot.health, route), &bearer(), b"{}".to_vec()).await;
        assert_eq!(a.status, 404, "{route}: {a:?}");
    }
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_with_mentions_and_markdown_ping_no_one_and_show_literally() {
    let bot = start_alerting(0).await;
    let alert = am_alert(
        "firing",
        &[
            ("alertname", "@everyone **Panic**"),
            ("instance", "<@&123>:9100"),
            ("severity", "`critical`"),
        ],
        &[("summary", "@here look at aie1p-jenkins _now_")],
    );
    let a = to_alertmanager(&bot, &am_message(vec![alert], &["alertname"])).await;
    assert_eq!(a.status, 202);
    let post = nth_post(&bot, 1).await;
    let text = post_text(&post);
    assert_eq!(post.json["message"]["allowed_mentions"]["parse"], json!([]));
    for raw in ["@everyone", "@here", "<@&123>"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
    assert!(!post.json["name"]
        .as_str()
        .unwrap_or("")
        .contains("@everyone"));
    assert!(text.contains("aie1p-jenkins"), "{text}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_lists_the_groups_firing_and_an_admin_can_silence_one() {
    let bot = start_alerting(0).await;
    to_alertmanager(&bot, &high_cpu(["firing", "firing"])).await;
    let thread = thread_id(&nth_post(&bot, 1).await);
    let list = bot
        .ask(
            "alerts",
            json!([{"name": "list", "type": 1, "options": []}]),
        )
        .await;
    let text = embed_text(&list);
    assert!(text.contains("HighCPU") && text.contains(CES), "{text}");

    let silence = json!([{"name": "silence", "type": 1, "options": [
        {"name": "group", "type": 4, "value": 1}, {"name": "for", "type": 3, "value": "1h"}]}]);
    let refused = bot.ask("alerts", silence.clone()).await;
    assert!(
        embed_text(&refused).contains("admin"),
        "{}",
        embed_text(&refused)
    );
    let ids = bot.standin.ids().clone();
    let h = bot.standin.slash_command(
        "alerts",
        silence,
        ids.admin_user,
        &[ids.admin_role],
        "en-US",
    );
    let done = h.wait_final(WAIT).await;
    let said = embed_text(&done);
    assert!(
        said.contains("HighCPU") && said.contains("are silenced until"),
        "{said}"
    );
    let listed = embed_text(
        &bot.ask(
            "alerts",
            json!([{"name": "list", "type": 1, "options": []}]),
        )
        .await,
    );
    assert!(listed.contains("silenced until"), "{listed}");
    let unknown = json!([{"name": "silence", "type": 1, "options": [
        {"name": "group", "type": 4, "value": 99}]}]);
    let h = bot.standin.slash_command(
        "alerts",
        unknown,
        ids.admin_user,
        &[ids.admin_role],
        "en-US",
    );
    let missing = embed_text(&h.wait_final(WAIT).await);
    assert!(missing.contains("There is no alert group #99"), "{missing}");

    // Silenced: a change is taken but not posted.
    to_alertmanager(&bot, &high_cpu(["resolved", "firing"])).await;
    bot.wait_for_metric("aiops_alert_queue_depth 0").await;
    bot.wait_for_metric("aiops_webhooks_total{source=\"alertmanager\",outcome=\"queued\"} 2")
        .await;
    let store = aiops_bot::store::Store::open(bot._state.path()).unwrap();
    let g = store.alert_group_by_id(1).unwrap().expect("the group");
    assert!(g.dirty && g.silenced_until.is_some(), "{g:?}");
    let path = format!("/api/v10/channels/{thread}/messages/{thread}");
    assert!(!bot
        .standin
        .requests()
        .iter()
        .any(|r| r.method == "PATCH" && r.path == path));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_acknowledged_before_a_restart_is_posted_after_it() {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().to_path_buf();
    let configure = move |c: &mut Config| {
        c.state_dir = dir.clone();
        c.alerts.webhook_token = Some(Secret::new(TOKEN));
        c.alerts.edit_interval_secs = 0;
    };
    let bot = start(configure.clone()).await;
    // Discord refuses the post, in full and as text: the group waits, acknowledged.
    let forum = forum_posts_path(&bot);
    for _ in 0..2 {
        bot.standin
            .refuse_next("POST", &forum, 403, 50013, "Missing Permissions");
    }
    assert_eq!(
        to_alertmanager(&bot, &high_cpu(["firing", "firing"]))
            .await
            .status,
        202
    );
    bot.standin
        .wait_for_nth(WAIT, 2, |r| r.method == "POST" && r.path == forum)
        .await;
    bot.shutdown().await;

    let bot = start(configure).await;
    let post = nth_post(&bot, 1).await;
    assert_eq!(post.status, 201);
    assert!(post_text(&post).contains(CES), "{}", post_text(&post));
    assert_png(&post);
    bot.shutdown().await;
    drop(state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_that_is_not_the_seed_gets_its_own_components_named() {
    let inv = aiops_tests::fixture("alerts/other-inventory.csv");
    let bot = start_alerting_in(0, move |c| c.inventory = Some(inv)).await;
    let body = std::fs::read(aiops_tests::fixture("alerts/am-other.json")).unwrap();
    let a = webhook::post(&hook_url(bot.health, "alertmanager"), &bearer(), body).await;
    assert_eq!(a.status, 202, "{a:?}");
    let post = nth_post(&bot, 1).await;
    let text = post_text(&post);
    assert!(text.contains("qx7-billing-01"), "{text}");
    assert!(!text.contains("aie1p"), "{text}");
    assert_png(&post);
    bot.shutdown().await;
}
