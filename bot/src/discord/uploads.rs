//! Uploaded workbooks waiting for Apply or Cancel, for at most [`UPLOAD_TTL`].

use aiops_core::Topology;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an upload waits for Apply or Cancel.
pub const UPLOAD_TTL: Duration = Duration::from_secs(900);

/// Uploaded workbooks waiting for Apply or Cancel, by the token their buttons carry.
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, PendingUpload>>);

/// An uploaded workbook waiting for Apply or Cancel.
pub struct PendingUpload {
    pub user: u64,
    pub name: String,
    pub bytes: Vec<u8>,
    pub topo: Topology,
    pub created: Instant,
}

impl Uploads {
    pub fn put(&self, token: String, upload: PendingUpload) {
        let mut p = self.0.lock().unwrap_or_else(|e| e.into_inner());
        p.retain(|_, u| u.created.elapsed() < UPLOAD_TTL);
        p.insert(token, upload);
    }

    /// Takes the upload `token` names if `may_confirm` allows its uploader to be the one asking.
    pub fn take(
        &self,
        token: &str,
        may_confirm: impl FnOnce(u64) -> bool,
    ) -> Option<PendingUpload> {
        let mut p = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let ok = p
            .get(token)
            .is_some_and(|u| u.created.elapsed() < UPLOAD_TTL && may_confirm(u.user));
        if ok {
            p.remove(token)
        } else {
            None
        }
    }
}
