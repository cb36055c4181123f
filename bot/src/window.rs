//! The history window: which stored versions a question about "since 7d" or "since v12" spans.
//! One definition for the CLI (`diff --since`, `changes`), chat `/changes`, the incident replies
//! and the digest.
//!
//! A window starts at the version in force at its start: the version named, or the latest one
//! seen at or before the start time (the oldest when the history is younger than that), and
//! holds every version from there to the newest, oldest first.

use crate::store::{Store, Version};
use aiops_commands::{Since, VersionInfo};
use aiops_core::{LoadOptions, Topology};

/// Where a window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At this stored version.
    Version(i64),
    /// At the version in force at this time (unix seconds).
    At(i64),
}

impl Start {
    /// `--since` as a start: a duration counts back from `now` (unix seconds).
    pub fn from_since(since: Since, now: i64) -> Start {
        match since {
            Since::Version(id) => Start::Version(id),
            Since::Ago(secs) => {
                Start::At(now.saturating_sub(i64::try_from(secs).unwrap_or(i64::MAX)))
            }
        }
    }
}

/// Why there is no window.
#[derive(Debug)]
pub enum WindowError {
    /// The version named is not in the history.
    NoSuchVersion(i64),
    /// Nothing is stored yet.
    EmptyHistory,
    /// The store failed.
    Store(anyhow::Error),
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowError::NoSuchVersion(id) => write!(f, "no version v{id} in the history"),
            WindowError::EmptyHistory => write!(f, "the history is empty"),
            WindowError::Store(e) => write!(f, "the history store failed: {e:#}"),
        }
    }
}

impl std::error::Error for WindowError {}

/// The versions a window spans, oldest first; the first is the version in force at its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    versions: Vec<Version>,
}

impl Window {
    /// The versions, oldest first.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version in force at the window's start.
    pub fn base(&self) -> &Version {
        // A window always holds its base: `window` never builds an empty one.
        &self.versions[0]
    }

    /// Each version's topology, oldest first; versions whose bytes no longer load (or that the
    /// store cannot give) are left out with a warning.
    pub fn topologies(
        &self,
        store: &Store,
        opts: &LoadOptions,
    ) -> Result<Vec<(VersionInfo, Topology)>, WindowError> {
        let mut out = Vec::with_capacity(self.versions.len());
        for v in &self.versions {
            let Some(bytes) = store.bytes(v.id).map_err(WindowError::Store)? else {
                continue;
            };
            match aiops_core::load_bytes(&v.source, &bytes, opts) {
                Ok(topo) => out.push((v.info(), topo)),
                Err(e) => tracing::warn!("skipping v{}: it no longer loads: {e}", v.id),
            }
        }
        Ok(out)
    }
}

/// The window from `start` to the newest stored version.
pub fn window(store: &Store, start: Start) -> Result<Window, WindowError> {
    let base = match start {
        Start::Version(id) => store
            .get(id)
            .map_err(WindowError::Store)?
            .ok_or(WindowError::NoSuchVersion(id))?,
        Start::At(ts) => match store.at(ts).map_err(WindowError::Store)? {
            Some(v) => v,
            None => store
                .oldest()
                .map_err(WindowError::Store)?
                .ok_or(WindowError::EmptyHistory)?,
        },
    };
    let mut versions: Vec<Version> = store
        .list()
        .map_err(WindowError::Store)?
        .into_iter()
        .filter(|v| v.id >= base.id)
        .collect();
    versions.reverse();
    Ok(Window { versions })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(times: &[i64]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("store");
        for (i, at) in times.iter().enumerate() {
            store
                .record("inv.csv", format!("v{i}").as_bytes(), *at, |_| "s".into())
                .expect("record");
        }
        (dir, store)
    }

    fn ids(w: &Window) -> Vec<i64> {
        w.versions.iter().map(|v| v.id).collect()
    }

    #[test]
    fn a_window_starts_at_the_version_in_force_at_its_start() {
        let (_dir, store) = store_with(&[100, 200, 300]);
        assert_eq!(
            ids(&window(&store, Start::At(250)).expect("window")),
            [2, 3]
        );
        assert_eq!(ids(&window(&store, Start::At(300)).expect("window")), [3]);
        assert_eq!(
            ids(&window(&store, Start::Version(1)).expect("window")),
            [1, 2, 3]
        );
    }

    #[test]
    fn a_window_older_than_the_history_starts_at_the_oldest_version() {
        let (_dir, store) = store_with(&[100, 200]);
        let w = window(&store, Start::At(10)).expect("window");
        assert_eq!((ids(&w), w.base().id), (vec![1, 2], 1));
    }

    #[test]
    fn an_unknown_version_is_an_error_naming_it() {
        let (_dir, store) = store_with(&[100]);
        let e = window(&store, Start::Version(9)).expect_err("unknown version");
        assert!(matches!(e, WindowError::NoSuchVersion(9)), "{e:?}");
        assert_eq!(e.to_string(), "no version v9 in the history");
    }

    #[test]
    fn an_empty_history_has_no_window() {
        let (_dir, store) = store_with(&[]);
        let e = window(&store, Start::At(10)).expect_err("empty");
        assert!(matches!(e, WindowError::EmptyHistory), "{e:?}");
    }

    #[test]
    fn a_duration_counts_back_from_now() {
        assert_eq!(Start::from_since(Since::Ago(60), 1_000), Start::At(940));
        assert_eq!(
            Start::from_since(Since::Version(3), 1_000),
            Start::Version(3)
        );
        assert_eq!(
            Start::from_since(Since::Ago(u64::MAX), 0),
            Start::At(-i64::MAX)
        );
    }
}
