//! One function per command. Each validates its input, runs the query, and builds the reply.

use crate::{t, Context, Lang, Reply, Status};
use aiops_core::diagram::{Diagram, DiagramEdge, DiagramNode, Highlights, NodeClass};
use aiops_core::graph::{NodeKind, Topology};
use aiops_core::lint::{compare_diagram, lint as lint_sheet};
use aiops_core::query::{self, Direction};
use serde_json::{json, Value};

/// Diagrams show at most this many nodes; the rest is summarised in the caption.
pub const DIAGRAM_NODE_CAP: usize = 60;

pub(crate) fn kind_text_in(lang: Lang, topo: &Topology, id: &str) -> String {
    match topo.node(id) {
        Some(n) if n.kind == NodeKind::External => match n.resource {
            Some(r) => t(lang, &format!("external · {}", r.label())),
            None => t(lang, "external"),
        },
        Some(n) => n.role.clone(),
        None => String::new(),
    }
}

pub(crate) fn name_with_count(id: &str, count: u32) -> String {
    if count > 1 {
        format!("{id} ×{count}")
    } else {
        id.to_string()
    }
}

/// Caps a view at [`DIAGRAM_NODE_CAP`] nodes, keeping the nearest; says how many were left out.
pub(crate) fn capped_view(topo: &Topology, ordered: Vec<usize>, hl: &Highlights) -> Diagram {
    let total = ordered.len();
    let mut keep = ordered;
    let dropped: Vec<usize> = keep.split_off(keep.len().min(DIAGRAM_NODE_CAP));
    let mut d = Diagram::view(topo, &keep, hl);
    if dropped.is_empty() {
        return d;
    }
    // Fold what was left out into a "+N more" box on each side (what the kept nodes call, and
    // what calls them), linked from every kept node it hangs off, so the picture shows where the
    // rest continues without drawing it.
    let dropped_set: std::collections::HashSet<usize> = dropped.iter().copied().collect();
    let mut kept: Vec<usize> = keep.clone();
    kept.sort_unstable();
    for outgoing in [true, false] {
        let mut far: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut links: Vec<usize> = Vec::new();
        for (pos, &i) in kept.iter().enumerate() {
            let next: Vec<usize> = if outgoing {
                topo.outgoing(i)
                    .map(|(j, _)| j)
                    .filter(|j| dropped_set.contains(j))
                    .collect()
            } else {
                topo.incoming(i)
                    .map(|(j, _)| j)
                    .filter(|j| dropped_set.contains(j))
                    .collect()
            };
            if !next.is_empty() {
                far.extend(next);
                links.push(pos);
            }
        }
        if far.is_empty() {
            continue;
        }
        let fold = d.nodes.len();
        let side = if outgoing { "downstream" } else { "upstream" };
        d.nodes.push(DiagramNode {
            key: format!("+{} more {side}", far.len()),
            lines: vec![format!("+{} more", far.len()), side.to_string()],
            class: NodeClass::External,
            group: None,
        });
        for pos in links {
            let (from, to) = if outgoing { (pos, fold) } else { (fold, pos) };
            d.edges.push(DiagramEdge {
                from,
                to,
                label: None,
                dashed: true,
            });
        }
    }
    d.caption = format!(
        "Diagram shows the nearest {DIAGRAM_NODE_CAP} of {total} nodes; the other {} farther away are folded into \"+N more\" boxes.",
        dropped.len()
    );
    d
}

