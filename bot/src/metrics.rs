//! Counters, gauges and histograms for `/metrics`, kept and written by `prometheus-client`: the
//! Prometheus text format, or OpenMetrics when the scraper asks for it, with label values
//! escaped by the library.

mod alerts;

pub use alerts::AlertMetrics;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

/// Latency buckets in seconds.
const BUCKETS: [f64; 9] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandResult {
    command: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandName {
    command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabel {
    limit: &'static str,
}

type Latency = Family<CommandName, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    commands: Family<CommandResult, Counter>,
    latency: Latency,
    renders: Counter,
    render_failures: Counter,
    reloads: Family<ResultLabel, Counter>,
    thread_events: Family<OutcomeLabel, Counter>,
    rate_limited: Family<LimitLabel, Counter>,
    replies: Family<OutcomeLabel, Counter>,
    inventory_version: Gauge,
    gateway_connected: Gauge,
    gateway_connections: Counter,
    ec2_reads: Family<ResultLabel, Counter>,
    ec2_instances: Gauge,
    pub alerts: AlertMetrics,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let commands = Family::<CommandResult, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let renders = Counter::default();
        let render_failures = Counter::default();
        let reloads = Family::<ResultLabel, Counter>::default();
        let thread_events = Family::<OutcomeLabel, Counter>::default();
        let rate_limited = Family::<LimitLabel, Counter>::default();
        let replies = Family::<OutcomeLabel, Counter>::default();
        let inventory_version = Gauge::default();
        let gateway_connected = Gauge::default();
        let gateway_connections = Counter::default();
        let ec2_reads = Family::<ResultLabel, Counter>::default();
        let ec2_instances = Gauge::default();
        // Counters are registered without `_total`: the library adds it.
        registry.register(
            "aiops_commands",
            "Commands served, by command and result",
            commands.clone(),
        );
        registry.register(
            "aiops_command_seconds",
            "Time from interaction to final reply",
            latency.clone(),
        );
        registry.register("aiops_renders", "Diagrams rendered", renders.clone());
        registry.register(
            "aiops_render_failures",
            "Diagrams that could not be rendered",
            render_failures.clone(),
        );
        registry.register(
            "aiops_reloads",
            "Inventory reloads, by result",
            reloads.clone(),
        );
        registry.register(
            "aiops_thread_events",
            "New threads, by what became of them",
            thread_events.clone(),
        );
        registry.register(
            "aiops_rate_limited",
            "Commands a rate limit refused, by limit",
            rate_limited.clone(),
        );
        registry.register(
            "aiops_replies",
            "How final replies reached the user",
            replies.clone(),
        );
        registry.register(
            "aiops_inventory_version",
            "History id of the inventory in force (0 without history)",
            inventory_version.clone(),
        );
        registry.register(
            "aiops_gateway_connected",
            "Whether the Discord gateway session is up",
            gateway_connected.clone(),
        );
        registry.register(
            "aiops_gateway_connections",
            "Gateway sessions started or resumed",
            gateway_connections.clone(),
        );
        registry.register(
            "aiops_ec2_reads",
            "Reads of what runs in EC2 (files or the EC2 command), by result",
            ec2_reads.clone(),
        );
        registry.register(
            "aiops_ec2_instances",
            "Instances in the last good read of EC2",
            ec2_instances.clone(),
        );
        let alerts = AlertMetrics::register(&mut registry);
        Metrics {
            registry,
            alerts,
            commands,
            latency,
            renders,
            render_failures,
            reloads,
            thread_events,
            rate_limited,
            replies,
            inventory_version,
            gateway_connected,
            gateway_connections,
            ec2_reads,
            ec2_instances,
        }
    }
}

impl Metrics {
    pub fn command(&self, name: &str, result: &'static str, took: Duration) {
        self.commands
            .get_or_create(&CommandResult {
                command: name.to_string(),
                result,
            })
            .inc();
        self.latency
            .get_or_create(&CommandName {
                command: name.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn render(&self, ok: bool) {
        self.renders.inc();
        if !ok {
            self.render_failures.inc();
        }
    }

    pub fn reload(&self, result: &'static str) {
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    /// A new thread handled to the end, by what became of it (`incident`, `known`,
    /// `not_incident_channel`, `no_parent`).
    pub fn thread_event(&self, outcome: &'static str) {
        self.thread_events
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// A command a rate limit refused, by which (`user`, `expensive`, `global`).
    pub fn rate_limited(&self, limit: &'static str) {
        self.rate_limited.get_or_create(&LimitLabel { limit }).inc();
    }

    /// How a final reply reached the user: `full`, `text`, `followup`, `lost`.
    pub fn reply(&self, outcome: &'static str) {
        self.replies.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// Commands refused by a rate limit so far, all limits together.
    pub fn rate_limited_total(&self) -> u64 {
        ["user", "expensive", "global"]
            .into_iter()
            .map(|limit| self.rate_limited.get_or_create(&LimitLabel { limit }).get())
            .sum()
    }

    /// A read of EC2 (`ok`, `failed`); a good one sets how many instances it holds.
    pub fn ec2_read(&self, result: &'static str, instances: usize) {
        self.ec2_reads.get_or_create(&ResultLabel { result }).inc();
        if result == "ok" {
            self.ec2_instances
                .set(i64::try_from(instances).unwrap_or(i64::MAX));
        }
    }

    pub fn set_inventory_version(&self, v: u64) {
        self.inventory_version
            .set(i64::try_from(v).unwrap_or(i64::MAX));
    }

    pub fn set_gateway_connected(&self, up: bool) {
        if up {
            self.gateway_connections.inc();
        }
        self.gateway_connected.set(i64::from(up));
    }

    pub fn gateway_connected(&self) -> bool {
        self.gateway_connected.get() == 1
    }

    /// The Prometheus text format (version 0.0.4).
    pub fn export(&self) -> String {
        let mut o = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut o, &self.registry);
        o
    }

    /// OpenMetrics text, for scrapers that ask for it.
    pub fn export_openmetrics(&self) -> String {
        let mut o = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut o, &self.registry);
        o
    }
}

/// The `Content-Type` of [`Metrics::export`] and of [`Metrics::export_openmetrics`].
pub const PROMETHEUS_TEXT: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
pub const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_counters_and_histograms() {
        let m = Metrics::default();
        m.command("deps", "ok", Duration::from_millis(30));
        m.render(true);
        m.reload("failed");
        m.set_inventory_version(7);
        let t = m.export();
        assert!(
            t.contains("aiops_commands_total{command=\"deps\",result=\"ok\"} 1"),
            "{t}"
        );
        assert!(
            t.contains("aiops_command_seconds_bucket{command=\"deps\",le=\"0.05\"} 1"),
            "{t}"
        );
        assert!(
            t.contains("aiops_command_seconds_bucket{command=\"deps\",le=\"0.025\"} 0"),
            "{t}"
        );
        assert!(
            t.contains("aiops_reloads_total{result=\"failed\"} 1"),
            "{t}"
        );
        assert!(t.contains("aiops_inventory_version 7"), "{t}");
        assert!(t.contains("aiops_gateway_connected 0"), "{t}");
        assert!(m.export_openmetrics().ends_with("# EOF\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.command("a\"b\\c\nd", "ok", Duration::ZERO);
        let t = m.export();
        assert!(
            t.contains(r#"aiops_commands_total{command="a\"b\\c\nd",result="ok"} 1"#),
            "{t}"
        );
    }
}
