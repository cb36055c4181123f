//! Pictures that never mislead (issue 12), checked on the laid-out shapes, not on pixels: for
//! every diagram the suite draws, no edge passes through a box that is not one of its ends, no
//! edge label overlaps another or a box, and the crossings stay within a stored bound, which is
//! what Graphviz `dot` draws for the same diagram (one test runs `dot` to keep the bounds
//! honest). Small diagrams read at Discord's 550 px preview and keep an aspect between 2:1 and
//! 1:2. Fonts are the built-in ones, so the figures are the same on every machine.
//!
//! Needs Graphviz for the `dot` comparison (`.ci/install-render-deps` installs it).

use aiops_commands::{self as commands, Context};
use aiops_core::diagram::{Diagram, DiagramEdge, DiagramNode, NodeClass};
use aiops_core::graph::ResourceKind;
use aiops_core::query::Direction;
use aiops_core::render::{self, Fonts, Geometry};
use std::io::Write as _;
use std::process::{Command, Stdio};

fn node(lines: &[&str], class: NodeClass, group: Option<ResourceKind>) -> DiagramNode {
    DiagramNode {
        key: lines[0].to_string(),
        lines: lines.iter().map(|s| s.to_string()).collect(),
        class,
        group,
    }
}

fn edge(from: usize, to: usize, label: Option<&str>, dashed: bool, doubtful: bool) -> DiagramEdge {
    DiagramEdge {
        from,
        to,
        label: label.map(str::to_string),
        dashed,
        doubtful,
    }
}

/// An inventory that is not the seed: another team prefix, other roles, effects of an impact
/// and a doubtful relation, two components.
fn other_team() -> Diagram {
    let nodes = vec![
        node(
            &["ops7-gateway-m5-01 ×3", "入口网关"],
            NodeClass::Selected,
            None,
        ),
        node(
            &["ops7-orders-api-c6i", "订单服务"],
            NodeClass::Broken,
            None,
        ),
        node(
            &["ops7-billing-worker", "计费任务"],
            NodeClass::Degraded,
            None,
        ),
        node(&["ops7-report-batch", "报表"], NodeClass::CutOff, None),
        node(&["ops7-search-es-r6g", "搜索"], NodeClass::PartlyFed, None),
        node(&["ops7-admin-web", "后台"], NodeClass::Exposed, None),
        node(
            &["ops7-legacy-ftp", "旧文件传输"],
            NodeClass::Doubtful,
            None,
        ),
        node(
            &["RDS orders"],
            NodeClass::External,
            Some(ResourceKind::Database),
        ),
        node(
            &["Redis cart"],
            NodeClass::External,
            Some(ResourceKind::Cache),
        ),
        node(&["ops7-island-a", "孤岛 A"], NodeClass::Instance, None),
        node(&["ops7-island-b", "孤岛 B"], NodeClass::Instance, None),
    ];
    let edges = vec![
        edge(0, 1, None, false, false),
        edge(0, 5, Some("经 WAF"), false, false),
        edge(1, 2, None, false, false),
        edge(1, 7, None, false, false),
        edge(1, 8, Some("可选"), true, false),
        edge(2, 3, None, false, false),
        edge(2, 4, None, false, false),
        edge(4, 7, None, false, false),
        edge(5, 6, None, false, true),
        edge(3, 7, Some("按需"), true, false),
        edge(9, 10, None, false, false),
        edge(10, 9, None, false, false),
    ];
    Diagram {
        nodes,
        edges,
        caption: String::new(),
    }
}

