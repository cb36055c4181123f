//! The Discord bot: slash commands with autocomplete, incident-thread replies, change summaries.
//! With `serve` and `app`, the only place that knows serenity.
//!
//! `state` is the handler's shared state; `events` dispatches the gateway's events; `runner` runs
//! every slash command (admission, rate limits, defer, time limit, reply, audit), `deliver` gets
//! each send through Discord's outages; `queries` are the read-only commands,
//! `inventory` is `/inventory` and its upload buttons, `incident` answers incident threads and
//! `announce` posts change summaries, `alerts` keeps one message per alert group up to date
//! (`alerts_post` puts it in Discord, `alerts_command` is `/alerts`); `answer` holds what they answer with, `uploads` the
//! uploads awaiting confirmation. `message` fits a reply into Discord's limits.

pub mod alerts;
mod alerts_command;
mod alerts_post;
mod announce;
mod answer;
pub mod commands;
mod deliver;
mod events;
mod incident;
mod inventory;
pub mod message;
mod queries;
mod runner;
mod state;
mod uploads;

pub use announce::post_change;
pub use state::Handler;

use crate::app::App;
use anyhow::{Context as _, Result};
use serenity::all::{ClientBuilder, GatewayIntents, HttpBuilder, ShardId};
use std::sync::Arc;

/// The gateway intents the bot needs: guilds (threads), guild messages and their content (to
/// read incident threads). Nothing else.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT
}

/// Builds the REST client: through the configured proxy (with serenity's own ratelimiter off,
/// because the proxy limits instead), or straight to Discord.
pub fn http(app: &App, token: &str) -> serenity::http::Http {
    let mut b = HttpBuilder::new(token);
    if let Some(proxy) = &app.cfg.discord_proxy {
        b = b.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    b.build()
}

/// The one shard the bot runs.
const SHARD: ShardId = ShardId(0);
/// A shard id no runner has: shutting it down only takes a notice off serenity's queue.
const SPARE_TAKER: ShardId = ShardId(u32::MAX);

/// Runs the gateway client until `shutdown` resolves, then closes the gateway.
///
/// A workaround for serenity 0.12.5's shard manager, which tells "a shard has shut down" through
/// one queue of notices: when a shard re-identifies (after an op 9 Invalid Session, a failed
/// heartbeat or resume), the manager shuts the old runner down and waits up to 5 s for its
/// notice, which never comes (that runner is the one waiting), and then queues a notice nobody
/// waits for. The reconnect takes 5 s, and the stale notice ends the next shutdown's wait before
/// the shard has sent its Close frame: the process exits without one. Keeping exactly one spare
/// notice on the queue from the start fixes both: a restart takes the spare at once and leaves
/// one behind, and the shutdown takes the spare before it waits for the real notice.
pub async fn run(
    app: Arc<App>,
    token: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let http = http(&app, token);
    let handler = Handler::new(app.clone());
    let mut client = ClientBuilder::new_with_http(http, intents())
        .event_handler(handler)
        .await
        .context("building the Discord client")?;
    let shards = client.shard_manager.clone();
    // Before the shard starts, so the count below holds from the first restart on.
    shards.shutdown_finished(SHARD);
    let app2 = app.clone();
    tokio::spawn(async move {
        shutdown.await;
        app2.drain(std::time::Duration::from_secs(4)).await;
        // Take the spare notice, so shutting the shard down waits for its real one: the notice
        // comes after the shard has sent its Close frame and seen Discord's reply.
        tracing::info!("closing the gateway (taking serenity's spare shutdown notice first)");
        shards.shutdown(SPARE_TAKER, 1000).await;
        shards.shutdown_all().await;
    });
    let r = client.start().await.context("Discord gateway");
    app.metrics.set_gateway_connected(false);
    r
}
