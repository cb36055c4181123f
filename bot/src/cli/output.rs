//! The CLI's only printer: a command's [`Outcome`] or [`Stop`] to standard output and standard
//! error, in the chosen format, and how it went as a [`Status`].

use super::{Format, Outcome, Stop};
use aiops_commands::{Reply, Status};
use aiops_core::LoadError;
use std::io::Write;

/// Prints what a command produced.
pub fn emit(outcome: Outcome, format: Format) -> Status {
    match outcome {
        Outcome::Reply(reply) => reply_out(&reply, format),
        Outcome::ExportJson(topo) => export_json(&topo),
        Outcome::Stdout(text) => write_stdout(text.as_bytes()),
        Outcome::Done(note) => {
            if !note.is_empty() {
                say(&for_terminal(&note));
            }
            Status::Ok
        }
    }
}

/// Tells the user why a command stopped.
pub fn stopped(stop: Stop, format: Format) -> Status {
    match stop {
        Stop::User(reply) => reply_out(&reply, format),
        Stop::Load(e) => {
            say(&format!(
                "aiops: {}{}",
                for_terminal(&e.to_string()),
                load_advice(&e)
            ));
            Status::UserError
        }
        Stop::Internal(e) => {
            say(&format!("aiops: {}", for_terminal(&format!("{e:#}"))));
            Status::Failed
        }
    }
}

/// What a terminal user can do about a load error, in the CLI's own flags.
fn load_advice(e: &LoadError) -> &'static str {
    match e {
        LoadError::MissingInventory { .. } => "; pass --inventory PATH or set AIOPS_INVENTORY",
        LoadError::EmptyTable {
            nonprod_left_out: true,
            ..
        } => "; use --include-nonprod to keep them",
        LoadError::NoRelationColumns { .. } => {
            " (--aliases FILE), or pass --names-only to load the names without relations"
        }
        _ => "",
    }
}

fn reply_out(reply: &Reply, format: Format) -> Status {
    if reply.status != Status::Ok {
        say(&format!("aiops: {}", for_terminal(&reply.title)));
        if format == Format::Json {
            return match json(&reply.json) {
                Ok(text) => {
                    write_stdout(text.as_bytes());
                    reply.status
                }
                Err(stop) => stopped(stop, format),
            };
        }
        return reply.status;
    }
    let out = match format {
        Format::Text => for_terminal(&reply.to_text()),
        Format::Json => match json(&reply.json) {
            Ok(text) => text,
            Err(stop) => return stopped(stop, format),
        },
        Format::Mermaid => match &reply.diagram {
            Some(d) => d.to_mermaid(),
            None => {
                say("aiops: this command has no diagram; use --format text or json");
                return Status::UserError;
            }
        },
    };
    match write_stdout(out.as_bytes()) {
        Status::Ok => reply.status,
        failed => failed,
    }
}

fn json(v: &serde_json::Value) -> Result<String, Stop> {
    aiops_commands::to_json_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Stop::Internal(anyhow::Error::new(e).context("writing JSON")))
}

/// Writes one line to standard error. If nobody reads it any more (`aiops lint 2>&1 | head -1`
/// closed the pipe), the line is lost and the command still ends with its own exit code;
/// `eprintln!` would panic and turn every such run into exit 101.
fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}").and_then(|()| stderr.flush());
}

/// Writes to standard output. A closed pipe (`aiops export | head`) is not an error worth a
/// message.
fn write_stdout(bytes: &[u8]) -> Status {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Status::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => {
            say(&format!("aiops: writing to standard output: {e}"));
            Status::Failed
        }
    }
}

/// `export --format json`, written as it is serialized: 150 MB for a 100k-row inventory.
fn export_json(topo: &aiops_core::Topology) -> Status {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // serde_json hands back the writer's own I/O error, OS message included.
    let written = aiops_commands::write_export_json(topo, &mut out)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Status::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => {
            say(&format!(
                "aiops: writing the export to standard output: {e}"
            ));
            Status::Failed
        }
    }
}

/// Text for a terminal: control characters from the sheet (an escape sequence in a cell could
/// recolour or rewrite the screen) and bidirectional overrides become U+FFFD; line breaks and
/// tabs stay. JSON escapes them anyway, and Mermaid labels drop them.
pub fn for_terminal(s: &str) -> String {
    s.chars()
        .map(|c| {
            let control = c.is_control() && c != '\n' && c != '\t';
            if control || aiops_core::text::is_bidi_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}
