//! What the month's own data says about the same-issue threshold.
//!
//! Two contacts of one customer far apart in time (more than two repeat
//! windows) are almost always about different issues; their similarities
//! are the month's own picture of "different issue" under the test in use
//! (model, language, domain and channel mix included). Against them, the
//! close pairs the linker actually tests (consecutive contacts within the
//! window) mix same and different issues. From the two: the share of
//! different-issue pairs the threshold in use would link (its false-link
//! rate), the threshold that would hold that rate at [`FALSE_LINK_RATE`],
//! and the share of close pairs that are the same issue.
//!
//! With embeddings, only the contacts the test can compare have vectors
//! (`episodes::compared_candidates`), so both kinds of pair are of those:
//! the close pairs are ones the linker decides, not an outbound or
//! courtesy contact or a ticket link beside them.
//!
//! Reported as evidence in metrics.json; the decision still uses the
//! threshold in use (adopting the calibrated one needs the evaluation
//! across utterance sets that issue 14 asks for; see BENCHMARKS.md).

use std::collections::HashMap;

use serde::Serialize;

use crate::model::Contact;

/// Share of different-issue pairs a calibrated threshold may link.
pub const FALSE_LINK_RATE: f64 = 0.05;
/// Fewer far pairs than this say too little to calibrate on.
pub const MIN_FAR_PAIRS: usize = 50;
/// Far pairs taken per customer, so a few heavy contacters do not make
/// the picture.
const FAR_PER_CUSTOMER: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SameIssueCalibration {
    /// The threshold the run linked with.
    pub threshold: f32,
    /// Pairs of one customer's contacts more than two repeat windows apart
    /// (different issues, almost always) and consecutive pairs within the
    /// window (what the linker tests).
    pub far_pairs: usize,
    pub close_pairs: usize,
    /// Similarity of the far pairs at the 50th, 90th, 95th and 99th
    /// percentiles.
    pub far_percentiles: [f32; 4],
    /// Share of far pairs at or above the threshold: the false-link rate
    /// it implies.
    pub far_at_threshold: f64,
    /// Share of close pairs at or above the threshold.
    pub close_at_threshold: f64,
    /// The far pairs' (1 − [`FALSE_LINK_RATE`]) percentile: the threshold
    /// the month's own data suggests; `None` with fewer than
    /// [`MIN_FAR_PAIRS`] far pairs.
    pub suggested_threshold: Option<f32>,
    /// Estimated share of close pairs about the same issue:
    /// (close ≥ t − far ≥ t) ÷ (1 − far ≥ t) at the suggested threshold.
    pub close_same_issue_share: Option<f64>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

fn share_at(sorted: &[f32], t: f32) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let below = sorted.partition_point(|&s| s < t);
    (sorted.len() - below) as f64 / sorted.len() as f64
}

/// Two contacts of one customer (indices into the contacts), earlier first.
pub type Pair = (usize, usize);

/// The far and close pairs of the month's known customers, in a stable
/// order.
pub fn pairs(contacts: &[Contact], window_secs: i64) -> (Vec<Pair>, Vec<Pair>) {
    let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in contacts.iter().enumerate() {
        if let Some(id) = &c.customer_id {
            by_customer.entry(id.as_str()).or_default().push(i);
        }
    }
    let mut customers: Vec<(&str, Vec<usize>)> = by_customer.into_iter().collect();
    customers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let (mut far, mut close) = (Vec::new(), Vec::new());
    for (_, mut idx) in customers {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by_key(|&i| (contacts[i].started_at, i));
        for w in idx.windows(2) {
            if contacts[w[1]].started_at - contacts[w[0]].started_at <= window_secs {
                close.push((w[0], w[1]));
            }
        }
        let mut taken = 0;
        'outer: for (k, &i) in idx.iter().enumerate() {
            for &j in &idx[k + 1..] {
                if contacts[j].started_at - contacts[i].started_at > 2 * window_secs {
                    far.push((i, j));
                    taken += 1;
                    if taken == FAR_PER_CUSTOMER {
                        break 'outer;
                    }
                    // One far partner per contact: the nearest one.
                    break;
                }
            }
        }
    }
    (far, close)
}

