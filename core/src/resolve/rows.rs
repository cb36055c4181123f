//! From rows to instances: repeated rows of one name merge into a pool, and test, staging and
//! temporary rows are left out unless asked for.
//!
//! A name is read as a person reads it: invisible characters (zero-width spaces, byte-order
//! marks) are dropped and odd spaces made plain; a trailing IPv4 address (`gitlab (10.20.3.4)`,
//! `gitlab / 10.20.3.4`) is the instance's `IP` attribute; and names that differ only in
//! capitals are one instance, named as its first row spells it, the other spelling reported.

use super::LoadOptions;
use crate::cell::parse_cell;
use crate::diag::{DiagKind, Diagnostic, Severity};
use crate::error::Location;
use crate::ingest::{Field, Table};
use crate::text::{clean_name, column_letter, key, lowered, split_trailing_ip};
use crate::vocabulary::{env_is_nonprod, marks_temporary};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One instance after merging its repeated rows. Borrows its text from the table.
/// Kept small (it is streamed over several times on big sheets): other fields are found again
/// in the table by row position.
pub(super) struct Instance<'t> {
    pub(super) name: Cow<'t, str>,
    pub(super) role: &'t str,
    /// Position in `table.rows` of the first row giving each of [`DETAIL_FIELDS`], or
    /// [`NO_ROW`].
    pub(super) detail_rows: [u32; 4],
    /// Position in `table.rows` of the instance's first row, to notice disagreeing duplicates.
    first: u32,
    conflict: bool,
    pub(super) attributes: BTreeMap<String, String>,
    pub(super) rows: Vec<u32>,
    /// Distinct relation cells: (is upstream, row, column, text).
    pub(super) cells: Vec<(bool, u32, usize, &'t str)>,
}

/// Fields an instance takes from the first of its rows that fills them.
pub(super) const DETAIL_FIELDS: [Field; 4] =
    [Field::Owner, Field::Env, Field::Notes, Field::InstanceId];
/// Instance names to positions: the exact names while rows are collected, then also the
/// name keys the resolver looks words up by (see [`Index::new`](super::index::Index::new)).
pub(super) type Names<'t> = HashMap<Cow<'t, str>, u32>;

