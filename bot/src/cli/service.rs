//! `aiops serve` and `aiops check-config`: the bot's configuration, and the bot itself until
//! SIGTERM or Ctrl-C.

use super::{Outcome, Stop};
use crate::config::Config;
use aiops_commands::Status;
use anyhow::Context as _;
use std::path::Path;

/// Validates the config and shows the effective settings (never the token).
pub fn check_config(config: Option<&Path>) -> Result<Outcome, Stop> {
    let cfg = load(config)?;
    let refuse = |m: String| Err(Stop::user(Status::UserError, m));
    for (what, path) in [("inventory", &cfg.inventory), ("aliases", &cfg.aliases)] {
        if let Some(p) = path {
            if !p.is_file() {
                return refuse(format!(
                    "{what} {}: no such file (the bot would not start serving it)",
                    p.display()
                ));
            }
        }
    }
    if let Err(why) = state_dir_usable(&cfg.state_dir) {
        return refuse(format!(
            "state_dir {}: {why} (history and the audit log need it)",
            cfg.state_dir.display()
        ));
    }
    let mut out = cfg.describe();
    if cfg.token.is_none() {
        out.push_str(
            "# warning: DISCORD_TOKEN is not set: `aiops serve` cannot connect to Discord\n",
        );
    }
    Ok(Outcome::Stdout(out))
}

/// Whether the state directory exists and is writable, or can be created: the nearest
/// existing ancestor is a writable directory. Creates nothing that stays.
fn state_dir_usable(dir: &Path) -> Result<(), String> {
    let mut at = dir;
    loop {
        if at.exists() {
            break;
        }
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p,
            _ => {
                at = Path::new(".");
                break;
            }
        }
    }
    if !at.is_dir() {
        return Err(format!("{} is not a directory", at.display()));
    }
    let probe = at.join(format!(".aiops-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| format!("cannot write in {}: {e}", at.display()))?;
    std::fs::remove_file(&probe).map_err(|e| format!("cannot clean up {}: {e}", probe.display()))
}

/// Runs the bot until SIGTERM or Ctrl-C, then shuts down cleanly.
pub fn serve(config: Option<&Path>) -> Result<Outcome, Stop> {
    let cfg = load(config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let health = tokio::net::TcpListener::bind(&cfg.health_addr)
            .await
            .with_context(|| format!("binding the health port {}", cfg.health_addr))?;
        // The bound address, so port 0 (tests, a quick local run) says which port it got.
        let addr = health
            .local_addr()
            .map_or_else(|_| cfg.health_addr.clone(), |a| a.to_string());
        tracing::info!(addr = %addr, "HTTP (health, metrics, alert webhooks) listening");
        crate::serve::run(
            cfg,
            health,
            std::sync::Arc::new(crate::serve::SystemClock),
            signalled(),
        )
        .await
    })?;
    Ok(Outcome::Done(String::new()))
}

fn load(config: Option<&Path>) -> Result<Config, Stop> {
    let env = |k: &str| std::env::var(k).ok();
    Config::load(config, &env).map_err(|e| Stop::user(Status::UserError, format!("{e:#}")))
}

/// Resolves on SIGTERM (how systemd and Kubernetes stop a service) or Ctrl-C.
async fn signalled() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM ({e}); stopping on Ctrl-C only");
                if let Err(e) = tokio::signal::ctrl_c().await {
                    tracing::error!("cannot listen for Ctrl-C either: {e}");
                    std::future::pending::<()>().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!("cannot listen for Ctrl-C: {e}");
        std::future::pending::<()>().await;
    }
    tracing::info!("shutting down: finishing commands in flight");
}
