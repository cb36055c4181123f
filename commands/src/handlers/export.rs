//! `export`: the whole resolved graph, as text, JSON (streamed for big inventories) or a diagram.
//!
//! Grammar: `export`, no arguments. The caller's [`Parts`](crate::Parts) say which forms to
//! build.

use super::name_with_count;
use super::view::DIAGRAM_NODE_CAP;
use crate::{Context, Lang, Msg, Reply};
use aiops_core::diagram::Diagram;
use aiops_core::graph::{NodeKind, Topology};
use serde_json::Value;

/// `export`: the whole resolved graph. Builds only the parts the caller asked for: on a 100k-row
/// inventory each of them is hundreds of megabytes.
pub fn export(ctx: Context) -> Reply {
    let t = ctx.topo;
    let n_inst = t.instance_count();
    let mut r = Reply::new(format!(
        "{}: {}",
        ctx.source,
        Msg::ExportTitle {
            instances: n_inst,
            externals: t.nodes().len() - n_inst,
            relations: t.edges().len(),
            diagnostics: t.diagnostics().len(),
        }
        .text(ctx.lang)
    ));
    if ctx.parts.text {
        r = export_text(r, t, ctx.lang);
    }
    if ctx.parts.json {
        // Small inventories only need this; `write_export_json` streams big ones.
        r.json = serde_json::to_value(ExportJson(t)).unwrap_or(Value::Null);
    }
    if ctx.parts.diagram {
        let mut d = Diagram::whole(t);
        if t.nodes().len() > DIAGRAM_NODE_CAP {
            d.caption = Msg::WholeGraphCaption {
                nodes: t.nodes().len(),
                cap: DIAGRAM_NODE_CAP,
            }
            .text(ctx.lang)
            .into_owned();
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
            #[serde(skip_serializing_if = "Option::is_none")]
            doubt: Option<&'a str>,
            doubtful: bool,
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
            doubt: e.doubt.as_deref(),
            doubtful: e.is_doubtful(),
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

fn export_text(mut r: Reply, t: &Topology, lang: Lang) -> Reply {
    r = r.heading(Msg::InstancesHeading.text(lang)).table(
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
    r = r.heading(Msg::RelationsHeading.text(lang)).table(
        t.edges()
            .iter()
            .map(|e| {
                vec![
                    format!("  {}", e.from),
                    "→".into(),
                    e.to.to_string(),
                    e.flag_words(lang.flags()).join(", "),
                    format!(
                        "{}: {}",
                        Msg::RowCol {
                            row: e.source.row,
                            column: &e.source.column,
                        }
                        .text(lang),
                        e.source.word
                    ),
                ]
            })
            .collect(),
    );
    if !t.diagnostics().is_empty() {
        r = r.heading(Msg::Diagnostics.text(lang)).text(
            t.diagnostics()
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiops_core::LoadOptions;

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
}
