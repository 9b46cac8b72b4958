//! Dense numeric kernels of clustering: the row matrix, normalisation,
//! dot products, blocked matrix products and the seeded generator.

/// Row-major `n × dim` matrix of L2-normalised rows.
pub(super) struct Matrix {
    data: Vec<f32>,
    pub(super) n: usize,
    pub(super) dim: usize,
}

impl Matrix {
    pub(super) fn from_rows(rows: &[Vec<f32>]) -> anyhow::Result<Self> {
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

    pub(super) fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// A new matrix of the given rows, in that order.
    pub(super) fn select(&self, idx: &[usize]) -> Matrix {
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
    pub(super) fn rows(&self, lo: usize, hi: usize) -> &[f32] {
        &self.data[lo * self.dim..hi * self.dim]
    }
}

/// In f64, unlike `embed::l2_normalize`: the summation order is part of the output.
pub(super) fn normalize(v: &mut [f32]) {
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

/// 8 lanes, unlike `embed::kernels::dot` (16): the summation order is part of the output.
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
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
pub(super) fn gemm_abt(dst: &mut [f32], a: &[f32], b: &[f32], m: usize, n: usize, d: usize) {
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
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
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
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            p.swap(i, j);
        }
        p
    }
}
