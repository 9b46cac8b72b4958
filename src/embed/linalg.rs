//! Just enough dense/sparse linear algebra for a randomized truncated SVD,
//! in pure Rust (ndarray + matrixmultiply; no system LAPACK):
//! sparse CSR × dense products, CholeskyQR2 orthonormalisation, and a cyclic
//! Jacobi eigensolver for the small (≈ 266 × 266) projected matrix.
//! Every step is deterministic: parallel work is split by output row and
//! each row is summed in a fixed order.

use ndarray::{s, Array2, Axis};
use rayon::prelude::*;

/// Compressed sparse rows, f32 values, columns sorted within each row.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    pub rows: usize,
    pub cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f32>,
}

impl Csr {
    /// The transpose, also as CSR (columns sorted, since rows are visited
    /// in order).
    pub fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.cols {
            counts[i + 1] += counts[i];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.indices.len()];
        let mut data = vec![0f32; self.data.len()];
        for r in 0..self.rows {
            for p in self.indptr[r]..self.indptr[r + 1] {
                let c = self.indices[p] as usize;
                let dst = next[c];
                next[c] += 1;
                indices[dst] = r as u32;
                data[dst] = self.data[p];
            }
        }
        Csr {
            rows: self.cols,
            cols: self.rows,
            indptr,
            indices,
            data,
        }
    }

    /// `self · d` where `d` is `cols × l` (row-major); parallel over rows.
    pub fn mul_dense(&self, d: &Array2<f64>) -> Array2<f64> {
        let l = d.ncols();
        assert_eq!(d.nrows(), self.cols);
        let d = d.as_standard_layout();
        let dense = d.as_slice().unwrap_or(&[]);
        let mut out = vec![0f64; self.rows * l];
        if l > 0 {
            out.par_chunks_mut(l).enumerate().for_each(|(r, row)| {
                for p in self.indptr[r]..self.indptr[r + 1] {
                    let c = self.indices[p] as usize;
                    let v = self.data[p] as f64;
                    for (o, x) in row.iter_mut().zip(&dense[c * l..(c + 1) * l]) {
                        *o += v * x;
                    }
                }
            });
        }
        Array2::from_shape_vec((self.rows, l), out).unwrap_or_else(|_| Array2::zeros((0, 0)))
    }
}

/// Orthonormalises the columns of `y` in place (CholeskyQR, done twice for
/// accuracy). Columns that are (numerically) dependent on earlier ones come
/// back as zero columns, so rank-deficient input is fine.
pub fn orthonormalize(y: &mut Array2<f64>) {
    chol_qr(y, ROWS_PER_BLOCK);
    chol_qr(y, ROWS_PER_BLOCK);
}

/// Rows of `y` turned into `Q` per block: the `n × l` matrices are the
/// largest a lexical fit holds (one per million reasons is 2 GB), so `Q`
/// overwrites `Y` rather than sitting beside copies of it. A row's product
/// does not depend on the rows beside it, so blocks give the whole
/// product's values bit for bit.
const ROWS_PER_BLOCK: usize = 2048;

fn chol_qr(y: &mut Array2<f64>, rows_per_block: usize) {
    let l = y.ncols();
    let g = y.t().dot(&*y);
    let max_diag = (0..l).map(|i| g[[i, i]]).fold(0.0f64, f64::max);
    if max_diag <= 0.0 || !max_diag.is_finite() {
        y.fill(0.0);
        return;
    }
    let tol = max_diag * 1e-11;
    // Upper Cholesky factor R (G = RᵀR); dropped columns keep a zero row.
    let mut r = Array2::<f64>::zeros((l, l));
    let mut keep = Vec::with_capacity(l);
    for j in 0..l {
        let mut d = g[[j, j]];
        for k in 0..j {
            d -= r[[k, j]] * r[[k, j]];
        }
        if d <= tol {
            continue;
        }
        let rjj = d.sqrt();
        r[[j, j]] = rjj;
        for i in j + 1..l {
            let mut v = g[[j, i]];
            for k in 0..j {
                v -= r[[k, j]] * r[[k, i]];
            }
            r[[j, i]] = v / rjj;
        }
        keep.push(j);
    }
    // Q_K = Y_K · R_KK⁻¹ on the kept columns K; the others are zero.
    let kk = keep.len();
    let mut rkk = Array2::<f64>::zeros((kk, kk));
    for (a, &ja) in keep.iter().enumerate() {
        for (b, &jb) in keep.iter().enumerate().skip(a) {
            rkk[[a, b]] = r[[ja, jb]];
        }
    }
    let rinv = upper_triangular_inverse(&rkk);
    for mut rows in y.axis_chunks_iter_mut(Axis(0), rows_per_block) {
        let mut yk = Array2::<f64>::zeros((rows.nrows(), kk));
        for (a, &j) in keep.iter().enumerate() {
            yk.column_mut(a).assign(&rows.column(j));
        }
        let qk = yk.dot(&rinv);
        rows.fill(0.0);
        for (a, &j) in keep.iter().enumerate() {
            rows.column_mut(j).assign(&qk.column(a));
        }
    }
}

