//! Writes a synthetic inventory workbook in the seed's shape: `synth ROWS OUT.xlsx`.
//! Used by `scripts/compare-load.sh` to time aiops against an openpyxl script on the same file.

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let out = args.next().unwrap_or_else(|| "synthetic.xlsx".into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("生产环境").expect("sheet name");
    for (c, h) in aiops_core::synth::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in aiops_core::synth::rows(n).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell).expect("cell");
        }
    }
    wb.save(&out).expect("write workbook");
    eprintln!("wrote {n} rows to {out}");
}
