//! The statistics of month over month: the exact binomial test, the
//! two-proportion test, and the multiple-testing adjustments.

/// ln C(n, k) + k ln p + (n - k) ln(1 - p).
fn ln_pmf(k: u64, n: u64, p: f64, ln_fact: &[f64]) -> f64 {
    let lc = ln_fact[n as usize] - ln_fact[k as usize] - ln_fact[(n - k) as usize];
    let a = if k == 0 { 0.0 } else { k as f64 * p.ln() };
    let b = if k == n {
        0.0
    } else {
        (n - k) as f64 * (-p).ln_1p()
    };
    lc + a + b
}

/// Exact two-sided binomial test of `k` successes in `n` trials against
/// `p`: the total probability of outcomes no more likely than `k` (as
/// `scipy.stats.binomtest`, with its relative tolerance 1e-7).
pub fn binom_two_sided(k: u64, n: u64, p: f64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if p <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let mut ln_fact = vec![0.0f64; n as usize + 1];
    for i in 1..=n as usize {
        ln_fact[i] = ln_fact[i - 1] + (i as f64).ln();
    }
    let lk = ln_pmf(k, n, p, &ln_fact);
    let limit = lk + (1.0f64 + 1e-7).ln();
    // Sum in log space from the largest term for accuracy.
    let terms: Vec<f64> = (0..=n)
        .map(|i| ln_pmf(i, n, p, &ln_fact))
        .filter(|&l| l <= limit)
        .collect();
    let Some(max) = terms.iter().copied().reduce(f64::max) else {
        return 1.0;
    };
    let s: f64 = terms.iter().map(|l| (l - max).exp()).sum();
    (max + s.ln()).exp().min(1.0)
}

/// The p-values adjusted over every test of one family, as `correction`
/// says: month over month, the themes, and the year all adjust this way.
pub fn adjust(correction: Correction, p: &[f64]) -> Vec<f64> {
    match correction {
        Correction::Holm => holm(p),
        Correction::Bh => benjamini_hochberg(p),
    }
}

/// Holm's step-down adjustment: adjusted p-values in the input order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let adj = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

/// Benjamini–Hochberg adjustment (false discovery rate): adjusted
/// p-values in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![1.0; m];
    let mut running: f64 = 1.0;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        out[i] = running.min(1.0);
    }
    out
}

pub use crate::settings::Correction;

/// Complementary error function (Numerical Recipes' erfc, |error| < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Two-sided two-proportion z-test (pooled) of x1/n1 against x2/n2.
pub fn two_proportion_p(x1: usize, n1: usize, x2: usize, n2: usize) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let p = (x1 + x2) as f64 / (n1 + n2) as f64;
    let se = (p * (1.0 - p) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se == 0.0 {
        return Some(1.0);
    }
    Some(erfc(((p1 - p2) / se).abs() / std::f64::consts::SQRT_2))
}

pub fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.max(1e-12) + 1e-12
    }

    #[test]
    fn binomial_test_matches_scipy() {
        // scipy.stats.binomtest(k, n, p).pvalue
        for (k, n, p, want) in [
            (3, 10, 0.5, 0.34375),
            (0, 10, 0.5, 0.001953125),
            (10, 10, 0.5, 0.001953125),
            (5, 10, 0.5, 1.0),
        ] {
            let got = binom_two_sided(k, n, p);
            assert!(close(got, want), "{k} {n} {p}: {got} vs {want}");
        }
        // An asymmetric case by direct summation: Bin(20, 0.3), k = 7; the
        // outcomes no more likely than 7 are 0..=3 and 7..=20.
        let pmf = |i: u64| {
            let mut c = 1.0f64;
            for t in 0..i {
                c *= (20 - t) as f64 / (t + 1) as f64;
            }
            c * 0.3f64.powi(i as i32) * 0.7f64.powi((20 - i) as i32)
        };
        let want: f64 = (0..=20u64)
            .filter(|&i| pmf(i) <= pmf(7) * (1.0 + 1e-7))
            .map(pmf)
            .sum();
        let got = binom_two_sided(7, 20, 0.3);
        assert!(close(got, want), "{got} vs {want}");
        // Large counts stay finite and sensible.
        let p = binom_two_sided(5000, 10000, 0.5);
        assert!(p > 0.99, "{p}");
        let p = binom_two_sided(600, 1000, 0.5);
        assert!(p < 1e-9, "{p}");
    }

    #[test]
    fn holm_adjusts_step_down() {
        let a = holm(&[0.01, 0.04, 0.03, 0.5]);
        assert!(close(a[0], 0.04));
        assert!(close(a[2], 0.09));
        assert!(close(a[1], 0.09));
        assert!(close(a[3], 0.5));
    }

    #[test]
    fn benjamini_hochberg_adjusts_step_up() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.5), "BH") = 0.04 0.0533 0.0533 0.5
        let a = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        assert!(close(a[0], 0.04));
        assert!(close(a[1], 0.04 * 4.0 / 3.0));
        assert!(close(a[2], 0.04 * 4.0 / 3.0));
        assert!(close(a[3], 0.5));
    }

    #[test]
    fn two_proportion_test() {
        assert!(two_proportion_p(50, 100, 50, 100).unwrap() > 0.99);
        // z = 2.0 → p ≈ 0.0455
        let p = erfc(2.0 / std::f64::consts::SQRT_2);
        assert!((p - 0.045_500_26).abs() < 1e-6, "{p}");
    }
}
