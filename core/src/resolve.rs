//! From rows to a graph: merge repeated rows into pools, turn each mention into edges to
//! instances or to one external node, and record what was odd.
//!
//! Resolution of one word, first rule that applies wins:
//! 1. the alias file (the whole `/` group first, then the word);
//! 2. a name pattern note (`（maker-*）`) or a glob in the word, with or without the common
//!    prefix;
//! 3. an exact instance name, with or without the common prefix. Names are compared by key
//!    (width, case and spaces ignored); when two instances' names differ only that way, the one
//!    written exactly as the key wins, else the first in the sheet; a full name always wins
//!    over another instance's name without the prefix;
//! 4. a word naming a managed resource (`Aurora`, `Valkey`, `Redis`, `ALB`, `…db`, `S3`…) is
//!    external;
//! 5. a role phrase: the first significant ASCII word (`CES`, `Kafka`, `Narwhal`, `ETCD`) picks
//!    the instances whose name or role carries it; `接入层`/`Access` and `核心`/`撮合`/`core` narrow
//!    it. Generic words (`API`, `EKS`, `Web`, `K8S`…) never pick instances. Among equal
//!    candidates the row's naming domain decides (see [`Index::family`]);
//! 6. a text equal to an instance's whole role (`做市服务`);
//! 7. otherwise an external node. The same resource written differently (`Aurora spotdb`,
//!    `spotdb`) is one node, named by its most qualified spelling.

use crate::alias::{AliasTarget, Aliases};
use crate::cell::{is_name_pattern, parse_cell, Mention};
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::graph::{Edge, Node, NodeKind, Provenance, ResourceKind, Topology};
use crate::ingest::{Field, Table};
use crate::text::{
    ascii_words, column_letter, fold_width, glob_literal_prefix, glob_match, key, key_of, lowered,
    squash_spaces, squashed,
};
use regex::Regex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Options for building a topology.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep test, staging and temporary rows.
    pub include_nonprod: bool,
    pub aliases: Aliases,
}

/// One instance after merging its repeated rows. Borrows its text from the table.
/// Kept small (it is streamed over several times on big sheets): other fields are found again
/// in the table by row position.
struct Instance<'t> {
    name: Cow<'t, str>,
    role: &'t str,
    /// Position in `table.rows` of the first row giving each of [`DETAIL_FIELDS`], or
    /// [`NO_ROW`].
    detail_rows: [u32; 4],
    /// Position in `table.rows` of the instance's first row, to notice disagreeing duplicates.
    first: u32,
    conflict: bool,
    attributes: BTreeMap<String, String>,
    rows: Vec<u32>,
    /// Distinct relation cells: (is upstream, row, column, text).
    cells: Vec<(bool, u32, usize, &'t str)>,
}

/// Fields an instance takes from the first of its rows that fills them.
const DETAIL_FIELDS: [Field; 4] = [Field::Owner, Field::Env, Field::Notes, Field::InstanceId];
const NO_ROW: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum NodeRef {
    Inst(u32),
    Ext(u32),
}

/// Where a statement was made, by interned ids: row, column index, cell text and word.
/// Turned into a [`Provenance`] only once per edge, when the topology is assembled.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Src {
    row: u32,
    col: u32,
    text: u32,
    word: u32,
}

const OPTIONAL: u8 = 1;
const ON_DEMAND: u8 = 2;
const AMBIGUOUS: u8 = 4;
const BY_FROM: u8 = 8;
const BY_TO: u8 = 16;
const NO_EXTRA: u32 = u32::MAX;

/// One relation while the sheet is read: 32 bytes, so hundreds of thousands stay cheap to
/// sort. The rare parts (via, notes, further statements) live in [`Extra`].
struct Draft {
    /// Node positions: instances first, then external nodes (`n_inst + external id`).
    from: u32,
    to: u32,
    src: Src,
    flags: u8,
    /// The first statement's via and notes ([`Relations::details`]), or [`NO_EXTRA`].
    detail: u32,
    extra: u32,
}

/// What a mention says beyond its target: shared by every statement of that mention.
struct Detail {
    via: Vec<String>,
    note: Option<String>,
}

/// What statements after the first add to a relation.
#[derive(Default)]
struct Extra {
    via: Vec<String>,
    note: Option<String>,
    also: Vec<Src>,
}

/// The relations found so far. Statements are appended as they are resolved, 32 bytes each;
/// [`Relations::merge`] then sorts them by (from, to) and folds every statement of the same
/// pair into one [`Draft`]. Sorting touches memory in order, which at 100k rows is cheaper
/// than a hash table of 400k pairs probed at random.
struct Relations {
    n_inst: u32,
    drafts: Vec<Draft>,
    details: Vec<Detail>,
    extras: Vec<Extra>,
    /// Where each external node was first mentioned, for its diagnostic.
    first_mention: Vec<Option<Src>>,
}

