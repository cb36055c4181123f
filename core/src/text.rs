//! Text helpers shared across core: width folding, keys, tokens, globs, display width.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::Hash;

/// Folds full-width ASCII forms (`ＡＢＣ`, `（`, `；`, `／`) and the odd spaces (ideographic,
/// non-breaking, thin) to their ASCII equivalents, and drops invisible characters (see
/// [`is_invisible`]). Chinese text is left alone.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_char)
        .collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c if is_odd_space(c) => ' ',
        _ => c,
    }
}

/// Characters that show as nothing but make two equal-looking names differ when pasted in:
/// zero-width spaces and joiners, the word joiner, byte-order marks, soft hyphens.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Spaces other than the ASCII one: non-breaking, ideographic, the typographic widths.
fn is_odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// A name as it should be compared and shown: invisible characters removed, odd spaces made
/// ASCII, runs of whitespace squashed and trimmed. Borrowed when nothing changes.
pub fn clean_name(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return squashed(s);
    }
    if !s.chars().any(|c| is_invisible(c) || is_odd_space(c)) {
        return squashed(s);
    }
    let cleaned: String = s
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if is_odd_space(c) { ' ' } else { c })
        .collect();
    Cow::Owned(squash_spaces(&cleaned))
}

/// Splits a trailing IPv4 address off a name: `gitlab (10.20.3.4)`, `gitlab（10.20.3.4）` and
/// `gitlab / 10.20.3.4` are `gitlab` at `10.20.3.4`. Anything else is all name.
pub fn split_trailing_ip(s: &str) -> (&str, Option<&str>) {
    let t = s.trim_end();
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']')] {
        if let Some(inner) = t.strip_suffix(close) {
            if let Some(at) = inner.rfind(open) {
                let ip = inner[at + open.len_utf8()..].trim();
                let name = inner[..at].trim_end();
                if is_ipv4(ip) && !name.is_empty() {
                    return (name, Some(ip));
                }
            }
        }
    }
    if let Some((name, ip)) = t.rsplit_once(['/', '／']) {
        let (name, ip) = (name.trim_end(), ip.trim());
        if is_ipv4(ip) && !name.is_empty() {
            return (name, Some(ip));
        }
    }
    (t, None)
}

/// Four dot-separated numbers of at most 255.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// A key for comparing words: width-folded, lower-cased, with all whitespace removed.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| !is_invisible(*c)).map(fold_char) {
        if c.is_ascii() {
            if !c.is_ascii_whitespace() {
                out.push(c.to_ascii_lowercase());
            }
        } else if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// ASCII words of a text, lower-cased: `"Valkey spot-redis"` → `["valkey", "spot", "redis"]`.
pub fn ascii_words(s: &str) -> Vec<String> {
    fold_width(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// ASCII letters and digits in two or more words joined by `-`, `_` or `.` and nothing else.
pub fn is_name_shaped(text: &str) -> bool {
    let t = text.trim();
    t.contains(['-', '_', '.'])
        && t.split(['-', '_', '.']).filter(|w| !w.is_empty()).count() >= 2
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether the text has any CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Bidirectional embedding, override and isolate controls: text holding them can show in an
/// order other than the one it is stored in.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Collapses runs of whitespace to one space and trims.
pub fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Spreadsheet column letters for a zero-based index: 0 → `A`, 27 → `AB`.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Shell-style glob over a whole name: `*` any run, `?` one character, `[abc]`/`[a-z]`/`[!a]`
/// a class. Matching is ASCII case-insensitive. A malformed class matches literally.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point for the last `*`: linear in practice.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(pi + 1),
            Some('[') => match class_match(&p[pi..], n[ni]) {
                Some((true, len)) => Some(pi + len),
                Some((false, _)) => None,
                None => (n[ni] == '[').then_some(pi + 1),
            },
            Some(c) => c.eq_ignore_ascii_case(&n[ni]).then_some(pi + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                pi = next;
                ni += 1;
            }
            (None, Some((sp, sn))) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Matches `c` against a class starting at `p[0] == '['`; returns (matched, class length), or
/// `None` when the class is not closed.
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let c = c.to_ascii_lowercase();
    let mut hit = false;
    let mut first = true;
    while let Some(&x) = p.get(i) {
        if x == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        let x = x.to_ascii_lowercase();
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
            let hi = p[i + 2].to_ascii_lowercase();
            hit |= x <= c && c <= hi;
            i += 3;
        } else {
            hit |= x == c;
            i += 1;
        }
    }
    None
}

/// The literal text before the first wildcard of a glob, lower-cased.
pub fn glob_literal_prefix(pattern: &str) -> String {
    pattern
        .chars()
        .take_while(|c| !matches!(c, '*' | '?' | '['))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Terminal columns a string takes: East Asian wide and full-width characters count two.
pub fn display_width(s: &str) -> usize {
    // Most cells are ASCII names: one column per byte but for control characters.
    if s.is_ascii() {
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ if c.is_control() => 0,
        _ => 1,
    }
}

/// The text with runs of whitespace squashed to one space, borrowed when it has none.
pub fn squashed(s: &str) -> Cow<'_, str> {
    let mut prev_space = true;
    for c in s.chars() {
        let space = c.is_whitespace();
        if space && (prev_space || c != ' ') {
            return Cow::Owned(squash_spaces(s));
        }
        prev_space = space;
    }
    if prev_space && !s.is_empty() {
        return Cow::Owned(squash_spaces(s));
    }
    Cow::Borrowed(s)
}

/// Drops the repeats from `items`, keeping the first of each where it stands.
pub fn dedup_keep_order<T: Eq + Hash + Clone>(items: &mut Vec<T>) {
    let mut seen = HashSet::with_capacity(items.len());
    items.retain(|x| seen.insert(x.clone()));
}

/// Whether lower-casing changes `s`; ASCII text is checked without Unicode tables.
pub fn has_capitals(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        // Not `char::is_uppercase`: title-case letters (`ǅ`) change too.
        s.chars().any(|c| c.to_lowercase().ne(std::iter::once(c)))
    }
}

