//! Diff of two synthetic inventories in the seed's shape (10k and 100k rows), the second with
//! about 1% of its groups edited: a pool grown, a server retired, a role reworded, a flag
//! dropped, a pool added. Loading is outside the measurement.

use aiops_core::{diff, load_bytes, LoadOptions, Topology};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::fmt::Write;
use std::hint::black_box;

/// Rows per group, before edits: every group is one naming domain `aie1p-domNNNNN-…`.
const GROUP_ROWS: usize = 10;

/// A CSV inventory of about `rows` rows. With `edited`, every 100th group is changed.
fn inventory(rows: usize, edited: bool) -> String {
    let mut out = String::from("实例名称,服务角色,主要上游,主要下游\n");
    for g in 0..rows / GROUP_ROWS {
        let p = format!("aie1p-dom{g:05}");
        let access = format!("{p}-ces-access-c5large-2c4g-v132-a-Node");
        let core = format!("{p}-ces-c52xlarge-8c16g-v132-a-Node");
        let apisix = format!("{p}-apisix-c5large-2c4g-v132-a-Node");
        let kafka = format!("{p}-kafka-server-01");
        let etcd = format!("{p}-etcd-01");
        let maker = format!("{p}-maker-02");
        let edit = edited && g % 100 == 0;
        let mut row = |name: &str, role: &str, up: &str, down: &str| {
            let _ = writeln!(out, "{name},{role},{up},{down}");
        };
        let access_down = format!("{core}；{kafka}（可选）；spotdb/spot-redis");
        for _ in 0..if edit { 3 } else { 2 } {
            row(
                &access,
                "CES 接入层节点池（EKS）",
                &format!("ALB apisix-public；{apisix}"),
                &access_down,
            );
        }
        for _ in 0..2 {
            row(
                &core,
                "CES 撮合/核心节点池（EKS）",
                &access,
                &format!("{kafka}；Aurora spotdb"),
            );
        }
        let apisix_down = format!("{access}；{etcd}");
        for _ in 0..2 {
            row(
                &apisix,
                "APISIX 网关节点池（EKS）",
                "ALB apisix-public/internal；客户端",
                &apisix_down,
            );
        }
        let kafka_role = if edit {
            "Kafka 消息队列（主）"
        } else {
            "Kafka 消息队列"
        };
        row(
            &kafka,
            kafka_role,
            &format!("{access}；{core}"),
            "历史/统计/推送等（消费者）",
        );
        if !edit {
            row(&etcd, "ETCD（网关/服务发现配置）", &apisix, "——");
        }
        let maker_down = if edit {
            format!("Aurora makerdb；{kafka}")
        } else {
            format!("Aurora makerdb；{kafka}（可选）")
        };
        row(
            &maker,
            "做市服务",
            "业务API（经 APISIX/NGINX）",
            &maker_down,
        );
        if edit {
            row(
                &format!("{p}-spotadmin-c5large-2c4g-v133-a-Node"),
                "现货管理后台节点池（EKS）",
                &apisix,
                "Aurora spotdb",
            );
        }
    }
    out
}

fn load(rows: usize, edited: bool) -> Topology {
    let csv = inventory(rows, edited);
    match load_bytes("synthetic.csv", csv.as_bytes(), &LoadOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("synthetic inventory does not load: {e}"),
    }
}

fn bench_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    for rows in [10_000, 100_000] {
        let (old, new) = (load(rows, false), load(rows, true));
        let d = diff::diff(&old, &new);
        assert_eq!(d.added_instances.len(), rows / GROUP_ROWS / 100);
        assert_eq!(d.removed_instances.len(), rows / GROUP_ROWS / 100);
        group.bench_with_input(
            BenchmarkId::from_parameter(rows),
            &(old, new),
            |b, (old, new)| b.iter(|| diff::diff(black_box(old), black_box(new))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_diff);
criterion_main!(benches);
