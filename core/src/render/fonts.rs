//! Fonts for rendered diagrams: a font database with one CJK-capable face chosen as the family.
//!
//! [`Fonts::from_data`] is pure: it takes font files' bytes. [`discover`] is the one I/O
//! convenience (like [`crate::open`]): it walks the directories it is handed, so the caller
//! decides where to look and core reads no environment.

use resvg::usvg::fontdb;
use skrifa::MetadataProvider;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Characters a face must have to count as CJK-capable: the seed's own role words.
const CJK_PROBE: &str = "撮合核心接入层";

/// Font files, by file name, that carry Chinese, best first. Noto Sans CJK's collection holds
/// Sans and Serif faces; [`Fonts::from_data`] picks the Sans SC face from it.
const CJK_FILES: &[&str] = &[
    "notosanscjk-regular.ttc",
    "notosanscjksc-regular.otf",
    "wqy-microhei.ttc",
    "sourcehansans-regular.ttc",
    "sourcehanssanssc-regular.otf",
    "sourcehansanscn-regular.otf",
    "wqy-zenhei.ttc",
    "droidsansfallbackfull.ttf",
];

/// A Latin face loaded beside the CJK one when present, for symbols the CJK face lacks.
const FALLBACK_FILES: &[&str] = &["dejavusans.ttf"];

/// The Debian packages that provide a CJK font, named in every font error.
pub const FONT_PACKAGES: &str = "fonts-wqy-microhei (or fonts-noto-cjk)";

/// The CJK font built into the binary, used when no directory holds one: Noto Sans CJK SC cut
/// down to ASCII, Latin-1, GB2312 and the sheet's punctuation by `scripts/subset-cjk-font`
/// (SIL Open Font License, `core/assets/fonts/OFL.txt`).
pub const EMBEDDED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-aiops.otf");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    /// No face with Chinese glyphs among the fonts: the front end may say how its users name
    /// a font.
    #[error("no font with Chinese glyphs found in {searched}; install one (apt-get install {FONT_PACKAGES})")]
    NoCjkFont { searched: String },
    /// The family asked for is not there: the front end may say how its users choose another,
    /// or none to have a CJK font picked.
    #[error("font family '{family}' not found in {searched}; install it, or a CJK font such as {FONT_PACKAGES}")]
    FamilyNotFound { family: String, searched: String },
    #[error("font family '{family}' has no Chinese glyphs (tested 撮合), so labels would be drawn as boxes; choose a CJK family or install {FONT_PACKAGES}")]
    FamilyLacksCjk { family: String },
}

/// A font file's bytes as the font database holds them.
type FontBytes = Arc<dyn AsRef<[u8]> + Sync + Send>;

/// The fonts a render uses: a database for resvg and the face text is measured with.
#[derive(Clone)]
pub struct Fonts {
    db: Arc<fontdb::Database>,
    family: String,
    fallback: Option<String>,
    /// The chosen face's file, shared with the database rather than copied: a CJK collection
    /// is tens of megabytes.
    data: FontBytes,
    index: u32,
    /// The fallback face's bytes, to know which characters it can draw.
    fallback_face: Option<(FontBytes, u32)>,
    embedded: bool,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("family", &self.family)
            .field("fallback", &self.fallback)
            .field("embedded", &self.embedded)
            .finish()
    }
}

impl Fonts {
    /// Builds the font set from font files' bytes. Without `family`, the first CJK-capable face
    /// (the Sans SC face of a Noto CJK collection) is used; with it, that family, which must have
    /// Chinese glyphs. Other faces stay in the database as fallbacks for symbols.
    pub fn from_data(files: Vec<Vec<u8>>, family: Option<&str>) -> Result<Fonts, FontError> {
        let mut db = fontdb::Database::new();
        for bytes in files {
            db.load_font_source(fontdb::Source::Binary(Arc::new(bytes)));
        }
        let searched = "the font data given".to_string();
        Self::choose(db, family, searched)
    }

    /// Only the built-in CJK font ([`EMBEDDED_CJK`]).
    pub fn embedded() -> Fonts {
        let mut db = fontdb::Database::new();
        load_embedded(&mut db);
        match Self::choose(db, None, String::new()) {
            Ok(f) => f,
            // The built-in font is part of the binary and has the probe's characters; a build
            // whose asset lost them fails core's own tests.
            Err(e) => unreachable!("the embedded font lacks Chinese glyphs: {e}"),
        }
    }

