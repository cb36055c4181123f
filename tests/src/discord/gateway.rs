//! The stand-in's gateway: Hello on connect, READY after Identify, RESUMED after a Resume of the
//! stand-in's session (an Invalid Session for any other), an ACK for every heartbeat, and a reply
//! to the client's Close frame, which serenity waits for before a shutdown completes. A test can
//! send op 7 (Reconnect) and op 9 (Invalid Session) and drop the connection without a Close frame.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::payloads;
use super::state::Shared;

/// How often the client is told to heartbeat. serenity sends its first heartbeat one interval
/// after Identify, so this is short enough for a test to see heartbeats, and long enough that a
/// busy machine does not delay an ACK past the next beat (which makes serenity reconnect).
const HEARTBEAT_INTERVAL_MS: u64 = 1_500;

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(connection(Arc::clone(&shared), stream));
    }
}

async fn connection(shared: Arc<Shared>, stream: TcpStream) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (queue, mut outgoing) = mpsc::unbounded_channel::<Message>();
    let (kill, mut killed) = mpsc::unbounded_channel::<()>();
    {
        let mut state = shared.lock();
        state.gateway.connections += 1;
        state.open_connections += 1;
        state.gateway.connected = true;
        state.gateway.close_code = None;
    }
    shared.notify();
    let hello = json!({ "op": 10, "s": null, "t": null,
                        "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS } });
    let _ = queue.send(Message::Text(hello.to_string()));

    loop {
        tokio::select! {
            Some(()) = killed.recv() => break,
            Some(message) = outgoing.recv() => {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!("Discord stand-in: gateway frame is not JSON ({e}): {text}")
                    });
                    on_frame(&shared, &queue, &kill, frame);
                }
                Some(Ok(Message::Close(frame))) => {
                    shared.lock().gateway.close_code = frame.map(|f| u16::from(f.code));
                    // tungstenite queued the reply Close; flushing sends it.
                    let _ = sink.flush().await;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    }

    {
        let mut state = shared.lock();
        // A reconnecting client may open the new connection before the old one is gone.
        state.open_connections -= 1;
        state.gateway.connected = state.open_connections > 0;
        if state
            .session
            .as_ref()
            .is_some_and(|q| q.same_channel(&queue))
        {
            state.session = None;
            state.kill = None;
        }
    }
    shared.notify();
}

fn on_frame(
    shared: &Shared,
    queue: &mpsc::UnboundedSender<Message>,
    kill: &mpsc::UnboundedSender<()>,
    frame: Value,
) {
    let send = |json: Value| {
        let _ = queue.send(Message::Text(json.to_string()));
    };
    match frame["op"].as_u64() {
        Some(1) => {
            shared.lock().gateway.heartbeats += 1;
            shared.notify();
            send(json!({ "op": 11, "s": null, "t": null, "d": null }));
        }
        Some(2) => {
            let ids = &shared.ids;
            let ready = payloads::ready(
                ids.bot_user.get(),
                ids.application.get(),
                ids.guild.get(),
                &shared.gateway_url(),
            );
            {
                let mut state = shared.lock();
                // READY goes into this connection's queue before the Identify is recorded, so a
                // test that waited for the Identify dispatches after READY.
                send(payloads::dispatch_frame("READY", 1, ready));
                state.session = Some(queue.clone());
                state.kill = Some(kill.clone());
                state.seq = 1;
                state.gateway.identifies.push(frame["d"].clone());
                state.gateway.identified_at.push(std::time::Instant::now());
            }
            shared.notify();
        }
        Some(6) if frame["d"]["session_id"] == payloads::SESSION_ID => {
            {
                let mut state = shared.lock();
                state.seq += 1;
                send(payloads::dispatch_frame("RESUMED", state.seq, json!({})));
                state.session = Some(queue.clone());
                state.kill = Some(kill.clone());
                state.gateway.resumes += 1;
            }
            shared.notify();
        }
        Some(6) => send(json!({ "op": 9, "s": null, "t": null, "d": false })),
        _ => {}
    }
}
