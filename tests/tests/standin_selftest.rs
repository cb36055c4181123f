//! The Discord stand-in tested with the real serenity 0.12.5 client: the gateway handshake,
//! REST answers serenity parses, interaction round trips (deferral, edit with a file, autocomplete,
//! a button, an uploaded attachment and a followup), messages and thread events, and a clean
//! shutdown.

use std::sync::Arc;
use std::time::Duration;

use aiops_tests::discord::{Request, StandIn};
use serde_json::json;
use serenity::all::{
    ButtonStyle, ChannelType, ClientBuilder, CommandDataOptionValue, Context, CreateActionRow,
    CreateAttachment, CreateAutocompleteResponse, CreateButton, CreateCommand,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, EditInteractionResponse, EventHandler, GatewayIntents, GuildChannel, GuildId,
    HttpBuilder, Interaction, Message, MessageId, Ready, ShardManager,
};
use serenity::async_trait;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(10);

/// A serenity client that answers like a tiny bot, and tells the test what it saw.
struct Handler {
    seen: mpsc::UnboundedSender<String>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let _ = self.seen.send(format!("ready {}", ready.user.name));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) if cmd.data.name == "upload" => {
                let attachment = cmd.data.resolved.attachments.values().next().cloned();
                let text = match attachment {
                    Some(a) => match a.download().await {
                        Ok(bytes) => format!("got {} bytes of {}", bytes.len(), a.filename),
                        Err(e) => format!("download failed: {e}"),
                    },
                    None => "no attachment".to_string(),
                };
                let reply = CreateInteractionResponseMessage::new().content(text);
                cmd.create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                    .await
                    .expect("upload reply");
                let followup = CreateInteractionResponseFollowup::new().content("and a followup");
                let sent = cmd.create_followup(&ctx.http, followup).await;
                let _ = self.seen.send(match sent {
                    Ok(m) => format!("followup {}", m.content),
                    Err(e) => format!("followup failed: {e}"),
                });
            }
            Interaction::Command(cmd) => {
                cmd.create_response(
                    &ctx.http,
                    CreateInteractionResponse::Defer(Default::default()),
                )
                .await
                .expect("defer");
                let apply = CreateButton::new("apply")
                    .label("Apply")
                    .style(ButtonStyle::Success);
                let edit = EditInteractionResponse::new()
                    .content(format!("pong {}", cmd.locale))
                    .new_attachment(CreateAttachment::bytes(b"png-bytes".as_slice(), "x.png"))
                    .components(vec![CreateActionRow::Buttons(vec![apply])]);
                let message = cmd.edit_response(&ctx.http, edit).await.expect("edit");
                let _ = self.seen.send(format!(
                    "edited {} with {}",
                    message.id, message.attachments[0].filename
                ));
            }
            Interaction::Autocomplete(ac) => {
                let typed = ac
                    .data
                    .options
                    .iter()
                    .find_map(|o| match &o.value {
                        CommandDataOptionValue::Autocomplete { value, .. } => Some(value.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let choices = CreateAutocompleteResponse::new()
                    .add_string_choice(format!("{typed}-1"), format!("{typed}-1"));
                ac.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
                    .await
                    .expect("autocomplete");
            }
            Interaction::Component(press) => {
                let update = CreateInteractionResponseMessage::new()
                    .content(format!("{} pressed", press.data.custom_id))
                    .components(vec![]);
                press
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(update))
                    .await
                    .expect("update");
            }
            _ => {}
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.content == "ping?" && !msg.author.bot {
            let roles = msg.member.map(|m| m.roles.len()).unwrap_or_default();
            let text = format!("pong! {} has {roles} role(s)", msg.author.name);
            msg.channel_id.say(&ctx.http, text).await.expect("reply");
        }
    }

    async fn thread_create(&self, ctx: Context, thread: GuildChannel) {
        // A forum post's starter message has the thread's id.
        let starter = ctx
            .http
            .get_message(thread.id, MessageId::new(thread.id.get()))
            .await
            .map(|m| m.content)
            .unwrap_or_default();
        let text = format!("seen {} / {starter}", thread.name);
        thread
            .id
            .send_message(&ctx.http, CreateMessage::new().content(text))
            .await
            .expect("thread reply");
    }
}

/// A connected client: the stand-in has the Identify, READY was dispatched.
struct Bot {
    seen: mpsc::UnboundedReceiver<String>,
    shard_manager: Arc<ShardManager>,
    run: JoinHandle<serenity::Result<()>>,
}

