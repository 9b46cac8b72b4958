//! Int8 linear layers for the fused encoder (dynamic quantisation, as ONNX
//! Runtime and llama.cpp do): each weight matrix is quantised once, per
//! output column (symmetric, i8); each row of activations is quantised when
//! it arrives (symmetric, per row, then shifted by 128 to u8, because
//! AVX-512 VNNI's `vpdpbusd` multiplies u8 by i8); the products are summed
//! exactly in i32 and scaled back to f32. Four times the multiply-adds of
//! f32 per instruction, and a quarter of the weight bytes to stream. A
//! row's few outlier channels are taken out before it is quantised and
//! computed in f32 (LLM.int8()'s decomposition, [`QuantMatrix::with_outliers`]).
//!
//! Written by hand: the `gemm` crate has no integer kernels, and candle's
//! quantised matmul is a per-row dot product built for generation, not for
//! the batched products of an encoder. The scalar version
//! ([`QuantMatrix::matmul_scalar`]) computes the same integers; the tests
//! hold the two identical and both close to f32.
//!
//! Deterministic: every sum is exact integer arithmetic, and the rescaling
//! is one fixed sequence of f32 operations per element, whatever the
//! thread count or batch.

/// Columns per panel: four 16-lane i32 accumulators.
const NR: usize = 64;
/// Rows per micro-kernel step.
const MR: usize = 6;
/// Rows per block kept in cache while every panel passes over them.
const MC: usize = MR * 8;

/// A `[k, n]` weight matrix (row-major, as the f32 path takes it),
/// quantised and packed for the VNNI kernel.
pub struct QuantMatrix {
    k: usize,
    n: usize,
    /// `k` rounded up to a multiple of 4 (VNNI sums four products).
    kp: usize,
    /// Per panel of [`NR`] columns, per group of four rows of `k`: 4
    /// vectors × 16 columns × 4 bytes, so one 64-byte load holds the four
    /// `k` values of 16 columns.
    packed: Vec<i8>,
    /// Per column: the scale of its quantised values.
    scale: Vec<f32>,
    /// Per column: 128 × the sum of its quantised values (what the u8
    /// shift adds to every product sum).
    shift: Vec<i32>,
    /// Outlier channels: see [`QuantMatrix::with_outliers`].
    outliers: Option<Outliers>,
}

/// What an activation row's outlier channels are computed with.
struct Outliers {
    /// A channel is an outlier in a row when it exceeds this many times
    /// the row's root mean square.
    ratio: f32,
    /// The weights in f32 (`[k, n]`): an outlier channel's
    /// row of them is added in full precision.
    rows: Vec<f32>,
}

