//! The diagram as a picture: finding a CJK-capable font on this machine and drawing PNGs for
//! chat. Fonts are found here because looking in directories is I/O: core's renderer only takes
//! the [`Fonts`] value. When no directory holds a CJK font, the one built into the binary is
//! used, so a machine without font packages still gets pictures; the machine's fonts stay
//! preferred.

use aiops_core::diagram::Diagram;
use aiops_core::render::{self, fonts, Budget, Fonts};
use std::path::PathBuf;

/// The environment key naming the font directories to search instead of the usual ones
/// (a `:`-separated list, like `PATH`).
pub const FONT_DIRS_ENV: &str = "AIOPS_FONT_DIRS";

/// Where fonts are looked for: the directories in `AIOPS_FONT_DIRS` when it is set, else the
/// system's and the user's font directories.
pub fn font_dirs() -> Vec<PathBuf> {
    if let Some(list) = std::env::var_os(FONT_DIRS_ENV) {
        return std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
    }
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

/// Finds a CJK-capable font, falling back to the built-in one; a family asked for by name must
/// be found, or the error says which package to install.
pub fn load_fonts(family: Option<&str>) -> Result<Fonts, fonts::FontError> {
    let f = fonts::discover_or_embedded(&font_dirs(), family)?;
    if f.is_embedded() {
        tracing::info!(
            family = f.family(),
            "no CJK font on this machine; using the built-in one"
        );
    } else {
        tracing::info!(family = f.family(), "font chosen");
    }
    Ok(f)
}

/// Fonts found once per process: looking in directories is slow and the answer does not change.
static CHAT_FONTS: std::sync::OnceLock<Result<Fonts, String>> = std::sync::OnceLock::new();

/// The diagram as PNG for chat, within the chat reply's time and size budget. A missing CJK font
/// is an error that names the package to install: the bot never posts boxes instead of Chinese.
pub fn chat_png(d: &Diagram, family: Option<&str>) -> Result<Vec<u8>, String> {
    let fonts = CHAT_FONTS.get_or_init(|| load_fonts(family).map_err(|e| e.to_string()));
    let fonts = fonts.as_ref().map_err(Clone::clone)?;
    render::to_png(d, fonts, &Budget::default()).map_err(|e| e.to_string())
}
