//! Small numeric kernels for the fused transformer forward. Written so that
//! LLVM vectorises them (fixed-width lane accumulators, no libm calls in the
//! hot loops); the matrix products go to the `gemm` crate, which picks
//! AVX-512 / AVX2+FMA kernels at run time.

const LANES: usize = 16;

/// Dot product with `LANES` independent accumulators (vectorisable, and
/// the summation order is fixed, so results are deterministic).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s = hsum(&acc);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

#[inline(always)]
fn hsum(acc: &[f32; LANES]) -> f32 {
    let mut h = [0f32; LANES / 2];
    for i in 0..LANES / 2 {
        h[i] = acc[i] + acc[i + LANES / 2];
    }
    let mut q = [0f32; LANES / 4];
    for i in 0..LANES / 4 {
        q[i] = h[i] + h[i + LANES / 4];
    }
    (q[0] + q[2]) + (q[1] + q[3])
}

#[inline(always)]
fn sum(a: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let r = ca.remainder();
    for x in ca {
        for i in 0..LANES {
            acc[i] += x[i];
        }
    }
    let mut s = hsum(&acc);
    for x in r {
        s += x;
    }
    s
}

/// `y += alpha * x`.
#[inline(always)]
pub fn axpy(y: &mut [f32], alpha: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// Adds `bias` to a row, then applies layer normalisation in place:
/// `row = (row - mean) / sqrt(var + eps) * gamma + beta`.
#[inline(always)]
pub fn bias_layer_norm(row: &mut [f32], bias: &[f32], gamma: &[f32], beta: &[f32], eps: f32) {
    for (x, b) in row.iter_mut().zip(bias) {
        *x += b;
    }
    layer_norm(row, gamma, beta, eps);
}

/// Layer normalisation of one row in place (biased variance, as PyTorch).
#[inline(always)]
pub fn layer_norm(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    for x in row.iter_mut() {
        *x -= mean;
    }
    let var = dot(row, row) / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = *x * inv * g + b;
    }
}

/// `erf(x)` as a rational minimax approximation on [-4, 4] (the one Eigen
/// and XLA use for f32; max error ~ 1e-7 near 0, saturating to ±1 beyond).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    p *= x;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329_3e-3;
    q = x2 * q + -1.426_474e-2;
    p / q
}

/// Adds `bias` and applies the exact (erf) GELU to a row in place.
#[inline(always)]
pub fn bias_gelu(row: &mut [f32], bias: &[f32]) {
    const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
    for (x, b) in row.iter_mut().zip(bias) {
        let v = *x + b;
        *x = 0.5 * v * (1.0 + erf(v * FRAC_1_SQRT_2));
    }
}

/// `exp(x)` for x ≤ ~88 (Cephes-style: range reduction by ln 2 and a
/// degree-6 polynomial; relative error ~ 2e-7). Branch-free so it vectorises.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * C1 - n * C2;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    let k = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let scale = f32::from_bits((k.wrapping_add(127) << 23) as u32);
    e * scale
}

/// Softmax in place.
#[inline(always)]
pub fn softmax(v: &mut [f32]) {
    let mut max = f32::NEG_INFINITY;
    for &x in v.iter() {
        max = max.max(x);
    }
    for x in v.iter_mut() {
        *x = exp(*x - max);
    }
    let s = sum(v);
    let inv = 1.0 / s;
    for x in v.iter_mut() {
        *x *= inv;
    }
}

/// Adds `bias` and applies the tanh-approximated GELU in place.
#[inline(always)]
pub fn bias_gelu_tanh(row: &mut [f32], bias: &[f32]) {
    const C: f32 = 0.797_884_6; // sqrt(2/pi)
    for (x, b) in row.iter_mut().zip(bias) {
        let v = *x + b;
        let u = C * (v + 0.044_715 * v * v * v);
        // tanh(u) = 1 - 2 / (exp(2u) + 1)
        let t = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
        *x = 0.5 * v * (1.0 + t);
    }
}

/// Adds `bias` and applies ReLU in place.
#[inline(always)]
pub fn bias_relu(row: &mut [f32], bias: &[f32]) {
    for (x, b) in row.iter_mut().zip(bias) {
        *x = (*x + b).max(0.0);
    }
}

