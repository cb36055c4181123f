//! `aiops serve` and `aiops check-config`: the bot's configuration, and the bot itself until
//! SIGTERM or Ctrl-C.

use super::{Outcome, Stop};
use crate::config::Config;
use aiops_commands::Status;
use anyhow::Context as _;
use std::path::Path;

/// Validates the config and shows the effective settings (never the token).
pub fn check_config(config: Option<&Path>) -> Result<Outcome, Stop> {
    Ok(Outcome::Stdout(load(config)?.describe()))
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
        tracing::info!(addr = %cfg.health_addr, "health and metrics listening");
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
