//! Typed dispatches a test makes as if a user acted: slash commands, autocomplete, button
//! presses (interactions, each with a fresh id and token), threads and messages. Every payload
//! is checked against serenity's types before it is sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serenity::model::id::{AttachmentId, ChannelId, MessageId, RoleId, UserId};

use super::http::Request;
use super::payloads::{self, MessageParts};
use super::state::Shared;
use super::StandIn;

/// An interaction the stand-in dispatched, to wait for the bot's answers to it.
pub struct InteractionHandle {
    shared: Arc<Shared>,
    pub id: u64,
    pub token: String,
    /// When the INTERACTION_CREATE was queued for the gateway.
    pub dispatched: Instant,
}

impl InteractionHandle {
    /// The path of this interaction's callback, `/api/v10/interactions/{id}/{token}/callback`.
    pub fn callback_path(&self) -> String {
        format!("/api/v10/interactions/{}/{}/callback", self.id, self.token)
    }

    /// The first response (`POST …/callback`): its `json["type"]` is 4 (message), 5 (deferred),
    /// 6/7 (component update) or 8 (autocomplete choices).
    pub async fn wait_callback(&self, timeout: Duration) -> Request {
        let path = self.callback_path();
        self.shared
            .wait_until(&format!("callback to {path}"), timeout, |s| {
                s.requests
                    .iter()
                    .find(|r| r.method == "POST" && r.path == path)
                    .cloned()
            })
            .await
    }

    /// The first reply carrying content, embeds or files: an edit of the original response or a
    /// followup, or a callback of type 4 or 7 (which answer at once, without a deferral).
    pub async fn wait_final(&self, timeout: Duration) -> Request {
        let callback = self.callback_path();
        let webhook = format!("/webhooks/{}/{}", self.shared.ids.application, self.token);
        self.shared
            .wait_until(&format!("final reply to {callback}"), timeout, |s| {
                s.requests
                    .iter()
                    .find(|r| {
                        let (body, to_webhook) = if r.path == callback {
                            (
                                &r.json["data"],
                                matches!(r.json["type"].as_u64(), Some(4 | 7)),
                            )
                        } else {
                            (&r.json, r.path.contains(&webhook) && r.method != "GET")
                        };
                        to_webhook && carries_reply(body, r)
                    })
                    .cloned()
            })
            .await
    }

    /// How long after the dispatch `request` arrived: the latency a benchmark measures.
    pub fn latency(&self, request: &Request) -> Duration {
        request.received.saturating_duration_since(self.dispatched)
    }

    /// Every request made for this interaction so far (callback, edits, followups).
    pub fn requests(&self) -> Vec<Request> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.path.contains(&self.token))
            .cloned()
            .collect()
    }
}