/// Texts at least this long run attention through GEMM calls; shorter ones
/// use the plain loops (call overhead dominates there).
pub const ATTENTION_GEMM_MIN_LEN: usize = 32;

fn span_ok(len: usize, rows: usize, cols: usize, rs: usize, cs: usize) -> bool {
    rows == 0 || cols == 0 || (rows - 1) * rs + (cols - 1) * cs < len
}

/// Strided `dst = (accumulate ? dst : 0) + scale · a[m×k] · b[k×n]`, where
/// element (i, j) of a matrix lives at `i·rs + j·cs`.
#[allow(clippy::too_many_arguments)]
pub fn matmul_strided(
    dst: &mut [f32],
    dst_rs: usize,
    dst_cs: usize,
    a: &[f32],
    a_rs: usize,
    a_cs: usize,
    b: &[f32],
    b_rs: usize,
    b_cs: usize,
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
    scale: f32,
) {
    assert!(span_ok(dst.len(), m, n, dst_rs, dst_cs));
    assert!(span_ok(a.len(), m, k, a_rs, a_cs));
    assert!(span_ok(b.len(), k, n, b_rs, b_cs));
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    // SAFETY: the asserts above bound every element the kernel addresses
    // inside its slice; `dst` is a unique borrow, so no aliasing.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            dst_cs as isize,
            dst_rs as isize,
            accumulate,
            a.as_ptr(),
            a_cs as isize,
            a_rs as isize,
            b.as_ptr(),
            b_cs as isize,
            b_rs as isize,
            1.0,
            scale,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `dst[m×n] = (accumulate ? dst : 0) + a[m×k] · b[k×n]`, all row-major and
/// contiguous. Single-threaded: callers parallelise over batches.
pub fn matmul(
    dst: &mut [f32],
    a: &[f32],
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
) {
    assert!(dst.len() >= m * n && a.len() >= m * k && b.len() >= k * n);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: the assert above guarantees every index the kernel touches
    // (row-major, leading dimensions k, n, n) lies inside the slices, and
    // `dst` is borrowed mutably so it aliases neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_reference() {
        // Reference values of erf from a high-precision table.
        let cases = [
            (0.0f32, 0.0f32),
            (0.1, 0.112_462_92),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (1.5, 0.966_105_16),
            (2.0, 0.995_322_3),
            (3.0, 0.999_977_9),
            (-0.7, -0.677_801_2),
            (5.0, 1.0),
        ];
        for (x, want) in cases {
            assert!(
                (erf(x) - want).abs() < 2e-6,
                "erf({x}) = {} want {want}",
                erf(x)
            );
        }
    }

    #[test]
    fn exp_matches_std() {
        let mut x = -80.0f32;
        while x < 80.0 {
            let (got, want) = (exp(x), x.exp());
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "exp({x}) = {got} want {want}"
            );
            x += 0.37;
        }
        assert!(exp(-1000.0) < 1e-37);
    }

    #[test]
    fn softmax_and_layer_norm() {
        let mut v = vec![1.0, 2.0, 3.0];
        softmax(&mut v);
        let s: f32 = v.iter().sum();
        assert!((s - 1.0).abs() < 1e-6 && v[2] > v[1] && v[1] > v[0]);
        let mut r: Vec<f32> = (0..40).map(|i| i as f32).collect();
        layer_norm(&mut r, &[1.0; 40], &[0.0; 40], 1e-12);
        let mean: f32 = r.iter().sum::<f32>() / 40.0;
        let var: f32 = r.iter().map(|x| x * x).sum::<f32>() / 40.0;
        assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4);
    }

    #[test]
    fn matmul_small() {
        // [2×3]·[3×2]
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        let mut d = [1.0f32; 4];
        matmul(&mut d, &a, &b, 2, 3, 2, true);
        assert_eq!(d, [59.0, 65.0, 140.0, 155.0]);
        matmul(&mut d, &a, &b, 2, 3, 2, false);
        assert_eq!(d, [58.0, 64.0, 139.0, 154.0]);
    }
}