/// Whether this CPU runs the VNNI kernel.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl QuantMatrix {
    /// Quantises `b` (`[k, n]`, row-major); `None` when `n` is not a
    /// multiple of [`NR`] (the f32 path then serves: every BERT-family
    /// width in use, 384, 768, 1,024 and their multiples, is).
    pub fn new(b: &[f32], k: usize, n: usize) -> Option<QuantMatrix> {
        if n == 0 || k == 0 || !n.is_multiple_of(NR) || b.len() < k * n {
            return None;
        }
        let kp = k.div_ceil(4) * 4;
        let mut scale = vec![0f32; n];
        for row in b[..k * n].chunks_exact(n) {
            for (s, &x) in scale.iter_mut().zip(row) {
                *s = s.max(x.abs());
            }
        }
        for s in &mut scale {
            *s /= 127.0;
        }
        let q = |r: usize, c: usize| -> i8 {
            if r >= k || scale[c] == 0.0 {
                return 0;
            }
            (b[r * n + c] / scale[c]).round().clamp(-127.0, 127.0) as i8
        };
        let mut packed = vec![0i8; (n / NR) * (kp / 4) * NR * 4];
        let mut shift = vec![0i32; n];
        let mut at = 0;
        for panel in 0..n / NR {
            for quad in 0..kp / 4 {
                for (col, sh) in shift.iter_mut().enumerate().skip(panel * NR).take(NR) {
                    for r in quad * 4..quad * 4 + 4 {
                        let v = q(r, col);
                        packed[at] = v;
                        *sh += 128 * i32::from(v);
                        at += 1;
                    }
                }
            }
        }
        Some(QuantMatrix {
            k,
            n,
            kp,
            packed,
            scale,
            shift,
            outliers: None,
        })
    }

    /// Computes each activation row's outlier channels in f32, as
    /// LLM.int8() does: a transformer's residual stream has a few channels
    /// that run five to ten times the rest (in all-MiniLM-L6-v2, two of
    /// 384), and a row's int8 scale would spend its range on them. A
    /// channel above `ratio` × the row's root mean square is taken out of
    /// the row before it is quantised and its product added from `b` (the
    /// same `[k, n]` weights, kept in f32; taken, not copied). Decided per
    /// row, so a text's numbers do not depend on the batch it is in.
    pub fn with_outliers(mut self, mut b: Vec<f32>, ratio: f32) -> QuantMatrix {
        if b.len() >= self.k * self.n && ratio > 0.0 {
            b.truncate(self.k * self.n);
            self.outliers = Some(Outliers { ratio, rows: b });
        }
        self
    }

    /// `dst[m, n] (+)= a[m, k] · B`, on the VNNI kernel when the CPU has it
    /// (else the scalar one, which gives the same numbers, slowly).
    pub fn matmul(&self, dst: &mut [f32], a: &[f32], m: usize, accumulate: bool) {
        assert!(dst.len() >= m * self.n && a.len() >= m * self.k);
        if m == 0 {
            return;
        }
        let (qa, sa, outliers) = self.quantise_rows(a, m);
        #[cfg(target_arch = "x86_64")]
        if available() {
            // SAFETY: the CPU has the features the kernel is compiled for;
            // `qa` holds `m` rounded up to `MR` rows of `kp` bytes, `packed`
            // every panel, and `dst` is checked above.
            unsafe { self.kernel_vnni(dst, &qa, &sa, m, accumulate) };
            self.add_outliers(dst, &outliers);
            return;
        }
        self.kernel_scalar(dst, &qa, &sa, m, accumulate);
        self.add_outliers(dst, &outliers);
    }

    /// Adds each outlier channel's product, `(row, channel, value)`, in f32.
    fn add_outliers(&self, dst: &mut [f32], outliers: &[(usize, usize, f32)]) {
        let Some(o) = &self.outliers else { return };
        let n = self.n;
        #[cfg(target_arch = "x86_64")]
        let fast = available();
        for &(r, c, x) in outliers {
            let (d, w) = (&mut dst[r * n..(r + 1) * n], &o.rows[c * n..(c + 1) * n]);
            #[cfg(target_arch = "x86_64")]
            if fast {
                // SAFETY: the CPU has AVX-512 F; `d` and `w` are `n` long.
                unsafe { add_scaled_avx512(d, x, w) };
                continue;
            }
            add_scaled(d, x, w);
        }
    }

    /// The scalar kernel on its own (tests compare the two).
    pub fn matmul_scalar(&self, dst: &mut [f32], a: &[f32], m: usize, accumulate: bool) {
        assert!(dst.len() >= m * self.n && a.len() >= m * self.k);
        let (qa, sa, outliers) = self.quantise_rows(a, m);
        self.kernel_scalar(dst, &qa, &sa, m, accumulate);
        self.add_outliers(dst, &outliers);
    }

    /// Rows of `a` as u8 (symmetric i8 + 128), `kp` bytes each, padded to a
    /// multiple of [`MR`] rows with the shifted zero; each row's scale; and
    /// the outlier channels taken out, `(row, channel, value)`.
    #[allow(clippy::type_complexity)]
    fn quantise_rows(&self, a: &[f32], m: usize) -> (Vec<u8>, Vec<f32>, Vec<(usize, usize, f32)>) {
        let rows = m.div_ceil(MR) * MR;
        let mut qa = vec![128u8; rows * self.kp];
        let mut sa = vec![0f32; rows];
        let mut outliers = Vec::new();
        #[cfg(target_arch = "x86_64")]
        let fast = available();
        let mut cleaned = vec![0f32; if self.outliers.is_some() { self.k } else { 0 }];
        for (r, orig) in a[..m * self.k].chunks_exact(self.k).enumerate() {
            let out = &mut qa[r * self.kp..r * self.kp + self.k];
            let mut row = orig;
            if let Some(o) = &self.outliers {
                let start = outliers.len();
                #[cfg(target_arch = "x86_64")]
                if fast {
                    // SAFETY: the CPU has AVX-512 F.
                    unsafe { find_outliers_avx512(row, r, o.ratio, &mut outliers) };
                } else {
                    find_outliers(row, r, o.ratio, &mut outliers);
                }
                #[cfg(not(target_arch = "x86_64"))]
                find_outliers(row, r, o.ratio, &mut outliers);
                if outliers.len() > start {
                    cleaned.copy_from_slice(orig);
                    for &(_, c, _) in &outliers[start..] {
                        cleaned[c] = 0.0;
                    }
                    row = &cleaned[..];
                }
            }
            #[cfg(target_arch = "x86_64")]
            if fast {
                // SAFETY: the CPU has AVX-512 F and BW; `out` is as long as `row`.
                sa[r] = unsafe { quantise_row_avx512(row, out) };
                continue;
            }
            sa[r] = quantise_row(row, out);
        }
        (qa, sa, outliers)
    }

    /// One output: the exact integer sum rescaled (the vector kernel does
    /// the same operations in the same order, so they agree bit for bit).
    #[inline(always)]
    fn rescale(&self, acc: i32, col: usize, sa: f32) -> f32 {
        (acc - self.shift[col]) as f32 * (self.scale[col] * sa)
    }

    fn kernel_scalar(&self, dst: &mut [f32], qa: &[u8], sa: &[f32], m: usize, accumulate: bool) {
        let quads = self.kp / 4;
        for r in 0..m {
            let arow = &qa[r * self.kp..(r + 1) * self.kp];
            for col in 0..self.n {
                let (panel, lane) = (col / NR, col % NR);
                let mut acc = 0i32;
                for quad in 0..quads {
                    let base = ((panel * quads + quad) * NR + lane) * 4;
                    for t in 0..4 {
                        acc += i32::from(arow[quad * 4 + t]) * i32::from(self.packed[base + t]);
                    }
                }
                let v = self.rescale(acc, col, sa[r]);
                let d = &mut dst[r * self.n + col];
                *d = if accumulate { *d + v } else { v };
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn kernel_vnni(
        &self,
        dst: &mut [f32],
        qa: &[u8],
        sa: &[f32],
        m: usize,
        accumulate: bool,
    ) {
        use std::arch::x86_64::*;
        let quads = self.kp / 4;
        let rows = m.div_ceil(MR) * MR;
        let kp = self.kp;
        let n = self.n;
        for mc in (0..rows).step_by(MC) {
            let mc_end = (mc + MC).min(rows);
            for panel in 0..n / NR {
                let bp = self.packed.as_ptr().add(panel * quads * NR * 4);
                for mb in (mc..mc_end).step_by(MR) {
                    let ap = qa.as_ptr().add(mb * kp);
                    let mut acc = [[_mm512_setzero_si512(); 4]; MR];
                    for quad in 0..quads {
                        let b = bp.add(quad * NR * 4);
                        let b0 = _mm512_loadu_si512(b as *const _);
                        let b1 = _mm512_loadu_si512(b.add(64) as *const _);
                        let b2 = _mm512_loadu_si512(b.add(128) as *const _);
                        let b3 = _mm512_loadu_si512(b.add(192) as *const _);
                        for (r, acc_r) in acc.iter_mut().enumerate() {
                            let word = (ap.add(r * kp + quad * 4) as *const i32).read_unaligned();
                            let av = _mm512_set1_epi32(word);
                            acc_r[0] = _mm512_dpbusd_epi32(acc_r[0], av, b0);
                            acc_r[1] = _mm512_dpbusd_epi32(acc_r[1], av, b1);
                            acc_r[2] = _mm512_dpbusd_epi32(acc_r[2], av, b2);
                            acc_r[3] = _mm512_dpbusd_epi32(acc_r[3], av, b3);
                        }
                    }
                    for (r, acc_r) in acc.iter().enumerate() {
                        let row = mb + r;
                        if row >= m {
                            break;
                        }
                        let sav = _mm512_set1_ps(sa[row]);
                        for (v, acc_v) in acc_r.iter().enumerate() {
                            let col = panel * NR + v * 16;
                            let shift =
                                _mm512_loadu_si512(self.shift.as_ptr().add(col) as *const _);
                            let scale =
                                _mm512_mul_ps(_mm512_loadu_ps(self.scale.as_ptr().add(col)), sav);
                            let mut val = _mm512_mul_ps(
                                _mm512_cvtepi32_ps(_mm512_sub_epi32(*acc_v, shift)),
                                scale,
                            );
                            let d = dst.as_mut_ptr().add(row * n + col);
                            if accumulate {
                                val = _mm512_add_ps(_mm512_loadu_ps(d), val);
                            }
                            _mm512_storeu_ps(d, val);
                        }
                    }
                }
            }
        }
    }
}

/// Pushes `(r, channel, value)` for each channel of `row` above
/// `ratio` × the row's root mean square. The sum of squares runs in
/// sixteen lanes, then the lanes in order, as the vector version does, so
/// both pick the same channels. A row with NaN has a NaN bar: none.
fn find_outliers(row: &[f32], r: usize, ratio: f32, out: &mut Vec<(usize, usize, f32)>) {
    let chunks = row.len() / 16;
    let mut acc = [0f32; 16];
    for c in 0..chunks {
        for (a, &x) in acc.iter_mut().zip(&row[c * 16..c * 16 + 16]) {
            *a += x * x;
        }
    }
    let bar = ratio * (sum_lanes(&acc, &row[chunks * 16..]) / row.len() as f32).sqrt();
    for (c, x) in row.iter().enumerate() {
        if x.abs() > bar {
            out.push((r, c, *x));
        }
    }
}

/// The lanes added in order, then the squares of the tail.
#[inline(always)]
fn sum_lanes(acc: &[f32; 16], tail: &[f32]) -> f32 {
    let mut s = 0f32;
    for &a in acc {
        s += a;
    }
    for &x in tail {
        s += x * x;
    }
    s
}

/// [`find_outliers`] sixteen channels at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn find_outliers_avx512(
    row: &[f32],
    r: usize,
    ratio: f32,
    out: &mut Vec<(usize, usize, f32)>,
) {
    use std::arch::x86_64::*;
    let chunks = row.len() / 16;
    let p = row.as_ptr();
    let mut acc = _mm512_setzero_ps();
    for c in 0..chunks {
        let v = _mm512_loadu_ps(p.add(c * 16));
        acc = _mm512_add_ps(acc, _mm512_mul_ps(v, v));
    }
    let mut lanes = [0f32; 16];
    _mm512_storeu_ps(lanes.as_mut_ptr(), acc);
    let bar = ratio * (sum_lanes(&lanes, &row[chunks * 16..]) / row.len() as f32).sqrt();
    let vbar = _mm512_set1_ps(bar);
    for c in 0..chunks {
        let v = _mm512_abs_ps(_mm512_loadu_ps(p.add(c * 16)));
        let mut mask = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, vbar);
        while mask != 0 {
            let ch = c * 16 + mask.trailing_zeros() as usize;
            out.push((r, ch, row[ch]));
            mask &= mask - 1;
        }
    }
    for (c, x) in row.iter().enumerate().skip(chunks * 16) {
        if x.abs() > bar {
            out.push((r, c, *x));
        }
    }
}

