//! Change records: what a new inventory (or the digest, or a failed reload) changed, ready to
//! post.

use aiops_core::diagram::Diagram;

/// Why a change summary is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new inventory is in force.
    Update,
    /// The scheduled digest.
    Digest,
    /// A new file did not load; nothing changed.
    Failed,
}

impl ChangeKind {
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::Update => "Inventory changed",
            ChangeKind::Digest => "Inventory digest",
            ChangeKind::Failed => "Inventory reload failed",
        }
    }
}

/// What changed when a new inventory was installed, ready to post.
pub struct Change {
    pub kind: ChangeKind,
    pub headline: String,
    pub summary: String,
    pub full: String,
    pub diagram: Diagram,
    pub version: Option<i64>,
}
