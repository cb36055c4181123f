//! Time and content stamps shared by the store, the watcher and both front ends: unix seconds,
//! RFC 3339 text, SHA-256 hex.

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Unix seconds as RFC 3339 UTC (`2026-11-25T22:34:14Z`).
pub fn rfc3339(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.to_string(),
        // Outside jiff's range (years -9999..=9999): no stored time is; say so rather than lie.
        Err(_) => format!("@{secs}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_at_is_formatted_as_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_646_054), "2026-11-25T22:34:14Z");
    }
}