/// `d += x · w`, a multiply then an add per element (no fused
/// multiply-add, so the vector version gives the same numbers).
fn add_scaled(d: &mut [f32], x: f32, w: &[f32]) {
    for (d, &w) in d.iter_mut().zip(w) {
        *d += x * w;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn add_scaled_avx512(d: &mut [f32], x: f32, w: &[f32]) {
    use std::arch::x86_64::*;
    let n = d.len().min(w.len());
    let chunks = n / 16;
    let vx = _mm512_set1_ps(x);
    for c in 0..chunks {
        let pd = d.as_mut_ptr().add(c * 16);
        let v = _mm512_add_ps(
            _mm512_loadu_ps(pd),
            _mm512_mul_ps(vx, _mm512_loadu_ps(w.as_ptr().add(c * 16))),
        );
        _mm512_storeu_ps(pd, v);
    }
    add_scaled(&mut d[chunks * 16..n], x, &w[chunks * 16..n]);
}

/// One row quantised: `out[i]` is round-half-even(`row[i]` × 127 /
/// max|row|) plus 128. Returns the row's scale: 0 for a zero row, or one
/// holding a NaN or an infinity, which stays at the shifted zero.
fn quantise_row(row: &[f32], out: &mut [u8]) -> f32 {
    if row.iter().any(|x| !x.is_finite()) {
        return 0.0;
    }
    let amax = row.iter().fold(0f32, |s, x| s.max(x.abs()));
    if amax == 0.0 {
        return 0.0;
    }
    let inv = 127.0 / amax;
    for (d, &x) in out.iter_mut().zip(row) {
        *d = quantise_one(x, inv);
    }
    amax / 127.0
}

#[inline(always)]
fn quantise_one(x: f32, inv: f32) -> u8 {
    ((x * inv).round_ties_even().clamp(-127.0, 127.0) as i32 + 128) as u8
}

/// [`quantise_row`] sixteen values at a time (the same operations, so the
/// same bytes).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn quantise_row_avx512(row: &[f32], out: &mut [u8]) -> f32 {
    use std::arch::x86_64::*;
    let chunks = row.len() / 16;
    let p = row.as_ptr();
    let mut m = _mm512_setzero_ps();
    // x·0 is NaN exactly when x is NaN or infinite.
    let zero = _mm512_setzero_ps();
    let mut bad: u16 = 0;
    for c in 0..chunks {
        let v = _mm512_loadu_ps(p.add(c * 16));
        let z = _mm512_mul_ps(v, zero);
        bad |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(z, z);
        m = _mm512_max_ps(m, _mm512_abs_ps(v));
    }
    if bad != 0 || row[chunks * 16..].iter().any(|x| !x.is_finite()) {
        return 0.0;
    }
    let mut amax = _mm512_reduce_max_ps(m);
    for &x in &row[chunks * 16..] {
        amax = amax.max(x.abs());
    }
    if amax == 0.0 {
        return 0.0;
    }
    let inv = 127.0 / amax;
    let vinv = _mm512_set1_ps(inv);
    let lo = _mm512_set1_epi32(-127);
    let hi = _mm512_set1_epi32(127);
    let off = _mm512_set1_epi32(128);
    for c in 0..chunks {
        let v = _mm512_mul_ps(_mm512_loadu_ps(p.add(c * 16)), vinv);
        let q = _mm512_cvt_roundps_epi32::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
        let q = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, lo), hi), off);
        _mm_storeu_si128(
            out.as_mut_ptr().add(c * 16) as *mut _,
            _mm512_cvtepi32_epi8(q),
        );
    }
    for (d, &x) in out[chunks * 16..].iter_mut().zip(&row[chunks * 16..]) {
        *d = quantise_one(x, inv);
    }
    amax / 127.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1) with some larger ones, as
    /// activations have.
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let x = ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0;
                if i % 97 == 0 {
                    x * 6.0
                } else {
                    x
                }
            })
            .collect()
    }

    fn f32_product(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0f32; m * n];
        for i in 0..m {
            for p in 0..k {
                for j in 0..n {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        c
    }

    #[test]
    fn close_to_f32_and_the_kernels_agree_exactly() {
        // Odd row counts (not a multiple of MR or MC), k not a multiple of 4.
        for &(m, k, n) in &[(1, 384, 64), (7, 130, 128), (53, 384, 192), (13, 1536, 64)] {
            let a = values(m * k, 1 + m as u64);
            let b: Vec<f32> = values(k * n, 7 + k as u64)
                .iter()
                .map(|x| x * 0.05)
                .collect();
            let q = QuantMatrix::new(&b, k, n).expect("n is a multiple of 64");
            let exact = f32_product(&a, &b, m, k, n);
            let mut fast = vec![0f32; m * n];
            let mut slow = vec![0f32; m * n];
            q.matmul(&mut fast, &a, m, false);
            q.matmul_scalar(&mut slow, &a, m, false);
            assert_eq!(fast, slow, "m {m} k {k} n {n}");
            // Per row: the error is small against the row's size (a few
            // per cent: every 97th input is six times the rest, as
            // activation outliers make the row's scale coarse).
            for i in 0..m {
                let e = &exact[i * n..(i + 1) * n];
                let g = &fast[i * n..(i + 1) * n];
                let norm = e.iter().map(|x| x * x).sum::<f32>().sqrt();
                let err = e
                    .iter()
                    .zip(g)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f32>()
                    .sqrt();
                assert!(err <= 0.04 * norm, "row {i}: error {err} against {norm}");
            }
        }
    }

    #[test]
    fn outlier_channels_are_computed_in_f32() {
        // Rows like a transformer's residual stream: two channels run ten
        // times the rest.
        let (m, k, n) = (9, 384, 128);
        let mut a = values(m * k, 21);
        for r in 0..m {
            a[r * k + 99] = 10.0 + r as f32;
            a[r * k + 63] = -9.0;
        }
        let b: Vec<f32> = values(k * n, 22).iter().map(|x| x * 0.05).collect();
        let exact = f32_product(&a, &b, m, k, n);
        let error = |got: &[f32]| {
            let e: f32 = exact.iter().zip(got).map(|(x, y)| (x - y) * (x - y)).sum();
            let s: f32 = exact.iter().map(|x| x * x).sum();
            (e / s).sqrt()
        };
        let plain = QuantMatrix::new(&b, k, n).expect("quantised");
        let mut without = vec![0f32; m * n];
        plain.matmul(&mut without, &a, m, false);
        let q = QuantMatrix::new(&b, k, n)
            .expect("quantised")
            .with_outliers(b.clone(), 4.0);
        let mut fast = vec![0f32; m * n];
        let mut slow = vec![0f32; m * n];
        q.matmul(&mut fast, &a, m, false);
        q.matmul_scalar(&mut slow, &a, m, false);
        assert_eq!(fast, slow);
        let (with, plain_err) = (error(&fast), error(&without));
        assert!(
            with < plain_err / 2.0,
            "with outliers {with}, without {plain_err}"
        );
        // A row on its own gives the same numbers as in the batch.
        let mut one = vec![0f32; n];
        q.matmul(&mut one, &a[4 * k..5 * k], 1, false);
        assert_eq!(one, fast[4 * n..5 * n]);
        // A NaN row has no outliers and gives zeros, as without them.
        let mut bad = a[..k].to_vec();
        bad[5] = f32::NAN;
        let mut d = vec![1f32; n];
        q.matmul(&mut d, &bad, 1, false);
        assert!(d.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn accumulates_into_what_is_there() {
        let (m, k, n) = (5, 64, 64);
        let a = values(m * k, 3);
        let b = values(k * n, 4);
        let q = QuantMatrix::new(&b, k, n).expect("quantised");
        let mut once = vec![0f32; m * n];
        q.matmul(&mut once, &a, m, false);
        let mut twice = vec![1.5f32; m * n];
        q.matmul(&mut twice, &a, m, true);
        for (x, y) in once.iter().zip(&twice) {
            assert_eq!(x + 1.5, *y);
        }
    }

    #[test]
    fn widths_the_kernel_cannot_take_are_left_to_f32() {
        assert!(QuantMatrix::new(&[0.0; 3 * 48], 3, 48).is_none());
        // A zero row and a zero column give zeros, not NaN.
        let q = QuantMatrix::new(&[0.0; 4 * 64], 4, 64).expect("quantised");
        let mut d = vec![9f32; 2 * 64];
        q.matmul(&mut d, &[0.0; 8], 2, false);
        assert!(d.iter().all(|&x| x == 0.0));
    }
}
