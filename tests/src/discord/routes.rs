//! The REST routes the stand-in answers, with serenity-parseable bodies; anything else gets
//! Discord's 404 error body. Messages the bot sends or edits are kept, so later reads see them,
//! and their attachments are served back at `/attachments/{id}/{filename}`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::http::{serve_connection, Request, Response};
use super::limits;
use super::payloads::{self, MessageParts};
use super::state::{Shared, State};

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let handler = Arc::clone(&shared);
            serve_connection(stream, move |mut request| {
                let response = {
                    let mut state = handler.lock();
                    // A payload check that fails panics; answer 500 and record why, so the test
                    // that waits on this request fails with the reason instead of a timeout.
                    let response =
                        catch_unwind(AssertUnwindSafe(|| answer(&handler, &mut state, &request)))
                            .unwrap_or_else(|panic| {
                                let why = panic
                                    .downcast_ref::<String>()
                                    .cloned()
                                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                    .unwrap_or_default();
                                Response::json(500, json!({ "message": why, "code": 0 }))
                            });
                    request.status = response.status;
                    request.response = response.json.clone();
                    state.requests.push(request);
                    response
                };
                // Events a request causes (a thread the bot opened) go out after the lock.
                let events = std::mem::take(&mut handler.lock().events);
                for (event, data) in events {
                    if handler.lock().session.is_some() {
                        handler.dispatch(&event, data);
                    }
                }
                handler.notify();
                response
            })
            .await;
        });
    }
}

