//! Event handling: interactions (commands, autocomplete, buttons), new threads and messages.

use super::commands as defs;
use super::message::{self, no_mentions, short};
use crate::app::{App, Change, PendingUpload};
use crate::history::now_unix;
use aiops_commands::{self as cmds, incident, t, Context as Cx, Lang, Reply, Status};
use aiops_core::query::Direction;
use serenity::all::{
    ButtonStyle, ChannelId, Command, CommandInteraction, ComponentInteraction, Context,
    CreateActionRow, CreateAttachment, CreateAutocompleteResponse, CreateButton, CreateEmbed,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, EditMessage, EventHandler, GuildChannel, GuildId, Interaction,
    Message, MessageId, Ready, ResolvedOption, ResolvedValue,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Handler {
    app: Arc<App>,
    /// One lock per incident thread: a forum post's THREAD_CREATE and the messages that follow
    /// it arrive together, and only one of them may answer at a time.
    threads: std::sync::Mutex<std::collections::HashMap<u64, Arc<tokio::sync::Mutex<()>>>>,
}

impl Handler {
    pub fn new(app: Arc<App>) -> Self {
        Handler {
            app,
            threads: Default::default(),
        }
    }

    fn thread_lock(&self, thread: u64) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = match self.threads.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if m.len() > 10_000 {
            m.retain(|_, l| Arc::strong_count(l) > 1);
        }
        m.entry(thread).or_default().clone()
    }

    fn lang(&self, locale: &str) -> Lang {
        Lang::from_locale(Some(locale), self.app.lang)
    }

    fn is_admin(&self, cmd_roles: &[u64]) -> bool {
        cmd_roles
            .iter()
            .any(|r| self.app.cfg.admin_roles.contains(r))
    }

    fn audit(&self, user: u64, place: String, what: &str, result: &str) {
        self.app
            .with_store(|s| s.audit(now_unix(), &user.to_string(), &place, what, result));
    }
}

/// A rendered diagram as PNG, when the renderer is available and within its budget.
pub fn png(app: &App, reply: &Reply) -> Option<Vec<u8>> {
    let d = reply.diagram.as_ref()?;
    let out = crate::render::png(d, app.cfg.font_family.as_deref());
    app.metrics.render(out.is_ok());
    match out {
        Ok(png) => Some(png),
        Err(e) => {
            tracing::warn!("diagram not rendered: {e}");
            None
        }
    }
}

fn opt_str<'a>(opts: &'a [ResolvedOption<'a>], name: &str) -> Option<&'a str> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            ResolvedValue::String(s) => Some(s),
            _ => None,
        })
}

fn opt_int(opts: &[ResolvedOption<'_>], name: &str) -> Option<i64> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            ResolvedValue::Integer(i) => Some(i),
            _ => None,
        })
}