/// `deps PATTERN [--up|--down] [--depth N]`
pub fn deps(ctx: Context, pattern: &str, dir: Direction, depth: u32) -> Reply {
    let sel = match query::select(ctx.topo, pattern) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e),
    };
    let entries = query::deps(ctx.topo, &sel, dir, depth);
    let mut r = Reply::new(format!(
        "deps {pattern}: {} match{}",
        entries.len(),
        if entries.len() == 1 { "" } else { "es" }
    ));
    let mut order: Vec<usize> = sel.clone();
    for e in &entries {
        let head = match e.kind {
            NodeKind::Instance => format!("{} — {}", name_with_count(&e.id, e.count), e.role),
            NodeKind::External => format!("{} — {}", e.id, kind_text_in(ctx.lang, ctx.topo, &e.id)),
        };
        r = r.heading(head);
        for (label, list, arrow) in [
            ("upstream", &e.upstream, "←"),
            ("downstream", &e.downstream, "→"),
        ] {
            if dir == Direction::Down && label == "upstream"
                || dir == Direction::Up && label == "downstream"
            {
                continue;
            }
            r = r.text(format!("{} ({})", t(ctx.lang, label), list.len()));
            let rows = list
                .iter()
                .map(|n| {
                    let mut flags = Vec::new();
                    if n.optional {
                        flags.push(t(ctx.lang, "optional"));
                    }
                    if n.on_demand {
                        flags.push(t(ctx.lang, "on demand"));
                    }
                    if !n.via.is_empty() {
                        flags.push(format!("{} {}", t(ctx.lang, "via"), n.via.join("/")));
                    }
                    if n.ambiguous {
                        flags.push(t(ctx.lang, "ambiguous"));
                    }
                    if n.hops > 1 {
                        flags.push(format!("{} {}", n.hops, t(ctx.lang, "hops")));
                    }
                    vec![
                        format!("  {arrow} {}", name_with_count(&n.id, n.count)),
                        kind_text_in(ctx.lang, ctx.topo, &n.id),
                        flags.join(", "),
                    ]
                })
                .collect();
            r = r.table(rows);
            for n in list.iter() {
                if let Some(i) = ctx.topo.index(&n.id) {
                    order.push(i);
                }
            }
        }
    }
    order.dedup();
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights {
            selected: sel,
            impacted: Vec::new(),
        },
    ));
    r.json = json!({ "matched": entries });
    r
}

/// `impact PATTERN [--depth N]`
pub fn impact(ctx: Context, pattern: &str, depth: Option<u32>) -> Reply {
    let sel = match query::select(ctx.topo, pattern) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e),
    };
    let im = query::impact(ctx.topo, &sel, depth);
    let breaks: Vec<_> = im
        .impacted
        .iter()
        .filter(|i| i.side == query::Side::Upstream)
        .collect();
    let starves: Vec<_> = im
        .impacted
        .iter()
        .filter(|i| i.side == query::Side::Downstream)
        .collect();
    let mut r = Reply::new(format!(
        "impact {pattern}: {} target{} fail → {} break upstream, {} starve downstream, {} entry point{} hit",
        im.targets.len(),
        if im.targets.len() == 1 { "" } else { "s" },
        breaks.len(),
        starves.len(),
        im.entry_points.len(),
        if im.entry_points.len() == 1 { "" } else { "s" },
    ));
    r = r.heading(t(ctx.lang, "Targets")).table(
        sel.iter()
            .map(|&i| {
                let n = &ctx.topo.nodes()[i];
                let red = if n.count > 1 {
                    format!(
                        "pool ×{}: {}",
                        n.count,
                        t(ctx.lang, "replicas remain if one node fails")
                    )
                } else if n.kind == NodeKind::Instance {
                    t(ctx.lang, "single instance: no redundancy")
                } else {
                    String::new()
                };
                vec![
                    format!("  ✖ {}", n.id),
                    kind_text_in(ctx.lang, ctx.topo, &n.id),
                    red,
                ]
            })
            .collect(),
    );
    for (title, list) in [
        ("Who breaks (upstream callers)", &breaks),
        ("Who starves (downstream)", &starves),
    ] {
        r = r.heading(format!("{}: {}", t(ctx.lang, title), list.len()));
        r = r.table(
            list.iter()
                .map(|i| {
                    let mut notes = Vec::new();
                    if i.redundant {
                        notes.push(t(ctx.lang, "redundant"));
                    }
                    if i.soft {
                        notes.push(t(ctx.lang, "degraded only (optional/on-demand link)"));
                    }
                    vec![
                        format!(
                            "  {} {}",
                            i.hops,
                            t(ctx.lang, if i.hops == 1 { "hop" } else { "hops" })
                        ),
                        name_with_count(&i.id, i.count),
                        kind_text_in(ctx.lang, ctx.topo, &i.id),
                        notes.join(", "),
                    ]
                })
                .collect(),
        );
    }
    r = r.heading(format!(
        "{}: {}",
        t(ctx.lang, "Entry points hit"),
        im.entry_points.len()
    ));
    if !im.entry_points.is_empty() {
        r = r.text(im.entry_points.join(", "));
    }
    let mut order: Vec<usize> = sel.clone();
    let mut by_hops: Vec<&query::Impacted> = im.impacted.iter().collect();
    by_hops.sort_by_key(|i| i.hops);
    let impacted: Vec<usize> = by_hops
        .iter()
        .filter_map(|i| ctx.topo.index(&i.id))
        .collect();
    order.extend(impacted.iter().copied());
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights {
            selected: sel,
            impacted,
        },
    ));
    r.json = serde_json::to_value(&im).unwrap_or(Value::Null);
    r
}

