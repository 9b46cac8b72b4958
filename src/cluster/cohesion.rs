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

/// A category is kept when it is at least this much tighter than a group of
/// the same size drawn at random from its script group, in the group's
/// centred space: (cohesion − random's) ÷ (1 − random's).
pub const MIN_GAIN_OVER_CHANCE: f64 = 0.35;

/// … or when it is at least this much tighter than its script group taken
/// as one, in raw cohesion: (cohesion − group's) ÷ (1 − group's). Merged
/// themes are held to this bar too.
pub const MIN_GAIN_OVER_GROUP: f64 = 0.25;

/// Whether a raw cohesion `coh` gains at least [`MIN_GAIN_OVER_GROUP`] over
/// its group's `base`: the one test categories and merged themes share.
pub fn tighter_than_group(coh: f64, base: f64) -> bool {
    base < 1.0 && (coh - base) / (1.0 - base) >= MIN_GAIN_OVER_GROUP
}

/// Dissolves the categories of one script group that are no tighter than
/// chance and no tighter than the group: such a category gathers reasons
/// that fit nothing else (a catch-all), so its reasons are left
/// uncategorised. Both bars come from the group's own data.
///
/// Why two tests: each misses real categories the other finds.
/// - Against the group ([`MIN_GAIN_OVER_GROUP`]) fails where every text
///   shares a large common direction (the multilingual model: a group of
///   unrelated reasons still has cohesion ≈ 0.92, and half of a Hebrew
///   month's real categories were dissolved).
/// - Against chance in the centred space ([`MIN_GAIN_OVER_CHANCE`]):
///   subtracting the group's mean removes that direction, and a random
///   group of the same size is the bar, because a small group is tighter
///   by chance alone. It needs no draws: the expected squared norm of the
///   mean of n of N unit vectors drawn without replacement is
///   |μ|² + (1 − |μ|²)(N − n) ÷ (n(N − 1)). On its own it is too strict for
///   short, messy real text (real tweets: 16 themes → 4), whose genuine
///   topics are loose by this measure but clearly tighter than the group.
///
/// Surviving categories keep their order. Run on the fresh clusters,
/// before anchoring to last month, so a month and its rerun with
/// `--previous` dissolve the same ones. Returns the (raw) cohesion of each
/// survivor, as reported.
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
    let over_chance = centred_gain(&members, vectors);
    let keep: Vec<bool> = coh
        .iter()
        .zip(&over_chance)
        .map(|(&c, &g)| g >= MIN_GAIN_OVER_CHANCE || tighter_than_group(c, base))
        .collect();
    retain(clusters, &keep);
    coh.into_iter()
        .zip(&keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// The sum (in f64) and count of the vectors of length `dim`, in order.
pub(crate) fn sum_of<'a>(
    vectors: impl IntoIterator<Item = &'a Vec<f32>>,
    dim: usize,
) -> (Vec<f64>, usize) {
    let mut s = vec![0.0f64; dim];
    let mut n = 0;
    for v in vectors.into_iter().filter(|v| v.len() == dim) {
        for (a, b) in s.iter_mut().zip(v) {
            *a += f64::from(*b);
        }
        n += 1;
    }
    (s, n)
}

/// Partial sums (as from [`sum_of`]) added up in their order, for the same
/// bits whatever produced them in parallel.
pub(crate) fn add_up<'a>(
    parts: impl IntoIterator<Item = &'a (Vec<f64>, usize)>,
    dim: usize,
) -> (Vec<f64>, usize) {
    let mut total = vec![0.0f64; dim];
    let mut n = 0;
    for (s, k) in parts {
        n += k;
        for (a, b) in total.iter_mut().zip(s) {
            *a += b;
        }
    }
    (total, n)
}

