//! The lookup structures words are resolved against: instance names and their keys, name
//! tokens, naming domains, roles and keywords, all by interned symbols.

use super::interner::Interner;
use super::rows::{Instance, Names};
use crate::text::{ascii_words, glob_literal_prefix, glob_match, key, key_of, lowered};
use crate::vocabulary::{
    is_access_word, is_filler_token, is_generic_cell_word, is_stem_token, role_is_access,
    role_is_core,
};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::sync::Arc;

/// Lookup structures over the instances, so each word is resolved with hash lookups rather than
/// a scan of every instance.
pub(super) struct Index<'a> {
    pub(super) prefix: Option<String>,
    /// Name keys (see [`key`]), with and without the common prefix. Borrowed from the
    /// instances when the key is the name itself, as it usually is.
    pub(super) names: HashMap<Cow<'a, str>, u32>,
    /// Lower-cased names, sorted, for glob prefix ranges.
    pub(super) sorted: Vec<(Cow<'a, str>, u32)>,
    /// Interned name tokens, role keys and domain keys; symbol 0 is the empty string.
    pub(super) syms: Interner,
    pub(super) roles: Vec<u32>,
    /// Name-token symbols of all instances, back to back, as `domain_tokens` below.
    pub(super) name_tokens: Vec<u32>,
    pub(super) name_start: Vec<u32>,
    /// Per symbol: whether a name token of it is part of the name's stem (not a replica
    /// number, `copy` or `bak`).
    pub(super) stem_token: Vec<bool>,
    /// Sorted domain-token symbols of all instances, back to back; instance `i`'s are
    /// `domain_tokens[domain_start[i]..domain_start[i + 1]]`.
    pub(super) domain_tokens: Vec<u32>,
    pub(super) domain_start: Vec<u32>,
    /// The whole domain of each instance as one symbol (0 for none).
    pub(super) domain_keys: Vec<u32>,
    pub(super) access: Vec<bool>,
    pub(super) core: Vec<bool>,
    /// Role keys to their instances.
    pub(super) by_role: HashMap<String, u32>,
    pub(super) role_lists: Vec<Vec<u32>>,
    pub(super) kw_all: HashMap<u32, Vec<u32>>,
    /// (keyword, whole domain) → instances.
    pub(super) kw_domain: HashMap<(u32, u32), Vec<u32>>,
    /// (keyword, one domain token) → instances whose domain has more tokens than that one.
    /// Instances whose whole domain is that token are in `kw_domain` under the same key (a
    /// one-token domain's key is the token's symbol).
    pub(super) kw_token: HashMap<(u32, u32), Vec<u32>>,
}

/// What the index derives from a role text, once per distinct text.
struct RoleInfo {
    /// The role key's symbol (the name's, for an empty role).
    sym: u32,
    access: bool,
    core: bool,
    /// Keyword symbols of the role's ASCII words.
    keywords: Vec<u32>,
    /// Its list in `Index::role_lists`; none for an empty role.
    list: Option<u32>,
}

