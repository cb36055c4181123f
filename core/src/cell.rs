//! Splitting a relation cell into mentions, and reading the notes in brackets.
//!
//! Rules, in the order they apply (each has a test named after it, on the seed's own cells):
//! 1. A cell that is only a none-marker (`——`, `-`, `无`, `N/A`) has no mentions.
//! 2. Items are separated by `；` `;` `、` `，` `,` and line breaks, but never inside brackets,
//!    so `业务API（经 APISIX/NGINX）` stays one item.
//! 3. Every `（…）` / `(…)` group in an item is a note on the whole item. Notes are split on the
//!    same separators and read as: `可选`/`optional` → optional; `按需`/`on demand` → on demand;
//!    `经 X`/`via X` → via X (X split on `/`); a glob such as `maker-*` → a name pattern; anything
//!    else is kept as free text.
//! 4. What is left outside the brackets is split on `/` into alternatives that share context:
//!    - leading words carry over: `Aurora futuresdb/futuresnewdb` → `Aurora futuresdb`,
//!      `Aurora futuresnewdb`;
//!    - a hyphenated stem carries over to a bare lower-case word: `ALB apisix-public/internal` →
//!      `ALB apisix-public`, `ALB apisix-internal`;
//!    - a Chinese category suffix carries back: `监控/日志系统` → `监控系统`, `日志系统`;
//!    - otherwise each part stands alone: `APISIX/NGINX/客户端`, `spotdb/spot-redis`.
//! 5. A trailing `等` ("and so on") is dropped from a part: `推送等` → `推送`.
//! 6. An IPv4 address after a word, in brackets or after `/` (`gitlab (10.20.3.4)`,
//!    `gitlab / 10.20.3.4`), says where the instance is, not what the relation is: it is dropped.
//! 7. A list marker at the start of a line or an item is not part of the word: `1.` `1)` `1、`
//!    `(1)` `①` `•` `·` `-` `*` `a.`; a marker alone on its line is dropped, so the line break
//!    after it separates like any other.

use crate::text::{fold_width, has_cjk, is_cjk, is_ipv4, split_trailing_ip, squash_spaces};
use crate::vocabulary::{
    is_none_marker, CATEGORY_NOUNS, ETC, ON_DEMAND, OPTIONAL, SHARED_SUFFIXES, VIA,
};

/// One word of a relation cell, with the notes that annotate it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mention {
    /// The component word, width-folded, after the `/` context rules.
    pub text: String,
    /// The whole item as it stood in the cell (before `/` splitting), width-folded.
    pub item: String,
    /// The item outside its brackets, before `/` splitting; alias keys may name it whole.
    pub base: String,
    pub optional: bool,
    pub on_demand: bool,
    /// Components the relation passes through, as written (`经 APISIX/NGINX` → `APISIX`, `NGINX`).
    pub via: Vec<String>,
    /// A name pattern that selects instances (`（maker-*）`).
    pub pattern: Option<String>,
    /// Free-text notes.
    pub notes: Vec<String>,
}

/// Splits a relation cell into mentions. Never fails: odd text becomes odd words, which
/// resolution reports.
pub fn parse_cell(cell: &str) -> Vec<Mention> {
    let folded = fold_width(cell);
    if is_none_marker(&folded) {
        return Vec::new();
    }
    // Markers first, line by line: `1、` would otherwise split on its `、`.
    let unmarked: Vec<&str> = folded.lines().map(strip_marker).collect();
    let unmarked = unmarked.join("\n");
    let mut out = Vec::new();
    for item in split_top_level(&unmarked, is_item_separator) {
        let item = squash_spaces(strip_marker(&item));
        if is_none_marker(&item) {
            continue;
        }
        parse_item(&item, &mut out);
    }
    out
}

