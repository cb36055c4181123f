//! Reading what runs in EC2 for the bot: the configured describe-instances files, or the output
//! of the configured command (run without a shell, its stderr logged, killed at its time
//! limit). A leaf: it knows neither the app nor Discord; `serve` decides when to read and
//! `app` keeps the result.

use crate::config::Ec2Source;
use aiops_core::reconcile::Instance;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// How much of a failing command's stderr goes into its error (all of it goes to the log).
const STDERR_IN_ERROR: usize = 300;
/// The most of a command's stderr logged per run.
const STDERR_LOGGED: usize = 4000;

/// One successful read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub instances: Vec<Instance>,
    /// Where it came from, as a reader would name it: the files, or the command line.
    pub source: String,
}

/// What the files looked like when last read, each as the inventory watcher stamps its file
/// (time, size, inode, mode, owner), so a poll reads them again only after one changed,
/// was replaced through a symlink, or had its permissions changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature(Vec<Option<crate::watch::Stamp>>);

impl Signature {
    pub fn of(paths: &[PathBuf]) -> Signature {
        Signature(
            paths
                .iter()
                .map(|p| {
                    std::fs::metadata(p)
                        .ok()
                        .map(|m| crate::watch::Stamp::of(&m))
                })
                .collect(),
        )
    }
}

/// The source in a few words, for `/inventory status` and logs.
pub fn describe(source: &Ec2Source) -> String {
    match source {
        Ec2Source::Files(paths) => paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Ec2Source::Command { line, .. } => format!("`{line}`"),
    }
}

/// Reads the source once. An error says what failed in a sentence naming the file or the
/// command; the caller keeps the last good result.
pub async fn read(source: &Ec2Source) -> Result<Read, String> {
    match source {
        Ec2Source::Files(paths) => {
            let paths = paths.clone();
            let instances = tokio::task::spawn_blocking(move || crate::loading::ec2(&paths))
                .await
                .map_err(|e| format!("reading the EC2 files failed: {e}"))??;
            Ok(Read {
                instances,
                source: describe(source),
            })
        }
        Ec2Source::Command {
            line,
            argv,
            timeout,
            ..
        } => {
            let bytes = run_command(line, argv, *timeout).await?;
            let label = format!("the output of `{line}`");
            let instances = tokio::task::spawn_blocking(move || {
                aiops_core::reconcile::parse(&label, &bytes).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| format!("reading the output of `{line}` failed: {e}"))??;
            Ok(Read {
                instances,
                source: describe(source),
            })
        }
    }
}

/// Runs `argv` with no stdin, collecting stdout; stderr is logged. Not found, killed at
/// `timeout`, or a non-zero exit is an error naming the command.
async fn run_command(line: &str, argv: &[String], timeout: Duration) -> Result<Vec<u8>, String> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| format!("`{line}` names no program"))?;
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("`{line}` could not be started: {e}"))?;
    let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        // Dropping the future drops the child, which kills it.
        Err(_) => {
            return Err(format!(
                "`{line}` did not finish within {} s and was stopped",
                timeout.as_secs()
            ))
        }
        Ok(Err(e)) => return Err(format!("`{line}` failed: {e}")),
        Ok(Ok(out)) => out,
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = stderr.trim();
    if !stderr.is_empty() {
        tracing::warn!(
            command = line,
            "EC2 command wrote to stderr: {}",
            clip(stderr, STDERR_LOGGED)
        );
    }
    if !out.status.success() {
        let how = match out.status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        let said = if stderr.is_empty() {
            String::new()
        } else {
            format!(": {}", clip(stderr, STDERR_IN_ERROR))
        };
        return Err(format!("`{line}` {how}{said}"));
    }
    Ok(out.stdout)
}

/// At most `max` bytes of `s`, cut at a character boundary, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("节点池", 4), "节…");
    }

    #[test]
    fn a_signature_changes_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ec2.json");
        let missing = Signature::of(std::slice::from_ref(&p));
        std::fs::write(&p, "{}").unwrap();
        let written = Signature::of(std::slice::from_ref(&p));
        assert_ne!(missing, written);
        std::fs::write(&p, "{\"Reservations\":[]}").unwrap();
        assert_ne!(written, Signature::of(std::slice::from_ref(&p)));
    }
}