impl<'a> Index<'a> {
    /// `names` are the exact instance names from [`collect_instances`]; the index adds the
    /// name keys and the names without the common prefix to it rather than build a second
    /// table. Exact names that are not keys (capitals, spaces) never match a key lookup.
    pub(super) fn new(instances: &'a [Instance], names: Names<'a>) -> Self {
        let n = instances.len();
        let mut syms = Interner::default();
        syms.intern("");
        let mut names = names;
        // One pass over the instances for everything that needs no whole-sheet figure: big
        // sheets do not fit in the cache, so every extra pass reads them from memory again.
        let mut lowers: Vec<Cow<'a, str>> = Vec::with_capacity(n);
        // Name tokens of every instance, back to back (one allocation, not one per name).
        let mut name_tokens: Vec<u32> = Vec::with_capacity(n * 5);
        let mut name_start: Vec<u32> = Vec::with_capacity(n + 1);
        name_start.push(0);
        // Per token symbol: names it starts, names it is in, and up to three of their roles.
        let mut first_count: Vec<u32> = Vec::new();
        let mut token_count: Vec<u32> = Vec::new();
        let mut token_roles: Vec<([&str; 3], u8)> = Vec::new();
        for (i, inst) in instances.iter().enumerate() {
            // Full name keys now, names without the prefix later: a shortened name never
            // shadows a full one.
            if let Cow::Owned(k) = key_of(&inst.name) {
                names.entry(Cow::Owned(k)).or_insert(i as u32);
            }
            let lower = lowered(&inst.name);
            let start = name_tokens.len();
            for t in lower.split(['-', '_', '.']).filter(|t| !t.is_empty()) {
                let t = syms.intern(t);
                let first = name_tokens.len() == start;
                let repeated = name_tokens[start..].contains(&t);
                name_tokens.push(t);
                if repeated {
                    continue;
                }
                let at = t as usize;
                if token_count.len() <= at {
                    first_count.resize(at + 1, 0);
                    token_count.resize(at + 1, 0);
                    token_roles.resize(at + 1, ([""; 3], 0));
                }
                if first {
                    first_count[at] += 1;
                }
                token_count[at] += 1;
                let (roles, len) = &mut token_roles[at];
                if (*len as usize) < roles.len() && !roles[..*len as usize].contains(&inst.role) {
                    roles[*len as usize] = inst.role;
                    *len += 1;
                }
            }
            name_start.push(name_tokens.len() as u32);
            lowers.push(lower);
        }
        let tokens_of = |i: usize| &name_tokens[name_start[i] as usize..name_start[i + 1] as usize];
        // The name tokens' text, by symbol (later symbols are not name tokens).
        let text: Vec<Arc<str>> = syms.all.clone();
        let stem_token: Vec<bool> = text.iter().map(|t| is_stem_token(t)).collect();
        // The common prefix (`aie1p`): the first token of most names.
        let prefix: Option<u32> = first_count
            .iter()
            .enumerate()
            .filter(|&(_, &c)| n >= 2 && c as usize * 2 > n)
            .max_by_key(|&(t, &c)| (c, std::cmp::Reverse(t)))
            .map(|(t, _)| t as u32);
        let filler: Vec<bool> = text.iter().map(|t| is_filler_token(t)).collect();
        let significant = |t: u32| Some(t) != prefix && !filler[t as usize];
        // A domain token names a family of unrelated services (`morph`): it appears with at least
        // three different roles, but not in most names.
        let is_domain = |t: u32| {
            significant(t)
                && token_roles.get(t as usize).is_some_and(|r| r.1 >= 3)
                && token_count
                    .get(t as usize)
                    .is_some_and(|&c| c as usize * 2 <= n)
        };
        let is_kw = |t: &str| !is_generic_cell_word(t) && !is_access_word(t);
        let prefix_text = prefix.map(|p| text[p as usize].to_string());
        let mut idx = Index {
            prefix: prefix_text.clone(),
            names,
            sorted: Vec::new(),
            syms,
            roles: Vec::with_capacity(n),
            name_tokens: Vec::new(),
            name_start: Vec::new(),
            stem_token,
            domain_tokens: Vec::new(),
            domain_start: Vec::with_capacity(n + 1),
            domain_keys: Vec::with_capacity(n),
            access: Vec::with_capacity(n),
            core: Vec::with_capacity(n),
            by_role: HashMap::default(),
            role_lists: Vec::new(),
            kw_all: HashMap::default(),
            kw_domain: HashMap::default(),
            kw_token: HashMap::default(),
        };
        // Roles repeat on many rows: derive their keys and keywords once.
        let mut role_info: HashMap<&str, RoleInfo> = HashMap::default();
        let mut kws: Vec<u32> = Vec::new();
        let mut domain: Vec<u32> = Vec::new();
        let mut buf = String::new();
        idx.domain_start.push(0);
        for (i, inst) in instances.iter().enumerate() {
            let id = i as u32;
            let lower = &lowers[i];
            if let Some(p) = &prefix_text {
                let rest = match lower {
                    Cow::Borrowed(l) => l
                        .strip_prefix(p.as_str())
                        .and_then(|r| r.strip_prefix(['-', '_', '.']))
                        .map(key_of),
                    Cow::Owned(l) => l
                        .strip_prefix(p.as_str())
                        .and_then(|r| r.strip_prefix(['-', '_', '.']))
                        .map(|r| Cow::Owned(key(r))),
                };
                if let Some(rest) = rest {
                    idx.names.entry(rest).or_insert(id);
                }
            }
            let syms = &mut idx.syms;
            let role_lists = &mut idx.role_lists;
            let by_role = &mut idx.by_role;
            let RoleInfo {
                sym: role_sym,
                access: role_access,
                core,
                keywords: role_kws,
                list: role_list,
            } = &*role_info.entry(inst.role).or_insert_with(|| {
                let rk = key(inst.role);
                let words = ascii_words(inst.role)
                    .into_iter()
                    .filter(|w| is_kw(w) && !w.chars().all(|c| c.is_ascii_digit()))
                    .map(|w| syms.intern(&w))
                    .collect();
                let access = role_is_access(&rk);
                let core = role_is_core(&rk);
                let sym = if rk.is_empty() {
                    syms.intern(&key(&inst.name))
                } else {
                    syms.intern(&rk)
                };
                // Roles that differ only in width, case or spacing share one list.
                let list = (!inst.role.trim().is_empty()).then(|| {
                    *by_role.entry(rk).or_insert_with(|| {
                        role_lists.push(Vec::new());
                        role_lists.len() as u32 - 1
                    })
                });
                RoleInfo {
                    sym,
                    access,
                    core,
                    keywords: words,
                    list,
                }
            });
            let toks = tokens_of(i);
            domain.clear();
            domain.extend(toks.iter().copied().filter(|&t| is_domain(t)));
            domain.sort_unstable();
            domain.dedup();
            let dkey = if domain.is_empty() {
                0
            } else {
                buf.clear();
                // Joined with `-`, which no name token contains (names are split on it): a
                // multi-token key can never be spelled like a one-token domain (`alpha+beta`).
                for (k, &d) in domain.iter().enumerate() {
                    if k > 0 {
                        buf.push('-');
                    }
                    buf.push_str(&text[d as usize]);
                }
                idx.syms.intern(&buf)
            };
            kws.clear();
            kws.extend(
                toks.iter()
                    .copied()
                    .filter(|&t| significant(t) && is_kw(&text[t as usize])),
            );
            kws.extend(role_kws.iter().copied());
            kws.sort_unstable();
            kws.dedup();
            for &kw in &kws {
                idx.kw_all.entry(kw).or_default().push(id);
                if domain.len() > 1 {
                    for &d in &domain {
                        idx.kw_token.entry((kw, d)).or_default().push(id);
                    }
                }
                idx.kw_domain.entry((kw, dkey)).or_default().push(id);
            }
            if let Some(list) = role_list {
                idx.role_lists[*list as usize].push(id);
            }
            idx.roles.push(*role_sym);
            idx.access
                .push(*role_access || toks.iter().any(|&t| is_access_word(&text[t as usize])));
            idx.core.push(*core);
            idx.domain_tokens.extend_from_slice(&domain);
            idx.domain_start.push(idx.domain_tokens.len() as u32);
            idx.domain_keys.push(dkey);
        }
        idx.sorted = lowers.into_iter().zip(0..).collect();
        idx.name_tokens = name_tokens;
        idx.name_start = name_start;
        idx.sorted.sort_unstable();
        idx
    }

