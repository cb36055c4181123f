//! A stand-in for Discord on 127.0.0.1, for running the real serenity client (and the real bot)
//! against: REST on one port (point serenity's `HttpBuilder::proxy` at
//! [`StandIn::rest_proxy_url`], with its ratelimiter disabled) and the gateway websocket on
//! another (announced by `GET /api/v10/gateway`).
//!
//! Every REST request is recorded, answered or not; tests wait on the record with
//! [`StandIn::wait_for`] (or [`StandIn::wait_for_nth`]) instead of sleeping; a test can make a
//! request fail ([`StandIn::refuse_next`], e.g. a 500 on a chosen edit) and disturb the gateway
//! ([`StandIn::invalidate_session`], [`StandIn::request_reconnect`], [`StandIn::drop_gateway`]). Every payload the stand-in sends is checked against
//! serenity's own model types first (see `payloads`), so a malformed one panics here instead of
//! becoming a silent `Event::Unknown` in the bot.
//!
//! One guild with fixed roles, channels and two users ([`Ids`]); threads, messages and attachments
//! are added as a test dispatches them.

mod gateway;
mod http;
mod interactions;
mod limits;
mod payloads;
mod routes;
mod state;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use serenity::model::id::{ApplicationId, ChannelId, GuildId, MessageId, RoleId, UserId};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

pub use http::Request;
pub use interactions::InteractionHandle;
use state::{summary, Shared};

/// The fixed ids of the stand-in's one guild.
#[derive(Clone, Debug)]
pub struct Ids {
    pub application: ApplicationId,
    pub bot_user: UserId,
    pub guild: GuildId,
    /// An ordinary text channel (not an incident channel).
    pub general: ChannelId,
    /// The incident forum channel (type 15): posts are threads with a starter message.
    pub incident_forum: ChannelId,
    /// An incident text channel (type 0) where threads are opened.
    pub incident_text: ChannelId,
    /// The channel change summaries go to.
    pub summary: ChannelId,
    pub admin_role: RoleId,
    pub plain_role: RoleId,
    /// A member with `admin_role` and `plain_role`.
    pub admin_user: UserId,
    /// A member with `plain_role` only.
    pub plain_user: UserId,
}

/// What the stand-in's gateway has seen.
#[derive(Clone, Debug, Default)]
pub struct GatewayState {
    /// Websocket connections accepted so far.
    pub connections: u32,
    /// The `d` of every Identify (op 2), in order.
    pub identifies: Vec<Value>,
    /// When each Identify arrived.
    pub identified_at: Vec<std::time::Instant>,
    /// Resumes (op 6) answered with RESUMED.
    pub resumes: u32,
    /// Heartbeats (op 1) received and acknowledged.
    pub heartbeats: u32,
    /// Whether a websocket connection is open now (briefly two, while a client reconnects).
    pub connected: bool,
    /// The code of the last Close frame the client sent.
    pub close_code: Option<u16>,
}

/// A running stand-in; its tasks stop when it is dropped.
pub struct StandIn {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl StandIn {
    /// Binds REST and gateway listeners on 127.0.0.1 ports the OS picks, and starts serving.
    pub async fn start() -> StandIn {
        let rest = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stand-in's REST port");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stand-in's gateway port");
        let rest_addr = rest.local_addr().expect("REST listener address");
        let ws_addr = ws.local_addr().expect("gateway listener address");
        let shared = Arc::new(Shared::new(rest_addr, ws_addr));
        let tasks = vec![
            tokio::spawn(routes::serve(Arc::clone(&shared), rest)),
            tokio::spawn(gateway::serve(Arc::clone(&shared), ws)),
        ];
        StandIn { shared, tasks }
    }

    /// What the bot passes as `AIOPS_DISCORD_PROXY`, e.g. `http://127.0.0.1:40123`.
    pub fn rest_proxy_url(&self) -> String {
        self.shared.rest_url()
    }

    /// The websocket URL `GET /api/v10/gateway` announces, e.g. `ws://127.0.0.1:40124`.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url()
    }

    pub fn ids(&self) -> &Ids {
        &self.shared.ids
    }

    /// Serves `bytes` at `http://127.0.0.1:PORT/files/{name}` and returns that URL.
    pub fn host_file(&self, name: &str, bytes: Vec<u8>) -> String {
        let path = format!("/files/{name}");
        self.shared.lock().hosted.insert(path.clone(), bytes);
        format!("{}{path}", self.shared.rest_url())
    }

    /// The upload size interactions announce (`attachment_size_limit`) and every message's
    /// uploads are held to, like a guild's limit on Discord. Default: Discord's 25 MiB.
    pub fn set_upload_limit(&self, bytes: u64) {
        self.shared.lock().upload_limit = bytes;
    }

    /// Makes the next request whose method is `method` and whose path contains `path_part`
    /// fail with `status` and Discord's error body `{"message", "code"}`, as Discord does when it
    /// refuses or has an outage. Each call refuses one request; later ones are answered normally.
    pub fn refuse_next(
        &self,
        method: &str,
        path_part: &str,
        status: u16,
        code: u32,
        message: &str,
    ) {
        self.shared.lock().faults.push(state::Fault {
            method: method.to_string(),
            path_part: path_part.to_string(),
            status,
            body: serde_json::json!({ "message": message, "code": code }),
        });
    }

