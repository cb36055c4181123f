//! Layered (Sugiyama-style) layout, left to right or top to bottom: break cycles, assign layers
//! (the shortest layering by network simplex, or longest path with boxes moved to shorten edges), thread every edge through a dummy vertex per layer it crosses (an edge's
//! label is the dummy right after its source, a box of its own), order each layer by weighted
//! medians with a transpose (adjacent swap) pass from several starts, polish the best order by
//! sifting and keep the order with the fewest crossings (counted with a Fenwick tree per pair
//! of layers), then place vertices with order-preserving least-squares spacing. Connected
//! components are laid out apart, one after another across the layers, each with its own share
//! of the ordering's work budget.
//!
//! Honest by construction: boxes and labels of one layer sit in that layer's band, apart from
//! each other; an edge runs straight across a band only at its own vertex (a port on its box's
//! side, its dummy, its label) and curves only in the gaps between bands, where nothing is. So no
//! edge passes through a box or label that is not its own, and no two labels overlap.
//!
//! Every step is bounded: a fixed number of ordering sweeps and placement passes, so the cost
//! grows with vertices × layers and never with a search.

use std::cell::Cell;

/// Ordering sweeps (alternately down and up); the best ordering seen is kept.
const ORDER_SWEEPS: usize = 32;
/// Neighbour pairs the ordering of one diagram may look at, in all: a bound on its time that
/// does not depend on the machine, so the same diagram is always drawn the same way. Small
/// diagrams never reach it; large ones stop improving their order when it is spent.
const WORK_LIMIT: u64 = 3_000_000;
/// The least a component gets of it, however small beside the others.
const WORK_FLOOR: u64 = 200_000;
/// Shuffled starts of the ordering besides the two depth-first ones.
const RESTARTS: usize = 12;
/// Sweeps in a row that find no better order before a start is given up (dot's MinQuit).
const MIN_QUIT: usize = 8;
/// Transpose passes after each sweep, at most.
const TRANSPOSE_PASSES: usize = 4;
/// Network simplex exchanges at most, per component.
const SIMPLEX_ITERATIONS: usize = 2000;
/// Passes moving boxes between layers to shorten edges.
const LAYER_PASSES: usize = 8;
/// Placement passes (one down, one up each).
const PLACE_PASSES: usize = 4;

/// What the layout needs to know about the boxes and arrows. Sizes are as drawn (width, height)
/// whatever the orientation.
pub(crate) struct Input<'a> {
    pub sizes: &'a [(f32, f32)],
    /// Arrows between boxes, by position; self-loops and out-of-range ends are ignored.
    pub edges: &'a [(usize, usize)],
    /// Size of each arrow's label box, (0, 0) without one.
    pub labels: &'a [(f32, f32)],
    /// Boxes with the same group are ordered next to each other when crossings tie.
    pub groups: &'a [Option<u8>],
    /// Space between neighbours in a layer.
    pub node_gap: f32,
    /// Space between two layers of boxes (half of it either side of the label layer).
    pub layer_gap: f32,
}

/// Where everything goes. Coordinates start at (0, 0).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Centre of each box.
    pub centres: Vec<(f32, f32)>,
    /// For each arrow, the points it passes from its source box's side to its target's. A
    /// segment whose ends differ across the layers is drawn as a curve with tangents along the
    /// layers ([`Layout::polyline`]); otherwise it is straight.
    pub routes: Vec<Vec<(f32, f32)>>,
    /// Centre of each arrow's label, for arrows with one.
    pub labels: Vec<Option<(f32, f32)>>,
    pub width: f32,
    pub height: f32,
    pub vertical: bool,
}

impl Layout {
    /// Whether the segment from `a` to `b` is drawn as a curve.
    pub(crate) fn is_curve(&self, a: (f32, f32), b: (f32, f32)) -> bool {
        let d = if self.vertical { b.0 - a.0 } else { b.1 - a.1 };
        d.abs() > 0.05
    }

    /// The two control points of the curve from `a` to `b`: tangents along the layer axis.
    pub(crate) fn controls(&self, a: (f32, f32), b: (f32, f32)) -> ((f32, f32), (f32, f32)) {
        if self.vertical {
            let m = (b.1 - a.1) / 2.0;
            ((a.0, a.1 + m), (b.0, b.1 - m))
        } else {
            let m = (b.0 - a.0) / 2.0;
            ((a.0 + m, a.1), (b.0 - m, b.1))
        }
    }

    /// Arrow `i` as a polyline, curves flattened, for geometric checks.
    pub(crate) fn polyline(&self, i: usize) -> Vec<(f32, f32)> {
        let r = &self.routes[i];
        let mut out = Vec::with_capacity(r.len() * 8);
        if let Some(&p) = r.first() {
            out.push(p);
        }
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            if !self.is_curve(a, b) {
                out.push(b);
                continue;
            }
            let (c1, c2) = self.controls(a, b);
            const STEPS: usize = 12;
            for s in 1..=STEPS {
                let t = s as f32 / STEPS as f32;
                let u = 1.0 - t;
                let x = u * u * u * a.0
                    + 3.0 * u * u * t * c1.0
                    + 3.0 * u * t * t * c2.0
                    + t * t * t * b.0;
                let y = u * u * u * a.1
                    + 3.0 * u * u * t * c1.1
                    + 3.0 * u * t * t * c2.1
                    + t * t * t * b.1;
                out.push((x, y));
            }
        }
        out
    }
}

