//! `aiops reconcile` and `--ec2` through the real binary, on describe-instances pages written
//! from the documented shape.

use aiops_tests::{describe_instances, temp_dir, Test};
use serde_json::json;
use std::path::{Path, PathBuf};

const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";

fn page(dir: &Path, file: &str, names: &[(&str, &str, &str)]) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, describe_instances(file, names)).unwrap();
    path
}

#[test]
fn reconcile_reports_drift_in_the_documented_json_shape() {
    let dir = temp_dir();
    let a = page(
        dir.path(),
        "p1.json",
        &[
            (APISIX, "c5.large", "ap-northeast-1a"),
            (APISIX, "c5.large", "ap-northeast-1a"),
            (APISIX, "c5.large", "ap-northeast-1a"),
        ],
    );
    let b = page(
        dir.path(),
        "p2.json",
        &[
            ("aie1p-kafka-server-01", "m5.large", "ap-northeast-1c"),
            ("aie1p-new-01", "t3.micro", "ap-northeast-1c"),
        ],
    );
    let j = Test::new().arg("reconcile").arg(&a).arg(&b).json();
    for k in [
        "missing",
        "unlisted",
        "pool_size",
        "single_az",
        "type_mismatch",
        "matched",
    ] {
        assert!(j.get(k).is_some(), "{k}: {j}");
    }
    assert_eq!(j["matched"], 2);
    assert_eq!(
        j["pool_size"][0],
        json!({"id": APISIX, "sheet": 2, "running": 3})
    );
    assert_eq!(j["single_az"][0]["az"], "ap-northeast-1a");
    assert_eq!(j["unlisted"][0]["group"], "aie1p-new-*");
    let text = Test::new().arg("reconcile").arg(&a).arg(&b).run();
    text.stdout_has("Listed in the sheet, not running")
        .stdout_has("All replicas in one availability zone");
    // The diagram is worded in the reader's language too.
    Test::new()
        .args(["--lang", "zh", "--format", "mermaid", "reconcile"])
        .arg(&a)
        .arg(&b)
        .run()
        .stdout_has("未运行（未找到）")
        .stdout_has("个在运行，清单中没有");
    // What runs reaches the other commands.
    Test::new()
        .arg("--ec2")
        .arg(&a)
        .args(["whois", "apisix"])
        .run()
        .stdout_has("running 3 of 2, all in ap-northeast-1a");
    let one = Test::new()
        .arg("--ec2")
        .arg(&a)
        .args(["impact", "apisix", "--one-node", "--format", "json"])
        .run()
        .json();
    assert_eq!(
        one["customers_hit"], true,
        "a one-zone pool fails whole: {one}"
    );
    let without = Test::new()
        .args(["impact", "apisix", "--one-node", "--format", "json"])
        .run()
        .json();
    assert_eq!(without["customers_hit"], false);
}

#[test]
fn a_file_that_is_not_describe_instances_output_exits_2_naming_it() {
    let dir = temp_dir();
    let bad = dir.path().join("instances.json");
    std::fs::write(&bad, "{\"Instances\": []}").unwrap();
    Test::new()
        .arg("reconcile")
        .arg(&bad)
        .code(2)
        .run()
        .stderr_has("instances.json: not the output of `aws ec2 describe-instances`");
}