impl Bot {
    async fn connect(standin: &StandIn) -> Bot {
        let http = rest_client(standin).build();
        let (tx, seen) = mpsc::unbounded_channel();
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT;
        let mut client = ClientBuilder::new_with_http(http, intents)
            .event_handler(Handler { seen: tx })
            .await
            .expect("build the serenity client");
        let shard_manager = Arc::clone(&client.shard_manager);
        let run = tokio::spawn(async move { client.start().await });
        standin.wait_for_identify(WAIT).await;
        let mut bot = Bot {
            seen,
            shard_manager,
            run,
        };
        assert_eq!(
            bot.next_seen().await,
            "ready aiops",
            "the handler's ready fired"
        );
        bot
    }

    async fn next_seen(&mut self) -> String {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("the handler reports within the timeout")
            .expect("the handler is alive")
    }

    async fn shutdown(self, standin: &StandIn) -> Option<u16> {
        self.shard_manager.shutdown_all().await;
        let code = standin.wait_for_disconnect(WAIT).await;
        tokio::time::timeout(WAIT, self.run)
            .await
            .expect("client.start returns after shutdown_all")
            .expect("client task did not panic")
            .expect("client.start ends cleanly");
        code
    }
}

/// serenity's REST client pointed at the stand-in, as the bot does with `AIOPS_DISCORD_PROXY`.
fn rest_client(standin: &StandIn) -> HttpBuilder {
    HttpBuilder::new("test-token")
        .proxy(standin.rest_proxy_url())
        .ratelimiter_disabled(true)
}

fn is_post_to(path: String) -> impl Fn(&Request) -> bool {
    move |r: &Request| r.method == "POST" && r.path == path
}

