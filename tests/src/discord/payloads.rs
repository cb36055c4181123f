//! Discord JSON payloads, each checked against serenity 0.12.5's own model type before it leaves
//! the stand-in. serenity turns a dispatch it cannot parse into `Event::Unknown` without a word,
//! and a REST answer it cannot parse into an error far from the cause, so a payload that does not
//! parse panics here, naming the type, serde's reason and the JSON.

use std::any::type_name;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use serenity::model::application::{Command, CurrentApplicationInfo, Interaction};
use serenity::model::channel::{Attachment, GuildChannel, Message};
use serenity::model::event::{Event, GatewayEvent};
use serenity::model::gateway::{BotGateway, Gateway, Ready};
use serenity::model::guild::Member;
use serenity::model::user::CurrentUser;

/// The one timestamp the stand-in writes everywhere a timestamp is required.
pub(crate) const TIMESTAMP: &str = "2026-01-05T09:00:00.000000+00:00";
/// The one gateway session id; a Resume must name it.
pub(crate) const SESSION_ID: &str = "standin-session";
/// What interactions announce as the upload limit (Discord's default, 25 MiB).
pub(crate) const ATTACHMENT_SIZE_LIMIT: u64 = 25 * 1024 * 1024;
/// Permissions string for members and the bot: everything, so no check fails on permissions.
const ALL_PERMISSIONS: &str = "2251799813685247";

/// Returns `value` if serenity parses it as a `T`; panics otherwise.
pub(crate) fn checked<T: DeserializeOwned>(value: Value) -> Value {
    if let Err(e) = serde_json::from_value::<T>(value.clone()) {
        panic!(
            "Discord stand-in built a payload serenity 0.12.5 cannot parse as {}: {e}\n{value:#}",
            type_name::<T>()
        );
    }
    value
}

/// A whole dispatch frame; panics unless serenity reads it as the named event (not `Unknown`).
/// `check_event_data` parses `d` as its model type first, because the untagged `Unknown` fallback
/// swallows serde's reason.
pub(crate) fn dispatch_frame(event: &str, seq: u64, data: Value) -> Value {
    check_event_data(event, &data);
    let frame = json!({ "op": 0, "s": seq, "t": event, "d": data });
    match serde_json::from_value::<GatewayEvent>(frame.clone()) {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(_))) => panic!(
            "Discord stand-in: serenity 0.12.5 reads this {event} as Event::Unknown, so the bot \
             would never see it:\n{frame:#}"
        ),
        Ok(GatewayEvent::Dispatch(..)) => frame,
        Ok(other) => panic!("Discord stand-in: {event} parsed as {other:?}"),
        Err(e) => panic!("Discord stand-in: {event} frame does not parse: {e}\n{frame:#}"),
    }
}

fn check_event_data(event: &str, data: &Value) {
    match event {
        "READY" => drop(checked::<Ready>(data.clone())),
        "INTERACTION_CREATE" => drop(checked::<Interaction>(data.clone())),
        "THREAD_CREATE" | "THREAD_UPDATE" | "CHANNEL_CREATE" => {
            drop(checked::<GuildChannel>(data.clone()))
        }
        "MESSAGE_CREATE" => drop(checked::<Message>(data.clone())),
        _ => {}
    }
}

pub(crate) fn gateway(ws_url: &str) -> Value {
    checked::<Gateway>(json!({ "url": ws_url }))
}

pub(crate) fn bot_gateway(ws_url: &str) -> Value {
    checked::<BotGateway>(json!({
        "url": ws_url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1
        }
    }))
}

pub(crate) fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": null,
        "bot": bot,
        "public_flags": 0
    })
}

pub(crate) fn current_user(id: u64, name: &str) -> Value {
    let mut u = user(id, name, true);
    u["verified"] = json!(true);
    u["mfa_enabled"] = json!(false);
    u["flags"] = json!(0);
    checked::<CurrentUser>(u)
}

pub(crate) fn application_info(app: u64, bot_user: u64) -> Value {
    checked::<CurrentApplicationInfo>(json!({
        "id": app.to_string(),
        "name": "aiops-standin",
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0".repeat(64),
        "owner": user(bot_user + 1, "owner", false),
        "team": null,
        "flags": 0,
        "bot": user(bot_user, "aiops", true)
    }))
}

