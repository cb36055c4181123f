//! A large new inventory loads in the real `aiops serve` process while commands keep being
//! answered from the version in force; the new version serves once it is ready, not before.

use super::*;
use std::io::BufRead;
use std::sync::mpsc::{Receiver, RecvTimeoutError};

/// Rows of the replacement inventory: enough that the unoptimised test build takes seconds to
/// load it, so a command asked while it loads is answered well before it is ready.
const BIG_ROWS: usize = 40_000;

/// Waits for a log line containing `needle`; returns it with the lines read before it.
fn wait_line(lines: &Receiver<String>, needle: &str, seen: &mut Vec<String>) -> String {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return l,
            Ok(l) => seen.push(l),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                panic!(
                    "no log line with {needle:?}; the log so far:\n{}",
                    seen.join("\n")
                )
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_asked_while_a_large_inventory_loads_are_answered_from_the_version_in_force() {
    let standin = StandIn::start().await;
    let env = [("AIOPS_WATCH_INTERVAL_SECS", "1"), ("AIOPS_LOG", "info")];
    let (dir, inv, mut child) = seed_bot(&standin, &env);
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            // Keeps reading after the test stops listening, so the bot never writes into a
            // closed pipe.
            let _ = tx.send(line);
        }
    });
    wait_ready(&standin).await;
    assert!(row(&status(&standin).await, "history").contains("v1 in force"));

    let big = tokio::task::spawn_blocking(|| {
        aiops_core::synth::xlsx(&aiops_core::synth::Shape::Seed.rows(BIG_ROWS))
            .expect("the large workbook")
    })
    .await
    .unwrap();
    let tmp = dir.path().join("incoming.xlsx.part");
    std::fs::write(&tmp, big).unwrap();
    std::fs::rename(&tmp, &inv).unwrap();

    let mut seen = Vec::new();
    let lines = tokio::task::spawn_blocking(move || {
        wait_line(&lines, "loading a new version", &mut seen);
        (lines, seen)
    })
    .await
    .unwrap();
    let (lines, mut seen) = lines;
    // Asked while the new version loads: answered, from v1, before the load ends.
    let during = status(&standin).await;
    assert!(row(&during, "history").contains("v1 in force"), "{during}");
    let (lines, mut seen) = tokio::task::spawn_blocking(move || {
        seen.extend(lines.try_iter());
        (lines, seen)
    })
    .await
    .unwrap();
    assert!(
        !seen
            .iter()
            .any(|l| l.contains(" took ") || l.contains("in force as")),
        "the answer came only after the load had ended:\n{}",
        seen.join("\n")
    );

    let in_force = tokio::task::spawn_blocking(move || wait_line(&lines, "in force as", &mut seen))
        .await
        .unwrap();
    assert!(in_force.contains("v2"), "{in_force}");
    wait_summary(&standin, "Inventory changed", 1).await;
    let after = status(&standin).await;
    assert!(row(&after, "history").contains("v2 in force"), "{after}");
    stop(child).await;
}
