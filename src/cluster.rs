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

use std::collections::VecDeque;
use std::time::Instant;

use rayon::prelude::*;

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
    pub labels: Vec<Option<usize>>,
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
        } => {
            // The merge keeps an m × m matrix: at most 5,000 micro-clusters.
            let m = (n / (*points_per_micro).max(1)).clamp(1, n.min(5_000));
            let km = spherical_kmeans(&data, m, 20, true, &mut rng);
            times.push(("k-means", t.elapsed().as_secs_f64()));
            let t = Instant::now();
            let merged = average_linkage(&data, &km, m, *threshold);
            times.push(("merge", t.elapsed().as_secs_f64()));
            merged
        }
        Method::KMeans { k } => {
            let km = spherical_kmeans(&data, (*k).clamp(1, n), 30, true, &mut rng);
            times.push(("k-means", t.elapsed().as_secs_f64()));
            km
        }
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

// ---------------------------------------------------------------------------
// Evaluation metrics

/// Normalised mutual information between two labelings, normalised by the
/// arithmetic mean of the entropies (scikit-learn's default). Identical
/// single-cluster labelings score 1. Panics never; extra elements of the
/// longer slice are ignored.
pub fn nmi(pred: &[usize], truth: &[usize]) -> f64 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return 1.0;
    }
    let (pred, truth) = (&pred[..n], &truth[..n]);
    let (p, kp) = dense_ids(pred);
    let (t, kt) = dense_ids(truth);
    if kp == 1 && kt == 1 {
        return 1.0;
    }
    let cont = contingency(&p, &t);
    let (rows, cols) = marginals(&cont, kp, kt);
    let nf = n as f64;
    let mut mi = 0.0;
    for (&(i, j), &c) in &cont {
        let c = c as f64;
        mi += c / nf * (c * nf / (rows[i] as f64 * cols[j] as f64)).ln();
    }
    let h = |m: &[usize]| -> f64 {
        m.iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let q = c as f64 / nf;
                -q * q.ln()
            })
            .sum()
    };
    let (hp, ht) = (h(&rows), h(&cols));
    let mi = mi.max(0.0);
    if mi <= 0.0 {
        return 0.0;
    }
    let denom = 0.5 * (hp + ht);
    if denom <= 0.0 {
        return 1.0;
    }
    (mi / denom).min(1.0)
}

/// Adjusted Rand index (Hubert & Arabie), as scikit-learn computes it.
pub fn ari(pred: &[usize], truth: &[usize]) -> f64 {
    let n = pred.len().min(truth.len());
    let (pred, truth) = (&pred[..n], &truth[..n]);
    let (p, kp) = dense_ids(pred);
    let (t, kt) = dense_ids(truth);
    let cont = contingency(&p, &t);
    let (rows, cols) = marginals(&cont, kp, kt);
    let c2 = |x: usize| -> f64 {
        let x = x as f64;
        x * (x - 1.0) / 2.0
    };
    let sum_ij: f64 = cont.values().map(|&c| c2(c)).sum();
    let sum_a: f64 = rows.iter().map(|&c| c2(c)).sum();
    let sum_b: f64 = cols.iter().map(|&c| c2(c)).sum();
    let total = c2(n);
    if total == 0.0 {
        return 1.0;
    }
    let expected = sum_a * sum_b / total;
    let max = 0.5 * (sum_a + sum_b);
    if (max - expected).abs() < f64::EPSILON * total.max(1.0) {
        return 1.0;
    }
    (sum_ij - expected) / (max - expected)
}

fn dense_ids(x: &[usize]) -> (Vec<usize>, usize) {
    let mut map = std::collections::HashMap::new();
    let ids = x
        .iter()
        .map(|v| {
            let k = map.len();
            *map.entry(*v).or_insert(k)
        })
        .collect();
    (ids, map.len())
}

fn contingency(p: &[usize], t: &[usize]) -> std::collections::HashMap<(usize, usize), usize> {
    let mut m = std::collections::HashMap::new();
    for (&a, &b) in p.iter().zip(t) {
        *m.entry((a, b)).or_insert(0) += 1;
    }
    m
}

fn marginals(
    cont: &std::collections::HashMap<(usize, usize), usize>,
    kp: usize,
    kt: usize,
) -> (Vec<usize>, Vec<usize>) {
    let mut rows = vec![0usize; kp];
    let mut cols = vec![0usize; kt];
    for (&(i, j), &c) in cont {
        rows[i] += c;
        cols[j] += c;
    }
    (rows, cols)
}

// ---------------------------------------------------------------------------
// Dense data, products, random numbers

/// Row-major `n × dim` matrix of L2-normalised rows.
struct Matrix {
    data: Vec<f32>,
    n: usize,
    dim: usize,
}

