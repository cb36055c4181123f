//! Reading an inventory file into a [`Table`]: format detection, header search, cell limits.
//!
//! Workbooks (xlsx, xls, xlsb, ods) go through calamine; CSV through the `csv` crate; a Markdown
//! pipe table (like the seed document) is read line by line. The table may sit on any sheet,
//! with its header anywhere in the first 20 rows.

mod csv;
mod encoding;
mod markdown;
mod workbook;

use crate::error::LoadError;
use crate::text::column_letter;
use crate::vocabulary::{header_claim, header_key, Claim};
use encoding::text_of;
use markdown::{looks_like_markdown_table, markdown_grids};
use std::collections::BTreeMap;
use workbook::{read_ole_workbook, read_zip_workbook};

/// Excel's own limit on the characters in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Inventories are small; anything beyond this is a mistake, not an inventory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The header must be within this many rows from the top of the sheet's used range (of the
/// table block, for Markdown).
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// A column the loader understands. Everything else is kept as an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    Role,
    Upstream,
    Downstream,
    Owner,
    Env,
    Notes,
    InstanceId,
}

/// The inventory table, found and cut out of its sheet.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file name as the user gave it, for messages.
    pub file: String,
    pub sheet: String,
    /// 1-based row of the header.
    pub header_row: u32,
    /// Header text by column index (zero-based, absolute in the sheet).
    pub headers: Vec<String>,
    /// The understood field of each column, if any.
    pub fields: Vec<Option<Field>>,
    pub rows: Vec<Row>,
    /// The encoding a text file was read in when it was not UTF-8 (`GB18030`, `UTF-16LE`).
    pub encoding: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based row number as the spreadsheet shows it (line number for text formats).
    pub number: u32,
    /// Cell text by absolute column index.
    pub cells: Vec<String>,
}

impl Table {
    /// Whether the table has an upstream or a downstream column.
    pub fn has_relations(&self) -> bool {
        self.column(Field::Upstream).is_some() || self.column(Field::Downstream).is_some()
    }

    /// The header texts, for messages: `'Hostname', 'Team'`, blank headers left out.
    pub fn headers_seen(&self) -> String {
        let seen: Vec<String> = self
            .headers
            .iter()
            .filter(|h| !h.is_empty())
            .map(|h| format!("'{h}'"))
            .collect();
        if seen.is_empty() {
            "none".into()
        } else {
            seen.join(", ")
        }
    }

    /// The column index of a field, if the table has it.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }

    /// The text of `field` in `row`, trimmed; empty when absent.
    pub fn get<'a>(&self, row: &'a Row, field: Field) -> &'a str {
        self.column(field)
            .and_then(|c| row.cells.get(c))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// How the alias file's `[columns]` section maps headers: to a field, or (`None`) to an
/// attribute whatever the header says. Keys are [`header_key`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap(BTreeMap<String, Option<Field>>);

impl ColumnMap {
    /// Maps a header, as the alias file writes it.
    pub fn insert(&mut self, header: &str, field: Option<Field>) {
        self.0.insert(header_key(header), field);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The field a header cell names and how strongly (see [`Claim`]): the map first, then
    /// the vocabulary's header words.
    pub fn claim(&self, header: &str) -> Option<(Field, Claim)> {
        if !self.0.is_empty() {
            if let Some(mapped) = self.0.get(&header_key(header)) {
                return mapped.map(|f| (f, Claim::Mapped));
            }
        }
        header_claim(header)
    }
}

/// Reads bytes of any supported format and finds the inventory table in them.
pub fn read_table(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
    read_table_with(file, bytes, &ColumnMap::default())
}

/// [`read_table`] with the alias file's `[columns]`. Of the sheets with a header, the first
/// with an upstream or downstream column is the table; when none has one, the first with a
/// header (the loader refuses it unless asked for names only).
pub fn read_table_with(file: &str, bytes: &[u8], columns: &ColumnMap) -> Result<Table, LoadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file: file.into(),
            size: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    let lower = file.to_lowercase();
    let workbook_ext = [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e));
    if bytes.starts_with(b"PK\x03\x04") {
        read_zip_workbook(file, bytes, columns)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        read_ole_workbook(file, bytes, columns)
    } else if bytes.starts_with(b"PK") && workbook_ext {
        Err(corrupt(file, "not a complete zip archive"))
    } else if workbook_ext {
        Err(LoadError::NotSpreadsheet { file: file.into() })
    } else {
        let (text, encoding) = text_of(file, bytes)?;
        let grids = if looks_like_markdown_table(&text) {
            markdown_grids(&text)
        } else {
            vec![csv::csv_grid(file, &text)?]
        };
        let mut table = find_table(file, grids, columns)?;
        table.encoding = encoding;
        Ok(table)
    }
}