    /// Sorted domain-token symbols of instance `i`.
    pub(super) fn domain(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.domain_tokens[self.domain_start[i] as usize..self.domain_start[i + 1] as usize]
    }

    fn exact(&self, word: &str) -> Option<u32> {
        self.names.get(key(word).as_str()).copied()
    }

    /// Instances selected by a name or glob, with or without the common prefix. Results are
    /// cached per pattern: a big sheet repeats the same pattern on many rows.
    pub(super) fn select<'c>(
        &self,
        pattern: &str,
        cache: &'c mut HashMap<String, Vec<u32>>,
    ) -> &'c [u32] {
        // Most patterns come back many times, already trimmed and lower case.
        if cache.contains_key(pattern) {
            return cache.get(pattern).map(Vec::as_slice).unwrap_or(&[]);
        }
        let k = pattern.trim().to_lowercase();
        if !cache.contains_key(&k) {
            let hits = self.select_uncached(&k);
            cache.insert(k.clone(), hits);
        }
        cache.get(&k).map(Vec::as_slice).unwrap_or(&[])
    }

    fn select_uncached(&self, pattern: &str) -> Vec<u32> {
        if !pattern.contains(['*', '?', '[']) {
            return self.exact(pattern).into_iter().collect();
        }
        let mut candidates = vec![pattern.to_string()];
        if let Some(p) = &self.prefix {
            if !pattern.starts_with(p.as_str()) {
                candidates.push(format!("{p}-{pattern}"));
            }
        }
        let mut hits = Vec::new();
        for pat in candidates {
            let literal = glob_literal_prefix(&pat);
            let start = self
                .sorted
                .partition_point(|(n, _)| &**n < literal.as_str());
            for (name, id) in &self.sorted[start..] {
                if !name.starts_with(&literal) {
                    break;
                }
                if glob_match(&pat, name) {
                    hits.push(*id);
                }
            }
            if !hits.is_empty() {
                break;
            }
        }
        hits.sort_unstable();
        hits
    }
}