impl Matrix {
    fn from_rows(rows: &[Vec<f32>]) -> anyhow::Result<Self> {
        let dim = rows.first().map_or(0, Vec::len);
        anyhow::ensure!(dim > 0, "cannot cluster zero-length vectors");
        let mut data = Vec::with_capacity(rows.len() * dim);
        for (i, r) in rows.iter().enumerate() {
            anyhow::ensure!(
                r.len() == dim,
                "vector {i} has length {} but vector 0 has {dim}",
                r.len()
            );
            anyhow::ensure!(
                r.iter().all(|x| x.is_finite()),
                "vector {i} has a non-finite value"
            );
            let start = data.len();
            data.extend_from_slice(r);
            normalize(&mut data[start..]);
        }
        Ok(Self {
            data,
            n: rows.len(),
            dim,
        })
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// A new matrix of the given rows, in that order.
    fn select(&self, idx: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(idx.len() * self.dim);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Matrix {
            data,
            n: idx.len(),
            dim: self.dim,
        }
    }

    /// Rows `lo..hi` as one slice.
    fn rows(&self, lo: usize, hi: usize) -> &[f32] {
        &self.data[lo * self.dim..hi * self.dim]
    }
}

fn normalize(v: &mut [f32]) {
    let norm = v
        .iter()
        .map(|x| f64::from(*x) * f64::from(*x))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 && norm.is_finite() {
        let inv = (1.0 / norm) as f32;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = (acc[0] + acc[4]) + (acc[1] + acc[5]) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `dst[m×n] = a[m×d] · b[n×d]ᵀ` (all row-major), single-threaded; callers
/// parallelise over blocks, so results do not depend on the thread count.
fn gemm_abt(dst: &mut [f32], a: &[f32], b: &[f32], m: usize, n: usize, d: usize) {
    assert!(dst.len() >= m * n && a.len() >= m * d && b.len() >= n * d);
    if m == 0 || n == 0 {
        return;
    }
    if d == 0 {
        dst[..m * n].fill(0.0);
        return;
    }
    // SAFETY: the assert bounds every element addressed: dst (i, j) at
    // i·n + j < m·n; lhs (i, p) at i·d + p < m·d; rhs (p, j) = b[j·d + p]
    // < n·d. `dst` is a unique borrow, so it aliases neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            d,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            d as isize,
            b.as_ptr(),
            d as isize,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// SplitMix64: small, seeded, good enough for orders and initialisation.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            p.swap(i, j);
        }
        p
    }
}

// ---------------------------------------------------------------------------
// k nearest neighbours

/// The best `k` (similarity, index) pairs seen, best first; ties go to the
/// smaller index, so the result does not depend on the visiting order.
#[derive(Clone)]
struct TopK {
    k: usize,
    items: Vec<(f32, u32)>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    #[inline]
    fn better(a: (f32, u32), b: (f32, u32)) -> bool {
        a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
    }

