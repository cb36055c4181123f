//! Workbooks through calamine: xlsx, xlsm, xlsb and ods (zip), xls and encrypted OOXML (OLE).

use super::{check_cell, corrupt, no_header, table_in, Grid, Row, Table};
use crate::error::LoadError;
use calamine::{Data, Ods, Range, Reader, Xls, XlsError, Xlsb, XlsbError, Xlsx, XlsxError};
use std::io::Cursor;

pub(super) fn read_zip_workbook(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
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

pub(super) fn read_ole_workbook(file: &str, bytes: &[u8]) -> Result<Table, LoadError> {
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
