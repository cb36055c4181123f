//! The handler's state, shared by every part of the bot that answers events: the app, uploads
//! awaiting confirmation, one lock per incident thread, and the small helpers they all use.

use super::uploads::Uploads;
use crate::app::App;
use crate::stamp::now_unix;
use aiops_commands::Lang;
use std::sync::Arc;

pub struct Handler {
    pub(super) app: Arc<App>,
    /// Uploaded workbooks waiting for Apply or Cancel.
    pub(super) uploads: Uploads,
    /// One lock per incident thread: a forum post's THREAD_CREATE and the messages that follow
    /// it arrive together, and only one of them may answer at a time.
    threads: std::sync::Mutex<std::collections::HashMap<u64, Arc<tokio::sync::Mutex<()>>>>,
    /// The bot's own user id, from READY: threads it opens itself (alert threads) are not
    /// incident threads to answer.
    pub(super) bot_user: std::sync::OnceLock<u64>,
}

impl Handler {
    pub fn new(app: Arc<App>) -> Self {
        Handler {
            app,
            uploads: Uploads::default(),
            threads: Default::default(),
            bot_user: std::sync::OnceLock::new(),
        }
    }

    pub(super) fn thread_lock(&self, thread: u64) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = match self.threads.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if m.len() > 10_000 {
            m.retain(|_, l| Arc::strong_count(l) > 1);
        }
        m.entry(thread).or_default().clone()
    }

    pub(super) fn lang(&self, locale: &str) -> Lang {
        Lang::from_locale(Some(locale), self.app.lang)
    }

    pub(super) fn is_admin(&self, cmd_roles: &[u64]) -> bool {
        cmd_roles
            .iter()
            .any(|r| self.app.cfg.admin_roles.contains(r))
    }

    pub(super) fn audit(&self, user: u64, place: String, what: &str, result: &str) {
        self.app
            .with_store(|s| s.audit(now_unix(), &user.to_string(), &place, what, result));
    }
}