fn carries_reply(body: &Value, r: &Request) -> bool {
    let non_empty = |key: &str| match &body[key] {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    non_empty("content") || non_empty("embeds") || !r.files.is_empty()
}

/// Who acts in an interaction or a message.
fn member_json(shared: &Shared, user: UserId, roles: &[RoleId]) -> Value {
    let mut state = shared.lock();
    let name = state
        .members
        .get(&user.get())
        .map_or_else(|| format!("user{user}"), |(n, _)| n.clone());
    let roles: Vec<u64> = roles.iter().map(|r| r.get()).collect();
    state
        .members
        .insert(user.get(), (name.clone(), roles.clone()));
    payloads::member(payloads::user(user.get(), &name, false), &roles, None)
}

impl StandIn {
    /// A file a user attaches to a command (for `/inventory upload file:<attachment>`): served at
    /// `http://127.0.0.1:PORT/attachments/{id}/{filename}`. Pass the id as the option's value;
    /// [`StandIn::slash_command`] fills `data.resolved.attachments` from it.
    pub fn attachment(&self, filename: &str, bytes: Vec<u8>) -> AttachmentId {
        let shared = &self.shared;
        let mut state = shared.lock();
        let id = state.next_id();
        let path = format!("/attachments/{id}/{filename}");
        let url = format!("{}{path}", shared.rest_url());
        let json = payloads::attachment(id, filename, bytes.len(), &url);
        state.attachments.insert(id, json);
        state.hosted.insert(path, bytes);
        AttachmentId::new(id)
    }

    /// Dispatches a slash command (INTERACTION_CREATE, type 2) in the general channel, from
    /// `user` with `roles`, in `locale` (e.g. "en-US", "zh-CN"). `options` is Discord's JSON
    /// array, e.g. `[{"name": "pattern", "type": 3, "value": "ces*"}]`; attachment options
    /// (type 11) name an id from [`StandIn::attachment`]. The stand-in remembers `roles` as the
    /// member's roles, for `GET /guilds/{guild}/members/{user}`.
    pub fn slash_command(
        &self,
        name: &str,
        options: Value,
        user: UserId,
        roles: &[RoleId],
        locale: &str,
    ) -> InteractionHandle {
        self.slash_command_in(self.ids().general, name, options, user, roles, locale)
    }

    /// [`StandIn::slash_command`] in a given channel.
    pub fn slash_command_in(
        &self,
        channel: ChannelId,
        name: &str,
        options: Value,
        user: UserId,
        roles: &[RoleId],
        locale: &str,
    ) -> InteractionHandle {
        let resolved = {
            let state = self.shared.lock();
            let mut attachments = serde_json::Map::new();
            collect_attachment_ids(&options, &mut |id| {
                let json = state.attachments.get(&id).unwrap_or_else(|| {
                    panic!("attachment option names {id}, not made with StandIn::attachment")
                });
                attachments.insert(id.to_string(), json.clone());
            });
            if attachments.is_empty() {
                json!({})
            } else {
                json!({ "attachments": attachments })
            }
        };
        let data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "options": options,
            "resolved": resolved,
            "guild_id": self.ids().guild.to_string()
        });
        self.interaction(2, data, channel, user, roles, locale, None)
    }

    /// Dispatches an autocomplete request (type 4) for `option` of `command`, as the plain user
    /// types `value`.
    pub fn autocomplete(&self, command: &str, option: &str, value: &str) -> InteractionHandle {
        let options = json!([{ "name": option, "type": 3, "value": value, "focused": true }]);
        let data = json!({
            "id": self.command_id(command).to_string(),
            "name": command,
            "type": 1,
            "options": options,
            "guild_id": self.ids().guild.to_string()
        });
        let ids = self.ids().clone();
        self.interaction(
            4,
            data,
            ids.general,
            ids.plain_user,
            &[ids.plain_role],
            "en-US",
            None,
        )
    }

    /// Dispatches a button press (type 3) on a message the stand-in holds (one the bot sent,
    /// e.g. the Apply/Cancel confirmation), by `user` with `roles`.
    pub fn button(
        &self,
        custom_id: &str,
        channel: ChannelId,
        message: MessageId,
        user: UserId,
        roles: &[RoleId],
    ) -> InteractionHandle {
        let message_json = self.message(channel, message).unwrap_or_else(|| {
            panic!("button on message {message} in {channel}, which the stand-in does not hold")
        });
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        self.interaction(3, data, channel, user, roles, "en-US", Some(message_json))
    }

    #[allow(clippy::too_many_arguments)]
    fn interaction(
        &self,
        kind: u8,
        data: Value,
        channel: ChannelId,
        user: UserId,
        roles: &[RoleId],
        locale: &str,
        message: Option<Value>,
    ) -> InteractionHandle {
        let shared = &self.shared;
        let ids = &shared.ids;
        let member = member_json(shared, user, roles);
        let (id, token) = {
            let mut state = shared.lock();
            let id = state.next_id();
            let token = format!("standin-token-{id}");
            state
                .interactions
                .insert(token.clone(), (channel.get(), None));
            (id, token)
        };
        let (channel_kind, upload_limit) = {
            let state = shared.lock();
            let kind = state
                .channels
                .get(&channel.get())
                .map_or(json!(0), |c| c["type"].clone());
            (kind, state.upload_limit)
        };
        let mut interaction = json!({
            "id": id.to_string(),
            "application_id": ids.application.to_string(),
            "type": kind,
            "data": data,
            "guild_id": ids.guild.to_string(),
            "channel": { "id": channel.to_string(), "type": channel_kind },
            "channel_id": channel.to_string(),
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": "2251799813685247",
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "context": 0,
            "attachment_size_limit": upload_limit
        });
        if let Some(m) = message {
            interaction["message"] = m;
        }
        let dispatched = Instant::now();
        shared.dispatch("INTERACTION_CREATE", interaction);
        InteractionHandle {
            shared: Arc::clone(shared),
            id,
            token,
            dispatched,
        }
    }

    /// The id the bot registered for `name`, or a fresh one if it registered none.
    fn command_id(&self, name: &str) -> u64 {
        let mut state = self.shared.lock();
        let registered = state
            .commands
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["id"].as_str())
            .and_then(|id| id.parse().ok());
        registered.unwrap_or_else(|| state.next_id())
    }

    /// Opens a public thread in a text channel (THREAD_CREATE) and returns its id.
    /// `newly_created` is what Discord sets when the thread was just made rather than the bot
    /// being added to it; serenity 0.12.5 drops the flag.
    pub fn thread_create(&self, parent: ChannelId, name: &str, newly_created: bool) -> ChannelId {
        let shared = &self.shared;
        let ids = &shared.ids;
        let id = shared.lock().next_id();
        let thread = payloads::thread(
            id,
            ids.guild.get(),
            parent.get(),
            name,
            ids.plain_user.get(),
            newly_created,
        );
        shared.lock().channels.insert(id, thread.clone());
        shared.dispatch("THREAD_CREATE", thread);
        ChannelId::new(id)
    }

    /// A forum post as Discord makes one: the starter message is stored first (its id is the
    /// thread's id, so `GET /channels/{t}/messages/{t}` finds it), then THREAD_CREATE and
    /// MESSAGE_CREATE are dispatched.
    pub fn forum_post(
        &self,
        forum: ChannelId,
        title: &str,
        content: &str,
        author: UserId,
    ) -> ChannelId {
        let shared = &self.shared;
        let ids = &shared.ids;
        let id = shared.lock().next_id();
        let thread = payloads::thread(id, ids.guild.get(), forum.get(), title, author.get(), true);
        let starter = self.user_message(id, id, content, author);
        {
            let mut state = shared.lock();
            state.channels.insert(id, thread.clone());
            state.messages.insert((id, id), starter.clone());
        }
        shared.dispatch("THREAD_CREATE", thread);
        shared.dispatch("MESSAGE_CREATE", starter);
        ChannelId::new(id)
    }

    /// A user's message (MESSAGE_CREATE) in a channel or thread; returns its id.
    pub fn message_create(&self, channel: ChannelId, content: &str, author: UserId) -> MessageId {
        let id = self.shared.lock().next_id();
        let message = self.user_message(id, channel.get(), content, author);
        self.shared
            .lock()
            .messages
            .insert((channel.get(), id), message.clone());
        self.shared.dispatch("MESSAGE_CREATE", message);
        MessageId::new(id)
    }

    fn user_message(&self, id: u64, channel: u64, content: &str, author: UserId) -> Value {
        let state = self.shared.lock();
        let (name, roles) = state
            .members
            .get(&author.get())
            .cloned()
            .unwrap_or_else(|| (format!("user{author}"), Vec::new()));
        let mut message = payloads::message(MessageParts {
            id,
            channel,
            guild: Some(self.ids().guild.get()),
            author: payloads::user(author.get(), &name, false),
            content,
            embeds: json!([]),
            attachments: json!([]),
            components: json!([]),
            webhook_app: None,
        });
        message["member"] = json!({
            "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "joined_at": payloads::TIMESTAMP,
            "deaf": false,
            "mute": false,
            "flags": 0
        });
        message
    }
}

/// Calls `found` with the value of every attachment option (type 11), at any depth.
fn collect_attachment_ids(options: &Value, found: &mut impl FnMut(u64)) {
    for option in options.as_array().into_iter().flatten() {
        if option["type"] == 11 {
            let id = match &option["value"] {
                Value::String(s) => s.parse().ok(),
                v => v.as_u64(),
            };
            if let Some(id) = id {
                found(id);
            }
        }
        collect_attachment_ids(&option["options"], found);
    }
}
