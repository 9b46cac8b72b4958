//! Groups reason embeddings into recurring categories, without being told
//! how many there are.
//!
//! The method ([`Method::Leiden`], the default) is graph clustering:
//!
//! 1. **Distinct vectors, anchors.** Exact duplicates are collapsed (a
//!    phrasing said 500 times is one node, so it cannot form a clique of
//!    its own). Above [`GraphOptions::max_graph_nodes`] distinct vectors
//!    (50,000), a seeded random sample of that many is clustered and every
//!    other vector later takes the similarity-weighted majority category of
//!    its nearest sampled ones; this bounds the time and keeps the number of
//!    categories from growing with volume.
//! 2. **k-NN graph.** Each vector is linked to its `k` most cosine-similar
//!    others, `k` = √n / 10 clamped to 5..=12. Up to
//!    [`GraphOptions::exact_limit`] vectors the search is exact (blocked
//!    matrix products through `gemm`); above it an inverted-file index
//!    (spherical k-means into about √n cells, each vector searching its
//!    `nprobe` nearest cells) keeps it near-linear. Edge weight = the
//!    similarity (clamped at 0), summed over both directions.
//! 3. **Leiden community detection** maximising modularity at resolution 3:
//!    local moving with a queue, a greedy (deterministic) refinement that
//!    keeps communities connected, aggregation, until stable; then a second
//!    pass from that result. The number of communities falls out of the
//!    optimisation.
//! 4. **Loose pieces merged.** A high resolution caps a community near
//!    `1 / resolution` of the graph, so a big homogeneous category comes out
//!    in pieces. A piece that sends over half its edge weight outside
//!    itself joins its most connected neighbour, and two communities whose
//!    shared edge weight is at least 15% of the smaller one's merge. On
//!    BANKING77 / CLINC150 real categories stay far below both (≤ 0.35 and
//!    ≤ 0.07), so these only fire on split categories.
//! 5. **Clean-up.** Categories smaller than `min_category_size` are
//!    dissolved and their members go to the most similar surviving
//!    centroid. A reason whose best centroid similarity is an outlier
//!    (below the median minus 5 robust standard deviations of everyone's,
//!    the deviation taken as at least a tenth of the median; or ≤ 0, e.g.
//!    an empty text's zero vector) is left uncategorised, worst first,
//!    while the `max_unassigned` budget lasts.
//!
//! Everything is seeded and deterministic: node orders come from a seeded
//! generator, parallel work writes per-row results or reduces fixed chunks
//! in a fixed order, so the same input gives the same labels on any number
//! of threads. Categories are numbered by size (largest first), ties by
//! their smallest member index.
//!
//! `docs/clustering-bench.md` has the measurements behind these choices,
//! against over-clustered k-means + average-linkage merging, k-means with
//! the true k, and PCA → HDBSCAN.
//!
//! Here: the public API, the graph method's orchestration (steps 1 and 5).
//! Beside it: `knn` (step 2), `leiden` (steps 3 and 4), `kmeans` (the
//! index's cells), `kernels` (matrix, products, generator), `score` (NMI,
//! ARI), `reference` (the benchmark-only methods) and `anchor` (month over
//! month: last month's category boundaries).

use std::time::Instant;

use rayon::prelude::*;

mod anchor;
mod cohesion;
mod kernels;
mod kmeans;
mod knn;
mod leiden;
mod reference;
mod score;

pub use anchor::{anchor_group, centre_of_examples, CENTROID_THRESHOLD};
pub(crate) use cohesion::{add_up, norm, sum_of};
pub use cohesion::{
    cohesion, dissolve_loose, retain, tighter_than_group, MIN_GAIN_OVER_CHANCE, MIN_GAIN_OVER_GROUP,
};
pub use score::{ari, nmi};

use kernels::{dot, Matrix, Rng};
use kmeans::centroids_of;
use knn::{knn_graph, knn_search, top_centroids};
use leiden::{leiden, merge_by_cut, merge_loose, renumber, Graph};

