//! Pictures of a [`Diagram`], drawn in-process from the same value that writes the Mermaid
//! source: our own layered layout, left to right or top to bottom ([`layout`]), SVG text we
//! write ([`svg`]), and PNG through resvg. [`ascii`] draws small neighbourhoods as Unicode text
//! for terminals. [`geometry`] gives the laid-out picture as shapes, so that what it could
//! wrongly suggest (an edge through a box not its own, labels on top of each other, crossings)
//! can be counted.
//!
//! Pure: fonts come in as a [`Fonts`] value; [`fonts::discover`] is the one helper that reads
//! font directories, and the caller says which.

pub mod ascii;
pub mod fonts;
mod layout;
mod rank;
mod svg;

pub use fonts::{FontError, Fonts};

use crate::diagram::Diagram;
use resvg::{tiny_skia, usvg};
use std::time::Duration;

/// Limits a render must stay within.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Diagrams with more boxes or arrows are refused before any work.
    pub max_nodes: usize,
    pub max_edges: usize,
    /// Wall-clock time for the whole render; past it the caller gets an error, not a picture.
    pub time: Duration,
    /// Largest PNG returned; a larger one is redrawn at a smaller scale.
    pub max_png_bytes: usize,
    /// Longest side of the PNG in pixels.
    pub max_side_px: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_nodes: 400,
            max_edges: 1200,
            time: Duration::from_millis(2500),
            // Discord's upload limit is 8 MiB (10 MB for some servers); keep well under it.
            max_png_bytes: 8_000_000,
            max_side_px: 8192,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// Over the node or edge budget: the front end may say how its users ask for a smaller
    /// view.
    #[error("diagram too large to draw: {nodes} nodes and {edges} edges (limit {max_nodes} and {max_edges})")]
    TooLarge {
        nodes: usize,
        edges: usize,
        max_nodes: usize,
        max_edges: usize,
    },
    #[error("drawing took longer than {ms} ms and was abandoned")]
    OverTime { ms: u128 },
    #[error("the renderer failed: {0}")]
    Failed(String),
    #[error("the picture would be larger than {max} bytes even at the smallest scale")]
    TooManyBytes { max: usize },
}

/// An edge as drawn: its source and target boxes and the points it passes.
pub type EdgeShape = (usize, usize, Vec<(f32, f32)>);

/// A laid-out picture as shapes, in the SVG's coordinates: boxes, each edge as a polyline (curves
/// flattened) with its two boxes, and edge labels. The counting methods are the ones the README
/// compares with Graphviz, so a `Geometry` can also be built from another layout's output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    /// Left, top, right, bottom of each box, in diagram order.
    pub boxes: Vec<[f32; 4]>,
    /// Each edge's end boxes and the points it passes.
    pub edges: Vec<EdgeShape>,
    /// Left, top, right, bottom of each edge label.
    pub labels: Vec<[f32; 4]>,
    /// The smallest text in a box or on an edge, in picture pixels.
    pub smallest_text_px: f32,
}