    #[inline]
    fn push(&mut self, s: f32, j: u32) {
        if self.k == 0 {
            return;
        }
        if self.items.len() == self.k {
            match self.items.last() {
                Some(&last) if !Self::better((s, j), last) => return,
                _ => {}
            }
            self.items.pop();
        }
        let mut pos = self.items.len();
        while pos > 0 && Self::better((s, j), self.items[pos - 1]) {
            pos -= 1;
        }
        self.items.insert(pos, (s, j));
    }
}

/// Column block of the similarity products.
const BLOCK: usize = 2048;
/// Query rows per parallel task.
const QUERY_BLOCK: usize = 256;

/// Each row's `k` nearest other rows (cosine), best first.
fn knn_graph(data: &Matrix, opts: &GraphOptions, rng: &mut Rng) -> Vec<Vec<(f32, u32)>> {
    let k = opts
        .neighbours(data.n)
        .clamp(1, data.n.saturating_sub(1).max(1));
    knn_search(data, data, true, k, opts, rng)
}

/// Each query row's `k` nearest base rows (cosine), best first. With
/// `same`, queries and base are the same matrix and a row never finds
/// itself. Exact up to `opts.exact_limit` base rows, inverted file above.
fn knn_search(
    queries: &Matrix,
    base: &Matrix,
    same: bool,
    k: usize,
    opts: &GraphOptions,
    rng: &mut Rng,
) -> Vec<Vec<(f32, u32)>> {
    if base.n <= opts.exact_limit.max(2) {
        knn_exact(queries, base, same, k)
    } else {
        knn_ivf(queries, base, same, k, opts.nprobe.clamp(1, 64), rng)
    }
}

fn knn_exact(queries: &Matrix, base: &Matrix, same: bool, k: usize) -> Vec<Vec<(f32, u32)>> {
    let (n, d) = (queries.n, queries.dim);
    let starts: Vec<usize> = (0..n).step_by(QUERY_BLOCK).collect();
    let blocks: Vec<Vec<Vec<(f32, u32)>>> = starts
        .par_iter()
        .map(|&q0| {
            let q1 = (q0 + QUERY_BLOCK).min(n);
            let m = q1 - q0;
            let mut tops = vec![TopK::new(k); m];
            let mut sims = vec![0f32; m * BLOCK];
            for c0 in (0..base.n).step_by(BLOCK) {
                let c1 = (c0 + BLOCK).min(base.n);
                let w = c1 - c0;
                gemm_abt(&mut sims, queries.rows(q0, q1), base.rows(c0, c1), m, w, d);
                for (r, top) in tops.iter_mut().enumerate() {
                    let row = &sims[r * w..(r + 1) * w];
                    for (c, &s) in row.iter().enumerate() {
                        let j = c0 + c;
                        if !same || j != q0 + r {
                            top.push(s, j as u32);
                        }
                    }
                }
            }
            tops.into_iter().map(|t| t.items).collect()
        })
        .collect();
    blocks.into_iter().flatten().collect()
}

/// One query's best hits in one cell: (query, probe rank, hits).
type CellHits = (u32, u8, Vec<(f32, u32)>);

/// Approximate k-NN with an inverted-file index: spherical k-means cells
/// over the base rows; each query searches the members of its `nprobe`
/// nearest cells.
fn knn_ivf(
    queries: &Matrix,
    base: &Matrix,
    same: bool,
    k: usize,
    nprobe: usize,
    rng: &mut Rng,
) -> Vec<Vec<(f32, u32)>> {
    let (n, d) = (queries.n, queries.dim);
    let nb = base.n;
    let nlist = ((nb as f64).sqrt().round() as usize).clamp(1, nb);
    let nprobe = nprobe.min(nlist);
    // Train the cells on a sample of the base.
    let sample_n = (nlist * 48).min(nb);
    let mut sample_idx = rng.permutation(nb);
    sample_idx.truncate(sample_n);
    sample_idx.sort_unstable();
    let sample = base.select(&sample_idx);
    let assign = spherical_kmeans(&sample, nlist, 10, false, rng);
    let centroids = centroids_of(&sample, &assign, nlist);
    // Base rows live in their nearest cell; queries probe nprobe cells.
    let probes = top_centroids(queries, &centroids, nlist, nprobe);
    let base_cell = if same {
        probes.chunks(nprobe).map(|p| p[0]).collect()
    } else {
        top_centroids(base, &centroids, nlist, 1)
    };
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); nlist];
    for (j, &c) in base_cell.iter().enumerate() {
        members[c as usize].push(j as u32);
    }
    let mut cell_queries: Vec<Vec<(u32, u8)>> = vec![Vec::new(); nlist];
    for (i, p) in probes.chunks(nprobe).enumerate() {
        for (r, &c) in p.iter().enumerate() {
            cell_queries[c as usize].push((i as u32, r as u8));
        }
    }
    // Search cell by cell; split long query lists so work balances.
    let mut tasks: Vec<(usize, usize, usize)> = Vec::new();
    for (c, q) in cell_queries.iter().enumerate() {
        if members[c].is_empty() {
            continue;
        }
        for s in (0..q.len()).step_by(QUERY_BLOCK) {
            tasks.push((c, s, (s + QUERY_BLOCK).min(q.len())));
        }
    }
    let found: Vec<Vec<CellHits>> = tasks
        .par_iter()
        .map(|&(c, s, e)| {
            let qs = &cell_queries[c][s..e];
            let mem = &members[c];
            let m = qs.len();
            let mut qmat = Vec::with_capacity(m * d);
            for &(q, _) in qs {
                qmat.extend_from_slice(queries.row(q as usize));
            }
            let mut tops = vec![TopK::new(k); m];
            let mut sims = vec![0f32; m * BLOCK];
            let mut cmat = Vec::with_capacity(BLOCK * d);
            for chunk in mem.chunks(BLOCK) {
                cmat.clear();
                for &j in chunk {
                    cmat.extend_from_slice(base.row(j as usize));
                }
                let w = chunk.len();
                gemm_abt(&mut sims, &qmat, &cmat, m, w, d);
                for (r, top) in tops.iter_mut().enumerate() {
                    let qi = qs[r].0;
                    for (col, &j) in chunk.iter().enumerate() {
                        if !same || j != qi {
                            top.push(sims[r * w + col], j);
                        }
                    }
                }
            }
            qs.iter()
                .zip(tops)
                .map(|(&(q, r), t)| (q, r, t.items))
                .collect()
        })
        .collect();
    // Merge each query's candidates from its cells (a base row lives in
    // exactly one cell, so there are no duplicates).
    let mut cand: Vec<Vec<(f32, u32)>> = vec![Vec::new(); n * nprobe];
    for part in found {
        for (q, r, items) in part {
            cand[q as usize * nprobe + r as usize] = items;
        }
    }
    cand.par_chunks(nprobe)
        .map(|cs| {
            let mut top = TopK::new(k);
            for c in cs {
                for &(s, j) in c {
                    top.push(s, j);
                }
            }
            top.items
        })
        .collect()
}