    /// Every REST request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// The requests the stand-in had no route for (answered 404), or whose body it could not
    /// turn into a payload serenity parses (answered 500, the reason in `response["message"]`).
    pub fn unexpected_requests(&self) -> Vec<Request> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.status == 404 || r.status == 500)
            .cloned()
            .collect()
    }

    /// Panics, listing them, if any request went to a route the stand-in does not know.
    pub fn assert_no_unexpected_requests(&self) {
        let unexpected = self.unexpected_requests();
        assert!(
            unexpected.is_empty(),
            "requests to routes the Discord stand-in does not know:\n{}",
            summary(&unexpected)
        );
    }

    /// The first recorded request (earlier ones included) that `predicate` accepts; panics with
    /// the requests seen so far if none arrives within `timeout`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        predicate: impl Fn(&Request) -> bool,
    ) -> Request {
        self.shared
            .wait_until("a matching request", timeout, |s| {
                s.requests.iter().find(|r| predicate(r)).cloned()
            })
            .await
    }

    /// The `n`th recorded request (counting from 1) that `predicate` accepts; panics with the
    /// requests seen so far if there are not that many within `timeout`.
    pub async fn wait_for_nth(
        &self,
        timeout: Duration,
        n: usize,
        predicate: impl Fn(&Request) -> bool,
    ) -> Request {
        self.shared
            .wait_until(&format!("{n} matching requests"), timeout, |s| {
                s.requests
                    .iter()
                    .filter(|r| predicate(r))
                    .nth(n.saturating_sub(1))
                    .cloned()
            })
            .await
    }

    /// Waits for the client to identify; READY has been queued by the time this returns, so
    /// dispatches made afterwards reach the client after it.
    pub async fn wait_for_identify(&self, timeout: Duration) -> Value {
        self.shared
            .wait_until("Identify (op 2)", timeout, |s| {
                s.gateway.identifies.last().cloned()
            })
            .await
    }

    /// Waits until no gateway connection is open; returns the close code the client sent.
    pub async fn wait_for_disconnect(&self, timeout: Duration) -> Option<u16> {
        self.shared
            .wait_until("the gateway connection to close", timeout, |s| {
                (s.gateway.connections > 0 && !s.gateway.connected).then_some(s.gateway.close_code)
            })
            .await
    }

    /// Waits until the gateway's state satisfies `predicate`; returns that state.
    pub async fn wait_for_state(
        &self,
        timeout: Duration,
        predicate: impl Fn(&GatewayState) -> bool,
    ) -> GatewayState {
        self.shared
            .wait_until("a matching gateway state", timeout, |s| {
                predicate(&s.gateway).then(|| s.gateway.clone())
            })
            .await
    }

    pub fn gateway_state(&self) -> GatewayState {
        self.shared.lock().gateway.clone()
    }

    /// The threads the bot opened (forum posts and threads started from its messages), as
    /// Discord answered them, in order.
    pub fn threads_opened(&self) -> Vec<Value> {
        self.shared.lock().threads_opened.clone()
    }

    /// The commands registered by the last bulk overwrite (guild or global), as answered.
    pub fn registered_commands(&self) -> Vec<Value> {
        self.shared.lock().commands.clone()
    }

    /// A message the stand-in holds (sent by the bot or dispatched by the test).
    pub fn message(&self, channel: ChannelId, message: MessageId) -> Option<Value> {
        self.shared
            .lock()
            .messages
            .get(&(channel.get(), message.get()))
            .cloned()
    }

    /// Closes the open gateway connection from Discord's side with `code` (e.g. 4000, which
    /// serenity answers by reconnecting and resuming). Panics when no client has identified.
    pub fn close_gateway(&self, code: u16) {
        let queue = self.shared.lock().session.clone();
        let queue = queue.expect("Discord stand-in: close_gateway with no identified client");
        let _ = queue.send(Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        })));
    }

    /// Sends an Invalid Session (op 9): not `resumable`, the client must identify anew (after
    /// waiting, as Discord asks, but serenity does not). Returns when it was queued.
    pub fn invalidate_session(&self, resumable: bool) -> std::time::Instant {
        self.send_op(json!({ "op": 9, "s": null, "t": null, "d": resumable }))
    }

    /// Sends a Reconnect (op 7): the client should reconnect and resume.
    pub fn request_reconnect(&self) -> std::time::Instant {
        self.send_op(json!({ "op": 7, "s": null, "t": null, "d": null }))
    }

    fn send_op(&self, frame: Value) -> std::time::Instant {
        let queue = self.shared.lock().session.clone();
        let queue = queue.expect("Discord stand-in: no identified gateway client");
        let _ = queue.send(Message::Text(frame.to_string()));
        std::time::Instant::now()
    }

    /// Drops the identified connection without a Close frame, as a network failure does.
    pub fn drop_gateway(&self) {
        let kill = self.shared.lock().kill.take();
        let kill = kill.expect("Discord stand-in: drop_gateway with no identified client");
        let _ = kill.send(());
    }

    /// Sends a dispatch (op 0) with the next sequence number; returns that number. `data` is
    /// checked against serenity's types for the events the stand-in knows. Panics when no
    /// client has identified yet.
    pub fn dispatch(&self, event: &str, data: Value) -> u64 {
        self.shared.dispatch(event, data)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
