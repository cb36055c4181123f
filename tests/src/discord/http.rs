//! A minimal HTTP/1.1 server for the stand-in's REST side: one request after another on a
//! keep-alive connection, `Content-Length` or chunked bodies, and `multipart/form-data` split into
//! the `payload_json` part and the uploaded files, as serenity sends attachments.

use std::time::Instant;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One REST request the stand-in received, with the answer it gave.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path without the query, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// The query string without `?` (serenity writes `?&wait=true`-style queries), or empty.
    pub query: String,
    pub headers: Vec<(String, String)>,
    /// The JSON body, or the `payload_json` part of a multipart body; `Null` when there is none.
    pub json: Value,
    /// The uploaded files of a multipart body, in order: (filename, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// When the request had been read completely.
    pub received: Instant,
    /// The status the stand-in answered with.
    pub status: u16,
    /// The JSON the stand-in answered with (`Null` for 204 and for hosted files).
    pub response: Value,
}

impl Request {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path split on `/` after `/api/v10`, e.g. `["channels", "1", "messages"]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path
            .strip_prefix("/api/v10")
            .unwrap_or(&self.path)
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The bytes of the uploaded file with this name.
    pub fn file(&self, filename: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(name, _)| name == filename)
            .map(|(_, bytes)| bytes.as_slice())
    }
}

/// What a route answers.
pub(crate) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub json: Value,
}

impl Response {
    pub fn json(status: u16, json: Value) -> Self {
        Response {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(&json).expect("a JSON value serializes"),
            json,
        }
    }

    pub fn no_content() -> Self {
        Response {
            status: 204,
            content_type: "application/json",
            body: Vec::new(),
            json: Value::Null,
        }
    }

    pub fn bytes(bytes: Vec<u8>) -> Self {
        Response {
            status: 200,
            content_type: "application/octet-stream",
            body: bytes,
            json: Value::Null,
        }
    }
}

/// Serves requests on one connection until the client closes it; `handle` answers each.
pub(crate) async fn serve_connection(
    mut stream: TcpStream,
    mut handle: impl FnMut(Request) -> Response,
) {
    let mut buf = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buf).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => panic!("Discord stand-in: malformed HTTP request: {e}"),
        };
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let response = handle(request);
        let head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            response.status,
            reason(response.status),
            response.content_type,
            response.body.len()
        );
        let mut out = head.into_bytes();
        out.extend_from_slice(&response.body);
        if stream.write_all(&out).await.is_err() || close {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        404 => "Not Found",
        _ => "Status",
    }
}

/// Reads one request; `Ok(None)` when the client closed the connection between requests.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Result<Option<Request>, String> {
    let head_len = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos + 4;
        }
        if !fill(stream, buf).await? {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err("connection closed inside the request head".into())
            };
        }
    };
    let mut header_storage = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut header_storage);
    parsed
        .parse(&buf[..head_len])
        .map_err(|e| format!("request head: {e}"))?;
    let method = parsed.method.ok_or("no method")?.to_string();
    let target = parsed.path.ok_or("no path")?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    buf.drain(..head_len);

    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(stream, buf).await?
    } else {
        let len: usize = match header("content-length") {
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| format!("content-length {v:?}"))?,
            None => 0,
        };
        while buf.len() < len {
            if !fill(stream, buf).await? {
                return Err("connection closed inside the body".into());
            }
        }
        buf.drain(..len).collect()
    };

    let content_type = header("content-type").unwrap_or_default();
    let (json, files) = if let Some(boundary) = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
    {
        parse_multipart(&body, boundary.trim_matches('"'))?
    } else if body.is_empty() {
        (Value::Null, Vec::new())
    } else {
        let json = serde_json::from_slice(&body).map_err(|e| format!("JSON body: {e}"))?;
        (json, Vec::new())
    };

    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        json,
        files,
        received: Instant::now(),
        status: 0,
        response: Value::Null,
    }))
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(pos) = find(buf, b"\r\n") {
                break pos;
            }
            if !fill(stream, buf).await? {
                return Err("connection closed inside a chunk size".into());
            }
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size =
            usize::from_str_radix(size_hex, 16).map_err(|_| format!("chunk size {size_text:?}"))?;
        buf.drain(..line_end + 2);
        while buf.len() < size + 2 {
            if !fill(stream, buf).await? {
                return Err("connection closed inside a chunk".into());
            }
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
        if size == 0 {
            return Ok(body);
        }
    }
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<bool, String> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream
        .read(&mut chunk)
        .await
        .map_err(|e| format!("read: {e}"))?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

type Multipart = (Value, Vec<(String, Vec<u8>)>);

/// Splits a `multipart/form-data` body into the `payload_json` part and the file parts.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Multipart, String> {
    let delimiter = format!("--{boundary}");
    let mut json = Value::Null;
    let mut files = Vec::new();
    let mut rest = body;
    let start = find(rest, delimiter.as_bytes()).ok_or("multipart: no first boundary")?;
    rest = &rest[start + delimiter.len()..];
    let next_delimiter = format!("\r\n--{boundary}");
    loop {
        if rest.starts_with(b"--") {
            return Ok((json, files));
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("multipart: no line break after a boundary")?;
        let end = find(rest, next_delimiter.as_bytes()).ok_or("multipart: unterminated part")?;
        let part = &rest[..end];
        rest = &rest[end + next_delimiter.len()..];

        let head_end = find(part, b"\r\n\r\n").ok_or("multipart: part without headers")?;
        let head = String::from_utf8_lossy(&part[..head_end]);
        let content = &part[head_end + 4..];
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .ok_or("multipart: part without content-disposition")?;
        let param = |key: &str| {
            disposition.split(';').map(str::trim).find_map(|p| {
                p.strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        match (param("name"), param("filename")) {
            (_, Some(filename)) => files.push((filename, content.to_vec())),
            (Some(name), None) if name == "payload_json" => {
                json = serde_json::from_slice(content)
                    .map_err(|e| format!("multipart payload_json: {e}"))?;
            }
            (name, None) => return Err(format!("multipart: unexpected text part {name:?}")),
        }
    }
}
