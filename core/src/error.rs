//! Errors for loading an inventory, written for the person who has to fix the file.

use std::fmt;

/// Why an inventory could not be loaded. Every message names the file, and the sheet, row and
/// column where one applies, and says what to do to the file. How to point a front end at
/// another file is the front end's to say.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: no such file")]
    Missing { file: String },
    /// The inventory itself is missing ([`LoadError::of_inventory`]): the front end says how
    /// its users name another one.
    #[error("{file}: no such file")]
    MissingInventory { file: String },
    #[error("{file}: cannot read: {detail}")]
    Io { file: String, detail: String },
    #[error("{file}: not a spreadsheet: expected xlsx, xls, xlsb, ods, CSV or a Markdown table")]
    NotSpreadsheet { file: String },
    #[error(
        "{file}: {at}cannot read the text: {detail}; save it as \"CSV UTF-8\" or as a workbook"
    )]
    Encoding {
        file: String,
        /// `line N: ` where the text stops being UTF-8, or empty.
        at: String,
        detail: String,
    },
    #[error("{file}: the workbook is corrupt or truncated ({detail}); re-export it from Excel")]
    Corrupt { file: String, detail: String },
    #[error(
        "{file}: the workbook is password-protected; save a copy without a password and load that"
    )]
    Encrypted { file: String },
    #[error("{file}: no sheet has a header row in its first 20 rows (looked at: {sheets}); \
             need a name column (实例名称/Name) and one of 服务角色/Role, 主要上游/Upstream, 主要下游/Downstream, or a [columns] mapping in the alias file")]
    NoHeader { file: String, sheets: String },
    #[error(
        "{file}: no upstream/downstream column found in sheet '{sheet}'; headers seen: {headers}; \
         map one in [columns] of the alias file"
    )]
    NoRelationColumns {
        file: String,
        sheet: String,
        /// The header texts, quoted and joined.
        headers: String,
    },
    #[error(
        "{file}: sheet '{sheet}': no instance rows under the header on row {header_row}{detail}"
    )]
    EmptyTable {
        file: String,
        sheet: String,
        header_row: u32,
        /// What was left out, as `; ` and its diagnostic, or empty.
        detail: String,
        /// Test, staging or temporary rows were left out: the front end may say how its users
        /// keep them.
        nonprod_left_out: bool,
    },
    #[error(
        "{file}: sheet '{sheet}', row {row}, column {column}: cell is {len} characters long, \
             over the {max}-character limit"
    )]
    CellTooLarge {
        file: String,
        sheet: String,
        row: u32,
        column: String,
        len: usize,
        max: usize,
    },
    #[error("{file}: {size} bytes is over the {max}-byte limit for an inventory")]
    TooLarge { file: String, size: u64, max: u64 },
    #[error("{file}: sheet '{sheet}', row {row}, column {column}: {detail}")]
    Cell {
        file: String,
        sheet: String,
        row: u32,
        column: String,
        detail: String,
    },
    #[error("{file}: alias file: {detail}")]
    Alias { file: String, detail: String },
}

impl LoadError {
    /// The same error about the inventory itself: a missing file becomes
    /// [`LoadError::MissingInventory`].
    pub fn of_inventory(self) -> Self {
        match self {
            LoadError::Missing { file } => LoadError::MissingInventory { file },
            e => e,
        }
    }
}

/// Where a cell sits in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub sheet: String,
    /// 1-based row number as the spreadsheet shows it (the line number for Markdown and CSV).
    pub row: u32,
    /// Column letter, `A` for the first column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sheet '{}', row {}", self.sheet, self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        Ok(())
    }
}
