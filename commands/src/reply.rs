//! The platform-neutral answer to a command, and its plain-text rendering.

use crate::{Lang, Msg};
use aiops_core::diagram::Diagram;
use aiops_core::query::QueryError;
use std::fmt::Write;

/// How the command went, for exit codes and for how a chat front end shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// The pattern or name matched nothing (CLI exit 1).
    NotFound,
    /// The user asked for something malformed (CLI exit 2).
    UserError,
    /// The request was fine but could not be carried out (a reload whose file does not load,
    /// a store that failed); not the user's mistake, and not an answer either.
    Failed,
}

/// A pattern that matches nothing is not found; one that cannot be read is the user's error.
impl From<&QueryError> for Status {
    fn from(e: &QueryError) -> Self {
        match e {
            QueryError::NoMatch { .. } => Status::NotFound,
            QueryError::BadPattern { .. } => Status::UserError,
        }
    }
}

/// A piece of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Text(String),
    /// Rows of cells; the first row is not special. Renderers align the columns.
    Table(Vec<Vec<String>>),
    /// One line about something that is over (a resolved alert), struck through where the
    /// medium can: `~~…~~` in chat and on the terminal, around text that is shown as written.
    Struck(String),
}

/// A file that goes with the reply (full text, Mermaid source, a diff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a command answers. The CLI prints `blocks` (text), `json`, or `diagram` as Mermaid; the
/// bot renders the same value as an embed with attachments.
#[derive(Debug, Clone)]
pub struct Reply {
    pub title: String,
    pub blocks: Vec<Block>,
    pub json: serde_json::Value,
    pub diagram: Option<Diagram>,
    /// The whole answer when `blocks` hold a summary cut to chat size (a diff's full detail): a
    /// terminal prints it instead of the blocks; chat attaches it as this file.
    pub detail: Option<Attachment>,
    /// Further files that go with the reply; chat attaches them.
    pub attachments: Vec<Attachment>,
    pub status: Status,
}

impl Reply {
    pub fn new(title: impl Into<String>) -> Self {
        Reply {
            title: title.into(),
            blocks: Vec::new(),
            json: serde_json::Value::Null,
            diagram: None,
            detail: None,
            attachments: Vec::new(),
            status: Status::Ok,
        }
    }

    /// A reply that tells the user what went wrong with their request.
    pub fn user_error(status: Status, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut r = Reply::new(message.clone());
        r.status = status;
        r.json = serde_json::json!({ "error": message });
        r
    }

    /// The reply to a selection that failed, in `lang`, with the status [`Status::from`]
    /// gives it. A bad pattern's detail is core's (or the regex engine's) own words.
    pub fn query_error(e: &QueryError, lang: Lang) -> Self {
        let msg = match e {
            QueryError::NoMatch {
                pattern,
                suggestions,
            } => Msg::MatchesNothing {
                pattern,
                suggestions,
            },
            QueryError::BadPattern { pattern, detail } => Msg::BadPattern { pattern, detail },
        };
        Reply::user_error(Status::from(e), msg.text(lang))
    }

    pub fn heading(mut self, s: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading(s.into()));
        self
    }

    pub fn text(mut self, s: impl Into<String>) -> Self {
        self.blocks.push(Block::Text(s.into()));
        self
    }

    pub fn struck(mut self, s: impl Into<String>) -> Self {
        self.blocks.push(Block::Struck(s.into()));
        self
    }

    pub fn table(mut self, rows: Vec<Vec<String>>) -> Self {
        if !rows.is_empty() {
            self.blocks.push(Block::Table(rows));
        }
        self
    }

    /// Plain text for a terminal or a chat code block: the title, then each block, tables with
    /// aligned columns (CJK counted as two columns wide). Not the diagram, nor its caption.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = writeln!(out, "\n{h}");
                }
                Block::Text(t) => {
                    for line in t.lines() {
                        let _ = writeln!(out, "  {line}");
                    }
                }
                Block::Table(rows) => out.push_str(&align(rows, "  ")),
                Block::Struck(t) => {
                    let _ = writeln!(out, "  ~~{t}~~");
                }
            }
        }
        // The diagram's caption describes a picture the text does not show ("Diagram shows 30
        // of 504 nodes"); the text itself lists everything.
        out
    }
}

/// Terminal columns a string takes; shared with core's text diagrams.
pub use aiops_core::text::display_width;

/// Aligns rows into columns; the last column is not padded.
pub fn align(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    // Each cell measured once: `export --format text` aligns every relation of the sheet.
    let measured: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| r.iter().map(|c| display_width(c)).collect())
        .collect();
    for r in &measured {
        for (i, w) in r.iter().enumerate() {
            widths[i] = widths[i].max(*w);
        }
    }
    let mut out = String::new();
    for (r, ws) in rows.iter().zip(&measured) {
        let start = out.len();
        out.push_str(indent);
        for (i, c) in r.iter().enumerate() {
            out.push_str(c);
            if i + 1 < r.len() {
                out.extend(std::iter::repeat_n(' ', widths[i] - ws[i] + 2));
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{deps, Context, Status};
    use aiops_core::query::Direction;
    use aiops_core::{seed, LoadOptions};

    #[test]
    fn a_pattern_matching_nothing_is_not_found_and_an_unreadable_one_is_a_user_error() {
        let topo = seed(&LoadOptions::default()).unwrap();
        let ctx = Context::new(&topo, "seed");
        let none = deps(ctx, "no-such-thing-at-all", Direction::Both, 1);
        assert_eq!(none.status, Status::NotFound);
        assert!(none.title.contains("matches nothing"), "{}", none.title);
        let bad = deps(ctx, "re:(", Direction::Both, 1);
        assert_eq!(bad.status, Status::UserError);
        assert!(bad.title.contains("not a valid pattern"), "{}", bad.title);
    }
}
