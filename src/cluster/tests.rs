//! End-to-end tests of [`super::cluster`]: seeded blobs in, categories
//! out (every stage together, so they live beside the API, not a stage).

use super::kernels::normalize;
use super::*;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn gauss(rng: &mut ChaCha8Rng) -> f32 {
    // Box–Muller.
    let u1: f64 = rng.gen_range(1e-12..1.0);
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    normalize(&mut v);
    v
}

/// `sizes.len()` blobs around random unit centres in `dim` dimensions
/// (nearly orthogonal), `noise` per coordinate; rows are shuffled.
fn blobs(sizes: &[usize], dim: usize, noise: f32, seed: u64) -> (Vec<Vec<f32>>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = sizes
        .iter()
        .map(|_| unit((0..dim).map(|_| gauss(&mut rng)).collect()))
        .collect();
    let mut rows = Vec::new();
    for (b, &s) in sizes.iter().enumerate() {
        for _ in 0..s {
            let v = centres[b]
                .iter()
                .map(|c| c + noise * gauss(&mut rng))
                .collect();
            rows.push((unit(v), b));
        }
    }
    // Deterministic shuffle.
    for i in (1..rows.len()).rev() {
        let j = rng.gen_range(0..=i);
        rows.swap(i, j);
    }
    rows.into_iter().unzip()
}

