//! From rows to a graph: merge repeated rows into pools, turn each mention into edges to
//! instances or to one external node, and record what was odd.
//!
//! Resolution of one word, first rule that applies wins:
//! 1. the alias file (the whole `/` group first, then the word);
//! 2. a name pattern note (`（maker-*）`) or a glob in the word, with or without the common
//!    prefix;
//! 3. an exact instance name, with or without the common prefix. Names are compared by key
//!    (width, case, spaces and invisible characters ignored); rows whose names differ only in
//!    capitals are already one instance (see `rows.rs`); when two instances' names differ only
//!    in width or spaces, the one written exactly as the key wins, else the first in the sheet;
//!    a full name always wins over another instance's name without the prefix;
//! 4. a word naming a managed resource (`Aurora`, `Valkey`, `Redis`, `ALB`, `…db`, `S3`…) is
//!    external;
//! 5. a role phrase: the first significant ASCII word (`CES`, `Kafka`, `Narwhal`, `ETCD`) picks
//!    the instances whose name or role carries it; `接入层`/`Access` and `核心`/`撮合`/`core` narrow
//!    it. Generic words (`API`, `EKS`, `Web`, `K8S`…) never pick instances. Among equal
//!    candidates the row's naming domain decides (see [`Index::family`]);
//! 6. a text equal to an instance's whole role (`做市服务`);
//! 7. otherwise an external node. The same resource written differently (`Aurora spotdb`,
//!    `spotdb`) is one node, named by its most qualified spelling.

mod assemble;
mod doubt;
mod externals;
mod family;
mod index;
mod interner;
mod relations;
mod rows;
mod via;
mod word;

pub use crate::vocabulary::classify_resource;
pub(crate) use externals::external_key;
pub(crate) use family::role_heads;

use crate::alias::Aliases;
use crate::cell::parse_cell;
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::graph::Topology;
use crate::ingest::Table;
use crate::text::column_letter;
use assemble::assemble;
use externals::{external_names, Externals};
use family::MAX_FOREIGN_FANOUT;
use index::Index;
use interner::Interner;
use relations::{NodeRef, Relations, Src};
use rows::collect_instances;
use rustc_hash::FxHashMap as HashMap;
use via::{ViaFrom, ViaIndex};
use word::{prepare, resolve, Caches, Resolved, Word};

/// Options for building a topology.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep test, staging and temporary rows.
    pub include_nonprod: bool,
    pub aliases: Aliases,
    /// Load a sheet that has no upstream and no downstream column, as instances without
    /// relations, instead of refusing it.
    pub names_only: bool,
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
    let mut caches = Caches::default();
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
                    match resolve(w, me, &index, opts, &mut caches, &loc, &mut diags) {
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

/// The first `shown` items, and how many more there are.
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
