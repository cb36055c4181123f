//! Change records: what a new inventory (or the digest, or a failed reload) changed, ready to
//! post.

use aiops_core::diagram::Diagram;

/// Largest full detail kept with a change, in bytes: half of Discord's attachment limit, leaving
/// the rest for the diagram. A whole new inventory's detail can be tens of megabytes, which no
/// message takes and which would otherwise be held in memory until posted.
pub const DETAIL_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Why a change summary is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new inventory is in force.
    Update,
    /// The scheduled digest.
    Digest,
    /// A new file did not load; nothing changed.
    Failed,
    /// The inventory file cannot be used (missing, unreadable, a directory, does not load); the
    /// last good version stays in force.
    FileProblem,
    /// The inventory file is usable again.
    Recovered,
}

impl ChangeKind {
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::Update => "Inventory changed",
            ChangeKind::Digest => "Inventory digest",
            ChangeKind::Failed => "Inventory reload failed",
            ChangeKind::FileProblem => "Inventory file problem",
            ChangeKind::Recovered => "Inventory file recovered",
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

impl Change {
    /// A change that is only a headline and a sentence: no diagram, nothing attached.
    pub fn note(kind: ChangeKind, headline: String, summary: String) -> Change {
        Change {
            kind,
            headline,
            full: summary.clone(),
            summary,
            diagram: Diagram::default(),
            version: None,
        }
    }

    /// The summary's title: the kind, then the headline, without saying the kind twice when the
    /// headline starts with it already (core's diff headline reads "Inventory changed: …").
    pub fn title(&self) -> String {
        let kind = self.kind.title();
        match self.headline.strip_prefix(kind) {
            Some(rest) if rest.is_empty() || rest.starts_with(':') => self.headline.clone(),
            _ => format!("{kind}: {}", self.headline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, headline: &str) -> Change {
        Change {
            kind,
            headline: headline.into(),
            summary: String::new(),
            full: String::new(),
            diagram: Diagram::default(),
            version: None,
        }
    }

    #[test]
    fn the_title_says_the_kind_once() {
        let c = change(ChangeKind::Update, "Inventory changed: instances +1 −0");
        assert_eq!(c.title(), "Inventory changed: instances +1 −0");
        let c = change(ChangeKind::Update, "No change after resolution.");
        assert_eq!(c.title(), "Inventory changed: No change after resolution.");
        let c = change(ChangeKind::Digest, "since 2026-11-30: Inventory changed: x");
        assert_eq!(
            c.title(),
            "Inventory digest: since 2026-11-30: Inventory changed: x"
        );
    }
}