pub(crate) fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Each category's gain in centred cohesion over a random group of its
/// size (see [`dissolve_loose`]); 0 where it cannot be measured.
fn centred_gain(members: &[Vec<usize>], vectors: &[Vec<f32>]) -> Vec<f64> {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let dim = vectors.iter().map(Vec::len).max().unwrap_or(0);
    if dim == 0 {
        return vec![0.0; members.len()];
    }
    // Summed in fixed chunks, added up in order: the same bits on any
    // thread count.
    let parts: Vec<(Vec<f64>, usize)> = vectors
        .par_chunks(CHUNK)
        .map(|chunk| sum_of(chunk, dim))
        .collect();
    let (sum, total) = add_up(&parts, dim);
    if total < 2 {
        return vec![0.0; members.len()];
    }
    let mean: Vec<f64> = sum.iter().map(|x| x / total as f64).collect();
    // The sum and count of vectors made unit length after the mean is
    // taken out (one with nothing left counts for nothing).
    let centred_sum = |vs: &mut dyn Iterator<Item = &Vec<f32>>| -> (Vec<f64>, usize) {
        let mut s = vec![0.0f64; dim];
        let mut n = 0;
        for v in vs.filter(|v| v.len() == dim) {
            let u: Vec<f64> = v
                .iter()
                .zip(&mean)
                .map(|(&x, m)| f64::from(x) - m)
                .collect();
            let len = norm(&u);
            if len > 1e-9 {
                n += 1;
                for (a, x) in s.iter_mut().zip(u) {
                    *a += x / len;
                }
            }
        }
        (s, n)
    };
    // Cohesion of unit vectors about their own centre: their mean's norm.
    let cohesion_of = |(s, n): &(Vec<f64>, usize)| if *n == 0 { 0.0 } else { norm(s) / *n as f64 };
    let parts: Vec<(Vec<f64>, usize)> = vectors
        .par_chunks(CHUNK)
        .map(|chunk| centred_sum(&mut chunk.iter()))
        .collect();
    let whole = add_up(&parts, dim);
    let mu2 = cohesion_of(&whole).powi(2);
    let big_n = whole.1 as f64;
    members
        .par_iter()
        .map(|m| {
            let got = centred_sum(&mut m.iter().filter_map(|&i| vectors.get(i)));
            let n = got.1 as f64;
            if got.1 == 0 || whole.1 < 2 {
                return 0.0;
            }
            let chance = (mu2 + (1.0 - mu2) * (big_n - n) / (n * (big_n - 1.0)))
                .max(0.0)
                .sqrt();
            if chance >= 1.0 {
                0.0
            } else {
                (cohesion_of(&got) - chance) / (1.0 - chance)
            }
        })
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

    /// Unit vector: `common` along the direction every text shares
    /// (dimension 0), plus `lean` along `dim` and a deterministic jitter.
    fn shared(dim: usize, lean: f32, common: f32, i: usize) -> Vec<f32> {
        let mut v = vec![0.0f32; 10];
        v[0] = common;
        v[dim] += lean;
        for (d, x) in v.iter_mut().enumerate().skip(1) {
            *x += ((i * 37 + d * 11) % 17) as f32 / 17.0 - 0.5;
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    #[test]
    fn tight_categories_that_lean_away_from_the_shared_direction_stay() {
        // Most texts lean hard along one shared direction, so the group as
        // a whole is tight; two real categories lean less that way and are
        // no tighter than the group in raw cohesion. The centred test, with
        // chance for their size as the bar, keeps them.
        let mut v: Vec<Vec<f32>> = Vec::new();
        let mut of = Vec::new();
        for i in 0..30 {
            v.push(shared(1, 0.8, 1.5, i));
            of.push(Some(0));
            v.push(shared(2, 0.8, 1.5, i + 100));
            of.push(Some(1));
        }
        for i in 0..90 {
            v.push(shared(3 + i % 7, 1.5, 4.0, i + 200));
            of.push(None);
        }
        let centroids = crate::embed::centroids(&of, &v, 2);
        let all: Vec<usize> = (0..v.len()).collect();
        let whole = crate::embed::centroids(&vec![Some(0); v.len()], &v, 1);
        let base = cohesion(&all, &v, &whole[0]);
        let real: Vec<usize> = (0..60).step_by(2).collect();
        let raw_gain = (cohesion(&real, &v, &centroids[0]) - base) / (1.0 - base);
        assert!(
            raw_gain < MIN_GAIN_OVER_GROUP,
            "raw test alone would drop it: {raw_gain}"
        );
        let mut c = Clusters {
            cluster_of: of.clone(),
            centroids,
        };
        let coh = dissolve_loose(&mut c, &v);
        assert_eq!(coh.len(), 2);
        assert_eq!(c.cluster_of, of);
    }

    #[test]
    fn chance_is_the_bar_for_a_group_of_the_same_size() {
        // Members spread evenly around the circle: their centred mean is 0,
        // no better than chance, whatever the size.
        let v: Vec<Vec<f32>> = (0..40).map(|i| unit(0.157 * i as f32)).collect();
        let gain = centred_gain(&[(0..40).step_by(2).collect()], &v);
        assert!(gain[0] < 0.1, "{gain:?}");
        let gain = centred_gain(&[(0..6).collect()], &v);
        assert!(
            gain[0] > MIN_GAIN_OVER_CHANCE,
            "an arc is tighter than chance: {gain:?}"
        );
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