/// A vertex of the layered graph: a box, or a dummy an edge passes (perhaps its label).
struct Vertex {
    layer: usize,
    /// Extent along the layer axis and across it (the order axis).
    along: f32,
    across: f32,
    group: Option<u8>,
}

/// The layout in each orientation asked for: the layers and their order are worked out once,
/// since they do not depend on the orientation.
pub(crate) fn layouts(input: &Input, orientations: &[bool]) -> Vec<Layout> {
    let n = input.sizes.len();
    let edges: Vec<(usize, usize)> = input
        .edges
        .iter()
        .map(|&(a, b)| {
            if a < n && b < n && a != b {
                (a, b)
            } else {
                (usize::MAX, usize::MAX)
            }
        })
        .collect();
    // Components in order of their first box, laid out one after another across the layers.
    let comp = components(n, &edges);
    let comps_n = comp.iter().copied().max().map_or(0, |m| m + 1);
    let mut parts = Vec::with_capacity(comps_n);
    let work = Cell::new(0u64);
    for c in 0..comps_n {
        let boxes: Vec<usize> = (0..n).filter(|&v| comp[v] == c).collect();
        let ids: Vec<usize> = (0..edges.len())
            .filter(|&i| edges[i].0 != usize::MAX && comp[edges[i].0] == c)
            .collect();
        // Each component gets a share of the budget by its size, and a floor: a small one
        // beside a large one is still ordered properly.
        let share = (WORK_LIMIT * boxes.len() as u64 / n.max(1) as u64).max(WORK_FLOOR);
        let limit = work.get() + share;
        let ordered = order_component(input, &boxes, &edges, &ids, &work, limit);
        parts.push((boxes, ids, ordered));
    }
    orientations
        .iter()
        .map(|&vertical| {
            let mut out = Layout {
                centres: vec![(0.0, 0.0); n],
                routes: vec![Vec::new(); edges.len()],
                labels: vec![None; edges.len()],
                width: 0.0,
                height: 0.0,
                vertical,
            };
            let mut offset = 0.0f32;
            let mut along_max = 0.0f32;
            for (boxes, ids, ordered) in &parts {
                let part = place_component(input, ordered, vertical);
                for (k, &b) in boxes.iter().enumerate() {
                    out.centres[b] =
                        orient(vertical, part.centres[k].0, part.centres[k].1 + offset);
                }
                for (k, &i) in ids.iter().enumerate() {
                    out.routes[i] = part.routes[k]
                        .iter()
                        .map(|&(a, o)| orient(vertical, a, o + offset))
                        .collect();
                    out.labels[i] = part.labels[k].map(|(a, o)| orient(vertical, a, o + offset));
                }
                along_max = along_max.max(part.along);
                offset += part.across + input.node_gap * 1.5;
            }
            let across = (offset - input.node_gap * 1.5).max(0.0);
            (out.width, out.height) = orient(vertical, along_max, across);
            out
        })
        .collect()
}

/// (layer coordinate, order coordinate) as (x, y).
fn orient(vertical: bool, along: f32, across: f32) -> (f32, f32) {
    if vertical {
        (across, along)
    } else {
        (along, across)
    }
}

/// Weakly connected components, numbered in order of their first box.
fn components(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut v: usize) -> usize {
        while p[v] != v {
            p[v] = p[p[v]];
            v = p[v];
        }
        v
    }
    for &(a, b) in edges {
        if a == usize::MAX {
            continue;
        }
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut id = vec![usize::MAX; n];
    let mut next = 0;
    (0..n)
        .map(|v| {
            let r = find(&mut parent, v);
            if id[r] == usize::MAX {
                id[r] = next;
                next += 1;
            }
            id[r]
        })
        .collect()
}

/// One component's layout in (layer coordinate, order coordinate), starting at 0.
struct Part {
    centres: Vec<(f32, f32)>,
    routes: Vec<Vec<(f32, f32)>>,
    labels: Vec<Option<(f32, f32)>>,
    along: f32,
    across: f32,
}

/// One component's layers and their order, left to right, with the edges reversed to break
/// cycles.
struct Ordered {
    layered: Layered,
    reversed: Vec<bool>,
    n: usize,
}

fn order_component(
    input: &Input,
    boxes: &[usize],
    all: &[(usize, usize)],
    ids: &[usize],
    work: &Cell<u64>,
    limit: u64,
) -> Ordered {
    let n = boxes.len();
    let local: std::collections::HashMap<usize, usize> =
        boxes.iter().enumerate().map(|(k, &b)| (b, k)).collect();
    let edges: Vec<(usize, usize)> = ids
        .iter()
        .map(|&i| (local[&all[i].0], local[&all[i].1]))
        .collect();
    let (dag, reversed) = acyclic(n, &edges);
    // Layerings tried: the shortest (network simplex, as dot ranks), then as early and as late
    // as possible with boxes moved to shorten edges; the fewest crossings win.
    let mut layerings: Vec<Vec<usize>> = Vec::with_capacity(3);
    for k in 0..3 {
        let layer = match k {
            0 => super::rank::network_simplex(n, &dag, SIMPLEX_ITERATIONS),
            _ => assign_layers(n, &dag, k == 2, true),
        };
        // The same layering ordered again would only give the same order.
        if !layerings.contains(&layer) {
            layerings.push(layer);
        }
    }
    let mut best: Option<Layered> = None;
    let count = layerings.len();
    for (i, layer) in layerings.iter().enumerate() {
        // What is left of the budget, shared among the layerings still to try.
        let left = limit.saturating_sub(work.get());
        let own = work.get() + left / (count - i) as u64;
        let l = layered(input, boxes, ids, &dag, layer, work, own);
        if best
            .as_ref()
            .is_none_or(|b| (l.crossings, l.vs.len()) < (b.crossings, b.vs.len()))
        {
            best = Some(l);
        }
    }
    let Some(layered) = best else {
        unreachable!("at least one layering was tried")
    };
    Ordered {
        layered,
        reversed,
        n,
    }
}