fn describe(cmd: &CommandInteraction) -> String {
    let mut s = format!("/{}", cmd.data.name);
    for o in cmd.data.options() {
        match &o.value {
            ResolvedValue::String(v) => s.push_str(&format!(
                " {}:{}",
                o.name,
                v.chars().take(100).collect::<String>()
            )),
            ResolvedValue::Integer(v) => s.push_str(&format!(" {}:{v}", o.name)),
            ResolvedValue::SubCommand(_) => s.push_str(&format!(" {}", o.name)),
            _ => s.push_str(&format!(" {}", o.name)),
        }
    }
    s
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.app.metrics.set_gateway_connected(true);
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

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) => self.command(&ctx, cmd).await,
            Interaction::Autocomplete(cmd) => self.autocomplete(&ctx, cmd).await,
            Interaction::Component(c) => self.component(&ctx, c).await,
            _ => {}
        }
    }

    async fn thread_create(&self, ctx: Context, thread: GuildChannel) {
        let Some(parent) = thread.parent_id else {
            return;
        };
        if !self.app.cfg.incident_channels.contains(&parent.get()) {
            return;
        }
        let lock = self.thread_lock(thread.id.get());
        let _held = lock.lock().await;
        let seen = self
            .app
            .with_store(|s| s.incident_thread(thread.id.get()))
            .flatten();
        if seen.is_some() {
            return;
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
        self.incident_update(&ctx, thread.id, &text, true).await;
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
    async fn command(&self, ctx: &Context, cmd: CommandInteraction) {
        let started = Instant::now();
        let name = cmd.data.name.clone();
        let place = format!(
            "guild {} / channel {}",
            cmd.guild_id.map(|g| g.get()).unwrap_or(0),
            cmd.channel_id.get()
        );
        let what = describe(&cmd);
        let Some(_work) = self.app.begin() else {
            let _ = cmd
                .create_response(
                    &ctx.http,
                    ephemeral("aiops is restarting; try again in a few seconds."),
                )
                .await;
            return;
        };
        if let Some(left) = self.app.cooldown(cmd.user.id.get()) {
            let _ = cmd
                .create_response(
                    &ctx.http,
                    ephemeral(&format!(
                        "Slow down: try again in {:.1} s.",
                        left.as_secs_f32()
                    )),
                )
                .await;
            self.audit(cmd.user.id.get(), place, &what, "cooldown");
            return;
        }
        // First response at once; the work and the diagram follow in an edit.
        if let Err(e) = cmd
            .create_response(
                &ctx.http,
                CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new()),
            )
            .await
        {
            tracing::error!(command = %name, "deferring failed: {e}");
            return;
        }
        let app = self.app.clone();
        let lang = self.lang(&cmd.locale);
        let roles: Vec<u64> = cmd
            .member
            .as_ref()
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default();
        let outcome = match name.as_str() {
            "inventory" => self.inventory(ctx, &cmd, &roles, lang).await,
            _ => {
                let cmd2 = cmd.clone();
                let work = tokio::task::spawn_blocking(move || {
                    let reply = run_query(&app, &cmd2, lang);
                    let png = if reply.status == Status::Ok {
                        png(&app, &reply)
                    } else {
                        None
                    };
                    (reply, png)
                });
                match tokio::time::timeout(Duration::from_secs(20), work).await {
                    Ok(Ok(x)) => Ok(x),
                    Ok(Err(e)) => Err(format!("the command failed: {e}")),
                    Err(_) => Err("the command took too long".to_string()),
                }
            }
        };
        let result = match outcome {
            Ok((reply, png)) => self.send_reply(ctx, &cmd, &reply, png).await,
            Err(internal) => {
                let id = error_id();
                tracing::error!(command = %what, error_id = %id, "{internal}");
                let _ = cmd
                    .edit_response(
                        &ctx.http,
                        EditInteractionResponse::new()
                            .content(format!("Something went wrong on our side (error id {id})."))
                            .allowed_mentions(no_mentions()),
                    )
                    .await;
                "error"
            }
        };
        self.app.metrics.command(&name, result, started.elapsed());
        self.audit(cmd.user.id.get(), place, &what, result);
    }

    /// Sends the final reply; if Discord refuses it, a short text reply still arrives.
    async fn send_reply(
        &self,
        ctx: &Context,
        cmd: &CommandInteraction,
        reply: &Reply,
        png: Option<Vec<u8>>,
    ) -> &'static str {
        if reply.status != Status::Ok {
            let _ = cmd
                .edit_response(
                    &ctx.http,
                    EditInteractionResponse::new()
                        .content(short(&reply.title))
                        .allowed_mentions(no_mentions()),
                )
                .await;
            return "user_error";
        }
        let limit = usize::try_from(cmd.attachment_size_limit)
            .ok()
            .filter(|l| *l > 0)
            .unwrap_or(message::DEFAULT_ATTACHMENT_LIMIT);
        let out = message::build(reply, png, limit);
        let text = out.description.clone();
        let mut edit = EditInteractionResponse::new().allowed_mentions(no_mentions());
        if let Some(e) = out.embed {
            edit = edit.embed(e);
        }
        for f in out.files {
            edit = edit.new_attachment(f);
        }
        for c in components_of(reply) {
            edit = edit.components(vec![c]);
        }
        match cmd.edit_response(&ctx.http, edit).await {
            Ok(_) => "ok",
            Err(e) => {
                let id = error_id();
                tracing::error!(error_id = %id, "final reply refused: {e}");
                let why = format!("the full answer could not be sent; error id {id}");
                let _ = cmd
                    .edit_response(
                        &ctx.http,
                        EditInteractionResponse::new()
                            .content(message::fallback(&reply.title, &text, &why))
                            .allowed_mentions(no_mentions()),
                    )
                    .await;
                "fallback"
            }
        }
    }

    async fn inventory(
        &self,
        ctx: &Context,
        cmd: &CommandInteraction,
        roles: &[u64],
        lang: Lang,
    ) -> Result<(Reply, Option<Vec<u8>>), String> {
        let opts = cmd.data.options();
        let Some(sub) = opts.first() else {
            return Ok((
                Reply::user_error(Status::UserError, "choose status, reload or upload"),
                None,
            ));
        };
        let admin = self.is_admin(roles);
        match (sub.name, &sub.value) {
            ("status", _) => Ok((status_reply(&self.app, lang), None)),
            ("reload", _) | ("upload", _) if !admin => Ok((
                Reply::user_error(
                    Status::UserError,
                    "This command requires an admin role. Ask an aiops admin to run it.",
                ),
                None,
            )),
            ("reload", _) => {
                let app = self.app.clone();
                let r = tokio::task::spawn_blocking(move || app.reload())
                    .await
                    .map_err(|e| e.to_string())?;
                match r {
                    Ok(Some(change)) => {
                        self.post_change(ctx, &change).await;
                        Ok((
                            Reply::new(format!("Reloaded: {}", change.headline))
                                .text(change.summary),
                            None,
                        ))
                    }
                    Ok(None) => Ok((Reply::new("Reloaded: no change."), None)),
                    Err(e) => Ok((
                        Reply::new("Reload failed; the inventory in force is unchanged.").text(e),
                        None,
                    )),
                }
            }
            ("upload", ResolvedValue::SubCommand(inner)) => {
                let Some(att) = inner.iter().find_map(|o| match o.value {
                    ResolvedValue::Attachment(a) => Some(a),
                    _ => None,
                }) else {
                    return Ok((
                        Reply::user_error(Status::UserError, "attach the workbook as `file`"),
                        None,
                    ));
                };
                if att.size as u64 > aiops_core::ingest::MAX_FILE_BYTES {
                    return Ok((
                        Reply::user_error(
                            Status::UserError,
                            "the file is too large for an inventory",
                        ),
                        None,
                    ));
                }
                let bytes = att
                    .download()
                    .await
                    .map_err(|e| format!("downloading the upload: {e}"))?;
                let name = att.filename.clone();
                let opts = self.app.opts.clone();
                let cur = self.app.current();
                let (bytes, parsed) = tokio::task::spawn_blocking(move || {
                    let r = aiops_core::load_bytes(&name, &bytes, &opts);
                    (bytes, r)
                })
                .await
                .map_err(|e| e.to_string())?;
                let topo = match parsed {
                    Ok(t) => t,
                    Err(e) => {
                        return Ok((
                            Reply::new("The upload does not load; nothing changed.")
                                .text(e.to_string()),
                            None,
                        ))
                    }
                };
                let reply = cmds::diff(
                    Cx::new(&cur.topo, &cur.source),
                    Cx::new(&topo, &att.filename),
                );
                let token = format!("{}-{}", cmd.id.get(), now_unix());
                if let Ok(mut p) = self.app.pending.lock() {
                    p.retain(|_, u| u.created.elapsed() < Duration::from_secs(900));
                    p.insert(
                        token.clone(),
                        PendingUpload {
                            user: cmd.user.id.get(),
                            name: att.filename.clone(),
                            bytes,
                            topo,
                            created: Instant::now(),
                        },
                    );
                }
                let mut r = reply;
                r.title = format!("Upload {}: {}", att.filename, r.title);
                r.attachments.push(aiops_commands::Attachment {
                    name: format!("confirm:{token}"),
                    bytes: Vec::new(),
                });
                let png = png(&self.app, &r);
                Ok((r, png))
            }
            _ => Ok((
                Reply::user_error(Status::UserError, "unknown subcommand"),
                None,
            )),
        }
    }

    async fn autocomplete(&self, ctx: &Context, cmd: CommandInteraction) {
        let Some(focused) = cmd.data.autocomplete() else {
            return;
        };
        let cur = self.app.current();
        let choices = cmds::autocomplete(&cur.topo, focused.value, 25);
        let mut resp = CreateAutocompleteResponse::new();
        for c in choices {
            resp = resp.add_string_choice(c.clone(), c);
        }
        let _ = cmd
            .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(resp))
            .await;
    }

    async fn component(&self, ctx: &Context, c: ComponentInteraction) {
        let id = c.data.custom_id.clone();
        let Some((action, token)) = id.strip_prefix("upload:").and_then(|s| s.split_once(':'))
        else {
            return;
        };
        let roles: Vec<u64> = c
            .member
            .as_ref()
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default();
        let pending = self.app.pending.lock().ok().and_then(|mut p| {
            let ok = p
                .get(token)
                .is_some_and(|u| u.user == c.user.id.get() || self.is_admin(&roles));
            if ok {
                p.remove(token)
            } else {
                None
            }
        });
        let text = match (action, pending) {
            (_, None) => {
                "This upload is no longer pending, or it is not yours to confirm.".to_string()
            }
            ("cancel", Some(u)) => format!("Cancelled: {} was not applied.", u.name),
            ("apply", Some(u)) => {
                let app = self.app.clone();
                let name = u.name.clone();
                let change =
                    tokio::task::spawn_blocking(move || app.install(&u.name, u.bytes, u.topo))
                        .await
                        .ok()
                        .flatten();
                match change {
                    Some(ch) => {
                        self.post_change(ctx, &ch).await;
                        format!("Applied {name}: {}", ch.headline)
                    }
                    None => {
                        format!("{name} is the same as the inventory in force; nothing changed.")
                    }
                }
            }
            _ => "Unknown action.".to_string(),
        };
        self.audit(
            c.user.id.get(),
            format!("channel {}", c.channel_id.get()),
            &format!("button {action}"),
            "ok",
        );
        let _ = c
            .create_response(
                &ctx.http,
                CreateInteractionResponse::UpdateMessage(
                    CreateInteractionResponseMessage::new()
                        .content(short(&text))
                        .components(vec![])
                        .allowed_mentions(no_mentions()),
                ),
            )
            .await;
    }

    /// Posts a change summary (with its diagram) to the summary channel.
    pub async fn post_change(&self, ctx: &Context, change: &Change) {
        post_change(&self.app, &ctx.http, change).await;
    }

    async fn incident_update(&self, ctx: &Context, thread: ChannelId, text: &str, first: bool) {
        let cur = self.app.current();
        let found: Vec<String> = incident::detect(&cur.topo, text)
            .into_iter()
            .map(|i| cur.topo.nodes()[i].id.clone())
            .collect();
        let (reply_msg, mut known) = self
            .app
            .with_store(|s| s.incident_thread(thread.get()))
            .flatten()
            .unwrap_or((None, Vec::new()));
        let before = known.len();
        for f in found {
            if !known.contains(&f) {
                known.push(f);
            }
        }
        if known.is_empty() {
            if first {
                // Remember the thread so later messages are followed, but stay silent.
                self.app
                    .with_store(|s| s.set_incident_thread(thread.get(), None, &[]));
            }
            return;
        }
        if known.len() == before && reply_msg.is_some() {
            return;
        }
        let app = self.app.clone();
        let ids = known.clone();
        let built = tokio::task::spawn_blocking(move || {
            let cur = app.current();
            let sel: Vec<usize> = ids.iter().filter_map(|id| cur.topo.index(id)).collect();
            let changes = app.recent_changes_near(&ids, 7 * 24 * 3600);
            let mut cx = Cx::new(&cur.topo, &cur.source);
            cx.lang = app.lang;
            let reply = incident::reply(cx, &sel, &changes);
            let png = png(&app, &reply);
            (reply, png)
        })
        .await;
        let Ok((reply, png)) = built else { return };
        let out = message::build(&reply, png, message::DEFAULT_ATTACHMENT_LIMIT);
        let text = out.description.clone();
        let http = &ctx.http;
        let sent = put_in_thread(http, thread, reply_msg, out.content, out.embed, out.files).await;
        // Refused in full (an embed or picture Discord would not take): the text still goes.
        let sent = match sent {
            Ok(mid) => Ok(mid),
            Err(e) => {
                let id = error_id();
                tracing::error!(error_id = %id, thread = thread.get(), "incident reply refused: {e}");
                let why = format!("the diagram could not be posted; error id {id}");
                let content = message::fallback(&reply.title, &text, &why);
                put_in_thread(http, thread, reply_msg, content, None, Vec::new()).await
            }
        };
        match sent {
            Ok(mid) => {
                self.app
                    .with_store(|s| s.set_incident_thread(thread.get(), Some(mid), &known));
            }
            Err(e) => tracing::error!(thread = thread.get(), "incident reply failed: {e}"),
        }
    }
}