impl Geometry {
    /// (edge, box) pairs where the edge passes through a box that is not one of its ends.
    pub fn intrusions(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, (a, b, pts)) in self.edges.iter().enumerate() {
            for (j, r) in self.boxes.iter().enumerate() {
                // A pixel in from the border: an edge may touch a box it only runs beside.
                let inner = (r[0] + 1.0, r[1] + 1.0, r[2] - 1.0, r[3] - 1.0);
                if j != *a && j != *b && svg::polyline_enters(pts, inner) {
                    out.push((i, j));
                }
            }
        }
        out
    }

    /// Pairs of edges whose lines meet (cross, or pass through one point), not counting edges
    /// that share a box.
    pub fn crossings(&self) -> usize {
        let bbox = |pts: &[(f32, f32)]| {
            pts.iter()
                .fold((f32::MAX, f32::MAX, f32::MIN, f32::MIN), |b, &(x, y)| {
                    (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y))
                })
        };
        let boxes: Vec<_> = self.edges.iter().map(|e| bbox(&e.2)).collect();
        let mut total = 0;
        for i in 0..self.edges.len() {
            for j in i + 1..self.edges.len() {
                let (a, b) = (&self.edges[i], &self.edges[j]);
                if a.0 == b.0 || a.0 == b.1 || a.1 == b.0 || a.1 == b.1 {
                    continue;
                }
                let (p, q) = (boxes[i], boxes[j]);
                if p.0 > q.2 || q.0 > p.2 || p.1 > q.3 || q.1 > p.3 {
                    continue;
                }
                if polylines_cross(&a.2, &b.2) {
                    total += 1;
                }
            }
        }
        total
    }

    /// Pairs of labels that overlap each other, and (label, box) pairs that overlap.
    pub fn label_overlaps(&self) -> usize {
        let hit =
            |a: &[f32; 4], b: &[f32; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        let mut total = 0;
        for (i, a) in self.labels.iter().enumerate() {
            total += self.labels[i + 1..].iter().filter(|b| hit(a, b)).count();
            total += self.boxes.iter().filter(|b| hit(a, b)).count();
        }
        total
    }

    /// Width over height.
    pub fn aspect(&self) -> f32 {
        self.width / self.height.max(1.0)
    }

    /// The smallest text's size when the picture is shown `shown_px` wide.
    pub fn text_px_at(&self, shown_px: f32) -> f32 {
        self.smallest_text_px * shown_px / self.width.max(1.0)
    }
}

/// Whether two polylines meet anywhere: crossing inside two pieces, or passing through one
/// point that both of them have (two curves flattened through the same knot cross there, though
/// neither piece crosses the other's inside), or touching. Pairs that share a box are left out
/// by the caller, so their end points are never the same point.
fn polylines_cross(a: &[(f32, f32)], b: &[(f32, f32)]) -> bool {
    let orient = |p: (f32, f32), q: (f32, f32), r: (f32, f32)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    // r, in one line with p and q, lies between them.
    let within = |p: (f32, f32), q: (f32, f32), r: (f32, f32)| {
        r.0 >= p.0.min(q.0) && r.0 <= p.0.max(q.0) && r.1 >= p.1.min(q.1) && r.1 <= p.1.max(q.1)
    };
    let opposite = |x: f32, y: f32| (x > 0.0 && y < 0.0) || (x < 0.0 && y > 0.0);
    for s in a.windows(2) {
        for t in b.windows(2) {
            let (p1, p2, q1, q2) = (s[0], s[1], t[0], t[1]);
            let d1 = orient(q1, q2, p1);
            let d2 = orient(q1, q2, p2);
            let d3 = orient(p1, p2, q1);
            let d4 = orient(p1, p2, q2);
            // Crossing inside both pieces, or an end of one lying on the other.
            if (opposite(d1, d2) && opposite(d3, d4))
                || (d1 == 0.0 && within(q1, q2, p1))
                || (d2 == 0.0 && within(q1, q2, p2))
                || (d3 == 0.0 && within(p1, p2, q1))
                || (d4 == 0.0 && within(p1, p2, q2))
            {
                return true;
            }
        }
    }
    false
}

/// The diagram laid out as [`to_svg`] and [`to_png`] draw it, as shapes.
pub fn geometry(d: &Diagram, fonts: &Fonts) -> Geometry {
    let p = svg::plan(d, fonts);
    let shift = |(x, y): (f32, f32)| (x + p.ox, y + p.oy);
    let rect = |(cx, cy): (f32, f32), (w, h): (f32, f32)| {
        let (cx, cy) = shift((cx, cy));
        [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
    };
    let boxes = (0..d.nodes.len())
        .map(|i| rect(p.lay.centres[i], p.sizes[i]))
        .collect();
    let edges = d
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let pts = p.lay.polyline(i).into_iter().map(shift).collect();
            (e.from, e.to, pts)
        })
        .collect();
    let labels = (0..d.edges.len())
        .filter_map(|i| p.lay.labels[i].map(|c| rect(c, p.label_sizes[i])))
        .collect();
    let smallest_text_px = p
        .boxes
        .iter()
        .flatten()
        .map(|(_, px)| *px)
        .chain(p.edge_labels.iter().flatten().map(|_| svg::EDGE_LABEL_PX))
        .fold(f32::MAX, f32::min);
    Geometry {
        width: p.width,
        height: p.height,
        boxes,
        edges,
        labels,
        smallest_text_px: if smallest_text_px == f32::MAX {
            0.0
        } else {
            smallest_text_px
        },
    }
}