/// `whois NAME`
pub fn whois(ctx: Context, name: &str) -> Reply {
    let sel = match query::select(ctx.topo, name) {
        Ok(s) => s,
        Err(e) => return Reply::query_error(&e),
    };
    let mut r = Reply::new(format!("whois {name}"));
    let mut items = Vec::new();
    let mut order = sel.clone();
    for &i in &sel {
        let n = &ctx.topo.nodes()[i];
        let sorted_ids = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.into_iter()
                .map(|j| ctx.topo.nodes()[j].id.clone())
                .collect::<Vec<String>>()
        };
        let ups = sorted_ids(ctx.topo.incoming(i).map(|(j, _)| j).collect());
        let downs = sorted_ids(ctx.topo.outgoing(i).map(|(j, _)| j).collect());
        order.extend(ctx.topo.incoming(i).map(|(j, _)| j));
        order.extend(ctx.topo.outgoing(i).map(|(j, _)| j));
        let dash = |s: &str| {
            if s.is_empty() {
                "—".to_string()
            } else {
                s.to_string()
            }
        };
        r = r.heading(n.id.clone());
        let mut rows = vec![];
        match n.kind {
            NodeKind::Instance => {
                rows.push(vec!["  role".into(), dash(&n.role)]);
                rows.push(vec!["  owner".into(), dash(&n.owner)]);
                rows.push(vec![
                    "  pool size".into(),
                    if n.count > 1 {
                        format!("{} nodes", n.count)
                    } else {
                        "1 (single instance)".into()
                    },
                ]);
                rows.push(vec![
                    "  environment".into(),
                    if n.env.is_empty() {
                        "production (default)".into()
                    } else {
                        n.env.clone()
                    },
                ]);
                if !n.instance_id.is_empty() {
                    rows.push(vec!["  instance id".into(), n.instance_id.clone()]);
                }
                if !n.notes.is_empty() {
                    rows.push(vec!["  notes".into(), n.notes.clone()]);
                }
                for (k, v) in &n.attributes {
                    rows.push(vec![format!("  {k}"), v.clone()]);
                }
                rows.push(vec![
                    "  sheet rows".into(),
                    n.rows
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            NodeKind::External => {
                rows.push(vec![
                    "  kind".into(),
                    kind_text_in(ctx.lang, ctx.topo, &n.id),
                ]);
                if !n.spellings.is_empty() {
                    rows.push(vec!["  also written".into(), n.spellings.join(", ")]);
                }
            }
        }
        rows.push(vec![
            format!("  upstream ({})", ups.len()),
            dash(&ups.join(", ")),
        ]);
        rows.push(vec![
            format!("  downstream ({})", downs.len()),
            dash(&downs.join(", ")),
        ]);
        r = r.table(rows);
        items.push(json!({
            "id": n.id, "kind": n.kind, "role": n.role, "count": n.count, "owner": n.owner,
            "env": n.env, "notes": n.notes, "instance_id": n.instance_id, "resource": n.resource,
            "attributes": n.attributes, "rows": n.rows, "upstream": ups, "downstream": downs,
        }));
    }
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights {
            selected: sel,
            impacted: vec![],
        },
    ));
    r.json = json!({ "matched": items });
    r
}

