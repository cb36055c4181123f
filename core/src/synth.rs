//! Synthetic inventories for benchmarks and scale tests (only with the `testing` feature), in
//! several shapes, so load cost is measured on more than one kind of sheet.
//!
//! [`Shape::Seed`] repeats the seed's rows in groups. Each group gets its own naming-domain token
//! (`aie1p-dom<letters>-ces-access-…`), and name patterns in its cells are rewritten to match,
//! so a group resolves among itself the way the seed does, while shared resources (`Redis`,
//! `Aurora spotdb`, `NGINX`) stay shared, as in a real sheet that has grown.
//!
//! The other shapes use another prefix (`acme`) and their own words, so nothing in them is the
//! seed's: every naming domain has its own Kafka, Nacos, Redis, database, core and access pools
//! and services; access pools call `<DOMAIN> 核心` (a role phrase that selects the domain's
//! core), Nacos names its clients with a glob (`服务器（acme-<domain>-core-*）`) and cron rows
//! say `各业务库；Redis；Kafka`. They differ in how the rows are spread over domains.

/// The header of the generated table.
pub const HEADER: [&str; 4] = ["实例名称", "服务角色", "主要上游", "主要下游"];

/// The prefix of the names of every shape but [`Shape::Seed`].
pub const PREFIX: &str = "acme";

/// How a generated inventory is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The seed's 28 rows repeated, each group its own naming domain.
    Seed,
    /// About 220 rows per naming domain, each domain with everything of its own.
    DomainHeavy,
    /// About 12 rows per naming domain: many domains, few rows each.
    SmallDomains,
    /// One naming domain with every row: its role phrases select among all of them.
    HugeDomain,
    /// Pools written as thousands of repeated rows, a few domains.
    RepeatedPools,
}

impl Shape {
    pub const ALL: [Shape; 5] = [
        Shape::Seed,
        Shape::DomainHeavy,
        Shape::SmallDomains,
        Shape::HugeDomain,
        Shape::RepeatedPools,
    ];

    /// The shape's name on command lines and in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Seed => "seed",
            Shape::DomainHeavy => "domain-heavy",
            Shape::SmallDomains => "small-domains",
            Shape::HugeDomain => "huge-domain",
            Shape::RepeatedPools => "repeated-pools",
        }
    }

    pub fn from_name(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }

    /// `n` rows of this shape (the last domain may be partial).
    pub fn rows(self, n: usize) -> Vec<[String; 4]> {
        match self {
            Shape::Seed => rows(n),
            Shape::DomainHeavy => domains(n, &DOMAIN_HEAVY),
            Shape::SmallDomains => domains(n, &SMALL_DOMAINS),
            Shape::HugeDomain => huge_domain(n),
            Shape::RepeatedPools => domains(n, &REPEATED_POOLS),
        }
    }

    /// The name of a Kafka instance in every inventory of this shape, for `impact`.
    pub fn kafka(self) -> String {
        match self {
            Shape::Seed => format!("aie1p-{}-kafka-server-01", domain_token(0)),
            _ => format!("{PREFIX}-{}-kafka-01", other_domain(0)),
        }
    }
}

/// The seed's data rows: name, role, upstream, downstream.
pub fn seed_rows() -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    for line in crate::SEED_MARKDOWN.lines() {
        let t = line.trim();
        if !t.starts_with("| aie1p") {
            continue;
        }
        let cells: Vec<String> = t
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        if let [a, b, c, d] = &cells[..] {
            rows.push([a.clone(), b.clone(), c.clone(), d.clone()]);
        }
    }
    rows
}

fn letters(mut g: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (g % 26) as u8);
        g /= 26;
        if g == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn domain_token(g: usize) -> String {
    format!("dom{}", letters(g))
}

/// The other shapes' naming-domain tokens: `zda`, `zdb`, …
fn other_domain(g: usize) -> String {
    format!("zd{}", letters(g))
}

/// `n` rows in the seed's shape (the last group may be partial).
pub fn rows(n: usize) -> Vec<[String; 4]> {
    let seed = seed_rows();
    let mut out = Vec::with_capacity(n);
    let mut g = 0;
    while out.len() < n {
        let dom = domain_token(g);
        for r in &seed {
            if out.len() == n {
                break;
            }
            let name = r[0].replacen("aie1p-", &format!("aie1p-{dom}-"), 1);
            let fix = |cell: &str| cell.replace("（maker-*）", &format!("（{dom}-maker-*）"));
            out.push([name, r[1].clone(), fix(&r[2]), fix(&r[3])]);
        }
        g += 1;
    }
    out
}

