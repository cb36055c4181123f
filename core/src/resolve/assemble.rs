//! The last step: nodes from instances and external names, edges from the merged relations
//! with their provenance, and the topology with its diagnostics.

use super::externals::Externals;
use super::interner::Interner;
use super::relations::{
    Extra, Relations, Src, AMBIGUOUS, BY_FROM, BY_TO, NO_EXTRA, ON_DEMAND, ON_DEMAND_SAID,
    OPTIONAL, OPTIONAL_SAID, SOFT,
};
use super::rows::{Instance, DETAIL_FIELDS};
use super::via::ViaIndex;
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::graph::{Edge, Node, NodeKind, Provenance, ResourceKind, Topology};
use crate::ingest::{Field, Table};
use crate::text::{column_letter, is_name_shaped};
use crate::vocabulary::classify_resource;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds the topology from what resolution found.
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble(
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
    // Every statement of every edge by (row, column and text ids), for the copy-paste check.
    let mut stated: Vec<super::doubt::Stated> = Vec::with_capacity(drafts.len() * 5 / 4);
    let cell = |s: &Src| super::doubt::Stated {
        row: s.row,
        cell: (u64::from(s.col) << 32) | u64::from(s.text),
    };
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
        for (said, all, what, mark) in [
            (OPTIONAL_SAID, OPTIONAL, "optional", "（可选）"),
            (ON_DEMAND_SAID, ON_DEMAND, "on demand", "（按需）"),
        ] {
            if d.flags & said != 0 && d.flags & all == 0 && d.flags & SOFT == 0 {
                let mut rows: Vec<u32> = std::iter::once(d.src.row)
                    .chain(x.also.iter().map(|s| s.row))
                    .collect();
                rows.sort_unstable();
                rows.dedup();
                let rows: Vec<String> = rows.iter().map(u32::to_string).collect();
                diags.push(
                    Diagnostic::new(
                        Severity::Warning,
                        DiagKind::FlagConflict,
                        format!(
                            "{} → {}: rows {} state it, and only some mark it {what} ({mark}); \
                             read as required (mark it in every statement, or in none)",
                            ids[d.from as usize],
                            ids[d.to as usize],
                            rows.join(", ")
                        ),
                    )
                    .at(Location {
                        sheet: table.sheet.clone(),
                        row: d.src.row,
                        column: Some(column_letter(d.src.col as usize)),
                    }),
                );
            }
        }
        stated.push(cell(&d.src));
        stated.extend(x.also.iter().map(cell));
        ends.push((d.from, d.to));
        edges.push(Edge {
            from: ids[d.from as usize].clone(),
            to: ids[d.to as usize].clone(),
            optional: d.flags & OPTIONAL != 0
                || d.flags & (SOFT | OPTIONAL_SAID) == SOFT | OPTIONAL_SAID,
            on_demand: d.flags & ON_DEMAND != 0
                || d.flags & (SOFT | ON_DEMAND_SAID) == SOFT | ON_DEMAND_SAID,
            via: x.via,
            ambiguous: d.flags & AMBIGUOUS != 0,
            note: x.note,
            source: provenance(d.src),
            also: x.also.into_iter().map(provenance).collect(),
            doubt: None,
            stated_by_from: d.flags & BY_FROM != 0,
            stated_by_to: d.flags & BY_TO != 0,
        });
    }
    drop(drafts);
    super::doubt::mark(&nodes, &mut edges, &ends, &stated, &table.sheet, &mut diags);
    drop(stated);
    // First name tokens of the instances (`ledger` of `ledger-svc`), built when a word is left
    // unresolved: one written like those names is more likely a removed or misspelt instance
    // than an outside resource. A word read as a managed resource by its kind (`wallet-redis-02`)
    // is one when it shares its first two name tokens with an instance (`wallet-redis-01`).
    let mut first_tokens: Option<std::collections::HashSet<String>> = None;
    let mut stems: Option<std::collections::HashMap<String, usize>> = None;
    for (i, node) in nodes.iter().enumerate().skip(n_inst) {
        let mut d = match node.resource {
            Some(ResourceKind::Other) => {
                let firsts = first_tokens.get_or_insert_with(|| {
                    nodes[..n_inst].iter().map(|n| first_token(&n.id)).collect()
                });
                if is_name_shaped(&node.id) && firsts.contains(&first_token(&node.id)) {
                    Diagnostic::new(
                        Severity::Warning,
                        DiagKind::Unresolved,
                        format!(
                            "'{}' is written like this sheet's instance names, but no row has \
                             that name (removed, renamed or misspelt?); kept as an external node",
                            node.id
                        ),
                    )
                } else {
                    Diagnostic::new(
                        Severity::Info,
                        DiagKind::Unresolved,
                        format!(
                            "'{}' matched no instance and no known kind of resource; kept as an \
                             external node (pin it in the alias file if it is one of ours)",
                            node.id
                        ),
                    )
                }
            }
            Some(_) if is_name_shaped(&node.id) => {
                let stems = stems.get_or_insert_with(|| {
                    let mut m = std::collections::HashMap::new();
                    for (at, n) in nodes[..n_inst].iter().enumerate() {
                        if let Some(k) = stem(&n.id) {
                            m.entry(k).or_insert(at);
                        }
                    }
                    m
                });
                let Some(&at) = stem(&node.id).and_then(|k| stems.get(&k)) else {
                    continue;
                };
                Diagnostic::new(
                    Severity::Warning,
                    DiagKind::Unresolved,
                    format!(
                        "'{}' is written like the name of {}, but no row has it (removed, renamed \
                         or misspelt?); kept as an external resource",
                        node.id, nodes[at].id
                    ),
                )
            }
            _ => continue,
        };
        if let Some(src) = first_mention.get_mut(i - n_inst).and_then(Option::take) {
            d = d.at(Location {
                sheet: table.sheet.clone(),
                row: src.row,
                column: Some(column_letter(src.col as usize)),
            });
        }
        diags.push(d);
    }
    let columns: Vec<Field> = table.fields.iter().flatten().copied().collect();
    for (field, what) in [
        (
            Field::Owner,
            "the sheet has no owner column: `owner` finds nothing and whois shows no owner \
             (a column headed Owner or 负责人 turns them on)",
        ),
        (
            Field::Env,
            "the sheet has no environment column: every row is taken as production, so test or \
             staging rows cannot be left out by environment (a column headed Env or 环境 turns it on)",
        ),
    ] {
        if !columns.contains(&field) {
            diags.push(
                Diagnostic::new(Severity::Info, DiagKind::MissingColumn, what).at(Location {
                    sheet: table.sheet.clone(),
                    row: table.header_row,
                    column: None,
                }),
            );
        }
    }
    diags.sort_by(|a, b| a.location.cmp(&b.location).then(a.kind.cmp(&b.kind)));
    let mut topo = Topology::new(nodes, ids, edges, &ends, diags, prefix, through);
    topo.set_columns(columns);
    topo
}

/// A name's first token, lower case: `ledger` of `Ledger-svc-01`.
fn first_token(name: &str) -> String {
    name.split(['-', '_', '.'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A name's first two tokens, lower case (`wallet-redis` of `Wallet-Redis-01`); none for a name
/// of one token.
fn stem(name: &str) -> Option<String> {
    let mut t = name.split(['-', '_', '.']).filter(|t| !t.is_empty());
    let (a, b) = (t.next()?, t.next()?);
    Some(format!(
        "{}-{}",
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase()
    ))
}