/// Posts the bot's reply in an incident thread, or replaces the one it posted before
/// (`existing`): content, embed and files as given, nothing left over from the old message.
/// Returns the message id.
async fn put_in_thread(
    http: &serenity::http::Http,
    thread: ChannelId,
    existing: Option<u64>,
    content: String,
    embed: Option<CreateEmbed>,
    files: Vec<CreateAttachment>,
) -> serenity::Result<u64> {
    let embeds: Vec<CreateEmbed> = embed.into_iter().collect();
    match existing {
        Some(mid) => {
            let mut e = EditMessage::new()
                .content(content)
                .embeds(embeds)
                .remove_all_attachments()
                .allowed_mentions(no_mentions());
            for f in files {
                e = e.new_attachment(f);
            }
            thread
                .edit_message(http, MessageId::new(mid), e)
                .await
                .map(|m| m.id.get())
        }
        None => {
            let m = CreateMessage::new()
                .content(content)
                .embeds(embeds)
                .add_files(files)
                .allowed_mentions(no_mentions());
            thread.send_message(http, m).await.map(|m| m.id.get())
        }
    }
}

/// Posts a change summary to the summary channel, if one is configured.
pub async fn post_change(app: &App, http: &serenity::http::Http, change: &Change) {
    let Some(ch) = app.cfg.summary_channel else {
        return;
    };
    let mut reply = Reply::new(format!("{}: {}", change.kind.title(), change.headline))
        .text(change.summary.clone());
    if !change.diagram.nodes.is_empty() {
        reply.diagram = Some(change.diagram.clone());
    }
    let png = png(app, &reply);
    let mut out = message::build(&reply, png, message::DEFAULT_ATTACHMENT_LIMIT);
    let text = out.description.clone();
    if change.summary != change.full {
        out.files.push(serenity::all::CreateAttachment::bytes(
            change.full.clone().into_bytes(),
            "changes.txt",
        ));
    }
    let mut m = CreateMessage::new().allowed_mentions(no_mentions());
    if let Some(e) = out.embed {
        m = m.embed(e);
    }
    m = m.add_files(out.files);
    let Err(e) = ChannelId::new(ch).send_message(http, m).await else {
        return;
    };
    // Refused in full: the summary's text still goes, so no change passes unannounced.
    let id = error_id();
    tracing::error!(error_id = %id, "change summary refused: {e}");
    let why = format!("the diagram and attachments could not be posted; error id {id}");
    let m = CreateMessage::new()
        .content(message::fallback(&reply.title, &text, &why))
        .allowed_mentions(no_mentions());
    if let Err(e) = ChannelId::new(ch).send_message(http, m).await {
        tracing::error!(error_id = %id, "posting the change summary failed: {e}");
    }
}

