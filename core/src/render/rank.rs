//! Layers by network simplex (Gansner, Koutsofios, North and Vo, "A technique for drawing
//! directed graphs", 1993, the ranking Graphviz `dot` uses): the layering of an acyclic graph
//! with the least total edge length, every edge at least one layer long. Shorter edges mean
//! fewer dummy vertices, so fewer places for edges to cross and a narrower picture.
//!
//! The textbook loop: a longest-path start, a feasible spanning tree of tight edges, then tree
//! edges with a negative cut value swapped for the non-tree edge of least slack across the same
//! cut, until none is negative or the iteration bound is reached (the layering is feasible
//! after every step, so stopping early only leaves edges longer than they could be).

/// Layers of the vertices `0..n` of one weakly connected acyclic graph, starting at 0. Edges
/// with an end out of range, and self-loops, are ignored; parallel edges weigh more.
pub(super) fn network_simplex(n: usize, dag: &[(usize, usize)], max_iter: usize) -> Vec<usize> {
    let mut merged: Vec<(usize, usize)> = dag
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    merged.sort_unstable();
    let mut es: Vec<(usize, usize)> = Vec::with_capacity(merged.len());
    let mut weight: Vec<i64> = Vec::with_capacity(merged.len());
    for e in merged {
        if es.last() == Some(&e) {
            if let Some(w) = weight.last_mut() {
                *w += 1;
            }
        } else {
            es.push(e);
            weight.push(1);
        }
    }
    let mut s = Simplex::new(n, es, weight);
    if n == 0 || !s.feasible_tree() {
        return s.normalised();
    }
    s.low_lim();
    s.cut_values();
    let mut start = 0;
    for _ in 0..max_iter {
        let Some(leave) = s.leave_edge(&mut start) else {
            break;
        };
        let Some(enter) = s.enter_edge(leave) else {
            break;
        };
        s.tree[leave] = false;
        s.tree[enter] = true;
        s.low_lim();
        s.cut_values();
        s.tree_ranks();
    }
    s.normalised()
}

struct Simplex {
    n: usize,
    es: Vec<(usize, usize)>,
    weight: Vec<i64>,
    /// Edges at each vertex.
    inc: Vec<Vec<usize>>,
    rank: Vec<i64>,
    tree: Vec<bool>,
    cut: Vec<i64>,
    /// Post-order numbers of the tree rooted at vertex 0: `lim` of the vertex, `low` the
    /// least in its subtree; `up` is the tree edge to the parent.
    low: Vec<usize>,
    lim: Vec<usize>,
    up: Vec<usize>,
    parent: Vec<usize>,
}

impl Simplex {
    fn new(n: usize, es: Vec<(usize, usize)>, weight: Vec<i64>) -> Simplex {
        let mut inc = vec![Vec::new(); n];
        for (i, &(a, b)) in es.iter().enumerate() {
            inc[a].push(i);
            inc[b].push(i);
        }
        let m = es.len();
        let mut s = Simplex {
            n,
            es,
            weight,
            inc,
            rank: vec![0; n],
            tree: vec![false; m],
            cut: vec![0; m],
            low: vec![0; n],
            lim: vec![0; n],
            up: vec![usize::MAX; n],
            parent: vec![usize::MAX; n],
        };
        s.longest_path();
        s
    }

