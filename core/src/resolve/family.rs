//! Role phrases: the instances a word like `Kafka` or `CES 核心` names, with the naming-domain
//! tie-break.

use super::index::Index;
use crate::vocabulary::{is_generic_cell_word, is_qualifier_word, Qualifier};
use rustc_hash::FxHashMap as HashMap;

/// The instances a role phrase names and whether the choice is ambiguous; none when it names
/// no instance.
pub(super) type Family = Option<(Vec<u32>, bool)>;

/// Most instances a word may link to when none shares the row's naming domain.
pub(super) const MAX_FOREIGN_FANOUT: usize = 8;

/// The words of a role phrase that name something, in order: not generic (`API`, `EKS`) and not
/// an access/core qualifier. The first one picks the candidates; the others narrow them. Chat
/// selection reads role words by the same rule.
pub(crate) fn role_heads(words: &[String]) -> Vec<&String> {
    words
        .iter()
        .filter(|w| !is_generic_cell_word(w) && !is_qualifier_word(w))
        .collect()
}

impl Index<'_> {
    /// The symbol of a role phrase's first significant word, when some instance carries it:
    /// the key of its candidates in `kw_all`.
    pub(super) fn family_head(&self, words: &[String]) -> Option<u32> {
        let head = self.syms.get(self.heads(words).first()?)?;
        self.kw_all.contains_key(&head).then_some(head)
    }

    /// [`role_heads`] without the inventory's common prefix, which every name carries and so
    /// picks nothing: `wallet-worker` on a sheet of `wallet-*` names is a phrase for `worker`.
    fn heads<'w>(&self, words: &'w [String]) -> Vec<&'w String> {
        let mut heads = role_heads(words);
        heads.retain(|h| Some(h.as_str()) != self.prefix.as_deref());
        heads
    }

    /// Whether instance `i`'s name tokens or role keywords hold every one of `words`.
    pub(super) fn carries_all(&self, i: u32, words: &[String]) -> bool {
        let at = i as usize;
        let tokens =
            &self.name_tokens[self.name_start[at] as usize..self.name_start[at + 1] as usize];
        words.iter().all(|w| {
            self.syms.get(w).is_some_and(|t| {
                tokens.contains(&t)
                    || self
                        .kw_all
                        .get(&t)
                        .is_some_and(|l| l.binary_search(&i).is_ok())
            })
        })
    }

    /// Whether instance `i` is among the candidates of role head `head`.
    pub(super) fn is_candidate(&self, head: u32, i: u32) -> bool {
        // Each list is in instance order: instances are added one by one.
        self.kw_all
            .get(&head)
            .is_some_and(|l| l.binary_search(&i).is_ok())
    }

    /// Instances a role phrase names, seen from instance `me`, and whether the choice is
    /// ambiguous. With `exclude_me` false, `me` only gives the naming domain: the answer is
    /// then the same for every row of that domain.
    ///
    /// Candidates are the instances whose name or role carries the phrase's first significant
    /// word, narrowed by an access/core qualifier. Among them, prefer in turn: those with exactly
    /// `me`'s naming domain (`morph`, or none); those sharing most domain tokens; those with no
    /// domain; any. The team's diagram links morph-narwhal to morph-kafkanew and ces/maker/spot
    /// to kafka-server-01, which is what this order gives. Instances of one role whose names
    /// differ beyond replica numbers (`kafka-server-01`, `morph-kafkanew-0425`) left after that
    /// are a tie: all are linked and the edge is marked ambiguous.
    pub(super) fn family(
        &self,
        words: &[String],
        qualifier: Qualifier,
        me: u32,
        exclude_me: bool,
    ) -> Family {
        let heads = self.heads(words);
        let head = heads.first()?;
        let head = self.syms.get(head)?;
        self.kw_all.get(&head)?;
        let others: Vec<&Vec<u32>> = heads[1..]
            .iter()
            .filter_map(|h| self.syms.get(h).and_then(|h| self.kw_all.get(&h)))
            .collect();
        let keep = |c: &u32| {
            (!exclude_me || *c != me)
                && match qualifier {
                    Qualifier::None => true,
                    Qualifier::Access => self.access[*c as usize],
                    Qualifier::Core => self.core[*c as usize] || !self.access[*c as usize],
                }
                && others.iter().all(|o| o.binary_search(c).is_ok())
        };
        let mine = self.domain(me);
        let mine_key = self.domain_keys[me as usize];
        let filtered = |list: Option<&Vec<u32>>| -> Vec<u32> {
            list.into_iter()
                .flatten()
                .copied()
                .filter(|c| keep(c))
                .collect()
        };
        let mut hits = filtered(self.kw_domain.get(&(head, mine_key)));
        if hits.is_empty() && !mine.is_empty() {
            let mut best_score = 0;
            for d in mine {
                // A one-token domain's key is that token: its instances are in `kw_domain`.
                let whole = self.kw_domain.get(&(head, *d));
                let part = self.kw_token.get(&(head, *d));
                for c in whole.into_iter().chain(part).flatten() {
                    if !keep(c) {
                        continue;
                    }
                    // At least 1: every candidate here has the token `d`.
                    let score = self.domain(*c).iter().filter(|t| mine.contains(t)).count();
                    if score > best_score {
                        best_score = score;
                        hits.clear();
                    }
                    if score == best_score && !hits.contains(c) {
                        hits.push(*c);
                    }
                }
            }
        }
        if hits.is_empty() && mine_key != 0 {
            hits = filtered(self.kw_domain.get(&(head, 0)));
        }
        if hits.is_empty() {
            hits = filtered(self.kw_all.get(&head));
            if hits.len() > MAX_FOREIGN_FANOUT {
                // A word that only fits instances of other naming domains, and many of them:
                // linking them all would invent a hub. Leave it to the alias file.
                return Some((Vec::new(), true));
            }
        }
        if hits.is_empty() {
            return None;
        }
        hits.sort_unstable();
        let ambiguous = self.is_tie(&hits);
        Some((hits, ambiguous))
    }

    /// Whether two instances' names are the same but for replica numbers, `copy` and `bak`.
    fn same_stem(&self, a: u32, b: u32) -> bool {
        let stem = |i: u32| {
            let i = i as usize;
            self.name_tokens[self.name_start[i] as usize..self.name_start[i + 1] as usize]
                .iter()
                .copied()
                .filter(|&t| self.stem_token.get(t as usize).copied().unwrap_or(true))
        };
        stem(a).eq(stem(b))
    }

    /// Several instances of one role with different name stems: the word meant one of them.
    fn is_tie(&self, hits: &[u32]) -> bool {
        let mut by_role: HashMap<u32, u32> = HashMap::default();
        for &h in hits {
            let role = self.roles[h as usize];
            let stem = h;
            match by_role.get(&role) {
                Some(&s) if !self.same_stem(s, stem) => return true,
                Some(_) => {}
                None => {
                    by_role.insert(role, stem);
                }
            }
        }
        false
    }
}
