//! calamine's bare read of a workbook, the reference load times are compared with:
//! `bare_read FILE.xlsx` opens the file, reads every sheet's cells and touches each of them
//! (their text's length is summed and printed, so nothing is optimised away). No table is
//! looked for and nothing is resolved. Same allocator as the `aiops` binary.

use calamine::{Data, Reader, Xlsx};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).expect("usage: bare_read FILE.xlsx");
    let bytes = std::fs::read(&path).expect("read the file");
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
    let mut cells = 0usize;
    let mut chars = 0usize;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("a readable sheet");
        for cell in range.used_cells() {
            cells += 1;
            chars += match cell.2 {
                Data::String(s) => s.len(),
                other => other.to_string().len(),
            };
        }
    }
    println!("{cells} cells, {chars} bytes of text");
}
