//! Markdown pipe tables, like the team's document: each block of `|` lines is one grid.

use super::{Grid, Row};

pub(super) fn looks_like_markdown_table(text: &str) -> bool {
    let mut prev_pipe = false;
    for line in text.lines() {
        let t = line.trim();
        if prev_pipe && is_markdown_separator(t) {
            return true;
        }
        prev_pipe = t.starts_with('|');
    }
    false
}

fn is_markdown_separator(line: &str) -> bool {
    line.starts_with('|')
        && line.contains('-')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Each block of consecutive `|` lines is one grid, named "table N"; rows are line numbers.
pub(super) fn markdown_grids(text: &str) -> Vec<Grid> {
    let mut grids: Vec<Grid> = Vec::new();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if !t.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            grids.push(Grid {
                name: format!("table {}", grids.len() + 1),
                rows: Vec::new(),
            });
            in_table = true;
        }
        if is_markdown_separator(t) {
            continue;
        }
        if let Some(g) = grids.last_mut() {
            g.rows.push(Row {
                number: i as u32 + 1,
                cells: split_markdown_row(t),
            });
        }
    }
    grids
}

fn split_markdown_row(line: &str) -> Vec<String> {
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().replace("<br>", "\n")),
            _ => cur.push(c),
        }
    }
    cells.push(cur.trim().replace("<br>", "\n"));
    cells
}
