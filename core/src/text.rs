//! Text normalisation shared by ingest and resolution: width folding, none-markers, tokens.

/// Folds full-width ASCII forms (`ＡＢＣ`, `（`, `；`, `／`) and the ideographic space to their
/// ASCII equivalents. Chinese text is left alone.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// A key for comparing words: width-folded, lower-cased, with all whitespace removed.
pub fn key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a cell or list item means "nothing": `——`, `-`, `无`, `N/A`, and the like.
pub fn is_none_marker(s: &str) -> bool {
    let k = key(s);
    k.is_empty()
        || k.chars().all(|c| matches!(c, '-' | '—' | '–' | '一' | '_'))
        || matches!(
            k.as_str(),
            "无" | "n/a" | "na" | "none" | "null" | "nil" | "暂无"
        )
}

/// ASCII words of a text, lower-cased: `"Valkey spot-redis"` → `["valkey", "spot", "redis"]`.
pub fn ascii_words(s: &str) -> Vec<String> {
    fold_width(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Whether the text has any CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
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

/// Terminal columns a string takes: East Asian wide and full-width characters count two.
pub fn display_width(s: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_punctuation_folds_to_ascii() {
        assert_eq!(fold_width("Kafka（可选）；Ｒｅｄｉｓ"), "Kafka(可选);Redis");
    }

    #[test]
    fn seed_none_markers_mean_nothing() {
        for s in ["——", "-", "无", "N/A", " ", "n/a"] {
            assert!(is_none_marker(s), "{s:?}");
        }
        assert!(!is_none_marker("Kafka"));
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
