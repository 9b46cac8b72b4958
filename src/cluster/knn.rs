//! Nearest neighbours by cosine: the k-NN graph's search, exact (blocked
//! matrix products) up to `GraphOptions::exact_limit` rows and through an
//! inverted-file index above, and each row's nearest centroids.

use rayon::prelude::*;

use super::kernels::{gemm_abt, Matrix, Rng};
use super::kmeans::{centroids_of, spherical_kmeans};
use super::GraphOptions;

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
pub(super) fn knn_graph(data: &Matrix, opts: &GraphOptions, rng: &mut Rng) -> Vec<Vec<(f32, u32)>> {
    let k = opts
        .neighbours(data.n)
        .clamp(1, data.n.saturating_sub(1).max(1));
    knn_search(data, data, true, k, opts, rng)
}

/// Each query row's `k` nearest base rows (cosine), best first. With
/// `same`, queries and base are the same matrix and a row never finds
/// itself. Exact up to `opts.exact_limit` base rows, inverted file above.
pub(super) fn knn_search(
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
pub(super) fn top_centroids(data: &Matrix, centroids: &[f32], nc: usize, p: usize) -> Vec<u32> {
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
