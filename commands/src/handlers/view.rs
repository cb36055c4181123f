//! The diagram of a handler's answer, capped at [`DIAGRAM_NODE_CAP`] nodes so it stays readable.

use crate::{Lang, Msg};
use aiops_core::diagram::{Diagram, DiagramEdge, DiagramNode, Highlights, NodeClass};
use aiops_core::graph::Topology;

/// Diagrams show at most this many nodes; the rest is summarised in the caption.
pub const DIAGRAM_NODE_CAP: usize = 60;

/// Caps a view at [`DIAGRAM_NODE_CAP`] nodes, keeping the nearest (the first of each node in
/// `ordered`; repeats are dropped); says how many were left out, in `lang`.
pub(crate) fn capped_view(
    topo: &Topology,
    lang: Lang,
    mut ordered: Vec<usize>,
    hl: &Highlights,
) -> Diagram {
    aiops_core::text::dedup_keep_order(&mut ordered);
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
        let (key, side) = if outgoing {
            ("downstream", Msg::Downstream)
        } else {
            ("upstream", Msg::Upstream)
        };
        d.nodes.push(DiagramNode {
            // The key only tells the boxes apart; readers see the lines.
            key: format!("+{} more {key}", far.len()),
            lines: vec![
                Msg::MoreBox(far.len()).text(lang).into_owned(),
                side.text(lang).into_owned(),
            ],
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
                doubtful: false,
            });
        }
    }
    d.caption = Msg::FoldCaption {
        cap: DIAGRAM_NODE_CAP,
        total,
        dropped: dropped.len(),
    }
    .text(lang)
    .into_owned();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{impact, Context};
    use aiops_core::{load_bytes, synth, LoadOptions};

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