/// `s` lower-cased, borrowed when it has no capitals.
pub fn lowered(s: &str) -> Cow<'_, str> {
    if has_capitals(s) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// [`key`] of `s`, borrowed when that is `s` itself (plain lower-case ASCII without spaces).
pub fn key_of(s: &str) -> Cow<'_, str> {
    if s.bytes()
        .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(key(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_width_counts_columns_the_same_on_both_paths() {
        assert_eq!(display_width("apisix-01"), 9);
        assert_eq!(
            display_width("a\tb\u{7}"),
            2,
            "control characters take no column"
        );
        assert_eq!(display_width("节点a"), 5);
        assert_eq!(display_width("é\tx"), 2);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn full_width_punctuation_folds_to_ascii() {
        assert_eq!(fold_width("Kafka（可选）；Ｒｅｄｉｓ"), "Kafka(可选);Redis");
    }

    #[test]
    fn globs_match_whole_names_case_insensitively() {
        assert!(glob_match(
            "aie1p-ces-*",
            "aie1p-ces-access-c5large-2c4g-v132-a-Node"
        ));
        assert!(glob_match("AIE1P-CES-*", "aie1p-ces-c52xlarge"));
        assert!(!glob_match("aie1p-ces-*", "aie1p-maker-02"));
        assert!(glob_match("*maker-0?", "aie1p-maker-02"));
        assert!(!glob_match("*maker-0?", "aie1p-maker-02-copy"));
        assert!(glob_match("aie1p-maker-0[23]*", "aie1p-maker-03-copy"));
        assert!(!glob_match("aie1p-maker-0[!23]*", "aie1p-maker-03"));
        assert!(glob_match("*-[a-c]*", "x-b"));
        assert!(glob_match("a[b", "a[b"), "an unclosed class is literal");
        assert!(glob_match("*", ""));
        assert!(!glob_match("?", ""));
    }

    #[test]
    fn invisible_characters_are_dropped_and_odd_spaces_made_ascii() {
        assert_eq!(clean_name("aie1p-\u{200B}jenkins\u{FEFF}"), "aie1p-jenkins");
        assert_eq!(
            clean_name("\u{FEFF}zq9\u{00A0}web\u{3000}01 "),
            "zq9 web 01"
        );
        assert_eq!(fold_width("Kafka\u{200D}"), "Kafka");
        assert_eq!(key("Ka\u{200B}fka\u{00A0}"), "kafka");
        assert!(matches!(clean_name("zq9-web-01"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_trailing_ip_is_not_part_of_the_name() {
        assert_eq!(
            split_trailing_ip("aie1p-gitlab (10.20.3.4)"),
            ("aie1p-gitlab", Some("10.20.3.4"))
        );
        assert_eq!(
            split_trailing_ip("aie1p-gitlab（10.20.3.4）"),
            ("aie1p-gitlab", Some("10.20.3.4"))
        );
        assert_eq!(
            split_trailing_ip("aie1p-gitlab / 10.20.3.4"),
            ("aie1p-gitlab", Some("10.20.3.4"))
        );
        assert_eq!(split_trailing_ip("web (prod)"), ("web (prod)", None));
        assert_eq!(
            split_trailing_ip("a (10.20.3.256)"),
            ("a (10.20.3.256)", None)
        );
        assert_eq!(split_trailing_ip("(10.1.1.1)"), ("(10.1.1.1)", None));
        assert_eq!(
            split_trailing_ip("spotdb/spot-redis"),
            ("spotdb/spot-redis", None)
        );
    }

    #[test]
    fn dedup_keeps_the_first_of_each_in_order() {
        let mut v = vec![3, 1, 3, 2, 1];
        dedup_keep_order(&mut v);
        assert_eq!(v, [3, 1, 2]);
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(3), "D");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::{has_capitals, key, key_of, lowered, squash_spaces, squashed};
    use proptest::prelude::*;

    #[test]
    fn capitals_include_title_case_letters() {
        assert!(has_capitals("Kafka-01"));
        assert!(
            has_capitals("ǅemal-api"),
            "title case U+01C5 lower-cases to U+01C6"
        );
        assert!(!has_capitals("ǆemal-api"));
        assert!(!has_capitals("aie1p-ces-核心"));
    }

    proptest! {
        // The fast paths must give exactly what the slow functions give.
        #[test]
        fn fast_paths_agree_with_the_slow_functions(s in "\\PC{0,12}|[a-zA-Z0-9 \\-ǅǆ]{0,12}") {
            prop_assert_eq!(has_capitals(&s), s.to_lowercase() != s);
            prop_assert_eq!(lowered(&s).into_owned(), s.to_lowercase());
            prop_assert_eq!(key_of(&s).into_owned(), key(&s));
            prop_assert_eq!(squashed(&s).into_owned(), squash_spaces(&s));
        }
    }
}