/// How many rows of each kind one naming domain has.
struct Layout {
    kafkas: usize,
    /// Rows of the core pool, of the access pool and of the cron pool.
    core_rows: usize,
    access_rows: usize,
    cron_rows: usize,
    /// Services, and instances of each.
    services: usize,
    replicas: usize,
}

const DOMAIN_HEAVY: Layout = Layout {
    kafkas: 2,
    core_rows: 20,
    access_rows: 20,
    cron_rows: 6,
    services: 13,
    replicas: 13,
};

const SMALL_DOMAINS: Layout = Layout {
    kafkas: 1,
    core_rows: 2,
    access_rows: 2,
    cron_rows: 1,
    services: 2,
    replicas: 2,
};

const REPEATED_POOLS: Layout = Layout {
    kafkas: 3,
    core_rows: 1500,
    access_rows: 1500,
    cron_rows: 500,
    services: 4,
    replicas: 3,
};

/// Service words of the other shapes, none of them a vocabulary word.
const SERVICES: [&str; 16] = [
    "order", "quote", "wallet", "ledger", "notify", "report", "risk", "clear", "price", "audit",
    "member", "promo", "asset", "payout", "kyc", "invoice",
];

/// One naming domain's rows in the other shapes, `replicas` instances of each service.
fn domain_rows(d: &str, l: &Layout, out: &mut Vec<[String; 4]>, n: usize) {
    let up = d.to_uppercase();
    let p = PREFIX;
    let mut push = |row: [String; 4]| {
        if out.len() < n {
            out.push(row);
        }
    };
    for k in 1..=l.kafkas {
        push([
            format!("{p}-{d}-kafka-{k:02}"),
            "Kafka 消息队列".into(),
            "业务服务（生产者）".into(),
            "历史/统计/推送等（消费者）".into(),
        ]);
    }
    push([
        format!("{p}-{d}-nacos-01"),
        "Nacos 配置中心".into(),
        format!("服务器（{p}-{d}-core-*）"),
        "配置数据（本机/磁盘）".into(),
    ]);
    push([
        format!("{p}-{d}-redis-01"),
        "Redis 缓存".into(),
        "业务服务".into(),
        "——".into(),
    ]);
    push([
        format!("{p}-{d}-mysql-01"),
        format!("{up} 业务数据库"),
        "业务服务".into(),
        "——".into(),
    ]);
    for r in 0..l.core_rows {
        // Some rows of a pool word a cell differently, as people do.
        let down = if r % 7 == 3 {
            format!("Nacos；Kafka；Redis；Aurora {d}db")
        } else {
            format!("Kafka；Nacos；Redis；Aurora {d}db")
        };
        push([
            format!("{p}-{d}-core-c5large-2c4g-v132-a-Node"),
            format!("{up} 撮合/核心节点池（EKS）"),
            format!("{up} 接入层"),
            down,
        ]);
    }
    for _ in 0..l.access_rows {
        push([
            format!("{p}-{d}-access-c5large-2c4g-v132-a-Node"),
            format!("{up} 接入层节点池（EKS）"),
            "APISIX/NGINX/客户端".into(),
            format!("{up} 核心；Kafka；Redis"),
        ]);
    }
    for _ in 0..l.cron_rows {
        push([
            format!("{p}-{d}-cron-c5large-2c4g-v132-a-Node"),
            "业务定时作业节点池（EKS）".into(),
            "调度/内部触发".into(),
            "各业务库；Redis；Kafka".into(),
        ]);
    }
    for s in SERVICES.iter().cycle().take(l.services) {
        for k in 1..=l.replicas {
            push([
                format!("{p}-{d}-{s}-{k:02}"),
                format!("{} 服务", s.to_uppercase()),
                format!("{up} 接入层；Nacos"),
                format!("Kafka（可选）；Redis；Aurora {d}db"),
            ]);
        }
    }
}

fn domains(n: usize, l: &Layout) -> Vec<[String; 4]> {
    let mut out = Vec::with_capacity(n);
    let mut g = 0;
    while out.len() < n {
        domain_rows(&other_domain(g), l, &mut out, n);
        g += 1;
    }
    out
}

