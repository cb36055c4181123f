//! Resolving one mention by the rules of the module doc, first that applies wins.

use super::family::Family;
use super::index::Index;
use super::interner::Interner;
use super::relations::Relations;
use super::LoadOptions;
use crate::alias::AliasTarget;
use crate::cell::{is_name_pattern, Mention};
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::text::{ascii_words, is_name_shaped, key};
use crate::vocabulary::{names_managed_resource, qualifier_of, Qualifier};
use rustc_hash::FxHashMap as HashMap;

/// A mention with what resolution needs precomputed, once per distinct cell text.
pub(super) struct Word {
    pub(super) m: Mention,
    key: String,
    words: Vec<String>,
    resource: bool,
    qualifier: Qualifier,
    /// Written like an instance name (`ledger-db`: ASCII words joined by `-`, `_` or `.`, no
    /// spaces): as a role phrase it names only instances carrying every one of its words, so a
    /// removed or misspelt name never picks its namesakes (`ledger-svc`) by its first word.
    name_shaped: bool,
    /// The mention's text, interned.
    pub(super) word: u32,
    /// Its via and notes in [`Relations::details`], or [`NO_EXTRA`](super::relations::NO_EXTRA).
    pub(super) detail: u32,
}

/// Precomputes what resolution needs of a mention.
pub(super) fn prepare(m: Mention, texts: &mut Interner, rel: &mut Relations) -> Word {
    let words = ascii_words(&m.text);
    Word {
        word: texts.intern(&m.text),
        detail: rel.detail(&m),
        key: key(&m.text),
        resource: names_managed_resource(&words),
        qualifier: qualifier_of(&m.text, &words),
        name_shaped: is_name_shaped(&m.text),
        words,
        m,
    }
}

/// What resolution remembers between mentions: a big sheet states the same words on many rows,
/// and a role phrase's candidates and tie-break are the same for every row of one naming domain.
#[derive(Default)]
pub(super) struct Caches {
    /// Instances each name or glob selects (see [`Index::select`]).
    pub(super) globs: HashMap<String, Vec<u32>>,
    /// A mention's role phrase, by (its interned text, the row's naming domain):
    /// [`Index::family`]'s answer for that domain with no instance left out. A row whose own
    /// instance that answer includes resolves it again without itself (see [`resolve`]).
    families: HashMap<(u32, u32), Family>,
    /// Each mention's role head's candidates, by interned text (see [`Index::family_head`]).
    heads: HashMap<u32, Option<u32>>,
}

/// What a mention names.
pub(super) enum Resolved<'a> {
    Instances(Vec<u32>, bool),
    External(&'a str),
    Nothing,
}

/// Resolves a mention of instance `me`'s row; odd words add diagnostics at `loc`.
pub(super) fn resolve<'a>(
    w: &'a Word,
    me: u32,
    index: &Index,
    opts: &'a LoadOptions,
    caches: &mut Caches,
    loc: &dyn Fn() -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Resolved<'a> {
    let m = &w.m;
    for word in [&m.base, &m.text] {
        match opts.aliases.get(word) {
            Some(AliasTarget::External(name)) => return Resolved::External(name),
            Some(AliasTarget::Instances(pins)) => {
                let mut found: Vec<u32> = Vec::new();
                for p in pins {
                    let hits = index.select(p, &mut caches.globs);
                    if hits.is_empty() {
                        diags.push(
                            Diagnostic::new(
                                Severity::Warning,
                                DiagKind::AliasTarget,
                                format!(
                                    "alias for '{word}' names '{p}', which matches no instance"
                                ),
                            )
                            .at(loc()),
                        );
                    }
                    found.extend(hits.iter().copied().filter(|&i| i != me));
                }
                found.sort_unstable();
                found.dedup();
                return Resolved::Instances(found, false);
            }
            None => {}
        }
    }
    let mut globs: Vec<&str> = Vec::new();
    if let Some(p) = &m.pattern {
        globs.push(p);
    }
    if is_name_pattern(&m.text) {
        globs.push(&m.text);
    }
    for g in &globs {
        let hits: Vec<u32> = index
            .select(g, &mut caches.globs)
            .iter()
            .copied()
            .filter(|&i| i != me)
            .collect();
        if !hits.is_empty() {
            return Resolved::Instances(hits, false);
        }
        diags.push(
            Diagnostic::new(
                Severity::Warning,
                DiagKind::PatternMatchedNothing,
                format!("name pattern '{g}' matches no instance"),
            )
            .at(loc()),
        );
    }
    if is_name_pattern(&m.text) {
        return Resolved::Nothing;
    }
    if let Some(&i) = index.names.get(w.key.as_str()) {
        return if i == me {
            Resolved::Nothing
        } else {
            Resolved::Instances(vec![i], false)
        };
    }
    if w.resource {
        return Resolved::External(&m.text);
    }
    // The answer for the row's naming domain, `me` left in; it is `me`'s own only when
    // leaving `me` out could change it: `me` is among the instances chosen, or among the
    // candidates of a word refused for fitting too many.
    let shared = caches
        .families
        .entry((w.word, index.domain_keys[me as usize]))
        .or_insert_with(|| index.family(&w.words, w.qualifier, me, false));
    let own = match shared {
        Some((hits, _)) if hits.binary_search(&me).is_ok() => true,
        Some((hits, true)) if hits.is_empty() => {
            let head = *caches
                .heads
                .entry(w.word)
                .or_insert_with(|| index.family_head(&w.words));
            head.is_some_and(|h| index.is_candidate(h, me))
        }
        _ => false,
    };
    let family = if own {
        index.family(&w.words, w.qualifier, me, true)
    } else {
        shared.clone()
    };
    if let Some((hits, ambiguous)) = family {
        if !w.name_shaped {
            return Resolved::Instances(hits, ambiguous);
        }
        let hits: Vec<u32> = hits
            .into_iter()
            .filter(|&i| index.carries_all(i, &w.words))
            .collect();
        if !hits.is_empty() {
            let ambiguous = ambiguous && hits.len() > 1;
            return Resolved::Instances(hits, ambiguous);
        }
    }
    if let Some(hits) = index
        .by_role
        .get(&w.key)
        .and_then(|&l| index.role_lists.get(l as usize))
    {
        let hits: Vec<u32> = hits.iter().copied().filter(|&i| i != me).collect();
        if !hits.is_empty() {
            return Resolved::Instances(hits, false);
        }
    }
    Resolved::External(&m.text)
}