fn list_reply(ctx: Context, title: String, hits: Vec<usize>, empty: String) -> Reply {
    if hits.is_empty() {
        return Reply::user_error(Status::NotFound, empty);
    }
    let mut r = Reply::new(title);
    r = r.table(
        hits.iter()
            .map(|&i| {
                let n = &ctx.topo.nodes()[i];
                vec![
                    format!("  {}", name_with_count(&n.id, n.count)),
                    n.role.clone(),
                    n.owner.clone(),
                ]
            })
            .collect(),
    );
    r.json = json!({ "matched": hits.iter().map(|&i| {
        let n = &ctx.topo.nodes()[i];
        json!({"id": n.id, "kind": n.kind, "role": n.role, "count": n.count, "owner": n.owner})
    }).collect::<Vec<_>>() });
    r.diagram = Some(capped_view(
        ctx.topo,
        hits.clone(),
        &Highlights {
            selected: hits,
            impacted: vec![],
        },
    ));
    r
}

/// `role TEXT`: instances whose role contains the text.
pub fn role(ctx: Context, text: &str) -> Reply {
    let hits = query::by_role(ctx.topo, text);
    let n = hits.len();
    list_reply(
        ctx,
        format!("role {text}: {n} instance{}", if n == 1 { "" } else { "s" }),
        hits,
        format!("no instance has a role containing '{text}'"),
    )
}

/// `owner TEXT`: instances whose owner contains the text.
pub fn owner(ctx: Context, text: &str) -> Reply {
    let hits = query::by_owner(ctx.topo, text);
    let n = hits.len();
    let has_owners = ctx.topo.nodes().iter().any(|n| !n.owner.is_empty());
    let empty = if has_owners {
        format!("no instance has an owner containing '{text}'")
    } else {
        "the inventory has no owner column (负责人/Owner); add one to answer owner questions"
            .to_string()
    };
    list_reply(
        ctx,
        format!(
            "owner {text}: {n} instance{}",
            if n == 1 { "" } else { "s" }
        ),
        hits,
        empty,
    )
}

/// Most paths shown by `path`.
pub const PATH_LIMIT: usize = 10;
const PATH_MAX_HOPS: usize = 8;

/// `path FROM TO`: dependency paths following traffic; if none, the reverse direction.
pub fn path(ctx: Context, from: &str, to: &str) -> Reply {
    let (a, b) = match (query::select(ctx.topo, from), query::select(ctx.topo, to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Reply::query_error(&e),
    };
    let mut found = query::paths(ctx.topo, &a, &b, PATH_LIMIT, PATH_MAX_HOPS);
    let mut reversed = false;
    if found.is_empty() {
        found = query::paths(ctx.topo, &b, &a, PATH_LIMIT, PATH_MAX_HOPS);
        reversed = !found.is_empty();
    }
    let mut r = Reply::new(if found.is_empty() {
        format!("path {from} → {to}: no dependency path within {PATH_MAX_HOPS} hops, in either direction")
    } else if reversed {
        format!(
            "path {from} → {to}: none that way; {} path(s) the other way, {to} → {from}",
            found.len()
        )
    } else {
        format!("path {from} → {to}: {} path(s)", found.len())
    });
    for p in &found {
        r = r.text(p.join(" → "));
    }
    let mut order: Vec<usize> = Vec::new();
    for p in &found {
        order.extend(p.iter().filter_map(|id| ctx.topo.index(id)));
    }
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    let mut ends = a.clone();
    ends.extend(&b);
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights {
            selected: ends,
            impacted: vec![],
        },
    ));
    r.json = json!({ "from": from, "to": to, "reversed": reversed, "paths": found });
    r
}

