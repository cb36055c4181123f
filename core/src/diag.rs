//! Diagnostics: what loading noticed but did not fail on (skipped rows, odd words).

use crate::error::Location;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagKind {
    /// A row without a name.
    SkippedRow,
    /// Rows left out because they are test, staging or temporary.
    NonProduction,
    /// Repeated rows of one instance that disagree.
    ConflictingDuplicate,
    /// A word that matched no instance and no known kind of resource; kept as an external node.
    Unresolved,
    /// A word that fits several instances equally well; all were linked.
    Ambiguous,
    /// A name pattern or glob that matched no instance.
    PatternMatchedNothing,
    /// An alias that names an instance the inventory does not have.
    AliasTarget,
    /// A relation only one of its two instances states.
    OneSided,
    /// A text file that was not UTF-8, read in the encoding named.
    Encoding,
    /// Rows whose relation cells are word for word another row's, with relations the other
    /// end contradicts: those relations are doubtful.
    CopyPaste,
    /// Two rows each naming the other on the same side: one direction (or both) is doubtful.
    DirectionConflict,
    /// A column the sheet lacks (owner, environment), and what that turns off.
    MissingColumn,
    /// A column kept as an attribute whose cells read like relations (lists, instance names):
    /// its header may name a relation no rule recognises.
    RelationLikeColumn,
    /// A name repeated in other capitals: read as the same instance.
    NameCase,
    /// A relation some of whose statements mark it optional or on demand and others do not: it
    /// is read as required.
    FlagConflict,
}

impl DiagKind {
    /// How much harm a finding of this kind does to answers, most harmful first: lint lists
    /// its sections in this order. Doubtful relations mislead impact; a column of relations
    /// kept as an attribute drops them; alias problems and unresolved words drop or invent
    /// relations; the rest is hygiene.
    pub fn harm_rank(self) -> u8 {
        match self {
            DiagKind::CopyPaste => 0,
            DiagKind::DirectionConflict => 1,
            DiagKind::RelationLikeColumn => 2,
            DiagKind::AliasTarget => 3,
            DiagKind::PatternMatchedNothing => 4,
            DiagKind::Unresolved => 5,
            DiagKind::Ambiguous => 6,
            DiagKind::FlagConflict => 7,
            DiagKind::ConflictingDuplicate => 8,
            DiagKind::MissingColumn => 9,
            DiagKind::OneSided => 10,
            DiagKind::NameCase => 11,
            DiagKind::SkippedRow => 12,
            DiagKind::NonProduction => 13,
            DiagKind::Encoding => 14,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: DiagKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(severity: Severity, kind: DiagKind, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            kind,
            message: message.into(),
            location: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