    /// Whether these fonts are the built-in fallback rather than the machine's own.
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    fn choose(
        mut db: fontdb::Database,
        family: Option<&str>,
        searched: String,
    ) -> Result<Fonts, FontError> {
        let mut best: Option<(u8, fontdb::ID, String)> = None;
        let mut wanted_found = false;
        for face in db.faces() {
            let Some((name, _)) = face.families.first() else {
                continue;
            };
            if let Some(f) = family {
                if !name.eq_ignore_ascii_case(f) {
                    continue;
                }
                wanted_found = true;
            }
            let covers = db.with_face_data(face.id, covers_cjk).unwrap_or(false);
            if !covers {
                continue;
            }
            // Prefer a regular-weight Sans SC face: Noto's collection also holds Serif and
            // Japanese/Korean faces with other glyph shapes.
            let rank = u8::from(face.weight != fontdb::Weight::NORMAL)
                + u8::from(face.style != fontdb::Style::Normal)
                + 2 * u8::from(name.contains("Serif"))
                + u8::from(name.contains("CJK") && !name.ends_with(" SC"));
            if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
                best = Some((rank, face.id, name.clone()));
            }
        }
        let Some((_, id, name)) = best else {
            return Err(match family {
                Some(f) if wanted_found => FontError::FamilyLacksCjk { family: f.into() },
                Some(f) => FontError::FamilyNotFound {
                    family: f.into(),
                    searched,
                },
                None => FontError::NoCjkFont { searched },
            });
        };
        let Some((data, index)) = shared(&mut db, id) else {
            return Err(FontError::NoCjkFont { searched });
        };
        let fallback_id = db
            .faces()
            .find(|f| {
                f.families
                    .first()
                    .is_some_and(|(n, _)| !n.starts_with(name.as_str()))
            })
            .map(|f| (f.id, f.families.first().map(|(n, _)| n.clone())));
        let (fallback, fallback_face) = match fallback_id {
            Some((fid, fname)) => (fname, shared(&mut db, fid)),
            None => (None, None),
        };
        let embedded = std::ptr::eq(bytes(&data), EMBEDDED_CJK);
        Ok(Fonts {
            db: Arc::new(db),
            family: name,
            fallback,
            data,
            index,
            fallback_face,
            embedded,
        })
    }

    /// The family text is drawn in.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// Whether the chosen face has a glyph for `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        skrifa::FontRef::from_index(bytes(&self.data), self.index)
            .map(|f| f.charmap().map(c).is_some())
            .unwrap_or(false)
    }

    /// Whether the CJK face or the fallback face can draw `c`; text the fonts cannot draw is
    /// written as a readable substitute ([`substitute`]) instead of empty boxes.
    pub fn can_draw(&self, c: char) -> bool {
        if c.is_whitespace() || self.has_glyph(c) {
            return true;
        }
        self.fallback_face.as_ref().is_some_and(|(d, i)| {
            skrifa::FontRef::from_index(bytes(d), *i)
                .map(|f| f.charmap().map(c).is_some())
                .unwrap_or(false)
        })
    }

    /// `text` with every character the fonts cannot draw written as `[U+XXXX]`, so an emoji or
    /// a rare character reads as its code point rather than as an empty box.
    pub fn substitute(&self, text: &str) -> String {
        if text.chars().all(|c| self.can_draw(c)) {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if self.can_draw(c) {
                out.push(c);
            } else if !matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200D}') {
                // Variation selectors and joiners only shape the emoji before them.
                out.push_str(&format!("[U+{:04X}]", c as u32));
            }
        }
        out
    }

    /// The CSS `font-family` value: the CJK family, then the fallback.
    pub(crate) fn css_family(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace(['\'', '"', '<', '>', '&'], ""));
        match &self.fallback {
            Some(f) => format!("{}, {}", quote(&self.family), quote(f)),
            None => quote(&self.family),
        }
    }

    pub(crate) fn database(&self) -> Arc<fontdb::Database> {
        Arc::clone(&self.db)
    }

    /// Advance widths of the CJK face, for laying out labels.
    pub(crate) fn measurer(&self) -> Measurer<'_> {
        let font = skrifa::FontRef::from_index(bytes(&self.data), self.index).ok();
        Measurer { font }
    }
}

/// Measures text in the chosen face; characters it lacks count as one em (wide) or half an em.
pub(crate) struct Measurer<'a> {
    font: Option<skrifa::FontRef<'a>>,
}

impl Measurer<'_> {
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let Some(font) = &self.font else {
            return text.chars().map(|c| guess(c, size)).sum();
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or_else(|| guess(c, size))
            })
            .sum()
    }
}

