//! Interning: texts as small ids, so statements and index lookups carry `u32`s, not strings.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// A string interner: small ids instead of strings, for cell texts and words (statements carry
/// them) and for the index's name tokens, role keys and domains (its lookups are by them).
#[derive(Default)]
pub(super) struct Interner {
    /// Text by id.
    pub(super) all: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Interner {
    pub(super) fn get(&self, t: &str) -> Option<u32> {
        self.ids.get(t).copied()
    }

    pub(super) fn intern(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let arc: Arc<str> = Arc::from(t);
        let id = self.all.len() as u32;
        self.all.push(arc.clone());
        self.ids.insert(arc, id);
        id
    }
}
