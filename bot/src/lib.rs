//! aiops-bot: the `aiops` command line and the Discord bot. `main.rs` only parses arguments and
//! maps the outcome to an exit code; tests drive [`serve::run`] in-process.

pub mod app;
pub mod cli;
pub mod config;
pub mod discord;
pub mod health;
pub mod history;
pub mod history_cli;
pub mod metrics;
pub mod render;
pub mod schedule;
pub mod serve;
pub mod watch;