/// Indices of each row's `p` most similar centroids, best first, flat.
fn top_centroids(data: &Matrix, centroids: &[f32], nc: usize, p: usize) -> Vec<u32> {
    let (n, d) = (data.n, data.dim);
    let starts: Vec<usize> = (0..n).step_by(QUERY_BLOCK).collect();
    let parts: Vec<Vec<u32>> = starts
        .par_iter()
        .map(|&q0| {
            let q1 = (q0 + QUERY_BLOCK).min(n);
            let m = q1 - q0;
            let mut sims = vec![0f32; m * nc];
            gemm_abt(&mut sims, data.rows(q0, q1), centroids, m, nc, d);
            let mut out = Vec::with_capacity(m * p);
            for r in 0..m {
                let mut top = TopK::new(p);
                for (c, &s) in sims[r * nc..(r + 1) * nc].iter().enumerate() {
                    top.push(s, c as u32);
                }
                out.extend(top.items.iter().map(|x| x.1));
            }
            out
        })
        .collect();
    parts.concat()
}

// ---------------------------------------------------------------------------
// Spherical k-means

/// Fixed chunk size for parallel reductions (independent of thread count).
const REDUCE_CHUNK: usize = 4096;

/// Cluster of each row; `plus_plus` picks k-means++ seeds, otherwise
/// distinct random rows.
fn spherical_kmeans(
    data: &Matrix,
    k: usize,
    iters: usize,
    plus_plus: bool,
    rng: &mut Rng,
) -> Vec<usize> {
    let (n, d) = (data.n, data.dim);
    let k = k.clamp(1, n);
    let mut cent = vec![0f32; k * d];
    if plus_plus {
        // k-means++ on cosine distance 1 - s (a few candidates per step).
        let first = rng.below(n);
        cent[..d].copy_from_slice(data.row(first));
        let mut best = vec![f32::NEG_INFINITY; n];
        for c in 1..k {
            let prev = &cent[(c - 1) * d..c * d];
            let chunks: Vec<(usize, usize)> = (0..n)
                .step_by(REDUCE_CHUNK)
                .map(|s| (s, (s + REDUCE_CHUNK).min(n)))
                .collect();
            let parts: Vec<Vec<f32>> = chunks
                .par_iter()
                .map(|&(s, e)| (s..e).map(|i| dot(data.row(i), prev)).collect())
                .collect();
            for ((s, _), part) in chunks.iter().zip(parts) {
                for (o, v) in part.into_iter().enumerate() {
                    if v > best[s + o] {
                        best[s + o] = v;
                    }
                }
            }
            let weights: Vec<f64> = best
                .iter()
                .map(|&b| f64::from((1.0 - b).max(0.0)))
                .collect();
            let total: f64 = weights.iter().sum();
            let pick = if total > 0.0 {
                let mut x = rng.unit() * total;
                let mut pick = n - 1;
                for (i, w) in weights.iter().enumerate() {
                    if x < *w {
                        pick = i;
                        break;
                    }
                    x -= w;
                }
                pick
            } else {
                rng.below(n)
            };
            cent[c * d..(c + 1) * d].copy_from_slice(data.row(pick));
        }
    } else {
        let mut p = rng.permutation(n);
        p.truncate(k);
        for (c, &i) in p.iter().enumerate() {
            cent[c * d..(c + 1) * d].copy_from_slice(data.row(i));
        }
    }
    let mut assign = vec![0usize; n];
    for it in 0..iters.max(1) {
        let new: Vec<usize> = top_centroids(data, &cent, k, 1)
            .into_iter()
            .map(|c| c as usize)
            .collect();
        let changed = it == 0 || new != assign;
        assign = new;
        if !changed {
            break;
        }
        let sums = chunked_sums(data, &assign, k);
        for c in 0..k {
            let s = &sums[c * d..(c + 1) * d];
            if s.iter().all(|&x| x == 0.0) {
                // Empty cluster: reseed at a random row.
                let i = rng.below(n);
                cent[c * d..(c + 1) * d].copy_from_slice(data.row(i));
                continue;
            }
            for (dst, &x) in cent[c * d..(c + 1) * d].iter_mut().zip(s) {
                *dst = x as f32;
            }
            normalize(&mut cent[c * d..(c + 1) * d]);
        }
    }
    assign
}

