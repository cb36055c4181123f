//! SVG text for a [`Diagram`]: one element per line, each node and edge a `<g>` whose `class`
//! and ids name what it stands for (`n1`…, as in the Mermaid source), so tests can check the
//! structure without pixel coordinates.
//!
//! Made to be read at chat-preview size: the names' common prefix is said once in the caption,
//! long names wrap at `-`, roles wrap on their own lines, and the picture is laid out left to
//! right or top to bottom, whichever shows its text larger at [`PREVIEW_PX`] wide.

use super::fonts::{Fonts, Measurer};
use super::layout::{layouts, Input, Layout};
use crate::diagram::{escape_edge_label, escape_label, Diagram, NodeClass, DOUBTFUL_NOTE};
use std::fmt::Write;

/// Size of a box's first line (the name) and of the others (role), of edge labels and of the
/// caption and legend, in pixels.
pub(crate) const NAME_PX: f32 = 15.0;
pub(crate) const LINE_PX: f32 = 14.0;
pub(crate) const EDGE_LABEL_PX: f32 = 14.0;
const NOTE_PX: f32 = 13.0;
/// A group frame's title, the smallest text drawn: at 11 px the CES neighbourhood's fell under
/// 10 px at [`PREVIEW_PX`] wide.
const GROUP_TITLE_PX: f32 = 12.0;
/// A name wider than this wraps, preferably after a `-`; roles wrap at their own width.
const NAME_WRAP_PX: f32 = 165.0;
const ROLE_WRAP_PX: f32 = 150.0;
const PAD_X: f32 = 8.0;
const PAD_Y: f32 = 5.0;
const LINE_GAP: f32 = 3.0;
const MARGIN: f32 = 12.0;
const NODE_GAP: f32 = 14.0;
const LAYER_GAP: f32 = 46.0;
/// The width Discord shows a picture at before it is opened.
pub(crate) const PREVIEW_PX: f32 = 550.0;
/// Diagrams with more boxes are not expected to read at preview size; the caption says so.
pub(crate) const PREVIEW_NODES: usize = 15;
const DOUBTFUL_STROKE: &str = "#b35900";
const DOUBTFUL_DASH: &str = "2 4";

/// Everything the SVG draws, laid out: shared by the SVG writer and the geometry checks.
pub(crate) struct Plan {
    /// Text lines of each box with their size.
    pub boxes: Vec<Vec<(String, f32)>>,
    pub sizes: Vec<(f32, f32)>,
    pub edge_labels: Vec<Option<String>>,
    pub label_sizes: Vec<(f32, f32)>,
    pub lay: Layout,
    pub legend: Vec<LegendItem>,
    /// Legend item positions (x, y of the swatch) relative to the picture.
    pub legend_at: Vec<(f32, f32)>,
    pub caption: Vec<String>,
    pub width: f32,
    pub height: f32,
    /// Where the layout's (0, 0) is in the picture.
    pub ox: f32,
    pub oy: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegendItem {
    Class(NodeClass),
    DoubtfulEdge,
}

impl LegendItem {
    fn text(self) -> &'static str {
        match self {
            LegendItem::Class(c) => c.legend().unwrap_or(""),
            LegendItem::DoubtfulEdge => "doubtful relation",
        }
    }
}