#[tokio::test(flavor = "multi_thread")]
async fn identify_then_ready_then_close_1000_on_shutdown() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;

    let identify = &standin.gateway_state().identifies[0];
    assert_eq!(identify["token"], "Bot test-token");
    assert_eq!(identify["shard"], json!([0, 1]));
    let gateway = standin.gateway_state();
    assert_eq!(gateway.connections, 1);
    assert!(gateway.connected);

    let code = bot.shutdown(&standin).await;
    assert_eq!(code, Some(1000));
    let gets: Vec<String> = standin.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(gets, ["/api/v10/gateway"]);
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_are_acknowledged() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;
    // serenity heartbeats right after Hello; an unacknowledged one would make it reconnect.
    standin.wait_for_state(WAIT, |g| g.heartbeats >= 1).await;
    bot.shutdown(&standin).await;
    assert_eq!(standin.gateway_state().connections, 1, "no reconnect");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_close_from_discord_is_resumed_and_dispatches_continue() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    standin.close_gateway(4000);
    let gateway = standin
        .wait_for_state(WAIT, |g| g.resumes == 1 && g.connected)
        .await;
    assert_eq!(gateway.connections, 2);
    assert_eq!(gateway.identifies.len(), 1, "resumed, not identified again");

    standin.message_create(ids.general, "ping?", ids.plain_user);
    let reply = standin
        .wait_for(
            WAIT,
            is_post_to(format!("/api/v10/channels/{}/messages", ids.general)),
        )
        .await;
    assert_eq!(reply.json["content"], "pong! plain has 1 role(s)");

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn slash_command_defers_then_edits_with_a_file() {
    let standin = StandIn::start().await;
    let mut bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let ping = standin.slash_command(
        "ping",
        json!([{ "name": "pattern", "type": 3, "value": "ces*" }]),
        ids.admin_user,
        &[ids.admin_role],
        "zh-CN",
    );
    let callback = ping.wait_callback(WAIT).await;
    assert_eq!(callback.json["type"], 5, "a deferral: {}", callback.json);
    assert_eq!(callback.status, 204);

    let edit = ping.wait_final(WAIT).await;
    assert_eq!(edit.method, "PATCH");
    assert_eq!(
        edit.path,
        format!(
            "/api/v10/webhooks/{}/{}/messages/@original",
            ids.application, ping.token
        )
    );
    assert_eq!(edit.json["content"], "pong zh-CN");
    assert!(edit
        .header("content-type")
        .is_some_and(|t| t.starts_with("multipart/form-data")));
    assert_eq!(edit.files, [("x.png".to_string(), b"png-bytes".to_vec())]);
    assert!(ping.latency(&callback) <= ping.latency(&edit));
    // serenity parsed the answer: the handler saw the stored message and its attachment.
    let seen = bot.next_seen().await;
    assert_eq!(
        seen,
        format!(
            "edited {} with x.png",
            edit.response["id"].as_str().unwrap()
        )
    );

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn button_press_on_the_edited_reply_updates_it() {
    let standin = StandIn::start().await;
    let mut bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let ping = standin.slash_command(
        "ping",
        json!([]),
        ids.admin_user,
        &[ids.admin_role],
        "en-US",
    );
    let edit = ping.wait_final(WAIT).await;
    bot.next_seen().await;
    let message: u64 = edit.response["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        edit.response["components"][0]["components"][0]["custom_id"],
        "apply"
    );

    let press = standin.button(
        "apply",
        ids.general,
        MessageId::new(message),
        ids.admin_user,
        &[ids.admin_role],
    );
    let update = press.wait_final(WAIT).await;
    assert_eq!(update.json["type"], 7);
    assert_eq!(update.json["data"]["content"], "apply pressed");

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn autocomplete_answers_with_choices() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;

    let ac = standin.autocomplete("deps", "pattern", "ces");
    let callback = ac.wait_callback(WAIT).await;
    assert_eq!(callback.json["type"], 8);
    assert_eq!(
        callback.json["data"]["choices"],
        json!([{ "name": "ces-1", "value": "ces-1" }])
    );

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_attachment_is_downloadable_from_the_standin() {
    let standin = StandIn::start().await;
    let mut bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let file = standin.attachment("inventory.xlsx", vec![7; 1234]);
    let upload = standin.slash_command(
        "upload",
        json!([{ "name": "file", "type": 11, "value": file.to_string() }]),
        ids.admin_user,
        &[ids.admin_role],
        "en-US",
    );
    let reply = upload.wait_final(WAIT).await;
    assert_eq!(reply.json["type"], 4);
    assert_eq!(
        reply.json["data"]["content"],
        "got 1234 bytes of inventory.xlsx"
    );
    let download = standin
        .wait_for(WAIT, |r| r.path.starts_with("/attachments/"))
        .await;
    assert_eq!(download.path, format!("/attachments/{file}/inventory.xlsx"));
    let followup = standin
        .wait_for(
            WAIT,
            is_post_to(format!(
                "/api/v10/webhooks/{}/{}",
                ids.application, upload.token
            )),
        )
        .await;
    assert_eq!(followup.json["content"], "and a followup");
    assert_eq!(bot.next_seen().await, "followup and a followup");

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn thread_create_gets_a_reply_in_the_thread() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let thread = standin.thread_create(ids.incident_text, "CES down", true);
    let reply = standin
        .wait_for(
            WAIT,
            is_post_to(format!("/api/v10/channels/{thread}/messages")),
        )
        .await;
    assert_eq!(reply.json["content"], "seen CES down / ");

    bot.shutdown(&standin).await;
    // The handler asked for a starter message this thread does not have: a known 404.
    let unexpected: Vec<String> = standin
        .unexpected_requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        unexpected,
        [format!("/api/v10/channels/{thread}/messages/{thread}")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn message_create_reaches_the_message_handler() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let id = standin.message_create(ids.general, "ping?", ids.admin_user);
    let reply = standin
        .wait_for(
            WAIT,
            is_post_to(format!("/api/v10/channels/{}/messages", ids.general)),
        )
        .await;
    assert_eq!(reply.json["content"], "pong! admin has 2 role(s)");
    assert_eq!(
        standin.message(ids.general, id).unwrap()["content"],
        "ping?"
    );

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn forum_post_starter_message_has_the_thread_id() {
    let standin = StandIn::start().await;
    let bot = Bot::connect(&standin).await;
    let ids = standin.ids().clone();

    let post = standin.forum_post(
        ids.incident_forum,
        "Kafka lag",
        "kafka-prod-1 is slow",
        ids.plain_user,
    );
    let reply = standin
        .wait_for(
            WAIT,
            is_post_to(format!("/api/v10/channels/{post}/messages")),
        )
        .await;
    assert_eq!(
        reply.json["content"],
        "seen Kafka lag / kafka-prod-1 is slow"
    );
    let starter = standin.message(post, MessageId::new(post.get())).unwrap();
    assert_eq!(starter["content"], "kafka-prod-1 is slow");

    bot.shutdown(&standin).await;
    standin.assert_no_unexpected_requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn rest_answers_parse_as_serenity_types() {
    let standin = StandIn::start().await;
    let ids = standin.ids().clone();
    let http = rest_client(&standin)
        .application_id(ids.application)
        .build();

    let me = http.get_current_user().await.expect("users/@me");
    assert_eq!(me.id, ids.bot_user);
    let app = http
        .get_current_application_info()
        .await
        .expect("oauth2/applications/@me");
    assert_eq!(app.id, ids.application);
    let gateway = http.get_bot_gateway().await.expect("gateway/bot");
    assert_eq!(gateway.url, standin.gateway_url());

    let admin = http
        .get_member(ids.guild, ids.admin_user)
        .await
        .expect("member");
    assert!(admin.roles.contains(&ids.admin_role));
    let forum = http.get_channel(ids.incident_forum).await.expect("channel");
    assert_eq!(forum.guild().map(|c| c.kind), Some(ChannelType::Forum));

    let commands = GuildId::new(ids.guild.get())
        .set_commands(
            &http,
            vec![CreateCommand::new("deps").description("Dependencies")],
        )
        .await
        .expect("bulk overwrite of guild commands");
    assert_eq!(commands[0].name, "deps");
    assert_eq!(standin.registered_commands()[0]["name"], "deps");

    let sent = ids
        .summary
        .send_files(
            &http,
            [CreateAttachment::bytes(b"a,b".as_slice(), "diff.csv")],
            CreateMessage::new().content("changes"),
        )
        .await
        .expect("message with a file");
    assert_eq!(sent.attachments[0].filename, "diff.csv");
    let fetched = http
        .get_message(ids.summary, sent.id)
        .await
        .expect("the sent message");
    assert_eq!(fetched.content, "changes");

    assert!(http
        .get_channel(serenity::all::ChannelId::new(1))
        .await
        .is_err());
    let unexpected = standin.unexpected_requests();
    assert_eq!(unexpected.len(), 1);
    assert_eq!(unexpected[0].response["message"], "Unknown Channel");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_serenity_could_not_read_back_fails_with_the_reason() {
    let standin = StandIn::start().await;
    let ids = standin.ids().clone();
    let http = rest_client(&standin).build();

    // An embed field without a value: Discord would refuse it, and so does the stand-in.
    let body = json!({ "content": "x", "embeds": [{ "fields": [{ "name": "a" }] }] });
    let sent = http.send_message(ids.summary, vec![], &body).await;
    assert!(sent.is_err(), "{sent:?}");

    let failed = standin.unexpected_requests();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, 500);
    let why = failed[0].response["message"].as_str().unwrap();
    assert!(
        why.contains("serenity::model::channel::message::Message"),
        "{why}"
    );
    assert!(why.contains("missing field `value`"), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_over_discords_limits_are_refused_as_discord_refuses_them() {
    let standin = StandIn::start().await;
    let ids = standin.ids().clone();
    let http = rest_client(&standin).build();
    let post = |body: serde_json::Value, files: Vec<CreateAttachment>| {
        let http = &http;
        async move { http.send_message(ids.summary, files, &body).await }
    };

    // Exactly at each limit: accepted.
    let at_limit = json!({
        "content": "字".repeat(2000),
        "embeds": [{ "title": "t".repeat(256), "description": "d".repeat(4096) }],
    });
    post(at_limit, vec![])
        .await
        .expect("a message at the limits");

    // One character over: 400 Invalid Form Body naming the field, like Discord.
    let cases = [
        (json!({ "content": "字".repeat(2001) }), "content"),
        (
            json!({ "embeds": [{ "title": "t".repeat(257) }] }),
            "embeds",
        ),
        (
            json!({ "embeds": [{ "description": "d".repeat(4097) }] }),
            "embeds",
        ),
        (
            json!({ "embeds": [{ "description": "d".repeat(4096) }, { "description": "d".repeat(1905) }] }),
            "embeds",
        ),
    ];
    for (body, field) in cases {
        let before = standin.requests().len();
        let sent = post(body, vec![]).await;
        assert!(sent.is_err(), "{sent:?}");
        let r = &standin.requests()[before];
        assert_eq!(r.status, 400);
        assert_eq!(r.response["code"], 50035, "{}", r.response);
        assert!(r.response["errors"].get(field).is_some(), "{}", r.response);
    }

    // Uploads over the announced limit: 413.
    standin.set_upload_limit(1000);
    let big = CreateAttachment::bytes(vec![0u8; 1001], "big.bin");
    assert!(post(json!({ "content": "x" }), vec![big]).await.is_err());
    let last = standin.requests().pop().unwrap();
    assert_eq!(
        (last.status, last.response["code"].clone()),
        (413, json!(40005))
    );
    let small = CreateAttachment::bytes(vec![0u8; 1000], "small.bin");
    post(json!({ "content": "x" }), vec![small])
        .await
        .expect("an upload at the limit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_a_test_asks_for_fails_one_request_only() {
    let standin = StandIn::start().await;
    let ids = standin.ids().clone();
    let http = rest_client(&standin).build();
    standin.refuse_next("POST", "/messages", 503, 0, "upstream connect error");
    let body = json!({ "content": "hello" });
    let first = http.send_message(ids.summary, vec![], &body).await;
    assert!(first.is_err(), "{first:?}");
    http.send_message(ids.summary, vec![], &body)
        .await
        .expect("the next request is answered");
    let statuses: Vec<u16> = standin.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}