/// Per-cluster sums of rows (f64), reduced chunk by chunk in a fixed order.
fn chunked_sums(data: &Matrix, assign: &[usize], k: usize) -> Vec<f64> {
    let (n, d) = (data.n, data.dim);
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(REDUCE_CHUNK)
        .map(|s| (s, (s + REDUCE_CHUNK).min(n)))
        .collect();
    let parts: Vec<Vec<f64>> = chunks
        .par_iter()
        .map(|&(s, e)| {
            let mut acc = vec![0f64; k * d];
            for (i, &c) in assign.iter().enumerate().take(e).skip(s) {
                for (a, &x) in acc[c * d..(c + 1) * d].iter_mut().zip(data.row(i)) {
                    *a += f64::from(x);
                }
            }
            acc
        })
        .collect();
    let mut total = vec![0f64; k * d];
    for p in parts {
        for (t, x) in total.iter_mut().zip(p) {
            *t += x;
        }
    }
    total
}

/// L2-normalised centroids (flat `k × dim`) of a labelling.
fn centroids_of(data: &Matrix, assign: &[usize], k: usize) -> Vec<f32> {
    let sums = chunked_sums(data, assign, k);
    let mut out: Vec<f32> = sums.iter().map(|&x| x as f32).collect();
    for c in out.chunks_mut(data.dim) {
        normalize(c);
    }
    out
}

/// Average-linkage agglomeration (cosine similarity) of micro-clusters,
/// stopping when the best pair's average similarity is below `threshold`.
/// The average pairwise similarity of two groups of unit vectors is the
/// dot product of their sums divided by the product of their sizes, so it
/// is exact from the micro-cluster sums.
fn average_linkage(data: &Matrix, micro: &[usize], m: usize, threshold: f64) -> Vec<usize> {
    let d = data.dim;
    let sums = chunked_sums(data, micro, m);
    let mut size = vec![0f64; m];
    for &c in micro {
        size[c] += 1.0;
    }
    let alive: Vec<usize> = (0..m).filter(|&c| size[c] > 0.0).collect();
    let a = alive.len();
    // Similarity matrix between live micro-clusters.
    let mut sim = vec![f64::NEG_INFINITY; a * a];
    for (x, &cx) in alive.iter().enumerate() {
        for (y, &cy) in alive.iter().enumerate().skip(x + 1) {
            let s: f64 = sums[cx * d..(cx + 1) * d]
                .iter()
                .zip(&sums[cy * d..(cy + 1) * d])
                .map(|(p, q)| p * q)
                .sum();
            let v = s / (size[cx] * size[cy]);
            sim[x * a + y] = v;
            sim[y * a + x] = v;
        }
    }
    let mut sz: Vec<f64> = alive.iter().map(|&c| size[c]).collect();
    let mut parent: Vec<usize> = (0..a).collect();
    let mut live = vec![true; a];
    // Best partner of each row, for an O(a²) overall loop.
    let best_of = |sim: &[f64], live: &[bool], x: usize| -> (f64, usize) {
        let mut b = (f64::NEG_INFINITY, usize::MAX);
        for y in 0..a {
            if y != x && live[y] && sim[x * a + y] > b.0 {
                b = (sim[x * a + y], y);
            }
        }
        b
    };
    let mut best: Vec<(f64, usize)> = (0..a).map(|x| best_of(&sim, &live, x)).collect();
    loop {
        let mut top = (f64::NEG_INFINITY, usize::MAX, usize::MAX);
        for x in 0..a {
            if live[x] && best[x].0 > top.0 {
                top = (best[x].0, x, best[x].1);
            }
        }
        if top.1 == usize::MAX || top.0 < threshold {
            break;
        }
        let (x, y) = (top.1, top.2);
        // Merge y into x (Lance–Williams for average linkage).
        for z in 0..a {
            if live[z] && z != x && z != y {
                let v = (sim[x * a + z] * sz[x] + sim[y * a + z] * sz[y]) / (sz[x] + sz[y]);
                sim[x * a + z] = v;
                sim[z * a + x] = v;
            }
        }
        sz[x] += sz[y];
        live[y] = false;
        parent[y] = x;
        for z in 0..a {
            if live[z] && (z == x || best[z].1 == x || best[z].1 == y) {
                best[z] = best_of(&sim, &live, z);
            } else if live[z] && z != x && sim[z * a + x] > best[z].0 {
                best[z] = (sim[z * a + x], x);
            }
        }
    }
    let find = |mut x: usize| {
        while parent[x] != x {
            x = parent[x];
        }
        x
    };
    let mut map = vec![usize::MAX; m];
    for (x, &c) in alive.iter().enumerate() {
        map[c] = find(x);
    }
    micro.iter().map(|&c| map[c]).collect()
}

