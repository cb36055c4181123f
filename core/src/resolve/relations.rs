//! The relations found while the sheet is read: one small draft per statement, merged per
//! (from, to) pair with one stable sort.

use super::word::Word;
use crate::cell::Mention;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(super) enum NodeRef {
    Inst(u32),
    Ext(u32),
}

/// Where a statement was made, by interned ids: row, column index, cell text and word.
/// Turned into a [`Provenance`](crate::graph::Provenance) only once per edge, when the topology is assembled.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Src {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) text: u32,
    pub(super) word: u32,
}

pub(super) const OPTIONAL: u8 = 1;
pub(super) const ON_DEMAND: u8 = 2;
pub(super) const AMBIGUOUS: u8 = 4;
pub(super) const BY_FROM: u8 = 8;
pub(super) const BY_TO: u8 = 16;
/// Some statement of the relation says optional (on demand), whether or not all do: with
/// [`OPTIONAL`] (`ON_DEMAND`) unset, its statements disagree.
pub(super) const OPTIONAL_SAID: u8 = 32;
pub(super) const ON_DEMAND_SAID: u8 = 64;
/// Every statement says optional or on demand (not necessarily the same one).
pub(super) const SOFT: u8 = 128;
pub(super) const NO_EXTRA: u32 = u32::MAX;

/// One relation while the sheet is read: 36 bytes, so hundreds of thousands stay cheap to
/// sort. The rare parts (via, notes, further statements) live in [`Extra`].
pub(super) struct Draft {
    /// Node positions: instances first, then external nodes (`n_inst + external id`).
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) src: Src,
    pub(super) flags: u8,
    /// The first statement's via and notes ([`Relations::details`]), or [`NO_EXTRA`].
    pub(super) detail: u32,
    pub(super) extra: u32,
}

// Sorting the drafts is most of the merge on a big sheet: growing one should be a decision,
// not an accident.
const _: () = assert!(std::mem::size_of::<Draft>() == 36);

/// What a mention says beyond its target: shared by every statement of that mention.
pub(super) struct Detail {
    pub(super) via: Vec<String>,
    pub(super) note: Option<String>,
}

/// What statements after the first add to a relation.
#[derive(Default)]
pub(super) struct Extra {
    pub(super) via: Vec<String>,
    pub(super) note: Option<String>,
    pub(super) also: Vec<Src>,
}

/// The relations found so far. Statements are appended as they are resolved, 36 bytes each;
/// [`Relations::merge`] then sorts them by (from, to) and folds every statement of the same
/// pair into one [`Draft`]. Sorting touches memory in order, which at 100k rows is cheaper
/// than a hash table of 400k pairs probed at random.
pub(super) struct Relations {
    n_inst: u32,
    pub(super) drafts: Vec<Draft>,
    pub(super) details: Vec<Detail>,
    pub(super) extras: Vec<Extra>,
    /// Where each external node was first mentioned, for its diagnostic.
    pub(super) first_mention: Vec<Option<Src>>,
}

impl Relations {
    pub(super) fn new(n_inst: usize, expected: usize) -> Self {
        Relations {
            n_inst: n_inst as u32,
            drafts: Vec::with_capacity(expected),
            details: Vec::new(),
            extras: Vec::new(),
            first_mention: Vec::new(),
        }
    }

    fn pos(&self, r: NodeRef) -> u32 {
        match r {
            NodeRef::Inst(i) => i,
            NodeRef::Ext(e) => self.n_inst + e,
        }
    }

    /// The detail id of a mention with via or notes, or [`NO_EXTRA`].
    pub(super) fn detail(&mut self, m: &Mention) -> u32 {
        if m.via.is_empty() && m.notes.is_empty() {
            return NO_EXTRA;
        }
        self.details.push(Detail {
            via: m.via.clone(),
            note: Some(m.notes.join("; ")).filter(|n| !n.is_empty()),
        });
        self.details.len() as u32 - 1
    }

    /// Records one statement of a relation.
    pub(super) fn state(
        &mut self,
        from: NodeRef,
        to: NodeRef,
        w: &Word,
        ambiguous: bool,
        by_from: bool,
        src: Src,
    ) {
        for end in [from, to] {
            if let NodeRef::Ext(e) = end {
                let e = e as usize;
                if self.first_mention.len() <= e {
                    self.first_mention.resize(e + 1, None);
                }
                if self.first_mention[e].is_none() {
                    self.first_mention[e] = Some(src);
                }
            }
        }
        let m = &w.m;
        let mut flags = if by_from { BY_FROM } else { BY_TO };
        if m.optional {
            flags |= OPTIONAL | OPTIONAL_SAID | SOFT;
        }
        if m.on_demand {
            flags |= ON_DEMAND | ON_DEMAND_SAID | SOFT;
        }
        if ambiguous {
            flags |= AMBIGUOUS;
        }
        self.drafts.push(Draft {
            from: self.pos(from),
            to: self.pos(to),
            src,
            flags,
            detail: w.detail,
            extra: NO_EXTRA,
        });
    }

    /// Sorts the statements by (from, to), in sheet order within a pair, and folds each pair's
    /// statements into its first. An edge is optional (on demand, ambiguous) only if every
    /// statement of it says so, or if every statement says optional or on demand and some say
    /// optional (on demand): `（按需）` on one side and `（可选）` on the other is soft either way.
    pub(super) fn merge(&mut self) {
        let Relations {
            drafts,
            details,
            extras,
            ..
        } = self;
        // Stable: the first statement of a pair stays first and becomes the edge's source.
        drafts.sort_by_key(|d| (d.from, d.to));
        drafts.dedup_by(|s, d| {
            if (s.from, s.to) != (d.from, d.to) {
                return false;
            }
            let soft = OPTIONAL | ON_DEMAND | AMBIGUOUS | SOFT;
            let any = BY_FROM | BY_TO | OPTIONAL_SAID | ON_DEMAND_SAID;
            d.flags = (d.flags & s.flags & soft) | ((d.flags | s.flags) & any);
            // The same mention again adds no via or notes.
            if s.detail != NO_EXTRA && s.detail != d.detail {
                if let Some(Detail { via, note }) = details.get(s.detail as usize) {
                    let x = extra_of(d, extras, details);
                    for v in via {
                        if !x.via.contains(v) {
                            x.via.push(v.clone());
                        }
                    }
                    if let Some(n) = note {
                        match &mut x.note {
                            Some(old) if !old.split("; ").any(|p| p == n) => {
                                old.push_str("; ");
                                old.push_str(n);
                            }
                            Some(_) => {}
                            None => x.note = Some(n.clone()),
                        }
                    }
                }
            }
            if d.src != s.src {
                let x = extra_of(d, extras, details);
                // One cell's statements of a pair are made one after another (each cell is
                // resolved once), so a repeated source can only be the last one kept.
                if x.also.last() != Some(&s.src) {
                    x.also.push(s.src);
                }
            }
            true
        });
    }
}

/// Draft `d`'s extra part, made on first need from its first statement's detail.
fn extra_of<'x>(d: &mut Draft, extras: &'x mut Vec<Extra>, details: &[Detail]) -> &'x mut Extra {
    if d.extra == NO_EXTRA {
        let (via, note) = match details.get(d.detail as usize) {
            Some(x) => (x.via.clone(), x.note.clone()),
            None => (Vec::new(), None),
        };
        d.extra = extras.len() as u32;
        extras.push(Extra {
            via,
            note,
            also: Vec::new(),
        });
    }
    &mut extras[d.extra as usize]
}