/// Every diagram the suite draws, by name, with the crossings `dot` draws for it (the bound).
fn diagrams() -> Vec<(&'static str, Diagram, usize)> {
    let topo = aiops_core::seed(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let ctx = Context::new(&topo, "seed");
    let diagram = |r: commands::Reply| r.diagram.unwrap_or_default();
    vec![
        (
            "impact spotdb",
            diagram(commands::impact(ctx, "spotdb", None)),
            3,
        ),
        (
            "deps 'aie1p-ces-*' --depth 2",
            diagram(commands::deps(ctx, "aie1p-ces-*", Direction::Both, 2)),
            5,
        ),
        (
            "deps 'aie1p-apisix-*' --depth 2",
            diagram(commands::deps(ctx, "aie1p-apisix-*", Direction::Both, 2)),
            22,
        ),
        (
            "impact kafka-server-01",
            diagram(commands::impact(ctx, "kafka-server-01", None)),
            8,
        ),
        ("the whole seed", Diagram::whole(&topo), 94),
        (
            "deps 'aie1p-ces-c52*'",
            diagram(commands::deps(ctx, "aie1p-ces-c52*", Direction::Both, 1)),
            2,
        ),
        ("another team's inventory", other_team(), 0),
    ]
}

fn fonts() -> Fonts {
    Fonts::embedded()
}

/// Tests run unoptimised on a shared machine; time is the benches' to measure.
fn budget() -> render::Budget {
    render::Budget {
        time: std::time::Duration::from_secs(60),
        ..render::Budget::default()
    }
}

#[test]
fn no_edge_passes_through_a_box_that_is_not_its_own() {
    let f = fonts();
    for (name, d, _) in diagrams() {
        let g = render::geometry(&d, &f);
        let bad: Vec<String> = g
            .intrusions()
            .into_iter()
            .map(|(e, b)| {
                let e = &d.edges[e];
                format!(
                    "{} → {} runs through {}",
                    d.nodes[e.from].lines[0], d.nodes[e.to].lines[0], d.nodes[b].lines[0]
                )
            })
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
        // Every edge is drawn, from its own source's box to its own target's.
        for (i, (a, b, pts)) in g.edges.iter().enumerate() {
            let (first, last) = (pts[0], pts[pts.len() - 1]);
            let on = |r: &[f32; 4], p: (f32, f32)| {
                p.0 >= r[0] - 0.5 && p.0 <= r[2] + 0.5 && p.1 >= r[1] - 0.5 && p.1 <= r[3] + 0.5
            };
            assert!(
                on(&g.boxes[*a], first) && on(&g.boxes[*b], last),
                "{name}: edge {i} starts at {first:?} / ends at {last:?}, boxes {:?} {:?}",
                g.boxes[*a],
                g.boxes[*b]
            );
        }
    }
}

#[test]
fn edge_labels_overlap_neither_each_other_nor_a_box() {
    let f = fonts();
    for (name, d, _) in diagrams() {
        let g = render::geometry(&d, &f);
        let labelled = d
            .edges
            .iter()
            .filter(|e| e.label.is_some() || e.doubtful)
            .count();
        assert_eq!(g.labels.len(), labelled, "{name}: every label is drawn");
        assert_eq!(g.label_overlaps(), 0, "{name}: labels {:?}", g.labels);
    }
}

/// Four boxes in a square and two lines between the opposite corners, drawn as `lines`.
fn two_lines(lines: [Vec<(f32, f32)>; 2]) -> Geometry {
    let [a, b] = lines;
    Geometry {
        width: 100.0,
        height: 100.0,
        boxes: vec![[0.0; 4]; 4],
        edges: vec![(0, 1, a), (2, 3, b)],
        ..Geometry::default()
    }
}

#[test]
fn lines_that_meet_anywhere_count_as_a_crossing() {
    // Crossing inside both pieces.
    let x = two_lines([
        vec![(0.0, 0.0), (100.0, 100.0)],
        vec![(0.0, 100.0), (100.0, 0.0)],
    ]);
    assert_eq!(x.crossings(), 1);
    // Both flattened through the same knot, as dot's curves can be: an X all the same.
    let knot = two_lines([
        vec![(0.0, 0.0), (50.0, 50.0), (100.0, 100.0)],
        vec![(0.0, 100.0), (50.0, 50.0), (100.0, 0.0)],
    ]);
    assert_eq!(knot.crossings(), 1);
    // One passing through a knot of the other, and one running along the other for a while.
    let through = two_lines([
        vec![(0.0, 50.0), (100.0, 50.0)],
        vec![(50.0, 0.0), (50.0, 50.0), (60.0, 100.0)],
    ]);
    assert_eq!(through.crossings(), 1);
    let along = two_lines([
        vec![(0.0, 50.0), (100.0, 50.0)],
        vec![(20.0, 0.0), (30.0, 50.0), (60.0, 50.0), (70.0, 100.0)],
    ]);
    assert_eq!(along.crossings(), 1);
    // Apart, and in one line without overlapping.
    let apart = two_lines([
        vec![(0.0, 0.0), (100.0, 0.0)],
        vec![(0.0, 10.0), (100.0, 10.0)],
    ]);
    assert_eq!(apart.crossings(), 0);
    let in_line = two_lines([
        vec![(0.0, 0.0), (40.0, 0.0)],
        vec![(50.0, 0.0), (90.0, 0.0)],
    ]);
    assert_eq!(in_line.crossings(), 0);
    // Two lines of one box never count.
    let mut shared = x.clone();
    shared.edges[1].0 = 0;
    assert_eq!(shared.crossings(), 0);
}

#[test]
fn crossings_stay_within_what_dot_draws() {
    let f = fonts();
    for (name, d, dot) in diagrams() {
        let g = render::geometry(&d, &f);
        let c = g.crossings();
        assert!(c <= dot, "{name}: {c} crossings, dot draws {dot}");
    }
}

#[test]
fn small_diagrams_read_at_discord_preview_width() {
    let f = fonts();
    for (name, d, _) in diagrams() {
        if d.nodes.len() > 15 {
            continue;
        }
        let g = render::geometry(&d, &f);
        let px = g.text_px_at(550.0);
        assert!(px >= 10.0, "{name}: text {px:.1} px at 550 px wide");
        let a = g.aspect();
        assert!((0.5..=2.0).contains(&a), "{name}: aspect {a:.2}");
    }
}

/// The size text is drawn at in the real picture: each font size the SVG writes, scaled to the
/// PNG's own width (read from its header), then shown 550 px wide as Discord's preview does.
#[test]
fn small_diagrams_png_text_is_at_least_10_px_when_shown_550_px_wide() {
    let f = fonts();
    let attr = |text: &str, name: &str| -> Option<f32> {
        let at = text.find(&format!(" {name}=\""))? + name.len() + 3;
        text[at..].split('"').next()?.parse().ok()
    };
    for (name, d, _) in diagrams() {
        if d.nodes.len() > 15 {
            continue;
        }
        let svg = render::to_svg(&d, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
        let png = render::to_png(&d, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&png[12..16], b"IHDR", "{name}: not a PNG");
        let png_w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]) as f32;
        let svg_w = attr(&svg, "width").unwrap_or_else(|| panic!("{name}: no SVG width"));
        // Drawn at 1.5× its layout: Discord shrinks it to the preview rather than enlarging it.
        assert!(
            png_w >= (svg_w * 1.5).floor() && png_w > 550.0,
            "{name}: a {png_w} px wide PNG of a {svg_w} px wide layout"
        );
        let sizes: Vec<f32> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| attr(t, "font-size"))
            .collect();
        assert!(!sizes.is_empty(), "{name}: no text");
        let smallest = sizes.iter().copied().fold(f32::MAX, f32::min);
        let in_png = smallest * png_w / svg_w;
        let shown = in_png * 550.0 / png_w;
        assert!(
            shown >= 10.0,
            "{name}: {smallest} px text, {in_png:.1} px in the {png_w} px wide PNG, {shown:.1} px at 550"
        );
    }
}