/// An id for an error a user sees, to find it in the logs: `E{seconds mod 100000}-{counter}`.
fn error_id() -> String {
    static ERRORS: AtomicU64 = AtomicU64::new(0);
    format!(
        "E{}-{}",
        now_unix() % 100_000,
        ERRORS.fetch_add(1, Ordering::Relaxed)
    )
}

fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(short(text))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}

/// Apply/Cancel buttons for an upload awaiting confirmation.
fn components_of(reply: &Reply) -> Vec<CreateActionRow> {
    reply
        .attachments
        .iter()
        .filter_map(|a| a.name.strip_prefix("confirm:"))
        .map(|token| {
            CreateActionRow::Buttons(vec![
                CreateButton::new(format!("upload:apply:{token}"))
                    .label("Apply")
                    .style(ButtonStyle::Success),
                CreateButton::new(format!("upload:cancel:{token}"))
                    .label("Cancel")
                    .style(ButtonStyle::Secondary),
            ])
        })
        .collect()
}

/// Runs a read-only command against the inventory in force.
fn run_query(app: &App, cmd: &CommandInteraction, lang: Lang) -> Reply {
    let cur = app.current();
    let mut cx = Cx::new(&cur.topo, &cur.source);
    cx.lang = lang;
    cx.parts = cmds::Parts::CHAT;
    let opts = cmd.data.options();
    let s = |n| opt_str(&opts, n).unwrap_or("");
    let depth = opt_int(&opts, "depth").map(|d| d.clamp(1, 10) as u32);
    match cmd.data.name.as_str() {
        "deps" => {
            let dir = match opt_str(&opts, "direction") {
                Some("up") => Direction::Up,
                Some("down") => Direction::Down,
                _ => Direction::Both,
            };
            cmds::deps(cx, s("pattern"), dir, depth.unwrap_or(1))
        }
        "impact" => cmds::impact(cx, s("pattern"), depth),
        "whois" => cmds::whois(cx, s("name")),
        "role" => cmds::role(cx, s("text")),
        "owner" => cmds::owner(cx, s("team")),
        "path" => cmds::path(cx, s("from"), s("to")),
        "spof" => cmds::spof(cx),
        "lint" => cmds::lint(cx, None),
        "diagram" => cmds::deps(cx, s("pattern"), Direction::Both, depth.unwrap_or(2)),
        "changes" => changes_reply(
            app,
            opt_str(&opts, "since").unwrap_or("7d"),
            opt_str(&opts, "pattern"),
        ),
        "help" => help_reply(lang),
        other => Reply::user_error(Status::UserError, format!("unknown command /{other}")),
    }
}

