//! Layered (Sugiyama-style) left-to-right layout: break cycles, assign layers by longest path,
//! thread long edges through dummy points, order each layer by barycentres (keeping external
//! nodes of one kind together), then place boxes with order-preserving least-squares spacing.
//!
//! Every step is bounded: a fixed number of ordering sweeps and placement passes, so the cost
//! grows with nodes × layers and never with a search.

/// Ordering sweeps (one down, one up each); the best ordering seen is kept.
const ORDER_SWEEPS: usize = 8;
/// Placement passes (one down, one up each).
const PLACE_PASSES: usize = 4;

/// What the layout needs to know about the boxes and arrows.
pub(crate) struct Input<'a> {
    /// Width and height of each box.
    pub sizes: &'a [(f32, f32)],
    /// Arrows between boxes, by position; self-loops are ignored.
    pub edges: &'a [(usize, usize)],
    /// Width of each arrow's label (0 without one), to leave room between layers.
    pub label_widths: &'a [f32],
    /// Boxes with the same group are kept next to each other within a layer.
    pub groups: &'a [Option<u8>],
    pub node_gap: f32,
    pub layer_gap: f32,
}

/// Where everything goes. Coordinates start at (0, 0).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Centre of each box.
    pub centres: Vec<(f32, f32)>,
    /// For each arrow, the points it passes, from the source box's side to the target's.
    pub routes: Vec<Vec<(f32, f32)>>,
    pub width: f32,
    pub height: f32,
}

pub(crate) fn layout(input: &Input) -> Layout {
    let n = input.sizes.len();
    let (dag, reversed) = acyclic(n, input.edges);
    let layer = assign_layers(n, &dag);

    // The layered graph: real boxes first, then one dummy per layer an edge crosses.
    let mut v_layer = layer.clone();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(a, b) in &dag {
        if a == b {
            chains.push(Vec::new());
            continue;
        }
        let mut chain = vec![a];
        let mut prev = a;
        for l in layer[a] + 1..layer[b] {
            let d = v_layer.len();
            v_layer.push(l);
            succ.push(Vec::new());
            pred.push(Vec::new());
            succ[prev].push(d);
            pred[d].push(prev);
            chain.push(d);
            prev = d;
        }
        succ[prev].push(b);
        pred[b].push(prev);
        chain.push(b);
        chains.push(chain);
    }
    let total = v_layer.len();
    let layers_n = v_layer.iter().copied().max().map_or(0, |m| m + 1);
    let group = |v: usize| if v < n { input.groups[v] } else { None };

    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
    for v in 0..total {
        layers[v_layer[v]].push(v);
    }
    for l in &mut layers {
        l.sort_by_key(|&v| (group(v), v));
    }
    let order = order_layers(layers, &succ, &pred, total, &group);

    // Columns: each as wide as its widest box, with room for the labels that start there.
    let mut col_w = vec![0f32; layers_n];
    for v in 0..n {
        col_w[layer[v]] = col_w[layer[v]].max(input.sizes[v].0);
    }
    let mut gap = vec![input.layer_gap; layers_n];
    for (i, chain) in chains.iter().enumerate() {
        if chain.len() < 2 {
            continue;
        }
        let g = v_layer[chain[0]].min(v_layer[chain[1]]);
        let w = input.label_widths.get(i).copied().unwrap_or(0.0);
        if w > 0.0 {
            gap[g] = gap[g].max(w + 36.0);
        }
    }
    let mut col_x = vec![0f32; layers_n];
    let mut x = 0.0;
    for l in 0..layers_n {
        col_x[l] = x + col_w[l] / 2.0;
        x += col_w[l] + gap[l];
    }
    let width = if layers_n == 0 {
        0.0
    } else {
        x - gap[layers_n - 1]
    };

    let height_of = |v: usize| if v < n { input.sizes[v].1 } else { 0.0 };
    let y = place(&order, &succ, &pred, total, input.node_gap, &height_of);
    let top = (0..total)
        .map(|v| y[v] - height_of(v) / 2.0)
        .fold(f32::INFINITY, f32::min);
    let top = if top.is_finite() { top } else { 0.0 };
    let bottom = (0..total)
        .map(|v| y[v] + height_of(v) / 2.0)
        .fold(f32::NEG_INFINITY, f32::max);
    let height = if bottom.is_finite() {
        bottom - top
    } else {
        0.0
    };

    let centres: Vec<(f32, f32)> = (0..n).map(|v| (col_x[layer[v]], y[v] - top)).collect();
    let point = |v: usize| (col_x[v_layer[v]], y[v] - top);
    let routes = chains
        .iter()
        .zip(&reversed)
        .map(|(chain, &rev)| {
            if chain.len() < 2 {
                return Vec::new();
            }
            // A dummy is a straight run across its column, so the line clears the boxes there.
            let mut pts: Vec<(f32, f32)> = Vec::with_capacity(chain.len() * 2);
            for &v in chain {
                let (x, y) = point(v);
                if v < n {
                    pts.push((x, y));
                } else {
                    let half = col_w[v_layer[v]] / 2.0;
                    pts.push((x - half, y));
                    pts.push((x + half, y));
                }
            }
            let (first, last) = (chain[0], chain[chain.len() - 1]);
            pts[0].0 += input.sizes[first].0 / 2.0;
            let k = pts.len() - 1;
            pts[k].0 -= input.sizes[last].0 / 2.0;
            if rev {
                pts.reverse();
            }
            pts
        })
        .collect();
    Layout {
        centres,
        routes,
        width,
        height,
    }
}

