//! What relations pass through (`经 APISIX/NGINX`): via words resolved to nodes, per naming
//! domain of the stating row.

use super::externals::Externals;
use super::index::Index;
use super::interner::Interner;
use super::relations::Relations;
use super::rows::Instance;
use super::word::{prepare, resolve, Caches, Resolved};
use super::LoadOptions;
use crate::cell::parse_cell;
use crate::error::Location;
use rustc_hash::FxHashMap as HashMap;

/// What a relation passes through (`经 APISIX/NGINX`), resolved like any other mention from
/// the stating row (so the naming domain counts): to the instances a word names, or to an
/// external node the sheet already has. Edges keep the words as written; the topology uses the
/// nodes to cut these relations when a node fails.
#[derive(Default)]
pub(super) struct ViaIndex {
    /// Node positions by (word, naming-domain key of the stating instance).
    pub(super) by_domain: HashMap<(String, u32), Vec<u32>>,
    /// Node positions by word, as first resolved: for a merged relation whose words came
    /// from another row.
    pub(super) by_word: HashMap<String, Vec<u32>>,
    /// Naming-domain key of each instance.
    pub(super) dkeys: Vec<u32>,
}

impl ViaIndex {
    pub(super) fn nodes(&self, word: &str, stater: u32) -> &[u32] {
        let dkey = self.dkeys.get(stater as usize).copied().unwrap_or(0);
        self.by_domain
            .get(&(word.to_string(), dkey))
            .or_else(|| self.by_word.get(word))
            .map_or(&[], Vec::as_slice)
    }
}

/// What a via word is resolved against.
pub(super) struct ViaFrom<'a, 't> {
    pub(super) index: &'a Index<'t>,
    pub(super) opts: &'a LoadOptions,
    pub(super) instances: &'a [Instance<'t>],
    pub(super) ext: &'a Externals,
}

impl ViaFrom<'_, '_> {
    /// The node positions a via word names, seen from instance `me`'s row; empty when none.
    pub(super) fn resolve(&self, word: &str, me: u32) -> Vec<u32> {
        let n_inst = self.instances.len() as u32;
        let mut pos: Vec<u32> = Vec::new();
        let mut caches = Caches::default();
        let mut ignored = Vec::new();
        let mut scratch = Relations::new(0, 0);
        let mut texts = Interner::default();
        let loc = || Location {
            sheet: String::new(),
            row: 0,
            column: None,
        };
        for m in parse_cell(word) {
            let w = prepare(m, &mut texts, &mut scratch);
            match resolve(
                &w,
                me,
                self.index,
                self.opts,
                &mut caches,
                &loc,
                &mut ignored,
            ) {
                Resolved::Instances(ids, _) => pos.extend(ids),
                Resolved::External(name) => pos.extend(self.ext.find(name).map(|id| n_inst + id)),
                Resolved::Nothing => {}
            }
        }
        pos.sort_unstable();
        pos.dedup();
        pos
    }
}
