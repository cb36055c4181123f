//! Webhook authentication, each check in constant time: a bearer token (Alertmanager's
//! `http_config`, Grafana's authorization setting), Grafana's HMAC-SHA256 signature header (of
//! the body, or of `<timestamp>:<body>`), and PagerDuty's `X-PagerDuty-Signature: v1=<hex>,…`
//! (any listed signature may match, for secret rotation).

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = hmac::Hmac<Sha256>;

/// How a request's credentials compare with ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// No credentials, or not in the expected form: 401.
    Missing,
    /// Credentials that do not match (or a signature too old): 403.
    Wrong,
}

/// `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison takes the
/// same time whatever the length of the guess.
pub fn bearer(authorization: Option<&str>, token: &[u8]) -> Verdict {
    let Some(value) = authorization else {
        return Verdict::Missing;
    };
    let Some((scheme, given)) = value.trim().split_once(' ') else {
        return Verdict::Missing;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Verdict::Missing;
    }
    let same = Sha256::digest(given.trim().as_bytes()).ct_eq(&Sha256::digest(token));
    if bool::from(same) {
        Verdict::Valid
    } else {
        Verdict::Wrong
    }
}

/// Whether `hex_signature` is the HMAC-SHA256 of the concatenated `parts` under `secret`.
fn signed(secret: &[u8], parts: &[&[u8]], hex_signature: &str) -> bool {
    let mut expected = [0u8; 32];
    if hex::decode_to_slice(hex_signature.trim(), &mut expected).is_err() {
        return false;
    }
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        return false;
    };
    for p in parts {
        mac.update(p);
    }
    mac.verify_slice(&expected).is_ok()
}

/// How old a Grafana signature's timestamp may be (either way, for clock skew).
pub const GRAFANA_MAX_SKEW_SECS: i64 = 300;

/// Grafana's signature: hex HMAC-SHA256 of the body, or of `<timestamp>:<body>` when the
/// contact point sends a timestamp header (`timestamp` is then its value, required, and at most
/// [`GRAFANA_MAX_SKEW_SECS`] from `now`).
pub fn grafana(
    signature: Option<&str>,
    timestamp: Option<Option<&str>>,
    secret: &[u8],
    body: &[u8],
    now: i64,
) -> Verdict {
    let Some(signature) = signature else {
        return Verdict::Missing;
    };
    let ok = match timestamp {
        None => signed(secret, &[body], signature),
        Some(None) => return Verdict::Missing,
        Some(Some(ts)) => {
            let Ok(at) = ts.trim().parse::<i64>() else {
                return Verdict::Missing;
            };
            if (now - at).abs() > GRAFANA_MAX_SKEW_SECS {
                return Verdict::Wrong;
            }
            signed(secret, &[ts.trim().as_bytes(), b":", body], signature)
        }
    };
    if ok {
        Verdict::Valid
    } else {
        Verdict::Wrong
    }
}

/// PagerDuty's `X-PagerDuty-Signature`: comma-separated `v1=<hex>` entries (other versions are
/// ignored); valid if any matches the body.
pub fn pagerduty(header: Option<&str>, secret: &[u8], body: &[u8]) -> Verdict {
    let Some(header) = header else {
        return Verdict::Missing;
    };
    let candidates: Vec<&str> = header
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("v1="))
        .collect();
    if candidates.is_empty() {
        return Verdict::Missing;
    }
    // Every candidate is checked, so the time does not say which one matched.
    let matched = candidates
        .iter()
        .fold(false, |any, sig| signed(secret, &[body], sig) | any);
    if matched {
        Verdict::Valid
    } else {
        Verdict::Wrong
    }
}

/// The hex HMAC-SHA256 of `message` under `secret`, as senders write it (for tests and tools).
pub fn sign_hex(secret: &[u8], message: &[u8]) -> String {
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(message);
    hex_lower(&mac.finalize().into_bytes())
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_token_must_match_exactly() {
        assert_eq!(bearer(Some("Bearer s3cret"), b"s3cret"), Verdict::Valid);
        assert_eq!(bearer(Some("bearer s3cret"), b"s3cret"), Verdict::Valid);
        assert_eq!(bearer(Some("Bearer s3cre"), b"s3cret"), Verdict::Wrong);
        assert_eq!(bearer(Some("Bearer s3cretX"), b"s3cret"), Verdict::Wrong);
        assert_eq!(bearer(Some("Basic czNjcmV0"), b"s3cret"), Verdict::Missing);
        assert_eq!(bearer(Some("s3cret"), b"s3cret"), Verdict::Missing);
        assert_eq!(bearer(None, b"s3cret"), Verdict::Missing);
    }

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(sign_hex(b"Jefe", b"what do ya want for nothing?"), want);
    }

    #[test]
    fn pagerduty_takes_any_listed_v1_signature_of_this_body() {
        let body = br#"{"event":{"id":"01"}}"#;
        let good = sign_hex(b"new", body);
        let old = sign_hex(b"old", body);
        let header = format!("v1={old}, v1={good}");
        assert_eq!(pagerduty(Some(&header), b"new", body), Verdict::Valid);
        assert_eq!(pagerduty(Some(&header), b"old", body), Verdict::Valid);
        assert_eq!(pagerduty(Some(&header), b"other", body), Verdict::Wrong);
        let other_body = format!("v1={}", sign_hex(b"new", b"{}"));
        assert_eq!(pagerduty(Some(&other_body), b"new", body), Verdict::Wrong);
        assert_eq!(pagerduty(Some("v2=abcd"), b"new", body), Verdict::Missing);
        assert_eq!(pagerduty(Some("v1=zz"), b"new", body), Verdict::Wrong);
        assert_eq!(pagerduty(None, b"new", body), Verdict::Missing);
    }

    #[test]
    fn grafana_signs_the_body_or_the_timestamp_and_the_body() {
        let body = b"{\"version\":\"1\"}";
        let plain = sign_hex(b"k", body);
        assert_eq!(grafana(Some(&plain), None, b"k", body, 0), Verdict::Valid);
        assert_eq!(
            grafana(Some(&plain.to_uppercase()), None, b"k", body, 0),
            Verdict::Valid
        );
        assert_eq!(grafana(Some(&plain), None, b"x", body, 0), Verdict::Wrong);
        let stamped = sign_hex(b"k", b"1000:{\"version\":\"1\"}");
        let ts = Some(Some("1000"));
        assert_eq!(
            grafana(Some(&stamped), ts, b"k", body, 1010),
            Verdict::Valid
        );
        assert_eq!(grafana(Some(&plain), ts, b"k", body, 1010), Verdict::Wrong);
        assert_eq!(
            grafana(Some(&stamped), ts, b"k", body, 1000 + 301),
            Verdict::Wrong
        );
        assert_eq!(
            grafana(Some(&stamped), Some(None), b"k", body, 1000),
            Verdict::Missing
        );
        assert_eq!(grafana(None, None, b"k", body, 0), Verdict::Missing);
    }
}
