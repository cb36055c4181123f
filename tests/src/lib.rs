//! A small fluent helper for running the real `aiops` binary, in the manner of just's
//! `Test::new().arg(..).stdout(..)`: build a command, say which exit code to expect, run it,
//! and look at what it printed.
//!
//! Finding the binary: `CARGO_BIN_EXE_aiops` is only given to integration tests of the package
//! that owns the binary (`aiops-bot`), and a dependency on `aiops-bot` does not help either,
//! because cargo does not build the bin targets of dependencies (and it ignores a dependency
//! with no lib target). So the first test that needs the binary runs
//! `$CARGO build -p aiops-bot --bin aiops` into this test executable's own target directory and
//! profile (found from [`std::env::current_exe`], which lives in `target/<profile>/deps/`). That
//! works with plain `cargo test --workspace` on a fresh clone, and it also means the binary is
//! never stale: cargo rebuilds it if `bot`, `commands` or `core` changed. Cargo releases its build
//! lock before it runs the test executables, so the nested build does not wait on it.
//!
//! Every run starts from an empty environment ([`aiops_command`]), so a developer's
//! `AIOPS_LANGUAGE`, `AIOPS_STATE_DIR`, `AIOPS_INVENTORY`, `DISCORD_TOKEN` and the like can change
//! neither what a test sees nor a real store.

pub mod discord;
pub mod webhook;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The path of the built `aiops` binary, built on first use.
pub fn aiops_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(build_aiops)
}

fn build_aiops() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test executable");
    // target/<profile>/deps/<test-exe>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let target_dir = profile_dir
        .parent()
        .expect("profile directory has a parent");
    let profile = match profile_dir.file_name().and_then(OsStr::to_str) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "aiops-bot", "--bin", "aiops"])
        .arg("--profile")
        .arg(profile)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .expect("run cargo to build the aiops binary");
    assert!(status.success(), "cargo build of the aiops binary failed");
    let bin = profile_dir.join(format!("aiops{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "built binary not found at {}", bin.display());
    bin
}

/// The built `aiops` binary with an empty environment but for `PATH` and `HOME` (fonts are also
/// looked for under `~/.fonts`), so only what a test sets reaches it.
pub fn aiops_command() -> Command {
    let mut cmd = Command::new(aiops_bin());
    cmd.env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd
}

/// One run of `aiops`: arguments, environment, and the exit code it must end with.
#[must_use]
pub struct Test {
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
    code: i32,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// A run that must exit 0 unless told otherwise with [`Test::code`].
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            env: Vec::new(),
            code: 0,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `--inventory PATH`.
    pub fn inventory(self, path: impl AsRef<Path>) -> Self {
        self.arg("--inventory").arg(path.as_ref())
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.to_string(), value.as_ref().to_owned()));
        self
    }

    /// The exit code the run must end with.
    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    /// Runs the binary and checks the exit code; on a mismatch, shows both streams.
    pub fn run(self) -> Output {
        let out = aiops_command()
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("run the aiops binary");
        let output = Output {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        };
        assert_eq!(
            output.code,
            Some(self.code),
            "aiops {:?}: unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.args,
            output.stdout,
            output.stderr
        );
        output
    }

    /// Runs with `--format json` and parses stdout.
    pub fn json(self) -> serde_json::Value {
        self.args(["--format", "json"]).run().json()
    }
}

/// What a run printed.
#[derive(Debug)]
pub struct Output {
    /// `None` if the process was killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The one line on stderr; fails if there are more or none.
    pub fn stderr_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "want one stderr line, got:\n{}",
            self.stderr
        );
        lines[0]
    }

    /// Asserts stdout contains `needle`; returns self for chaining.
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    /// Asserts stderr contains `needle`; returns self for chaining.
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// `export --format json` of an inventory (`None`: the built-in seed).
pub fn export_json(inventory: Option<&Path>) -> serde_json::Value {
    let t = Test::new().arg("export");
    match inventory {
        Some(p) => t.inventory(p).json(),
        None => t.json(),
    }
}