/// The instances of the table in sheet order, and their exact names.
pub(super) fn collect_instances<'t>(
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
    // Other spellings of a name already reported, by instance.
    let mut spellings: Vec<(u32, Cow<'t, str>)> = Vec::new();
    let cols = [Field::Upstream, Field::Downstream].map(|f| table.column(f));
    let used: Vec<bool> = table.fields.iter().map(Option::is_some).collect();
    for (at, row) in table.rows.iter().enumerate() {
        let at = at as u32;
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (name, ip) = instance_name(table.get(row, Field::Name));
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
        let name_key = lowered_key(&name);
        let idx = match by_name.get(&name_key) {
            Some(&i) => {
                let inst = &out[i as usize];
                if inst.name != name && !spellings.contains(&(i, name.clone())) {
                    spellings.push((i, name.clone()));
                    diags.push(
                        Diagnostic::new(
                            Severity::Warning,
                            DiagKind::NameCase,
                            format!(
                                "'{name}' is '{}' (row {}) in other capitals; read as the same \
                                 instance",
                                inst.name, inst.rows[0]
                            ),
                        )
                        .at(Location {
                            sheet: table.sheet.clone(),
                            row: row.number,
                            column: table.column(Field::Name).map(column_letter),
                        }),
                    );
                }
                i as usize
            }
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
                by_name.insert(name_key, out.len() as u32 - 1);
                out.len() - 1
            }
        };
        let inst = &mut out[idx];
        inst.rows.push(row.number);
        if let Some(ip) = ip {
            inst.attributes
                .entry(IP_ATTRIBUTE.to_string())
                .or_insert(ip);
        }
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
    relation_like_columns(table, &by_name, diags);
    if !nonprod.is_empty() {
        diags.push(
            Diagnostic::new(
                Severity::Info,
                DiagKind::NonProduction,
                format!(
                    "left out {} test/staging/temporary row(s): {}",
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

/// No row gives the field.
const NO_ROW: u32 = u32::MAX;

/// Cells of a column looked at to judge whether it reads like relations.
const SAMPLED_CELLS: usize = 200;

/// Reports each column kept as an attribute whose cells read like relations: they name
/// instances of the sheet, or most of them are lists. Its header is one no rule recognised
/// (or one a stronger header outranked), and its relations are not in the graph.
fn relation_like_columns(table: &Table, names: &Names, diags: &mut Vec<Diagnostic>) {
    for (c, header) in table.headers.iter().enumerate() {
        if header.is_empty() || table.fields.get(c).copied().flatten().is_some() {
            continue;
        }
        let (mut seen, mut lists, mut naming) = (0usize, 0usize, 0usize);
        let mut example: Option<(u32, &str)> = None;
        for row in &table.rows {
            let Some(cell) = row.cells.get(c).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
                continue;
            };
            seen += 1;
            let mentions = parse_cell(cell);
            let names_one = mentions
                .iter()
                .any(|m| names.contains_key(m.text.to_lowercase().as_str()));
            let is_list = mentions
                .iter()
                .filter(|m| m.text.chars().any(char::is_alphabetic))
                .count()
                >= 2;
            naming += usize::from(names_one);
            lists += usize::from(is_list);
            if (names_one || is_list) && example.is_none() {
                example = Some((row.number, cell));
            }
            if seen >= SAMPLED_CELLS {
                break;
            }
        }
        let relation_like = naming >= 1 || (lists >= 2 && lists * 2 >= seen);
        let Some((row, text)) = example.filter(|_| relation_like) else {
            continue;
        };
        let what = if naming >= 1 {
            format!("{naming} of {seen} cells name instances of this sheet")
        } else {
            format!("{lists} of {seen} cells are lists")
        };
        let shown: String = text.chars().take(60).collect::<String>().replace('\n', " ");
        diags.push(
            Diagnostic::new(
                Severity::Warning,
                DiagKind::RelationLikeColumn,
                format!(
                    "column '{header}' is kept as an attribute but reads like relations ({what}, \
                     e.g. row {row}: '{shown}'); if it holds upstreams or downstreams, map it in \
                     [columns] of the alias file"
                ),
            )
            .at(Location {
                sheet: table.sheet.clone(),
                row: table.header_row,
                column: Some(column_letter(c)),
            }),
        );
    }
}

/// The attribute a trailing IP address of a name becomes.
const IP_ATTRIBUTE: &str = "IP";

/// A name cell as the instance's name (see the module doc), and the IP address it ended with.
fn instance_name(cell: &str) -> (Cow<'_, str>, Option<String>) {
    match clean_name(cell) {
        Cow::Borrowed(b) => {
            let (name, ip) = split_trailing_ip(b);
            (Cow::Borrowed(name), ip.map(str::to_string))
        }
        Cow::Owned(o) => {
            let (name, ip) = split_trailing_ip(&o);
            (Cow::Owned(name.to_string()), ip.map(str::to_string))
        }
    }
}

/// The key by which rows name the same instance: the name without capitals.
fn lowered_key<'t>(name: &Cow<'t, str>) -> Cow<'t, str> {
    match name {
        Cow::Borrowed(b) => lowered(b),
        Cow::Owned(o) => Cow::Owned(o.to_lowercase()),
    }
}

/// Two rows' role and relation texts differ only in width, case or spacing.
fn same_meaning(a: &[&str; 3], b: &[&str; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

fn join_rows(rows: &[u32]) -> String {
    const SHOWN: usize = 20;
    let mut s: Vec<String> = rows.iter().take(SHOWN).map(u32::to_string).collect();
    if rows.len() > SHOWN {
        s.push(format!("… ({} more)", rows.len() - SHOWN));
    }
    s.join(", ")
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
