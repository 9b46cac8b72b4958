//! Community detection on the k-NN graph: the graph (CSR), Leiden for
//! modularity, and the two merges that put back together what a high
//! resolution cut apart (loose pieces, halves of one category).

use std::collections::VecDeque;

use super::kernels::Rng;

/// Undirected weighted graph in CSR form (each edge stored both ways;
/// self-loops once, carrying the community's internal weight after
/// aggregation).
pub(super) struct Graph {
    offsets: Vec<usize>,
    nbrs: Vec<u32>,
    weights: Vec<f64>,
    /// Weighted degree (self-loop included).
    degree: Vec<f64>,
    /// Sum of degrees (2m).
    total: f64,
}

impl Graph {
    fn n(&self) -> usize {
        self.degree.len()
    }

    fn edges(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.offsets[i]..self.offsets[i + 1];
        self.nbrs[r.clone()]
            .iter()
            .zip(&self.weights[r])
            .map(|(&j, &w)| (j as usize, w))
    }

    fn from_lists(lists: Vec<Vec<(u32, f64)>>) -> Self {
        let n = lists.len();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut nbrs = Vec::new();
        let mut weights = Vec::new();
        let mut degree = Vec::with_capacity(n);
        for mut l in lists {
            l.sort_unstable_by_key(|e| e.0);
            let mut deg = 0.0;
            let mut last: Option<u32> = None;
            for (j, w) in l {
                if last == Some(j) {
                    if let Some(x) = weights.last_mut() {
                        *x += w;
                    }
                } else {
                    nbrs.push(j);
                    weights.push(w);
                    last = Some(j);
                }
                deg += w;
            }
            degree.push(deg);
            offsets.push(nbrs.len());
        }
        let total = degree.iter().sum();
        Self {
            offsets,
            nbrs,
            weights,
            degree,
            total,
        }
    }

    /// Symmetrised k-NN graph: weight max(sim, 0) per direction, summed;
    /// `self_weight` per node as a self-loop (0: none).
    pub(super) fn from_knn(knn: &[Vec<(f32, u32)>], n: usize, self_weight: &[f64]) -> Self {
        let mut lists: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for (i, &w) in self_weight.iter().enumerate().take(n) {
            if w > 0.0 {
                lists[i].push((i as u32, w));
            }
        }
        for (i, row) in knn.iter().enumerate() {
            for &(s, j) in row {
                let w = f64::from(s.max(0.0));
                if w > 0.0 && j as usize != i {
                    lists[i].push((j, w));
                    lists[j as usize].push((i as u32, w));
                }
            }
        }
        Self::from_lists(lists)
    }

    /// Collapses each community of `part` (ids `0..k`) into one node.
    fn aggregate(&self, part: &[usize], k: usize) -> Self {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &c) in part.iter().enumerate() {
            members[c].push(i);
        }
        let mut acc = vec![0f64; k];
        let mut seen = vec![false; k];
        let mut lists = Vec::with_capacity(k);
        for mem in &members {
            let mut touched: Vec<usize> = Vec::new();
            for &i in mem {
                for (j, w) in self.edges(i) {
                    let c = part[j];
                    if !seen[c] {
                        seen[c] = true;
                        touched.push(c);
                    }
                    acc[c] += w;
                }
            }
            let mut l = Vec::with_capacity(touched.len());
            for c in touched {
                l.push((c as u32, acc[c]));
                acc[c] = 0.0;
                seen[c] = false;
            }
            lists.push(l);
        }
        Self::from_lists(lists)
    }
}

/// Renumbers labels to `0..k` in order of first appearance; returns k.
pub(super) fn renumber(part: &mut [usize]) -> usize {
    let mut map = std::collections::HashMap::new();
    for p in part.iter_mut() {
        let k = map.len();
        *p = *map.entry(*p).or_insert(k);
    }
    map.len()
}

