//! aiops-commands: the commands of aiops, independent of where they are asked (CLI or chat).
//!
//! Grammar (the CLI and the bot share it):
//! - `deps PATTERN [--up|--down] [--depth N]`
//! - `impact PATTERN [--depth N]`
//! - `whois NAME`, `role TEXT`, `owner TEXT`
//! - `path FROM TO`
//! - `spof`, `export`, `lint [--diagram FILE]`
//! - `diff`, `history`, `changes PATTERN [--since DURATION]` (grammar in `changes.rs`)
//!
//! Each handler runs against a [`Context`] and returns a [`Reply`]: text blocks, a JSON value in
//! the documented shape, and a diagram.

mod changes;
mod complete;
mod handlers;
pub mod incident;
mod lang;
mod msg;
mod reply;

pub use changes::{
    changes, diff, diff_within, history, parse_since, BadSince, Since, VersionInfo, CHANGES_HOPS,
    DIFF_DIAGRAM_CAP,
};
pub use complete::autocomplete;
pub use handlers::*;
pub use lang::Lang;
pub use msg::Msg;
pub use reply::{align, display_width, Attachment, Block, Reply, Status};

use aiops_core::Topology;

/// What a command runs against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub topo: &'a Topology,
    /// The inventory's name, for captions.
    pub source: &'a str,
    /// The reader's language for fixed phrases.
    pub lang: Lang,
    /// The forms of the reply the caller will use.
    pub parts: Parts,
    /// What runs in EC2, when known: whois and incident replies say a component's running
    /// state and zones, and impact fails a pool whose nodes share one zone as a whole.
    pub ec2: Option<&'a aiops_core::reconcile::Report>,
}

impl<'a> Context<'a> {
    pub fn new(topo: &'a Topology, source: &'a str) -> Self {
        Context {
            topo,
            source,
            lang: Lang::En,
            parts: Parts::ALL,
            ec2: None,
        }
    }
}

/// Which forms of a reply the caller will use: the text blocks, the JSON value, the diagram.
/// Most replies are small and build all three; `export` of a big inventory builds only what is
/// asked for (its JSON alone is 150 MB at 100k rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub text: bool,
    pub json: bool,
    pub diagram: bool,
}

impl Parts {
    const fn new(text: bool, json: bool, diagram: bool) -> Self {
        Parts {
            text,
            json,
            diagram,
        }
    }
    pub const ALL: Parts = Parts::new(true, true, true);
    /// A chat reply: text and a picture.
    pub const CHAT: Parts = Parts::new(true, false, true);
    pub const TEXT: Parts = Parts::new(true, false, false);
    pub const JSON: Parts = Parts::new(false, true, false);
    pub const DIAGRAM: Parts = Parts::new(false, false, true);
}

/// Pretty JSON for a reply's `json` value.
pub fn to_json_pretty(v: &serde_json::Value) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(v)
}
