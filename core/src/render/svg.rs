//! SVG text for a [`Diagram`]: one element per line, each node and edge a `<g>` whose `class`
//! and ids name what it stands for (`n1`…, as in the Mermaid source), so tests can check the
//! structure without pixel coordinates.

use super::fonts::Fonts;
use super::layout::{layout, Input};
use crate::diagram::{escape_edge_label, escape_label, Diagram, NodeClass};
use std::fmt::Write;

/// Size of a box's first line (the name) and of the others (role), in pixels.
pub(crate) const NAME_PX: f32 = 17.0;
pub(crate) const LINE_PX: f32 = 14.0;
const EDGE_LABEL_PX: f32 = 13.0;
/// A label line longer than this many pixels wraps onto the next line.
const WRAP_PX: f32 = 300.0;
const PAD_X: f32 = 12.0;
const PAD_Y: f32 = 8.0;
const LINE_GAP: f32 = 4.0;
const MARGIN: f32 = 20.0;

pub(crate) fn write_svg(d: &Diagram, fonts: &Fonts) -> String {
    let m = fonts.measurer();
    // What each box says: the Mermaid label's text, line by line, wrapped to a readable width.
    let boxes: Vec<Vec<(String, f32)>> = d
        .nodes
        .iter()
        .map(|n| {
            let mut out = Vec::new();
            for (i, line) in n.lines.iter().enumerate() {
                let px = if i == 0 { NAME_PX } else { LINE_PX };
                for piece in wrap(&escape_label(line), |s| m.width(s, px)) {
                    out.push((piece, px));
                }
            }
            out
        })
        .collect();
    let sizes: Vec<(f32, f32)> = boxes
        .iter()
        .map(|lines| {
            let w = lines
                .iter()
                .map(|(s, px)| m.width(s, *px))
                .fold(0.0, f32::max);
            let h: f32 = lines.iter().map(|(_, px)| px + LINE_GAP).sum::<f32>() - LINE_GAP;
            (w + 2.0 * PAD_X, h + 2.0 * PAD_Y)
        })
        .collect();
    let edge_labels: Vec<Option<String>> = d
        .edges
        .iter()
        .map(|e| e.label.as_deref().map(escape_edge_label))
        .collect();
    let label_widths: Vec<f32> = edge_labels
        .iter()
        .map(|l| l.as_deref().map_or(0.0, |s| m.width(s, EDGE_LABEL_PX)))
        .collect();
    let groups: Vec<Option<u8>> = d.nodes.iter().map(|n| n.group.map(|g| g as u8)).collect();
    let edges: Vec<(usize, usize)> = d.edges.iter().map(|e| (e.from, e.to)).collect();
    let lay = layout(&Input {
        sizes: &sizes,
        edges: &edges,
        label_widths: &label_widths,
        groups: &groups,
        node_gap: 22.0,
        layer_gap: 56.0,
    });

    let legend = d.legend();
    let legend_h = if legend.is_empty() { 0.0 } else { 34.0 };
    let caption_h = if d.caption.is_empty() { 0.0 } else { 30.0 };
    let legend_w: f32 = legend
        .iter()
        .map(|c| m.width(c.legend().unwrap_or(""), LINE_PX) + 44.0)
        .sum();
    let caption_w = m.width(&d.caption, LINE_PX);
    let width = (lay.width.max(legend_w).max(caption_w) + 2.0 * MARGIN).ceil();
    let height = (lay.height + legend_h + caption_h + 2.0 * MARGIN).ceil();
    let (ox, oy) = (MARGIN, MARGIN + legend_h);

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{}">"#,
        xml(&fonts.css_family())
    );
    s.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>"##);
    s.push('\n');
    let _ = writeln!(
        s,
        r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##
    );

    if !legend.is_empty() {
        s.push_str("<g class=\"legend\">\n");
        let mut x = MARGIN;
        for c in &legend {
            let st = Style::of(*c);
            let text = c.legend().unwrap_or("");
            let _ = writeln!(
                s,
                r##"<g class="legend-item {}"><rect x="{x:.1}" y="{:.1}" width="28" height="18" rx="3" fill="{}" stroke="{}" stroke-width="{}"{}/><text x="{:.1}" y="{:.1}" font-size="{LINE_PX}" fill="#333333">{}</text></g>"##,
                c.mermaid().0,
                MARGIN,
                st.fill,
                st.stroke,
                st.stroke_width,
                st.dash_attr(),
                x + 34.0,
                MARGIN + 14.0,
                xml(text)
            );
            x += m.width(text, LINE_PX) + 44.0;
        }
        s.push_str("</g>\n");
    }

    s.push_str("<g class=\"groups\">\n");
    for (g, ids, (x0, y0, x1, y1)) in group_boxes(d, &lay.centres, &sizes) {
        let _ = writeln!(
            s,
            r##"<g class="group" data-kind="{}" data-nodes="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="#f6f6f6" stroke="#cccccc" stroke-dasharray="3 3"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#777777">{}</text></g>"##,
            xml(g),
            ids,
            ox + x0 - 6.0,
            oy + y0 - 16.0,
            x1 - x0 + 12.0,
            y1 - y0 + 22.0,
            ox + x0 - 2.0,
            oy + y0 - 5.0,
            xml(g)
        );
    }
    s.push_str("</g>\n<g class=\"edges\">\n");
    for (i, e) in d.edges.iter().enumerate() {
        let route = &lay.routes[i];
        if route.len() < 2 {
            continue;
        }
        let _ = write!(
            s,
            r##"<g class="edge{}" data-from="n{}" data-to="n{}"><path d="{}" fill="none" stroke="#555555" stroke-width="1.6"{} marker-end="url(#arrow)"/>"##,
            if e.dashed { " dashed" } else { "" },
            e.from + 1,
            e.to + 1,
            path_d(route, ox, oy),
            if e.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            }
        );
        if let Some(label) = &edge_labels[i] {
            let (a, b) = (route[0], route[1]);
            let (cx, cy) = (ox + (a.0 + b.0) / 2.0, oy + (a.1 + b.1) / 2.0);
            let w = label_widths[i] + 8.0;
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="18" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="{cx:.1}" y="{:.1}" font-size="{EDGE_LABEL_PX}" text-anchor="middle" fill="#444444">{}</text>"##,
                cx - w / 2.0,
                cy - 9.0,
                cy + 4.5,
                xml(label)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, n) in d.nodes.iter().enumerate() {
        let st = Style::of(n.class);
        let (cx, cy) = lay.centres[i];
        let (w, h) = sizes[i];
        let (x, y) = (ox + cx - w / 2.0, oy + cy - h / 2.0);
        let rx = if n.rounded() {
            14.0f32.min(h / 2.0)
        } else {
            5.0
        };
        let _ = write!(
            s,
            r#"<g class="node {}" id="n{}"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="{rx:.0}" fill="{}" stroke="{}" stroke-width="{}"{}/>"#,
            n.class.mermaid().0,
            i + 1,
            st.fill,
            st.stroke,
            st.stroke_width,
            st.dash_attr()
        );
        let mut ty = y + PAD_Y;
        for (j, (line, px)) in boxes[i].iter().enumerate() {
            ty += px;
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="{px}"{} text-anchor="middle" fill="{}">{}</text>"#,
                ox + cx,
                ty - px * 0.18,
                if j == 0 { r#" font-weight="bold""# } else { "" },
                st.color,
                xml(line)
            );
            ty += LINE_GAP;
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
    if !d.caption.is_empty() {
        let _ = writeln!(
            s,
            r##"<text class="caption" x="{MARGIN}" y="{:.1}" font-size="{LINE_PX}" fill="#555555">{}</text>"##,
            height - MARGIN + 4.0,
            xml(&d.caption)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A node class's look, read from the same style string the Mermaid `classDef` carries.
struct Style {
    fill: String,
    stroke: String,
    stroke_width: String,
    dash: Option<String>,
    color: String,
}

impl Style {
    fn of(c: NodeClass) -> Style {
        let mut st = Style {
            fill: "#ffffff".into(),
            stroke: "#333333".into(),
            stroke_width: "1".into(),
            dash: None,
            color: "#111111".into(),
        };
        for part in c.mermaid().1.split(',') {
            let Some((k, v)) = part.split_once(':') else {
                continue;
            };
            let v = v.trim().trim_end_matches("px").to_string();
            match k.trim() {
                "fill" => st.fill = v,
                "stroke" => st.stroke = v,
                "stroke-width" => st.stroke_width = v,
                "stroke-dasharray" => st.dash = Some(v),
                "color" => st.color = v,
                _ => {}
            }
        }
        st
    }

    fn dash_attr(&self) -> String {
        self.dash
            .as_ref()
            .map(|d| format!(r#" stroke-dasharray="{}""#, xml(d)))
            .unwrap_or_default()
    }
}

/// Left, top, right, bottom.
type Bounds = (f32, f32, f32, f32);

/// Runs of external nodes of one kind stacked in the same column, as (kind, ids, bounds).
fn group_boxes(
    d: &Diagram,
    centres: &[(f32, f32)],
    sizes: &[(f32, f32)],
) -> Vec<(&'static str, String, Bounds)> {
    let mut by_col: Vec<(u32, crate::graph::ResourceKind, Vec<usize>)> = Vec::new();
    for (i, n) in d.nodes.iter().enumerate() {
        // "other" is no kind at all: grouping by it would suggest a likeness that is not there.
        let Some(g) = n.group.filter(|g| *g != crate::graph::ResourceKind::Other) else {
            continue;
        };
        let col = centres[i].0.round() as u32;
        match by_col.iter_mut().find(|(c, k, _)| *c == col && *k == g) {
            Some((_, _, v)) => v.push(i),
            None => by_col.push((col, g, vec![i])),
        }
    }
    by_col
        .into_iter()
        .filter(|(_, _, v)| v.len() >= 2)
        // Only a run with nothing else between its boxes: a frame around a stranger misleads.
        .filter(|(col, _, v)| {
            let ys = v.iter().map(|&i| centres[i].1);
            let (lo, hi) = ys.fold((f32::MAX, f32::MIN), |(a, b), y| (a.min(y), b.max(y)));
            !(0..d.nodes.len()).any(|j| {
                !v.contains(&j)
                    && centres[j].0.round() as u32 == *col
                    && (lo..=hi).contains(&centres[j].1)
            })
        })
        .map(|(_, g, v)| {
            let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for &i in &v {
                let (cx, cy) = centres[i];
                let (w, h) = sizes[i];
                b.0 = b.0.min(cx - w / 2.0);
                b.1 = b.1.min(cy - h / 2.0);
                b.2 = b.2.max(cx + w / 2.0);
                b.3 = b.3.max(cy + h / 2.0);
            }
            let ids = v
                .iter()
                .map(|i| format!("n{}", i + 1))
                .collect::<Vec<_>>()
                .join(",");
            (g.label(), ids, b)
        })
        .collect()
}

/// A smooth left-to-right curve through the route's points.
fn path_d(route: &[(f32, f32)], ox: f32, oy: f32) -> String {
    let mut d = format!("M{:.1},{:.1}", ox + route[0].0, oy + route[0].1);
    for w in route.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let mx = (x1 - x0) / 2.0;
        let _ = write!(
            d,
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            ox + x0 + mx,
            oy + y0,
            ox + x1 - mx,
            oy + y1,
            ox + x1,
            oy + y1
        );
    }
    d
}

/// Breaks a line into pieces no wider than [`WRAP_PX`], at spaces where it can.
fn wrap(line: &str, width: impl Fn(&str) -> f32) -> Vec<String> {
    if width(line) <= WRAP_PX {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in line.chars() {
        cur.push(c);
        if width(&cur) > WRAP_PX {
            cur.pop();
            // Break after a space or hyphen in the second half, else mid-word.
            let cut = match cur.rfind([' ', '-']) {
                Some(p) if p > cur.len() / 2 => p + 1,
                _ => cur.len(),
            };
            let rest = cur.split_off(cut);
            out.push(cur.trim_end().to_string());
            cur = rest.trim_start().to_string();
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