/// SVG text of the diagram.
pub fn to_svg(d: &Diagram, fonts: &Fonts, budget: &Budget) -> Result<String, RenderError> {
    check_size(d, budget)?;
    guarded(d, fonts, budget, |d, f, _| svg::write_svg(d, f, true))
}

/// PNG bytes of the diagram, drawn at one and a half times its layout size where the budget
/// allows, so text stays sharp when Discord scales it.
pub fn to_png(d: &Diagram, fonts: &Fonts, budget: &Budget) -> Result<Vec<u8>, RenderError> {
    check_size(d, budget)?;
    guarded(d, fonts, budget, |d, f, b| {
        let text = svg::write_svg(d, f, false);
        raster(&text, f, b)
    })?
}

fn check_size(d: &Diagram, b: &Budget) -> Result<(), RenderError> {
    if d.nodes.len() > b.max_nodes || d.edges.len() > b.max_edges {
        return Err(RenderError::TooLarge {
            nodes: d.nodes.len(),
            edges: d.edges.len(),
            max_nodes: b.max_nodes,
            max_edges: b.max_edges,
        });
    }
    Ok(())
}

/// Runs `work` on its own thread, so that a panic becomes an error and a slow render is abandoned
/// at the deadline instead of holding up the reply.
fn guarded<T: Send + 'static>(
    d: &Diagram,
    fonts: &Fonts,
    budget: &Budget,
    work: fn(&Diagram, &Fonts, &Budget) -> T,
) -> Result<T, RenderError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (d, f, b) = (d.clone(), fonts.clone(), *budget);
    std::thread::Builder::new()
        .name("aiops-render".into())
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&d, &f, &b)));
            let _ = tx.send(out);
        })
        .map_err(|e| RenderError::Failed(format!("could not start the render thread: {e}")))?;
    match rx.recv_timeout(budget.time) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(RenderError::Failed(msg))
        }
        Err(_) => Err(RenderError::OverTime {
            ms: budget.time.as_millis(),
        }),
    }
}

/// Pixels in a PNG at most, before the byte limit is even tried.
const MAX_PIXELS: f32 = 5_000_000.0;

/// PNG with the fastest compression and the `Up` filter: flat diagram colours compress well
/// even so, and the default level, or trying every filter on each row, took longer than the
/// drawing. The background is opaque, so the premultiplied pixels are the plain RGBA ones.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fastest);
    let mut w = enc.write_header()?;
    w.write_image_data(pixmap.data())?;
    w.finish()?;
    Ok(out)
}

fn raster(text: &str, fonts: &Fonts, b: &Budget) -> Result<Vec<u8>, RenderError> {
    let opt = usvg::Options {
        fontdb: fonts.database(),
        font_family: fonts.family().to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(text, &opt).map_err(|e| RenderError::Failed(e.to_string()))?;
    let size = tree.size();
    let longest = size.width().max(size.height()).max(1.0);
    let area = (size.width() * size.height()).max(1.0);
    // 1.5× keeps small pictures sharp in Discord's 550 px preview and on a phone (2× cost a
    // third more time to draw and encode, the larger part of a small picture's run); big ones
    // get fewer pixels, which a phone could not show anyway, and cost less to draw and encode.
    let mut scale = (b.max_side_px as f32 / longest)
        .min((MAX_PIXELS / area).sqrt())
        .min(1.5);
    for _ in 0..4 {
        let w = (size.width() * scale).ceil() as u32;
        let h = (size.height() * scale).ceil() as u32;
        let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
            .ok_or_else(|| RenderError::Failed(format!("cannot allocate a {w}×{h} image")))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let png = encode(&pixmap).map_err(|e| RenderError::Failed(e.to_string()))?;
        if png.len() <= b.max_png_bytes {
            return Ok(png);
        }
        scale /= 1.5;
    }
    Err(RenderError::TooManyBytes {
        max: b.max_png_bytes,
    })
}