/// One domain: its core, access and cron pools and Kafka as in the others, and as many
/// services as it takes, each with ten instances.
fn huge_domain(n: usize) -> Vec<[String; 4]> {
    let l = Layout {
        kafkas: 3,
        core_rows: 10,
        access_rows: 10,
        cron_rows: 3,
        services: 0,
        replicas: 0,
    };
    let d = other_domain(0);
    let up = d.to_uppercase();
    let mut out = Vec::with_capacity(n);
    domain_rows(&d, &l, &mut out, n);
    let mut s = 0;
    while out.len() < n {
        let word = format!(
            "{}{}",
            SERVICES[s % SERVICES.len()],
            letters(s / SERVICES.len())
        );
        for k in 1..=10 {
            if out.len() == n {
                break;
            }
            out.push([
                format!("{PREFIX}-{d}-{word}-{k:02}"),
                format!("{} 服务", word.to_uppercase()),
                format!("{up} 接入层；Nacos"),
                format!("Kafka（可选）；Redis；Aurora {d}db"),
            ]);
        }
        s += 1;
    }
    out
}

/// `n` rows as CSV text with the header.
pub fn csv(n: usize) -> String {
    csv_of(&rows(n))
}

/// Rows as CSV text with the header.
pub fn csv_of(rows: &[[String; 4]]) -> String {
    let mut s = HEADER.join(",");
    s.push('\n');
    for r in rows {
        let quoted: Vec<String> = r
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        s.push_str(&quoted.join(","));
        s.push('\n');
    }
    s
}

/// Rows as an xlsx workbook with the header, on a sheet named as the seed's.
pub fn xlsx(rows: &[[String; 4]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("生产环境")?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell)?;
        }
    }
    wb.save_to_buffer()
}

/// A four-instance sheet of another team (`ops7-`), CSV: a gateway that clients call, calling
/// a database and a service pool of `beta_nodes` rows, which calls a settlement service whose
/// downstream cell is `zeta_down`. With one beta row the pool is a single point of failure; naming
/// `ops7-alpha-01` in `zeta_down` is one-sided (a lint warning): versions of it move SPOFs and
/// warnings.
pub fn small_team_csv(beta_nodes: usize, zeta_down: &str) -> String {
    let mut csv = String::from(
        "name,role,upstream,downstream\n\
         ops7-gw-node,网关,客户端,ops7-alpha-01；ops7-beta-01\n\
         ops7-alpha-01,数据库,ops7-gw-node,\n",
    );
    for _ in 0..beta_nodes {
        csv.push_str("ops7-beta-01,行情服务,ops7-gw-node,ops7-zeta-01\n");
    }
    csv.push_str(&format!("ops7-zeta-01,结算服务,ops7-beta-01,{zeta_down}\n"));
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_28_rows_and_groups_repeat_them_with_their_own_domain() {
        assert_eq!(seed_rows().len(), 28);
        let r = rows(60);
        assert_eq!(r.len(), 60);
        assert!(r[28][0].starts_with("aie1p-domb-maker-02"));
        assert_eq!(r[32][2], "做市服务器（domb-maker-*）");
    }

    #[test]
    fn every_shape_gives_the_rows_asked_for_and_only_the_seed_uses_its_prefix() {
        for shape in Shape::ALL {
            let r = shape.rows(5_000);
            assert_eq!(r.len(), 5_000, "{shape:?}");
            assert!(r.iter().any(|row| row[0] == shape.kafka()), "{shape:?}");
            let seed_prefix = r.iter().all(|row| row[0].starts_with("aie1p-"));
            let ours = r.iter().all(|row| row[0].starts_with("acme-"));
            assert_eq!(
                (seed_prefix, ours),
                (shape == Shape::Seed, shape != Shape::Seed)
            );
            assert_eq!(Shape::from_name(shape.name()), Some(shape));
        }
    }

    #[test]
    fn domain_heavy_has_about_220_rows_per_domain() {
        let r = Shape::DomainHeavy.rows(10_000);
        let domains: std::collections::BTreeSet<&str> = r
            .iter()
            .filter_map(|row| row[0].split('-').nth(1))
            .collect();
        assert_eq!(domains.len(), 10_000usize.div_ceil(220));
    }
}
