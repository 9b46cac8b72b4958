//! Month over month: anchoring this month's category boundaries to last
//! month's (`--previous`, unless `--no-anchor`), so an unchanged issue
//! keeps its reasons. It works on clusters and vectors only; matching,
//! ids and trends stay in the trend module.

use crate::embed::cosine;

/// Smallest centroid cosine for "the same issue" (same model both months),
/// calibrated on all-MiniLM-L6-v2; a model folder may carry its own
/// (`embed::ModelProfile::centroid_threshold`). The anchoring threshold in
/// a model's space, and month-over-month matching's (re-exported as
/// `trend::CENTROID_THRESHOLD`).
pub const CENTROID_THRESHOLD: f64 = 0.80;

/// Anchors one script group's category boundaries to last month's (used
/// with `--previous`, unless `--no-anchor`).
///
/// Clustering afresh each month draws the line between two neighbouring
/// issues a little differently every time ("card arrival" vs "card delivery
/// estimate"), so reasons of an unchanged issue move between categories and
/// counts move with them: noise that is not the customers'. Here every
/// last-month category of the group is a candidate centre (`prev`: index
/// into last month's categories, and its centre in this month's space),
/// and so is each fresh cluster that matches none of them (centroid cosine
/// ≥ `threshold`, greedy one-to-one, best first): new issues and splits.
/// Every clustered reason goes to the nearest candidate; a candidate left
/// with fewer than `min_size` reasons is dropped and its reasons go to the
/// next nearest, until none is; centres are then the members' means (so
/// they follow a slow drift). Unclustered reasons stay unclustered.
///
/// Returns, per resulting cluster, the last-month category it continues.
pub fn anchor_group(
    clusters: &mut crate::model::Clusters,
    vectors: &[Vec<f32>],
    prev: &[(usize, Vec<f32>)],
    threshold: f64,
    min_size: usize,
) -> Vec<Option<usize>> {
    let fresh = clusters.centroids.len();
    if prev.is_empty() || fresh == 0 {
        return vec![None; fresh];
    }
    // Fresh clusters continuing a last-month category give way to its centre.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (c, centre) in clusters.centroids.iter().enumerate() {
        for (j, (_, p)) in prev.iter().enumerate() {
            let s = cosine(centre, p);
            if f64::from(s) >= threshold {
                pairs.push((s, c, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut fresh_taken, mut prev_taken) = (vec![false; fresh], vec![false; prev.len()]);
    for (_, c, j) in pairs {
        if !fresh_taken[c] && !prev_taken[j] {
            fresh_taken[c] = true;
            prev_taken[j] = true;
        }
    }
    // Candidates: last month's centres, then the fresh clusters left over.
    let mut centres: Vec<&[f32]> = prev.iter().map(|(_, p)| p.as_slice()).collect();
    let mut continues: Vec<Option<usize>> = prev.iter().map(|(j, _)| Some(*j)).collect();
    for (centre, taken) in clusters.centroids.iter().zip(&fresh_taken) {
        if !taken {
            centres.push(centre);
            continues.push(None);
        }
    }
    let nearest = |r: usize, alive: &[bool]| -> Option<usize> {
        let mut best: Option<(f32, usize)> = None;
        for (i, centre) in centres.iter().enumerate() {
            if !alive[i] || centre.len() != vectors[r].len() {
                continue;
            }
            let s = cosine(&vectors[r], centre);
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, i));
            }
        }
        best.map(|b| b.1)
    };
    let mut alive = vec![true; centres.len()];
    let clustered: Vec<usize> = (0..clusters.cluster_of.len())
        .filter(|&r| clusters.cluster_of[r].is_some())
        .collect();
    let mut to: Vec<Option<usize>> = {
        use rayon::prelude::*;
        let alive = &alive;
        clustered.par_iter().map(|&r| nearest(r, alive)).collect()
    };
    // Drop the candidates too small to be a category, the smallest first
    // (ties: the last); only the reasons of a dropped candidate move again.
    let mut count = vec![0usize; centres.len()];
    for t in to.iter().flatten() {
        count[*t] += 1;
    }
    for (a, n) in alive.iter_mut().zip(&count) {
        *a = *n > 0;
    }
    while alive.iter().filter(|a| **a).count() > 1 {
        let Some(i) = (0..centres.len())
            .filter(|&i| alive[i] && count[i] < min_size)
            .min_by_key(|&i| (count[i], std::cmp::Reverse(i)))
        else {
            break;
        };
        alive[i] = false;
        count[i] = 0;
        for (k, &r) in clustered.iter().enumerate() {
            if to[k] == Some(i) {
                to[k] = nearest(r, &alive);
                if let Some(n) = to[k] {
                    count[n] += 1;
                }
            }
        }
    }
    // Final clusters: the candidates kept, in candidate order.
    let mut number: Vec<Option<usize>> = vec![None; centres.len()];
    let mut result: Vec<Option<usize>> = Vec::new();
    for i in 0..centres.len() {
        if alive[i] {
            number[i] = Some(result.len());
            result.push(continues[i]);
        }
    }
    for l in clusters.cluster_of.iter_mut() {
        *l = None;
    }
    for (k, &r) in clustered.iter().enumerate() {
        clusters.cluster_of[r] = to[k].and_then(|t| number[t]);
    }
    clusters.centroids = crate::embed::centroids(&clusters.cluster_of, vectors, result.len());
    result
}