/// The calibration from the two kinds of pairs' similarities.
pub fn calibrate(threshold: f32, mut far: Vec<f32>, mut close: Vec<f32>) -> SameIssueCalibration {
    far.sort_by(f32::total_cmp);
    close.sort_by(f32::total_cmp);
    let suggested = (far.len() >= MIN_FAR_PAIRS).then(|| percentile(&far, 1.0 - FALSE_LINK_RATE));
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    let close_same = suggested.and_then(|t| {
        let (f, c) = (share_at(&far, t), share_at(&close, t));
        (!close.is_empty() && f < 1.0).then(|| round(((c - f) / (1.0 - f)).clamp(0.0, 1.0)))
    });
    let r3 = |x: f32| (x * 1000.0).round() / 1000.0;
    SameIssueCalibration {
        threshold,
        far_pairs: far.len(),
        close_pairs: close.len(),
        far_percentiles: [0.5, 0.9, 0.95, 0.99].map(|p| r3(percentile(&far, p))),
        far_at_threshold: round(share_at(&far, threshold)),
        close_at_threshold: round(share_at(&close, threshold)),
        suggested_threshold: suggested.map(r3),
        close_same_issue_share: close_same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` values spread evenly over [lo, hi].
    fn spread(n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n)
            .map(|i| lo + (hi - lo) * i as f32 / (n - 1) as f32)
            .collect()
    }

    #[test]
    fn the_threshold_comes_from_the_far_pairs() {
        // Different issues: 0.0–0.5; close pairs: half of those, half same
        // issue at 0.7–0.9.
        let far = spread(1000, 0.0, 0.5);
        let mut close = spread(500, 0.0, 0.5);
        close.extend(spread(500, 0.7, 0.9));
        let c = calibrate(0.3, far, close);
        let t = c.suggested_threshold.unwrap();
        assert!((t - 0.475).abs() < 0.005, "{t}");
        assert!((c.far_at_threshold - 0.4).abs() < 0.01, "{c:?}");
        let same = c.close_same_issue_share.unwrap();
        assert!((same - 0.5).abs() < 0.03, "{same}");
        assert_eq!(c.far_percentiles[0], 0.25);
    }

    #[test]
    fn a_harder_domain_raises_the_threshold() {
        // The same model on a domain whose different issues sound alike.
        let easy = calibrate(0.42, spread(200, 0.0, 0.4), spread(100, 0.0, 0.9));
        let hard = calibrate(0.42, spread(200, 0.3, 0.7), spread(100, 0.3, 0.9));
        assert!(hard.suggested_threshold > easy.suggested_threshold);
        assert!(hard.far_at_threshold > 0.5 && easy.far_at_threshold == 0.0);
    }

    #[test]
    fn too_few_far_pairs_suggest_nothing() {
        let c = calibrate(0.42, spread(10, 0.0, 0.4), spread(10, 0.0, 0.9));
        assert_eq!(c.suggested_threshold, None);
        assert_eq!(c.close_same_issue_share, None);
        assert_eq!(c.far_pairs, 10);
    }

    #[test]
    fn far_and_close_pairs_of_one_customer() {
        use crate::test_support::contact;
        let day = 24.0;
        let cs = vec![
            contact("a", "U1", 0.0, "x"),
            contact("b", "U1", 1.0 * day, "x"),
            contact("c", "U1", 20.0 * day, "x"),
            contact("d", "U2", 0.0, "x"),
        ];
        let (far, close) = pairs(&cs, 7 * 86_400);
        assert_eq!(close, vec![(0, 1)]);
        assert_eq!(far, vec![(0, 2), (1, 2)]);
    }
}
