//! Discord's documented limits on one message, enforced the way Discord answers them: a body
//! over a length limit gets 400 "Invalid Form Body" (code 50035) naming the field, and uploads
//! over the size the interaction announced get 413 "Request entity too large" (code 40005).
//! Every message a test's bot sends passes through here, so a reply Discord would refuse fails
//! the test instead of passing against a lenient stand-in.

use serde_json::{json, Value};

use super::http::{Request, Response};

pub(crate) const MAX_CONTENT: usize = 2000;
pub(crate) const MAX_EMBEDS: usize = 10;
pub(crate) const MAX_EMBED_TOTAL: usize = 6000;
pub(crate) const MAX_TITLE: usize = 256;
pub(crate) const MAX_DESCRIPTION: usize = 4096;
pub(crate) const MAX_FIELDS: usize = 25;
pub(crate) const MAX_FIELD_NAME: usize = 256;
pub(crate) const MAX_FIELD_VALUE: usize = 1024;
pub(crate) const MAX_FOOTER: usize = 2048;
pub(crate) const MAX_AUTHOR: usize = 256;
pub(crate) const MAX_FILES: usize = 10;

/// The message a request creates or edits, if it does: channel messages, webhook (interaction
/// response and followup) messages, and interaction callbacks that carry a message.
pub(crate) fn message_body<'r>(req: &'r Request, segments: &[&str]) -> Option<&'r Value> {
    match (req.method.as_str(), segments) {
        ("POST", ["interactions", _, _, "callback"]) => {
            matches!(req.json["type"].as_u64(), Some(4 | 5 | 7)).then_some(&req.json["data"])
        }
        ("POST" | "PATCH", ["webhooks", ..]) => Some(&req.json),
        ("POST", ["channels", _, "messages"]) | ("PATCH", ["channels", _, "messages", _]) => {
            Some(&req.json)
        }
        ("POST", ["channels", _, "threads"]) => req.json.get("message"),
        _ => None,
    }
}

/// `Err` with Discord's answer when the message breaks a limit.
pub(crate) fn check(
    body: &Value,
    files: &[(String, Vec<u8>)],
    upload_limit: u64,
) -> Result<(), Response> {
    let uploaded: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    if uploaded > upload_limit {
        return Err(Response::json(
            413,
            json!({ "message": "Request entity too large", "code": 40005 }),
        ));
    }
    if files.len() > MAX_FILES {
        return Err(too_long("files", MAX_FILES));
    }
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    if len(&body["content"]) > MAX_CONTENT {
        return Err(too_long("content", MAX_CONTENT));
    }
    let embeds = body["embeds"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if embeds.len() > MAX_EMBEDS {
        return Err(too_long("embeds", MAX_EMBEDS));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let fields = e["fields"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if fields.len() > MAX_FIELDS {
            return Err(too_long(&format!("embeds.{i}.fields"), MAX_FIELDS));
        }
        let texts = [
            ("title", len(&e["title"]), MAX_TITLE),
            ("description", len(&e["description"]), MAX_DESCRIPTION),
            ("footer.text", len(&e["footer"]["text"]), MAX_FOOTER),
            ("author.name", len(&e["author"]["name"]), MAX_AUTHOR),
        ];
        for (name, n, max) in texts {
            if n > max {
                return Err(too_long(&format!("embeds.{i}.{name}"), max));
            }
            total += n;
        }
        for (j, f) in fields.iter().enumerate() {
            let (name, value) = (len(&f["name"]), len(&f["value"]));
            if name > MAX_FIELD_NAME {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.name"),
                    MAX_FIELD_NAME,
                ));
            }
            if value > MAX_FIELD_VALUE {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.value"),
                    MAX_FIELD_VALUE,
                ));
            }
            total += name + value;
        }
    }
    if total > MAX_EMBED_TOTAL {
        return Err(invalid(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            &format!("Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"),
        ));
    }
    Ok(())
}

fn too_long(field: &str, max: usize) -> Response {
    invalid(
        field,
        "BASE_TYPE_MAX_LENGTH",
        &format!("Must be {max} or fewer in length."),
    )
}

/// Discord's 400 body: the failing field as a path of nested objects ending in `_errors`.
fn invalid(field: &str, code: &str, message: &str) -> Response {
    let mut errors = json!({ "_errors": [{ "code": code, "message": message }] });
    for part in field.rsplit('.') {
        errors = json!({ part: errors });
    }
    Response::json(
        400,
        json!({ "message": "Invalid Form Body", "code": 50035, "errors": errors }),
    )
}
