//! Counters and histograms for `/metrics`, in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Latency buckets in seconds.
const BUCKETS: [f64; 9] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    total: u64,
}

#[derive(Default)]
pub struct Metrics {
    commands: Mutex<BTreeMap<(String, &'static str), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    renders: AtomicU64,
    render_failures: AtomicU64,
    reloads: Mutex<BTreeMap<&'static str, u64>>,
    rate_limited: Mutex<BTreeMap<&'static str, u64>>,
    thread_events: Mutex<BTreeMap<&'static str, u64>>,
    inventory_version: AtomicU64,
    gateway_connected: AtomicBool,
}

impl Metrics {
    pub fn command(&self, name: &str, result: &'static str, took: Duration) {
        if let Ok(mut m) = self.commands.lock() {
            *m.entry((name.to_string(), result)).or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(name.to_string()).or_default();
            let s = took.as_secs_f64();
            for (i, b) in BUCKETS.iter().enumerate() {
                if s <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += s;
            h.total += 1;
        }
    }

    pub fn render(&self, ok: bool) {
        self.renders.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.render_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A command a rate limit refused, by which (`user`, `expensive`, `global`).
    pub fn rate_limited(&self, limit: &'static str) {
        if let Ok(mut m) = self.rate_limited.lock() {
            *m.entry(limit).or_default() += 1;
        }
    }

    pub fn reload(&self, result: &'static str) {
        if let Ok(mut m) = self.reloads.lock() {
            *m.entry(result).or_default() += 1;
        }
    }

    /// A new thread handled to the end, by what became of it (`incident`, `known`,
    /// `not_incident_channel`, `no_parent`).
    pub fn thread_event(&self, outcome: &'static str) {
        if let Ok(mut m) = self.thread_events.lock() {
            *m.entry(outcome).or_default() += 1;
        }
    }

    pub fn set_inventory_version(&self, v: u64) {
        self.inventory_version.store(v, Ordering::Relaxed);
    }

    pub fn set_gateway_connected(&self, up: bool) {
        self.gateway_connected.store(up, Ordering::Relaxed);
    }

    pub fn gateway_connected(&self) -> bool {
        self.gateway_connected.load(Ordering::Relaxed)
    }

    /// Prometheus exposition format.
    pub fn export(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP aiops_commands_total Commands served, by command and result."
        );
        let _ = writeln!(o, "# TYPE aiops_commands_total counter");
        if let Ok(m) = self.commands.lock() {
            for ((name, result), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "aiops_commands_total{{command=\"{}\",result=\"{result}\"}} {n}",
                    label(name)
                );
            }
        }
        let _ = writeln!(
            o,
            "# HELP aiops_command_seconds Time from interaction to final reply."
        );
        let _ = writeln!(o, "# TYPE aiops_command_seconds histogram");
        if let Ok(m) = self.latency.lock() {
            for (name, h) in m.iter() {
                let name = label(name);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "aiops_command_seconds_bucket{{command=\"{name}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    o,
                    "aiops_command_seconds_bucket{{command=\"{name}\",le=\"+Inf\"}} {}",
                    h.total
                );
                let _ = writeln!(
                    o,
                    "aiops_command_seconds_sum{{command=\"{name}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    o,
                    "aiops_command_seconds_count{{command=\"{name}\"}} {}",
                    h.total
                );
            }
        }
        let _ = writeln!(o, "# TYPE aiops_renders_total counter");
        let _ = writeln!(
            o,
            "aiops_renders_total {}",
            self.renders.load(Ordering::Relaxed)
        );
        let _ = writeln!(o, "# TYPE aiops_render_failures_total counter");
        let _ = writeln!(
            o,
            "aiops_render_failures_total {}",
            self.render_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(o, "# TYPE aiops_reloads_total counter");
        if let Ok(m) = self.reloads.lock() {
            for (result, n) in m.iter() {
                let _ = writeln!(o, "aiops_reloads_total{{result=\"{result}\"}} {n}");
            }
        }
        let _ = writeln!(o, "# TYPE aiops_rate_limited_total counter");
        if let Ok(m) = self.rate_limited.lock() {
            for (limit, n) in m.iter() {
                let _ = writeln!(o, "aiops_rate_limited_total{{limit=\"{limit}\"}} {n}");
            }
        }
        let _ = writeln!(o, "# TYPE aiops_thread_events_total counter");
        if let Ok(m) = self.thread_events.lock() {
            for (outcome, n) in m.iter() {
                let _ = writeln!(o, "aiops_thread_events_total{{outcome=\"{outcome}\"}} {n}");
            }
        }
        let _ = writeln!(o, "# HELP aiops_inventory_version History id of the inventory in force (0 without history).");
        let _ = writeln!(o, "# TYPE aiops_inventory_version gauge");
        let _ = writeln!(
            o,
            "aiops_inventory_version {}",
            self.inventory_version.load(Ordering::Relaxed)
        );
        let _ = writeln!(o, "# TYPE aiops_gateway_connected gauge");
        let _ = writeln!(
            o,
            "aiops_gateway_connected {}",
            u8::from(self.gateway_connected())
        );
        o
    }
}

fn label(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ' ')
        .collect()
}

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
        assert!(t.contains("aiops_reloads_total{result=\"failed\"} 1"));
        assert!(t.contains("aiops_inventory_version 7"));
        assert!(t.contains("aiops_gateway_connected 0"));
    }
}
