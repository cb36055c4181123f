//! Synthetic inventories in the seed's shape, for benchmarks and scale tests (only with the
//! `testing` feature).
//!
//! The seed's rows are repeated in groups. Each group gets its own naming-domain token
//! (`aie1p-dom<letters>-ces-access-…`), and name patterns in its cells are rewritten to match,
//! so a group resolves among itself the way the seed does, while shared resources (`Redis`,
//! `Aurora spotdb`, `NGINX`) stay shared, as in a real sheet that has grown.

/// The header of the generated table.
pub const HEADER: [&str; 4] = ["实例名称", "服务角色", "主要上游", "主要下游"];

/// The seed's data rows: name, role, upstream, downstream.
pub fn seed_rows() -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    for line in crate::SEED_MARKDOWN.lines() {
        let t = line.trim();
        if !t.starts_with("| aie1p") {
            continue;
        }
        let cells: Vec<String> = t
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        if let [a, b, c, d] = &cells[..] {
            rows.push([a.clone(), b.clone(), c.clone(), d.clone()]);
        }
    }
    rows
}

fn domain_token(mut g: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (g % 26) as u8);
        g /= 26;
        if g == 0 {
            break;
        }
    }
    s.reverse();
    format!("dom{}", String::from_utf8(s).unwrap_or_default())
}

/// `n` rows in the seed's shape (the last group may be partial).
pub fn rows(n: usize) -> Vec<[String; 4]> {
    let seed = seed_rows();
    let mut out = Vec::with_capacity(n);
    let mut g = 0;
    while out.len() < n {
        let dom = domain_token(g);
        for r in &seed {
            if out.len() == n {
                break;
            }
            let name = r[0].replacen("aie1p-", &format!("aie1p-{dom}-"), 1);
            let fix = |cell: &str| cell.replace("（maker-*）", &format!("（{dom}-maker-*）"));
            out.push([name, r[1].clone(), fix(&r[2]), fix(&r[3])]);
        }
        g += 1;
    }
    out
}

/// `n` rows as CSV text with the header.
pub fn csv(n: usize) -> String {
    let mut s = HEADER.join(",");
    s.push('\n');
    for r in rows(n) {
        let quoted: Vec<String> = r
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        s.push_str(&quoted.join(","));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_28_rows_and_groups_repeat_them_with_their_own_domain() {
        assert_eq!(seed_rows().len(), 28);
        let r = rows(60);
        assert_eq!(r.len(), 60);
        assert!(r[28][0].starts_with("aie1p-domb-maker-02"));
        assert_eq!(r[32][2], "做市服务器（domb-maker-*）");
    }
}
