//! Turns a platform-neutral [`Reply`] into what Discord accepts: one embed within Discord's
//! limits, the diagram as PNG plus its Mermaid source, the full text attached when trimmed, and
//! mentions that can never ping anyone.

use aiops_commands::{align, Block, Reply};
use serenity::all::{CreateAllowedMentions, CreateAttachment, CreateEmbed};

/// Discord's limits (https://discord.com/developers/docs/resources/message).
pub const MAX_CONTENT: usize = 2_000;
pub const MAX_EMBED_TITLE: usize = 256;
pub const MAX_EMBED_DESCRIPTION: usize = 4_096;
pub const MAX_EMBED_TOTAL: usize = 6_000;
/// The upload limit for bots without boosts; the interaction may allow more.
pub const DEFAULT_ATTACHMENT_LIMIT: usize = 8 * 1024 * 1024;

/// A reply ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub content: String,
    pub embed: Option<CreateEmbed>,
    pub files: Vec<CreateAttachment>,
    /// The embed's description as sent, for tests and logs.
    pub description: String,
}

/// No one is ever pinged: not users, roles, `@everyone` or `@here`.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .all_roles(false)
        .replied_user(false)
}

/// Defangs text that would look like a mention even where Discord does not ping: `@everyone`,
/// `@here`, `<@id>`, `<@&id>`. A zero-width space keeps it readable and inert.
pub fn defang(s: &str) -> String {
    s.replace("@everyone", "@\u{200B}everyone")
        .replace("@here", "@\u{200B}here")
        .replace("<@", "<@\u{200B}")
}

/// Escapes Markdown so sheet text shows literally.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '(' | ')' | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Cuts `s` to at most `max` characters on a line boundary, saying how many lines were left out.
pub fn trim_lines(s: &str, max: usize) -> (String, bool) {
    if s.chars().count() <= max {
        return (s.to_string(), false);
    }
    let lines: Vec<&str> = s.lines().collect();
    let mut out = String::new();
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        let note = format!("…and {} more", lines.len() - i);
        let len = line.chars().count();
        if used + len + 1 + note.chars().count() + 8 > max {
            out.push_str(&note);
            return (out, true);
        }
        out.push_str(line);
        out.push('\n');
        used += len + 1;
    }
    (out, true)
}

fn blocks_markdown(reply: &Reply) -> String {
    let mut out = String::new();
    for b in &reply.blocks {
        match b {
            Block::Heading(h) => {
                out.push_str(&format!("**{}**\n", escape_markdown(h)));
            }
            Block::Text(t) => {
                out.push_str(&escape_markdown(t));
                out.push('\n');
            }
            Block::Struck(t) => {
                out.push_str(&format!("~~{}~~\n", escape_markdown(t)));
            }
            Block::Table(rows) => {
                // Code blocks keep the columns aligned; nothing inside needs escaping but fences.
                let text = align(rows, "").replace("```", "ʼʼʼ");
                out.push_str("```\n");
                out.push_str(&text);
                out.push_str("```\n");
            }
        }
    }
    out
}

/// Builds the message for a reply. `png` is the rendered diagram, when there is one.
pub fn build(reply: &Reply, png: Option<Vec<u8>>, attachment_limit: usize) -> Outgoing {
    let title: String = defang(&reply.title).chars().take(MAX_EMBED_TITLE).collect();
    let full = defang(&blocks_markdown(reply));
    let budget = MAX_EMBED_DESCRIPTION.min(MAX_EMBED_TOTAL - title.chars().count() - 200);
    let (mut description, trimmed) = trim_lines(&full, budget);
    // A trimmed code block must still close.
    if description.matches("```").count() % 2 == 1 {
        description.push_str("\n```");
    }
    let mut files = Vec::new();
    let mut size = 0usize;
    let mut add = |name: &str, bytes: Vec<u8>, files: &mut Vec<CreateAttachment>| {
        if size + bytes.len() <= attachment_limit {
            size += bytes.len();
            files.push(CreateAttachment::bytes(bytes, name.to_string()));
            true
        } else {
            false
        }
    };
    if let Some(png) = png {
        add("diagram.png", png, &mut files);
    }
    if let Some(d) = &reply.diagram {
        add("diagram.mmd", d.to_mermaid().into_bytes(), &mut files);
        if !d.caption.is_empty() {
            description.push_str(&format!("\n_{}_", escape_markdown(&d.caption)));
        }
    }
    // The detail is the full text the summary was cut from, and the text says it is attached:
    // when it does not fit whole, it goes cut at a whole line with a count of the rest.
    if let Some(a) = &reply.detail {
        let used: usize = files.iter().map(|f| f.data.len()).sum();
        let room = attachment_limit.saturating_sub(used);
        let bytes = match std::str::from_utf8(&a.bytes) {
            Ok(text) if a.bytes.len() > room => aiops_core::diff::cut_to(text, room)
                .into_owned()
                .into_bytes(),
            _ => a.bytes.clone(),
        };
        add(&a.name, bytes, &mut files);
    }
    for a in &reply.attachments {
        add(&a.name, a.bytes.clone(), &mut files);
    }
    if trimmed {
        add("full.txt", reply.to_text().into_bytes(), &mut files);
    }
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(description.clone());
    if files.iter().any(|f| f.filename == "diagram.png") {
        embed = embed.image("attachment://diagram.png");
    }
    Outgoing {
        content: String::new(),
        embed: Some(embed),
        files,
        description,
    }
}