pub(crate) fn plan(d: &Diagram, fonts: &Fonts) -> Plan {
    let m = fonts.measurer();
    let prefix = d.common_name_prefix();
    let text = |s: &str| fonts.substitute(s);
    // What each box says: the Mermaid label's text, the common prefix dropped from the name,
    // wrapped to a readable width.
    let boxes: Vec<Vec<(String, f32)>> = d
        .nodes
        .iter()
        .map(|n| {
            let mut out = Vec::new();
            for (i, line) in n.lines.iter().enumerate() {
                let line = match (&prefix, i, n.group) {
                    (Some(p), 0, None) => line.strip_prefix(p.as_str()).unwrap_or(line),
                    _ => line.as_str(),
                };
                let (px, limit) = if i == 0 {
                    (NAME_PX, NAME_WRAP_PX)
                } else {
                    (LINE_PX, ROLE_WRAP_PX)
                };
                for piece in wrap(&text(&escape_label(line)), limit, |s| m.width(s, px)) {
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
        .map(|e| {
            let label = e.label.as_deref().map(|l| text(&escape_edge_label(l)));
            match (label, e.doubtful) {
                (Some(l), true) if l.contains(DOUBTFUL_NOTE) => Some(l.clone()),
                (Some(l), true) => Some(format!("{l} · {DOUBTFUL_NOTE}")),
                (None, true) => Some(DOUBTFUL_NOTE.to_string()),
                (l, false) => l,
            }
        })
        .collect();
    let label_sizes: Vec<(f32, f32)> = edge_labels
        .iter()
        .map(|l| {
            l.as_deref().map_or((0.0, 0.0), |s| {
                (m.width(s, EDGE_LABEL_PX) + 8.0, EDGE_LABEL_PX + 6.0)
            })
        })
        .collect();
    let groups: Vec<Option<u8>> = d.nodes.iter().map(|n| n.group.map(|g| g as u8)).collect();
    let edges: Vec<(usize, usize)> = d.edges.iter().map(|e| (e.from, e.to)).collect();
    let mut legend: Vec<LegendItem> = d.legend().into_iter().map(LegendItem::Class).collect();
    if d.edges.iter().any(|e| e.doubtful) {
        legend.push(LegendItem::DoubtfulEdge);
    }
    let mut caption_text = d.caption.clone();
    if let Some(p) = &prefix {
        let note = format!("names without their common prefix \"{p}\"");
        caption_text = join_sentences(&caption_text, &note);
    }
    if d.nodes.len() > PREVIEW_NODES {
        caption_text = join_sentences(&caption_text, "open the picture full size to read it");
    }
    let caption_text = text(&caption_text);

    // Both orientations; the one whose text is largest at preview width wins, among those whose
    // aspect stays between 2:1 and 1:2 when one does.
    // Room above the boxes for a group frame's title, when a group may be drawn.
    let kinds: Vec<_> = d
        .nodes
        .iter()
        .filter_map(|n| n.group)
        .filter(|g| *g != crate::graph::ResourceKind::Other)
        .collect();
    let grouped = kinds
        .iter()
        .any(|k| kinds.iter().filter(|j| *j == k).count() >= 2);
    let group_room = if grouped { GROUP_PAD + 14.0 } else { 0.0 };
    let mut best: Option<(f32, Plan)> = None;
    let input = Input {
        sizes: &sizes,
        edges: &edges,
        labels: &label_sizes,
        groups: &groups,
        node_gap: NODE_GAP,
        layer_gap: LAYER_GAP,
    };
    for lay in layouts(&input, &[false, true]) {
        let p = frame(lay, &legend, &caption_text, &m, group_room);
        let aspect = p.width / p.height.max(1.0);
        let readable = LINE_PX.min(EDGE_LABEL_PX) * PREVIEW_PX / p.width.max(PREVIEW_PX);
        let within = (0.5..=2.0).contains(&aspect);
        // Out of bounds, the picture nearer 1:1 is better whatever its text size.
        let score = if within {
            1000.0 + readable
        } else {
            -(aspect.max(1.0 / aspect))
        };
        if best.as_ref().is_none_or(|(s, _)| score > *s + 0.01) {
            best = Some((
                score,
                Plan {
                    boxes: Vec::new(),
                    sizes: Vec::new(),
                    edge_labels: Vec::new(),
                    label_sizes: Vec::new(),
                    ..p
                },
            ));
        }
    }
    let mut p = match best {
        Some((_, p)) => p,
        None => unreachable!("two orientations were tried"),
    };
    p.boxes = boxes;
    p.sizes = sizes;
    p.edge_labels = edge_labels;
    p.label_sizes = label_sizes;
    p
}

fn join_sentences(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{}; {b}", a.trim_end_matches(['.', ';']))
    }
}

/// The picture around a layout: legend rows above, caption lines below, both wrapped to the
/// layout's width (at least a readable minimum) rather than widening the picture.
fn frame(lay: Layout, legend: &[LegendItem], caption: &str, m: &Measurer, group_room: f32) -> Plan {
    let content_w = lay.width.max(320.0);
    let mut legend_at = Vec::with_capacity(legend.len());
    let (mut x, mut y) = (0.0f32, 0.0f32);
    let mut rows = 0;
    for item in legend {
        let w = m.width(item.text(), NOTE_PX) + 40.0;
        if x > 0.0 && x + w > content_w {
            x = 0.0;
            y += 24.0;
        }
        if rows == 0 || x == 0.0 {
            rows += 1;
        }
        legend_at.push((MARGIN + x, MARGIN + y));
        x += w;
    }
    let legend_h = rows as f32 * 24.0 + if rows > 0 { 6.0 } else { 0.0 };
    let caption: Vec<String> = if caption.is_empty() {
        Vec::new()
    } else {
        wrap(caption, content_w, |s| m.width(s, NOTE_PX))
    };
    let caption_h = if caption.is_empty() {
        0.0
    } else {
        caption.len() as f32 * (NOTE_PX + 4.0) + 8.0
    };
    let legend_w = legend_at
        .iter()
        .zip(legend)
        .map(|((x, _), item)| x - MARGIN + m.width(item.text(), NOTE_PX) + 40.0)
        .fold(0.0, f32::max);
    let caption_w = caption
        .iter()
        .map(|l| m.width(l, NOTE_PX))
        .fold(0.0, f32::max);
    let width = (lay.width.max(legend_w).max(caption_w) + 2.0 * MARGIN).ceil();
    let height = (lay.height + legend_h + group_room + caption_h + 2.0 * MARGIN).ceil();
    let (ox, oy) = (
        MARGIN + (width - 2.0 * MARGIN - lay.width) / 2.0,
        MARGIN + legend_h + group_room,
    );
    Plan {
        boxes: Vec::new(),
        sizes: Vec::new(),
        edge_labels: Vec::new(),
        label_sizes: Vec::new(),
        lay,
        legend: legend.to_vec(),
        legend_at,
        caption,
        width,
        height,
        ox,
        oy,
    }
}

/// The SVG text; without `background` the white backdrop is left out, for a rasteriser that
/// fills its canvas white itself (a fill is cheaper than drawing a picture-sized rectangle).
pub(crate) fn write_svg(d: &Diagram, fonts: &Fonts, background: bool) -> String {
    let p = plan(d, fonts);
    let (ox, oy, width, height) = (p.ox, p.oy, p.width, p.height);
    let lay = &p.lay;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{}">"#,
        xml(&fonts.css_family())
    );
    let _ = write!(
        s,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker><marker id="arrow-doubtful" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{DOUBTFUL_STROKE}"/></marker></defs>"##
    );
    s.push('\n');
    if background {
        let _ = writeln!(
            s,
            r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##
        );
    }

    if !p.legend.is_empty() {
        s.push_str("<g class=\"legend\">\n");
        for (item, &(x, y)) in p.legend.iter().zip(&p.legend_at) {
            let text = item.text();
            let swatch = match item {
                LegendItem::Class(c) => {
                    let st = Style::of(*c);
                    format!(
                        r#"<rect x="{x:.1}" y="{y:.1}" width="28" height="18" rx="3" fill="{}" stroke="{}" stroke-width="{}"{}/>"#,
                        st.fill,
                        st.stroke,
                        st.stroke_width,
                        st.dash_attr()
                    )
                }
                LegendItem::DoubtfulEdge => format!(
                    r#"<path d="M{x:.1},{:.1} h28" stroke="{DOUBTFUL_STROKE}" stroke-width="2" stroke-dasharray="{DOUBTFUL_DASH}"/>"#,
                    y + 9.0
                ),
            };
            let class = match item {
                LegendItem::Class(c) => c.mermaid().0,
                LegendItem::DoubtfulEdge => "doubtful-edge",
            };
            let _ = writeln!(
                s,
                r##"<g class="legend-item {class}">{swatch}<text x="{:.1}" y="{:.1}" font-size="{NOTE_PX}" fill="#333333">{}</text></g>"##,
                x + 34.0,
                y + 14.0,
                xml(text)
            );
        }
        s.push_str("</g>\n");
    }

    s.push_str("<g class=\"groups\">\n");
    for (g, ids, (x0, y0, x1, y1)) in group_boxes(d, &p) {
        let _ = writeln!(
            s,
            r##"<g class="group" data-kind="{}" data-nodes="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="#f6f6f6" stroke="#cccccc" stroke-dasharray="3 3"/><text x="{:.1}" y="{:.1}" font-size="{GROUP_TITLE_PX}" fill="#777777">{}</text></g>"##,
            xml(g),
            ids,
            ox + x0 - GROUP_PAD,
            oy + y0 - GROUP_PAD - 12.0,
            x1 - x0 + 2.0 * GROUP_PAD,
            y1 - y0 + 2.0 * GROUP_PAD + 12.0,
            ox + x0 - 2.0,
            oy + y0 - GROUP_PAD - 2.0,
            xml(g)
        );
    }
    s.push_str("</g>\n<g class=\"edges\">\n");
    for (i, e) in d.edges.iter().enumerate() {
        let route = &lay.routes[i];
        if route.len() < 2 {
            continue;
        }
        let (stroke, dash, marker) = if e.doubtful {
            (DOUBTFUL_STROKE, Some(DOUBTFUL_DASH), "arrow-doubtful")
        } else if e.dashed {
            ("#555555", Some("6 4"), "arrow")
        } else {
            ("#555555", None, "arrow")
        };
        let mut class = String::from("edge");
        if e.dashed {
            class.push_str(" dashed");
        }
        if e.doubtful {
            class.push_str(" doubtful");
        }
        let _ = write!(
            s,
            r##"<g class="{class}" data-from="n{}" data-to="n{}"><path d="{}" fill="none" stroke="{stroke}" stroke-width="1.6"{} marker-end="url(#{marker})"/>"##,
            e.from + 1,
            e.to + 1,
            path_d(lay, route, ox, oy),
            dash.map(|d| format!(r#" stroke-dasharray="{d}""#))
                .unwrap_or_default()
        );
        if let (Some(label), Some((cx, cy))) = (&p.edge_labels[i], lay.labels[i]) {
            let (w, h) = p.label_sizes[i];
            let (cx, cy) = (ox + cx, oy + cy);
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="{h:.1}" rx="3" fill="#ffffff" stroke="#dddddd" stroke-width="0.8"/><text x="{cx:.1}" y="{:.1}" font-size="{EDGE_LABEL_PX}" text-anchor="middle" fill="{}">{}</text>"##,
                cx - w / 2.0,
                cy - h / 2.0,
                cy + EDGE_LABEL_PX * 0.35,
                if e.doubtful {
                    DOUBTFUL_STROKE
                } else {
                    "#444444"
                },
                xml(label)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, n) in d.nodes.iter().enumerate() {
        let st = Style::of(n.class);
        let (cx, cy) = lay.centres[i];
        let (w, h) = p.sizes[i];
        let (x, y) = (ox + cx - w / 2.0, oy + cy - h / 2.0);
        let rx = if n.rounded() {
            12.0f32.min(h / 2.0)
        } else {
            4.0
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
        let first_px = p.boxes[i].first().map_or(NAME_PX, |l| l.1);
        for (line, px) in &p.boxes[i] {
            ty += px;
            let bold = i < d.nodes.len() && *px == first_px && *px == NAME_PX;
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="{px}"{} text-anchor="middle" fill="{}">{}</text>"#,
                ox + cx,
                ty - px * 0.18,
                if bold { r#" font-weight="bold""# } else { "" },
                st.color,
                xml(line)
            );
            ty += LINE_GAP;
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
    let mut y = height - MARGIN - (p.caption.len() as f32 - 1.0) * (NOTE_PX + 4.0);
    for c in &p.caption {
        let _ = writeln!(
            s,
            r##"<text class="caption" x="{MARGIN}" y="{y:.1}" font-size="{NOTE_PX}" fill="#555555">{}</text>"##,
            xml(c)
        );
        y += NOTE_PX + 4.0;
    }
    s.push_str("</svg>\n");
    s
}

const GROUP_PAD: f32 = 5.0;

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
pub(crate) type Bounds = (f32, f32, f32, f32);

fn overlaps(a: Bounds, b: Bounds) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Whether the polyline passes through the inside of `r`.
pub(crate) fn polyline_enters(pts: &[(f32, f32)], r: Bounds) -> bool {
    pts.windows(2).any(|w| segment_enters(w[0], w[1], r))
}

/// Liang–Barsky clipping: whether the segment has a stretch of positive length strictly inside.
fn segment_enters(a: (f32, f32), b: (f32, f32), r: Bounds) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [
        (-dx, a.0 - r.0),
        (dx, r.2 - a.0),
        (-dy, a.1 - r.1),
        (dy, r.3 - a.1),
    ] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t1 - t0 > 1e-4
}

/// Runs of external nodes of one kind in the same layer, as (kind, ids, bounds): only where the
/// frame around them holds nothing else, no other box, label or edge passing by, since a frame
/// around a stranger would say it belongs.
fn group_boxes(d: &Diagram, p: &Plan) -> Vec<(&'static str, String, Bounds)> {
    let lay = &p.lay;
    let along = |i: usize| {
        let c = lay.centres[i];
        (if lay.vertical { c.1 } else { c.0 }).round() as i64
    };
    let bounds = |i: usize| {
        let (cx, cy) = lay.centres[i];
        let (w, h) = p.sizes[i];
        (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
    };
    let mut by_layer: Vec<(i64, crate::graph::ResourceKind, Vec<usize>)> = Vec::new();
    for (i, n) in d.nodes.iter().enumerate() {
        // "other" is no kind at all: grouping by it would suggest a likeness that is not there.
        let Some(g) = n.group.filter(|g| *g != crate::graph::ResourceKind::Other) else {
            continue;
        };
        let a = along(i);
        match by_layer.iter_mut().find(|(c, k, _)| *c == a && *k == g) {
            Some((_, _, v)) => v.push(i),
            None => by_layer.push((a, g, vec![i])),
        }
    }
    let mut out = Vec::new();
    for (_, g, v) in by_layer {
        if v.len() < 2 {
            continue;
        }
        let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &i in &v {
            let r = bounds(i);
            b = (b.0.min(r.0), b.1.min(r.1), b.2.max(r.2), b.3.max(r.3));
        }
        let frame = (
            b.0 - GROUP_PAD,
            b.1 - GROUP_PAD - 12.0,
            b.2 + GROUP_PAD,
            b.3 + GROUP_PAD,
        );
        let stranger_box =
            (0..d.nodes.len()).any(|j| !v.contains(&j) && overlaps(frame, bounds(j)));
        let stranger_label = lay.labels.iter().zip(&p.label_sizes).any(|(c, (w, h))| {
            c.is_some_and(|(cx, cy)| {
                overlaps(
                    frame,
                    (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0),
                )
            })
        });
        let stranger_edge = d.edges.iter().enumerate().any(|(k, e)| {
            !v.contains(&e.from) && !v.contains(&e.to) && polyline_enters(&lay.polyline(k), frame)
        });
        if stranger_box || stranger_label || stranger_edge {
            continue;
        }
        let ids = v
            .iter()
            .map(|i| format!("n{}", i + 1))
            .collect::<Vec<_>>()
            .join(",");
        out.push((g.label(), ids, b));
    }
    out
}

/// The route as straight runs across bands and curves between them.
fn path_d(lay: &Layout, route: &[(f32, f32)], ox: f32, oy: f32) -> String {
    let mut d = format!("M{:.1},{:.1}", ox + route[0].0, oy + route[0].1);
    for w in route.windows(2) {
        let (a, b) = (w[0], w[1]);
        if lay.is_curve(a, b) {
            let (c1, c2) = lay.controls(a, b);
            let _ = write!(
                d,
                " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                ox + c1.0,
                oy + c1.1,
                ox + c2.0,
                oy + c2.1,
                ox + b.0,
                oy + b.1
            );
        } else {
            let _ = write!(d, " L{:.1},{:.1}", ox + b.0, oy + b.1);
        }
    }
    d
}

/// Breaks a line into pieces no wider than `limit`: after a `-`, `/` or space where one falls
/// in the second half of the piece, before an opening bracket, else between any two
/// characters (Chinese has no spaces).
fn wrap(line: &str, limit: f32, width: impl Fn(&str) -> f32) -> Vec<String> {
    if width(line) <= limit {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in line.chars() {
        cur.push(c);
        if width(&cur) > limit && cur.chars().count() > 1 {
            cur.pop();
            let half = cur.len() / 3;
            let cut = match cur.rfind(['-', ' ', '/', '（', '(']) {
                Some(p) if p > half => {
                    let ch = cur[p..].chars().next().unwrap_or(' ');
                    if matches!(ch, '（' | '(') {
                        p
                    } else {
                        p + ch.len_utf8()
                    }
                }
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