/// `spof`: single points of failure, ranked.
pub fn spof(ctx: Context) -> Reply {
    let list = query::spof(ctx.topo);
    let mut r = Reply::new(format!(
        "spof: {} component(s) whose loss cuts entry points or callers off",
        list.len()
    ));
    r = r.table(
        list.iter()
            .enumerate()
            .map(|(k, s)| {
                let shown: Vec<&str> = s.cut_off.iter().take(4).map(String::as_str).collect();
                let more = if s.cut_off.len() > 4 {
                    format!(" …and {} more", s.cut_off.len() - 4)
                } else {
                    String::new()
                };
                vec![
                    format!("  {}.", k + 1),
                    name_with_count(&s.id, s.count),
                    if s.redundant {
                        "pool, has replicas".into()
                    } else {
                        "single".into()
                    },
                    format!(
                        "{} entry point(s), {} caller(s)",
                        s.entry_points.len(),
                        s.dependents
                    ),
                    if s.cut_off.is_empty() {
                        String::new()
                    } else {
                        format!("cuts off {}: {}{more}", s.cut_off.len(), shown.join(", "))
                    },
                ]
            })
            .collect(),
    );
    let selected: Vec<usize> = list
        .iter()
        .filter(|s| !s.redundant)
        .filter_map(|s| ctx.topo.index(&s.id))
        .collect();
    let impacted: Vec<usize> = list
        .iter()
        .flat_map(|s| s.cut_off.iter())
        .filter_map(|id| ctx.topo.index(id))
        .collect();
    let mut order = selected.clone();
    order.extend(list.iter().filter_map(|s| ctx.topo.index(&s.id)));
    order.extend(impacted.iter().copied());
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    r.diagram = Some(capped_view(
        ctx.topo,
        order,
        &Highlights { selected, impacted },
    ));
    r.json = json!({ "spofs": list });
    r
}

/// `export`: the whole resolved graph.
/// The whole resolved graph. Builds only the parts the caller asked for: on a 100k-row
/// inventory each of them is hundreds of megabytes.
pub fn export(ctx: Context) -> Reply {
    let t = ctx.topo;
    let n_inst = t.instance_count();
    let mut r = Reply::new(format!(
        "{}: {} instances, {} external nodes, {} relations, {} diagnostics",
        ctx.source,
        n_inst,
        t.nodes().len() - n_inst,
        t.edges().len(),
        t.diagnostics().len()
    ));
    if ctx.parts.text {
        r = export_text(r, t);
    }
    if ctx.parts.json {
        // Small inventories only need this; `write_export_json` streams big ones.
        r.json = serde_json::to_value(ExportJson(t)).unwrap_or(Value::Null);
    }
    if ctx.parts.diagram {
        let mut d = Diagram::whole(t);
        if t.nodes().len() > DIAGRAM_NODE_CAP {
            d.caption = format!(
                "Whole graph: {} nodes (over the {DIAGRAM_NODE_CAP}-node reading cap).",
                t.nodes().len()
            );
        }
        r.diagram = Some(d);
    }
    r
}

/// Writes `export`'s JSON (the shape in the README) straight to `out`, pretty-printed, without
/// building it in memory first: the 100k-row graph is 150 MB of JSON, and as a value tree it
/// took 1.4 GB. Byte for byte what printing `export(…).json` gives.
pub fn write_export_json(topo: &Topology, out: impl std::io::Write) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(out, &ExportJson(topo))
}

/// `export`'s JSON, serialized from the topology as it goes. Keys are in alphabetical order,
/// as a `serde_json::Value` would print them.
struct ExportJson<'a>(&'a Topology);

