//! What runs in EC2, as the replies word it: a component's running state and zones, and a
//! change between two snapshots, in English and Chinese, on an inventory that is not the seed.

use aiops_commands::{ec2_change_line, running_text, Context, Lang};
use aiops_core::reconcile::{self, compare, parse, TagKeys};
use aiops_core::{load_bytes, LoadOptions, Topology};

const SHEET: &str = "| Name | Role | Upstream | Downstream |\n|---|---|---|---|\n\
    | qx7-web | web | ALB edge | qx7-pay |\n\
    | qx7-web | web | ALB edge | qx7-pay |\n\
    | qx7-web | web | ALB edge | qx7-pay |\n\
    | qx7-pay | payment | qx7-web | Aurora paydb |\n";

fn fleet(web: usize, zones: &[&str]) -> Vec<reconcile::Instance> {
    let mut list: Vec<String> = (0..web)
        .map(|k| {
            format!(
                r#"{{"InstanceId":"i-w{k}","InstanceType":"m5.large","State":{{"Name":"running"}},"Tags":[{{"Key":"Name","Value":"qx7-web"}}],"Placement":{{"AvailabilityZone":"{}"}}}}"#,
                zones[k % zones.len()]
            )
        })
        .collect();
    list.push(r#"{"InstanceId":"i-p","State":{"Name":"stopped"},"Tags":[{"Key":"Name","Value":"qx7-pay"}]}"#.into());
    let page = format!(
        r#"{{"Reservations":[{{"Instances":[{}]}}]}}"#,
        list.join(",")
    );
    parse("fleet.json", page.as_bytes()).expect("the documented shape")
}

fn sheet() -> Topology {
    load_bytes("other.md", SHEET.as_bytes(), &LoadOptions::default()).expect("loads")
}

#[test]
fn running_text_says_how_many_run_and_where_in_both_languages() {
    let t = sheet();
    let r = reconcile::reconcile(&t, &fleet(3, &["eu-west-1b"]), &TagKeys::default());
    let mut cx = Context::new(&t, "other.md");
    assert_eq!(
        running_text(cx, "qx7-web"),
        None,
        "no EC2 data, nothing said"
    );
    cx.ec2 = Some(&r);
    assert_eq!(
        running_text(cx, "qx7-web").as_deref(),
        Some("running 3 of 3, all in eu-west-1b")
    );
    assert_eq!(
        running_text(cx, "qx7-pay").as_deref(),
        Some("running 0 of 1; 1 stopped")
    );
    cx.lang = Lang::Zh;
    assert_eq!(
        running_text(cx, "qx7-web").as_deref(),
        Some("运行 3 / 3，全部在 eu-west-1b")
    );
    let spread = reconcile::reconcile(
        &t,
        &fleet(2, &["eu-west-1a", "eu-west-1b"]),
        &TagKeys::default(),
    );
    cx.ec2 = Some(&spread);
    cx.lang = Lang::En;
    assert_eq!(
        running_text(cx, "qx7-web").as_deref(),
        Some("running 2 of 3, in eu-west-1a ×1, eu-west-1b ×1")
    );
}

#[test]
fn a_pool_that_grew_is_worded_from_two_to_five() {
    let t = sheet();
    let keys = TagKeys::default();
    let zones = ["eu-west-1a", "eu-west-1b"];
    let before = reconcile::reconcile(&t, &fleet(2, &zones), &keys);
    let after = reconcile::reconcile(&t, &fleet(5, &zones), &keys);
    let lines: Vec<String> = compare(&t, &before, &after)
        .iter()
        .map(|c| ec2_change_line(Lang::En, c))
        .collect();
    assert_eq!(lines, ["pool qx7-web grew from 2 to 5 nodes"]);
    let zh: Vec<String> = compare(&t, &after, &before)
        .iter()
        .map(|c| ec2_change_line(Lang::Zh, c))
        .collect();
    assert_eq!(zh, ["节点池 qx7-web 从 5 个节点减少到 2 个"]);
}
