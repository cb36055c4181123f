//! What runs in EC2, as the bot last read it: the instances and where and when they were read,
//! the failure of the latest read while it lasts (the last good result stays in force), and the
//! reconciliation of the inventory in force against them, computed once per pair.

use super::status::{set_since, Since};
use super::{App, Loaded};
use crate::stamp::{now_unix, rfc3339};
use crate::store::Recorded;
use aiops_core::reconcile::{self, Instance, Report};
use std::sync::{Arc, Mutex, Weak};

/// One good read of EC2.
#[derive(Debug)]
pub struct Fleet {
    pub instances: Vec<Instance>,
    /// The files or the command it came from.
    pub source: String,
    /// Unix seconds.
    pub read_at: i64,
}

#[derive(Default)]
pub(super) struct Ec2State {
    fleet: Option<Arc<Fleet>>,
    failing: Option<Since>,
    /// The report for (that inventory, that fleet): the inventory is held weakly, so an old
    /// graph is freed as soon as nothing else uses it, and its address is never taken for a
    /// new one's.
    report: Option<(Weak<Loaded>, Weak<Fleet>, Arc<Report>)>,
}

fn lock(m: &Mutex<Ec2State>) -> std::sync::MutexGuard<'_, Ec2State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// The tags that name an instance and its node group in EC2.
    pub fn ec2_keys(&self) -> &reconcile::TagKeys {
        &self.ec2_keys
    }

    /// Where EC2 data comes from; `None` when it is not configured.
    pub fn ec2_source(&self) -> Option<&crate::config::Ec2Source> {
        self.ec2_source.as_ref()
    }

    /// The last good read of EC2, if there has been one.
    pub fn ec2_fleet(&self) -> Option<Arc<Fleet>> {
        lock(&self.ec2).fleet.clone()
    }

    /// Why the latest read failed, and since when, while it keeps failing.
    pub fn ec2_failing(&self) -> Option<Since> {
        lock(&self.ec2).failing.clone()
    }

    /// [`App::ec2_failing`] as a reader is told it, in `lang`.
    pub fn ec2_failing_text(&self, lang: aiops_commands::Lang) -> Option<String> {
        let f = self.ec2_failing()?;
        Some(
            aiops_commands::Msg::Ec2Failing {
                what: &f.what,
                since: &rfc3339(f.since),
            }
            .text(lang)
            .into_owned(),
        )
    }

    /// The inventory in force reconciled against the last good read of EC2.
    pub fn ec2_report(&self) -> Option<Arc<Report>> {
        let cur = self.current();
        self.ec2_report_for(&cur)
    }

    /// `loaded` reconciled against the last good read of EC2; computed once per pair.
    pub fn ec2_report_for(&self, loaded: &Arc<Loaded>) -> Option<Arc<Report>> {
        let fleet = {
            let st = lock(&self.ec2);
            let fleet = st.fleet.clone()?;
            if let Some((l, f, r)) = &st.report {
                if l.ptr_eq(&Arc::downgrade(loaded)) && f.ptr_eq(&Arc::downgrade(&fleet)) {
                    return Some(r.clone());
                }
            }
            fleet
        };
        // Outside the lock: 10k instances take tens of milliseconds.
        let report = Arc::new(reconcile::reconcile(
            &loaded.topo,
            &fleet.instances,
            &self.ec2_keys,
        ));
        let mut st = lock(&self.ec2);
        if st.fleet.as_ref().is_some_and(|f| Arc::ptr_eq(f, &fleet)) {
            st.report = Some((
                Arc::downgrade(loaded),
                Arc::downgrade(&fleet),
                report.clone(),
            ));
        }
        Some(report)
    }

    /// A good read comes into force: it is kept as a snapshot in the history (when it differs
    /// from the last one) and clears a failure. Returns the stored snapshot's id when new.
    pub fn ec2_install(&self, instances: Vec<Instance>, source: &str) -> Option<i64> {
        let now = now_unix();
        let snapshot = reconcile::write_snapshot(&instances, &self.ec2_keys);
        let stored = self.with_store(|s| s.record_ec2(source, &snapshot, now));
        self.metrics.ec2_read("ok", instances.len());
        let mut st = lock(&self.ec2);
        if let Some(was) = st.failing.take() {
            tracing::info!(
                "EC2 read again from {source} ({} instances); the failure since {} is over: {}",
                instances.len(),
                rfc3339(was.since),
                was.what
            );
        }
        st.fleet = Some(Arc::new(Fleet {
            instances,
            source: source.to_string(),
            read_at: now,
        }));
        match stored {
            Some(Recorded::New(id)) => Some(id),
            _ => None,
        }
    }

    /// A read failed: the last good result stays; the failure is logged once while it lasts
    /// (again when it changes) and shown in `/inventory status`.
    pub fn ec2_failed(&self, what: String) {
        self.metrics.ec2_read("failed", 0);
        let mut st = lock(&self.ec2);
        let same = st.failing.as_ref().is_some_and(|f| f.what == what);
        if !same {
            let keeps = match &st.fleet {
                Some(f) => format!("the read of {} stays in force", rfc3339(f.read_at)),
                None => "nothing is known about EC2 yet".to_string(),
            };
            tracing::warn!("reading EC2 failed, {keeps}: {what}");
        }
        set_since(&mut st.failing, Some(what));
    }

    /// At start, before the first read: the last stored snapshot, so a restart does not
    /// forget what runs. Its time is the time it was read.
    pub fn ec2_restore(&self) {
        let Some(Some(snap)) = self.with_store(|s| s.ec2_latest()) else {
            return;
        };
        let label = format!("stored snapshot #{}", snap.id);
        match reconcile::parse(&label, &snap.bytes) {
            Ok(instances) => {
                let mut st = lock(&self.ec2);
                if st.fleet.is_none() {
                    st.fleet = Some(Arc::new(Fleet {
                        instances,
                        source: snap.source,
                        read_at: snap.seen_at,
                    }));
                }
            }
            Err(e) => tracing::warn!("the last EC2 snapshot does not read back: {e}"),
        }
    }
}