// ---------------------------------------------------------------------------
// Graph and Leiden

/// Undirected weighted graph in CSR form (each edge stored both ways;
/// self-loops once, carrying the community's internal weight after
/// aggregation).
struct Graph {
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
    fn from_knn(knn: &[Vec<(f32, u32)>], n: usize, self_weight: &[f64]) -> Self {
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
fn renumber(part: &mut [usize]) -> usize {
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
fn leiden(g: &Graph, gamma: f64, refine: bool, iterations: usize, rng: &mut Rng) -> Vec<usize> {
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

/// Merges pairs of adjacent communities while the weight between them is at
/// least `min_share` of the smaller one's volume (largest share first, ties
/// by smaller ids): the two halves of one category that a high resolution
/// cut in two share far more edges than two real categories do.
fn merge_by_cut(g: &Graph, part: &[usize], min_share: f64) -> Vec<usize> {
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
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for (a, m) in adj.iter().enumerate() {
            for (&b, &w) in m.range(a + 1..) {
                let denom = vol[a].min(vol[b]);
                let r = if denom > 0.0 { w / denom } else { 0.0 };
                if r >= min_share && best.map_or(true, |(br, _, _)| r > br) {
                    best = Some((r, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else { break };
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
fn merge_loose(g: &Graph, part: &[usize], max_conductance: f64) -> Vec<usize> {
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
            if best.map_or(true, |(bw, _)| w > bw) {
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

// ---------------------------------------------------------------------------
// Clean-up: minimum size, unassigned budget, numbering, centroids

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
        labels,
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
mod tests {
    use super::*;
    use rand::{Rng as _, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn gauss(rng: &mut ChaCha8Rng) -> f32 {
        // Box–Muller.
        let u1: f64 = rng.gen_range(1e-12..1.0);
        let u2: f64 = rng.gen();
        ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
    }

    fn unit(mut v: Vec<f32>) -> Vec<f32> {
        normalize(&mut v);
        v
    }

    /// `sizes.len()` blobs around random unit centres in `dim` dimensions
    /// (nearly orthogonal), `noise` per coordinate; rows are shuffled.
    fn blobs(sizes: &[usize], dim: usize, noise: f32, seed: u64) -> (Vec<Vec<f32>>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let centres: Vec<Vec<f32>> = sizes
            .iter()
            .map(|_| unit((0..dim).map(|_| gauss(&mut rng)).collect()))
            .collect();
        let mut rows = Vec::new();
        for (b, &s) in sizes.iter().enumerate() {
            for _ in 0..s {
                let v = centres[b]
                    .iter()
                    .map(|c| c + noise * gauss(&mut rng))
                    .collect();
                rows.push((unit(v), b));
            }
        }
        // Deterministic shuffle.
        for i in (1..rows.len()).rev() {
            let j = rng.gen_range(0..=i);
            rows.swap(i, j);
        }
        rows.into_iter().unzip()
    }

    fn hard_labels(c: &Clustering) -> Vec<usize> {
        let mut next = c.n_categories;
        c.labels
            .iter()
            .map(|l| {
                l.unwrap_or_else(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }

    /// A small-data version of the default method that still goes through
    /// the inverted-file index and the anchor sample.
    fn small_scale_method() -> Method {
        Method::Leiden {
            graph: GraphOptions {
                exact_limit: 300,
                max_graph_nodes: 900,
                ..GraphOptions::default()
            },
            resolution: 3.0,
            refine: true,
            iterations: 2,
            max_conductance: 0.5,
            merge_cut: 0.15,
        }
    }

    #[test]
    fn metrics_match_sklearn() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // Values from sklearn.metrics (normalized_mutual_info_score with the
        // default arithmetic normalisation, adjusted_rand_score).
        let cases: &[(&[usize], &[usize], f64, f64)] = &[
            (&[0, 0, 1, 1], &[0, 0, 1, 1], 1.0, 1.0),
            (&[0, 0, 1, 1], &[1, 1, 0, 0], 1.0, 1.0),
            (&[0, 0, 1, 2], &[0, 0, 1, 1], 0.8, 0.5714285714285714),
            (
                &[0, 0, 0, 1, 1, 1],
                &[0, 0, 1, 1, 2, 2],
                0.5158037429793889,
                0.24242424242424243,
            ),
            (&[0, 0, 1, 1], &[0, 1, 0, 1], 0.0, -0.5),
            (&[0, 0, 0, 0], &[0, 1, 2, 3], 0.0, 0.0),
            (
                &[1, 1, 0, 0, 2, 2, 2],
                &[0, 0, 0, 1, 1, 2, 2],
                0.5636355530993447,
                0.2125,
            ),
        ];
        for &(p, t, n, a) in cases {
            assert!(close(nmi(p, t), n), "nmi {p:?} {t:?} = {}", nmi(p, t));
            assert!(close(ari(p, t), a), "ari {p:?} {t:?} = {}", ari(p, t));
            // Both are symmetric.
            assert!(close(nmi(t, p), n) && close(ari(t, p), a));
        }
        // Label values do not matter, only the grouping.
        assert!(close(nmi(&[7, 7, 3, 3], &[100, 100, 5, 5]), 1.0));
        assert!(close(ari(&[7, 7, 3, 3], &[100, 100, 5, 5]), 1.0));
        // Degenerate inputs do not panic.
        assert!(close(nmi(&[], &[]), 1.0));
        assert!(close(ari(&[], &[]), 1.0));
        assert!(close(nmi(&[0, 0, 0], &[1, 1, 1]), 1.0));
        assert!(close(ari(&[5], &[9]), 1.0));
    }

    #[test]
    fn recovers_blobs_without_k() {
        let sizes = [120, 100, 90, 80, 70, 60, 50, 40];
        let (v, truth) = blobs(&sizes, 32, 0.06, 7);
        let c = cluster(&v, &ClusterParams::default()).expect("cluster");
        assert_eq!(c.n_categories, sizes.len());
        let pred = hard_labels(&c);
        assert!(nmi(&pred, &truth) > 0.99, "nmi {}", nmi(&pred, &truth));
        assert!(ari(&pred, &truth) > 0.99);
        assert!(c.labels.iter().all(Option::is_some));
        // Numbered by size: category 0 is the 120-point blob.
        let count = |k: usize| c.labels.iter().filter(|l| **l == Some(k)).count();
        for k in 1..c.n_categories {
            assert!(count(k - 1) >= count(k));
        }
        assert_eq!(count(0), 120);
        // Centroids are unit length and near their members.
        for (k, cen) in c.centroids.iter().enumerate() {
            let norm: f32 = cen.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4);
            let i = c.labels.iter().position(|l| *l == Some(k)).expect("member");
            assert!(dot(&v[i], cen) > 0.9);
        }
    }

    #[test]
    fn dominant_category_is_not_split() {
        // One category with 60% of the data: modularity at a high
        // resolution splits it; merging by cut puts it back together.
        for seed in 0..3 {
            let (v, truth) = blobs(&[1500, 300, 250, 200, 150, 100], 32, 0.12, seed);
            let c = cluster(&v, &ClusterParams::default()).expect("cluster");
            assert_eq!(c.n_categories, 6, "seed {seed}");
            assert!(nmi(&hard_labels(&c), &truth) > 0.99);
        }
    }

    #[test]
    fn recovers_blobs_through_index_and_anchors() {
        let sizes = [400, 350, 300, 250, 200, 150, 100, 50];
        let (v, truth) = blobs(&sizes, 24, 0.08, 11);
        let (c, times) =
            cluster_with(&v, &ClusterParams::default(), &small_scale_method()).expect("cluster");
        assert!(times.iter().any(|t| t.0 == "assign to anchors"));
        assert_eq!(c.n_categories, sizes.len());
        assert!(nmi(&hard_labels(&c), &truth) > 0.99);
    }

    #[test]
    fn deterministic_across_runs_and_thread_counts() {
        let sizes: Vec<usize> = (0..30).map(|i| 20 + 7 * i).collect();
        // Overlapping blobs, so there are real decisions to make.
        let (v, _) = blobs(&sizes, 16, 0.25, 3);
        let params = ClusterParams {
            seed: 42,
            ..ClusterParams::default()
        };
        for method in [Method::default(), small_scale_method()] {
            let a = cluster_with(&v, &params, &method).expect("a").0;
            let b = cluster_with(&v, &params, &method).expect("b").0;
            assert_eq!(a, b);
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let c = pool
                    .install(|| cluster_with(&v, &params, &method))
                    .expect("c")
                    .0;
                assert_eq!(a, c, "{threads} threads");
            }
        }
        // The other methods are deterministic too.
        for method in [
            Method::KMeans { k: 12 },
            Method::KMeansMerge {
                points_per_micro: 20,
                threshold: 0.5,
            },
        ] {
            let a = cluster_with(&v, &params, &method).expect("a").0;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("pool");
            let b = pool
                .install(|| cluster_with(&v, &params, &method))
                .expect("b")
                .0;
            assert_eq!(a, b);
        }
    }

    #[test]
    fn small_categories_are_dissolved() {
        // Two big blobs and a pair of points near the first blob: with
        // min_category_size 5 the pair joins the nearest category.
        let (mut v, _) = blobs(&[60, 60], 16, 0.05, 5);
        let near = v[0].clone();
        let pair_dir = unit(
            near.iter()
                .enumerate()
                .map(|(i, x)| x + if i == 0 { 0.9 } else { 0.0 })
                .collect(),
        );
        v.push(pair_dir.clone());
        v.push(pair_dir);
        let params = ClusterParams {
            min_category_size: 5,
            max_unassigned: 0.0,
            seed: 1,
        };
        let c = cluster(&v, &params).expect("cluster");
        assert_eq!(c.n_categories, 2);
        assert!(c.labels.iter().all(Option::is_some));
        assert_eq!(c.labels[120], c.labels[0]);
        // With a size limit above every blob, only the largest survives.
        let params = ClusterParams {
            min_category_size: 500,
            ..params
        };
        let c = cluster(&v, &params).expect("cluster");
        assert_eq!(c.n_categories, 1);
        assert!(c.labels.iter().all(|l| *l == Some(0)));
    }

    #[test]
    fn unassigned_share_is_capped() {
        // 300 points in 3 blobs plus 60 scattered points that fit nothing.
        let (mut v, _) = blobs(&[100, 100, 100], 64, 0.03, 9);
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        for _ in 0..60 {
            v.push(unit((0..64).map(|_| gauss(&mut rng)).collect()));
        }
        let n = v.len();
        for share in [0.0, 0.02, 0.05, 0.5] {
            let params = ClusterParams {
                min_category_size: 5,
                max_unassigned: share,
                seed: 0,
            };
            let c = cluster(&v, &params).expect("cluster");
            let un = c.labels.iter().filter(|l| l.is_none()).count();
            assert!(
                un as f64 <= share * n as f64 + 1e-9,
                "{un} unassigned with share {share}"
            );
            if share >= 0.05 {
                // The budget is used on the scattered points only.
                assert!(un > 0);
                assert!(c.labels[..300].iter().all(Option::is_some));
            }
            assert!(c.n_categories >= 3);
            // Every category keeps the minimum size.
            for k in 0..c.n_categories {
                assert!(c.labels.iter().filter(|l| **l == Some(k)).count() >= 5);
            }
        }
    }

    #[test]
    fn odd_inputs() {
        let p = ClusterParams::default();
        assert_eq!(cluster(&[], &p).expect("empty"), Clustering::default());
        // One vector, and fewer vectors than the minimum size.
        let c = cluster(&[vec![1.0, 0.0]], &p).expect("one");
        assert_eq!((c.n_categories, c.labels.clone()), (1, vec![Some(0)]));
        let c = cluster(&[vec![1.0, 0.0], vec![0.9, 0.1], vec![0.0, 1.0]], &p).expect("three");
        assert!(c.labels.iter().all(Option::is_some));
        // Duplicates and zero vectors are fine.
        let mut v = vec![vec![1.0, 0.0, 0.0]; 20];
        v.extend(vec![vec![0.0, 1.0, 0.0]; 20]);
        v.push(vec![0.0; 3]);
        let c = cluster(&v, &p).expect("dups");
        assert_eq!(c.n_categories, 2);
        assert_eq!(c.labels[40], None, "the zero vector fits nothing");
        assert!(c.labels[..20].iter().all(|l| *l == c.labels[0]));
        // Bad input is an error, not a panic.
        assert!(cluster(&[vec![1.0, 0.0], vec![1.0]], &p).is_err());
        assert!(cluster(&[vec![f32::NAN, 0.0]], &p).is_err());
        assert!(cluster(&[vec![]], &p).is_err());
        let bad = ClusterParams {
            max_unassigned: 1.5,
            ..p.clone()
        };
        assert!(cluster(&[vec![1.0]], &bad).is_err());
    }

    #[test]
    fn groups_of_identical_reasons_stay_apart() {
        // Templated notes give many copies of one reason: three such
        // groups (sizes 12, 8, 6) are three categories, not two.
        let mut v = vec![vec![1.0, 0.0, 0.0]; 12];
        v.extend(vec![vec![0.0, 1.0, 0.0]; 8]);
        v.extend(vec![vec![0.0, 0.0, 1.0]; 6]);
        let c = cluster(&v, &ClusterParams::default()).expect("clusters");
        assert_eq!(c.n_categories, 3, "{:?}", c.labels);
        assert!(c.labels[..12].iter().all(|l| *l == c.labels[0]));
        assert!(c.labels[20..].iter().all(|l| *l == c.labels[20]));
        assert_ne!(c.labels[0], c.labels[20]);
    }
}
