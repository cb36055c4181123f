//! Diffs of the seed against edited copies written with rust_xlsxwriter: one test per kind of
//! change, through the public API.

use aiops_core::diagram::NodeClass;
use aiops_core::diff::{self, InventoryDiff, CHAT_LIMIT};
use aiops_core::ingest::{read_table, Field};
use aiops_core::{load_bytes, seed, LoadOptions, Topology};

const CES_ACCESS: &str = "aie1p-ces-access-c5large-2c4g-v132-a-Node";
const APISIX: &str = "aie1p-apisix-c5large-2c4g-v132-a-Node";
const SPOTWS: &str = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";
const ETCD: &str = "aie1p-etcd-01";
const SUPERSET: &str = "aie1p-superset-server-1";
const KAFKA: &str = "aie1p-kafka-server-01";

/// The seed's table as plain rows, to edit and write back as a workbook.
struct Sheet {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn seed() -> Sheet {
        let t = read_table("seed.xlsx", aiops_core::SEED_XLSX).expect("the seed loads");
        let name = t.column(Field::Name).expect("seed has a name column");
        let width = t.headers.len();
        let rows = t
            .rows
            .iter()
            .filter(|r| r.cells.get(name).is_some_and(|c| !c.trim().is_empty()))
            .map(|r| {
                let mut cells = r.cells.clone();
                cells.resize(width, String::new());
                cells
            })
            .collect();
        Sheet {
            headers: t.headers.clone(),
            rows,
        }
    }

    fn col(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h.trim() == header)
            .unwrap_or_else(|| panic!("no column {header} in {:?}", self.headers))
    }

    /// Sets `header` to `value` on every row of instance `name`.
    fn set(mut self, name: &str, header: &str, value: &str) -> Sheet {
        let (n, c) = (self.col("实例名称"), self.col(header));
        let mut hit = false;
        for r in self.rows.iter_mut().filter(|r| r[n].trim() == name) {
            r[c] = value.to_string();
            hit = true;
        }
        assert!(hit, "no row for {name}");
        self
    }

    /// Removes the last row of instance `name`.
    fn drop_row(mut self, name: &str) -> Sheet {
        let n = self.col("实例名称");
        let at = self.rows.iter().rposition(|r| r[n].trim() == name);
        self.rows.remove(at.expect("instance present"));
        self
    }

    /// Repeats the first row of instance `name` (one more node in its pool).
    fn repeat_row(mut self, name: &str) -> Sheet {
        let n = self.col("实例名称");
        let row = self.rows.iter().find(|r| r[n].trim() == name).cloned();
        self.rows.push(row.expect("instance present"));
        self
    }

    fn push(mut self, name: &str, role: &str, up: &str, down: &str) -> Sheet {
        let mut row = vec![String::new(); self.headers.len()];
        row[self.col("实例名称")] = name.into();
        row[self.col("服务角色")] = role.into();
        row[self.col("主要上游")] = up.into();
        row[self.col("主要下游")] = down.into();
        self.rows.push(row);
        self
    }

    fn with_column(mut self, header: &str, value: &str) -> Sheet {
        self.headers.push(header.into());
        for r in &mut self.rows {
            r.push(value.into());
        }
        self
    }

    fn xlsx(&self) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).expect("header");
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, cell).expect("cell");
            }
        }
        wb.save_to_buffer().expect("workbook")
    }

    fn load(&self) -> Topology {
        load_bytes("edited.xlsx", &self.xlsx(), &LoadOptions::default()).expect("edited copy loads")
    }
}

fn seed_topo() -> Topology {
    seed(&LoadOptions::default()).expect("seed loads")
}