fn answer(shared: &Shared, state: &mut State, req: &Request) -> Response {
    if let Some(i) = state
        .faults
        .iter()
        .position(|f| f.method == req.method && req.path.contains(&f.path_part))
    {
        let fault = state.faults.remove(i);
        return Response::json(fault.status, fault.body);
    }
    if req.method == "GET" {
        if let Some(bytes) = state.hosted.get(&req.path) {
            return Response::bytes(bytes.clone());
        }
    }
    let ids = &shared.ids;
    let app = ids.application.get();
    let guild = ids.guild.get();
    let segments = req.segments();
    if let Some(body) = limits::message_body(req, &segments) {
        if let Err(refused) = limits::check(body, &req.files, state.upload_limit) {
            return refused;
        }
    }
    let id = |s: &str| s.parse::<u64>().ok();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => Response::json(200, payloads::gateway(&shared.gateway_url())),
        ("GET", ["gateway", "bot"]) => {
            Response::json(200, payloads::bot_gateway(&shared.gateway_url()))
        }
        ("GET", ["users", "@me"]) => {
            Response::json(200, payloads::current_user(ids.bot_user.get(), "aiops"))
        }
        ("GET", ["oauth2", "applications", "@me"]) => {
            Response::json(200, payloads::application_info(app, ids.bot_user.get()))
        }
        ("PUT", ["applications", a, "guilds", g, "commands"]) if id(a) == Some(app) => {
            let registered =
                payloads::registered_commands(&req.json, app, id(g), || state.next_id());
            state.commands = registered.as_array().cloned().unwrap_or_default();
            Response::json(200, registered)
        }
        ("PUT", ["applications", a, "commands"]) if id(a) == Some(app) => {
            let registered =
                payloads::registered_commands(&req.json, app, None, || state.next_id());
            state.commands = registered.as_array().cloned().unwrap_or_default();
            Response::json(200, registered)
        }
        ("POST", ["interactions", _, token, "callback"]) => {
            let Some(&(channel, _)) = state.interactions.get(*token) else {
                return not_found(10062, "Unknown interaction");
            };
            // 4: a message now, 5: "thinking…" to be edited; both become the original response.
            if matches!(req.json["type"].as_u64(), Some(4 | 5)) {
                let data = &req.json["data"];
                let message = store_message(shared, state, channel, None, data, req, true);
                let original = message["id"].as_str().and_then(|s| s.parse().ok());
                state
                    .interactions
                    .insert(token.to_string(), (channel, original));
            }
            Response::no_content()
        }
        (method, ["webhooks", a, token, "messages", "@original"]) if id(a) == Some(app) => {
            let Some(&(channel, original)) = state.interactions.get(*token) else {
                return not_found(10015, "Unknown Webhook");
            };
            match method {
                "PATCH" => {
                    let message =
                        store_message(shared, state, channel, original, &req.json, req, true);
                    let original = message["id"].as_str().and_then(|s| s.parse().ok());
                    state
                        .interactions
                        .insert(token.to_string(), (channel, original));
                    Response::json(200, message)
                }
                "GET" => match original.and_then(|m| state.messages.get(&(channel, m))) {
                    Some(m) => Response::json(200, m.clone()),
                    None => not_found(10008, "Unknown Message"),
                },
                "DELETE" => Response::no_content(),
                _ => not_found(0, "404: Not Found"),
            }
        }
        ("POST", ["webhooks", a, token]) if id(a) == Some(app) => {
            let Some(&(channel, _)) = state.interactions.get(*token) else {
                return not_found(10015, "Unknown Webhook");
            };
            Response::json(
                200,
                store_message(shared, state, channel, None, &req.json, req, true),
            )
        }
        ("PATCH", ["webhooks", a, token, "messages", m]) if id(a) == Some(app) => {
            let Some(&(channel, _)) = state.interactions.get(*token) else {
                return not_found(10015, "Unknown Webhook");
            };
            match id(m).filter(|m| state.messages.contains_key(&(channel, *m))) {
                Some(m) => Response::json(
                    200,
                    store_message(shared, state, channel, Some(m), &req.json, req, true),
                ),
                None => not_found(10008, "Unknown Message"),
            }
        }
        ("GET", ["channels", c]) => match id(c).and_then(|c| state.channels.get(&c)) {
            Some(channel) => Response::json(200, channel.clone()),
            None => not_found(10003, "Unknown Channel"),
        },
        ("POST", ["channels", c, "messages"]) => {
            match id(c).filter(|c| state.channels.contains_key(c)) {
                Some(c) => Response::json(
                    200,
                    store_message(shared, state, c, None, &req.json, req, false),
                ),
                None => not_found(10003, "Unknown Channel"),
            }
        }
        (method @ ("GET" | "PATCH"), ["channels", c, "messages", m]) => match (id(c), id(m)) {
            (Some(c), Some(m)) if state.messages.contains_key(&(c, m)) => {
                if method == "GET" {
                    Response::json(200, state.messages[&(c, m)].clone())
                } else {
                    Response::json(
                        200,
                        store_message(shared, state, c, Some(m), &req.json, req, false),
                    )
                }
            }
            _ => not_found(10008, "Unknown Message"),
        },
        // A forum post: a thread whose starter message has the thread's id.
        ("POST", ["channels", c, "threads"]) => match id(c).and_then(|c| state.channels.get(&c)) {
            Some(parent) if parent["type"] == 15 => {
                let forum = id(c).unwrap_or_default();
                let thread = state.next_id();
                let name = req.json["name"].as_str().unwrap_or_default().to_string();
                let body = req.json["message"].clone();
                let message = store_message(shared, state, thread, None, &body, req, false);
                let message = rekey_message(state, thread, &message, thread);
                let json = open_thread(shared, state, thread, forum, &name);
                let mut answer = json.clone();
                answer["message"] = message;
                Response::json(201, answer)
            }
            Some(_) => Response::json(
                400,
                json!({ "message": "Cannot start a forum post outside a forum channel", "code": 50024 }),
            ),
            None => not_found(10003, "Unknown Channel"),
        },
        // A thread started from a message: the thread has the message's id.
        ("POST", ["channels", c, "messages", m, "threads"]) => match (id(c), id(m)) {
            (Some(c), Some(m)) if state.messages.contains_key(&(c, m)) => {
                if state.channels.contains_key(&m) {
                    return Response::json(
                        400,
                        json!({ "message": "A thread has already been created for this message", "code": 160004 }),
                    );
                }
                let name = req.json["name"].as_str().unwrap_or_default().to_string();
                Response::json(201, open_thread(shared, state, m, c, &name))
            }
            _ => not_found(10008, "Unknown Message"),
        },
        ("GET", ["guilds", g, "members", u]) if id(g) == Some(guild) => {
            match id(u).and_then(|u| state.members.get(&u).map(|m| (u, m))) {
                Some((u, (name, roles))) => Response::json(
                    200,
                    payloads::member(payloads::user(u, name, false), roles, Some(guild)),
                ),
                None => not_found(10013, "Unknown User"),
            }
        }
        _ => not_found(0, "404: Not Found"),
    }
}

