//! `/alerts list`: the alert groups firing now, with their components; `/alerts silence
//! group:<id> [for:<duration>]` (admins): no updates of that group's message for a while
//! (`[alerts] silence_minutes` by default), after which the changes meanwhile are posted
//! together. Discord does not let a command with subcommands run bare, hence `list`.

use super::answer::Answer;
use crate::app::App;
use crate::stamp::now_unix;
use aiops_commands::{Lang, Msg, Reply, Since, Status};
use aiops_core::alert::{self, Group, LabelKeys};
use serenity::all::{
    CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption, ResolvedOption,
    ResolvedValue,
};

/// The admin refusal, as `/inventory` words it.
use super::inventory::ADMIN_ONLY;

/// The command's definition, for registration.
pub fn definition() -> CreateCommand {
    CreateCommand::new("alerts")
        .description("Alert groups firing now, with their components")
        .add_option(CreateCommandOption::new(
            CommandOptionType::SubCommand,
            "list",
            "The alert groups firing now and their components",
        ))
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "silence",
                "Stop updates of an alert group's message for a while (admins)",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "group",
                    "The group's id, as /alerts list shows it",
                )
                .required(true)
                .min_int_value(1),
            )
            .add_sub_option(
                CreateCommandOption::new(CommandOptionType::String, "for", "30m, 2h, 1d")
                    .max_length(20),
            ),
        )
}

/// Runs `/alerts` (on the blocking pool: it finds every firing group's components).
pub fn answer(app: &App, admin: bool, cmd: &CommandInteraction, lang: Lang) -> Answer {
    let opts = cmd.data.options();
    match opts.first() {
        Some(ResolvedOption {
            name: "silence",
            value: ResolvedValue::SubCommand(sub),
            ..
        }) => {
            if admin {
                Answer::text(silence(app, sub, lang))
            } else {
                Answer::text(Reply::user_error(Status::UserError, ADMIN_ONLY))
            }
        }
        _ => Answer::text(list(app, lang)),
    }
}

/// The groups firing now, each with the components its alerts name.
fn list(app: &App, lang: Lang) -> Reply {
    let Some(rows) = app.with_store(|s| s.firing_alert_groups()) else {
        return Reply::user_error(Status::Failed, Msg::AlertStoreUnavailable.text(lang));
    };
    let cur = app.current();
    let keys = LabelKeys::or_default(&app.cfg.alerts.label_keys);
    let now = now_unix();
    let mut table = Vec::new();
    for row in rows {
        let Ok(g) = serde_json::from_str::<Group>(&row.state) else {
            continue;
        };
        let found = alert::find(&cur.topo, &g, &keys);
        // What the alerts still firing name, as the group's message counts them.
        let names: Vec<String> = found
            .open
            .iter()
            .map(|&i| cur.topo.nodes()[i].id.clone())
            .collect();
        let components = if names.is_empty() {
            Msg::NoComponentMatched.text(lang).into_owned()
        } else {
            names.join(", ")
        };
        let silenced = row
            .silenced_until
            .filter(|u| *u > now)
            .map(|u| Msg::SilencedUntil(&alert::utc(u)).text(lang).into_owned())
            .unwrap_or_default();
        table.push(vec![
            format!("#{}", row.id),
            g.title.clone(),
            Msg::AlertStatus(g.status).text(lang).into_owned(),
            Msg::Since(&alert::utc(g.opened_at)).text(lang).into_owned(),
            components,
            silenced,
        ]);
    }
    if table.is_empty() {
        return Reply::new(Msg::NoAlertGroupFiring.text(lang));
    }
    Reply::new(Msg::Alerts.text(lang)).table(table)
}

fn silence(app: &App, opts: &[ResolvedOption<'_>], lang: Lang) -> Reply {
    let group = opts.iter().find_map(|o| match (o.name, &o.value) {
        ("group", ResolvedValue::Integer(i)) => Some(*i),
        _ => None,
    });
    let Some(group) = group else {
        return Reply::user_error(Status::UserError, Msg::NameTheAlertGroup.text(lang));
    };
    let secs = match opts.iter().find_map(|o| match (o.name, &o.value) {
        ("for", ResolvedValue::String(s)) => Some(*s),
        _ => None,
    }) {
        None => app.cfg.alerts.silence_minutes.saturating_mul(60),
        Some(text) => match aiops_commands::parse_since(text) {
            Ok(Since::Ago(secs)) if secs > 0 => secs,
            Ok(_) => {
                return Reply::user_error(
                    Status::UserError,
                    aiops_commands::BadSince(text.to_string()).text(lang),
                )
            }
            Err(e) => return Reply::user_error(Status::UserError, e.text(lang)),
        },
    };
    let until = now_unix().saturating_add(i64::try_from(secs).unwrap_or(i64::MAX));
    let done = app.with_store(|s| {
        let row = s.alert_group_by_id(group)?;
        if row.is_some() {
            s.silence_alert_group(group, until)?;
        }
        Ok(row)
    });
    match done {
        None => Reply::user_error(Status::Failed, Msg::AlertStoreUnavailable.text(lang)),
        Some(None) => Reply::user_error(Status::NotFound, Msg::NoSuchAlertGroup(group).text(lang)),
        Some(Some(row)) => Reply::new(
            Msg::AlertGroupSilenced {
                group,
                title: &row.title,
                until: &alert::utc(until),
            }
            .text(lang),
        )
        .text(format!("#{group}")),
    }
}
