//! Loading the inventory for both front ends: the alias file, the inventory file or the
//! built-in sample, and the load options they make. The CLI and the bot read the same files the
//! same way.

use aiops_core::{Aliases, LoadError, LoadOptions, Topology};
use std::path::Path;

/// An inventory as loaded: the graph, its name in messages, and the bytes it came from.
pub struct Loaded {
    pub topo: Topology,
    pub source: String,
    pub bytes: Vec<u8>,
}

/// Load options: non-production rows kept or not, and the alias file when one is named.
pub fn options(aliases: Option<&Path>, include_nonprod: bool) -> Result<LoadOptions, LoadError> {
    let mut opts = LoadOptions {
        include_nonprod,
        ..LoadOptions::default()
    };
    if let Some(path) = aliases {
        let bytes = aiops_core::read_file(path)?;
        let file = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| LoadError::Alias {
            file: file.clone(),
            detail: "not UTF-8 text".into(),
        })?;
        opts.aliases = Aliases::parse(&file, &text)?;
    }
    Ok(opts)
}

/// The inventory in `path`, or the built-in sample when there is none. Only a missing
/// inventory (not a missing alias or diagram file) says how to point at another one.
pub fn inventory(path: Option<&Path>, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    match path {
        Some(path) => file(path, opts).map_err(LoadError::of_inventory),
        None => Ok(Loaded {
            topo: aiops_core::seed(opts)?,
            source: aiops_core::SEED_NAME.to_string(),
            bytes: aiops_core::SEED_XLSX.to_vec(),
        }),
    }
}

/// Any inventory file, named in messages as given.
pub fn file(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let source = path.display().to_string();
    let bytes = aiops_core::read_file(path)?;
    let topo = aiops_core::load_bytes(&source, &bytes, opts)?;
    Ok(Loaded {
        topo,
        source,
        bytes,
    })
}

/// Every page of `aws ec2 describe-instances` output in `paths`, in order. A file that cannot
/// be read or is not that output is an error naming it.
pub fn ec2(paths: &[std::path::PathBuf]) -> Result<Vec<aiops_core::reconcile::Instance>, String> {
    let mut all = Vec::new();
    for p in paths {
        let file = p.display().to_string();
        let bytes = aiops_core::read_file(p).map_err(|e| e.to_string())?;
        all.extend(aiops_core::reconcile::parse(&file, &bytes).map_err(|e| e.to_string())?);
    }
    Ok(all)
}
