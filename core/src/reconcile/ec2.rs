//! What runs: the JSON `aws ec2 describe-instances` prints, one or more pages.
//!
//! The documented shape is `{"Reservations":[{"Instances":[{"InstanceId", "InstanceType",
//! "State":{"Code","Name"}, "Tags":[{"Key","Value"}], "Placement":{"AvailabilityZone"},
//! "PrivateIpAddress", "LaunchTime", …}]}], "NextToken"?}`. Unknown fields are ignored; a file
//! of another shape is refused naming the file and what was expected.

use serde::Deserialize;
use std::collections::BTreeMap;

/// An instance's state, by `State.Name` (or the low byte of `State.Code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
    Unknown,
}

impl State {
    /// Pending and running instances count as running.
    pub fn is_running(self) -> bool {
        matches!(self, State::Pending | State::Running)
    }

    /// Terminated and shutting-down instances are gone: ignored.
    pub fn is_gone(self) -> bool {
        matches!(self, State::ShuttingDown | State::Terminated)
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Running => "running",
            State::ShuttingDown => "shutting-down",
            State::Terminated => "terminated",
            State::Stopping => "stopping",
            State::Stopped => "stopped",
            State::Unknown => "unknown",
        }
    }

    fn from_parts(name: Option<&str>, code: Option<u32>) -> State {
        match name.map(str::trim) {
            Some("pending") => State::Pending,
            Some("running") => State::Running,
            Some("shutting-down") => State::ShuttingDown,
            Some("terminated") => State::Terminated,
            Some("stopping") => State::Stopping,
            Some("stopped") => State::Stopped,
            // The high byte of the code is for AWS's internal use.
            _ => match code.map(|c| c & 0xff) {
                Some(0) => State::Pending,
                Some(16) => State::Running,
                Some(32) => State::ShuttingDown,
                Some(48) => State::Terminated,
                Some(64) => State::Stopping,
                Some(80) => State::Stopped,
                _ => State::Unknown,
            },
        }
    }
}

/// One EC2 instance as the reconciliation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub instance_type: String,
    pub state: State,
    pub tags: BTreeMap<String, String>,
    pub az: String,
    pub private_ip: String,
    pub launch_time: String,
}

/// Why a file is not describe-instances output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: not the output of `aws ec2 describe-instances` ({detail}); expected {{\"Reservations\":[{{\"Instances\":[{{\"InstanceId\", \"State\", \"Tags\", …}}]}}]}}")]
pub struct Ec2Error {
    pub file: String,
    pub detail: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    reservations: Vec<Reservation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reservation {
    #[serde(default)]
    instances: Vec<RawInstance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInstance {
    instance_id: String,
    #[serde(default)]
    instance_type: Option<String>,
    #[serde(default)]
    state: Option<RawState>,
    #[serde(default)]
    tags: Vec<RawTag>,
    #[serde(default)]
    placement: Option<RawPlacement>,
    #[serde(default)]
    private_ip_address: Option<String>,
    #[serde(default)]
    launch_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawState {
    #[serde(default)]
    code: Option<u32>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTag {
    key: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawPlacement {
    #[serde(default)]
    availability_zone: Option<String>,
}

/// Longest describe-instances file accepted (a page of 1,000 instances is about 5 MB).
pub const MAX_EC2_BYTES: usize = 256 * 1024 * 1024;

/// Reads one page of describe-instances output. `file` names it in messages.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<Instance>, Ec2Error> {
    let err = |detail: String| Ec2Error {
        file: file.to_string(),
        detail,
    };
    if bytes.len() > MAX_EC2_BYTES {
        return Err(err(format!(
            "{} bytes is over the {MAX_EC2_BYTES}-byte limit",
            bytes.len()
        )));
    }
    let page: Page = serde_json::from_slice(bytes).map_err(|e| {
        let what = if e.is_data() {
            e.to_string()
        } else {
            format!("not JSON: {e}")
        };
        err(what)
    })?;
    Ok(page
        .reservations
        .into_iter()
        .flat_map(|r| r.instances)
        .map(|i| Instance {
            id: i.instance_id,
            instance_type: i.instance_type.unwrap_or_default(),
            state: i
                .state
                .map(|s| State::from_parts(s.name.as_deref(), s.code))
                .unwrap_or(State::Unknown),
            // A key written twice keeps its first value, as the console shows it.
            tags: i.tags.into_iter().rev().map(|t| (t.key, t.value)).collect(),
            az: i
                .placement
                .and_then(|p| p.availability_zone)
                .unwrap_or_default(),
            private_ip: i.private_ip_address.unwrap_or_default(),
            launch_time: i.launch_time.unwrap_or_default(),
        })
        .collect())
}

/// What a snapshot keeps of `instances`, in the documented shape so that [`parse`] reads it
/// back: id, type, state, zone, and only the tags `keys` names, sorted by id. Two snapshots of
/// the same running fleet are the same bytes, whatever order or extra fields AWS printed.
pub fn write_snapshot(instances: &[Instance], keys: &super::TagKeys) -> Vec<u8> {
    let mut sorted: Vec<&Instance> = instances.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let kept = |k: &String| *k == keys.name || keys.group.contains(k);
    let list: Vec<serde_json::Value> = sorted
        .iter()
        .map(|i| {
            let tags: Vec<serde_json::Value> = i
                .tags
                .iter()
                .filter(|(k, _)| kept(k))
                .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
                .collect();
            serde_json::json!({
                "InstanceId": i.id,
                "InstanceType": i.instance_type,
                "State": {"Name": i.state.name()},
                "Tags": tags,
                "Placement": {"AvailabilityZone": i.az},
            })
        })
        .collect();
    let page = serde_json::json!({"Reservations": [{"Instances": list}]});
    serde_json::to_vec(&page).unwrap_or_default()
}
