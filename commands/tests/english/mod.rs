//! Finds English labels left in a Chinese reply: strip every text the sheet and core wrote (node
//! ids, roles, spellings, cells, owners, column and sheet names, diagnostics and lint messages)
//! and what the user typed, then any ASCII word of three or more letters still there is a
//! label nobody translated, unless it is on [`ALLOWED`]. Shared by `commands/tests/zh.rs` and
//! `tests/tests/zh_cli.rs`.

use aiops_core::Topology;

/// Words a Chinese reply may keep: the command names a title echoes and the program's name.
pub const ALLOWED: &[&str] = &[
    "aiops", "deps", "impact", "whois", "role", "owner", "path", "spof", "export", "lint", "diff",
    "history", "changes",
];

/// Command-line flags a reply names, kept as written.
pub const FLAGS: &[&str] = &["--depth"];

/// The texts to strip before looking for English.
#[derive(Default)]
pub struct Foreign {
    texts: Vec<String>,
}

impl Foreign {
    /// Everything the sheet wrote into `topo`, and core's diagnostics and lint findings on it.
    pub fn of(topo: &Topology) -> Foreign {
        let mut f = Foreign::default();
        for n in topo.nodes() {
            f.add_all([&n.id, &n.role, &n.owner, &n.env, &n.notes, &n.instance_id]);
            f.add_all(&n.spellings);
            for (k, v) in &n.attributes {
                f.add_all([k, v]);
            }
        }
        for e in topo.edges() {
            for p in e.sources() {
                f.add_all([&*p.sheet, &*p.column, &*p.text, &*p.word]);
            }
            f.add_all(&e.via);
            f.add_all(e.note.iter().chain(&e.doubt));
        }
        for d in topo.diagnostics() {
            f.add(d.to_string());
        }
        for d in aiops_core::lint::lint(topo).findings {
            f.add(d.to_string());
        }
        f
    }

    /// One more text that is not ours to translate (a pattern the user typed, core's words).
    /// Each line counts on its own, as replies indent the lines of a block.
    pub fn add(&mut self, text: impl AsRef<str>) {
        for line in text.as_ref().lines() {
            let line = line.trim();
            if !line.is_empty() {
                self.texts.push(line.to_string());
            }
        }
    }

    pub fn add_all<S: AsRef<str>>(&mut self, texts: impl IntoIterator<Item = S>) {
        for t in texts {
            self.add(t);
        }
    }

    /// The ASCII words of three or more letters left in `rendered` once the foreign texts and
    /// the flags are gone, minus [`ALLOWED`].
    pub fn english_left(&self, rendered: &str) -> Vec<String> {
        let mut texts: Vec<&str> = self.texts.iter().map(String::as_str).collect();
        texts.extend(FLAGS);
        // Longest first, so a name is removed whole before a shorter name inside it.
        texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
        texts.dedup();
        let mut left = rendered.to_string();
        for t in texts {
            left = strip(&left, t);
        }
        let mut words: Vec<String> = left
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3 && !ALLOWED.contains(w))
            .map(str::to_string)
            .collect();
        words.sort();
        words.dedup();
        words
    }
}

/// `hay` without the occurrences of `needle` that stand as whole words, so a short name such
/// as `nod` does not eat into `nodes`.
fn strip(hay: &str, needle: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let (first, last) = (needle.chars().next(), needle.chars().next_back());
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(at) = rest.find(needle) {
        let before = match at {
            0 => out.chars().next_back(),
            _ => rest[..at].chars().next_back(),
        };
        let after = rest[at + needle.len()..].chars().next();
        // Inside a longer word when a letter or digit touches either end.
        let inside = word(first) && word(before) || word(last) && word(after);
        let whole = !inside;
        let end = if whole {
            at + needle.len()
        } else {
            at + first.map_or(1, char::len_utf8)
        };
        out.push_str(&rest[..at]);
        if whole {
            out.push(' ');
        } else {
            out.push_str(&rest[at..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
