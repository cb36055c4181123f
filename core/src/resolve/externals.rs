//! External nodes: one per resource however the sheet spells it, named by its most qualified
//! spelling, and the key by which spellings are compared.

use super::index::Index;
use super::rows::Instance;
use crate::text::{fold_width, key, squash_spaces};
use crate::vocabulary::is_engine_word;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// External nodes, one per resource however it is spelled.
#[derive(Default)]
pub(super) struct Externals {
    by_key: HashMap<String, u32>,
    /// Words already interned, as written: most mentions repeat.
    by_text: HashMap<String, u32>,
    /// Spellings of each node in order of first appearance.
    pub(super) spellings: Vec<Vec<String>>,
}

impl Externals {
    /// How a word is written as an external node's name, and the key spellings share.
    fn spelling(raw: &str) -> (String, String) {
        let name = squash_spaces(&fold_width(raw));
        let k = external_key(&name);
        (name, k)
    }

    /// The external node a word names, if the sheet mentions it; never adds one.
    pub(super) fn find(&self, raw: &str) -> Option<u32> {
        if let Some(&id) = self.by_text.get(raw) {
            return Some(id);
        }
        self.by_key.get(&Self::spelling(raw).1).copied()
    }

    pub(super) fn intern(&mut self, raw: &str) -> u32 {
        if let Some(&id) = self.by_text.get(raw) {
            return id;
        }
        let (name, k) = Self::spelling(raw);
        let id = match self.by_key.get(&k) {
            Some(&id) => id,
            None => {
                self.by_key.insert(k, self.spellings.len() as u32);
                self.spellings.push(Vec::new());
                self.spellings.len() as u32 - 1
            }
        };
        let forms = &mut self.spellings[id as usize];
        if !forms.contains(&name) {
            forms.push(name);
        }
        self.by_text.insert(raw.to_string(), id);
        id
    }

    /// The most qualified spelling: most words, then the first seen.
    pub(super) fn canonical(&self, id: u32) -> &str {
        let forms = &self.spellings[id as usize];
        let mut best = &forms[0];
        for f in forms {
            if f.split(' ').count() > best.split(' ').count() {
                best = f;
            }
        }
        best
    }
}

/// `Aurora spotdb` and `spotdb` share a key; so do `Valkey spot-redis` and `spot-redis`.
pub(crate) fn external_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut words: Vec<&str> = lower.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && is_engine_word(words[0]) {
        words.remove(0);
    }
    key(&words.join(""))
}

/// External nodes are named by their most qualified spelling, set apart from an instance of
/// the same name.
pub(super) fn external_names(
    ext: &Externals,
    index: &Index,
    instances: &[Instance],
) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(ext.spellings.len());
    let mut seen: HashSet<String> = HashSet::default();
    for id in 0..ext.spellings.len() as u32 {
        let mut name = ext.canonical(id).to_string();
        // The index's name table holds every exact instance name (and keys, checked here).
        let clash = index
            .names
            .get(name.as_str())
            .is_some_and(|&i| instances.get(i as usize).is_some_and(|n| n.name == name));
        if clash || seen.contains(&name) {
            name = format!("{name} (external)");
        }
        seen.insert(name.clone());
        names.push(name);
    }
    names
}