#[test]
fn bigger_diagrams_say_to_open_them_full_size() {
    let f = fonts();
    let (_, whole, _) = diagrams().swap_remove(4);
    let svg = render::to_svg(&whole, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.contains("open the picture full size"), "{svg}");
    let (_, small, _) = diagrams().swap_remove(0);
    let svg = render::to_svg(&small, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!svg.contains("open the picture full size"));
}

#[test]
fn the_common_name_prefix_is_said_once_in_the_caption() {
    let f = fonts();
    let d = other_team();
    assert_eq!(d.common_name_prefix().as_deref(), Some("ops7-"));
    let svg = render::to_svg(&d, &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(svg.matches("ops7-").count(), 1, "{svg}");
    assert!(svg.contains("gateway-m5-01") && svg.contains("common prefix &quot;ops7-&quot;"));
    // A name outside the prefix keeps every name whole.
    let mut mixed = d.clone();
    mixed
        .nodes
        .push(node(&["billing-x"], NodeClass::Instance, None));
    assert_eq!(mixed.common_name_prefix(), None);
}

#[test]
fn each_effect_is_drawn_its_own_way_with_a_legend() {
    let f = fonts();
    let svg = render::to_svg(&other_team(), &f, &budget()).unwrap_or_else(|e| panic!("{e}"));
    let mut styles = Vec::new();
    for class in [
        NodeClass::Selected,
        NodeClass::Broken,
        NodeClass::Degraded,
        NodeClass::CutOff,
        NodeClass::PartlyFed,
        NodeClass::Exposed,
        NodeClass::Doubtful,
    ] {
        let (name, style) = class.mermaid();
        assert!(
            svg.contains(&format!("legend-item {name}\"")),
            "no legend for {name}"
        );
        let word = class.legend().unwrap_or_default();
        assert!(svg.contains(&format!(">{word}</text>")), "no word {word}");
        styles.push(style);
    }
    let mut unique = styles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), styles.len(), "two effects look alike");
    // The doubtful relation: dotted, with a note and its own legend line.
    assert!(svg.contains(r#"class="edge doubtful""#));
    assert!(svg.contains("legend-item doubtful-edge"));
    assert!(other_team().to_mermaid().contains("linkStyle 8 "));
}

/// A straight conversion of the diagram to DOT: the same boxes, lines and labels, left to
/// right as our Mermaid says.
fn to_dot(d: &Diagram) -> String {
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from(
        "digraph g {\n rankdir=LR;\n node [shape=box, fontname=\"Noto Sans CJK SC\", fontsize=14];\n edge [fontsize=13];\n",
    );
    for (i, n) in d.nodes.iter().enumerate() {
        let label = n.lines.iter().map(|l| q(l)).collect::<Vec<_>>().join("\\n");
        out.push_str(&format!(" n{} [label=\"{label}\"];\n", i + 1));
    }
    for e in &d.edges {
        let label = e
            .label
            .as_deref()
            .map(|l| format!(" [label=\"{}\"]", q(l)))
            .unwrap_or_default();
        out.push_str(&format!(" n{} -> n{}{label};\n", e.from + 1, e.to + 1));
    }
    out.push_str("}\n");
    out
}

/// `dot -Tplain`'s layout as shapes: boxes from node lines, edges from their B-spline control
/// points (cubic Bézier pieces), flattened like ours.
fn dot_geometry(d: &Diagram) -> Geometry {
    let mut child = Command::new("dot")
        .arg("-Tplain")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running dot: {e} (run .ci/install-render-deps)"));
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(to_dot(d).as_bytes()))
        .transpose()
        .unwrap_or_else(|e| panic!("{e}"));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "dot failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let num = |s: &str| s.parse::<f32>().unwrap_or_else(|e| panic!("{s}: {e}"));
    let mut g = Geometry {
        boxes: vec![[0.0; 4]; d.nodes.len()],
        ..Geometry::default()
    };
    let id = |s: &str| {
        s.trim_start_matches('n')
            .parse::<usize>()
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            - 1
    };
    for line in text.lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        match t.first().copied() {
            Some("graph") => {
                g.width = num(t[2]) * 72.0;
                g.height = num(t[3]) * 72.0;
            }
            Some("node") => {
                let (x, y, w, h) = (num(t[2]), num(t[3]), num(t[4]), num(t[5]));
                g.boxes[id(t[1])] = [
                    (x - w / 2.0) * 72.0,
                    (y - h / 2.0) * 72.0,
                    (x + w / 2.0) * 72.0,
                    (y + h / 2.0) * 72.0,
                ];
            }
            Some("edge") => {
                let n: usize = t[3].parse().unwrap_or(0);
                let p: Vec<(f32, f32)> = (0..n)
                    .map(|k| (num(t[4 + 2 * k]) * 72.0, num(t[5 + 2 * k]) * 72.0))
                    .collect();
                let mut pts = vec![p[0]];
                for c in p[1..].chunks(3) {
                    if c.len() < 3 {
                        break;
                    }
                    let a = pts[pts.len() - 1];
                    for s in 1..=12 {
                        let t = s as f32 / 12.0;
                        let u = 1.0 - t;
                        let f = |i: usize| -> f32 {
                            let v = |q: (f32, f32)| if i == 0 { q.0 } else { q.1 };
                            u * u * u * v(a)
                                + 3.0 * u * u * t * v(c[0])
                                + 3.0 * u * t * t * v(c[1])
                                + t * t * t * v(c[2])
                        };
                        pts.push((f(0), f(1)));
                    }
                }
                g.edges.push((id(t[1]), id(t[2]), pts));
            }
            _ => {}
        }
    }
    g
}

#[test]
fn the_stored_bounds_are_what_dot_draws_and_we_draw_no_more() {
    let f = fonts();
    let mut table = String::new();
    let mut wrong = Vec::new();
    for (name, d, bound) in diagrams() {
        let dot = dot_geometry(&d);
        let ours = render::geometry(&d, &f);
        let (c_dot, c_ours) = (dot.crossings(), ours.crossings());
        table.push_str(&format!(
            "| {name} | {}/{} | {}/{} | {c_ours}/{c_dot} | {:.2} | {:.1} |\n",
            d.nodes.len(),
            d.edges.len(),
            ours.intrusions().len(),
            dot.intrusions().len(),
            ours.aspect(),
            ours.text_px_at(550.0),
        ));
        if c_dot != bound {
            wrong.push(format!(
                "{name}: dot draws {c_dot}, the stored bound is {bound}"
            ));
        }
        if c_ours > c_dot {
            wrong.push(format!("{name}: {c_ours} crossings against dot's {c_dot}"));
        }
    }
    // The rows of the README's table (run with --nocapture to see them).
    println!("{table}");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
