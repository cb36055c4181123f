//! Paths: the dependency routes from one set of nodes to another, following traffic, through
//! the via nodes a relation names (`经 APISIX/NGINX`).

use crate::graph::Topology;

/// Dependency paths from any node of `from` to any node of `to`, following traffic, shortest
/// first. At most `limit` paths of at most `max_hops` hops.
pub fn paths(
    topo: &Topology,
    from: &[usize],
    to: &[usize],
    limit: usize,
    max_hops: usize,
) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut budget: usize = 200_000;
    for &start in from {
        let mut stack = vec![start];
        dfs(
            topo,
            &mut stack,
            to,
            max_hops,
            limit * 4,
            &mut found,
            &mut budget,
        );
    }
    found.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    found.dedup();
    found.truncate(limit);
    found
        .into_iter()
        .map(|p| p.into_iter().map(|i| topo.nodes()[i].id.clone()).collect())
        .collect()
}

fn dfs(
    topo: &Topology,
    stack: &mut Vec<usize>,
    to: &[usize],
    max_hops: usize,
    cap: usize,
    found: &mut Vec<Vec<usize>>,
    budget: &mut usize,
) {
    let Some(&at) = stack.last() else { return };
    if stack.len() > 1 && to.contains(&at) {
        found.push(stack.clone());
        return;
    }
    if stack.len() > max_hops || found.len() >= cap || *budget == 0 {
        return;
    }
    *budget -= 1;
    // Through via nodes too, as impact reads them: `A → B 经 V` is A → V → B.
    // Doubtful relations are left out, as impact leaves them out.
    let mut next: Vec<usize> = topo
        .traffic_next(at)
        .into_iter()
        .filter(|(_, e)| !e.is_doubtful())
        .map(|(n, _)| n)
        .collect();
    next.sort_unstable();
    next.dedup();
    for n in next {
        if stack.contains(&n) {
            continue;
        }
        stack.push(n);
        dfs(topo, stack, to, max_hops, cap, found, budget);
        stack.pop();
    }
}
