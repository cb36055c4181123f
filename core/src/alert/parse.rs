//! Reading the three senders' bodies. The JSON is walked by hand rather than through derived
//! structs so that each refusal names the field path (`alerts[1].labels`) and what was
//! expected there, in one line a sender's operator can act on.

use super::{Alert, AlertError, Delivery, Source, Status};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Which sender a body looks like, for the CLI without `--source`: PagerDuty has an `event`
/// object with an `event_type`; Grafana's alert list comes with `version` "1" or `orgId`,
/// `state`, `title`; Alertmanager's with `version` "4" or a `groupKey`.
pub fn detect_source(body: &[u8]) -> Option<Source> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let root = v.as_object()?;
    if root
        .get("event")
        .and_then(Value::as_object)
        .is_some_and(|e| e.contains_key("event_type"))
    {
        return Some(Source::PagerDuty);
    }
    if !root.get("alerts").is_some_and(Value::is_array) {
        return None;
    }
    let version = root.get("version").and_then(Value::as_str);
    if version == Some("1")
        || ["orgId", "state", "title"]
            .iter()
            .any(|k| root.contains_key(*k))
    {
        return Some(Source::Grafana);
    }
    (version == Some("4") || root.contains_key("groupKey")).then_some(Source::Alertmanager)
}

/// Reads one webhook body from `source`.
pub fn parse(source: Source, body: &[u8]) -> Result<Delivery, AlertError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| AlertError::Malformed {
        detail: e.to_string(),
    })?;
    let root = v
        .as_object()
        .ok_or_else(|| shape("body", "a JSON object"))?;
    match source {
        Source::Alertmanager | Source::Grafana => alert_list(source, root),
        Source::PagerDuty => pagerduty(root),
    }
}

fn shape(path: impl Into<String>, expected: &str) -> AlertError {
    AlertError::NotThisShape {
        path: path.into(),
        expected: expected.into(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A field that may be absent or null.
fn present<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn req_str<'a>(m: &'a Map<String, Value>, prefix: &str, key: &str) -> Result<&'a str, AlertError> {
    present(m, key)
        .and_then(Value::as_str)
        .ok_or_else(|| shape(join(prefix, key), "a string"))
}

fn opt_str<'a>(
    m: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<&'a str>, AlertError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(shape(join(prefix, key), "a string")),
    }
}

fn opt_obj<'a>(
    m: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, AlertError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(shape(join(prefix, key), "an object")),
    }
}

fn strings(
    m: &Map<String, Value>,
    prefix: &str,
    key: &str,
    required: bool,
) -> Result<BTreeMap<String, String>, AlertError> {
    let bad = || shape(join(prefix, key), "an object of strings");
    match present(m, key) {
        None if required => Err(bad()),
        None => Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|s| (k.clone(), s.to_string()))
                    .ok_or_else(bad)
            })
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// An RFC 3339 time as sent; Go's zero time (Alertmanager's "no end yet") is `None`.
fn opt_time(m: &Map<String, Value>, prefix: &str, key: &str) -> Result<Option<String>, AlertError> {
    let Some(s) = opt_str(m, prefix, key)? else {
        return Ok(None);
    };
    if s.is_empty() || s.starts_with("0001-01-01T") {
        return Ok(None);
    }
    if super::unix_seconds(s).is_none() {
        return Err(shape(join(prefix, key), "an RFC 3339 time"));
    }
    Ok(Some(s.to_string()))
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn am_status(m: &Map<String, Value>, prefix: &str) -> Result<Status, AlertError> {
    match present(m, "status").and_then(Value::as_str) {
        Some("firing") => Ok(Status::Firing),
        Some("resolved") => Ok(Status::Resolved),
        _ => Err(shape(join(prefix, "status"), "\"firing\" or \"resolved\"")),
    }
}

/// Alertmanager's alert fingerprint: FNV-1a 64 over the labels sorted by name, each as
/// `name 0xFF value 0xFF` (prometheus/common `model/signature.go`), as 16 hex digits.
pub(super) fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut h = OFFSET;
    let mut add = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for (k, v) in labels {
        add(k.as_bytes());
        add(&[0xff]);
        add(v.as_bytes());
        add(&[0xff]);
    }
    format!("{h:016x}")
}

/// Alertmanager's and Grafana's body: the group and its alerts.
fn alert_list(source: Source, root: &Map<String, Value>) -> Result<Delivery, AlertError> {
    let group_key = req_str(root, "", "groupKey")?.to_string();
    let status = am_status(root, "")?;
    let list = present(root, "alerts")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("alerts", "an array of alerts"))?;
    if list.is_empty() {
        return Err(shape("alerts", "at least one alert"));
    }
    let truncated = match present(root, "truncatedAlerts") {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| shape("truncatedAlerts", "a non-negative integer"))?,
    };
    let group_labels = strings(root, "", "groupLabels", false)?;
    strings(root, "", "commonLabels", false)?;
    strings(root, "", "commonAnnotations", false)?;
    let link = non_empty(opt_str(root, "", "externalURL")?);
    let title = non_empty(opt_str(root, "", "title")?);
    let message = opt_str(root, "", "message")?.unwrap_or("").to_string();
    let mut alerts = Vec::with_capacity(list.len());
    for (i, a) in list.iter().enumerate() {
        let at = format!("alerts[{i}]");
        let m = a
            .as_object()
            .ok_or_else(|| shape(at.clone(), "an object"))?;
        alerts.push(one_alert(m, &at, title.as_deref())?);
    }
    let title = title.unwrap_or_else(|| am_title(&group_labels, &alerts));
    Ok(Delivery {
        source,
        group_key,
        event_id: None,
        status,
        title,
        message,
        link,
        alerts,
        truncated,
    })
}

