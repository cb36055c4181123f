//! The state the REST side, the gateway and the test share behind one lock, and waiting on
//! changes to it: every change bumps a watch channel, so a waiter re-checks instead of sleeping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use serenity::model::id::{ApplicationId, ChannelId, GuildId, RoleId, UserId};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use super::http::Request;
use super::payloads;
use super::{GatewayState, Ids};

/// What the REST side, the gateway and the test share.
pub(crate) struct Shared {
    pub ids: Ids,
    pub rest_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

#[derive(Default)]
pub(crate) struct State {
    next_id: u64,
    pub requests: Vec<Request>,
    /// Bytes served by path (`/files/..`, `/attachments/..`).
    pub hosted: HashMap<String, Vec<u8>>,
    /// Attachments a test made, by id, as `data.resolved.attachments` carries them.
    pub attachments: HashMap<u64, Value>,
    pub channels: HashMap<u64, Value>,
    /// Messages by (channel, message).
    pub messages: HashMap<(u64, u64), Value>,
    /// Interactions by token: (channel, original response message id once there is one).
    pub interactions: HashMap<String, (u64, Option<u64>)>,
    /// Roles of each member by user id.
    pub members: HashMap<u64, (String, Vec<u64>)>,
    pub commands: Vec<Value>,
    pub gateway: GatewayState,
    /// The identified (or resumed) connection's outgoing queue.
    pub session: Option<mpsc::UnboundedSender<Message>>,
    /// Drops the identified (or resumed) connection without a Close frame.
    pub kill: Option<mpsc::UnboundedSender<()>>,
    pub open_connections: u32,
    /// The last sequence number dispatched in this session; a Resume continues it.
    pub seq: u64,
    /// Uploads per message may total this many bytes; interactions announce it.
    pub upload_limit: u64,
    /// Refusals a test asked for, each used by the first request it matches.
    pub faults: Vec<Fault>,
    /// Gateway events requests caused, dispatched once the request is answered.
    pub events: Vec<(String, Value)>,
    /// Threads the bot opened (forum posts and threads from messages), in order.
    pub threads_opened: Vec<Value>,
}

/// One refusal a test asked for ([`super::StandIn::refuse_next`]).
pub(crate) struct Fault {
    pub method: String,
    pub path_part: String,
    pub status: u16,
    pub body: Value,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// Snowflake-sized ids, so nothing that assumes Discord-sized ids is surprised.
const FIRST_ID: u64 = 1_300_000_000_000_000_000;

impl Shared {
    pub fn new(rest_addr: SocketAddr, ws_addr: SocketAddr) -> Shared {
        let mut state = State {
            next_id: FIRST_ID,
            upload_limit: payloads::ATTACHMENT_SIZE_LIMIT,
            ..State::default()
        };
        let mut id = || state.next_id();
        let ids = Ids {
            application: ApplicationId::new(id()),
            bot_user: UserId::new(id()),
            guild: GuildId::new(id()),
            general: ChannelId::new(id()),
            incident_forum: ChannelId::new(id()),
            incident_text: ChannelId::new(id()),
            summary: ChannelId::new(id()),
            admin_role: RoleId::new(id()),
            plain_role: RoleId::new(id()),
            admin_user: UserId::new(id()),
            plain_user: UserId::new(id()),
        };
        let guild = ids.guild.get();
        for (channel, kind, name) in [
            (ids.general, 0, "general"),
            (ids.incident_forum, 15, "incidents"),
            (ids.incident_text, 0, "incident-chat"),
            (ids.summary, 0, "inventory-changes"),
        ] {
            let json = payloads::channel(channel.get(), guild, kind, name, None);
            state.channels.insert(channel.get(), json);
        }
        state.members.insert(
            ids.admin_user.get(),
            (
                "admin".into(),
                vec![ids.admin_role.get(), ids.plain_role.get()],
            ),
        );
        state.members.insert(
            ids.plain_user.get(),
            ("plain".into(), vec![ids.plain_role.get()]),
        );
        Shared {
            ids,
            rest_addr,
            ws_addr,
            state: Mutex::new(state),
            changed: watch::Sender::new(0),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a failed test already; keep reporting from the state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn gateway_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    /// Wakes every waiter; call after changing the state.
    pub fn notify(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    pub fn dispatch(&self, event: &str, data: Value) -> u64 {
        let mut state = self.lock();
        let Some(queue) = state.session.clone() else {
            panic!("Discord stand-in: dispatch of {event} with no identified gateway client");
        };
        state.seq += 1;
        let frame = payloads::dispatch_frame(event, state.seq, data);
        let _ = queue.send(Message::Text(frame.to_string()));
        state.seq
    }

    pub async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&State) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.changed.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(t) = found(&self.lock()) {
                return t;
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                let state = self.lock();
                panic!(
                    "Discord stand-in: waited {timeout:?} for {what} in vain.\n\
                     gateway: {:?}\nrequests:\n{}",
                    state.gateway,
                    summary(&state.requests)
                );
            }
        }
    }
}

/// One line per request: method, path, status, the start of its JSON body, and why the
/// stand-in failed it, if it did.
pub(crate) fn summary(requests: &[Request]) -> String {
    if requests.is_empty() {
        return "  (none)".into();
    }
    requests
        .iter()
        .map(|r| {
            let body: String = r.json.to_string().chars().take(200).collect();
            let failure = if r.status == 500 {
                format!("\n    {}", r.response["message"])
            } else {
                String::new()
            };
            format!(
                "  {} {} -> {} {} file(s) {body}{failure}",
                r.method,
                r.path,
                r.status,
                r.files.len()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
