//! CSV and TSV through the `csv` crate, with the delimiter guessed from the first line and an
//! unclosed quote refused before it swallows the rest of the file.

use super::{check_cell, Grid, Row};
use crate::error::LoadError;
use crate::text::column_letter;

pub(super) fn csv_grid(file: &str, text: &str) -> Result<Grid, LoadError> {
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
    let mut reader = ::csv::ReaderBuilder::new()
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
