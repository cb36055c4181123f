//! `aiops alert FILE… [--source S] [--label-key K…]`: what the bot would post for an alert
//! webhook body, on the terminal. Several files are later deliveries of the same group, applied
//! in order, as the bot applies them; the answer is the group's state after the last.

use super::history::load_and_record;
use super::query::{context, ec2_report};
use super::{Args, Outcome, Stop};
use crate::stamp::now_unix;
use aiops_commands::{self as commands, Status};
use aiops_core::alert::{self, AlertError, Applied, Group, LabelKeys, Source};
use std::path::PathBuf;

pub fn alert(
    args: &Args,
    files: &[PathBuf],
    source: Option<Source>,
    label_keys: &[String],
) -> Result<Outcome, Stop> {
    let now = now_unix();
    let mut group: Option<Group> = None;
    for path in files {
        let file = path.display().to_string();
        let bytes = aiops_core::read_file(path)?;
        let refuse = |why: String| Stop::user(Status::UserError, format!("{file}: {why}"));
        let source = match source.or_else(|| alert::detect_source(&bytes)) {
            Some(s) => s,
            None if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() => {
                let e = alert::parse(Source::Alertmanager, &bytes)
                    .err()
                    .map_or_else(String::new, |e| e.to_string());
                return Err(refuse(e));
            }
            None => {
                return Err(refuse(
                    "not the body of an Alertmanager, Grafana or PagerDuty webhook \
                     (pass --source to say which it should be)"
                        .into(),
                ))
            }
        };
        let delivery = match alert::parse(source, &bytes) {
            Ok(d) => d,
            Err(e @ AlertError::Ignored { .. }) => {
                return Ok(Outcome::Done(format!("{file}: {e}")));
            }
            Err(e) => return Err(refuse(format!("not what {} sends: {e}", source.label()))),
        };
        match &mut group {
            None => group = Some(Group::new(&delivery, now)),
            Some(g) if g.source != delivery.source || g.group_key != delivery.group_key => {
                return Err(refuse(format!(
                    "group {} is not the group of the files before it ({})",
                    delivery.group_key, g.group_key
                )));
            }
            Some(g) => {
                if g.apply(&delivery, now) == Applied::Reopened {
                    tracing::info!(file, "the group fired again after it resolved");
                }
            }
        }
    }
    let Some(group) = group else {
        return Err(Stop::user(Status::UserError, "alert needs a FILE"));
    };
    let keys = LabelKeys::or_default(label_keys);
    let loaded = load_and_record(args)?;
    let ec2 = ec2_report(args, &loaded.topo)?;
    let mut ctx = context(args, &loaded);
    ctx.ec2 = ec2.as_ref();
    let found = alert::find(&loaded.topo, &group, &keys);
    Ok(Outcome::reply(commands::alert(
        ctx,
        &group,
        &found,
        &[],
        &[],
    )))
}