/// The text after a leading list marker (see rule 6), trimmed; the text itself when it has none.
/// A marker needs what follows it to be a word: `1.5` and `-foo` are not lists, nor is `a.b`.
fn strip_marker(s: &str) -> &str {
    let t = s.trim_start();
    let after = |rest: &str| -> Option<usize> { Some(t.len() - rest.len()) };
    let mut chars = t.chars();
    let first = match chars.next() {
        Some(c) => c,
        None => return t,
    };
    let cut = match first {
        '•' | '·' | '●' | '○' | '◦' | '▪' | '■' | '□' | '◆' | '▶' | '►' | '・' => {
            after(chars.as_str())
        }
        // Enclosed numbers: ①–⑳, ⑴–⒇, ⒈–⒛.
        '\u{2460}'..='\u{249B}' => after(chars.as_str()),
        '-' | '*' | '+' | '–' | '—' => chars
            .as_str()
            .starts_with(char::is_whitespace)
            .then(|| after(chars.as_str()))
            .flatten(),
        '(' => {
            let rest = chars.as_str();
            let inner = rest.find(')').map(|at| &rest[..at]);
            inner
                .filter(|n| {
                    (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit())
                        || n.len() == 1 && n.chars().all(|c| c.is_ascii_lowercase())
                })
                .map(|n| 1 + n.len() + 1)
        }
        c if c.is_ascii_digit() => {
            let digits = t.chars().take_while(char::is_ascii_digit).count();
            let rest = &t[digits..];
            let mut r = rest.chars();
            match r.next() {
                Some('.' | ')' | '、') if digits <= 3 => {
                    let next = r.as_str();
                    (!next.starts_with(|c: char| c.is_ascii_digit()))
                        .then(|| after(next))
                        .flatten()
                }
                _ => None,
            }
        }
        c if c.is_ascii_lowercase() => match chars.next() {
            Some('.' | ')') if chars.as_str().starts_with(char::is_whitespace) => {
                after(chars.as_str())
            }
            _ => None,
        },
        _ => None,
    };
    match cut {
        Some(at) => t[at..].trim(),
        None => t.trim_end(),
    }
}

fn is_item_separator(c: char) -> bool {
    matches!(c, ';' | ',' | '、' | '\n' | '\r' | '；' | '，')
}

/// Splits on separators that are outside any bracket.
fn split_top_level(s: &str, sep: impl Fn(char) -> bool) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && sep(c) {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
}

/// Separates an item into the text outside brackets and the bracketed notes.
fn strip_notes(item: &str) -> (String, Vec<String>) {
    let mut base = String::new();
    let mut notes = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in item.chars() {
        match c {
            '(' | '【' => {
                if depth > 0 {
                    cur.push(c);
                }
                depth += 1;
            }
            ')' | '】' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(std::mem::take(&mut cur));
                } else {
                    cur.push(c);
                }
            }
            ')' | '】' => {}
            _ if depth > 0 => cur.push(c),
            _ => base.push(c),
        }
    }
    if !cur.trim().is_empty() {
        // An unclosed bracket: keep what followed it as a note rather than lose it.
        notes.push(cur);
    }
    (squash_spaces(&base), notes)
}

fn parse_item(item: &str, out: &mut Vec<Mention>) {
    let (base, raw_notes) = strip_notes(item);
    let base = split_trailing_ip(&base).0.to_string();
    let mut proto = Mention {
        item: item.to_string(),
        base: base.clone(),
        ..Mention::default()
    };
    for note in &raw_notes {
        for piece in split_top_level(note, is_item_separator) {
            read_note(&squash_spaces(&piece), &mut proto);
        }
    }
    let parts = split_alternatives(&base);
    if parts.is_empty() {
        if let Some(p) = proto.pattern.clone() {
            out.push(Mention { text: p, ..proto });
        }
        return;
    }
    for text in parts {
        out.push(Mention {
            text,
            ..proto.clone()
        });
    }
}