fn changes_reply(app: &App, since: &str, pattern: Option<&str>) -> Reply {
    let since_parsed = match cmds::parse_since(since) {
        Ok(s) => s,
        Err(e) => return Reply::user_error(Status::UserError, e),
    };
    let versions = app.with_store(|s| s.list()).unwrap_or_default();
    let cutoff = match since_parsed {
        cmds::Since::Ago(secs) => now_unix() - secs as i64,
        cmds::Since::Version(id) => versions
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.seen_at)
            .unwrap_or(i64::MIN),
    };
    let mut window: Vec<(cmds::VersionInfo, aiops_core::Topology)> = Vec::new();
    let mut chosen: Vec<&crate::history::Version> =
        versions.iter().filter(|v| v.seen_at >= cutoff).collect();
    if let Some(base) = versions.iter().find(|v| v.seen_at < cutoff) {
        chosen.push(base);
    }
    chosen.sort_by_key(|v| v.id);
    for v in chosen {
        let Some(bytes) = app.with_store(|s| s.bytes(v.id)).flatten() else {
            continue;
        };
        if let Ok(t) = aiops_core::load_bytes(&v.source, &bytes, &app.opts) {
            window.push((v.info(), t));
        }
    }
    match pattern {
        Some(p) => cmds::changes(p, since, &window),
        None => match (window.first(), window.last()) {
            (Some((a, ta)), Some((b, tb))) if window.len() > 1 => cmds::diff(
                Cx::new(ta, &format!("v{}", a.id)),
                Cx::new(tb, &format!("v{}", b.id)),
            ),
            _ => Reply::new(format!("No inventory changes since {since}.")),
        },
    }
}