    /// Each vertex one layer after its latest predecessor.
    fn longest_path(&mut self) {
        let mut indeg = vec![0usize; self.n];
        for &(_, b) in &self.es {
            indeg[b] += 1;
        }
        let mut queue: Vec<usize> = (0..self.n).filter(|&v| indeg[v] == 0).collect();
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            for k in 0..self.inc[v].len() {
                let (a, b) = self.es[self.inc[v][k]];
                if a == v {
                    self.rank[b] = self.rank[b].max(self.rank[v] + 1);
                    indeg[b] -= 1;
                    if indeg[b] == 0 {
                        queue.push(b);
                    }
                }
            }
        }
    }

    fn slack(&self, e: usize) -> i64 {
        let (a, b) = self.es[e];
        self.rank[b] - self.rank[a] - 1
    }

    /// Grows a tree of tight edges from vertex 0, shifting the tree's layers to make the
    /// least-slack edge leaving it tight, until it spans the graph. False if it cannot (the
    /// graph is not connected).
    fn feasible_tree(&mut self) -> bool {
        let mut in_tree = vec![false; self.n];
        in_tree[0] = true;
        let mut members = vec![0usize];
        loop {
            // Every tight edge out of the tree joins it.
            let mut k = 0;
            while k < members.len() {
                let v = members[k];
                k += 1;
                for &e in &self.inc[v] {
                    let (a, b) = self.es[e];
                    let w = if a == v { b } else { a };
                    if !in_tree[w] && self.slack(e) == 0 {
                        in_tree[w] = true;
                        self.tree[e] = true;
                        members.push(w);
                    }
                }
            }
            if members.len() == self.n {
                return true;
            }
            let best = (0..self.es.len())
                .filter(|&e| in_tree[self.es[e].0] != in_tree[self.es[e].1])
                .min_by_key(|&e| self.slack(e));
            let Some(e) = best else {
                return false;
            };
            let delta = if in_tree[self.es[e].0] {
                self.slack(e)
            } else {
                -self.slack(e)
            };
            for &v in &members {
                self.rank[v] += delta;
            }
        }
    }

    /// Tree edges of each vertex.
    fn tree_adjacent(&self, v: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.inc[v]
            .iter()
            .filter(|&&e| self.tree[e])
            .map(move |&e| {
                let (a, b) = self.es[e];
                (e, if a == v { b } else { a })
            })
    }

    /// Post-order numbering of the tree from vertex 0.
    fn low_lim(&mut self) {
        let mut next = 1;
        let mut seen = vec![false; self.n];
        // (vertex, position in its incidence list, low)
        let mut stack = vec![(0usize, 0usize, 1usize)];
        seen[0] = true;
        self.parent[0] = usize::MAX;
        self.up[0] = usize::MAX;
        while let Some(&mut (v, ref mut k, low)) = stack.last_mut() {
            let found = self.inc[v][*k..]
                .iter()
                .position(|&e| {
                    let (a, b) = self.es[e];
                    self.tree[e] && !seen[if a == v { b } else { a }]
                })
                .map(|p| *k + p);
            match found {
                Some(p) => {
                    *k = p + 1;
                    let e = self.inc[v][p];
                    let (a, b) = self.es[e];
                    let w = if a == v { b } else { a };
                    seen[w] = true;
                    self.parent[w] = v;
                    self.up[w] = e;
                    stack.push((w, 0, next));
                }
                None => {
                    self.low[v] = low;
                    self.lim[v] = next;
                    next += 1;
                    stack.pop();
                }
            }
        }
    }

    /// Cut values of every tree edge, children before parents (increasing `lim`).
    fn cut_values(&mut self) {
        let mut by_lim: Vec<usize> = (0..self.n).filter(|&v| v != 0).collect();
        by_lim.sort_unstable_by_key(|&v| self.lim[v]);
        for c in by_lim {
            let te = self.up[c];
            if te == usize::MAX {
                continue;
            }
            let p = self.parent[c];
            let child_is_tail = self.es[te].0 == c;
            let mut cut = self.weight[te];
            for &e in &self.inc[c] {
                let (a, b) = self.es[e];
                let out = a == c;
                let other = if out { b } else { a };
                if other == p {
                    continue;
                }
                let to_head = out == child_is_tail;
                let w = self.weight[e];
                cut += if to_head { w } else { -w };
                if self.tree[e] {
                    cut += if to_head { -self.cut[e] } else { self.cut[e] };
                }
            }
            self.cut[te] = cut;
        }
    }

    /// A tree edge with a negative cut value, searched from where the last search stopped.
    fn leave_edge(&self, start: &mut usize) -> Option<usize> {
        let m = self.es.len();
        for k in 0..m {
            let e = (*start + k) % m;
            if self.tree[e] && self.cut[e] < 0 {
                *start = e + 1;
                return Some(e);
            }
        }
        None
    }

    /// The non-tree edge of least slack that crosses the cut `leave` makes, the other way.
    fn enter_edge(&self, leave: usize) -> Option<usize> {
        let (v, w) = self.es[leave];
        let (tail, flip) = if self.lim[v] > self.lim[w] {
            (w, true)
        } else {
            (v, false)
        };
        let below = |x: usize| self.low[tail] <= self.lim[x] && self.lim[x] <= self.lim[tail];
        (0..self.es.len())
            .filter(|&e| {
                let (a, b) = self.es[e];
                !self.tree[e] && flip == below(a) && flip != below(b)
            })
            .min_by_key(|&e| self.slack(e))
    }

    /// Layers from the tree alone: every tree edge tight, from vertex 0 down.
    fn tree_ranks(&mut self) {
        let mut stack = vec![0usize];
        let mut seen = vec![false; self.n];
        seen[0] = true;
        while let Some(v) = stack.pop() {
            let next: Vec<(usize, usize)> = self.tree_adjacent(v).collect();
            for (e, w) in next {
                if seen[w] {
                    continue;
                }
                seen[w] = true;
                self.rank[w] = if self.es[e].0 == v {
                    self.rank[v] + 1
                } else {
                    self.rank[v] - 1
                };
                stack.push(w);
            }
        }
    }

    fn normalised(&self) -> Vec<usize> {
        let min = self.rank.iter().copied().min().unwrap_or(0);
        self.rank.iter().map(|&r| (r - min) as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(layer: &[usize], dag: &[(usize, usize)]) -> usize {
        dag.iter().map(|&(a, b)| layer[b] - layer[a]).sum()
    }

    fn feasible(layer: &[usize], dag: &[(usize, usize)]) -> bool {
        dag.iter().all(|&(a, b)| layer[b] > layer[a])
    }

    #[test]
    fn a_source_is_drawn_next_to_what_it_calls() {
        // 0→1→2→3 and 4→3: longest path puts 4 first; the shortest layering puts it beside 2.
        let dag = [(0, 1), (1, 2), (2, 3), (4, 3)];
        let l = network_simplex(5, &dag, 100);
        assert!(feasible(&l, &dag));
        assert_eq!(l[4], l[2], "{l:?}");
        assert_eq!(length(&l, &dag), 4);
    }

    #[test]
    fn a_group_moves_together_when_no_single_vertex_can() {
        // A chain 0→1→2→3→4 and a pair 5→6 that both call 4 and are called by 0: the pair
        // belongs next to 4, which only moving both at once finds.
        let dag = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (0, 5),
            (5, 6),
            (6, 4),
            (5, 4),
        ];
        let l = network_simplex(7, &dag, 100);
        assert!(feasible(&l, &dag));
        let best = (0..5usize.pow(7))
            .filter_map(|code| {
                let layer: Vec<usize> = (0..7).map(|k| code / 5usize.pow(k) % 5).collect();
                feasible(&layer, &dag).then(|| length(&layer, &dag))
            })
            .min();
        assert_eq!(Some(length(&l, &dag)), best, "{l:?}");
    }

    #[test]
    fn parallel_edges_and_ends_out_of_range_are_harmless() {
        let dag = [(0, 1), (0, 1), (usize::MAX, usize::MAX), (1, 2)];
        assert_eq!(network_simplex(3, &dag, 100), vec![0, 1, 2]);
    }
}