pub(crate) fn ready(bot_user: u64, app: u64, guild: u64, resume_url: &str) -> Value {
    checked::<Ready>(json!({
        "v": 10,
        "user": current_user(bot_user, "aiops"),
        "guilds": [{ "id": guild.to_string(), "unavailable": true }],
        "session_id": SESSION_ID,
        "resume_gateway_url": resume_url,
        "shard": [0, 1],
        "application": { "id": app.to_string(), "flags": 0 }
    }))
}

/// A guild member as the REST API and interactions carry it; `guild` is only in REST answers.
pub(crate) fn member(user_json: Value, roles: &[u64], guild: Option<u64>) -> Value {
    let mut m = json!({
        "user": user_json,
        "nick": null,
        "avatar": null,
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": TIMESTAMP,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": ALL_PERMISSIONS
    });
    if let Some(g) = guild {
        m["guild_id"] = json!(g.to_string());
    }
    checked::<Member>(m)
}

/// A guild channel: text (0), announcement (5), public thread (11) or forum (15).
pub(crate) fn channel(id: u64, guild: u64, kind: u8, name: &str, parent: Option<u64>) -> Value {
    let mut c = json!({
        "id": id.to_string(),
        "guild_id": guild.to_string(),
        "type": kind,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "parent_id": parent.map(|p| p.to_string()),
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "flags": 0
    });
    if kind == 15 {
        c["available_tags"] = json!([]);
        c["default_reaction_emoji"] = Value::Null;
    }
    checked::<GuildChannel>(c)
}

/// A public thread (type 11) as THREAD_CREATE carries it.
pub(crate) fn thread(
    id: u64,
    guild: u64,
    parent: u64,
    name: &str,
    owner: u64,
    newly_created: bool,
) -> Value {
    let mut t = json!({
        "id": id.to_string(),
        "guild_id": guild.to_string(),
        "type": 11,
        "name": name,
        "parent_id": parent.to_string(),
        "owner_id": owner.to_string(),
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": false,
            "create_timestamp": TIMESTAMP
        }
    });
    if newly_created {
        t["newly_created"] = json!(true);
    }
    checked::<GuildChannel>(t)
}

pub(crate) fn attachment(id: u64, filename: &str, size: usize, url: &str) -> Value {
    checked::<Attachment>(json!({
        "id": id.to_string(),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type(filename)
    }))
}

fn content_type(filename: &str) -> &'static str {
    match filename.rsplit('.').next() {
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("txt" | "mmd" | "md") => "text/plain; charset=utf-8",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// The parts of a message the sender chooses.
pub(crate) struct MessageParts<'a> {
    pub id: u64,
    pub channel: u64,
    pub guild: Option<u64>,
    pub author: Value,
    pub content: &'a str,
    pub embeds: Value,
    pub attachments: Value,
    pub components: Value,
    pub webhook_app: Option<u64>,
}

pub(crate) fn message(p: MessageParts<'_>) -> Value {
    let mut m = json!({
        "id": p.id.to_string(),
        "channel_id": p.channel.to_string(),
        "author": p.author,
        "content": p.content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": p.attachments,
        "embeds": p.embeds,
        "pinned": false,
        "type": 0,
        "flags": 0,
        "components": p.components
    });
    if let Some(g) = p.guild {
        m["guild_id"] = json!(g.to_string());
    }
    if let Some(app) = p.webhook_app {
        m["webhook_id"] = json!(app.to_string());
        m["application_id"] = json!(app.to_string());
    }
    checked::<Message>(m)
}

/// The answer to a bulk overwrite of commands: what was sent, with ids and versions added.
pub(crate) fn registered_commands(
    sent: &Value,
    app: u64,
    guild: Option<u64>,
    mut next_id: impl FnMut() -> u64,
) -> Value {
    let list = sent.as_array().cloned().unwrap_or_default();
    let echoed: Vec<Value> = list
        .into_iter()
        .map(|mut c| {
            let id = next_id();
            c["id"] = json!(id.to_string());
            c["application_id"] = json!(app.to_string());
            c["version"] = json!(id.to_string());
            if c.get("type").is_none() {
                c["type"] = json!(1);
            }
            if c.get("description").is_none() {
                c["description"] = json!("");
            }
            if c.get("default_member_permissions").is_none() {
                c["default_member_permissions"] = Value::Null;
            }
            if let Some(g) = guild {
                c["guild_id"] = json!(g.to_string());
            }
            c
        })
        .collect();
    checked::<Vec<Command>>(Value::Array(echoed))
}