/// The edges of an `export --format json` document without their provenance (sheet, row,
/// column, cell text): what two spellings of one inventory must agree on.
pub fn edges_without_source(export: &serde_json::Value) -> Vec<serde_json::Value> {
    export["edges"]
        .as_array()
        .expect("export has an edges array")
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if let Some(o) = e.as_object_mut() {
                o.remove("source");
            }
            e
        })
        .collect()
}

/// The diagnostics of one kind (`conflicting_duplicate`) in an `export --format json` document.
pub fn diagnostics_of_kind<'a>(
    export: &'a serde_json::Value,
    kind: &str,
) -> Vec<&'a serde_json::Value> {
    export["diagnostics"]
        .as_array()
        .expect("export has a diagnostics array")
        .iter()
        .filter(|d| d["kind"] == kind)
        .collect()
}

/// The edges of an `export --format json` document from `from` to `to`.
pub fn edges_between<'a>(
    export: &'a serde_json::Value,
    from: &str,
    to: &str,
) -> Vec<&'a serde_json::Value> {
    export["edges"]
        .as_array()
        .expect("export has an edges array")
        .iter()
        .filter(|e| e["from"] == from && e["to"] == to)
        .collect()
}

/// The one edge from `from` to `to`; fails with the edges `from` does have when it is missing.
pub fn edge<'a>(export: &'a serde_json::Value, from: &str, to: &str) -> &'a serde_json::Value {
    let found = edges_between(export, from, to);
    if found.len() != 1 {
        let outgoing: Vec<&serde_json::Value> = export["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["from"] == from)
            .map(|e| &e["to"])
            .collect();
        panic!(
            "want one edge {from} → {to}, found {}; {from} → {outgoing:?}",
            found.len()
        );
    }
    found[0]
}

/// The node with this id in an `export --format json` document.
pub fn node<'a>(export: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    export["nodes"]
        .as_array()
        .expect("export has a nodes array")
        .iter()
        .find(|n| n["id"] == id)
}

/// One sheet of a workbook to write: its name and its rows of cell text (empty = blank cell).
pub struct Sheet<'a> {
    pub name: &'a str,
    pub rows: Vec<Vec<&'a str>>,
}

/// Writes an xlsx workbook with rust_xlsxwriter, one worksheet per [`Sheet`], in order.
pub fn write_workbook(path: &Path, sheets: &[Sheet]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).expect("valid sheet name");
        fill(ws, 0, &sheet.rows);
    }
    wb.save(path).expect("write workbook");
}

/// Writes rows of text into a worksheet from row `first` down, skipping empty cells.
pub fn fill(ws: &mut rust_xlsxwriter::Worksheet, first: u32, rows: &[Vec<&str>]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(first + r as u32, c as u16, *text)
                    .expect("write cell");
            }
        }
    }
}

/// A temporary directory for files a test writes.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("create a temporary directory")
}

/// The `id` of each object in a JSON array (`matched`, `impacted`, `nodes`...), in order.
pub fn ids(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("want a JSON array, got {list}"))
        .iter()
        .map(|item| item["id"].as_str().expect("an id string"))
        .collect()
}

/// The object with this `id` in a JSON array; fails listing the ids there are.
pub fn by_id<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("no {id:?} among {:?}", ids(list)))
}

/// One page of `aws ec2 describe-instances` output in AWS's documented shape: a running
/// instance per `(Name tag, instance type, availability zone)`, with ids `i-{id_stem}0000`, ….
pub fn describe_instances(id_stem: &str, instances: &[(&str, &str, &str)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = instances
        .iter()
        .enumerate()
        .map(|(k, (name, ty, az))| {
            serde_json::json!({"InstanceId": format!("i-{id_stem}{k:04}"), "InstanceType": ty,
                   "State": {"Code": 16, "Name": "running"},
                   "Placement": {"AvailabilityZone": az},
                   "Tags": [{"Key": "Name", "Value": name}]})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"Reservations": [{"Instances": list}]}))
        .expect("JSON of plain values")
}