/// Leiden (Traag, Waltman & van Eck 2019) for modularity with resolution
/// `gamma`, with a greedy refinement (the best merge instead of a random
/// one, so it is deterministic for a given node order). Returns a
/// community per node.
pub(super) fn leiden(
    g: &Graph,
    gamma: f64,
    refine: bool,
    iterations: usize,
    rng: &mut Rng,
) -> Vec<usize> {
    let n = g.n();
    let mut result: Vec<usize> = (0..n).collect();
    if g.total <= 0.0 {
        return result;
    }
    for _ in 0..iterations {
        let mut cur_part = result.clone();
        renumber(&mut cur_part);
        // Map from original node to its node in the current graph.
        let mut node_of: Vec<usize> = (0..n).collect();
        let mut owned: Option<Graph> = None;
        loop {
            let graph = owned.as_ref().unwrap_or(g);
            let order = rng.permutation(graph.n());
            move_nodes(graph, &mut cur_part, gamma, &order);
            let k = renumber(&mut cur_part);
            if k == graph.n() {
                break;
            }
            let (mut agg_part, na) = if refine {
                let order = rng.permutation(graph.n());
                let mut r = refine_partition(graph, &cur_part, gamma, &order);
                let nr = renumber(&mut r);
                (r, nr)
            } else {
                (cur_part.clone(), k)
            };
            if na == graph.n() {
                // Refinement merged nothing: aggregate by the moved partition.
                agg_part = cur_part.clone();
            }
            let na = renumber(&mut agg_part);
            let next = graph.aggregate(&agg_part, na);
            let mut next_part = vec![0usize; na];
            for (v, &a) in agg_part.iter().enumerate() {
                next_part[a] = cur_part[v];
            }
            for x in node_of.iter_mut() {
                *x = agg_part[*x];
            }
            cur_part = next_part;
            owned = Some(next);
        }
        result = node_of.iter().map(|&v| cur_part[v]).collect();
    }
    renumber(&mut result);
    result
}

/// Whether a community with edge weight `cut` leaving it and `vol` in all
/// is one: it leaves at most a third of what a random set of nodes of that
/// volume would (`1 − vol/total` of it). Conductance alone favours size
/// (the whole graph leaves nothing), so on a diffuse graph (short, varied
/// texts such as tweets) each merge by cut left a community that merged
/// again, until one catch-all held nearly every reason. Halves of one
/// category make a merged community far below the bar (≤ 0.29 in the
/// tests' blobs); merges in that cascade were ≥ 0.35.
fn community_like(cut: f64, vol: f64, total: f64) -> bool {
    let chance = 1.0 - vol / total;
    vol > 0.0 && cut / vol <= chance / 3.0
}