fn status_reply(app: &App, lang: Lang) -> Reply {
    let cur = app.current();
    let diags = cur.topo.diagnostics();
    let mut r = Reply::new(format!(
        "{}: {} instances, {} relations",
        cur.source,
        cur.topo.instance_count(),
        cur.topo.edges().len()
    ))
    .table(vec![
        vec![
            "version".into(),
            cur.version
                .map(|v| format!("v{v}"))
                .unwrap_or_else(|| "— (no history)".into()),
        ],
        vec!["sha256".into(), cur.sha256.chars().take(12).collect()],
        vec!["loaded".into(), crate::history::rfc3339(cur.loaded_at)],
        vec!["diagnostics".into(), diags.len().to_string()],
        vec![
            "last error".into(),
            app.last_error().unwrap_or_else(|| "none".into()),
        ],
    ]);
    if !diags.is_empty() {
        let lines: Vec<String> = diags.iter().take(15).map(|d| d.to_string()).collect();
        r = r.heading(t(lang, "Diagnostics")).text(lines.join("\n"));
    }
    r
}

fn help_reply(lang: Lang) -> Reply {
    let _ = lang;
    Reply::new("aiops: the production inventory as a dependency graph").text(
        "/deps pattern:aie1p-ces-* — what it calls and what calls it\n\
         /impact pattern:spotdb — who breaks, who starves, entry points hit\n\
         /whois name:… — role, owner, pool size, neighbours\n\
         /role text:撮合 · /owner team:… — which boxes\n\
         /path from:客户端 to:… — dependency paths\n\
         /spof — single points of failure\n\
         /diagram pattern:… depth:2 — a picture of the neighbourhood\n\
         /changes since:7d pattern:… — what changed nearby\n\
         /lint — what to fix in the sheet\n\
         /inventory status|reload|upload — the inventory in force (reload/upload: admins)\n\
         Patterns: exact name, glob (aie1p-ces-*), re:REGEX, or part of a resource name.",
    )
}