fn diff_seed_with(edited: Sheet) -> InventoryDiff {
    diff::diff(&seed_topo(), &edited.load())
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn seed_against_its_own_rewrite_is_no_change() {
    let d = diff_seed_with(Sheet::seed());
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(diff::summarize(&d).0, "No change after resolution.\n");
}

#[test]
fn pool_count_change() {
    let d = diff_seed_with(Sheet::seed().repeat_row(CES_ACCESS));
    assert_eq!(d.changed_instances.len(), 1, "{d:#?}");
    let c = &d.changed_instances[0];
    assert_eq!(
        (c.id.as_str(), c.field, c.old.as_str(), c.new.as_str()),
        (CES_ACCESS, "count", "1", "2")
    );
    assert!(d.added_instances.is_empty() && d.removed_instances.is_empty());
    // A second node makes the pool redundant: it no longer counts as a single point of failure.
    assert_eq!(d.cleared_spofs, ids(&[CES_ACCESS]));
}

#[test]
fn new_pool_added() {
    let pool = "aie1p-spotadmin-c5large-2c4g-v133-a-Node";
    let sheet = Sheet::seed()
        .push(
            pool,
            "现货管理后台节点池（EKS）",
            "APISIX/NGINX",
            "Aurora spotdb",
        )
        .repeat_row(pool);
    let d = diff_seed_with(sheet);
    assert_eq!(d.added_instances, ids(&[pool]));
    assert_eq!(d.added_details[0].count, 2);
    assert!(d.removed_instances.is_empty() && d.changed_instances.is_empty());
    let added: Vec<(&str, &str)> = d
        .added_edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    assert!(added.contains(&(pool, "Aurora spotdb")), "{added:?}");
    assert!(diff::summarize(&d).0.contains(&format!("+ {pool} ×2")));
}

#[test]
fn server_retired() {
    let d = diff_seed_with(Sheet::seed().drop_row(ETCD));
    assert_eq!(d.removed_instances, ids(&[ETCD]));
    assert!(d.added_instances.is_empty());
    let r = &d.removed_with_dependents[0];
    assert_eq!(r.id, ETCD);
    assert!(r.dependents.contains(&APISIX.to_string()), "{r:?}");
    assert!(d
        .removed_edges
        .iter()
        .any(|e| e.from == APISIX && e.to == ETCD));
    // Risk leads: the retired server that APISIX still needs is the first thing said.
    let (short, _) = diff::summarize(&d);
    let risk = short.lines().nth(2).unwrap_or_default();
    assert!(
        risk.contains("removed but still depended on: aie1p-etcd-01"),
        "{short}"
    );
}

#[test]
fn role_change() {
    let d = diff_seed_with(Sheet::seed().set(SUPERSET, "服务角色", "BI 报表服务器（Metabase）"));
    assert_eq!(d.changed_instances.len(), 1, "{d:#?}");
    let c = &d.changed_instances[0];
    assert_eq!((c.id.as_str(), c.field), (SUPERSET, "role"));
    assert_eq!(
        (c.old.as_str(), c.new.as_str()),
        ("BI 报表服务器（Superset）", "BI 报表服务器（Metabase）")
    );
    assert!(d.added_edges.is_empty() && d.removed_edges.is_empty());
}

#[test]
fn owner_change() {
    let base = Sheet::seed().with_column("负责人", "交易运维组");
    let old = base.load();
    let new = base.set(SUPERSET, "负责人", "数据平台组").load();
    let d = diff::diff(&old, &new);
    assert_eq!(d.changed_instances.len(), 1, "{d:#?}");
    let c = &d.changed_instances[0];
    assert_eq!(
        (c.id.as_str(), c.field, c.old.as_str(), c.new.as_str()),
        (SUPERSET, "owner", "交易运维组", "数据平台组")
    );
}

#[test]
fn edge_added() {
    let d = diff_seed_with(Sheet::seed().set(
        SPOTWS,
        "主要下游",
        "Aurora spotdb；Valkey spot-redis；aie1p-kafka-server-01",
    ));
    let added: Vec<(&str, &str)> = d
        .added_edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(added, vec![(SPOTWS, KAFKA)]);
    assert!(d.removed_edges.is_empty());
}

#[test]
fn edge_removed() {
    let d = diff_seed_with(Sheet::seed().set(SPOTWS, "主要下游", "Aurora spotdb"));
    let removed: Vec<(&str, &str)> = d
        .removed_edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(removed, vec![(SPOTWS, "Valkey spot-redis")]);
    assert!(d.added_edges.is_empty());
}

#[test]
fn flag_change_optional_to_required() {
    let d =
        diff_seed_with(Sheet::seed().set("aie1p-maker-02", "主要下游", "Aurora makerdb；Kafka"));
    assert_eq!(d.changed_edges.len(), 1, "{d:#?}");
    let c = &d.changed_edges[0];
    assert_eq!(
        (
            c.from.as_str(),
            c.to.as_str(),
            c.field,
            c.old.as_str(),
            c.new.as_str()
        ),
        ("aie1p-maker-02", KAFKA, "optional", "true", "false")
    );
    assert!(d.added_edges.is_empty() && d.removed_edges.is_empty());
    assert!(diff::summarize(&d).0.contains("optional yes → no"));
}

#[test]
fn reworded_cell_that_resolves_the_same_is_no_change() {
    let sheet = Sheet::seed()
        .set(SPOTWS, "主要下游", "spotdb、spot-redis")
        .set(
            "aie1p-maker-02",
            "主要下游",
            "Aurora makerdb; Kafka (optional)",
        );
    let d = diff_seed_with(sheet);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn new_spof() {
    // One of APISIX's two nodes is retired: the gateway no longer has a replica.
    let d = diff_seed_with(Sheet::seed().drop_row(APISIX));
    assert_eq!(d.new_spofs, ids(&[APISIX]));
    assert!(d
        .changed_instances
        .iter()
        .any(|c| c.id == APISIX && c.field == "count"));
    let (short, _) = diff::summarize(&d);
    assert!(
        short.contains(&format!("new single point of failure: {APISIX}")),
        "{short}"
    );
}

#[test]
fn lint_warnings_appear_and_clear() {
    let edited = Sheet::seed()
        .set(
            SUPERSET,
            "主要下游",
            "Aurora 只读实例（spotdb 等）；aie1p-gitlab",
        )
        .load();
    let d = diff::diff(&seed_topo(), &edited);
    let one_sided = |w: &String| w.contains(SUPERSET) && w.contains("aie1p-gitlab");
    assert!(d.new_warnings.iter().any(one_sided), "{d:#?}");
    let back = diff::diff(&edited, &seed_topo());
    assert!(back.cleared_warnings.iter().any(one_sided), "{back:#?}");
}

#[test]
fn json_has_the_documented_keys() {
    let d = diff_seed_with(Sheet::seed().drop_row(ETCD).repeat_row(CES_ACCESS));
    let v = d.to_json();
    for key in [
        "added_instances",
        "removed_instances",
        "changed_instances",
        "added_edges",
        "removed_edges",
        "new_spofs",
        "cleared_spofs",
    ] {
        assert!(v.get(key).is_some_and(|x| x.is_array()), "missing {key}");
    }
    assert_eq!(v["removed_instances"][0], ETCD);
    let c = &v["changed_instances"][0];
    assert_eq!(
        (&c["id"], &c["field"], &c["old"], &c["new"]),
        (
            &CES_ACCESS.into(),
            &"count".into(),
            &"1".into(),
            &"2".into()
        )
    );
    assert_eq!(v["removed_edges"][0]["to"], ETCD);
}

#[test]
fn summary_fits_a_chat_message_and_full_text_keeps_everything() {
    let mut sheet = Sheet::seed();
    for i in 0..120 {
        sheet = sheet.push(
            &format!("aie1p-batch-{i:03}-c5large-2c4g-v133-a-Node"),
            "批处理节点池（EKS）",
            "调度",
            "Aurora spotdb；Valkey spot-redis",
        );
    }
    let d = diff_seed_with(sheet.drop_row(ETCD));
    let (short, full) = diff::summarize(&d);
    assert!(
        short.chars().count() <= CHAT_LIMIT,
        "{} chars",
        short.chars().count()
    );
    assert!(short.contains("removed but still depended on: aie1p-etcd-01"));
    assert!(short.ends_with("full detail attached.\n"));
    assert!(full.contains("aie1p-batch-119-c5large-2c4g-v133-a-Node"));
}

#[test]
fn diagram_colours_added_removed_and_changed() {
    let pool = "aie1p-spotadmin-c5large-2c4g-v133-a-Node";
    let old = seed_topo();
    let new = Sheet::seed()
        .drop_row(ETCD)
        .repeat_row(CES_ACCESS)
        .push(
            pool,
            "现货管理后台节点池（EKS）",
            "APISIX/NGINX",
            "Aurora spotdb",
        )
        .load();
    let d = diff::diff(&old, &new);
    let g = diff::diagram(&d, &old, &new, 40);
    let class = |id: &str| g.nodes.iter().find(|n| n.key == id).map(|n| n.class);
    assert_eq!(class(pool), Some(NodeClass::Added));
    assert_eq!(class(ETCD), Some(NodeClass::Removed));
    assert_eq!(class(CES_ACCESS), Some(NodeClass::Changed));
    // Neighbours give context without a colour of their own.
    assert_eq!(class("Aurora spotdb"), Some(NodeClass::External));
    let mermaid = g.to_mermaid();
    assert!(mermaid.contains("classDef add fill:#d9f7d9"));
    assert!(mermaid.contains("stroke-dasharray:5 5"));
    assert!(mermaid.contains("-.->|removed|"), "{mermaid}");
    assert!(g.nodes.len() <= 40);
}

#[test]
fn changes_near_a_component_keep_only_its_neighbourhood() {
    let old = seed_topo();
    let new = Sheet::seed()
        .drop_row(ETCD)
        .set(SUPERSET, "服务角色", "BI")
        .load();
    let d = diff::diff(&old, &new);
    let near = diff::neighbourhood(&old, &ids(&[APISIX]), 2);
    let local = d.touching(&near);
    assert_eq!(local.removed_instances, ids(&[ETCD]));
    assert!(
        local.changed_instances.is_empty(),
        "superset is not near APISIX: {local:#?}"
    );
}

// The new user's finding: removing spotws's row is not "still depended on" (only that row
// stated its callers) and not a "single point of failure cleared".
#[test]
fn a_removed_row_is_still_depended_on_only_where_another_row_names_it() {
    let spotws = "aie1p-spotws-c5xlarge-4c8g-v132-a-Node";
    let d = diff_seed_with(Sheet::seed().drop_row(spotws));
    assert_eq!(d.removed_instances, ids(&[spotws]));
    assert!(
        !d.removed_with_dependents.iter().any(|r| r.id == spotws),
        "{:?}",
        d.removed_with_dependents
    );
    assert!(!d.cleared_spofs.contains(&spotws.to_string()));
    let (short, _) = diff::summarize(&d);
    assert!(!short.contains("still depended on"), "{short}");
}

#[test]
fn environments_that_mean_production_are_no_change() {
    for env in ["prod", "production", "生产", "生产环境", "PROD"] {
        let d = diff_seed_with(Sheet::seed().with_column("环境", env));
        assert!(
            !d.changed_instances.iter().any(|c| c.field == "env"),
            "{env}: {:?}",
            d.changed_instances
        );
    }
    let prod = Sheet::seed().with_column("环境", "prod").load();
    let zh = Sheet::seed().with_column("环境", "生产环境").load();
    assert!(diff::diff(&prod, &zh).changed_instances.is_empty());
    // A real change of environment is still one.
    let dr = Sheet::seed().with_column("环境", "dr-site").load();
    assert!(diff::diff(&prod, &dr)
        .changed_instances
        .iter()
        .any(|c| c.field == "env" && c.new == "dr-site"));
}

fn load_shape(shape: aiops_core::synth::Shape, rows: usize) -> Topology {
    let csv = aiops_core::synth::csv_of(&shape.rows(rows));
    load_bytes("synthetic.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
}

/// The number in "… and N more lines, left out …".
fn left_out(text: &str) -> usize {
    let last = text.lines().last().unwrap_or_default();
    let n = last
        .strip_prefix("… and ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("no left-out line: {last}"));
    n.parse().unwrap_or_else(|e| panic!("{n}: {e}"))
}

/// A text's groups: each heading ("Title (N):") with its item lines.
fn groups(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for l in text.lines() {
        if let Some(item) = l.strip_prefix("  ") {
            if let Some((_, items)) = out.last_mut() {
                items.push(item.to_string());
            }
        } else if l.ends_with("):") {
            out.push((l.to_string(), Vec::new()));
        }
    }
    out
}

/// A whole new inventory of another shape: every instance and relation changes. The full text
/// kept under a limit shows every group, each with as many of its first lines as fit for all
/// alike and how many more it has, and says so in its last line.
#[test]
fn the_full_detail_kept_under_a_limit_shows_every_group_cut_alike() {
    use aiops_core::synth::Shape;
    let old = load_shape(Shape::SmallDomains, 600);
    let new = load_shape(Shape::HugeDomain, 600);
    let d = diff::diff(&old, &new);
    let (short_all, all) = diff::summarize(&d);
    assert!(all.len() > 200_000, "{} bytes", all.len());
    let limit = 64 * 1024;
    let (short, kept) = diff::summarize_within(&d, limit);
    assert_eq!(
        short, short_all,
        "the chat summary does not depend on the limit"
    );
    assert!(kept.len() <= limit, "{} bytes", kept.len());
    let note = kept.lines().last().unwrap_or_default();
    let each: usize = note
        .strip_prefix("… each group above shows its first ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{note}"));
    assert!(each >= 2, "{note}\n{kept}");
    assert!(note.contains("under 64 KiB"), "{note}");
    let (whole, cut) = (groups(&all), groups(&kept));
    let heads = |g: &[(String, Vec<String>)]| g.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        heads(&cut),
        heads(&whole),
        "every group is there, with its count"
    );
    let mut some_cut = false;
    for ((head, lines), (_, shown)) in whole.iter().zip(&cut) {
        let cap = if head.starts_with("Risk") {
            each.max(5)
        } else {
            each
        };
        let n = lines.len().min(cap);
        assert_eq!(&shown[..n], &lines[..n], "{head}: its first lines");
        if lines.len() > cap {
            some_cut = true;
            assert_eq!(shown.len(), n + 1, "{head}: {shown:?}");
            assert_eq!(shown[n], format!("… +{} more", lines.len() - cap), "{head}");
        } else {
            assert_eq!(shown.len(), n, "{head}");
        }
    }
    assert!(some_cut);
    // Nothing is cut when it fits.
    assert_eq!(diff::summarize_within(&d, all.len()).1, all);
}

#[test]
fn cutting_a_text_keeps_whole_lines_and_counts_the_rest() {
    let text: String = (0..1000)
        .map(|i| format!("  + ops7-node-{i:04} — 网关\n"))
        .collect();
    assert_eq!(diff::cut_to(&text, text.len()), text.as_str());
    let cut = diff::cut_to(&text, 4096);
    assert!(cut.len() <= 4096, "{} bytes", cut.len());
    let lines: Vec<&str> = cut.lines().collect();
    let kept = lines.len() - 1;
    assert!(kept > 50, "{kept} lines kept");
    assert!(text.starts_with(&lines[..kept].join("\n")));
    assert_eq!(left_out(&cut), 1000 - kept);
    // Too small a limit for any line: only the note.
    assert_eq!(left_out(&diff::cut_to(&text, 10)), 1000);
}

/// A relation the sheet stops contradicting is a change: impact counted it only as possible
/// before and counts it in full now. Another team's sheet: ops7-zeta-01's row names
/// ops7-alpha-01 as a downstream too, a direction conflict that makes alpha → zeta doubtful;
/// the edit takes that word out.
#[test]
fn a_relation_no_longer_doubtful_is_a_flag_change() {
    let sheet = |zeta_down: &str| {
        let csv = format!(
            "name,role,upstream,downstream\n\
             ops7-gw-01,网关,,ops7-alpha-01；ops7-beta-01\n\
             ops7-alpha-01,数据库,ops7-gw-01,ops7-zeta-01\n\
             ops7-beta-01,行情服务,ops7-gw-01,ops7-zeta-01\n\
             ops7-zeta-01,结算服务,ops7-beta-01,{zeta_down}\n"
        );
        load_bytes("ops7.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
    };
    let (old, new) = (sheet("ops7-alpha-01"), sheet(""));
    let d = diff::diff(&old, &new);
    let flag: Vec<_> = d
        .changed_edges
        .iter()
        .map(|c| {
            (
                c.from.as_str(),
                c.to.as_str(),
                c.field,
                c.old.as_str(),
                c.new.as_str(),
            )
        })
        .collect();
    assert_eq!(
        flag,
        [("ops7-alpha-01", "ops7-zeta-01", "doubtful", "true", "false")]
    );
    let (short, _) = diff::summarize(&d);
    assert!(
        short.contains("~ ops7-alpha-01 → ops7-zeta-01: doubtful yes → no"),
        "{short}"
    );
    assert!(diff::headline(&d).contains("~1"), "{}", diff::headline(&d));
    // Read back the other way, it is doubtful again.
    assert_eq!(diff::diff(&new, &old).changed_edges[0].new, "true");
}

/// A version in force keeps its standing (SPOFs and warnings), so the next diff computes only the
/// new side's: the answer is the same as a diff computing both, along a chain of versions where
/// SPOFs and warnings appear and clear. Another team's sheet: the beta pool loses its second node
/// (a new SPOF) while zeta's row names alpha one-sidedly (a new warning), then both are undone,
/// then done again.
#[test]
fn a_diff_from_a_kept_standing_is_the_same_diff() {
    let sheet = |beta_nodes: usize, zeta_down: &str| {
        let csv = aiops_core::synth::small_team_csv(beta_nodes, zeta_down);
        load_bytes("ops7.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
    };
    let versions = [
        sheet(2, ""),
        sheet(1, "ops7-alpha-01"),
        sheet(2, ""),
        sheet(1, "ops7-alpha-01"),
    ];
    let mut kept = diff::Standing::of(&versions[0]);
    let (mut spofs_seen, mut warnings_seen) = (0, 0);
    for pair in versions.windows(2) {
        let (d, standing) = diff::diff_from(&pair[0], &kept, &pair[1]);
        assert_eq!(d, diff::diff(&pair[0], &pair[1]));
        assert_eq!(standing, diff::Standing::of(&pair[1]));
        spofs_seen += d.new_spofs.len() + d.cleared_spofs.len();
        warnings_seen += d.new_warnings.len() + d.cleared_warnings.len();
        kept = standing;
    }
    // The chain did move both, so the kept standing was compared, not empty on both sides.
    assert!(spofs_seen >= 3, "{spofs_seen}");
    assert!(warnings_seen >= 3, "{warnings_seen}");
    // A standing that is not the old version's gives another answer: it is really used.
    let (wrong, _) = diff::diff_from(&versions[1], &diff::Standing::default(), &versions[2]);
    assert_ne!(wrong, diff::diff(&versions[1], &versions[2]));
}

/// Removing an instance that callers reach through a word (`Queue`, a role phrase): where the
/// word still picks the other instances of that role it picked before, the callers depend on
/// those and nothing is "still depended on"; where it picks none (it falls back to an external
/// node of that text) or the callers named the instance exactly, they still depend on what was
/// removed (the seed's `server_retired` has the third case: a tie-break that moves to an
/// instance the word did not name firmly before). Another team's sheet, found by a review as a
/// new user.
#[test]
fn a_removed_instance_is_still_depended_on_only_when_its_callers_words_pick_nothing_else() {
    let load =
        |csv: &str| load_bytes("ops7.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads");
    let sheet = |api_down: &str, queues: &[&str]| {
        let mut csv = format!(
            "name,role,upstream,downstream\n\
             ops7-api-01,接口服务,,{api_down}；ops7-db-01\n\
             ops7-db-01,数据库,ops7-api-01,\n"
        );
        for q in queues {
            csv.push_str(&format!("{q},Queue broker,ops7-api-01,\n"));
        }
        load(&csv)
    };
    let risk = |old: &Topology, new: &Topology| -> Vec<(String, Vec<String>)> {
        diff::diff(old, new)
            .removed_with_dependents
            .into_iter()
            .map(|r| (r.id, r.dependents))
            .collect()
    };
    let two = ["ops7-queue-01", "ops7-queue-02"];
    // The word picks the remaining broker.
    assert_eq!(
        risk(&sheet("Queue", &two), &sheet("Queue", &two[..1])),
        vec![]
    );
    // The word picks nothing now: the caller still depends on the removed broker.
    let lone = ["ops7-queue-02"];
    let api = vec!["ops7-api-01".to_string()];
    assert_eq!(
        risk(&sheet("Queue", &lone), &sheet("Queue", &[])),
        vec![("ops7-queue-02".to_string(), api.clone())]
    );
    // Named exactly, it is still named after it is gone.
    assert_eq!(
        risk(
            &sheet("ops7-queue-02", &two),
            &sheet("ops7-queue-02", &two[..1])
        ),
        vec![("ops7-queue-02".to_string(), api)]
    );
}
