//! The text of CSV and Markdown files: UTF-8, or the GBK and UTF-16 that Excel saves on a
//! Chinese Windows.

use crate::error::LoadError;

/// The text of a CSV or Markdown file, and the encoding it was read in when not UTF-8.
///
/// Excel on a Chinese Windows saves "CSV" in GBK and "Unicode Text" in UTF-16 with a byte-order
/// mark; both are read as such. Anything else that is not UTF-8 is refused with the line where
/// the first bad byte is.
pub(super) fn text_of(
    file: &str,
    bytes: &[u8],
) -> Result<(String, Option<&'static str>), LoadError> {
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
    for (bom, enc) in [(&b"\xFF\xFE"[..], UTF_16LE), (&b"\xFE\xFF"[..], UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(text) if !text.contains('\0') => Ok((text.into_owned(), Some(enc.name()))),
                _ => Err(not_text(
                    file,
                    None,
                    &format!("it starts like {} text but is not", enc.name()),
                )),
            };
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(LoadError::NotSpreadsheet { file: file.into() });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(utf8) => match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok((text.into_owned(), Some("GB18030"))),
            None => Err(not_text(
                file,
                Some(&bytes[..utf8.valid_up_to()]),
                "it is neither UTF-8 nor GBK/GB18030",
            )),
        },
    }
}

/// A text file in an encoding we do not read; `before` is the text up to its first byte that
/// is not UTF-8, when that locates the problem.
fn not_text(file: &str, before: Option<&[u8]>, why: &str) -> LoadError {
    let at = before.map_or(String::new(), |b| {
        format!("line {}: ", b.iter().filter(|&&c| c == b'\n').count() + 1)
    });
    LoadError::Encoding {
        file: file.into(),
        at,
        detail: why.into(),
    }
}