/// The plain-text form of a reply Discord refused in full (an embed or file it would not take):
/// the title, why the rest is missing, and as much of the text as one message holds.
pub fn fallback(title: &str, text: &str, why: &str) -> String {
    let title: String = title.chars().take(MAX_EMBED_TITLE).collect();
    let head = defang(&format!("{title}\n({why})\n"));
    let budget = (MAX_CONTENT - 10).saturating_sub(head.chars().count() + 4);
    let (mut body, _) = trim_lines(&defang(text), budget);
    // A cut code block must still close.
    if body.matches("```").count() % 2 == 1 {
        body.push_str("\n```");
    }
    let mut out = head + &body;
    if out.chars().count() > MAX_CONTENT {
        out = out.chars().take(MAX_CONTENT).collect();
    }
    out
}

/// A short plain reply: errors, confirmations, fallbacks.
pub fn short(text: &str) -> String {
    let t = defang(text);
    let (t, _) = trim_lines(&t, MAX_CONTENT - 10);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_defanged() {
        assert_eq!(defang("@everyone look"), "@\u{200B}everyone look");
        assert_eq!(
            defang("<@&123> and <@456>"),
            "<@\u{200B}&123> and <@\u{200B}456>"
        );
        assert!(!short("@here hi").contains("@here"));
    }

    #[test]
    fn long_replies_are_trimmed_with_a_count_and_attached_in_full() {
        let rows: Vec<Vec<String>> = (0..400)
            .map(|i| vec![format!("row-{i}"), "x".repeat(30)])
            .collect();
        let r = Reply::new("big").table(rows);
        let out = build(&r, None, DEFAULT_ATTACHMENT_LIMIT);
        assert!(out.description.chars().count() <= MAX_EMBED_DESCRIPTION);
        assert!(out.description.contains("more"));
        assert_eq!(out.description.matches("```").count() % 2, 0);
        assert!(out.files.iter().any(|f| f.filename == "full.txt"));
    }

    #[test]
    fn markdown_in_sheet_text_shows_literally() {
        assert_eq!(
            escape_markdown("*bold* _x_ `c`"),
            "\\*bold\\* \\_x\\_ \\`c\\`"
        );
    }

    #[test]
    fn a_fallback_fits_one_message_and_keeps_the_title_and_the_reason() {
        let text = format!("```\n{}```", "line @everyone\n".repeat(500));
        let out = fallback("Dependencies of <@1>", &text, "error id E1-0");
        assert!(
            out.chars().count() <= MAX_CONTENT,
            "{}",
            out.chars().count()
        );
        assert!(out.starts_with("Dependencies of <@\u{200B}1>\n(error id E1-0)\n```"));
        assert!(out.contains("more"));
        assert!(!out.contains("@everyone"));
        assert_eq!(out.matches("```").count() % 2, 0);
        // A text that fits is kept whole.
        assert_eq!(fallback("t", "a\nb", "why"), "t\n(why)\na\nb");
    }

    #[test]
    fn a_replys_detail_and_attachments_are_sent_as_files() {
        let mut r = Reply::new("diff a → b").text("3 changes");
        r.detail = Some(aiops_commands::Attachment {
            name: "changes.txt".into(),
            bytes: b"every change".to_vec(),
        });
        r.attachments.push(aiops_commands::Attachment {
            name: "extra.json".into(),
            bytes: b"{}".to_vec(),
        });
        let out = build(&r, None, DEFAULT_ATTACHMENT_LIMIT);
        let names: Vec<&str> = out.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["changes.txt", "extra.json"]);
        assert_eq!(out.files[0].data, b"every change");
    }

    #[test]
    fn a_detail_too_big_for_the_limit_goes_cut_at_a_whole_line() {
        let mut r = Reply::new("t");
        let text: String = (0..500)
            .map(|i| format!("  + ops7-node-{i:03}\n"))
            .collect();
        r.detail = Some(aiops_commands::Attachment {
            name: "changes.txt".into(),
            bytes: text.clone().into_bytes(),
        });
        let out = build(&r, None, 2048);
        let sent = &out.files[0];
        assert_eq!(sent.filename, "changes.txt");
        assert!(sent.data.len() <= 2048, "{} bytes", sent.data.len());
        let sent = std::str::from_utf8(&sent.data).unwrap_or_default();
        let (kept, note) = sent.trim_end().rsplit_once('\n').unwrap_or_default();
        assert!(
            text.starts_with(&format!("{kept}\n")),
            "whole lines: {kept}"
        );
        let shown = kept.lines().count();
        assert!(
            note.starts_with(&format!("… and {} more lines", 500 - shown)),
            "{note}"
        );
    }

    #[test]
    fn attachments_respect_the_size_limit() {
        let mut r = Reply::new("t");
        r.diagram = Some(aiops_core::diagram::Diagram::default());
        let out = build(&r, Some(vec![0u8; 100]), 50);
        assert!(out.files.iter().all(|f| f.filename != "diagram.png"));
        assert!(out.files.iter().any(|f| f.filename == "diagram.mmd"));
    }
}
