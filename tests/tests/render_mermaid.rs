//! Rendered diagrams (issue 4): every kind of Mermaid we emit renders in the real mermaid-cli and
//! in-process; the picture shows exactly the source's nodes, edges and classes; PNGs decode at
//! sensible sizes; Chinese is drawn with glyphs; `aiops render` writes pictures and text.
//!
//! The mermaid-cli check needs `.ci/install-render-deps` (chromium, a CJK font, mmdc); without
//! it the test fails and says so.

use aiops_commands::{self as commands, Context};
use aiops_core::diagram::{Diagram, DiagramEdge, DiagramNode, NodeClass};
use aiops_core::graph::ResourceKind;
use aiops_core::query::Direction;
use aiops_core::render::{self, fonts, Budget, Fonts};
use aiops_tests::aiops_command;
use expect_test::expect;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn fonts() -> Fonts {
    fonts::discover(&[PathBuf::from("/usr/share/fonts")], None)
        .unwrap_or_else(|e| panic!("{e}\nrun .ci/install-render-deps to install the CJK font"))
}

/// Time is measured by the criterion benches in release builds; tests run unoptimised on a
/// shared machine, so they only need the size limits.
fn budget() -> Budget {
    Budget {
        time: std::time::Duration::from_secs(60),
        ..Budget::default()
    }
}

fn node(lines: &[&str], class: NodeClass, group: Option<ResourceKind>) -> DiagramNode {
    DiagramNode {
        key: lines[0].to_string(),
        lines: lines.iter().map(|s| s.to_string()).collect(),
        class,
        group,
    }
}

fn edge(from: usize, to: usize, label: Option<&str>, dashed: bool) -> DiagramEdge {
    DiagramEdge {
        from,
        to,
        label: label.map(str::to_string),
        dashed,
        doubtful: false,
    }
}

/// A diff between two versions of the sheet, as the diff command draws it.
fn diff_diagram() -> Diagram {
    Diagram {
        nodes: vec![
            node(
                &["aie1p-ces-access ×4", "CES 接入层"],
                NodeClass::Instance,
                None,
            ),
            node(
                &["aie1p-ces-core ×6", "CES 撮合/核心"],
                NodeClass::Changed,
                None,
            ),
            node(
                &["Aurora makerdb"],
                NodeClass::Added,
                Some(ResourceKind::Database),
            ),
            node(
                &["Valkey spot-redis"],
                NodeClass::Removed,
                Some(ResourceKind::Cache),
            ),
        ],
        edges: vec![
            edge(0, 1, None, false),
            edge(1, 2, Some("可选"), false),
            edge(1, 3, Some("removed"), true),
        ],
        caption: "diff: 1 added, 1 removed, 1 changed".into(),
    }
}

/// Labels built from hostile cell text.
fn hostile_diagram() -> Diagram {
    let long = "长".repeat(400) + &"x".repeat(600);
    let texts = [
        r#"say "hi" to 'them'"#,
        "#quot; #35; & ＃ hash",
        "<b>bold</b> <script>alert(1)</script>",
        "a:::evil ::: b",
        "pipe | bar |x|",
        "`backtick first",
        "@everyone @here",
        long.as_str(),
        "🔥 db 数据库 🚀",
        "line1\nline2\r\ttab",
        "-->|boom| n1",
        "R&amp;D &lt;x&gt;",
    ];
    Diagram {
        nodes: texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let class = if i == 0 {
                    NodeClass::Selected
                } else {
                    NodeClass::Instance
                };
                node(&[t, "角色: \"quoted\" #x; <y>"], class, None)
            })
            .collect(),
        edges: (1..texts.len())
            .map(|i| edge(i - 1, i, Some(texts[(i * 3) % texts.len()]), i % 2 == 0))
            .collect(),
        caption: String::new(),
    }
}

