//! The alert webhooks' metrics: deliveries by source and outcome, duplicates, the queue's depth,
//! and the time from receipt to the answer and to the message posted.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceOutcome {
    source: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: &'static str,
}

/// Seconds; a post includes rendering and Discord.
const POST_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
const ANSWER_BUCKETS: [f64; 8] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0];

type Seconds = Family<SourceLabel, Histogram, fn() -> Histogram>;

pub struct AlertMetrics {
    webhooks: Family<SourceOutcome, Counter>,
    duplicates: Family<SourceLabel, Counter>,
    queue_depth: Gauge,
    answered: Seconds,
    posted: Seconds,
}

fn post_histogram() -> Histogram {
    Histogram::new(POST_BUCKETS)
}

fn answer_histogram() -> Histogram {
    Histogram::new(ANSWER_BUCKETS)
}

impl AlertMetrics {
    pub(super) fn register(registry: &mut Registry) -> AlertMetrics {
        let m = AlertMetrics {
            webhooks: Family::default(),
            duplicates: Family::default(),
            queue_depth: Gauge::default(),
            answered: Family::new_with_constructor(answer_histogram),
            posted: Family::new_with_constructor(post_histogram),
        };
        registry.register(
            "aiops_webhooks",
            "Alert webhook requests, by source and outcome",
            m.webhooks.clone(),
        );
        registry.register(
            "aiops_alert_duplicates",
            "Deliveries that changed nothing (retries, HA peers, repeats), by source",
            m.duplicates.clone(),
        );
        registry.register(
            "aiops_alert_queue_depth",
            "Deliveries received and not yet applied",
            m.queue_depth.clone(),
        );
        registry.register(
            "aiops_webhook_answer_seconds",
            "Time from receiving a webhook request to answering it",
            m.answered.clone(),
        );
        registry.register(
            "aiops_alert_post_seconds",
            "Time from receiving a delivery to its message posted or edited",
            m.posted.clone(),
        );
        m
    }

    /// A webhook request answered: `queued`, `duplicate`, `ignored`, `unauthorized`,
    /// `forbidden`, `too_large`, `malformed`, `wrong_shape`, `unavailable`, `disabled`,
    /// `bad_method`.
    pub fn webhook(&self, source: &'static str, outcome: &'static str, took: Duration) {
        self.webhooks
            .get_or_create(&SourceOutcome { source, outcome })
            .inc();
        self.answered
            .get_or_create(&SourceLabel { source })
            .observe(took.as_secs_f64());
    }

    pub fn duplicate(&self, source: &'static str) {
        self.duplicates.get_or_create(&SourceLabel { source }).inc();
    }

    pub fn set_queue_depth(&self, n: i64) {
        self.queue_depth.set(n);
    }

    pub fn posted(&self, source: &'static str, since_receipt: Duration) {
        self.posted
            .get_or_create(&SourceLabel { source })
            .observe(since_receipt.as_secs_f64());
    }
}
