//! aiops-bot: the `aiops` command line and the Discord bot, the only crate that knows clap,
//! serenity, SQLite and the environment.
//!
//! Layers, without cycles: the front ends [`cli`] (clap) and [`serve`] + [`app`] + [`discord`]
//! (serenity) sit on shared leaves that import neither: [`loading`], [`window`], [`picture`],
//! [`stamp`], [`store`], [`watch`], [`schedule`], [`rate`], [`metrics`], [`http`] (the HTTP
//! server: health, metrics, alert webhooks), [`alerts`] (the alert inbox), [`ec2`] (reading what runs in EC2), [`config`]. `main.rs`
//! only parses arguments and exits with the code [`cli::run`] gives; tests drive [`serve::run`]
//! in-process.

pub mod alerts;
pub mod app;
pub mod cli;
pub mod config;
pub mod discord;
pub mod ec2;
pub mod http;
pub mod loading;
pub mod metrics;
pub mod picture;
pub mod rate;
pub mod schedule;
pub mod serve;
pub mod stamp;
pub mod store;
pub mod watch;
pub mod window;