fn hard_labels(c: &Clustering) -> Vec<usize> {
    let mut next = c.n_categories;
    c.cluster_of
        .iter()
        .map(|l| {
            l.unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// A small-data version of the default method that still goes through
/// the inverted-file index and the anchor sample.
fn small_scale_method() -> Method {
    Method::Leiden {
        graph: GraphOptions {
            exact_limit: 300,
            max_graph_nodes: 900,
            ..GraphOptions::default()
        },
        resolution: 3.0,
        refine: true,
        iterations: 2,
        max_conductance: 0.5,
        merge_cut: 0.15,
    }
}

#[test]
fn recovers_blobs_without_k() {
    let sizes = [120, 100, 90, 80, 70, 60, 50, 40];
    let (v, truth) = blobs(&sizes, 32, 0.06, 7);
    let c = cluster(&v, &ClusterParams::default()).expect("cluster");
    assert_eq!(c.n_categories, sizes.len());
    let pred = hard_labels(&c);
    assert!(nmi(&pred, &truth) > 0.99, "nmi {}", nmi(&pred, &truth));
    assert!(ari(&pred, &truth) > 0.99);
    assert!(c.cluster_of.iter().all(Option::is_some));
    // Numbered by size: category 0 is the 120-point blob.
    let count = |k: usize| c.cluster_of.iter().filter(|l| **l == Some(k)).count();
    for k in 1..c.n_categories {
        assert!(count(k - 1) >= count(k));
    }
    assert_eq!(count(0), 120);
    // Centroids are unit length and near their members.
    for (k, cen) in c.centroids.iter().enumerate() {
        let norm: f32 = cen.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
        let i = c
            .cluster_of
            .iter()
            .position(|l| *l == Some(k))
            .expect("member");
        assert!(dot(&v[i], cen) > 0.9);
    }
}

#[test]
fn dominant_category_is_not_split() {
    // One category with 60% of the data: modularity at a high
    // resolution splits it; merging by cut puts it back together.
    for seed in 0..3 {
        let (v, truth) = blobs(&[1500, 300, 250, 200, 150, 100], 32, 0.12, seed);
        let c = cluster(&v, &ClusterParams::default()).expect("cluster");
        assert_eq!(c.n_categories, 6, "seed {seed}");
        assert!(nmi(&hard_labels(&c), &truth) > 0.99);
    }
}

#[test]
fn recovers_blobs_through_index_and_anchors() {
    let sizes = [400, 350, 300, 250, 200, 150, 100, 50];
    let (v, truth) = blobs(&sizes, 24, 0.08, 11);
    let (c, times) =
        cluster_with(&v, &ClusterParams::default(), &small_scale_method()).expect("cluster");
    assert!(times.iter().any(|t| t.0 == "assign to anchors"));
    assert_eq!(c.n_categories, sizes.len());
    assert!(nmi(&hard_labels(&c), &truth) > 0.99);
}

#[test]
fn deterministic_across_runs_and_thread_counts() {
    let sizes: Vec<usize> = (0..30).map(|i| 20 + 7 * i).collect();
    // Overlapping blobs, so there are real decisions to make.
    let (v, _) = blobs(&sizes, 16, 0.25, 3);
    let params = ClusterParams {
        seed: 42,
        ..ClusterParams::default()
    };
    for method in [Method::default(), small_scale_method()] {
        let a = cluster_with(&v, &params, &method).expect("a").0;
        let b = cluster_with(&v, &params, &method).expect("b").0;
        assert_eq!(a, b);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let c = pool
                .install(|| cluster_with(&v, &params, &method))
                .expect("c")
                .0;
            assert_eq!(a, c, "{threads} threads");
        }
    }
    // The other methods are deterministic too.
    for method in [
        Method::KMeans { k: 12 },
        Method::KMeansMerge {
            points_per_micro: 20,
            threshold: 0.5,
        },
    ] {
        let a = cluster_with(&v, &params, &method).expect("a").0;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let b = pool
            .install(|| cluster_with(&v, &params, &method))
            .expect("b")
            .0;
        assert_eq!(a, b);
    }
}

#[test]
fn small_categories_are_dissolved() {
    // Two big blobs and a pair of points near the first blob: with
    // min_category_size 5 the pair joins the nearest category.
    let (mut v, _) = blobs(&[60, 60], 16, 0.05, 5);
    let near = v[0].clone();
    let pair_dir = unit(
        near.iter()
            .enumerate()
            .map(|(i, x)| x + if i == 0 { 0.9 } else { 0.0 })
            .collect(),
    );
    v.push(pair_dir.clone());
    v.push(pair_dir);
    let params = ClusterParams {
        min_category_size: 5,
        max_unassigned: 0.0,
        seed: 1,
    };
    let c = cluster(&v, &params).expect("cluster");
    assert_eq!(c.n_categories, 2);
    assert!(c.cluster_of.iter().all(Option::is_some));
    assert_eq!(c.cluster_of[120], c.cluster_of[0]);
    // With a size limit above every blob, only the largest survives.
    let params = ClusterParams {
        min_category_size: 500,
        ..params
    };
    let c = cluster(&v, &params).expect("cluster");
    assert_eq!(c.n_categories, 1);
    assert!(c.cluster_of.iter().all(|l| *l == Some(0)));
}

#[test]
fn unassigned_share_is_capped() {
    // 300 points in 3 blobs plus 60 scattered points that fit nothing.
    let (mut v, _) = blobs(&[100, 100, 100], 64, 0.03, 9);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for _ in 0..60 {
        v.push(unit((0..64).map(|_| gauss(&mut rng)).collect()));
    }
    let n = v.len();
    for share in [0.0, 0.02, 0.05, 0.5] {
        let params = ClusterParams {
            min_category_size: 5,
            max_unassigned: share,
            seed: 0,
        };
        let c = cluster(&v, &params).expect("cluster");
        let un = c.cluster_of.iter().filter(|l| l.is_none()).count();
        assert!(
            un as f64 <= share * n as f64 + 1e-9,
            "{un} unassigned with share {share}"
        );
        if share >= 0.05 {
            // The budget is used on the scattered points only.
            assert!(un > 0);
            assert!(c.cluster_of[..300].iter().all(Option::is_some));
        }
        assert!(c.n_categories >= 3);
        // Every category keeps the minimum size.
        for k in 0..c.n_categories {
            assert!(c.cluster_of.iter().filter(|l| **l == Some(k)).count() >= 5);
        }
    }
}

#[test]
fn odd_inputs() {
    let p = ClusterParams::default();
    assert_eq!(cluster(&[], &p).expect("empty"), Clustering::default());
    // One vector, and fewer vectors than the minimum size.
    let c = cluster(&[vec![1.0, 0.0]], &p).expect("one");
    assert_eq!((c.n_categories, c.cluster_of.clone()), (1, vec![Some(0)]));
    let c = cluster(&[vec![1.0, 0.0], vec![0.9, 0.1], vec![0.0, 1.0]], &p).expect("three");
    assert!(c.cluster_of.iter().all(Option::is_some));
    // Duplicates and zero vectors are fine.
    let mut v = vec![vec![1.0, 0.0, 0.0]; 20];
    v.extend(vec![vec![0.0, 1.0, 0.0]; 20]);
    v.push(vec![0.0; 3]);
    let c = cluster(&v, &p).expect("dups");
    assert_eq!(c.n_categories, 2);
    assert_eq!(c.cluster_of[40], None, "the zero vector fits nothing");
    assert!(c.cluster_of[..20].iter().all(|l| *l == c.cluster_of[0]));
    // Bad input is an error, not a panic.
    assert!(cluster(&[vec![1.0, 0.0], vec![1.0]], &p).is_err());
    assert!(cluster(&[vec![f32::NAN, 0.0]], &p).is_err());
    assert!(cluster(&[vec![]], &p).is_err());
    let bad = ClusterParams {
        max_unassigned: 1.5,
        ..p.clone()
    };
    assert!(cluster(&[vec![1.0]], &bad).is_err());
}

#[test]
fn groups_of_identical_reasons_stay_apart() {
    // Templated notes give many copies of one reason: three such
    // groups (sizes 12, 8, 6) are three categories, not two.
    let mut v = vec![vec![1.0, 0.0, 0.0]; 12];
    v.extend(vec![vec![0.0, 1.0, 0.0]; 8]);
    v.extend(vec![vec![0.0, 0.0, 1.0]; 6]);
    let c = cluster(&v, &ClusterParams::default()).expect("clusters");
    assert_eq!(c.n_categories, 3, "{:?}", c.cluster_of);
    assert!(c.cluster_of[..12].iter().all(|l| *l == c.cluster_of[0]));
    assert!(c.cluster_of[20..].iter().all(|l| *l == c.cluster_of[20]));
    assert_ne!(c.cluster_of[0], c.cluster_of[20]);
}

/// Short, varied texts (tweets) make a diffuse graph: every community
/// leaks more than half its weight. The merges that undo the high
/// resolution's cuts must not then chain into one catch-all, on any seed.
#[test]
fn diffuse_data_does_not_collapse_into_one_category() {
    let sizes = [12; 40];
    let (v, _) = blobs(&sizes, 24, 0.35, 3);
    for seed in 0..6 {
        let params = ClusterParams {
            seed,
            ..ClusterParams::default()
        };
        let c = cluster(&v, &params).expect("cluster");
        let mut size = vec![0usize; c.n_categories];
        for l in c.cluster_of.iter().flatten() {
            size[*l] += 1;
        }
        let largest = size.iter().copied().max().unwrap_or(0);
        assert!(
            c.n_categories >= 5 && largest * 3 <= v.len(),
            "seed {seed}: {} categories, largest {largest} of {}",
            c.n_categories,
            v.len()
        );
    }
}