/// Merges pairs of adjacent communities while the weight between them is at
/// least `min_share` of the smaller one's volume (largest share first, ties
/// by smaller ids): the two halves of one category that a high resolution
/// cut in two share far more edges than two real categories do.
pub(super) fn merge_by_cut(g: &Graph, part: &[usize], min_share: f64) -> Vec<usize> {
    use std::collections::BTreeMap;
    let mut part = part.to_vec();
    let k = renumber(&mut part);
    if min_share > 1.0 || k < 2 {
        return part;
    }
    let agg = g.aggregate(&part, k);
    let mut vol = agg.degree.clone();
    let mut adj: Vec<BTreeMap<usize, f64>> = (0..k)
        .map(|a| agg.edges(a).filter(|&(b, _)| b != a).collect())
        .collect();
    let mut parent: Vec<usize> = (0..k).collect();
    let mut cut: Vec<f64> = adj.iter().map(|m| m.values().sum()).collect();
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for (a, m) in adj.iter().enumerate() {
            for (&b, &w) in m.range(a + 1..) {
                let denom = vol[a].min(vol[b]);
                let r = if denom > 0.0 { w / denom } else { 0.0 };
                if r >= min_share
                    && community_like(cut[a] + cut[b] - 2.0 * w, vol[a] + vol[b], g.total)
                    && best.is_none_or(|(br, _, _)| r > br)
                {
                    best = Some((r, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else { break };
        let w = adj[a].get(&b).copied().unwrap_or(0.0);
        cut[a] += cut[b] - 2.0 * w;
        // Merge b into a.
        let nb = std::mem::take(&mut adj[b]);
        for (c, w) in nb {
            adj[c].remove(&b);
            if c != a {
                *adj[a].entry(c).or_insert(0.0) += w;
                *adj[c].entry(a).or_insert(0.0) += w;
            }
        }
        vol[a] += vol[b];
        vol[b] = 0.0;
        parent[b] = a;
    }
    let root = |mut x: usize| {
        while parent[x] != x {
            x = parent[x];
        }
        x
    };
    part.iter().map(|&c| root(c)).collect()
}

/// Merges communities that are not communities: while some community
/// sends more than `max_conductance` of its edge weight outside itself
/// (the worst first; ties by smaller id), it joins the neighbour it is most
/// connected to. Leiden communities of real categories sit well below 0.35;
/// pieces of a big homogeneous category that a high resolution cut apart
/// sit near 0.7.
pub(super) fn merge_loose(g: &Graph, part: &[usize], max_conductance: f64) -> Vec<usize> {
    use std::cmp::Ordering;
    use std::collections::{BTreeMap, BinaryHeap};

    #[derive(PartialEq)]
    struct Item(f64, usize, u32);
    impl Eq for Item {}
    impl PartialOrd for Item {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Item {
        fn cmp(&self, o: &Self) -> Ordering {
            self.0.total_cmp(&o.0).then(o.1.cmp(&self.1))
        }
    }

    let mut part = part.to_vec();
    let k = renumber(&mut part);
    if max_conductance >= 1.0 || k < 2 {
        return part;
    }
    let agg = g.aggregate(&part, k);
    let mut vol = agg.degree.clone();
    let mut adj: Vec<BTreeMap<usize, f64>> = (0..k)
        .map(|a| agg.edges(a).filter(|&(b, _)| b != a).collect())
        .collect();
    let mut cut: Vec<f64> = adj.iter().map(|m| m.values().sum()).collect();
    let phi = |cut: f64, vol: f64| if vol > 0.0 { cut / vol } else { 0.0 };
    let mut version = vec![0u32; k];
    let mut heap: BinaryHeap<Item> = (0..k).map(|c| Item(phi(cut[c], vol[c]), c, 0)).collect();
    let mut parent: Vec<usize> = (0..k).collect();
    let mut alive = k;
    while let Some(Item(p, c, ver)) = heap.pop() {
        if ver != version[c] || parent[c] != c {
            continue;
        }
        if p <= max_conductance || alive < 2 {
            break;
        }
        // The neighbour with the most weight to c.
        let mut best: Option<(f64, usize)> = None;
        for (&d, &w) in &adj[c] {
            if best.is_none_or(|(bw, _)| w > bw) {
                best = Some((w, d));
            }
        }
        let Some((w_cd, d)) = best else { continue };
        // Merge c into d.
        let nc = std::mem::take(&mut adj[c]);
        for (e, w) in nc {
            adj[e].remove(&c);
            if e != d {
                *adj[d].entry(e).or_insert(0.0) += w;
                *adj[e].entry(d).or_insert(0.0) += w;
            }
        }
        cut[d] += cut[c] - 2.0 * w_cd;
        vol[d] += vol[c];
        parent[c] = d;
        alive -= 1;
        version[d] += 1;
        heap.push(Item(phi(cut[d], vol[d]), d, version[d]));
    }
    let root = |mut x: usize| {
        while parent[x] != x {
            x = parent[x];
        }
        x
    };
    part.iter().map(|&c| root(c)).collect()
}

/// Leiden's fast local moving: a queue of nodes; each goes to the
/// neighbouring community with the largest modularity gain (or a new one).
fn move_nodes(g: &Graph, part: &mut [usize], gamma: f64, order: &[usize]) {
    let n = g.n();
    let scale = gamma / g.total;
    let mut tot = vec![0f64; n];
    let mut cnt = vec![0usize; n];
    for i in 0..n {
        tot[part[i]] += g.degree[i];
        cnt[part[i]] += 1;
    }
    let mut empty: Vec<usize> = (0..n).rev().filter(|&c| cnt[c] == 0).collect();
    let mut queue: VecDeque<usize> = order.iter().copied().collect();
    let mut in_queue = vec![true; n];
    let mut w_to = vec![0f64; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<usize> = Vec::new();
    while let Some(i) = queue.pop_front() {
        in_queue[i] = false;
        let ci = part[i];
        let ki = g.degree[i];
        for (j, w) in g.edges(i) {
            if j == i {
                continue;
            }
            let c = part[j];
            if !seen[c] {
                seen[c] = true;
                touched.push(c);
            }
            w_to[c] += w;
        }
        tot[ci] -= ki;
        cnt[ci] -= 1;
        let mut best = ci;
        let mut best_gain = w_to[ci] - scale * ki * tot[ci];
        for &c in &touched {
            let gain = w_to[c] - scale * ki * tot[c];
            if gain > best_gain {
                best_gain = gain;
                best = c;
            }
        }
        if best_gain < 0.0 && cnt[ci] > 0 {
            // Alone is better than anywhere: take an empty community.
            while let Some(&e) = empty.last() {
                if cnt[e] == 0 && e != ci {
                    break;
                }
                empty.pop();
            }
            if let Some(e) = empty.pop() {
                best = e;
            }
        }
        part[i] = best;
        tot[best] += ki;
        cnt[best] += 1;
        if cnt[ci] == 0 {
            empty.push(ci);
        }
        for &c in &touched {
            w_to[c] = 0.0;
            seen[c] = false;
        }
        touched.clear();
        if best != ci {
            for (j, _) in g.edges(i) {
                if !in_queue[j] && part[j] != best {
                    in_queue[j] = true;
                    queue.push_back(j);
                }
            }
        }
    }
}

/// Leiden's refinement: inside each community, nodes start alone and
/// well-connected singletons merge into the well-connected sub-community
/// with the largest gain; sub-communities are therefore connected.
fn refine_partition(g: &Graph, part: &[usize], gamma: f64, order: &[usize]) -> Vec<usize> {
    let n = g.n();
    let scale = gamma / g.total;
    let mut refined: Vec<usize> = (0..n).collect();
    let mut rtot: Vec<f64> = g.degree.clone();
    let mut rcount = vec![1usize; n];
    // ext[r]: weight from sub-community r to the rest of its community.
    let mut ext_v = vec![0f64; n];
    let k = part.iter().copied().max().map_or(0, |m| m + 1);
    let mut stot = vec![0f64; k];
    for i in 0..n {
        stot[part[i]] += g.degree[i];
        ext_v[i] = g
            .edges(i)
            .filter(|&(j, _)| j != i && part[j] == part[i])
            .map(|e| e.1)
            .sum();
    }
    let mut ext = ext_v.clone();
    let mut w_to = vec![0f64; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<usize> = Vec::new();
    for &v in order {
        if rcount[refined[v]] != 1 {
            continue;
        }
        let s = part[v];
        let kv = g.degree[v];
        if ext_v[v] < scale * kv * (stot[s] - kv) {
            continue;
        }
        for (j, w) in g.edges(v) {
            if j == v || part[j] != s {
                continue;
            }
            let r = refined[j];
            if !seen[r] {
                seen[r] = true;
                touched.push(r);
            }
            w_to[r] += w;
        }
        let mut best: Option<usize> = None;
        let mut best_gain = 0.0;
        for &r in &touched {
            if ext[r] < scale * rtot[r] * (stot[s] - rtot[r]) {
                continue;
            }
            let gain = w_to[r] - scale * kv * rtot[r];
            if gain > best_gain {
                best_gain = gain;
                best = Some(r);
            }
        }
        if let Some(r) = best {
            let own = refined[v];
            rcount[own] -= 1;
            rtot[own] -= kv;
            refined[v] = r;
            rcount[r] += 1;
            rtot[r] += kv;
            ext[r] = ext[r] + ext_v[v] - 2.0 * w_to[r];
        }
        for &r in &touched {
            w_to[r] = 0.0;
            seen[r] = false;
        }
        touched.clear();
    }
    refined
}
