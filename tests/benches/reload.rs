//! A large inventory reloaded in the real `aiops serve` process (the release build, against the
//! Discord stand-in): how long commands asked during the reload wait, and how much memory the
//! process holds at its peak, against what one graph costs.
//!
//! The bot starts on a 100,000-row version A of a seed-shaped inventory; once it has settled,
//! its resident memory is what it costs to serve one graph of that size (`aiops deps` on the same
//! file, one process, is printed beside it for scale). The peak is then reset
//! (`/proc/<pid>/clear_refs`) and the file replaced by version B, A with one row in a hundred
//! edited, as a person edits a sheet; `/inventory status` is asked every 200 ms from the moment
//! B starts loading until B is in force and its change summary is posted. Then the same with
//! version C, another shape altogether, where every instance and relation changes.
//!
//! Targets (issue 14): answers during a reload as fast as those asked while nothing loads, and
//! the peak under 2.5 times the memory before the reload.
//!
//! `cargo bench -p aiops-tests --bench reload [-- ROWS]` (Linux: it reads `/proc`).

use aiops_core::synth::{self, Shape};
use aiops_tests::discord::StandIn;
use serde_json::json;
use std::io::BufRead;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);

/// A field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB.
fn vm(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"));
    kb / 1024.0
}

/// Resets the peak resident size the kernel reports as `VmHWM`.
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("clear_refs");
}

/// Replaces the inventory file in one rename, as an editor or a deploy does.
fn replace(inv: &std::path::Path, bytes: &[u8]) {
    let tmp = inv.with_extension("part");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, inv).expect("rename");
}

/// `/inventory status`, each time from another user (the per-user rate limit would otherwise
/// queue or refuse a quick succession): how long the answer took. Panics on a refusal, so
/// every figure is a real answer.
async fn status(standin: &StandIn) -> Duration {
    static ASKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let ids = standin.ids().clone();
    let k = ASKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let user = serenity::all::UserId::new(2_000_000_000_000_000_000 + k);
    let options = json!([{"name": "status", "type": 1, "options": []}]);
    let h = standin.slash_command("inventory", options, user, &[ids.plain_role], "en-US");
    let done = h.wait_final(WAIT).await;
    let text = done.json.to_string();
    assert!(text.contains("history"), "not a status answer: {text}");
    h.latency(&done)
}

