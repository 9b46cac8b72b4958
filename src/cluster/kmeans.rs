//! Spherical k-means (the inverted-file index's cells, and the reference
//! methods), with per-cluster sums reduced in fixed chunks so the result
//! does not depend on the thread count.

use rayon::prelude::*;

use super::kernels::{dot, normalize, Matrix, Rng};
use super::knn::top_centroids;

/// Fixed chunk size for parallel reductions (independent of thread count).
const REDUCE_CHUNK: usize = 4096;

/// Cluster of each row; `plus_plus` picks k-means++ seeds, otherwise
/// distinct random rows.
pub(super) fn spherical_kmeans(
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
pub(super) fn chunked_sums(data: &Matrix, assign: &[usize], k: usize) -> Vec<f64> {
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

/// L2-normalised centroids (flat `k × dim`) of a labelling. Not
/// `embed::centroids` (f32 sums): the summation order is part of the output.
pub(super) fn centroids_of(data: &Matrix, assign: &[usize], k: usize) -> Vec<f32> {
    let sums = chunked_sums(data, assign, k);
    let mut out: Vec<f32> = sums.iter().map(|&x| x as f32).collect();
    for c in out.chunks_mut(data.dim) {
        normalize(c);
    }
    out
}