fn one_alert(m: &Map<String, Value>, at: &str, title: Option<&str>) -> Result<Alert, AlertError> {
    let status = am_status(m, at)?;
    let labels = strings(m, at, "labels", true)?;
    let annotations = strings(m, at, "annotations", false)?;
    let starts_at = opt_time(m, at, "startsAt")?;
    let ends_at = opt_time(m, at, "endsAt")?;
    let link = non_empty(opt_str(m, at, "generatorURL")?);
    let fingerprint =
        non_empty(opt_str(m, at, "fingerprint")?).unwrap_or_else(|| fingerprint(&labels));
    let name = labels
        .get("alertname")
        .cloned()
        .or_else(|| title.map(String::from))
        .unwrap_or_else(|| fingerprint.clone());
    let severity = labels
        .get("severity")
        .or_else(|| labels.get("priority"))
        .cloned();
    Ok(Alert {
        name,
        status,
        severity,
        labels,
        annotations,
        starts_at,
        ends_at,
        fingerprint,
        link,
    })
}

/// `HighCPU` or `HighCPU {cluster=c1}`: the alert name and the other labels it is grouped by.
fn am_title(group_labels: &BTreeMap<String, String>, alerts: &[Alert]) -> String {
    let name = group_labels
        .get("alertname")
        .cloned()
        .or_else(|| alerts.first().map(|a| a.name.clone()))
        .unwrap_or_default();
    let rest: Vec<String> = group_labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if rest.is_empty() {
        name
    } else {
        format!("{name} {{{}}}", rest.join(", "))
    }
}

/// PagerDuty v3: one event per body. Incident status events become a delivery with one alert
/// standing for the incident; every other event is [`AlertError::Ignored`].
fn pagerduty(root: &Map<String, Value>) -> Result<Delivery, AlertError> {
    let event = present(root, "event")
        .and_then(Value::as_object)
        .ok_or_else(|| shape("event", "an object"))?;
    let event_id = req_str(event, "event", "id")?.to_string();
    let event_type = req_str(event, "event", "event_type")?;
    let occurred_at = opt_time(event, "event", "occurred_at")?;
    let data = present(event, "data")
        .and_then(Value::as_object)
        .ok_or_else(|| shape("event.data", "an object"))?;
    let is_incident = event_type.starts_with("incident.")
        && present(data, "type").and_then(Value::as_str) == Some("incident");
    if !is_incident {
        return Err(AlertError::Ignored {
            event_type: event_type.to_string(),
        });
    }
    let p = "event.data";
    let id = req_str(data, p, "id")?.to_string();
    let status = match event_type {
        "incident.triggered" | "incident.reopened" | "incident.unacknowledged" => Status::Firing,
        "incident.acknowledged" => Status::Acknowledged,
        "incident.resolved" => Status::Resolved,
        _ => match present(data, "status").and_then(Value::as_str) {
            Some("triggered") => Status::Firing,
            Some("acknowledged") => Status::Acknowledged,
            Some("resolved") => Status::Resolved,
            _ => {
                return Err(shape(
                    join(p, "status"),
                    "\"triggered\", \"acknowledged\" or \"resolved\"",
                ))
            }
        },
    };
    let title = opt_str(data, p, "title")?.unwrap_or("").to_string();
    let link = non_empty(opt_str(data, p, "html_url")?);
    let service = match opt_obj(data, p, "service")? {
        Some(s) => non_empty(opt_str(s, &join(p, "service"), "summary")?),
        None => None,
    };
    let priority = match opt_obj(data, p, "priority")? {
        Some(s) => non_empty(opt_str(s, &join(p, "priority"), "summary")?),
        None => None,
    };
    let urgency = non_empty(opt_str(data, p, "urgency")?);
    let created_at = opt_time(data, p, "created_at")?;
    let mut labels = BTreeMap::new();
    labels.insert("alertname".to_string(), title.clone());
    if let Some(s) = &service {
        labels.insert("service".to_string(), s.clone());
    }
    if let Some(k) = non_empty(opt_str(data, p, "incident_key")?) {
        labels.insert("incident_key".to_string(), k);
    }
    let mut annotations = BTreeMap::new();
    annotations.insert("title".to_string(), title.clone());
    let alert = Alert {
        name: if title.is_empty() {
            id.clone()
        } else {
            title.clone()
        },
        status,
        severity: priority.or(urgency),
        labels,
        annotations,
        starts_at: created_at.or_else(|| occurred_at.clone().filter(|_| status.is_open())),
        ends_at: occurred_at.filter(|_| !status.is_open()),
        fingerprint: id.clone(),
        link: link.clone(),
    };
    Ok(Delivery {
        source: Source::PagerDuty,
        group_key: id,
        event_id: Some(event_id),
        status,
        title,
        message: String::new(),
        link,
        alerts: vec![alert],
        truncated: 0,
    })
}