/// Makes a public thread the bot owns, keeps it, and queues its THREAD_CREATE, as Discord sends
/// one to the bot for threads it opens.
fn open_thread(shared: &Shared, state: &mut State, thread: u64, parent: u64, name: &str) -> Value {
    let ids = &shared.ids;
    let json = payloads::thread(
        thread,
        ids.guild.get(),
        parent,
        name,
        ids.bot_user.get(),
        true,
    );
    state.channels.insert(thread, json.clone());
    state.threads_opened.push(json.clone());
    state.events.push(("THREAD_CREATE".into(), json.clone()));
    json
}

/// Gives a stored message another id (a forum post's starter message has the thread's id).
fn rekey_message(state: &mut State, channel: u64, message: &Value, to: u64) -> Value {
    let from = message["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let mut m = state
        .messages
        .remove(&(channel, from))
        .unwrap_or_else(|| message.clone());
    m["id"] = json!(to.to_string());
    state.messages.insert((channel, to), m.clone());
    m
}

fn not_found(code: u32, message: &str) -> Response {
    Response::json(404, json!({ "message": message, "code": code }))
}

/// Creates (`existing` = None) or edits a message from a create/edit body and its uploaded
/// files, keeps it, and returns it. Uploaded files get ids and are served back.
fn store_message(
    shared: &Shared,
    state: &mut State,
    channel: u64,
    existing: Option<u64>,
    body: &Value,
    req: &Request,
    from_webhook: bool,
) -> Value {
    let old = existing.and_then(|m| state.messages.get(&(channel, m)).cloned());
    let field = |name: &str, default: Value| -> Value {
        match body.get(name) {
            Some(v) if !v.is_null() => v.clone(),
            _ => old
                .as_ref()
                .and_then(|o| o.get(name).cloned())
                .unwrap_or(default),
        }
    };
    let content = field("content", json!(""));
    let embeds = field("embeds", json!([]));
    let components = field("components", json!([]));

    // Attachments already on the message stay when the body lists their ids, or when the body
    // says nothing about attachments and uploads nothing.
    let mut attachments: Vec<Value> = match (&old, body.get("attachments")) {
        (Some(o), Some(Value::Array(keep))) => o["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| keep.iter().any(|k| id_text(&k["id"]) == id_text(&a["id"])))
            .cloned()
            .collect(),
        (Some(o), None) if req.files.is_empty() => {
            o["attachments"].as_array().cloned().unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for (filename, bytes) in &req.files {
        let id = state.next_id();
        let path = format!("/attachments/{id}/{filename}");
        let url = format!("{}{path}", shared.rest_url());
        attachments.push(payloads::attachment(id, filename, bytes.len(), &url));
        state.hosted.insert(path, bytes.clone());
    }

    let id = existing.unwrap_or_else(|| state.next_id());
    let bot = shared.ids.bot_user.get();
    let mut message = payloads::message(MessageParts {
        id,
        channel,
        guild: Some(shared.ids.guild.get()),
        author: payloads::user(bot, "aiops", true),
        content: content.as_str().unwrap_or_default(),
        embeds,
        attachments: Value::Array(attachments),
        components,
        webhook_app: from_webhook.then_some(shared.ids.application.get()),
    });
    if existing.is_some() {
        message["edited_timestamp"] = json!(payloads::TIMESTAMP);
    }
    state.messages.insert((channel, id), message.clone());
    message
}

/// An id as text, whether the JSON wrote it as a string or a number.
fn id_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}