/// A face's bytes, shared with the database: given as bytes, or the file's memory map.
fn shared(db: &mut fontdb::Database, id: fontdb::ID) -> Option<(FontBytes, u32)> {
    match db.face_source(id)? {
        (fontdb::Source::Binary(data) | fontdb::Source::SharedFile(_, data), index) => {
            Some((data, index))
        }
        // SAFETY: the file stays mapped for as long as these fonts live; it must not be
        // truncated or rewritten in place meanwhile. Font files are installed by the system's
        // package manager, which replaces a file by writing a new one and renaming it over the
        // old, so a mapping keeps the old content. `discover` reads only font files
        // (`.ttf`/`.otf`/`.ttc`/`.otc`) under the directories it is given.
        (fontdb::Source::File(_), _) => unsafe { db.make_shared_face_data(id) },
    }
}

fn bytes(data: &FontBytes) -> &[u8] {
    (**data).as_ref()
}

fn guess(c: char, size: f32) -> f32 {
    if (c as u32) >= 0x1100 {
        size
    } else {
        size * 0.6
    }
}

fn covers_cjk(data: &[u8], index: u32) -> bool {
    skrifa::FontRef::from_index(data, index)
        .map(|f| {
            let cmap = f.charmap();
            CJK_PROBE.chars().all(|c| cmap.map(c).is_some())
        })
        .unwrap_or(false)
}

/// Finds fonts under `dirs` (searched recursively) and builds a [`Fonts`]. Without `family`,
/// only the known CJK files (Noto Sans CJK, Source Han Sans, WenQuanYi) are read; with it,
/// every font file is read until one holds that family.
pub fn discover(dirs: &[PathBuf], family: Option<&str>) -> Result<Fonts, FontError> {
    discover_with(dirs, family, false)
}

/// Like [`discover`], but when no directory holds a CJK font (and no family is asked for), the
/// built-in one ([`EMBEDDED_CJK`]) is used, beside whatever Latin fallback was found. Fonts of
/// the machine stay preferred whenever they have Chinese glyphs.
pub fn discover_or_embedded(dirs: &[PathBuf], family: Option<&str>) -> Result<Fonts, FontError> {
    discover_with(dirs, family, true)
}

fn load_embedded(db: &mut fontdb::Database) {
    db.load_font_source(fontdb::Source::Binary(Arc::new(EMBEDDED_CJK)));
}

fn discover_with(
    dirs: &[PathBuf],
    family: Option<&str>,
    embedded: bool,
) -> Result<Fonts, FontError> {
    let searched = if dirs.is_empty() {
        "no font directories".to_string()
    } else {
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut files = Vec::new();
    for d in dirs {
        walk(d, 0, &mut files);
    }
    files.sort();
    let file_rank = |p: &Path, list: &[&str]| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        list.iter().position(|k| name == *k)
    };
    let mut cjk: Vec<(usize, &PathBuf)> = files
        .iter()
        .filter_map(|p| file_rank(p, CJK_FILES).map(|r| (r, p)))
        .collect();
    cjk.sort();
    let mut db = fontdb::Database::new();
    // Memory-mapped, not read: only the pages parsed and the glyphs drawn are touched.
    let load = |db: &mut fontdb::Database, p: &Path| {
        let before = db.len();
        db.load_font_file(p).is_ok() && db.len() > before
    };
    match family {
        None => {
            // The first CJK file that loads is enough; reading the rest would only cost time.
            let _ = cjk.iter().any(|(_, p)| load(&mut db, p));
        }
        Some(f) => {
            let others = files.iter().filter(|p| file_rank(p, CJK_FILES).is_none());
            for p in cjk.iter().map(|(_, p)| *p).chain(others) {
                let before = db.len();
                if !load(&mut db, p) {
                    continue;
                }
                let hit = db
                    .faces()
                    .skip(before)
                    .any(|face| face.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(f)));
                if hit {
                    break;
                }
            }
        }
    }
    if let Some(p) = files
        .iter()
        .find(|p| file_rank(p, FALLBACK_FILES).is_some())
    {
        load(&mut db, p);
    }
    if embedded
        && family.is_none()
        && !db
            .faces()
            .any(|f| db.with_face_data(f.id, covers_cjk) == Some(true))
    {
        load_embedded(&mut db);
    }
    Fonts::choose(db, family, searched)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, depth + 1, out);
        } else if p
            .extension()
            .map(|x| {
                let x = x.to_string_lossy().to_lowercase();
                matches!(x.as_str(), "ttf" | "otf" | "ttc" | "otc")
            })
            .unwrap_or(false)
        {
            out.push(p);
        }
    }
}
