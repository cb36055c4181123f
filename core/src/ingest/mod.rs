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
use crate::text::{column_letter, key};
use encoding::text_of;
use markdown::{looks_like_markdown_table, markdown_grids};
use workbook::{read_ole_workbook, read_zip_workbook};

/// Excel's own limit on the characters in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Inventories are small; anything beyond this is a mistake, not an inventory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The header must be within this many rows from the top of the sheet's used range (of the
/// table block, for Markdown).
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// A column the loader understands. Everything else is kept as an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Recognises a header cell: Chinese and English synonyms, full-width letters, padding, and a
/// trailing note in brackets (`主要上游（调用方）`) are all tolerated.
pub fn classify_header(text: &str) -> Option<Field> {
    let mut k = key(text);
    if let Some(at) = k.find('(') {
        k.truncate(at);
    }
    let k = k.trim_end_matches([':', '：', '*']);
    let field =
        match k {
            "实例名称" | "实例名" | "名称" | "主机名" | "实例" | "服务器" | "服务器名称"
            | "name" | "instancename" | "instance" | "hostname" | "host" | "server"
            | "servername" => Field::Name,
            "服务角色" | "角色" | "用途" | "服务" | "role" | "service" | "servicerole"
            | "function" => Field::Role,
            "主要上游" | "上游" | "上游服务" | "调用方" | "upstream" | "upstreams"
            | "mainupstream" | "mainupstreams" | "callers" => Field::Upstream,
            "主要下游" | "下游" | "下游服务" | "依赖" | "downstream" | "downstreams"
            | "maindownstream" | "maindownstreams" | "dependencies" => Field::Downstream,
            "负责人" | "负责团队" | "团队" | "所属团队" | "维护人" | "owner" | "owners"
            | "team" => Field::Owner,
            "环境" | "env" | "environment" | "stage" => Field::Env,
            "备注" | "说明" | "notes" | "note" | "remark" | "remarks" | "comment" | "comments" => {
                Field::Notes
            }
            "instanceid" | "实例id" | "ec2id" | "id" => Field::InstanceId,
            _ => return None,
        };
    Some(field)
}

/// Reads bytes of any supported format and finds the inventory table in them.
pub fn read_table(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
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
        read_zip_workbook(file, bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        read_ole_workbook(file, bytes)
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
        let mut table = find_table(file, grids)?;
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

fn find_table(file: &str, grids: Vec<Grid>) -> Result<Table, LoadError> {
    let mut looked_at = Vec::new();
    for grid in grids {
        let name = grid.name.clone();
        match table_in(file, grid) {
            Some(t) => return Ok(t),
            None => looked_at.push(name),
        }
    }
    Err(no_header(file, &looked_at))
}

/// Finds the header row in a grid and cuts the table out under it.
fn table_in(file: &str, grid: Grid) -> Option<Table> {
    let at = grid
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS as usize)
        .position(|r| is_header(&r.cells))?;
    let mut rows = grid.rows;
    let data = rows.split_off(at + 1);
    let header = rows.pop()?;
    let mut fields: Vec<Option<Field>> = Vec::with_capacity(header.cells.len());
    for cell in &header.cells {
        let f = classify_header(cell).filter(|f| !fields.contains(&Some(*f)));
        fields.push(f);
    }
    Some(Table {
        file: file.to_string(),
        sheet: grid.name,
        header_row: header.number,
        headers: header.cells.iter().map(|h| h.trim().to_string()).collect(),
        fields,
        rows: data,
        encoding: None,
    })
}

fn is_header(cells: &[String]) -> bool {
    let fields: Vec<Field> = cells.iter().filter_map(|c| classify_header(c)).collect();
    fields.contains(&Field::Name)
        && fields
            .iter()
            .any(|f| matches!(f, Field::Role | Field::Upstream | Field::Downstream))
}