impl Relations {
    fn new(n_inst: usize, expected: usize) -> Self {
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
    fn detail(&mut self, m: &Mention) -> u32 {
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
    fn state(
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
            flags |= OPTIONAL;
        }
        if m.on_demand {
            flags |= ON_DEMAND;
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
    /// statement of it says so.
    fn merge(&mut self) {
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
            let soft = OPTIONAL | ON_DEMAND | AMBIGUOUS;
            d.flags = (d.flags & s.flags & soft) | ((d.flags | s.flags) & (BY_FROM | BY_TO));
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
                if !x.also.contains(&s.src) {
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

/// A string interner: small ids instead of strings, for cell texts and words (statements carry
/// them) and for the index's name tokens, role keys and domains (its lookups are by them).
#[derive(Default)]
struct Interner {
    /// Text by id.
    all: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Interner {
    fn get(&self, t: &str) -> Option<u32> {
        self.ids.get(t).copied()
    }

    fn intern(&mut self, t: &str) -> u32 {
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

/// Builds the topology from a table. Never fails: odd rows and words become diagnostics.
pub fn build(table: &Table, opts: &LoadOptions) -> Topology {
    let mut diags = Vec::new();
    if let Some(enc) = table.encoding {
        diags.push(Diagnostic::new(
            Severity::Info,
            DiagKind::Encoding,
            format!("{}: not UTF-8; read as {enc}", table.file),
        ));
    }
    let (instances, names) = collect_instances(table, opts, &mut diags);
    let index = Index::new(&instances, names);
    let mut ext = Externals::default();
    // The seed's shape: about three and a half relations per row.
    let mut rel = Relations::new(instances.len(), table.rows.len() * 9 / 2);
    let mut glob_cache: HashMap<String, Vec<u32>> = HashMap::default();
    // Big sheets repeat the same cell text on many rows: split each distinct text once.
    let mut parsed: HashMap<&str, (u32, Vec<Word>)> = HashMap::default();
    let mut texts = Interner::default();
    // For each detail with via words and each naming domain that states it, the first row
    // that does: via words are resolved once per domain, from that row.
    let mut via_me: HashMap<(u32, u32), u32> = HashMap::default();
    for (i, inst) in instances.iter().enumerate() {
        let me = i as u32;
        for &(is_up, row, col, text) in &inst.cells {
            let (text_id, mentions) = parsed.entry(text).or_insert_with(|| {
                let words = parse_cell(text)
                    .into_iter()
                    .map(|m| prepare(m, &mut texts, &mut rel))
                    .collect();
                (texts.intern(text), words)
            });
            for w in mentions.iter() {
                let m = &w.m;
                if !m.via.is_empty() {
                    let dkey = index.domain_keys[me as usize];
                    via_me.entry((w.detail, dkey)).or_insert(me);
                }
                let src = Src {
                    row,
                    col: col as u32,
                    text: *text_id,
                    word: w.word,
                };
                let loc = || Location {
                    sheet: table.sheet.clone(),
                    row,
                    column: Some(column_letter(col)),
                };
                let (targets, ambiguous) =
                    match resolve(w, me, &index, opts, &mut glob_cache, &loc, &mut diags) {
                        Resolved::Instances(t, amb) => (t, amb),
                        Resolved::External(name) => {
                            let t = NodeRef::Ext(ext.intern(name));
                            let (from, to) = if is_up {
                                (t, NodeRef::Inst(me))
                            } else {
                                (NodeRef::Inst(me), t)
                            };
                            rel.state(from, to, w, false, !is_up, src);
                            continue;
                        }
                        Resolved::Nothing => continue,
                    };
                if ambiguous && targets.is_empty() {
                    diags.push(
                        Diagnostic::new(
                            Severity::Warning,
                            DiagKind::Ambiguous,
                            format!(
                                "'{}' fits more than {MAX_FOREIGN_FANOUT} instances, none in this row's naming domain; \
                                 not linked (pin it in the alias file)",
                                m.text
                            ),
                        )
                        .at(loc()),
                    );
                    continue;
                }
                if ambiguous {
                    let names: Vec<&str> = targets
                        .iter()
                        .map(|&j| &*instances[j as usize].name)
                        .collect();
                    diags.push(
                        Diagnostic::new(
                            Severity::Warning,
                            DiagKind::Ambiguous,
                            format!(
                                "'{}' fits {} equally; linked all of them (pin one in the alias file)",
                                m.text,
                                join_limited(&names, 10)
                            ),
                        )
                        .at(loc()),
                    );
                }
                for &t in targets.iter() {
                    if t == me {
                        continue;
                    }
                    let (from, to) = if is_up {
                        (NodeRef::Inst(t), NodeRef::Inst(me))
                    } else {
                        (NodeRef::Inst(me), NodeRef::Inst(t))
                    };
                    rel.state(from, to, w, ambiguous, !is_up, src);
                }
            }
        }
    }
    let ext_names = external_names(&ext, &index, &instances);
    let via_from = ViaFrom {
        index: &index,
        opts,
        instances: &instances,
        ext: &ext,
    };
    let mut via = ViaIndex {
        dkeys: index.domain_keys.clone(),
        ..ViaIndex::default()
    };
    for (&(d, dkey), &me) in &via_me {
        for word in &rel.details[d as usize].via {
            let pos = via_from.resolve(word, me);
            via.by_word
                .entry(word.clone())
                .or_insert_with(|| pos.clone());
            via.by_domain.insert((word.clone(), dkey), pos);
        }
    }
    let prefix = index.prefix.clone();
    drop(index);
    assemble(
        table, instances, ext, ext_names, rel, texts, diags, prefix, via,
    )
}

/// What a relation passes through (`经 APISIX/NGINX`), resolved like any other mention from
/// the stating row (so the naming domain counts): to the instances a word names, or to an
/// external node the sheet already has. Edges keep the words as written; the topology uses the
/// nodes to cut these relations when a node fails.
#[derive(Default)]
struct ViaIndex {
    /// Node positions by (word, naming-domain key of the stating instance).
    by_domain: HashMap<(String, u32), Vec<u32>>,
    /// Node positions by word, as first resolved: for a merged relation whose words came
    /// from another row.
    by_word: HashMap<String, Vec<u32>>,
    /// Naming-domain key of each instance.
    dkeys: Vec<u32>,
}

impl ViaIndex {
    fn nodes(&self, word: &str, stater: u32) -> &[u32] {
        let dkey = self.dkeys.get(stater as usize).copied().unwrap_or(0);
        self.by_domain
            .get(&(word.to_string(), dkey))
            .or_else(|| self.by_word.get(word))
            .map_or(&[], Vec::as_slice)
    }
}

struct ViaFrom<'a, 't> {
    index: &'a Index<'t>,
    opts: &'a LoadOptions,
    instances: &'a [Instance<'t>],
    ext: &'a Externals,
}

impl ViaFrom<'_, '_> {
    /// The node positions a via word names, seen from instance `me`'s row; empty when none.
    fn resolve(&self, word: &str, me: u32) -> Vec<u32> {
        let n_inst = self.instances.len() as u32;
        let mut pos: Vec<u32> = Vec::new();
        let mut glob_cache = HashMap::default();
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
                &mut glob_cache,
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

fn collect_instances<'t>(
    table: &'t Table,
    opts: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Instance<'t>>, Names<'t>) {
    let mut out: Vec<Instance> = Vec::with_capacity(table.rows.len());
    // Room for the index's name keys too (see `Index::new`).
    let mut by_name: Names<'t> =
        HashMap::with_capacity_and_hasher(table.rows.len() * 2, Default::default());
    let mut nonprod: Vec<u32> = Vec::new();
    // Environment, role and notes repeat on many rows: judge each combination once.
    let mut verdicts = NonProd::default();
    let cols = [Field::Upstream, Field::Downstream].map(|f| table.column(f));
    let used: Vec<bool> = table.fields.iter().map(Option::is_some).collect();
    for (at, row) in table.rows.iter().enumerate() {
        let at = at as u32;
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let name = squashed(table.get(row, Field::Name));
        if name.is_empty() {
            diags.push(
                Diagnostic::new(
                    Severity::Warning,
                    DiagKind::SkippedRow,
                    "row has no instance name; skipped",
                )
                .at(Location {
                    sheet: table.sheet.clone(),
                    row: row.number,
                    column: table.column(Field::Name).map(column_letter),
                }),
            );
            continue;
        }
        if !opts.include_nonprod
            && verdicts.row(
                table.get(row, Field::Env),
                table.get(row, Field::Role),
                table.get(row, Field::Notes),
            )
        {
            nonprod.push(row.number);
            continue;
        }
        let role = table.get(row, Field::Role);
        let up = table.get(row, Field::Upstream);
        let down = table.get(row, Field::Downstream);
        let idx = match by_name.get(&name) {
            Some(&i) => i as usize,
            None => {
                out.push(Instance {
                    role,
                    detail_rows: [NO_ROW; 4],
                    first: at,
                    conflict: false,
                    attributes: BTreeMap::new(),
                    rows: Vec::new(),
                    cells: Vec::new(),
                    name: name.clone(),
                });
                by_name.insert(name, out.len() as u32 - 1);
                out.len() - 1
            }
        };
        let inst = &mut out[idx];
        inst.rows.push(row.number);
        if inst.first != at {
            let first = &table.rows[inst.first as usize];
            let signature = [role, up, down];
            let was =
                [Field::Role, Field::Upstream, Field::Downstream].map(|f| table.get(first, f));
            if was != signature && !same_meaning(&was, &signature) {
                inst.conflict = true;
            }
        }
        if inst.role.is_empty() {
            inst.role = role;
        }
        for (k, field) in DETAIL_FIELDS.into_iter().enumerate() {
            if inst.detail_rows[k] == NO_ROW && !table.get(row, field).is_empty() {
                inst.detail_rows[k] = at;
            }
        }
        for (c, cell) in row.cells.iter().enumerate() {
            let header = table.headers.get(c).map(String::as_str).unwrap_or("");
            if !used.get(c).copied().unwrap_or(false)
                && !header.is_empty()
                && !cell.trim().is_empty()
            {
                inst.attributes
                    .entry(header.to_string())
                    .or_insert_with(|| cell.trim().to_string());
            }
        }
        for (is_up, col) in [(true, cols[0]), (false, cols[1])] {
            let Some(col) = col else { continue };
            let text = row.cells.get(col).map(|s| s.trim()).unwrap_or("");
            if text.is_empty()
                || inst
                    .cells
                    .iter()
                    .any(|(u, _, _, t)| *u == is_up && *t == text)
            {
                continue;
            }
            inst.cells.push((is_up, row.number, col, text));
        }
    }
    for inst in &out {
        if inst.conflict {
            diags.push(
                Diagnostic::new(
                    Severity::Warning,
                    DiagKind::ConflictingDuplicate,
                    format!(
                        "{} appears on rows {} with different role or relations; merged them",
                        inst.name,
                        join_rows(&inst.rows)
                    ),
                )
                .at(Location {
                    sheet: table.sheet.clone(),
                    row: inst.rows[0],
                    column: None,
                }),
            );
        }
    }
    if !nonprod.is_empty() {
        diags.push(
            Diagnostic::new(
                Severity::Info,
                DiagKind::NonProduction,
                format!(
                    "left out {} test/staging/temporary row(s): {} (use --include-nonprod to keep them)",
                    nonprod.len(),
                    join_rows(&nonprod)
                ),
            )
            .at(Location {
                sheet: table.sheet.clone(),
                row: nonprod[0],
                column: None,
            }),
        );
    }
    (out, by_name)
}

/// Instance names to positions: the exact names while rows are collected, then also the
/// name keys the resolver looks words up by (see [`Index::new`]).
type Names<'t> = HashMap<Cow<'t, str>, u32>;

/// Two rows' role and relation texts differ only in width, case or spacing.
fn same_meaning(a: &[&str; 3], b: &[&str; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

fn join_limited(items: &[&str], shown: usize) -> String {
    let mut s = items
        .iter()
        .take(shown)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        s.push_str(&format!(" …and {} more", items.len() - shown));
    }
    s
}

fn join_rows(rows: &[u32]) -> String {
    const SHOWN: usize = 20;
    let mut s: Vec<String> = rows.iter().take(SHOWN).map(u32::to_string).collect();
    if rows.len() > SHOWN {
        s.push(format!("… ({} more)", rows.len() - SHOWN));
    }
    s.join(", ")
}

// ASCII word boundaries: Unicode `\b` on Chinese text would push the regex engine off its
// fast path, which costs seconds on a 100k-row sheet.

/// An environment cell that says test, staging, dev, UAT…
fn env_is_nonprod(env: &str) -> bool {
    static ENV: OnceLock<Regex> = OnceLock::new();
    let env_re = ENV.get_or_init(|| {
        Regex::new(r"(?i)测试|预发|开发|(?-u:\b)(test|testing|staging|stage|stg|dev|develop|development|uat|qa|sandbox)(?-u:\b)")
            .expect("static regex")
    });
    env_re.is_match(&fold_width(env))
}

/// A role or notes cell that marks the row temporary or for testing.
fn marks_temporary(text: &str) -> bool {
    static MARK: OnceLock<Regex> = OnceLock::new();
    let mark_re = MARK.get_or_init(|| {
        Regex::new(r"(?i)临时|测试|(?-u:\b)(tmp|temp|temporary|test|testing)(?-u:\b)")
            .expect("static regex")
    });
    mark_re.is_match(&fold_width(text))
}

/// Verdicts on cell texts, each judged once: environment, role and notes repeat on many rows.
#[derive(Default)]
struct NonProd<'t> {
    env: HashMap<&'t str, bool>,
    marks: HashMap<&'t str, bool>,
}

impl<'t> NonProd<'t> {
    /// A test, staging or temporary row, by its environment, role and notes.
    fn row(&mut self, env: &'t str, role: &'t str, notes: &'t str) -> bool {
        if !env.is_empty() && *self.env.entry(env).or_insert_with(|| env_is_nonprod(env)) {
            return true;
        }
        [role, notes]
            .into_iter()
            .any(|t| !t.is_empty() && *self.marks.entry(t).or_insert_with(|| marks_temporary(t)))
    }
}

/// A mention with what resolution needs precomputed, once per distinct cell text.
struct Word {
    m: Mention,
    key: String,
    words: Vec<String>,
    resource: bool,
    qualifier: Qualifier,
    /// The mention's text, interned.
    word: u32,
    /// Its via and notes in [`Relations::details`], or [`NO_EXTRA`].
    detail: u32,
}

fn prepare(m: Mention, texts: &mut Interner, rel: &mut Relations) -> Word {
    let words = ascii_words(&m.text);
    Word {
        word: texts.intern(&m.text),
        detail: rel.detail(&m),
        key: key(&m.text),
        resource: names_resource(&words),
        qualifier: qualifier_of(&m.text, &words),
        words,
        m,
    }
}

enum Resolved<'a> {
    Instances(Vec<u32>, bool),
    External(&'a str),
    Nothing,
}

fn resolve<'a>(
    w: &'a Word,
    me: u32,
    index: &Index,
    opts: &'a LoadOptions,
    glob_cache: &mut HashMap<String, Vec<u32>>,
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
                    let hits = index.select(p, glob_cache);
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
            .select(g, glob_cache)
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
    if let Some((hits, ambiguous)) = index.family(&w.words, w.qualifier, me) {
        return Resolved::Instances(hits, ambiguous);
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

/// Words that name a managed resource rather than one of our instances.
fn names_resource(words: &[String]) -> bool {
    const RESOURCE: &[&str] = &[
        "redis",
        "valkey",
        "aurora",
        "rds",
        "mysql",
        "postgres",
        "postgresql",
        "s3",
        "ecr",
        "alb",
        "nlb",
        "elb",
        "clb",
        "sqs",
        "sns",
        "msk",
        "memcached",
        "elasticache",
        "dynamodb",
        "mongodb",
        "cloudfront",
        "route53",
        "efs",
        "ebs",
    ];
    words
        .iter()
        .any(|w| RESOURCE.contains(&w.as_str()) || (w.len() > 2 && w.ends_with("db")))
}

/// Most instances a word may link to when none shares the row's naming domain.
const MAX_FOREIGN_FANOUT: usize = 8;

/// ASCII words that describe rather than name: they never pick instances by themselves.
const GENERIC: &[&str] = &[
    "api",
    "apis",
    "web",
    "websocket",
    "ws",
    "eks",
    "k8s",
    "kubernetes",
    "node",
    "nodes",
    "pool",
    "service",
    "services",
    "server",
    "servers",
    "system",
    "systems",
    "app",
    "apps",
    "db",
    "data",
    "internal",
    "public",
    "private",
    "the",
    "and",
    "of",
    "for",
    "cluster",
    "ec2",
    "instance",
    "host",
    "cron",
    "job",
    "jobs",
    "bi",
    "ci",
    "cd",
    "new",
    "old",
    "copy",
];
const ACCESS: &[&str] = &["access", "gateway-access"];
const CORE: &[&str] = &["core", "engine", "matching"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    None,
    Access,
    Core,
}

fn qualifier_of(text: &str, words: &[String]) -> Qualifier {
    let k = key(text);
    if k.contains("接入") || words.iter().any(|w| ACCESS.contains(&w.as_str())) {
        Qualifier::Access
    } else if k.contains("核心")
        || k.contains("撮合")
        || words.iter().any(|w| CORE.contains(&w.as_str()))
    {
        Qualifier::Core
    } else {
        Qualifier::None
    }
}

/// Lookup structures over the instances, so each word is resolved with hash lookups rather than
/// a scan of every instance.
struct Index<'a> {
    prefix: Option<String>,
    /// Name keys (see [`key`]), with and without the common prefix. Borrowed from the
    /// instances when the key is the name itself, as it usually is.
    names: HashMap<Cow<'a, str>, u32>,
    /// Lower-cased names, sorted, for glob prefix ranges.
    sorted: Vec<(Cow<'a, str>, u32)>,
    /// Interned name tokens, role keys and domain keys; symbol 0 is the empty string.
    syms: Interner,
    roles: Vec<u32>,
    /// Name-token symbols of all instances, back to back, as `domain_tokens` below.
    name_tokens: Vec<u32>,
    name_start: Vec<u32>,
    /// Per symbol: whether a name token of it is part of the name's stem (not a replica
    /// number, `copy` or `bak`).
    stem_token: Vec<bool>,
    /// Sorted domain-token symbols of all instances, back to back; instance `i`'s are
    /// `domain_tokens[domain_start[i]..domain_start[i + 1]]`.
    domain_tokens: Vec<u32>,
    domain_start: Vec<u32>,
    /// The whole domain of each instance as one symbol (0 for none).
    domain_keys: Vec<u32>,
    access: Vec<bool>,
    core: Vec<bool>,
    /// Role keys to their instances.
    by_role: HashMap<String, u32>,
    role_lists: Vec<Vec<u32>>,
    kw_all: HashMap<u32, Vec<u32>>,
    /// (keyword, whole domain) → instances.
    kw_domain: HashMap<(u32, u32), Vec<u32>>,
    /// (keyword, one domain token) → instances whose domain has more tokens than that one.
    /// Instances whose whole domain is that token are in `kw_domain` under the same key (a
    /// one-token domain's key is the token's symbol).
    kw_token: HashMap<(u32, u32), Vec<u32>>,
}

/// Name tokens that say nothing about what a box does: numbers, instance sizes (`c5large`,
/// `r52xlarge`, `2c4g`, `v132`), single letters and filler words.
fn is_filler_token(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let lower = |s: &[u8]| s.iter().all(u8::is_ascii_lowercase);
    if b.len() <= 1 || digits(b) {
        return true;
    }
    if matches!(
        t,
        "node" | "nodes" | "copy" | "bak" | "new" | "server" | "srv" | "host" | "vm" | "pool"
    ) {
        return true;
    }
    // letter, digits, letters: c5large, r52xlarge, v132, c5xlarge
    if b[0].is_ascii_lowercase() {
        let d_end = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d_end > 1 && lower(&b[d_end..]) {
            return true;
        }
    }
    // digits c digits g: 2c4g, 8c64g
    if let Some(c) = t.find('c') {
        if digits(&b[..c]) && b.last() == Some(&b'g') && digits(&b[c + 1..b.len() - 1]) {
            return true;
        }
    }
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    matches!(rest, "xlarge" | "large")
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
    fn new(instances: &'a [Instance], names: Names<'a>) -> Self {
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
        let stem_token: Vec<bool> = text
            .iter()
            .map(|t| !t.chars().all(|c| c.is_ascii_digit()) && !matches!(&**t, "copy" | "bak"))
            .collect();
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
        let is_kw = |t: &str| !GENERIC.contains(&t) && !ACCESS.contains(&t);
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
                let access = rk.contains("接入") || rk.contains("access");
                let core = rk.contains("核心") || rk.contains("撮合") || rk.contains("core");
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
                .push(*role_access || toks.iter().any(|&t| &*text[t as usize] == "access"));
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
    fn domain(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.domain_tokens[self.domain_start[i] as usize..self.domain_start[i + 1] as usize]
    }

    fn exact(&self, word: &str) -> Option<u32> {
        self.names.get(key(word).as_str()).copied()
    }

    /// Instances selected by a name or glob, with or without the common prefix. Results are
    /// cached per pattern: a big sheet repeats the same pattern on many rows.
    fn select<'c>(&self, pattern: &str, cache: &'c mut HashMap<String, Vec<u32>>) -> &'c [u32] {
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

    /// Instances a role phrase names, seen from instance `me`, and whether the choice is
    /// ambiguous.
    ///
    /// Candidates are the instances whose name or role carries the phrase's first significant
    /// word, narrowed by an access/core qualifier. Among them, prefer in turn: those with exactly
    /// `me`'s naming domain (`morph`, or none); those sharing most domain tokens; those with no
    /// domain; any. The team's diagram links morph-narwhal to morph-kafkanew and ces/maker/spot
    /// to kafka-server-01, which is what this order gives. Instances of one role whose names
    /// differ beyond replica numbers (`kafka-server-01`, `morph-kafkanew-0425`) left after that
    /// are a tie: all are linked and the edge is marked ambiguous.
    fn family(&self, words: &[String], qualifier: Qualifier, me: u32) -> Option<(Vec<u32>, bool)> {
        let heads: Vec<&String> = words
            .iter()
            .filter(|w| {
                !GENERIC.contains(&w.as_str())
                    && !ACCESS.contains(&w.as_str())
                    && !CORE.contains(&w.as_str())
            })
            .collect();
        let head = heads.first()?;
        let head = self.syms.get(head)?;
        self.kw_all.get(&head)?;
        let others: Vec<&Vec<u32>> = heads[1..]
            .iter()
            .filter_map(|h| self.syms.get(h).and_then(|h| self.kw_all.get(&h)))
            .collect();
        let keep = |c: &u32| {
            *c != me
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

/// External nodes, one per resource however it is spelled.
#[derive(Default)]
struct Externals {
    by_key: HashMap<String, u32>,
    /// Words already interned, as written: most mentions repeat.
    by_text: HashMap<String, u32>,
    /// Spellings of each node in order of first appearance.
    spellings: Vec<Vec<String>>,
}

impl Externals {
    /// How a word is written as an external node's name, and the key spellings share.
    fn spelling(raw: &str) -> (String, String) {
        let name = squash_spaces(&fold_width(raw));
        let k = external_key(&name);
        (name, k)
    }

    /// The external node a word names, if the sheet mentions it; never adds one.
    fn find(&self, raw: &str) -> Option<u32> {
        if let Some(&id) = self.by_text.get(raw) {
            return Some(id);
        }
        self.by_key.get(&Self::spelling(raw).1).copied()
    }

    fn intern(&mut self, raw: &str) -> u32 {
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
    fn canonical(&self, id: u32) -> &str {
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
    const ENGINE_WORDS: &[&str] = &["aurora", "valkey", "rds", "elasticache", "aws", "amazon"];
    let lower = name.to_lowercase();
    let mut words: Vec<&str> = lower.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && ENGINE_WORDS.contains(&words[0]) {
        words.remove(0);
    }
    key(&words.join(""))
}

/// Guesses the kind of an external resource from its name.
pub fn classify_resource(name: &str) -> ResourceKind {
    let k = key(name);
    let words = ascii_words(name);
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    let contains = |ss: &[&str]| ss.iter().any(|s| k.contains(s));
    if has(&["alb", "nlb", "elb", "clb", "nginx", "cloudfront"])
        || contains(&["负载均衡", "loadbalancer"])
    {
        ResourceKind::LoadBalancer
    } else if contains(&["客户端", "用户", "client", "browser"]) {
        ResourceKind::Client
    } else if contains(&["人员", "开发者", "developer", "engineer", "运维", "oncall"]) {
        ResourceKind::People
    } else if has(&["redis", "valkey", "memcached", "elasticache"]) || contains(&["缓存", "cache"])
    {
        ResourceKind::Cache
    } else if has(&["s3", "ecr", "efs"])
        || contains(&["制品", "存储", "磁盘", "artifact", "bucket"])
    {
        ResourceKind::Storage
    } else if has(&[
        "aurora",
        "rds",
        "mysql",
        "postgres",
        "postgresql",
        "dynamodb",
        "mongodb",
    ]) || words.iter().any(|w| w.len() > 2 && w.ends_with("db"))
        || contains(&["数据库", "业务库", "只读实例"])
        || k.ends_with('库')
    {
        ResourceKind::Database
    } else if has(&["kafka", "sqs", "sns", "msk", "rabbitmq", "mq"])
        || contains(&["消息", "消费者", "推送"])
    {
        ResourceKind::Queue
    } else if has(&["argocd", "helm", "jenkins", "runner", "gitlab", "webhook"])
        || contains(&["部署", "构建"])
    {
        ResourceKind::Delivery
    } else if has(&["elasticsearch", "grafana", "prometheus", "kibana"])
        || contains(&["监控", "日志", "观测", "告警"])
    {
        ResourceKind::Observability
    } else if has(&["k8s", "eks", "kubernetes"]) || contains(&["后端服务", "配置"]) {
        ResourceKind::Platform
    } else {
        ResourceKind::Other
    }
}

/// External nodes are named by their most qualified spelling, set apart from an instance of
/// the same name.
fn external_names(ext: &Externals, index: &Index, instances: &[Instance]) -> Vec<String> {
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

#[allow(clippy::too_many_arguments)]
fn assemble(
    table: &Table,
    instances: Vec<Instance>,
    ext: Externals,
    ext_names: Vec<String>,
    rel: Relations,
    texts: Interner,
    mut diags: Vec<Diagnostic>,
    prefix: Option<String>,
    via: ViaIndex,
) -> Topology {
    let n_inst = instances.len();
    let mut nodes: Vec<Node> = Vec::with_capacity(n_inst + ext.spellings.len());
    // External nodes are named by their most qualified spelling, set apart from an instance
    // of the same name.
    let detail = |rows: &[u32; 4], k: usize| match table.rows.get(rows[k] as usize) {
        Some(row) => table.get(row, DETAIL_FIELDS[k]).to_string(),
        None => String::new(),
    };
    for inst in instances {
        nodes.push(Node {
            id: inst.name.into_owned(),
            kind: NodeKind::Instance,
            role: inst.role.to_string(),
            count: inst.rows.len() as u32,
            owner: detail(&inst.detail_rows, 0),
            env: detail(&inst.detail_rows, 1),
            notes: detail(&inst.detail_rows, 2),
            instance_id: detail(&inst.detail_rows, 3),
            resource: None,
            spellings: Vec::new(),
            rows: inst.rows,
            attributes: inst.attributes,
        });
    }
    for (id, name) in ext_names.into_iter().enumerate() {
        let spellings = ext.spellings[id]
            .iter()
            .filter(|s| **s != name)
            .cloned()
            .collect();
        nodes.push(Node {
            resource: Some(classify_resource(&name)),
            id: name,
            kind: NodeKind::External,
            role: String::new(),
            count: 0,
            owner: String::new(),
            env: String::new(),
            notes: String::new(),
            instance_id: String::new(),
            spellings,
            rows: Vec::new(),
            attributes: BTreeMap::new(),
        });
    }
    let mut rel = rel;
    rel.merge();
    let Relations {
        drafts,
        details,
        mut extras,
        mut first_mention,
        ..
    } = rel;
    let ids: Vec<Arc<str>> = nodes.iter().map(|n| Arc::from(n.id.as_str())).collect();
    let sheet: Arc<str> = Arc::from(table.sheet.as_str());
    let columns: Vec<Arc<str>> = (0..table.headers.len().max(table.fields.len()))
        .map(|c| Arc::from(column_letter(c).as_str()))
        .collect();
    let provenance = |s: Src| Provenance {
        sheet: sheet.clone(),
        row: s.row,
        column: columns
            .get(s.col as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(column_letter(s.col as usize).as_str())),
        text: texts.all[s.text as usize].clone(),
        word: texts.all[s.word as usize].clone(),
    };
    let mut edges: Vec<Edge> = Vec::with_capacity(drafts.len());
    let mut ends: Vec<(u32, u32)> = Vec::with_capacity(drafts.len());
    let mut through: Vec<(u32, u32)> = Vec::new();
    for d in &drafts {
        let x = match (d.extra, details.get(d.detail as usize)) {
            (NO_EXTRA, None) => Extra::default(),
            (NO_EXTRA, Some(x)) => Extra {
                via: x.via.clone(),
                note: x.note.clone(),
                also: Vec::new(),
            },
            (k, _) => std::mem::take(&mut extras[k as usize]),
        };
        let stater = if d.flags & BY_FROM != 0 { d.from } else { d.to };
        for word in &x.via {
            for &p in via.nodes(word, stater) {
                through.push((p, edges.len() as u32));
            }
        }
        ends.push((d.from, d.to));
        edges.push(Edge {
            from: ids[d.from as usize].clone(),
            to: ids[d.to as usize].clone(),
            optional: d.flags & OPTIONAL != 0,
            on_demand: d.flags & ON_DEMAND != 0,
            via: x.via,
            ambiguous: d.flags & AMBIGUOUS != 0,
            note: x.note,
            source: provenance(d.src),
            also: x.also.into_iter().map(provenance).collect(),
            stated_by_from: d.flags & BY_FROM != 0,
            stated_by_to: d.flags & BY_TO != 0,
        });
    }
    drop(drafts);
    for (i, node) in nodes.iter().enumerate().skip(n_inst) {
        if node.resource == Some(ResourceKind::Other) {
            let mut d = Diagnostic::new(
                Severity::Info,
                DiagKind::Unresolved,
                format!(
                    "'{}' matched no instance and no known kind of resource; kept as an external node \
                     (pin it in the alias file if it is one of ours)",
                    node.id
                ),
            );
            if let Some(src) = first_mention.get_mut(i - n_inst).and_then(Option::take) {
                d = d.at(Location {
                    sheet: table.sheet.clone(),
                    row: src.row,
                    column: Some(column_letter(src.col as usize)),
                });
            }
            diags.push(d);
        }
    }
    diags.sort_by(|a, b| a.location.cmp(&b.location).then(a.kind.cmp(&b.kind)));
    Topology::new(nodes, ids, edges, &ends, diags, prefix, through)
}