/// One component placed in one orientation.
fn place_component(input: &Input, ordered: &Ordered, vertical: bool) -> Part {
    let Layered {
        vs,
        succ,
        pred,
        chains,
        label_vertex,
        order,
        ..
    } = &ordered.layered;
    let (reversed, n) = (&ordered.reversed, ordered.n);
    // The order was found left to right; top to bottom swaps each vertex's extents.
    let vs: Vec<Vertex> = vs
        .iter()
        .map(|v| {
            let (along, across) = if vertical {
                (v.across, v.along)
            } else {
                (v.along, v.across)
            };
            Vertex {
                layer: v.layer,
                along,
                across,
                group: v.group,
            }
        })
        .collect();
    let total = vs.len();
    let layers_n = order.len();

    // Bands along the layer axis: each as thick as its thickest vertex.
    let mut thick = vec![0f32; layers_n];
    for v in &vs {
        thick[v.layer] = thick[v.layer].max(v.along);
    }
    let half_gap = input.layer_gap / 2.0;
    let mut band = vec![(0f32, 0f32); layers_n];
    let mut a = 0.0;
    for l in 0..layers_n {
        band[l] = (a, a + thick[l]);
        a += thick[l] + half_gap;
    }
    let along = if layers_n == 0 { 0.0 } else { a - half_gap };

    let across_of = |v: usize| vs[v].across;
    let o = place(order, succ, pred, total, input.node_gap, &across_of);
    let top = (0..total)
        .map(|v| o[v] - across_of(v) / 2.0)
        .fold(f32::INFINITY, f32::min);
    let top = if top.is_finite() { top } else { 0.0 };
    let bottom = (0..total)
        .map(|v| o[v] + across_of(v) / 2.0)
        .fold(f32::NEG_INFINITY, f32::max);
    let across = if bottom.is_finite() {
        bottom - top
    } else {
        0.0
    };
    let o: Vec<f32> = o.iter().map(|y| y - top).collect();
    let centre_along = |v: usize| (band[vs[v].layer].0 + band[vs[v].layer].1) / 2.0;

    // Ports: a box's edges leave its far side and enter its near side spread across it, in the
    // order of the vertices they go to, so edges of one box never cross at the box.
    let mut out_port = vec![0f32; chains.len()];
    let mut in_port = vec![0f32; chains.len()];
    let mut outs: Vec<Vec<(f32, usize)>> = vec![Vec::new(); n];
    let mut ins: Vec<Vec<(f32, usize)>> = vec![Vec::new(); n];
    for (e, chain) in chains.iter().enumerate() {
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        outs[first].push((o[chain[1]], e));
        ins[last].push((o[chain[chain.len() - 2]], e));
    }
    let spread = |list: &mut Vec<(f32, usize)>, v: usize, ports: &mut Vec<f32>| {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let m = list.len() as f32;
        let span = vs[v].across * 0.6;
        for (k, &(_, e)) in list.iter().enumerate() {
            ports[e] = o[v] + span * ((k as f32 + 1.0) / (m + 1.0) - 0.5);
        }
    };
    for v in 0..n {
        spread(&mut outs[v], v, &mut out_port);
        spread(&mut ins[v], v, &mut in_port);
    }

    let mut routes = Vec::with_capacity(chains.len());
    let mut labels = Vec::with_capacity(chains.len());
    for (e, chain) in chains.iter().enumerate() {
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        let mut pts: Vec<(f32, f32)> = Vec::with_capacity(chain.len() * 2 + 2);
        let l0 = vs[first].layer;
        pts.push((centre_along(first) + vs[first].along / 2.0, out_port[e]));
        pts.push((band[l0].1, out_port[e]));
        for &d in &chain[1..chain.len() - 1] {
            let (s, t) = band[vs[d].layer];
            pts.push((s, o[d]));
            pts.push((t, o[d]));
        }
        let lk = vs[last].layer;
        pts.push((band[lk].0, in_port[e]));
        pts.push((centre_along(last) - vs[last].along / 2.0, in_port[e]));
        pts.dedup_by(|b, a| (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01);
        if reversed[e] {
            pts.reverse();
        }
        routes.push(pts);
        labels.push(label_vertex[e].map(|d| (centre_along(d), o[d])));
    }
    Part {
        centres: (0..n).map(|v| (centre_along(v), o[v])).collect(),
        routes,
        labels,
        along,
        across,
    }
}

/// The layered graph for one layering, ordered.
struct Layered {
    vs: Vec<Vertex>,
    succ: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    chains: Vec<Vec<usize>>,
    label_vertex: Vec<Option<usize>>,
    order: Vec<Vec<usize>>,
    crossings: usize,
}

fn layered(
    input: &Input,
    boxes: &[usize],
    ids: &[usize],
    dag: &[(usize, usize)],
    layer: &[usize],
    work: &Cell<u64>,
    limit: u64,
) -> Layered {
    let n = boxes.len();
    // Left to right: along the layers is the width.
    let extent = |b: usize| input.sizes[b];
    // Box layers are the even ones; the odd layer after each holds the labels and dummies.
    let mut vs: Vec<Vertex> = (0..n)
        .map(|k| {
            let (along, across) = extent(boxes[k]);
            Vertex {
                layer: 2 * layer[k],
                along,
                across,
                group: input.groups.get(boxes[k]).copied().flatten(),
            }
        })
        .collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    // The edge each of those entries belongs to.
    let mut succ_e: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred_e: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    let mut label_vertex: Vec<Option<usize>> = vec![None; dag.len()];
    for (e, &(a, b)) in dag.iter().enumerate() {
        let mut chain = vec![a];
        let mut prev = a;
        for l in 2 * layer[a] + 1..2 * layer[b] {
            let d = vs.len();
            let (lw, lh) = input.labels.get(ids[e]).copied().unwrap_or((0.0, 0.0));
            let labelled = l == 2 * layer[a] + 1 && lw > 0.0;
            let (along, across) = if labelled { (lw, lh) } else { (0.0, 0.0) };
            if labelled {
                label_vertex[e] = Some(d);
            }
            vs.push(Vertex {
                layer: l,
                along,
                across,
                group: None,
            });
            succ.push(Vec::new());
            pred.push(Vec::new());
            succ_e.push(Vec::new());
            pred_e.push(Vec::new());
            succ[prev].push(d);
            pred[d].push(prev);
            succ_e[prev].push(e);
            pred_e[d].push(e);
            chain.push(d);
            prev = d;
        }
        succ[prev].push(b);
        pred[b].push(prev);
        succ_e[prev].push(e);
        pred_e[b].push(e);
        chain.push(b);
        chains.push(chain);
    }
    let total = vs.len();
    let layers_n = vs.iter().map(|v| v.layer).max().map_or(0, |m| m + 1);
    let g = Graph {
        succ: &succ,
        pred: &pred,
        succ_e: &succ_e,
        pred_e: &pred_e,
        ends: dag,
        work,
        limit,
    };
    // Several starts: depth first from the sources and from the sinks, and shuffles of them
    // (a fixed seed, so the picture is the same every time); the best result is kept.
    let mut best: Option<(usize, Vec<Vec<usize>>)> = None;
    let mut starts = vec![
        initial_order(n, total, &succ),
        initial_order(n, total, &pred),
    ];
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let restarts = if total > 1500 { 0 } else { RESTARTS };
    for k in 0..restarts {
        let mut v = starts[k % 2].clone();
        for i in (1..v.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            v.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        starts.push(v);
    }
    for start in starts {
        if best.as_ref().is_some_and(|(c, _)| *c == 0 || g.spent()) {
            break;
        }
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
        for v in start {
            layers[vs[v].layer].push(v);
        }
        let (c, order) = order_layers(layers, &g, total, &vs);
        if best.as_ref().is_none_or(|(b, _)| c < *b) {
            best = Some((c, order));
        }
    }
    let (crossings, order) = best.unwrap_or_default();
    let layers_n = vs.iter().map(|v| v.layer).max().map_or(0, |m| m + 1);
    let mut order = order;
    order.resize(layers_n, Vec::new());
    Layered {
        vs,
        succ,
        pred,
        chains,
        label_vertex,
        order,
        crossings,
    }
}

/// The column (layer) of each box, as [`layout`] assigns them within a component.
pub(crate) fn columns(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .map(|&(a, b)| {
            if a < n && b < n {
                (a, b)
            } else {
                (usize::MAX, usize::MAX)
            }
        })
        .collect();
    assign_layers(n, &acyclic(n, &edges).0, false, true)
}

/// The edges with cycles broken, and which were reversed. Ends must be in range or both
/// `usize::MAX` (inert).
fn acyclic(n: usize, edges: &[(usize, usize)]) -> (Vec<(usize, usize)>, Vec<bool>) {
    let reversed = feedback_edges(n, edges);
    let dag = edges
        .iter()
        .zip(&reversed)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    (dag, reversed)
}

/// Edges to reverse so the graph has no cycle: those that close a cycle in a depth-first search.
fn feedback_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a < n && b < n {
            out[a].push((b, i));
        }
    }
    // 0 = unseen, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut rev = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&(w, i)) = out[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => rev[i] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    rev
}