/// Settings for [`cluster`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterParams {
    /// Categories with fewer members are dissolved (their members are
    /// reassigned). `0` is treated as `1`.
    pub min_category_size: usize,
    /// Largest share of inputs that may be left uncategorised, in `[0, 1]`.
    pub max_unassigned: f64,
    /// Seed of every random choice (node orders, k-means initialisation).
    pub seed: u64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        Self {
            min_category_size: 5,
            max_unassigned: 0.05,
            seed: 0,
        }
    }
}

/// Result of [`cluster`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clustering {
    /// Category of each input, in input order; `None` = uncategorised.
    pub cluster_of: Vec<Option<usize>>,
    /// Categories are `0..n_categories`, largest first (ties: the one
    /// whose first member comes first).
    pub n_categories: usize,
    /// L2-normalised mean of each category's members.
    pub centroids: Vec<Vec<f32>>,
}

/// How the k-NN graph is built (for [`Method::Leiden`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphOptions {
    /// Neighbours per vector; `None` picks it from the graph size (see
    /// [`GraphOptions::neighbours`]).
    pub k: Option<usize>,
    /// Exact search up to this many vectors, inverted-file index above.
    pub exact_limit: usize,
    /// Cells each vector searches in the inverted-file index (1..=64).
    pub nprobe: usize,
    /// Most distinct vectors in the graph: above this, a seeded random
    /// sample of this many ("anchors") is clustered and every other vector
    /// takes the similarity-weighted majority category of its `k` nearest
    /// anchors. This bounds the time and keeps the number of categories
    /// from growing with the volume of data.
    pub max_graph_nodes: usize,
}

impl GraphOptions {
    /// Neighbours per vector for a graph of `n` vectors: `k`, or by default
    /// √n / 10 clamped to 5..=12. The best k grows with the typical
    /// category size: on BANKING77, k = 5 is best at 3,000 texts and
    /// 10–15 at 10,000.
    pub fn neighbours(&self, n: usize) -> usize {
        self.k
            .unwrap_or_else(|| ((n as f64).sqrt() / 10.0).round().clamp(5.0, 12.0) as usize)
    }
}

impl Default for GraphOptions {
    fn default() -> Self {
        Self {
            k: None,
            exact_limit: 10_000,
            nprobe: 8,
            max_graph_nodes: 50_000,
        }
    }
}

/// Clustering algorithm; [`Method::default`] is what [`cluster`] runs.
/// The others are kept for the comparison in `examples/cluster_bench.rs`.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// k-NN graph + Leiden (modularity); see the module docs.
    Leiden {
        graph: GraphOptions,
        /// Modularity resolution: higher gives more, smaller categories.
        resolution: f64,
        /// `false` skips the refinement step, which makes it Louvain.
        refine: bool,
        /// Full passes (each starts from the previous result).
        iterations: usize,
        /// After Leiden, a community whose conductance (share of its edge
        /// weight leaving it) is above this joins its most connected
        /// neighbour, worst first. High resolutions split big, homogeneous
        /// categories (modularity caps a community near `1 / resolution`
        /// of the graph) into loose pieces; this puts them back together.
        /// 1 or more never merges.
        max_conductance: f64,
        /// Then two adjacent communities merge while the weight between
        /// them is at least this share of the smaller one's edge weight
        /// (halves of one category). Above 1 never merges.
        merge_cut: f64,
    },
    /// Spherical k-means into `n / points_per_micro` (at most 5,000)
    /// micro-clusters, then average-linkage merging (cosine) until the best
    /// pair's average similarity drops below `threshold`.
    KMeansMerge {
        points_per_micro: usize,
        threshold: f64,
    },
    /// Plain spherical k-means with a given `k` (a reference only: users
    /// never know k).
    KMeans { k: usize },
}

impl Default for Method {
    fn default() -> Self {
        Method::Leiden {
            graph: GraphOptions::default(),
            resolution: 3.0,
            refine: true,
            iterations: 2,
            max_conductance: 0.5,
            merge_cut: 0.15,
        }
    }
}