fn read_note(note: &str, m: &mut Mention) {
    if note.is_empty() || is_ipv4(note) {
        return;
    }
    if OPTIONAL.marks(note) {
        m.optional = true;
    } else if ON_DEMAND.marks(note) {
        m.on_demand = true;
    } else if let Some(rest) = VIA.introduces(note) {
        m.via.extend(
            rest.split('/')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
    } else if is_name_pattern(note) {
        m.pattern = Some(note.to_string());
    } else {
        m.notes.push(note.to_string());
    }
}

/// A glob over instance names: ASCII name characters with at least one wildcard.
pub fn is_name_pattern(s: &str) -> bool {
    !s.is_empty()
        && s.contains(['*', '?'])
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*' | '?' | '[' | ']' | '!')
        })
}

fn split_alternatives(base: &str) -> Vec<String> {
    let parts: Vec<String> = base
        .split('/')
        .map(squash_spaces)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() <= 1 {
        return parts.into_iter().map(|p| drop_etc(&p)).collect();
    }
    let first = parts[0].clone();
    let first_words: Vec<&str> = first.split(' ').collect();
    let last = parts[parts.len() - 1].clone();
    let suffix = SHARED_SUFFIXES
        .iter()
        .find(|s| last.ends_with(*s) && last.chars().count() > s.chars().count());
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let mut p = part.clone();
        if i > 0 && !p.contains(' ') && !has_cjk(&p) {
            let last_word = first_words[first_words.len() - 1];
            let stem = last_word.rfind('-').map(|at| &last_word[..=at]);
            let bare_lower = p.chars().all(|c| c.is_ascii_lowercase());
            if let (Some(stem), true) = (stem, bare_lower && !p.contains('-')) {
                p = format!("{stem}{p}");
            }
            if first_words.len() >= 2 {
                p = format!("{} {p}", first_words[..first_words.len() - 1].join(" "));
            }
        }
        // A later part that is only a category noun shares the first part's leading word:
        // `运维人员/系统` is 运维人员 and 运维系统.
        if i > 0 && CATEGORY_NOUNS.contains(&p.as_str()) {
            if let Some(noun) = CATEGORY_NOUNS
                .iter()
                .find(|n| first.ends_with(*n) && first.len() > n.len())
            {
                let lead = &first[..first.len() - noun.len()];
                if lead.chars().all(is_cjk) {
                    p = format!("{lead}{p}");
                }
            }
        }
        if let Some(suffix) = suffix {
            let all_cjk = p.chars().all(is_cjk);
            if i + 1 < parts.len() && all_cjk && !SHARED_SUFFIXES.iter().any(|s| p.ends_with(s)) {
                p.push_str(suffix);
            }
        }
        out.push(drop_etc(&p));
    }
    out
}