impl serde::Serialize for ExportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(serde::Serialize)]
        struct ExportNode<'a> {
            count: u32,
            env: &'a str,
            id: &'a str,
            kind: NodeKind,
            owner: &'a str,
            role: &'a str,
        }
        #[derive(serde::Serialize)]
        struct ExportSource<'a> {
            column: &'a str,
            row: u32,
            sheet: &'a str,
            text: &'a str,
        }
        #[derive(serde::Serialize)]
        struct ExportEdge<'a> {
            ambiguous: bool,
            from: &'a str,
            note: Option<&'a str>,
            on_demand: bool,
            optional: bool,
            source: ExportSource<'a>,
            to: &'a str,
            via: &'a [String],
        }
        struct Seq<I>(std::cell::Cell<Option<I>>);
        impl<I: Iterator<Item = T>, T: serde::Serialize> serde::Serialize for Seq<I> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.0.take() {
                    Some(items) => s.collect_seq(items),
                    None => s.collect_seq(std::iter::empty::<T>()),
                }
            }
        }
        let t = self.0;
        let nodes = t.nodes().iter().map(|n| ExportNode {
            count: n.count,
            env: &n.env,
            id: &n.id,
            kind: n.kind,
            owner: &n.owner,
            role: &n.role,
        });
        let edges = t.edges().iter().map(|e| ExportEdge {
            ambiguous: e.ambiguous,
            from: &e.from,
            note: e.note.as_deref(),
            on_demand: e.on_demand,
            optional: e.optional,
            source: ExportSource {
                column: &e.source.column,
                row: e.source.row,
                sheet: &e.source.sheet,
                text: &e.source.text,
            },
            to: &e.to,
            via: &e.via,
        });
        // Diagnostics are few: through a value, so their keys come out sorted too.
        let diagnostics =
            serde_json::to_value(t.diagnostics()).map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("Export", 3)?;
        st.serialize_field("diagnostics", &diagnostics)?;
        st.serialize_field("edges", &Seq(std::cell::Cell::new(Some(edges))))?;
        st.serialize_field("nodes", &Seq(std::cell::Cell::new(Some(nodes))))?;
        st.end()
    }
}

fn export_text(mut r: Reply, t: &Topology) -> Reply {
    r = r.heading("Instances").table(
        t.nodes()
            .iter()
            .filter(|n| n.is_instance())
            .map(|n| {
                vec![
                    format!("  {}", name_with_count(&n.id, n.count)),
                    n.role.clone(),
                    n.owner.clone(),
                ]
            })
            .collect(),
    );
    r = r.heading("Relations").table(
        t.edges()
            .iter()
            .map(|e| {
                vec![
                    format!("  {}", e.from),
                    "→".into(),
                    e.to.to_string(),
                    e.flags_text(),
                    format!(
                        "row {} col {}: {}",
                        e.source.row, e.source.column, e.source.word
                    ),
                ]
            })
            .collect(),
    );
    if !t.diagnostics().is_empty() {
        r = r.heading("Diagnostics").text(
            t.diagnostics()
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    r
}

/// `lint [--diagram NAME TEXT]`: what to fix in the sheet, and how a drawing differs from it.
pub fn lint(ctx: Context, diagram: Option<(&str, &str)>) -> Reply {
    let report = lint_sheet(ctx.topo);
    let mut r = Reply::new(format!(
        "lint {}: {} finding(s)",
        ctx.source,
        report.findings.len()
    ));
    let mut groups: Vec<(aiops_core::DiagKind, Vec<String>)> = Vec::new();
    for f in &report.findings {
        match groups.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, v)) => v.push(f.to_string()),
            None => groups.push((f.kind, vec![f.to_string()])),
        }
    }
    for (kind, lines) in &groups {
        r = r
            .heading(format!("{} ({})", kind_title(*kind), lines.len()))
            .text(lines.join("\n"));
    }
    let mut json = json!({ "findings": report.findings });
    if let Some((name, text)) = diagram {
        let d = match compare_diagram(ctx.topo, text) {
            Ok(d) => d,
            Err(e) => return Reply::user_error(Status::UserError, format!("{name}: {e}")),
        };
        r = r.heading(format!(
            "Diagram {name}: {} boxes, {} arrows; misses {} relation(s) the sheet states, draws {} it does not",
            d.drawn_nodes,
            d.drawn_edges,
            d.missing.len(),
            d.extra.len()
        ));
        r = r.text("Missing from the drawing:");
        r = r.table(
            d.missing
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        r = r.text("Drawn but not in the sheet:");
        r = r.table(
            d.extra
                .iter()
                .map(|e| vec![format!("  {}", e.from), "→".into(), e.to.clone()])
                .collect(),
        );
        if !d.unknown_nodes.is_empty() {
            r = r.text(format!(
                "Boxes that match nothing in the sheet: {}",
                d.unknown_nodes.join(", ")
            ));
        }
        json["diagram"] = serde_json::to_value(&d).unwrap_or(Value::Null);
    }
    r.json = json;
    r
}

