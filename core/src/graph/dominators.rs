//! Dominators of the flow from a set of entry nodes: which nodes every route to another passes
//! through.

use super::Topology;
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};

impl Topology {
    /// For each node (by position), the nodes it immediately dominates in the flow from
    /// `entries`: every route from any entry point to them passes through it. Nodes no entry
    /// reaches are dominated by none.
    pub(crate) fn immediately_dominated(&self, entries: &[usize]) -> Vec<Vec<usize>> {
        let n = self.nodes().len();
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n + 1, self.edges().len() + n);
        for _ in 0..=n {
            g.add_node(());
        }
        // One root above all entry points, so the flow has a single start.
        let root = NodeIndex::new(n);
        for i in 0..n {
            for (j, _) in self.outgoing(i) {
                g.add_edge(NodeIndex::new(i), NodeIndex::new(j), ());
            }
        }
        for &e in entries {
            g.add_edge(root, NodeIndex::new(e), ());
        }
        let dom = simple_fast(&g, root);
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            match dom.immediate_dominator(NodeIndex::new(i)) {
                Some(d) if d != root => children[d.index()].push(i),
                _ => {}
            }
        }
        children
    }
}
