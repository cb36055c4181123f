//! Pictures of a [`Diagram`], drawn in-process from the same value that writes the Mermaid
//! source: our own layered left-to-right layout ([`layout`]), SVG text we write ([`svg`]), and
//! PNG through resvg. [`ascii`] draws small neighbourhoods as Unicode text for terminals.
//!
//! Pure: fonts come in as a [`Fonts`] value; [`fonts::discover`] is the one helper that reads
//! font directories, and the caller says which.

pub mod ascii;
pub mod fonts;
mod layout;
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

/// SVG text of the diagram.
pub fn to_svg(d: &Diagram, fonts: &Fonts, budget: &Budget) -> Result<String, RenderError> {
    check_size(d, budget)?;
    guarded(d, fonts, budget, |d, f, _| svg::write_svg(d, f))
}

/// PNG bytes of the diagram, drawn at twice its layout size where the budget allows, so text
/// stays sharp when Discord scales it.
pub fn to_png(d: &Diagram, fonts: &Fonts, budget: &Budget) -> Result<Vec<u8>, RenderError> {
    check_size(d, budget)?;
    guarded(d, fonts, budget, |d, f, b| {
        let text = svg::write_svg(d, f);
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

/// PNG with fast compression: flat diagram colours compress well even so, and the default
/// level took longer than the drawing. The background is opaque, so the premultiplied pixels
/// are the plain RGBA ones.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
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
    // 2× keeps small pictures sharp on a phone; big ones get fewer pixels, which a phone could
    // not show anyway, and cost less to draw and encode.
    let mut scale = (b.max_side_px as f32 / longest)
        .min((MAX_PIXELS / area).sqrt())
        .min(2.0);
    for _ in 0..4 {
        let w = (size.width() * scale).ceil() as u32;
        let h = (size.height() * scale).ceil() as u32;
        let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
            .ok_or_else(|| RenderError::Failed(format!("cannot allocate a {w}×{h} image")))?;
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