/// Every kind of diagram the commands emit, by name.
fn diagrams() -> Vec<(&'static str, Diagram)> {
    let topo = aiops_core::seed(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let ctx = Context::new(&topo, "seed");
    let deps = commands::deps(ctx, "aie1p-ces-*", Direction::Both, 2);
    let impact = commands::impact(ctx, "spotdb", None);
    vec![
        ("whole", Diagram::whole(&topo)),
        ("deps", deps.diagram.unwrap_or_default()),
        ("impact", impact.diagram.unwrap_or_default()),
        ("diff", diff_diagram()),
        ("hostile", hostile_diagram()),
    ]
}

fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = line[start..].find('"')? + start;
    Some(&line[start..end])
}

fn texts(line: &str) -> Vec<String> {
    line.split("</text>")
        .filter_map(|p| p.rfind('>').map(|i| p[i + 1..].to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The SVG's structure without coordinates: one line per node, edge, group and legend item.
fn structure(svg: &str) -> String {
    let mut out = String::new();
    for line in svg.lines() {
        let Some(class) = attr(line, "class") else {
            continue;
        };
        let desc = if class == "node" || class.starts_with("node ") {
            format!("{class} {}", attr(line, "id").unwrap_or("?"))
        } else if class == "edge" || class.starts_with("edge ") {
            format!(
                "{class} {}->{}",
                attr(line, "data-from").unwrap_or("?"),
                attr(line, "data-to").unwrap_or("?")
            )
        } else if class == "group" {
            format!(
                "group {} {}",
                attr(line, "data-kind").unwrap_or("?"),
                attr(line, "data-nodes").unwrap_or("?")
            )
        } else if class.starts_with("legend-item") || class == "caption" {
            class.to_string()
        } else {
            continue;
        };
        out.push_str(&desc);
        for t in texts(line) {
            out.push_str(&format!(" | {t}"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn every_diagram_kind_renders_in_real_mermaid() {
    let root = root();
    let mmdc = root.join(".ci/mermaid/node_modules/.bin/mmdc");
    assert!(
        mmdc.exists() && Path::new("/usr/bin/chromium").exists(),
        "mermaid-cli or chromium is missing: run .ci/install-render-deps (looked for {} and /usr/bin/chromium)",
        mmdc.display()
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let all = diagrams();
    let mut md = String::new();
    for (_, d) in &all {
        md.push_str("```mermaid\n");
        md.push_str(&d.to_mermaid());
        md.push_str("```\n\n");
    }
    let input = dir.path().join("all.md");
    let output = dir.path().join("out.md");
    std::fs::write(&input, md).unwrap_or_else(|e| panic!("{e}"));
    let run = Command::new(&mmdc)
        .arg("-p")
        .arg(root.join(".ci/mermaid/puppeteer.json"))
        .arg("-c")
        .arg(root.join(".ci/mermaid/mermaid.json"))
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", mmdc.display()));
    assert!(
        run.status.success(),
        "mmdc failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for (i, (name, d)) in all.iter().enumerate() {
        let svg_path = dir.path().join(format!("out-{}.svg", i + 1));
        let svg = std::fs::read_to_string(&svg_path)
            .unwrap_or_else(|e| panic!("{name}: no {}: {e}", svg_path.display()));
        assert!(
            !svg.contains("Syntax error"),
            "{name}: mermaid syntax error"
        );
        for n in 1..=d.nodes.len() {
            assert!(
                svg.contains(&format!("flowchart-n{n}-")),
                "{name}: mermaid drew no node n{n}"
            );
        }
        let drawn_edges = svg.matches("data-edge=\"true\"").count();
        assert_eq!(drawn_edges, d.edges.len(), "{name}: edges drawn by mermaid");
        if *name == "hostile" {
            // Entities in cell text are drawn as written, not decoded by the HTML labels.
            assert!(
                svg.contains("R＆amp;D ＆lt;x＆gt;"),
                "{name}: entity decoded"
            );
        }
    }
}

#[test]
fn every_diagram_kind_renders_in_process_with_the_same_nodes_edges_and_classes() {
    let f = fonts();
    for (name, d) in diagrams() {
        let svg = render::to_svg(&d, &f, &budget()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = structure(&svg);
        let nodes: Vec<&str> = s.lines().filter(|l| l.starts_with("node ")).collect();
        assert_eq!(nodes.len(), d.nodes.len(), "{name}: nodes");
        for (i, n) in d.nodes.iter().enumerate() {
            let want = format!("node {} n{} |", n.class.mermaid().0, i + 1);
            assert!(
                nodes[i].starts_with(&want),
                "{name}: {} vs {want}",
                nodes[i]
            );
        }
        let edges: Vec<String> = s
            .lines()
            .filter(|l| l.starts_with("edge"))
            .map(|l| l.split(" | ").next().unwrap_or("").to_string())
            .collect();
        let want: Vec<String> = d
            .edges
            .iter()
            .map(|e| {
                format!(
                    "edge{}{} n{}->n{}",
                    if e.dashed { " dashed" } else { "" },
                    if e.doubtful { " doubtful" } else { "" },
                    e.from + 1,
                    e.to + 1
                )
            })
            .collect();
        assert_eq!(edges, want, "{name}: edges");
        let png = render::to_png(&d, &f, &budget()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(png.len() < 8_000_000, "{name}: {} bytes", png.len());
    }
}

fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{e}"));
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{e}"));
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn png_of_the_ces_neighbourhood_is_wide_sharp_and_small() {
    let d = diagrams().swap_remove(1).1;
    let png = render::to_png(&d, &fonts(), &budget()).unwrap_or_else(|e| panic!("{e}"));
    let (w, h, _) = decode(&png);
    // Between 2:1 and 1:2, to read at preview size; drawn at 1.5× (its layout is about 600
    // wide) so Discord scales it down to the 550 px preview and it stays sharp.
    assert!(w <= 2 * h && h <= 2 * w, "{w}×{h}");
    assert!((850..=8192).contains(&w) && h >= 300, "{w}×{h}");
    assert!(png.len() < 2_000_000, "{} bytes", png.len());
}

/// Dark pixels in an RGBA image.
fn ink(rgba: &[u8]) -> usize {
    rgba.chunks(4)
        .filter(|p| (p[0] as u32 + p[1] as u32 + p[2] as u32) < 384 && p[3] > 128)
        .count()
}

fn one_label(text: &str, f: &Fonts) -> Vec<u8> {
    let d = Diagram {
        nodes: vec![node(&[text], NodeClass::Instance, None)],
        edges: vec![],
        caption: String::new(),
    };
    let png = render::to_png(&d, f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    decode(&png).2
}

/// Checks that `f` draws Chinese as glyphs: real glyphs differ, so swapping two characters
/// changes the picture; two characters a font lacks would be the same .notdef box, so swapping
/// them would change nothing.
fn assert_draws_chinese(f: &Fonts) {
    assert!(f.has_glyph('撮') && f.has_glyph('合'), "{}", f.family());
    let (a, b) = (one_label("撮合", f), one_label("合撮", f));
    assert!(a != b, "{}: 撮合 and 合撮 look the same", f.family());
    assert!(ink(&a) > 200, "{}: hardly any ink", f.family());
}

#[test]
fn chinese_is_drawn_with_glyphs_not_notdef_boxes() {
    assert_draws_chinese(&fonts());
}

#[test]
fn with_no_font_on_the_machine_the_built_in_one_draws_chinese() {
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = fonts::discover_or_embedded(&[empty.path().to_path_buf()], None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(f.is_embedded(), "{f:?}");
    assert_draws_chinese(&f);
    // The machine's fonts stay preferred when they have Chinese.
    assert!(
        !fonts::discover_or_embedded(&[PathBuf::from("/usr/share/fonts")], None)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_embedded()
    );
}

#[test]
fn glyphs_no_font_has_are_written_out_not_drawn_as_boxes() {
    let f = Fonts::embedded();
    let d = Diagram {
        nodes: vec![node(&["🔥 db 数据库 \u{E000}"], NodeClass::Instance, None)],
        edges: vec![],
        caption: String::new(),
    };
    let svg = render::to_svg(&d, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    let s = structure(&svg);
    assert!(
        s.contains("[U+1F525] db 数据库") && s.contains("[U+E000]"),
        "{s}"
    );
    assert!(!svg.contains('🔥') && !svg.contains('\u{E000}'), "{s}");
}

#[test]
fn svg_structure_of_the_diff_diagram() {
    let svg =
        render::to_svg(&diff_diagram(), &fonts(), &budget()).unwrap_or_else(|e| panic!("{e}"));
    expect![[r#"
        legend-item add | added
        legend-item del | removed
        legend-item chg | changed
        edge n1->n2
        edge n2->n3 | 可选
        edge dashed n2->n4 | removed
        node inst n1 | access ×4 | CES 接入层
        node chg n2 | core ×6 | CES 撮合/核心
        node add n3 | Aurora makerdb
        node del n4 | Valkey spot-redis
        caption | diff: 1 added, 1 removed, 1 changed; names without
        caption | their common prefix &quot;aie1p-ces-&quot;
    "#]]
    .assert_eq(&structure(&svg));
}

#[test]
fn svg_structure_of_the_ces_neighbourhood() {
    let d = diagrams().swap_remove(1).1;
    // Where names wrap depends on the font's widths: the built-in font is the same on every
    // machine, whatever CJK package it has.
    let fonts = fonts::discover_or_embedded(&[], None).expect("the built-in font");
    assert!(fonts.is_embedded());
    let svg = render::to_svg(&d, &fonts, &budget()).unwrap_or_else(|e| panic!("{e}"));
    expect![[r#"
        legend-item sel | selected / suspect
        legend-item doubtful-edge | doubtful relation
        group load balancer n8,n9 | load balancer
        edge n1->n2
        edge n2->n3
        edge n2->n4
        edge dashed doubtful n2->n5 | 存疑
        edge n2->n10
        edge n2->n11
        edge n3->n4
        edge dashed doubtful n3->n5 | 存疑
        edge n3->n10
        edge n3->n11
        edge n4->n12
        edge n4->n13
        edge n4->n14
        edge n5->n12
        edge n5->n13
        edge n5->n14
        edge n6->n2
        edge n7->n1
        edge n7->n2
        edge n8->n1
        edge n9->n1
        node inst n1 | apisix-c5large-2c4g- | v132-a-Node ×2 | APISIX 网关节点池 | （EKS）
        node sel n2 | ces-access-c5large- | 2c4g-v132-a-Node | CES 接入层节点池 | （EKS）
        node sel n3 | ces-c52xlarge-8c16g- | v132-a-Node | CES 撮合/核心节点池 | （EKS）
        node inst n4 | kafka-server-01 | Kafka 消息队列
        node inst n5 | morph-kafkanew-0425 | Kafka 消息队列
        node ext n6 | NGINX
        node ext n7 | 客户端
        node ext n8 | ALB apisix-public
        node ext n9 | ALB apisix-internal
        node ext n10 | Aurora spotdb
        node ext n11 | Valkey spot-redis
        node ext n12 | 历史
        node ext n13 | 统计
        node ext n14 | 推送
        caption | names without their common prefix &quot;aie1p-&quot;
    "#]]
    .assert_eq(&structure(&svg));
}

#[test]
fn hostile_text_is_drawn_literally_and_escaped_for_xml() {
    let svg =
        render::to_svg(&hostile_diagram(), &fonts(), &budget()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!svg.contains("<script"), "raw markup leaked into the SVG");
    assert!(!svg.contains(":::"));
    let s = structure(&svg);
    assert!(s.contains("＜b＞bold＜/b＞"), "{s}");
    assert!(s.contains("@everyone @here"), "{s}");
    assert!(s.contains("say &apos;hi&apos;"), "{s}");
}

#[test]
fn too_large_diagrams_are_refused_with_a_reason() {
    let d = Diagram {
        nodes: (0..500)
            .map(|i| node(&[&format!("n{i}")], NodeClass::Instance, None))
            .collect(),
        edges: vec![],
        caption: String::new(),
    };
    let e = render::to_png(&d, &fonts(), &budget())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    // Core says what happened and the limits; how to ask for less (`--depth`, a slash-command
    // option) is each front end's to say.
    assert!(
        e.contains("too large") && e.contains("500 nodes") && e.contains("limit 400"),
        "{e}"
    );
    assert!(!e.contains("--"), "core names no CLI flag: {e}");
}

#[test]
fn missing_fonts_name_the_package_to_install() {
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let e = fonts::discover(&[empty.path().to_path_buf()], None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("apt-get install fonts-wqy-microhei"), "{e}");
}

#[test]
fn ascii_drawing_of_a_small_neighbourhood() {
    let text = render::ascii::to_ascii(&diff_diagram()).unwrap_or_default();
    expect![[r#"
        ── column 1 ──
        ╭─────────────────────╮
        │ aie1p-ces-access ×4 │
        │ CES 接入层          │
        ╰─────────────────────╯
          ──→ aie1p-ces-core ×6
        ── column 2 ──
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ aie1p-ces-core ×6 [changed] ┃
        ┃ CES 撮合/核心               ┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
          ──→ Aurora makerdb  (可选)
          ┄┄→ Valkey spot-redis  (removed)
        ── column 3 ──
        ┏━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ Aurora makerdb [added] ┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━┛
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ Valkey spot-redis [removed] ┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        diff: 1 added, 1 removed, 1 changed
    "#]]
    .assert_eq(&text);
}

#[test]
fn cli_render_writes_a_png_of_the_deps_diagram() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("ces map.png");
    let run = aiops_command()
        .args(["render", "aie1p-ces-*", "--depth", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (w, h, _) = decode(&std::fs::read(&out).unwrap_or_else(|e| panic!("{e}")));
    assert!(w <= 2 * h && h <= 2 * w, "{w}×{h}");
    let svg_out = dir.path().join("impact.svg");
    let run = aiops_command()
        .args(["render", "spotdb", "--impact", "--out"])
        .arg(&svg_out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(run.status.success());
    let svg = std::fs::read_to_string(&svg_out).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.contains(r#"class="node brk""#) && svg.contains(r#"class="legend""#));
}

#[test]
fn cli_render_without_out_prints_a_text_drawing() {
    let run = aiops_command()
        .args(["render", "aie1p-ces-c52*"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success());
    assert!(text.contains("┃ CES 撮合/核心节点池（EKS）"), "{text}");
}

#[test]
fn cli_render_with_an_unknown_font_family_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = aiops_command()
        .args(["render", "aie1p-ces-*", "--out"])
        .arg(dir.path().join("x.png"))
        .env("AIOPS_FONT_FAMILY", "No Such Font")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("'No Such Font' not found") && err.contains("fonts-wqy-microhei"),
        "{err}"
    );
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn cli_render_on_a_machine_without_fonts_draws_with_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.path().join("no fonts here");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("ces.png");
    let run = aiops_command()
        .args(["render", "aie1p-ces-*", "--depth", "2", "--out"])
        .arg(&out)
        .env("AIOPS_FONT_DIRS", &empty)
        .env_remove("AIOPS_FONT_FAMILY")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("font Noto Sans CJK SC, built in"), "{said}");
    let (w, h, rgba) = decode(&std::fs::read(&out).unwrap_or_else(|e| panic!("{e}")));
    assert!(w > 500 && h > 500 && ink(&rgba) > 10_000, "{w}×{h}");
}
