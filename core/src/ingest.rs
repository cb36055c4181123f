//! Reading an inventory file into a [`Table`]: format detection, header search, cell limits.
//!
//! Workbooks (xlsx, xls, xlsb, ods) go through calamine; CSV through the `csv` crate; a Markdown
//! pipe table (like the seed document) is read line by line. The table may sit on any sheet,
//! with its header anywhere in the first 20 rows.

use crate::error::LoadError;
use crate::text::{column_letter, key};
use calamine::{Data, Ods, Range, Reader, Xls, XlsError, Xlsb, XlsbError, Xlsx, XlsxError};
use std::io::Cursor;

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

/// A sheet's cells as text, rows numbered as the spreadsheet shows them.
struct Grid {
    name: String,
    rows: Vec<Row>,
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
            vec![csv_grid(file, &text)?]
        };
        let mut table = find_table(file, grids)?;
        table.encoding = encoding;
        Ok(table)
    }
}

fn corrupt(file: &str, detail: impl std::fmt::Display) -> LoadError {
    LoadError::Corrupt {
        file: file.into(),
        detail: detail.to_string(),
    }
}

/// The text of a CSV or Markdown file, and the encoding it was read in when not UTF-8.
///
/// Excel on a Chinese Windows saves "CSV" in GBK and "Unicode Text" in UTF-16 with a byte-order
/// mark; both are read as such. Anything else that is not UTF-8 is refused with the line where
/// the first bad byte is.
fn text_of(file: &str, bytes: &[u8]) -> Result<(String, Option<&'static str>), LoadError> {
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
    for (bom, enc) in [(&b"\xFF\xFE"[..], UTF_16LE), (&b"\xFE\xFF"[..], UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(text) if !text.contains('\0') => Ok((text.into_owned(), Some(enc.name()))),
                _ => Err(not_text(
                    file,
                    None,
                    &format!("it starts like {} text but is not", enc.name()),
                )),
            };
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(LoadError::NotSpreadsheet { file: file.into() });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(utf8) => match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok((text.into_owned(), Some("GB18030"))),
            None => Err(not_text(
                file,
                Some(&bytes[..utf8.valid_up_to()]),
                "it is neither UTF-8 nor GBK/GB18030",
            )),
        },
    }
}

/// A text file in an encoding we do not read; `before` is the text up to its first byte that
/// is not UTF-8, when that locates the problem.
fn not_text(file: &str, before: Option<&[u8]>, why: &str) -> LoadError {
    let at = before.map_or(String::new(), |b| {
        format!("line {}: ", b.iter().filter(|&&c| c == b'\n').count() + 1)
    });
    LoadError::Encoding {
        file: file.into(),
        at,
        detail: why.into(),
    }
}

fn read_zip_workbook(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
    let xlsx_err = match Xlsx::new(Cursor::new(bytes)) {
        Ok(mut wb) => return read_workbook(file, &mut wb),
        Err(XlsxError::Password) => return Err(LoadError::Encrypted { file: file.into() }),
        Err(e) => e,
    };
    match Xlsb::new(Cursor::new(bytes)) {
        Ok(mut wb) => return read_workbook(file, &mut wb),
        Err(XlsbError::Password) => return Err(LoadError::Encrypted { file: file.into() }),
        Err(_) => {}
    }
    if let Ok(mut wb) = Ods::new(Cursor::new(bytes)) {
        return read_workbook(file, &mut wb);
    }
    Err(corrupt(file, xlsx_err))
}

fn read_ole_workbook(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
    // Encrypted OOXML is an OLE container holding an `EncryptedPackage`; calamine's xlsx reader
    // recognises it and says so.
    if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
        return Err(LoadError::Encrypted { file: file.into() });
    }
    match Xls::new(Cursor::new(bytes)) {
        Ok(mut wb) => read_workbook(file, &mut wb),
        Err(XlsError::Password) => Err(LoadError::Encrypted { file: file.into() }),
        Err(e) => Err(corrupt(file, e)),
    }
}

fn read_workbook<RS, R>(file: &str, wb: &mut R) -> Result<Table, LoadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = wb.sheet_names();
    let mut looked_at = Vec::new();
    for name in names {
        let mut range = wb.worksheet_range(&name).map_err(|e| {
            let msg = e.to_string();
            if msg.to_lowercase().contains("password") {
                LoadError::Encrypted { file: file.into() }
            } else {
                corrupt(file, format!("sheet '{name}': {msg}"))
            }
        })?;
        let grid = range_grid(file, &name, &mut range)?;
        match table_in(file, grid) {
            Some(t) => return Ok(t),
            None => looked_at.push(name),
        }
    }
    Err(no_header(file, &looked_at))
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