/// The column (layer) of each box, as [`layout`] assigns them.
pub(crate) fn columns(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    assign_layers(n, &acyclic(n, edges).0)
}

/// The edges with cycles broken (out-of-range ones made inert), and which were reversed.
fn acyclic(n: usize, edges: &[(usize, usize)]) -> (Vec<(usize, usize)>, Vec<bool>) {
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
    let reversed = feedback_edges(n, &edges);
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

/// Longest-path layers; sources are then pulled right next to their nearest successor, so an
/// upstream caller is drawn beside what it calls rather than at the far left.
fn assign_layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        if a != b {
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
    for v in sources {
        if let Some(m) = out[v].iter().map(|&w| layer[w]).min() {
            layer[v] = m.saturating_sub(1);
        }
    }
    layer
}

/// Barycentric ordering sweeps; keeps the ordering with the fewest crossings.
fn order_layers(
    mut layers: Vec<Vec<usize>>,
    succ: &[Vec<usize>],
    pred: &[Vec<usize>],
    total: usize,
    group: &dyn Fn(usize) -> Option<u8>,
) -> Vec<Vec<usize>> {
    let mut pos = vec![0f32; total];
    let index = |layers: &[Vec<usize>], pos: &mut [f32]| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i as f32;
            }
        }
    };
    index(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, succ, &pos);
    for sweep in 0..ORDER_SWEEPS {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in range {
            let nb = if down { pred } else { succ };
            let mut key: Vec<(usize, f32)> = layers[l]
                .iter()
                .map(|&v| {
                    let k = if nb[v].is_empty() {
                        pos[v]
                    } else {
                        nb[v].iter().map(|&w| pos[w]).sum::<f32>() / nb[v].len() as f32
                    };
                    (v, k)
                })
                .collect();
            // A group sorts at the mean of its members, so its boxes stay together.
            let mut sums: Vec<(u8, f32, f32)> = Vec::new();
            for &(v, k) in &key {
                if let Some(g) = group(v) {
                    match sums.iter_mut().find(|(h, _, _)| *h == g) {
                        Some(s) => {
                            s.1 += k;
                            s.2 += 1.0;
                        }
                        None => sums.push((g, k, 1.0)),
                    }
                }
            }
            for (v, k) in &mut key {
                if let Some(g) = group(*v) {
                    if let Some(s) = sums.iter().find(|(h, _, _)| *h == g) {
                        *k = s.1 / s.2;
                    }
                }
            }
            key.sort_by(|a, b| a.1.total_cmp(&b.1).then(group(a.0).cmp(&group(b.0))));
            layers[l] = key.into_iter().map(|(v, _)| v).collect();
            for (i, &v) in layers[l].iter().enumerate() {
                pos[v] = i as f32;
            }
        }
        let c = crossings(&layers, succ, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
        }
    }
    best
}

/// Crossings between adjacent layers, counted pairwise: layers here are at most a few hundred
/// segments wide.
fn crossings(layers: &[Vec<usize>], succ: &[Vec<usize>], pos: &[f32]) -> usize {
    let mut total = 0;
    for l in layers {
        let mut segs: Vec<(f32, f32)> = Vec::new();
        for &v in l {
            for &w in &succ[v] {
                segs.push((pos[v], pos[w]));
            }
        }
        segs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for i in 0..segs.len() {
            for j in i + 1..segs.len() {
                if segs[i].0 < segs[j].0 && segs[i].1 > segs[j].1 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Vertical centres: each layer in turn is pulled towards its neighbours' mean, keeping its
/// order and the minimum gap, by isotonic regression (pool adjacent violators).
fn place(
    layers: &[Vec<usize>],
    succ: &[Vec<usize>],
    pred: &[Vec<usize>],
    total: usize,
    gap: f32,
    height: &dyn Fn(usize) -> f32,
) -> Vec<f32> {
    let mut y = vec![0f32; total];
    let sep = |a: usize, b: usize| {
        let g = if height(a) == 0.0 || height(b) == 0.0 {
            gap / 2.0
        } else {
            gap
        };
        (height(a) + height(b)) / 2.0 + g
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
        let labels = vec![0.0; edges.len()];
        let groups = vec![None; n];
        layout(&Input {
            sizes: &sizes,
            edges,
            label_widths: &labels,
            groups: &groups,
            node_gap: 20.0,
            layer_gap: 60.0,
        })
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
        assert!((end.1 - l.centres[0].1).abs() < 1.0);
    }

    #[test]
    fn long_edges_pass_through_every_layer_between() {
        let l = run(4, &[(0, 1), (1, 2), (2, 3), (0, 3)]);
        assert_eq!(l.routes[3].len(), 6);
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
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[3.0, 1.0, 2.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[1.0, 2.0]), vec![1.0, 2.0]);
    }
}