fn drop_etc(p: &str) -> String {
    match p.strip_suffix(ETC) {
        Some(rest) if !rest.is_empty() => rest.trim().to_string(),
        _ => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cell: &str) -> Vec<String> {
        parse_cell(cell).into_iter().map(|m| m.text).collect()
    }

    #[test]
    fn a_bare_category_noun_after_a_slash_shares_the_leading_word() {
        assert_eq!(texts("运维人员/系统"), ["运维人员", "运维系统"]);
        assert_eq!(texts("监控/日志系统"), ["监控系统", "日志系统"]);
        assert_eq!(texts("开发者/系统"), ["开发者", "系统"]);
    }

    #[test]
    fn rule1_none_marker_cell_has_no_mentions() {
        assert!(parse_cell("——").is_empty());
        assert!(parse_cell("无").is_empty());
        assert!(parse_cell("N/A").is_empty());
        assert!(parse_cell("").is_empty());
    }

    #[test]
    fn rule2_items_split_on_full_width_semicolon() {
        assert_eq!(
            texts("Kafka；Aurora futuresdb；Redis"),
            ["Kafka", "Aurora futuresdb", "Redis"]
        );
    }

    #[test]
    fn rule2_items_split_on_ascii_and_chinese_commas_enumeration_comma_and_line_breaks() {
        assert_eq!(
            texts("Nacos, Kafka;Redis，ETCD、CES 核心\nNarwhal Access\r\nAPISIX"),
            [
                "Nacos",
                "Kafka",
                "Redis",
                "ETCD",
                "CES 核心",
                "Narwhal Access",
                "APISIX"
            ]
        );
    }

    #[test]
    fn rule2_separators_inside_brackets_do_not_split() {
        let m = parse_cell("业务API（经 APISIX/NGINX）");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].text, "业务API");
        assert_eq!(m[0].via, ["APISIX", "NGINX"]);
        let m = parse_cell("制品库（ECR、S3）");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].notes, ["ECR", "S3"]);
    }

    #[test]
    fn rule3_optional_note() {
        let m = parse_cell("Aurora makerdb；Kafka（可选）");
        assert!(!m[0].optional);
        assert_eq!(m[1].text, "Kafka");
        assert!(m[1].optional);
        assert!(parse_cell("Kafka (optional)")[0].optional);
    }

    #[test]
    fn rule3_on_demand_note() {
        let m = parse_cell("Aurora spotdb；Valkey spot-redis；Kafka（按需）");
        assert_eq!(m[2].text, "Kafka");
        assert!(m[2].on_demand && !m[2].optional);
        assert!(parse_cell("Kafka (on demand)")[0].on_demand);
    }

    #[test]
    fn rule3_via_note() {
        assert_eq!(parse_cell("Kafka (via MSK proxy)")[0].via, ["MSK proxy"]);
    }

    #[test]
    fn rule3_name_pattern_note() {
        let m = parse_cell("做市服务器（maker-*）");
        assert_eq!(m[0].text, "做市服务器");
        assert_eq!(m[0].pattern.as_deref(), Some("maker-*"));
    }

    #[test]
    fn rule3_other_notes_are_kept_as_text() {
        let m = parse_cell("Aurora 只读实例（spotdb 等）");
        assert_eq!(m[0].text, "Aurora 只读实例");
        assert_eq!(m[0].notes, ["spotdb 等"]);
        let m = parse_cell("制品库（ECR/S3）");
        assert_eq!(m[0].notes, ["ECR/S3"]);
    }

    #[test]
    fn rule3_unclosed_bracket_keeps_the_rest_as_a_note() {
        let m = parse_cell("Kafka（可选");
        assert_eq!(m[0].text, "Kafka");
        assert!(m[0].optional);
    }

    #[test]
    fn rule4_leading_words_carry_over() {
        assert_eq!(
            texts("Aurora futuresdb/futuresnewdb；Redis"),
            ["Aurora futuresdb", "Aurora futuresnewdb", "Redis"]
        );
    }

    #[test]
    fn rule4_hyphen_stem_carries_over() {
        assert_eq!(
            texts("ALB apisix-public/internal；客户端"),
            ["ALB apisix-public", "ALB apisix-internal", "客户端"]
        );
    }

    #[test]
    fn rule4_chinese_suffix_carries_back() {
        assert_eq!(
            texts("K8S API；监控/日志系统"),
            ["K8S API", "监控系统", "日志系统"]
        );
        assert_eq!(texts("应用/网关日志"), ["应用日志", "网关日志"]);
    }

    #[test]
    fn rule4_parts_stand_alone_otherwise() {
        assert_eq!(texts("APISIX/NGINX/客户端"), ["APISIX", "NGINX", "客户端"]);
        assert_eq!(
            texts("CES 核心；Kafka；spotdb/spot-redis"),
            ["CES 核心", "Kafka", "spotdb", "spot-redis"]
        );
        assert_eq!(
            texts("Narwhal 核心；Kafka；futuresdb/Redis"),
            ["Narwhal 核心", "Kafka", "futuresdb", "Redis"]
        );
        assert_eq!(texts("Jenkins/Runner"), ["Jenkins", "Runner"]);
        assert_eq!(texts("APISIX/内部系统"), ["APISIX", "内部系统"]);
    }

    #[test]
    fn rule4_notes_apply_to_every_alternative() {
        let m = parse_cell("Narwhal/CES/业务服务（生产者）");
        assert_eq!(
            m.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["Narwhal", "CES", "业务服务"]
        );
        assert!(m.iter().all(|m| m.notes == ["生产者"]));
    }

    #[test]
    fn rule5_trailing_etc_is_dropped() {
        assert_eq!(
            texts("历史/统计/推送等（消费者）"),
            ["历史", "统计", "推送"]
        );
    }

    #[test]
    fn rule6_an_ip_after_a_word_is_dropped() {
        for cell in ["aie1p-gitlab (10.20.3.4)", "aie1p-gitlab / 10.20.3.4"] {
            let m = parse_cell(cell);
            assert_eq!(m.len(), 1, "{cell}");
            assert_eq!(m[0].text, "aie1p-gitlab");
            assert!(m[0].notes.is_empty(), "{:?}", m[0].notes);
        }
    }

    #[test]
    fn rule7_numbered_list_markers_are_not_part_of_the_word() {
        assert_eq!(
            texts("1. Aurora spotdb\n2. Valkey spot-redis"),
            ["Aurora spotdb", "Valkey spot-redis"]
        );
        assert_eq!(texts("1) Kafka\n2) Redis"), ["Kafka", "Redis"]);
        assert_eq!(texts("(1) Kafka；(2) Redis"), ["Kafka", "Redis"]);
        assert_eq!(texts("（1）Kafka；（2）Redis"), ["Kafka", "Redis"]);
        assert_eq!(texts("①Kafka\n②Aurora spotdb"), ["Kafka", "Aurora spotdb"]);
        assert_eq!(texts("1、Kafka\n2、CES 核心"), ["Kafka", "CES 核心"]);
        assert_eq!(texts("1.Kafka；2.Redis"), ["Kafka", "Redis"]);
        assert_eq!(texts("a. Kafka\nb. Redis"), ["Kafka", "Redis"]);
    }

    #[test]
    fn rule7_bullets_are_not_part_of_the_word() {
        assert_eq!(texts("• CES core\n• Kafka"), ["CES core", "Kafka"]);
        assert_eq!(texts("· spotdb\n· spot-redis"), ["spotdb", "spot-redis"]);
        assert_eq!(texts("- Kafka\n- Redis"), ["Kafka", "Redis"]);
        assert_eq!(texts("* Kafka\n* Redis"), ["Kafka", "Redis"]);
        // The marker keeps its notes working: the note is on the word, not on the marker.
        let m = parse_cell("• Kafka（可选）");
        assert_eq!(m[0].text, "Kafka");
        assert!(m[0].optional);
    }

    #[test]
    fn rule7_a_line_break_after_a_marker_separates() {
        assert_eq!(
            texts("1.\nAurora spotdb\n2.\nValkey spot-redis"),
            ["Aurora spotdb", "Valkey spot-redis"]
        );
        assert_eq!(texts("•\nKafka\n•\nRedis"), ["Kafka", "Redis"]);
    }

    #[test]
    fn rule7_text_that_only_looks_like_a_marker_is_kept() {
        assert_eq!(texts("1.5 GB cache"), ["1.5 GB cache"]);
        assert_eq!(texts("-redis"), ["-redis"]);
        assert_eq!(texts("*-redis"), ["*-redis"]);
        assert_eq!(texts("a.b service"), ["a.b service"]);
        assert_eq!(texts("3D renderer"), ["3D renderer"]);
        assert_eq!(texts("-"), Vec::<String>::new());
    }

    #[test]
    fn odd_text_never_panics() {
        for s in [
            "(",
            ")",
            "（（）",
            "/",
            "//a//",
            "a/(b",
            "【x",
            "等",
            "*",
            "(maker-*)",
            "—/—",
        ] {
            let _ = parse_cell(s);
        }
        assert_eq!(texts("（maker-*）"), ["maker-*"]);
    }
}