/// `/inventory status` every 200 ms (within the default global limit of 10 a second) until
/// `until` has happened; the latencies.
async fn ask_until(standin: &StandIn, until: impl Fn() -> bool) -> Vec<Duration> {
    let mut out = Vec::new();
    while !until() {
        out.push(status(standin).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    out
}

/// Ten `/inventory status` asks, 200 ms apart, while nothing loads; sorted.
async fn quiet_asks(standin: &StandIn) -> Vec<Duration> {
    let mut out = Vec::new();
    for _ in 0..10 {
        out.push(status(standin).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    out.sort();
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn spawn(standin: &StandIn, dir: &std::path::Path, inv: &std::path::Path) -> Child {
    let ids = standin.ids();
    aiops_tests::aiops_command()
        .arg("serve")
        .env("DISCORD_TOKEN", "bench-token")
        .env("AIOPS_DISCORD_PROXY", standin.rest_proxy_url())
        .env("AIOPS_STATE_DIR", dir.join("state"))
        .env("AIOPS_INVENTORY", inv)
        .env("AIOPS_GUILD", ids.guild.get().to_string())
        .env("AIOPS_SUMMARY_CHANNEL", ids.summary.get().to_string())
        .env("AIOPS_HEALTH_ADDR", "127.0.0.1:0")
        .env("AIOPS_WATCH_INTERVAL_SECS", "1")
        .env("AIOPS_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aiops serve")
}

/// The bot's log lines so far, read by a thread.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn read(child: &mut Child) -> Log {
        let log = Log::default();
        let stderr = child.stderr.take().expect("stderr");
        let lines = log.0.clone();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                lines.lock().expect("log").push(l);
            }
        });
        log
    }

    fn count(&self, needle: &str) -> usize {
        let lines = self.0.lock().expect("log");
        lines.iter().filter(|l| l.contains(needle)).count()
    }

    async fn wait(&self, needle: &str, n: usize) {
        let until = Instant::now() + WAIT;
        while self.count(needle) < n {
            assert!(Instant::now() < until, "no {n}th log line with {needle:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The CLI's peak resident memory loading `file` once (`aiops --inventory FILE deps X`), MiB.
fn cli_peak(file: &std::path::Path) -> f64 {
    let script = "import resource, subprocess, sys\n\
        subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n\
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(aiops_tests::aiops_bin())
        .arg("--inventory")
        .arg(file)
        .args(["deps", "no-such-instance-x"])
        .output()
        .expect("python3");
    let kib: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("ru_maxrss");
    kib / 1024.0
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let a_rows = Shape::Seed.rows(n);
    let mut b_rows = a_rows.clone();
    for row in b_rows.iter_mut().step_by(100) {
        row[1].push_str("（已调整）");
    }
    let a = synth::xlsx(&a_rows).expect("workbook A");
    let b = synth::xlsx(&b_rows).expect("workbook B");
    let c = synth::xlsx(&Shape::DomainHeavy.rows(n)).expect("workbook C");
    drop((a_rows, b_rows));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let standin = StandIn::start().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let inv = dir.path().join("inventory.xlsx");
        std::fs::write(&inv, &a).expect("A");
        let one_load = cli_peak(&inv);
        let mut child = spawn(&standin, dir.path(), &inv);
        let pid = child.id();
        let log = Log::read(&mut child);
        standin.wait_for_identify(WAIT).await;
        standin
            .wait_for(WAIT, |r| r.method == "PUT" && r.path.ends_with("/commands"))
            .await;
        // Start-up records the version in history and warms caches; let that finish first.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let idle = quiet_asks(&standin).await;
        let steady = vm(pid, "VmRSS");
        println!(
            "{n} rows (seed shape), release build. `aiops deps` on the same file, one process: \
             peak {one_load:.0} MiB."
        );
        println!(
            "The bot with it in force: {steady:.0} MiB resident; `/inventory status` while \
             nothing loads, 10 asks: p50 {:.0} ms, max {:.0} ms.",
            ms(idle[idle.len() / 2]),
            ms(*idle.last().expect("samples"))
        );
        println!();
        println!(
            "| reload | from start to change posted | answers during it | p50 | max | peak | \
             peak / resident before |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let summary = format!("/api/v10/channels/{}/messages", standin.ids().summary.get());
        let posted = |standin: &StandIn| {
            standin
                .requests()
                .iter()
                .filter(|r| r.method == "POST" && r.path == summary)
                .count()
        };
        for (k, (what, bytes)) in [
            ("A → B, 1 row in 100 edited", &b),
            ("B → C, another shape", &c),
        ]
        .into_iter()
        .enumerate()
        {
            let before = vm(pid, "VmRSS");
            let posts = posted(&standin);
            reset_peak(pid);
            replace(&inv, bytes);
            log.wait("loading a new version", k + 1).await;
            let started = Instant::now();
            let mut during = ask_until(&standin, || {
                log.count("in force as") > k && posted(&standin) > posts
            })
            .await;
            let took = started.elapsed();
            // Whatever is still posting (the change's diagram) finishes before the peak is read.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let peak = vm(pid, "VmHWM");
            during.sort();
            let (p50, max) = match during.last() {
                Some(max) => (ms(during[during.len() / 2]), ms(*max)),
                None => (f64::NAN, f64::NAN),
            };
            println!(
                "| {what} | {:.1} s | {} | {p50:.0} ms | {max:.0} ms | {peak:.0} MiB | {:.2}× |",
                took.as_secs_f64(),
                during.len(),
                peak / before
            );
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let after = quiet_asks(&standin).await;
        println!(
            "\n`/inventory status` with C in force and nothing loading, 10 asks: p50 {:.0} ms, \
             max {:.0} ms.",
            ms(after[after.len() / 2]),
            ms(*after.last().expect("samples"))
        );
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let _ = child.wait();
    });
}
