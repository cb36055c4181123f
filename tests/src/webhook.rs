//! Sending alert webhooks the way Alertmanager, Grafana and PagerDuty send them: their bodies
//! (shapes from the senders' source and docs, `docs/alert-senders.md`), over real HTTP to the
//! bot's port.

use serde_json::{json, Map, Value};

/// What the bot answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

/// POSTs `body` to `url` with `headers` (and `Content-Type: application/json`).
pub async fn post(url: &str, headers: &[(&str, String)], body: impl Into<Vec<u8>>) -> Answer {
    send("POST", url, headers, body.into()).await
}

/// Sends `body` to `url` with `method`.
pub async fn send(method: &str, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let mut req = reqwest::Client::new()
        .request(method, url)
        .header("content-type", "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let resp = req.send().await.expect("the bot answers HTTP");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    Answer { status, text }
}

/// Alertmanager's fingerprint of a label set: FNV-1a 64 over the labels sorted by name, each
/// as `name 0xFF value 0xFF` (`prometheus/common` `model/signature.go`), as 16 hex digits.
pub fn fingerprint(labels: &[(&str, &str)]) -> String {
    let mut sorted = labels.to_vec();
    sorted.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in sorted {
        for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

/// One alert as Alertmanager's webhook carries it: a firing one ends at the zero time.
pub fn am_alert(status: &str, labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> Value {
    let ends = if status == "firing" {
        "0001-01-01T00:00:00Z"
    } else {
        "2026-12-02T04:41:19.276813537Z"
    };
    json!({
        "status": status,
        "labels": map(labels),
        "annotations": map(annotations),
        "startsAt": "2026-12-02T04:26:49Z",
        "endsAt": ends,
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up",
        "fingerprint": fingerprint(labels),
    })
}

/// An Alertmanager webhook message (`version: "4"`) for `alerts`, grouped by `group_by`.
pub fn am_message(alerts: Vec<Value>, group_by: &[&str]) -> Value {
    let firing = alerts.iter().any(|a| a["status"] == "firing");
    let first = alerts.first().cloned().unwrap_or(Value::Null);
    let label = |a: &Value, k: &str| a["labels"][k].as_str().unwrap_or("").to_string();
    let group: Vec<(String, String)> = group_by
        .iter()
        .map(|k| (k.to_string(), label(&first, k)))
        .collect();
    let key = group
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let common = |field: &str| -> Value {
        let Some(first) = first[field].as_object() else {
            return json!({});
        };
        Value::Object(
            first
                .iter()
                .filter(|(k, v)| alerts.iter().all(|a| a[field].get(k.as_str()) == Some(v)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    json!({
        "receiver": "bot",
        "status": if firing { "firing" } else { "resolved" },
        "alerts": alerts,
        "groupLabels": Value::Object(group.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
        "commonLabels": common("labels"),
        "commonAnnotations": common("annotations"),
        "externalURL": "http://alertmanager.example:9093",
        "version": "4",
        "groupKey": format!("{{}}:{{{key}}}"),
        "truncatedAlerts": 0
    })
}

/// The body bytes as Alertmanager writes them: compact JSON and a newline.
pub fn am_body(message: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec(message).expect("JSON");
    b.push(b'\n');
    b
}

/// A Grafana webhook contact point's message (`version: "1"`): the Alertmanager shape plus
/// `title`, `state`, `message` and `orgId`, and per-alert Grafana fields.
pub fn grafana_message(alerts: Vec<Value>, group_by: &[&str]) -> Value {
    let mut m = am_message(alerts, group_by);
    let firing = m["status"] == "firing";
    let n = m["alerts"].as_array().map_or(0, Vec::len);
    let name = m["groupLabels"]["alertname"]
        .as_str()
        .unwrap_or("")
        .to_string();
    m["version"] = json!("1");
    m["orgId"] = json!(1);
    m["externalURL"] = json!("https://grafana.example.com/");
    m["state"] = json!(if firing { "alerting" } else { "ok" });
    m["title"] = json!(if firing {
        format!("[FIRING:{n}] {name}")
    } else {
        format!("[RESOLVED] {name}")
    });
    m["message"] = json!(format!(
        "**{}**\n\nLabels:\n - alertname = {name}\n",
        if firing { "Firing" } else { "Resolved" }
    ));
    for a in m["alerts"].as_array_mut().into_iter().flatten() {
        a["silenceURL"] = json!("https://grafana.example.com/alerting/silence/new");
        a["dashboardURL"] = json!("");
        a["panelURL"] = json!("");
        a["values"] = Value::Null;
        a["valueString"] = json!("");
    }
    m
}

/// A PagerDuty v3 webhook for an incident event (`incident.triggered`, `.acknowledged`,
/// `.resolved`), in the shape of PagerDuty's own fixtures.
pub fn pagerduty_event(event_type: &str, event_id: &str, incident: &str, title: &str) -> Value {
    let status = event_type.strip_prefix("incident.").unwrap_or("triggered");
    json!({"event": {
        "id": event_id,
        "event_type": event_type,
        "resource_type": "incident",
        "occurred_at": "2026-12-02T04:30:29.781Z",
        "agent": {"html_url": "https://acme.pagerduty.com/users/PJ0LVEB", "id": "PJ0LVEB",
                  "self": "https://api.pagerduty.com/users/PJ0LVEB", "summary": "On Call",
                  "type": "user_reference"},
        "client": null,
        "data": {
            "id": incident, "type": "incident",
            "self": format!("https://api.pagerduty.com/incidents/{incident}"),
            "html_url": format!("https://acme.pagerduty.com/incidents/{incident}"),
            "number": 9, "status": status, "title": title,
            "service": {"html_url": "https://acme.pagerduty.com/services/PA2P440", "id": "PA2P440",
                        "self": "https://api.pagerduty.com/services/PA2P440",
                        "summary": "trading", "type": "service_reference"},
            "assignees": [], "escalation_policy": {"html_url": "https://acme.pagerduty.com/escalation_policies/PY82TC6",
                "id": "PY82TC6", "self": "https://api.pagerduty.com/escalation_policies/PY82TC6",
                "summary": "Default", "type": "escalation_policy_reference"},
            "teams": [], "priority": null, "urgency": "high", "conference_bridge": null,
            "resolve_reason": null
        }
    }})
}

/// PagerDuty's test event.
pub fn pagerduty_ping() -> Value {
    json!({"event": {"id": "01FKZOXA868SHYEE4DVNWB5P9W", "event_type": "pagey.ping",
        "resource_type": "pagey", "occurred_at": "2025-04-07T03:00:55.532Z",
        "agent": {"id": "PVE0ZR9", "type": "user_reference"}, "client": null,
        "data": {"message": "Hello from your friend Pagey!", "type": "ping"}}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_alertmanagers() {
        // Seen in a live Alertmanager 0.25 run (docs/alert-senders.md).
        assert_eq!(
            fingerprint(&[("alertname", "Legacy"), ("team", "legacy")]),
            "b19cd6fa0b9a5807"
        );
    }
}