fn kind_title(k: aiops_core::DiagKind) -> &'static str {
    use aiops_core::DiagKind::*;
    match k {
        SkippedRow => "Skipped rows",
        NonProduction => "Non-production rows left out",
        ConflictingDuplicate => "Conflicting duplicates",
        Unresolved => "Unresolved words (kept as external nodes)",
        Ambiguous => "Ambiguous words",
        PatternMatchedNothing => "Patterns that match nothing",
        AliasTarget => "Alias problems",
        OneSided => "One-sided relations",
        Encoding => "Text encoding",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::{load_bytes, synth, LoadOptions};

    #[test]
    fn export_builds_only_the_parts_asked_for() {
        let topo = aiops_core::seed(&LoadOptions::default()).unwrap();
        let ctx = |parts| Context {
            parts,
            ..Context::new(&topo, "seed")
        };
        let json = export(ctx(crate::Parts::JSON));
        assert_eq!(
            json.json["edges"].as_array().map(Vec::len),
            Some(topo.edges().len())
        );
        assert!(json.blocks.is_empty() && json.diagram.is_none());
        let text = export(ctx(crate::Parts::TEXT));
        assert!(text.to_text().contains("aie1p-ces-access"));
        assert!(text.json.is_null() && text.diagram.is_none());
        let picture = export(ctx(crate::Parts::DIAGRAM));
        assert!(picture
            .diagram
            .is_some_and(|d| d.nodes.len() == topo.nodes().len()));
        assert!(picture.blocks.is_empty() && picture.json.is_null());
        let all = export(Context::new(&topo, "seed"));
        assert!(!all.blocks.is_empty() && !all.json.is_null() && all.diagram.is_some());
    }

    #[test]
    fn streamed_export_json_is_the_reply_json_byte_for_byte() {
        let topo = aiops_core::seed(&LoadOptions::default()).unwrap();
        let mut streamed = Vec::new();
        write_export_json(&topo, &mut streamed).unwrap();
        let value = export(Context::new(&topo, "seed")).json;
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            crate::to_json_pretty(&value).unwrap()
        );
    }

    #[test]
    fn beyond_the_cap_far_nodes_fold_into_more_boxes() {
        let topo = load_bytes(
            "synthetic.csv",
            synth::csv(28 * 10).as_bytes(),
            &LoadOptions::default(),
        )
        .unwrap();
        let r = impact(Context::new(&topo, "synthetic"), "NGINX", None);
        let d = r.diagram.unwrap();
        let folds: Vec<&DiagramNode> = d
            .nodes
            .iter()
            .filter(|n| n.lines[0].starts_with('+'))
            .collect();
        assert!(!folds.is_empty(), "{}", d.to_mermaid());
        let real = d.nodes.len() - folds.len();
        assert_eq!(real, DIAGRAM_NODE_CAP);
        let folded: usize = folds
            .iter()
            .map(|n| {
                n.lines[0]
                    .trim_start_matches('+')
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert!(folded > 0);
        assert!(
            d.caption.contains("folded into \"+N more\" boxes"),
            "{}",
            d.caption
        );
        for (i, n) in d.nodes.iter().enumerate() {
            if n.lines[0].starts_with('+') {
                assert!(
                    d.edges
                        .iter()
                        .any(|e| (e.from == i || e.to == i) && e.dashed),
                    "fold node is linked"
                );
            }
        }
    }
}