/// Longest-path layers, from the sources (or, `late`, from the sinks); with `shorten`, boxes
/// then move to where their edges are shortest, so an upstream caller is drawn beside what it
/// calls rather than at the far left.
fn assign_layers(n: usize, dag: &[(usize, usize)], late: bool, shorten: bool) -> Vec<usize> {
    if late {
        let flipped: Vec<(usize, usize)> = dag.iter().map(|&(a, b)| (b, a)).collect();
        let depth = assign_layers(n, &flipped, false, false);
        let top = depth.iter().copied().max().unwrap_or(0);
        let mut layer: Vec<usize> = depth.iter().map(|d| top - d).collect();
        if shorten {
            shorten_edges(n, dag, &mut layer);
        }
        return layer;
    }
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        if a < n && b < n && a != b {
            out[a].push(b);
            indeg[b] += 1;
        }
    }
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let sources = queue.clone();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    let _ = sources;
    if shorten {
        shorten_edges(n, dag, &mut layer);
    }
    layer
}

/// Each box in turn moves, within what its edges allow, to the median of where its
/// neighbours want it: shorter edges, fewer dummies, fewer crossings.
fn shorten_edges(n: usize, dag: &[(usize, usize)], layer: &mut [usize]) {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        if a < n && b < n && a != b {
            out[a].push(b);
        }
    }
    let mut inn: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, outs) in out.iter().enumerate() {
        for &b in outs {
            inn[b].push(a);
        }
    }
    let top = layer.iter().copied().max().unwrap_or(0);
    for _ in 0..LAYER_PASSES {
        let mut moved = false;
        for v in 0..n {
            let lo = inn[v].iter().map(|&p| layer[p] + 1).max().unwrap_or(0);
            let hi = out[v]
                .iter()
                .map(|&s| layer[s].saturating_sub(1))
                .min()
                .unwrap_or(top);
            if lo > hi {
                continue;
            }
            let mut want: Vec<usize> = inn[v]
                .iter()
                .map(|&p| layer[p] + 1)
                .chain(out[v].iter().map(|&s| layer[s].saturating_sub(1)))
                .collect();
            if want.is_empty() {
                continue;
            }
            want.sort_unstable();
            // With an even count, the lower middle when the box has more callers than callees
            // (drawn next to its callers), else the upper one.
            let m = if want.len() % 2 == 0 && inn[v].len() > out[v].len() {
                want[want.len() / 2 - 1]
            } else {
                want[want.len() / 2]
            };
            let l = m.clamp(lo, hi);
            if l != layer[v] {
                layer[v] = l;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// Vertices in depth-first order from the boxes in sheet order: a start where every layer's
/// order already follows the edges.
fn initial_order(n: usize, total: usize, succ: &[Vec<usize>]) -> Vec<usize> {
    let mut seen = vec![false; total];
    let mut out = Vec::with_capacity(total);
    for root in 0..n {
        if seen[root] {
            continue;
        }
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            out.push(v);
            for &w in succ[v].iter().rev() {
                if !seen[w] {
                    stack.push(w);
                }
            }
        }
    }
    out.extend((0..total).filter(|&v| !seen[v]));
    out
}

/// The layered graph as the ordering sees it: each vertex's neighbours, the edge each
/// neighbour link belongs to, and each edge's two boxes.
struct Graph<'a> {
    succ: &'a [Vec<usize>],
    pred: &'a [Vec<usize>],
    succ_e: &'a [Vec<usize>],
    pred_e: &'a [Vec<usize>],
    ends: &'a [(usize, usize)],
    /// Work done on orderings so far, in neighbour pairs looked at, for the whole diagram.
    work: &'a Cell<u64>,
    /// The work count at which this ordering stops improving.
    limit: u64,
}

impl Graph<'_> {
    fn add_work(&self, w: usize) {
        self.work.set(self.work.get().saturating_add(w as u64));
    }

    /// Whether the diagram's ordering budget is spent: then the best order so far is kept.
    fn spent(&self) -> bool {
        self.work.get() > self.limit
    }

    /// Edges that share a box never count as crossing: the picture shows them meeting there.
    fn independent(&self, e: usize, f: usize) -> bool {
        let (a, b) = self.ends[e];
        let (c, d) = self.ends[f];
        a != c && a != d && b != c && b != d
    }
}

