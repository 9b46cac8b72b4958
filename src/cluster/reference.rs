//! The reference methods [`super::Method::KMeansMerge`] and
//! [`super::Method::KMeans`], kept only for the comparison in
//! `examples/cluster_bench.rs` (`docs/clustering-bench.md`); the pipeline
//! never runs them.

use std::time::Instant;

use super::kernels::{Matrix, Rng};
use super::kmeans::{chunked_sums, spherical_kmeans};
use super::StageTimes;

/// [`super::Method::KMeansMerge`]: spherical k-means into micro-clusters, then
/// average-linkage merging. `t` is when the stage's clock started.
pub(super) fn kmeans_merge(
    data: &Matrix,
    points_per_micro: usize,
    threshold: f64,
    rng: &mut Rng,
    t: Instant,
    times: &mut StageTimes,
) -> Vec<usize> {
    let n = data.n;
    // The merge keeps an m × m matrix: at most 5,000 micro-clusters.
    let m = (n / points_per_micro.max(1)).clamp(1, n.min(5_000));
    let km = spherical_kmeans(data, m, 20, true, rng);
    times.push(("k-means", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    let merged = average_linkage(data, &km, m, threshold);
    times.push(("merge", t.elapsed().as_secs_f64()));
    merged
}

/// [`super::Method::KMeans`]: plain spherical k-means with the given `k`. `t` is
/// when the stage's clock started.
pub(super) fn kmeans(
    data: &Matrix,
    k: usize,
    rng: &mut Rng,
    t: Instant,
    times: &mut StageTimes,
) -> Vec<usize> {
    let km = spherical_kmeans(data, k.clamp(1, data.n), 30, true, rng);
    times.push(("k-means", t.elapsed().as_secs_f64()));
    km
}

/// Average-linkage agglomeration (cosine similarity) of micro-clusters,
/// stopping when the best pair's average similarity is below `threshold`.
/// The average pairwise similarity of two groups of unit vectors is the
/// dot product of their sums divided by the product of their sizes, so it
/// is exact from the micro-cluster sums.
pub(super) fn average_linkage(
    data: &Matrix,
    micro: &[usize],
    m: usize,
    threshold: f64,
) -> Vec<usize> {
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
