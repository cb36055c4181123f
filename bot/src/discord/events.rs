//! Event dispatch: the gateway's events (ready, interactions, new threads, messages) to the
//! parts of the bot that handle them.

use super::commands as defs;
use super::state::Handler;
use aiops_commands as cmds;
use serenity::all::{
    Command, CommandInteraction, ConnectionStage, Context, CreateAutocompleteResponse,
    CreateInteractionResponse, EventHandler, GuildChannel, GuildId, Interaction, Message,
    MessageId, Ready, ResumedEvent, ShardStageUpdateEvent,
};

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.app.metrics.set_gateway_connected(true);
        self.app.set_gateway_state("connected".into());
        let _same_user_on_every_ready = self.bot_user.set(ready.user.id.get());
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "gateway ready");
        let defs = defs::definitions();
        let result = match self.app.cfg.guild {
            Some(g) => GuildId::new(g)
                .set_commands(&ctx.http, defs)
                .await
                .map(|c| c.len()),
            None => Command::set_global_commands(&ctx.http, defs)
                .await
                .map(|c| c.len()),
        };
        match result {
            Ok(n) => tracing::info!(commands = n, "slash commands registered"),
            Err(e) => tracing::error!("registering slash commands failed: {e}"),
        }
    }

    async fn resume(&self, _ctx: Context, _: ResumedEvent) {
        self.app.metrics.set_gateway_connected(true);
        self.app.set_gateway_state("connected (resumed)".into());
    }

    async fn shard_stage_update(&self, _ctx: Context, ev: ShardStageUpdateEvent) {
        tracing::info!(from = %ev.old, to = %ev.new, "gateway");
        if ev.new != ConnectionStage::Connected {
            self.app.metrics.set_gateway_connected(false);
            self.app.set_gateway_state(ev.new.to_string());
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) => self.command(&ctx, cmd).await,
            Interaction::Autocomplete(cmd) => self.autocomplete(&ctx, cmd).await,
            Interaction::Component(c) => self.component(&ctx, c).await,
            _ => {}
        }
    }

    async fn thread_create(&self, ctx: Context, thread: GuildChannel) {
        let outcome = self.new_thread(&ctx, thread).await;
        self.app.metrics.thread_event(outcome);
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        let lock = self.thread_lock(msg.channel_id.get());
        let _held = lock.lock().await;
        let known = self
            .app
            .with_store(|s| s.incident_thread(msg.channel_id.get()))
            .flatten();
        if known.is_none() {
            // Only threads already seen in an incident channel are followed.
            return;
        }
        self.incident_update(&ctx, msg.channel_id, &msg.content, false)
            .await;
    }
}

impl Handler {
    /// A new thread: answered when it opens in an incident channel. Says what became of it,
    /// for `/metrics`, once it is done with.
    async fn new_thread(&self, ctx: &Context, thread: GuildChannel) -> &'static str {
        let Some(parent) = thread.parent_id else {
            return "no_parent";
        };
        if !self.app.cfg.incident_channels.contains(&parent.get()) {
            return "not_incident_channel";
        }
        if thread.owner_id.map(|u| u.get()) == self.bot_user.get().copied() {
            // An alert thread the bot opened: its message is the answer already.
            return "own_thread";
        }
        let lock = self.thread_lock(thread.id.get());
        let _held = lock.lock().await;
        let seen = self
            .app
            .with_store(|s| s.incident_thread(thread.id.get()))
            .flatten();
        if seen.is_some() {
            return "known";
        }
        // A forum post's starter message has the thread's id; so does a thread started from a
        // message. Threads without one are read by name only.
        let starter = thread
            .id
            .message(&ctx.http, MessageId::new(thread.id.get()))
            .await
            .map(|m| m.content)
            .unwrap_or_default();
        let text = format!("{}\n{}", thread.name, starter);
        self.incident_update(ctx, thread.id, &text, true).await;
        "incident"
    }

    pub(super) async fn autocomplete(&self, ctx: &Context, cmd: CommandInteraction) {
        let Some(focused) = cmd.data.autocomplete() else {
            return;
        };
        let cur = self.app.current();
        let choices = cmds::autocomplete(&cur.topo, focused.value, 25);
        let mut resp = CreateAutocompleteResponse::new();
        for c in choices {
            resp = resp.add_string_choice(c.clone(), c);
        }
        let answer = CreateInteractionResponse::Autocomplete(resp);
        if let Err(e) = cmd.create_response(&ctx.http, answer).await {
            tracing::warn!(command = %cmd.data.name, "autocomplete answer failed: {e}");
        }
    }
}