/// Weighted-median sweeps with transposes; keeps the ordering with the fewest crossings.
fn order_layers(
    mut layers: Vec<Vec<usize>>,
    g: &Graph,
    total: usize,
    vs: &[Vertex],
) -> (usize, Vec<Vec<usize>>) {
    let (succ, pred) = (g.succ, g.pred);
    let mut pos = vec![0usize; total];
    let reindex = |layers: &[Vec<usize>], pos: &mut [usize]| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    reindex(&layers, &mut pos);
    transpose(&mut layers, &mut pos, g);
    // Sifting costs a layer's width per vertex: for the largest diagrams the transposes do.
    let sifting = total <= 1500;
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, g, &pos);
    let mut trying = 0;
    for sweep in 0..ORDER_SWEEPS {
        if best_crossings == 0 || g.spent() {
            break;
        }
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in range {
            let nb = if down { pred } else { succ };
            let keys: Vec<Option<f32>> = layers[l]
                .iter()
                .map(|&v| {
                    let mut ps: Vec<usize> = nb[v].iter().map(|&w| pos[w]).collect();
                    ps.sort_unstable();
                    median(&ps)
                })
                .collect();
            // Vertices with no neighbour on that side keep their place (as dot does); the others
            // are sorted by median into the remaining places.
            let mut movable: Vec<(usize, f32)> = layers[l]
                .iter()
                .zip(&keys)
                .filter_map(|(&v, k)| k.map(|k| (v, k)))
                .collect();
            movable.sort_by(|a, b| {
                a.1.total_cmp(&b.1)
                    .then(vs[a.0].group.cmp(&vs[b.0].group))
                    .then(pos[a.0].cmp(&pos[b.0]))
            });
            let mut it = movable.into_iter().map(|(v, _)| v);
            let row: Vec<usize> = layers[l]
                .iter()
                .zip(&keys)
                .map(|(&v, k)| {
                    if k.is_none() {
                        v
                    } else {
                        it.next().unwrap_or(v)
                    }
                })
                .collect();
            layers[l] = row;
            for (i, &v) in layers[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        transpose(&mut layers, &mut pos, g);
        let c = crossings(&layers, g, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
            trying = 0;
        } else {
            trying += 1;
            if trying >= MIN_QUIT {
                break;
            }
            if trying % 4 == 0 {
                // Start the next sweeps again from the best order seen.
                layers = best.clone();
                reindex(&layers, &mut pos);
            }
        }
    }
    if sifting {
        layers = best.clone();
        reindex(&layers, &mut pos);
        for _ in 0..TRANSPOSE_PASSES {
            if g.spent() || !sift(&mut layers, &mut pos, g) {
                break;
            }
            transpose(&mut layers, &mut pos, g);
        }
        if crossings(&layers, g, &pos) < best_crossings {
            best = layers;
        }
    }
    reindex(&best, &mut pos);
    untwist(&mut best, &mut pos, g);
    (crossings(&best, g, &pos), best)
}

/// The weighted median of sorted positions (Gansner et al.): the middle one, or between the
/// two middle ones weighted by how spread each side is.
fn median(ps: &[usize]) -> Option<f32> {
    let m = ps.len();
    if m == 0 {
        return None;
    }
    if m % 2 == 1 {
        return Some(ps[m / 2] as f32);
    }
    if m == 2 {
        return Some((ps[0] + ps[1]) as f32 / 2.0);
    }
    let left = (ps[m / 2 - 1] - ps[0]) as f32;
    let right = (ps[m - 1] - ps[m / 2]) as f32;
    let (a, b) = (ps[m / 2 - 1] as f32, ps[m / 2] as f32);
    if left + right == 0.0 {
        return Some((a + b) / 2.0);
    }
    Some((a * right + b * left) / (left + right))
}

/// Swaps neighbours in a layer while that lowers the crossings with both adjacent layers.
fn transpose(layers: &mut [Vec<usize>], pos: &mut [usize], g: &Graph) {
    swaps(layers, pos, g, false);
}

/// Swaps neighbours that cross no more edges of other boxes and fewer of their own: lines
/// of one box that twist round each other are not counted as crossings, but read badly.
fn untwist(layers: &mut [Vec<usize>], pos: &mut [usize], g: &Graph) {
    swaps(layers, pos, g, true);
}

fn swaps(layers: &mut [Vec<usize>], pos: &mut [usize], g: &Graph, own_lines_too: bool) {
    for pass in 0..TRANSPOSE_PASSES {
        let mut improved = false;
        for row in layers.iter_mut() {
            for i in 0..row.len().saturating_sub(1) {
                let (u, v) = (row[i], row[i + 1]);
                let (now, then) = if own_lines_too {
                    (pair_costs(u, v, g, pos), pair_costs(v, u, g, pos))
                } else {
                    (
                        (pair_crossings(u, v, g, pos), 0),
                        (pair_crossings(v, u, g, pos), 0),
                    )
                };
                // Ties swap on the first pass only, to leave a plateau without looping on it.
                let tie = !own_lines_too && pass == 0 && then == now && now.0 > 0;
                if then < now || tie {
                    if then < now {
                        improved = true;
                    }
                    row.swap(i, i + 1);
                    pos[u] = i + 1;
                    pos[v] = i;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings between the links of `u` and of `v` (u before v) on both sides, counting only
/// edges that share no box.
fn pair_crossings(u: usize, v: usize, g: &Graph, pos: &[usize]) -> usize {
    pair_costs(u, v, g, pos).0
}

/// Crossings between the links of `u` and of `v` (u before v) on both sides: of edges that
/// share no box, and of edges that do.
fn pair_costs(u: usize, v: usize, g: &Graph, pos: &[usize]) -> (usize, usize) {
    g.add_work(1 + g.pred[u].len() * g.pred[v].len() + g.succ[u].len() * g.succ[v].len());
    let mut c = (0, 0);
    for (nb, ne) in [(g.pred, g.pred_e), (g.succ, g.succ_e)] {
        for (&a, &e) in nb[u].iter().zip(&ne[u]) {
            for (&b, &f) in nb[v].iter().zip(&ne[v]) {
                if pos[a] > pos[b] {
                    if g.independent(e, f) {
                        c.0 += 1;
                    } else {
                        c.1 += 1;
                    }
                }
            }
        }
    }
    c
}

/// Sifting: each vertex in turn is moved to the place in its layer where its links cross the
/// fewest others, whether that is next door or across the layer.
fn sift(layers: &mut [Vec<usize>], pos: &mut [usize], g: &Graph) -> bool {
    let mut improved = false;
    for layer in layers.iter_mut() {
        if layer.len() < 2 {
            continue;
        }
        let members = layer.clone();
        for v in members {
            let mut row: Vec<usize> = layer.iter().copied().filter(|&u| u != v).collect();
            // Cost with v first, then moving it past each vertex in turn.
            let mut cost: i64 = row
                .iter()
                .map(|&u| pair_crossings(v, u, g, pos) as i64)
                .sum();
            let here = pos[v];
            let mut best = (cost, 0usize);
            let mut current = if here == 0 { Some(cost) } else { None };
            for (k, &u) in row.iter().enumerate() {
                cost += pair_crossings(u, v, g, pos) as i64 - pair_crossings(v, u, g, pos) as i64;
                if k + 1 == here {
                    current = Some(cost);
                }
                if cost < best.0 {
                    best = (cost, k + 1);
                }
            }
            if current.is_some_and(|c| best.0 < c) {
                row.insert(best.1, v);
                *layer = row;
                for (i, &w) in layer.iter().enumerate() {
                    pos[w] = i;
                }
                improved = true;
            }
        }
    }
    improved
}

/// Crossings between adjacent layers: pairs of links whose ends are in opposite order and
/// whose edges share no box. Each pair of layers costs a sort and a Fenwick tree over the
/// lower layer (Barth, Jünger and Mutzel's accumulation), so about E log V, and the pairs that
/// share a box, counted among the few links of each box, are taken off again.
fn crossings(layers: &[Vec<usize>], g: &Graph, pos: &[usize]) -> usize {
    let mut total = 0;
    // (upper position, lower position, edge)
    let mut segs: Vec<(usize, usize, usize)> = Vec::new();
    let mut tree: Vec<usize> = Vec::new();
    // (box, upper position, lower position, edge): each link under both of its edge's boxes.
    let mut by_box: Vec<(usize, usize, usize, usize)> = Vec::new();
    for l in layers {
        segs.clear();
        for &v in l {
            for (&w, &e) in g.succ[v].iter().zip(&g.succ_e[v]) {
                segs.push((pos[v], pos[w], e));
            }
        }
        if segs.len() < 2 {
            continue;
        }
        segs.sort_unstable();
        let width = segs.iter().map(|s| s.1).max().unwrap_or(0) + 1;
        tree.clear();
        tree.resize(width + 1, 0);
        for (k, s) in segs.iter().enumerate() {
            // Links seen so far (upper end before or at this one's) whose lower end is after.
            let mut at_most = 0;
            let mut i = s.1 + 1;
            while i > 0 {
                at_most += tree[i];
                i &= i - 1;
            }
            total += k - at_most;
            let mut i = s.1 + 1;
            while i <= width {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        by_box.clear();
        for &(u, w, e) in &segs {
            let (a, b) = g.ends[e];
            by_box.push((a, u, w, e));
            if b != a {
                by_box.push((b, u, w, e));
            }
        }
        by_box.sort_unstable();
        let mut extra = 0;
        for group in by_box.chunk_by(|x, y| x.0 == y.0) {
            extra += group.len() * group.len() / 2;
            for (i, x) in group.iter().enumerate() {
                for y in &group[i + 1..] {
                    let crossed = (x.1 < y.1 && x.2 > y.2) || (x.1 > y.1 && x.2 < y.2);
                    // A pair sharing both boxes is in two groups: counted in the first.
                    if crossed && x.0 == first_shared(g.ends[x.3], g.ends[y.3]) {
                        total -= 1;
                    }
                }
            }
        }
        g.add_work(segs.len() * (usize::BITS - width.leading_zeros()) as usize + extra);
    }
    total
}

/// The smallest box two edges share (they share one).
fn first_shared((a, b): (usize, usize), (c, d): (usize, usize)) -> usize {
    [a, b]
        .into_iter()
        .filter(|x| *x == c || *x == d)
        .min()
        .unwrap_or(usize::MAX)
}

/// Order-axis centres: each layer in turn is pulled towards its neighbours' mean, keeping its
/// order and the minimum gap, by isotonic regression (pool adjacent violators).
fn place(
    layers: &[Vec<usize>],
    succ: &[Vec<usize>],
    pred: &[Vec<usize>],
    total: usize,
    gap: f32,
    extent: &dyn Fn(usize) -> f32,
) -> Vec<f32> {
    let mut y = vec![0f32; total];
    let sep = |a: usize, b: usize| {
        let g = if extent(a) == 0.0 || extent(b) == 0.0 {
            gap / 2.0
        } else {
            gap
        };
        (extent(a) + extent(b)) / 2.0 + g
    };
    for l in layers {
        let mut acc = 0.0;
        for (i, &v) in l.iter().enumerate() {
            if i > 0 {
                acc += sep(l[i - 1], v);
            }
            y[v] = acc;
        }
    }
    for pass in 0..PLACE_PASSES * 2 {
        let down = pass % 2 == 0;
        let nb = if down { pred } else { succ };
        let range: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in range {
            let order = &layers[l];
            let desired: Vec<f32> = order
                .iter()
                .map(|&v| {
                    let both: Vec<usize> = if pass + 1 == PLACE_PASSES * 2 {
                        pred[v].iter().chain(&succ[v]).copied().collect()
                    } else {
                        nb[v].clone()
                    };
                    if both.is_empty() {
                        y[v]
                    } else {
                        both.iter().map(|&w| y[w]).sum::<f32>() / both.len() as f32
                    }
                })
                .collect();
            let mut offset = vec![0f32; order.len()];
            for i in 1..order.len() {
                offset[i] = offset[i - 1] + sep(order[i - 1], order[i]);
            }
            let z: Vec<f32> = desired.iter().zip(&offset).map(|(d, o)| d - o).collect();
            let fitted = isotonic(&z);
            for (i, &v) in order.iter().enumerate() {
                y[v] = fitted[i] + offset[i];
            }
        }
    }
    y
}

/// The non-decreasing sequence closest to `z` in least squares.
fn isotonic(z: &[f32]) -> Vec<f32> {
    // Blocks of (mean, count).
    let mut blocks: Vec<(f32, usize)> = Vec::with_capacity(z.len());
    for &v in z {
        blocks.push((v, 1));
        while blocks.len() > 1 {
            let (m2, c2) = blocks[blocks.len() - 1];
            let (m1, c1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            let c = c1 + c2;
            let last = blocks.len() - 1;
            blocks[last] = ((m1 * c1 as f32 + m2 * c2 as f32) / c as f32, c);
        }
    }
    blocks
        .into_iter()
        .flat_map(|(m, c)| std::iter::repeat_n(m, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, edges: &[(usize, usize)]) -> Layout {
        let sizes = vec![(100.0, 40.0); n];
        let labels = vec![(0.0, 0.0); edges.len()];
        let groups = vec![None; n];
        let input = Input {
            sizes: &sizes,
            edges,
            labels: &labels,
            groups: &groups,
            node_gap: 20.0,
            layer_gap: 60.0,
        };
        layouts(&input, &[false]).swap_remove(0)
    }

    #[test]
    fn edges_flow_left_to_right() {
        let l = run(3, &[(0, 1), (1, 2)]);
        assert!(l.centres[0].0 < l.centres[1].0 && l.centres[1].0 < l.centres[2].0);
    }

    #[test]
    fn cycles_are_laid_out_with_every_edge_routed() {
        let l = run(3, &[(0, 1), (1, 2), (2, 0)]);
        assert!(l.routes.iter().all(|r| r.len() >= 2));
        // The back edge ends at its own target's side, not at the source.
        let back = &l.routes[2];
        let end = back[back.len() - 1];
        assert!((end.1 - l.centres[0].1).abs() < 20.0);
        assert!((end.0 - (l.centres[0].0 + 50.0)).abs() < 0.5, "{end:?}");
    }

    #[test]
    fn boxes_in_one_layer_never_overlap() {
        let edges: Vec<(usize, usize)> = (1..12).map(|i| (0, i)).collect();
        let l = run(12, &edges);
        let mut ys: Vec<f32> = (1..12).map(|i| l.centres[i].1).collect();
        ys.sort_by(f32::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 60.0 - 0.01));
    }

    #[test]
    fn sources_sit_next_to_what_they_call() {
        let l = run(4, &[(0, 1), (1, 2), (3, 2)]);
        assert_eq!(l.centres[3].0, l.centres[1].0);
    }

    #[test]
    fn components_are_laid_out_apart() {
        let l = run(4, &[(0, 1), (2, 3)]);
        let (a, b) = (
            l.centres[0].1.max(l.centres[1].1),
            l.centres[2].1.min(l.centres[3].1),
        );
        assert!(b - a >= 40.0, "{:?}", l.centres);
    }

    #[test]
    fn a_crossing_that_can_be_undone_is_undone() {
        // 0→3, 1→2 start crossed in sheet order; the ordering untangles them.
        let l = run(4, &[(0, 3), (1, 2), (0, 2)]);
        let (y0, y1, y2, y3) = (
            l.centres[0].1,
            l.centres[1].1,
            l.centres[2].1,
            l.centres[3].1,
        );
        assert_eq!(y0 < y1, y3 < y2, "{:?}", l.centres);
    }

    #[test]
    fn top_to_bottom_puts_layers_down_the_page() {
        let sizes = vec![(100.0, 40.0); 2];
        let input = Input {
            sizes: &sizes,
            edges: &[(0, 1)],
            labels: &[(0.0, 0.0)],
            groups: &[None, None],
            node_gap: 20.0,
            layer_gap: 60.0,
        };
        let l = layouts(&input, &[true]).swap_remove(0);
        assert!(l.centres[0].1 < l.centres[1].1);
        assert_eq!(l.centres[0].0, l.centres[1].0);
    }

    /// The plain count of every pair of links, against which the fast one is checked.
    fn crossings_by_pairs(layers: &[Vec<usize>], g: &Graph, pos: &[usize]) -> usize {
        let mut total = 0;
        let mut segs: Vec<(usize, usize, usize)> = Vec::new();
        for l in layers {
            segs.clear();
            for &v in l {
                for (&w, &e) in g.succ[v].iter().zip(&g.succ_e[v]) {
                    segs.push((pos[v], pos[w], e));
                }
            }
            for i in 0..segs.len() {
                for j in i + 1..segs.len() {
                    let (a, b) = (segs[i], segs[j]);
                    let crossed = (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1);
                    if crossed && g.independent(a.2, b.2) {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    #[test]
    fn fast_crossing_count_is_the_plain_one() {
        let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |m: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % m as u64) as usize
        };
        for _ in 0..200 {
            // Three layers of boxes; edges between neighbouring layers, some parallel.
            let widths = [1 + next(6), 1 + next(6), 1 + next(6)];
            let first = [0, widths[0], widths[0] + widths[1]];
            let total = widths.iter().sum::<usize>();
            let mut ends = Vec::new();
            for _ in 0..next(14) {
                let l = next(2);
                let a = first[l] + next(widths[l]);
                let b = first[l + 1] + next(widths[l + 1]);
                ends.push((a, b));
            }
            let mut succ = vec![Vec::new(); total];
            let mut pred = vec![Vec::new(); total];
            let mut succ_e = vec![Vec::new(); total];
            let mut pred_e = vec![Vec::new(); total];
            for (e, &(a, b)) in ends.iter().enumerate() {
                succ[a].push(b);
                succ_e[a].push(e);
                pred[b].push(a);
                pred_e[b].push(e);
            }
            let work = Cell::new(0);
            let g = Graph {
                succ: &succ,
                pred: &pred,
                succ_e: &succ_e,
                pred_e: &pred_e,
                ends: &ends,
                work: &work,
                limit: u64::MAX,
            };
            let mut layers: Vec<Vec<usize>> = (0..3)
                .map(|l| (first[l]..first[l] + widths[l]).collect())
                .collect();
            let mut pos = vec![0; total];
            for row in layers.iter_mut() {
                for i in (1..row.len()).rev() {
                    row.swap(i, next(i + 1));
                }
                for (i, &v) in row.iter().enumerate() {
                    pos[v] = i;
                }
            }
            assert_eq!(
                crossings(&layers, &g, &pos),
                crossings_by_pairs(&layers, &g, &pos),
                "{ends:?} {layers:?}"
            );
        }
    }

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[3.0, 1.0, 2.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[1.0, 2.0]), vec![1.0, 2.0]);
    }
}
