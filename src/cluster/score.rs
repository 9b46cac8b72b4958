//! Scores of a clustering against true labels (NMI, ARI), for the
//! evaluation commands and the benchmarks.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