/// Inverse of an upper-triangular matrix with a nonzero diagonal.
fn upper_triangular_inverse(r: &Array2<f64>) -> Array2<f64> {
    let n = r.nrows();
    let mut inv = Array2::<f64>::zeros((n, n));
    // Solve R X = I column by column (back substitution).
    for c in 0..n {
        for i in (0..=c).rev() {
            let mut v = if i == c { 1.0 } else { 0.0 };
            for k in i + 1..=c {
                v -= r[[i, k]] * inv[[k, c]];
            }
            inv[[i, c]] = v / r[[i, i]];
        }
    }
    inv
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
/// Returns eigenvalues in descending order and the matching eigenvectors as
/// columns.
pub fn symmetric_eigen(m: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = m.nrows();
    let mut a: Vec<f64> = m.iter().copied().collect();
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..60 {
        let mut off = 0.0;
        for p in 0..n {
            for q in p + 1..n {
                off += a[p * n + q] * a[p * n + q];
            }
        }
        if off.sqrt() <= 1e-13 * total || total == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let app = a[p * n + p];
                let aqq = a[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← JᵀAJ on rows/columns p and q.
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vectors = Array2::<f64>::zeros((n, n));
    for (c, &i) in order.iter().enumerate() {
        for k in 0..n {
            vectors[[k, c]] = v[k * n + i];
        }
    }
    (values, vectors)
}

/// Deterministic pseudo-random numbers (SplitMix64) for the range finder.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn next_unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller; one value per call, for simplicity).
    pub fn next_gaussian(&mut self) -> f64 {
        let u1 = self.next_unit();
        let u2 = self.next_unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Rank-`k` truncated SVD of the sparse `a` (n × m) by a randomized range
/// finder with `power_iters` power iterations and `oversample` extra
/// columns. Returns the `n × k` matrix `U_k Σ_k` (the LSA document
/// coordinates); components beyond the rank of `a` are zero. Signs are
/// fixed so that each component's largest-magnitude entry is positive.
pub fn randomized_svd_scores(
    a: &Csr,
    k: usize,
    oversample: usize,
    power_iters: usize,
    seed: u64,
) -> Array2<f64> {
    let n = a.rows;
    let m = a.cols;
    let l = (k + oversample).min(n).min(m);
    if l == 0 {
        return Array2::<f64>::zeros((n, k));
    }
    let at = a.transpose();
    let mut rng = SplitMix64::new(seed);
    let omega = Array2::from_shape_simple_fn((m, l), || rng.next_gaussian());
    let mut q = a.mul_dense(&omega);
    drop(omega);
    orthonormalize(&mut q);
    for _ in 0..power_iters {
        let mut z = at.mul_dense(&q);
        orthonormalize(&mut z);
        // The old Q goes before the new one is made: one n × l at a time.
        drop(q);
        q = a.mul_dense(&z);
        drop(z);
        orthonormalize(&mut q);
    }
    // B = Qᵀ A; B Bᵀ = Wᵀ W with W = Aᵀ Q.
    let w = at.mul_dense(&q);
    drop(at);
    let bbt = w.t().dot(&w);
    drop(w);
    let (values, vecs) = symmetric_eigen(&bbt);
    let kk = k.min(l);
    // Scores = Q · V_k, written over Q's first kk columns block by block.
    let v = vecs.slice(s![.., ..kk]);
    for mut rows in q.axis_chunks_iter_mut(Axis(0), ROWS_PER_BLOCK) {
        let block = rows.dot(&v);
        rows.slice_mut(s![.., ..kk]).assign(&block);
    }
    for (c, value) in values.iter().enumerate().take(kk) {
        let sigma = value.max(0.0).sqrt();
        let mut col = q.column_mut(c);
        let mut best = 0.0f64;
        for &x in col.iter() {
            if x.abs() > best.abs() {
                best = x;
            }
        }
        let sign = if best < 0.0 { -1.0 } else { 1.0 };
        col.mapv_inplace(|x| x * sigma * sign);
    }
    if kk == k {
        // A view of Q's first k columns, without a copy.
        return q.slice_move(s![.., ..k]);
    }
    let mut out = Array2::<f64>::zeros((n, k));
    out.slice_mut(s![.., ..kk]).assign(&q.slice(s![.., ..kk]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense_to_csr(rows: &[Vec<f32>]) -> Csr {
        let mut c = Csr {
            rows: rows.len(),
            cols: rows.first().map_or(0, |r| r.len()),
            indptr: vec![0],
            ..Default::default()
        };
        for r in rows {
            for (j, &v) in r.iter().enumerate() {
                if v != 0.0 {
                    c.indices.push(j as u32);
                    c.data.push(v);
                }
            }
            c.indptr.push(c.indices.len());
        }
        c
    }

    #[test]
    fn blocks_of_rows_give_the_whole_product_bit_for_bit() {
        let mut rng = SplitMix64::new(3);
        let y = Array2::from_shape_simple_fn((1000, 24), || rng.next_gaussian());
        let mut whole = y.clone();
        chol_qr(&mut whole, usize::MAX);
        for block in [1, 7, 256] {
            let mut blocked = y.clone();
            chol_qr(&mut blocked, block);
            assert!(blocked
                .iter()
                .zip(whole.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        // And the result is orthonormal.
        let g = whole.t().dot(&whole);
        for i in 0..24 {
            for j in 0..24 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((g[[i, j]] - want).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn jacobi_diagonalises() {
        let m = ndarray::arr2(&[[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]]);
        let (vals, vecs) = symmetric_eigen(&m);
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        let recon = vecs
            .dot(&Array2::from_diag(&ndarray::arr1(&vals)))
            .dot(&vecs.t());
        for (x, y) in recon.iter().zip(m.iter()) {
            assert!((x - y).abs() < 1e-9);
        }
        assert!((vals.iter().sum::<f64>() - 12.0).abs() < 1e-9);
    }

    #[test]
    fn orthonormalize_handles_rank_deficiency() {
        // Third column = first + second.
        let y = ndarray::arr2(&[
            [1.0, 0.0, 1.0],
            [1.0, 1.0, 2.0],
            [0.0, 1.0, 1.0],
            [2.0, 0.0, 2.0],
        ]);
        let mut q = y.clone();
        orthonormalize(&mut q);
        let g = q.t().dot(&q);
        assert!((g[[0, 0]] - 1.0).abs() < 1e-9 && (g[[1, 1]] - 1.0).abs() < 1e-9);
        assert!(g[[0, 1]].abs() < 1e-9);
        assert!(g[[2, 2]].abs() < 1e-9, "dependent column must be dropped");
    }

    #[test]
    fn svd_recovers_singular_values() {
        // Rank-2 matrix: singular values known from its Gram matrix.
        let rows = vec![
            vec![3.0, 0.0, 0.0, 1.0],
            vec![0.0, 2.0, 0.0, 0.0],
            vec![3.0, 0.0, 0.0, 1.0],
            vec![0.0, 2.0, 0.0, 0.0],
        ];
        let a = dense_to_csr(&rows);
        let s = randomized_svd_scores(&a, 3, 2, 2, 7);
        // Row norms of U Σ equal row norms of A (A has rank 2 ≤ k).
        for (i, r) in rows.iter().enumerate() {
            let want: f64 = r.iter().map(|x| (*x as f64).powi(2)).sum();
            let got: f64 = s.row(i).iter().map(|x| x * x).sum();
            assert!((want - got).abs() < 1e-6, "row {i}: {got} vs {want}");
        }
        assert_eq!(s, randomized_svd_scores(&a, 3, 2, 2, 7));
        let t = a.transpose().transpose();
        assert_eq!(t.indices, a.indices);
        assert_eq!(t.data, a.data);
    }
}
