//! Clustering of reason embeddings into recurring categories (work in
//! progress: the real algorithm lands shortly; the API below is final).

/// Settings for [`cluster`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterParams {
    pub min_category_size: usize,
    pub max_unassigned: f64,
    pub seed: u64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        Self {
            min_category_size: 5,
            max_unassigned: 0.05,
            seed: 0,
        }
    }
}

/// Result of [`cluster`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clustering {
    pub labels: Vec<Option<usize>>,
    pub n_categories: usize,
    pub centroids: Vec<Vec<f32>>,
}

/// Placeholder: everything in one category.
pub fn cluster(vectors: &[Vec<f32>], params: &ClusterParams) -> anyhow::Result<Clustering> {
    let _ = params;
    if vectors.is_empty() {
        return Ok(Clustering::default());
    }
    let dim = vectors[0].len();
    let mut c = vec![0f32; dim];
    for v in vectors {
        for (a, b) in c.iter_mut().zip(v) {
            *a += b;
        }
    }
    let n: f32 = c.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        c.iter_mut().for_each(|x| *x /= n);
    }
    Ok(Clustering {
        labels: vec![Some(0); vectors.len()],
        n_categories: 1,
        centroids: vec![c],
    })
}

/// Normalised mutual information, arithmetic-mean normalisation.
pub fn nmi(pred: &[usize], truth: &[usize]) -> f64 {
    let _ = (pred, truth);
    0.0
}

/// Adjusted Rand index.
pub fn ari(pred: &[usize], truth: &[usize]) -> f64 {
    let _ = (pred, truth);
    0.0
}