/// Moves the cells' text out of the range: the range is not used afterwards, and copying
/// every string of a 100k-row sheet costs as much as reading it.
fn range_grid(file: &str, sheet: &str, range: &mut Range<Data>) -> Result<Grid, LoadError> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::with_capacity(range.height());
    for i in 0..range.height() {
        let number = row0 + i as u32 + 1;
        let cells = &mut range[i];
        let mut out = Vec::with_capacity(col0 as usize + cells.len());
        out.resize(col0 as usize, String::new());
        for (j, cell) in cells.iter_mut().enumerate() {
            let text = cell_text(std::mem::take(cell));
            check_cell(file, sheet, number, col0 as usize + j, &text)?;
            out.push(text);
        }
        rows.push(Row { number, cells: out });
    }
    Ok(Grid {
        name: sheet.to_string(),
        rows,
    })
}

fn cell_text(cell: Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        other => other.to_string(),
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

fn looks_like_markdown_table(text: &str) -> bool {
    let mut prev_pipe = false;
    for line in text.lines() {
        let t = line.trim();
        if prev_pipe && is_markdown_separator(t) {
            return true;
        }
        prev_pipe = t.starts_with('|');
    }
    false
}

fn is_markdown_separator(line: &str) -> bool {
    line.starts_with('|')
        && line.contains('-')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Each block of consecutive `|` lines is one grid, named "table N"; rows are line numbers.
fn markdown_grids(text: &str) -> Vec<Grid> {
    let mut grids: Vec<Grid> = Vec::new();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if !t.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            grids.push(Grid {
                name: format!("table {}", grids.len() + 1),
                rows: Vec::new(),
            });
            in_table = true;
        }
        if is_markdown_separator(t) {
            continue;
        }
        if let Some(g) = grids.last_mut() {
            g.rows.push(Row {
                number: i as u32 + 1,
                cells: split_markdown_row(t),
            });
        }
    }
    grids
}

fn split_markdown_row(line: &str) -> Vec<String> {
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().replace("<br>", "\n")),
            _ => cur.push(c),
        }
    }
    cells.push(cur.trim().replace("<br>", "\n"));
    cells
}

fn csv_grid(file: &str, text: &str) -> Result<Grid, LoadError> {
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .unwrap_or(b',');
    let sheet = if delimiter == b'\t' { "tsv" } else { "csv" };
    if let Some((line, column)) = unclosed_quote(text, delimiter) {
        return Err(LoadError::Cell {
            file: file.into(),
            sheet: sheet.into(),
            row: line,
            column: column_letter(column),
            detail: "a quote opens this cell and is never closed, so the rest of the file \
                     would be read as one cell; close the quote or remove it"
                .into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| LoadError::Cell {
            file: file.into(),
            sheet: sheet.into(),
            row: e.position().map(|p| p.line() as u32).unwrap_or(0),
            column: "-".into(),
            detail: format!("malformed CSV: {e}"),
        })?;
        let number = record.position().map(|p| p.line() as u32).unwrap_or(0);
        let mut cells = Vec::with_capacity(record.len());
        for (j, field) in record.iter().enumerate() {
            check_cell(file, sheet, number, j, field)?;
            cells.push(field.to_string());
        }
        rows.push(Row { number, cells });
    }
    Ok(Grid {
        name: sheet.into(),
        rows,
    })
}

/// Where a quoted CSV field opens and never closes, as (line, zero-based column): the csv
/// reader would silently take the rest of the file as that one field. A quote opens a field
/// only at its start, and `""` inside it is a literal quote, as in RFC 4180 and Excel.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<(u32, usize)> {
    let bytes = text.as_bytes();
    let (mut line, mut column) = (1u32, 0usize);
    let mut field_start = true;
    let mut open: Option<(u32, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        // A line ends at `\n`, `\r\n` or a lone `\r` (old Mac CSV), as the csv reader reads it.
        let line_end = b == b'\n' || (b == b'\r' && bytes.get(i) != Some(&b'\n'));
        if open.is_some() {
            match b {
                b'"' if bytes.get(i) == Some(&b'"') => i += 1,
                b'"' => open = None,
                _ if line_end => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if field_start => open = Some((line, column)),
            _ if line_end => {
                line += 1;
                column = 0;
                field_start = true;
                continue;
            }
            b'\r' => continue,
            d if d == delimiter => {
                column += 1;
                field_start = true;
                continue;
            }
            _ => {}
        }
        field_start = false;
    }
    open
}
