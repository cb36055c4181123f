//! aiops-core: load the team's inventory into a dependency graph and answer questions about it.
//!
//! Pure: no network, no async runtime, no environment variables. The only I/O is [`open`],
//! a convenience that reads a file's bytes and hands them to [`load_bytes`].

pub mod alert;
pub mod alias;
pub mod cell;
pub mod diag;
pub mod diagram;
pub mod diff;
pub mod error;
pub mod graph;
pub mod ingest;
pub mod lint;
pub mod query;
pub mod reconcile;
pub mod render;
pub mod resolve;
#[cfg(any(test, feature = "testing"))]
pub mod synth;
pub mod text;
pub mod vocabulary;

pub use alias::Aliases;
pub use diag::{DiagKind, Diagnostic, Severity};
pub use error::{LoadError, Location};
pub use graph::{Edge, Node, NodeKind, Provenance, ResourceKind, Topology};
pub use resolve::LoadOptions;

use std::path::Path;

/// The seed workbook, compiled in: the CLI's default inventory.
pub const SEED_XLSX: &[u8] = include_bytes!("../data/ai-ops-list.xlsx");
/// The name the built-in inventory goes by in messages.
pub const SEED_NAME: &str = "built-in sample (ai-ops-list.xlsx)";
/// The team's document: the same table as Markdown, and their hand-drawn Mermaid diagram.
pub const SEED_MARKDOWN: &str = include_str!("../data/seed.md");

/// Loads an inventory from bytes. `file` names it in messages and picks CSV vs. Markdown for
/// text; the format of binary workbooks is detected from the bytes. A sheet with no upstream
/// and no downstream column is refused unless [`LoadOptions::names_only`]: a graph without
/// relations would answer every question with "no dependencies".
pub fn load_bytes(file: &str, bytes: &[u8], opts: &LoadOptions) -> Result<Topology, LoadError> {
    let table = ingest::read_table_with(file, bytes, opts.aliases.columns())?;
    if !table.has_relations() && !opts.names_only {
        return Err(LoadError::NoRelationColumns {
            file: file.into(),
            sheet: table.sheet.clone(),
            headers: table.headers_seen(),
        });
    }
    let topo = resolve::build(&table, opts);
    if topo.instance_count() == 0 {
        let left_out = topo
            .diagnostics()
            .iter()
            .find(|d| d.kind == DiagKind::NonProduction);
        return Err(LoadError::EmptyTable {
            file: file.into(),
            sheet: table.sheet,
            header_row: table.header_row,
            detail: left_out
                .map(|d| format!("; {}", d.message))
                .unwrap_or_default(),
            nonprod_left_out: left_out.is_some(),
        });
    }
    opts.aliases.check(&topo, file)?;
    Ok(topo)
}

/// Reads a file and loads it. The path is shown as given in every message.
pub fn open(path: &Path, opts: &LoadOptions) -> Result<Topology, LoadError> {
    let file = path.display().to_string();
    let bytes = read_file(path).map_err(LoadError::of_inventory)?;
    load_bytes(&file, &bytes, opts)
}

/// Reads a file's bytes, mapping I/O failures to [`LoadError`] with the path in the message.
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let file = path.display().to_string();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::Missing { file })
        }
        Err(e) => {
            return Err(LoadError::Io {
                file,
                detail: e.to_string(),
            })
        }
        Ok(m) if m.is_dir() => {
            return Err(LoadError::Io {
                file,
                detail: "is a directory, not a file".into(),
            })
        }
        Ok(m) if m.len() > ingest::MAX_FILE_BYTES => {
            return Err(LoadError::TooLarge {
                file,
                size: m.len(),
                max: ingest::MAX_FILE_BYTES,
            })
        }
        Ok(_) => {}
    }
    std::fs::read(path).map_err(|e| LoadError::Io {
        file,
        detail: e.to_string(),
    })
}

/// The built-in seed inventory.
pub fn seed(opts: &LoadOptions) -> Result<Topology, LoadError> {
    load_bytes(SEED_NAME, SEED_XLSX, opts)
}