/// A last-month category's centre in this month's space: the normalised
/// mean of its saved example reasons embedded now.
pub fn centre_of_examples(vectors: &[Vec<f32>]) -> Option<Vec<f32>> {
    let c = crate::embed::centroids(&vec![Some(0); vectors.len()], vectors, 1).pop()?;
    c.iter().any(|x| *x != 0.0).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(x: f32, y: f32) -> Vec<f32> {
        let n = (x * x + y * y).sqrt();
        vec![x / n, y / n]
    }

    #[test]
    fn anchoring_moves_boundaries_to_last_months_centres() {
        // Last month: "a" at 0°, "b" at 90°, "c" at 200° (gone this month).
        let prev = vec![
            (0, norm(1.0, 0.0)),
            (1, norm(0.0, 1.0)),
            (2, norm(-1.0, -0.35)),
        ];
        // This month's clustering drew the line between a and b at 30°
        // instead of 45°, and found a new issue far from all three.
        let vectors = vec![
            norm(1.0, 0.1),
            norm(1.0, 0.8), // closer to last month's "a" centre
            norm(0.2, 1.0),
            norm(0.1, 1.0),
            norm(0.3, -1.0),
            norm(0.35, -1.0),
            norm(0.9, 0.05),
        ];
        let mut clusters = crate::model::Clusters {
            cluster_of: vec![Some(0), Some(1), Some(1), Some(1), Some(2), Some(2), None],
            centroids: vec![norm(1.0, 0.05), norm(0.5, 1.0), norm(0.3, -1.0)],
        };
        let continues = anchor_group(&mut clusters, &vectors, &prev, CENTROID_THRESHOLD, 1);
        // a, b continue (c has no reason left: dropped); the new issue keeps
        // its own centre; the unclustered reason stays unclustered.
        assert_eq!(continues, vec![Some(0), Some(1), None]);
        assert_eq!(
            clusters.cluster_of,
            vec![Some(0), Some(0), Some(1), Some(1), Some(2), Some(2), None]
        );
        assert_eq!(clusters.centroids.len(), 3);
        // A candidate below the minimum size gives its reasons to the next
        // nearest, the smallest first: with min size 3 (2 reasons each),
        // the new issue joins a, then b does.
        let mut c2 = crate::model::Clusters {
            cluster_of: vec![Some(0), Some(1), Some(1), Some(1), Some(2), Some(2), None],
            centroids: vec![norm(1.0, 0.05), norm(0.5, 1.0), norm(0.3, -1.0)],
        };
        let continues = anchor_group(&mut c2, &vectors, &prev, CENTROID_THRESHOLD, 3);
        assert_eq!(continues, vec![Some(0)]);
        assert_eq!(c2.cluster_of.iter().flatten().count(), 6);
        // Nothing from last month: left alone.
        let mut c3 = crate::model::Clusters {
            cluster_of: vec![Some(0), Some(1)],
            centroids: vec![norm(1.0, 0.0), norm(0.0, 1.0)],
        };
        assert_eq!(
            anchor_group(&mut c3, &vectors[..2], &[], CENTROID_THRESHOLD, 1),
            vec![None, None]
        );
        assert_eq!(c3.cluster_of, vec![Some(0), Some(1)]);
    }
}
