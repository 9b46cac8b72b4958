//! How tight each category is: the mean cosine of its members to its
//! centre, in the space they were clustered in.

use crate::embed::cosine;

/// Mean cosine of `members` (indices into `vectors`) to `centre`; 0 for
/// an empty category or one without vectors (a known category with no
/// case).
pub fn cohesion(members: &[usize], vectors: &[Vec<f32>], centre: &[f32]) -> f64 {
    let sims: Vec<f64> = members
        .iter()
        .filter_map(|&i| vectors.get(i))
        .filter(|v| !v.is_empty() && v.len() == centre.len())
        .map(|v| f64::from(cosine(v, centre)))
        .collect();
    if sims.is_empty() {
        0.0
    } else {
        sims.iter().sum::<f64>() / sims.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tight_groups_score_higher() {
        let v = vec![
            vec![1.0, 0.0],
            vec![0.9, 0.1],
            vec![0.0, 1.0],
            vec![1.0, 0.0],
        ];
        let tight = cohesion(&[0, 1, 3], &v, &[1.0, 0.0]);
        let loose = cohesion(&[0, 1, 2], &v, &[0.7, 0.7]);
        assert!(tight > 0.99 && loose < tight, "{tight} {loose}");
        assert_eq!(cohesion(&[], &v, &[1.0, 0.0]), 0.0);
    }
}

/// A category must be at least this much tighter than its script group
/// taken as one: (cohesion − group's) ÷ (1 − group's).
pub const MIN_GAIN: f64 = 0.25;

/// Dissolves the categories of one script group that are no tighter than
/// the group as a whole: a category whose gain over the group's cohesion
/// (see [`MIN_GAIN`]) falls short gathers reasons that fit nothing else (a
/// catch-all), so its reasons are left uncategorised. The bar comes from
/// the group's own data: its cohesion around its overall centre. Surviving
/// categories keep their order. Run on the fresh clusters, before
/// anchoring to last month, so a month and its rerun with `--previous`
/// dissolve the same ones. Returns the cohesion of each survivor.
pub fn dissolve_loose(clusters: &mut crate::model::Clusters, vectors: &[Vec<f32>]) -> Vec<f64> {
    let k = clusters.centroids.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, c) in clusters.cluster_of.iter().enumerate() {
        if let Some(c) = c {
            members[*c].push(i);
        }
    }
    let all: Vec<usize> = members.iter().flatten().copied().collect();
    let whole = crate::embed::centroids(&vec![Some(0); vectors.len()], vectors, 1);
    let base = whole.first().map_or(0.0, |w| cohesion(&all, vectors, w));
    let coh: Vec<f64> = (0..k)
        .map(|c| cohesion(&members[c], vectors, &clusters.centroids[c]))
        .collect();
    let keep: Vec<bool> = coh
        .iter()
        .map(|&c| base < 1.0 && (c - base) / (1.0 - base) >= MIN_GAIN)
        .collect();
    retain(clusters, &keep);
    coh.into_iter()
        .zip(&keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// Keeps the clusters `keep` says, in their order: the others' reasons
/// become uncategorised and their centroids go.
pub fn retain(clusters: &mut crate::model::Clusters, keep: &[bool]) {
    let mut new_id = vec![None; keep.len()];
    let mut n = 0;
    for (c, &k) in keep.iter().enumerate() {
        if k {
            new_id[c] = Some(n);
            n += 1;
        }
    }
    for l in clusters.cluster_of.iter_mut() {
        *l = l.and_then(|c| new_id[c]);
    }
    let centroids = std::mem::take(&mut clusters.centroids);
    clusters.centroids = centroids
        .into_iter()
        .zip(keep)
        .filter_map(|(c, &k)| k.then_some(c))
        .collect();
}

#[cfg(test)]
mod dissolve_tests {
    use super::*;
    use crate::model::Clusters;

    fn unit(a: f32) -> Vec<f32> {
        vec![a.cos(), a.sin(), 0.0]
    }

    #[test]
    fn a_catch_all_dissolves_and_tight_categories_stay() {
        // Two tight groups, and a "category" spread over the whole circle.
        let mut v: Vec<Vec<f32>> = Vec::new();
        let mut of = Vec::new();
        for i in 0..10 {
            v.push(unit(0.0 + 0.01 * i as f32));
            of.push(Some(0));
            v.push(unit(1.6 + 0.01 * i as f32));
            of.push(Some(1));
            v.push(unit(0.6 * i as f32));
            of.push(Some(2));
        }
        let centroids = crate::embed::centroids(&of, &v, 3);
        let mut c = Clusters {
            cluster_of: of,
            centroids,
        };
        let coh = dissolve_loose(&mut c, &v);
        assert_eq!(coh.len(), 2);
        assert_eq!(c.centroids.len(), 2);
        assert!(c.cluster_of.iter().skip(2).step_by(3).all(Option::is_none));
        assert_eq!(c.cluster_of[1], Some(1));
    }

    #[test]
    fn one_category_that_is_the_whole_group_dissolves() {
        let v: Vec<Vec<f32>> = (0..10).map(|i| unit(0.5 * i as f32)).collect();
        let of = vec![Some(0); 10];
        let centroids = crate::embed::centroids(&of, &v, 1);
        let mut c = Clusters {
            cluster_of: of,
            centroids,
        };
        dissolve_loose(&mut c, &v);
        assert!(c.centroids.is_empty() && c.cluster_of.iter().all(Option::is_none));
    }
}