/// Seconds spent per stage, in order.
pub type StageTimes = Vec<(&'static str, f64)>;

/// Clusters L2-normalised vectors (they are re-normalised anyway) into
/// categories with the default [`Method`]. All vectors must have the same
/// length and finite values; a zero vector is allowed (it fits nothing).
///
/// Errors (never panics) on vectors of different or zero length, on
/// non-finite values, and on `max_unassigned` outside `[0, 1]`.
pub fn cluster(vectors: &[Vec<f32>], params: &ClusterParams) -> anyhow::Result<Clustering> {
    Ok(cluster_with(vectors, params, &Method::default())?.0)
}

/// [`cluster`] with an explicit method; also returns per-stage timings.
pub fn cluster_with(
    vectors: &[Vec<f32>],
    params: &ClusterParams,
    method: &Method,
) -> anyhow::Result<(Clustering, StageTimes)> {
    anyhow::ensure!(
        params.max_unassigned.is_finite() && (0.0..=1.0).contains(&params.max_unassigned),
        "max_unassigned must be in [0, 1], got {}",
        params.max_unassigned
    );
    let mut times = StageTimes::new();
    let n = vectors.len();
    if n == 0 {
        return Ok((Clustering::default(), times));
    }
    let t = Instant::now();
    let data = Matrix::from_rows(vectors)?;
    times.push(("prepare", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    let mut rng = Rng::new(params.seed);
    let raw: Vec<usize> = match method {
        Method::Leiden {
            graph,
            resolution,
            refine,
            iterations,
            max_conductance,
            merge_cut,
        } => {
            anyhow::ensure!(
                resolution.is_finite() && *resolution > 0.0,
                "resolution must be positive"
            );
            anyhow::ensure!(
                !max_conductance.is_nan() && !merge_cut.is_nan(),
                "max_conductance and merge_cut must be numbers"
            );
            let community = |g: &Graph, rng: &mut Rng| {
                let l = leiden(g, *resolution, *refine, (*iterations).max(1), rng);
                let l = merge_loose(g, &l, *max_conductance);
                merge_by_cut(g, &l, *merge_cut)
            };
            graph_cluster(&data, graph, &community, &mut rng, &mut times)
        }
        Method::KMeansMerge {
            points_per_micro,
            threshold,
        } => reference::kmeans_merge(
            &data,
            *points_per_micro,
            *threshold,
            &mut rng,
            t,
            &mut times,
        ),
        Method::KMeans { k } => reference::kmeans(&data, *k, &mut rng, t, &mut times),
    };
    let t = Instant::now();
    let out = finalize(&data, &raw, params);
    times.push(("clean-up", t.elapsed().as_secs_f64()));
    Ok((out, times))
}

/// Leiden on the k-NN graph of the distinct vectors (or of an anchor
/// sample of them); returns a raw community per input row.
fn graph_cluster(
    data: &Matrix,
    opts: &GraphOptions,
    community: &dyn Fn(&Graph, &mut Rng) -> Vec<usize>,
    rng: &mut Rng,
    times: &mut StageTimes,
) -> Vec<usize> {
    let t = Instant::now();
    let (reps, rep_of) = distinct_rows(data);
    let uniq = data.select(&reps);
    let nu = uniq.n;
    let anchors: Vec<usize> = if nu > opts.max_graph_nodes.max(2) {
        let mut a = rng.permutation(nu);
        a.truncate(opts.max_graph_nodes.max(2));
        a.sort_unstable();
        a
    } else {
        (0..nu).collect()
    };
    let sampled;
    let amat: &Matrix = if anchors.len() == nu {
        &uniq
    } else {
        sampled = uniq.select(&anchors);
        &sampled
    };
    times.push(("dedup+sample", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    let knn = knn_graph(amat, opts, rng);
    times.push(("knn graph", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    // Copies of one text are one node; their similarity to each other (1)
    // becomes a self-loop, as if each copy linked to its k nearest copies.
    // Without it a group of identical reasons would look like a node with
    // no inner weight and be merged into whatever it touches.
    let mut copies = vec![0usize; nu];
    for &u in &rep_of {
        copies[u] += 1;
    }
    let k = opts.neighbours(amat.n) as f64;
    let self_weight: Vec<f64> = anchors
        .iter()
        .map(|&u| {
            let m = copies[u] as f64;
            m * (m - 1.0).min(k)
        })
        .collect();
    let g = Graph::from_knn(&knn, amat.n, &self_weight);
    let alabels = community(&g, rng);
    times.push(("leiden", t.elapsed().as_secs_f64()));
    let mut ulabels = vec![usize::MAX; nu];
    for (a, &u) in anchors.iter().enumerate() {
        ulabels[u] = alabels[a];
    }
    let others: Vec<usize> = (0..nu).filter(|&u| ulabels[u] == usize::MAX).collect();
    if !others.is_empty() {
        let t = Instant::now();
        let q = uniq.select(&others);
        let k = opts.neighbours(amat.n).clamp(1, amat.n);
        let nn = knn_search(&q, amat, false, k, opts, rng);
        let mut next = alabels.iter().copied().max().map_or(0, |m| m + 1);
        for (&u, row) in others.iter().zip(&nn) {
            ulabels[u] = match vote(row, &alabels) {
                Some(l) => l,
                None => {
                    next += 1;
                    next - 1
                }
            };
        }
        times.push(("assign to anchors", t.elapsed().as_secs_f64()));
    }
    rep_of.iter().map(|&u| ulabels[u]).collect()
}

/// Similarity-weighted majority label of a neighbour list (ties: the
/// smaller label); the nearest neighbour's label if no weight is positive.
fn vote(row: &[(f32, u32)], labels: &[usize]) -> Option<usize> {
    let mut acc: Vec<(usize, f64)> = Vec::with_capacity(row.len());
    for &(s, j) in row {
        let l = labels[j as usize];
        let w = f64::from(s.max(0.0));
        match acc.iter_mut().find(|e| e.0 == l) {
            Some(e) => e.1 += w,
            None => acc.push((l, w)),
        }
    }
    let mut best: Option<(usize, f64)> = None;
    for &(l, w) in &acc {
        best = match best {
            Some((bl, bw)) if bw > w || (bw == w && bl < l) => Some((bl, bw)),
            _ => Some((l, w)),
        };
    }
    match best {
        Some((l, w)) if w > 0.0 => Some(l),
        _ => row.first().map(|&(_, j)| labels[j as usize]),
    }
}

/// First occurrences of each distinct row, and for each row the position
/// of its first occurrence in that list.
fn distinct_rows(data: &Matrix) -> (Vec<usize>, Vec<usize>) {
    let hashes: Vec<u64> = (0..data.n)
        .into_par_iter()
        .map(|i| {
            let mut h: u64 = 0xCBF2_9CE4_8422_2325;
            for x in data.row(i) {
                h ^= u64::from(x.to_bits());
                h = h.wrapping_mul(0x0000_0100_0000_01B3);
            }
            h
        })
        .collect();
    let mut seen: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    let mut reps = Vec::new();
    let mut rep_of = Vec::with_capacity(data.n);
    for (i, &h) in hashes.iter().enumerate() {
        let bucket = seen.entry(h).or_default();
        let found = bucket
            .iter()
            .copied()
            .find(|&u| data.row(reps[u]) == data.row(i));
        match found {
            Some(u) => rep_of.push(u),
            None => {
                bucket.push(reps.len());
                rep_of.push(reps.len());
                reps.push(i);
            }
        }
    }
    (reps, rep_of)
}

fn finalize(data: &Matrix, raw: &[usize], params: &ClusterParams) -> Clustering {
    let n = data.n;
    let d = data.dim;
    let min_size = params.min_category_size.max(1);
    let mut assign = raw.to_vec();
    renumber(&mut assign);
    let mut labels: Vec<Option<usize>> = assign.into_iter().map(Some).collect();
    // Dissolve small categories: their members go to the nearest survivor.
    reassign_small(data, &mut labels, min_size, true);
    // Uncategorised: members that fit no category, i.e. whose best centroid
    // similarity is an outlier (below median - 5 robust sigmas of everyone's
    // best similarity, and below half the median) or not positive, worst
    // first, within the budget.
    let budget = (params.max_unassigned * n as f64 + 1e-9).floor() as usize;
    if budget > 0 {
        let (cent, nc) = centroids_of_labels(data, &labels);
        let best = top_centroids(data, &cent, nc, 1);
        let fit: Vec<f32> = (0..n)
            .map(|i| {
                let c = best[i] as usize;
                dot(data.row(i), &cent[c * d..(c + 1) * d])
            })
            .collect();
        let mut sorted = fit.clone();
        sorted.sort_by(f32::total_cmp);
        let median = sorted[n / 2];
        let mut dev: Vec<f32> = fit.iter().map(|x| (x - median).abs()).collect();
        dev.sort_by(f32::total_cmp);
        // The spread is at least a tenth of the median, so a near-identical
        // group (tiny spread) does not flag its ordinary members: the floor
        // is never above half the median.
        let sigma = (1.4826 * dev[n / 2]).max(0.1 * median.abs());
        let floor = median - 5.0 * sigma;
        let mut low: Vec<(f32, usize)> = (0..n)
            .filter(|&i| fit[i] < floor || fit[i] <= 0.0)
            .map(|i| (fit[i], i))
            .collect();
        low.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, i) in low.iter().take(budget) {
            labels[i] = None;
        }
        // Categories that shrank below the minimum are dissolved again
        // (their members are reassigned, not left out).
        reassign_small(data, &mut labels, min_size, false);
    }
    // Number by size (desc), then smallest member index.
    let k = labels.iter().flatten().copied().max().map_or(0, |m| m + 1);
    let mut count = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, l) in labels.iter().enumerate() {
        if let Some(c) = *l {
            count[c] += 1;
            first[c] = first[c].min(i);
        }
    }
    let mut ids: Vec<usize> = (0..k).filter(|&c| count[c] > 0).collect();
    ids.sort_by(|&a, &b| count[b].cmp(&count[a]).then(first[a].cmp(&first[b])));
    let mut new_id = vec![usize::MAX; k];
    for (r, &c) in ids.iter().enumerate() {
        new_id[c] = r;
    }
    for l in labels.iter_mut() {
        *l = l.map(|c| new_id[c]);
    }
    let (cent, nc) = centroids_of_labels(data, &labels);
    Clustering {
        cluster_of: labels,
        n_categories: nc,
        centroids: cent.chunks(d).take(nc).map(<[f32]>::to_vec).collect(),
    }
}

/// Normalised centroids (flat) of labels `0..k` (`None` ignored), and k.
fn centroids_of_labels(data: &Matrix, labels: &[Option<usize>]) -> (Vec<f32>, usize) {
    let k = labels.iter().flatten().copied().max().map_or(0, |m| m + 1);
    let assign: Vec<usize> = labels.iter().map(|l| l.unwrap_or(k)).collect();
    let mut cent = centroids_of(data, &assign, k + 1);
    cent.truncate(k * data.dim);
    (cent, k)
}

/// Dissolves categories with fewer than `min_size` members (ids are then
/// compacted) and moves their members to the most similar surviving
/// centroid. If none would survive, the largest category (first on ties)
/// is kept when `keep_one`, or all categories are kept otherwise.
fn reassign_small(data: &Matrix, labels: &mut [Option<usize>], min_size: usize, keep_one: bool) {
    let k = labels.iter().flatten().copied().max().map_or(0, |m| m + 1);
    if k == 0 {
        return;
    }
    let mut size = vec![0usize; k];
    for c in labels.iter().flatten() {
        size[*c] += 1;
    }
    let mut keep: Vec<bool> = size.iter().map(|&s| s >= min_size).collect();
    if !keep.iter().any(|&x| x) {
        if !keep_one {
            return;
        }
        let mut big = 0;
        for c in 0..k {
            if size[c] > size[big] {
                big = c;
            }
        }
        keep[big] = true;
    }
    if keep.iter().zip(&size).all(|(&kp, &s)| kp || s == 0) {
        return;
    }
    let mut new_id = vec![usize::MAX; k];
    let mut next = 0;
    for c in 0..k {
        if keep[c] {
            new_id[c] = next;
            next += 1;
        }
    }
    let mut orphans = Vec::new();
    for (i, l) in labels.iter_mut().enumerate() {
        if let Some(c) = *l {
            if keep[c] {
                *l = Some(new_id[c]);
            } else {
                *l = None;
                orphans.push(i);
            }
        }
    }
    let (cent, nc) = centroids_of_labels(data, labels);
    let best = top_centroids(&data.select(&orphans), &cent, nc, 1);
    for (&i, &c) in orphans.iter().zip(&best) {
        labels[i] = Some(c as usize);
    }
}

#[cfg(test)]
mod tests;