/// A sheet's cells as text, rows numbered as the spreadsheet shows them.
struct Grid {
    name: String,
    rows: Vec<Row>,
}

fn corrupt(file: &str, detail: impl std::fmt::Display) -> LoadError {
    LoadError::Corrupt {
        file: file.into(),
        detail: detail.to_string(),
    }
}

fn no_header(file: &str, sheets: &[String]) -> LoadError {
    let sheets = if sheets.is_empty() {
        "no sheets".to_string()
    } else {
        sheets
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    LoadError::NoHeader {
        file: file.into(),
        sheets,
    }
}

fn check_cell(file: &str, sheet: &str, row: u32, col: usize, text: &str) -> Result<(), LoadError> {
    // Byte length bounds the char count from above; count chars only when it might matter.
    if text.len() > MAX_CELL_CHARS {
        let len = text.chars().count();
        if len > MAX_CELL_CHARS {
            return Err(LoadError::CellTooLarge {
                file: file.into(),
                sheet: sheet.into(),
                row,
                column: column_letter(col),
                len,
                max: MAX_CELL_CHARS,
            });
        }
    }
    Ok(())
}

fn find_table(file: &str, grids: Vec<Grid>, columns: &ColumnMap) -> Result<Table, LoadError> {
    let mut pick = Pick::default();
    for grid in grids {
        if let Some(t) = pick.offer(table_in(file, grid, columns)) {
            return Ok(t);
        }
    }
    pick.finish(file)
}

/// Chooses the table among the sheets, offered in order: the first with a relation column,
/// else the first with a header.
#[derive(Default)]
struct Pick {
    first: Option<Table>,
    looked_at: Vec<String>,
}

impl Pick {
    /// Offers one sheet's table (`Err(name)`: the sheet has no header); returns the choice
    /// once it is made.
    fn offer(&mut self, found: Result<Table, String>) -> Option<Table> {
        match found {
            Ok(t) if t.has_relations() => Some(t),
            Ok(t) => {
                self.first.get_or_insert(t);
                None
            }
            Err(name) => {
                self.looked_at.push(name);
                None
            }
        }
    }

    fn finish(self, file: &str) -> Result<Table, LoadError> {
        self.first.ok_or_else(|| no_header(file, &self.looked_at))
    }
}

/// Finds the header row in a grid and cuts the table out under it; `Err` holds the sheet's
/// name when it has no header. Each field goes to the column that claims it most strongly
/// (the leftmost among equals); other columns are attributes.
fn table_in(file: &str, grid: Grid, columns: &ColumnMap) -> Result<Table, String> {
    let claims = |cells: &[String]| -> Vec<Option<(Field, Claim)>> {
        cells.iter().map(|c| columns.claim(c)).collect()
    };
    let found = grid
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS as usize)
        .position(|r| is_header(&claims(&r.cells)));
    let Some(at) = found else {
        return Err(grid.name);
    };
    let mut rows = grid.rows;
    let data = rows.split_off(at + 1);
    let Some(header) = rows.pop() else {
        return Err(grid.name);
    };
    let claimed = claims(&header.cells);
    let mut fields: Vec<Option<Field>> = vec![None; header.cells.len()];
    let mut best: BTreeMap<Field, (Claim, usize)> = BTreeMap::new();
    for (c, claim) in claimed.iter().enumerate() {
        let Some((f, strength)) = *claim else {
            continue;
        };
        let slot = best.entry(f).or_insert((strength, c));
        if strength > slot.0 {
            *slot = (strength, c);
        }
    }
    for (f, (_, c)) in best {
        fields[c] = Some(f);
    }
    Ok(Table {
        file: file.to_string(),
        sheet: grid.name,
        header_row: header.number,
        headers: header.cells.iter().map(|h| h.trim().to_string()).collect(),
        fields,
        rows: data,
        encoding: None,
    })
}

/// A header row names the instances and at least one other known field.
fn is_header(claims: &[Option<(Field, Claim)>]) -> bool {
    let fields: Vec<Field> = claims.iter().flatten().map(|(f, _)| *f).collect();
    fields.contains(&Field::Name) && fields.iter().any(|f| *f != Field::Name)
}
