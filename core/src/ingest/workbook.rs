//! Workbooks through calamine: xlsx, xlsm, xlsb and ods (zip), xls and encrypted OOXML (OLE).
//!
//! Merged cells: calamine gives a merged range's value to its top-left cell only. The sheet's
//! merged regions (which calamine reads for xlsx and xls) give every row of the range that value
//! in the range's first column, so a pool whose role and relations are written once over its
//! rows reads as if every row repeated them. Reading the regions parses the sheet a second time
//! (about half again the time of reading a 100k-row sheet), so it is done only for a table with
//! an empty name, role or relation cell in a row that is not blank, which every merged range in
//! those columns leaves. Calamine 0.38 reads no merged regions of ods or xlsb files: there, a
//! merged cell's value stays on its first row.

use super::{check_cell, corrupt, table_in, ColumnMap, Field, Grid, Pick, Row, Table};
use crate::error::LoadError;
use calamine::{
    Data, Dimensions, Ods, Range, Reader, Xls, XlsError, Xlsb, XlsbError, Xlsx, XlsxError,
};
use std::io::Cursor;

pub(super) fn read_zip_workbook(
    file: &str,
    bytes: &[u8],
    columns: &ColumnMap,
) -> Result<Table, LoadError> {
    let xlsx_err = match Xlsx::new(Cursor::new(bytes)) {
        Ok(mut wb) => {
            return read_workbook(file, &mut wb, columns, |wb, name| {
                wb.merge_cells_by_sheet_name(name).unwrap_or_default()
            })
        }
        Err(XlsxError::Password) => return Err(LoadError::Encrypted { file: file.into() }),
        Err(e) => e,
    };
    match Xlsb::new(Cursor::new(bytes)) {
        Ok(mut wb) => return read_workbook(file, &mut wb, columns, |_, _| Vec::new()),
        Err(XlsbError::Password) => return Err(LoadError::Encrypted { file: file.into() }),
        Err(_) => {}
    }
    if let Ok(mut wb) = Ods::new(Cursor::new(bytes)) {
        return read_workbook(file, &mut wb, columns, |_, _| Vec::new());
    }
    Err(corrupt(file, xlsx_err))
}

pub(super) fn read_ole_workbook(
    file: &str,
    bytes: &[u8],
    columns: &ColumnMap,
) -> Result<Table, LoadError> {
    // Encrypted OOXML is an OLE container holding an `EncryptedPackage`; calamine's xlsx reader
    // recognises it and says so.
    if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
        return Err(LoadError::Encrypted { file: file.into() });
    }
    match Xls::new(Cursor::new(bytes)) {
        Ok(mut wb) => read_workbook(file, &mut wb, columns, |wb, name| {
            wb.merge_cells_by_sheet_name(name).unwrap_or_default()
        }),
        Err(XlsError::Password) => Err(LoadError::Encrypted { file: file.into() }),
        Err(e) => Err(corrupt(file, e)),
    }
}

fn read_workbook<RS, R>(
    file: &str,
    wb: &mut R,
    columns: &ColumnMap,
    merges: impl Fn(&mut R, &str) -> Vec<Dimensions>,
) -> Result<Table, LoadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = wb.sheet_names();
    let mut pick = Pick::default();
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
        let found = table_in(file, grid, columns).map(|mut t| {
            // Reading the merged regions parses the sheet again: only a table with gaps
            // where a merged range could be has any to spread.
            if has_gaps(&t) {
                spread_merged(&mut t.rows, &merges(wb, &name));
            }
            t
        });
        if let Some(t) = pick.offer(found) {
            return Ok(t);
        }
    }
    pick.finish(file)
}

/// Whether a row that is not blank has an empty name, role or relation cell, as the rows under
/// a merged cell's first do.
fn has_gaps(t: &Table) -> bool {
    let cols: Vec<usize> = [Field::Name, Field::Role, Field::Upstream, Field::Downstream]
        .into_iter()
        .filter_map(|f| t.column(f))
        .collect();
    t.rows.iter().any(|r| {
        let empty = |c: usize| r.cells.get(c).is_none_or(|v| v.trim().is_empty());
        cols.iter().any(|&c| empty(c)) && !r.cells.iter().all(|v| v.trim().is_empty())
    })
}

/// Gives every row of each merged region the value of its top-left cell, in the region's first
/// column, where that row's cell is empty. `rows` are consecutive sheet rows.
fn spread_merged(rows: &mut [Row], regions: &[Dimensions]) {
    let Some(first) = rows.first().map(|r| r.number) else {
        return;
    };
    let at = |number: u32| number.checked_sub(first).map(|i| i as usize);
    for region in regions {
        let (top, col) = (region.start.0 + 1, region.start.1 as usize);
        let Some(value) = at(top)
            .and_then(|i| rows.get(i))
            .and_then(|r| r.cells.get(col))
            .filter(|v| !v.trim().is_empty())
            .cloned()
        else {
            continue;
        };
        for number in top + 1..=region.end.0 + 1 {
            let Some(row) = at(number).and_then(|i| rows.get_mut(i)) else {
                break;
            };
            if row.cells.len() <= col {
                row.cells.resize(col + 1, String::new());
            }
            if row.cells[col].trim().is_empty() {
                row.cells[col] = value.clone();
            }
        }
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
