//! Sentence embeddings behind one trait, for clustering the reasons
//! customers come back.
//!
//! Two embedders:
//!
//! * [`CandleEmbedder`]: a sentence-transformers model (BERT family, e.g.
//!   `all-MiniLM-L6-v2`, or XLM-RoBERTa) read from a local Hugging Face
//!   folder. Weights are read with candle; the default backend
//!   ([`Backend::Fused`]) runs a hand-fused BERT forward over the `gemm`
//!   crate on token-packed batches (no padding), one batch per rayon worker.
//!   [`Backend::Candle`] runs candle-transformers' own model instead; it is
//!   slower and kept as the reference the fused path is checked against.
//! * [`LexicalEmbedder`]: no model at all, any language: TF-IDF over words
//!   and character 2–4-grams, reduced by a seeded randomized truncated SVD.
//!   It is transductive: each `embed` call fits on the texts it is given.
//!
//! Every embedder returns one L2-normalised `Vec<f32>` per text, in input
//! order, and the same input always gives the same output.

mod kernels;
mod lexical;
mod linalg;
pub mod offload;
mod profile;
pub mod quant;
#[cfg(feature = "rust-bert")]
mod rustbert;
mod select;
mod store;
mod transformer;

use crate::progress::Progress;
pub use lexical::{LexicalEmbedder, LexicalOptions};
pub use profile::{ModelProfile, PROFILE_FILE};
#[cfg(feature = "rust-bert")]
pub use rustbert::{import_model, load_rust_bert, ImportReport, RustBertEmbedder};
pub use select::{choose_embedder, lexical_embedder, model_is_multilingual};
pub use store::VectorStore;
pub use transformer::{Backend, CandleEmbedder, CandleOptions, Pooling};

/// A text → vector model.
pub trait Embedder: Send + Sync {
    /// Stable name for reports/metrics, e.g. "candle:all-MiniLM-L6-v2" or "lexical".
    fn name(&self) -> String;
    /// Length of every vector `embed` returns.
    fn dim(&self) -> usize;
    /// One L2-normalised vector per text, in input order. Deterministic.
    /// (A text with no usable content, e.g. empty for the lexical embedder,
    /// gets the zero vector.)
    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>>;
    /// [`Embedder::embed`], calling `done(n)` (from any thread) as texts
    /// are embedded, `n` summing to `texts.len()`: an embedder that works
    /// in batches says so per batch, for the progress bar. The vectors are
    /// `embed`'s.
    fn embed_counted(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        let v = self.embed(texts)?;
        done(texts.len());
        Ok(v)
    }
    /// [`Embedder::embed_counted`], handing the vectors to `sink` as they
    /// are made instead of returning them: `sink(first, vectors)` gets the
    /// vectors of texts `first..first + vectors.len()`, from any thread, the
    /// runs in any order, together covering every text once. A caller that
    /// writes them out never holds them all ([`VectorStore`]). The vectors
    /// are `embed`'s, bit for bit.
    fn embed_each(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        sink(0, self.embed_counted(texts, done)?)
    }
    /// Whether the space is fitted to the texts given (the lexical
    /// embedder): then texts embedded in two calls are not comparable.
    fn transductive(&self) -> bool {
        false
    }
}

impl<E: Embedder + ?Sized> Embedder for Box<E> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        (**self).embed(texts)
    }
    fn embed_counted(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        (**self).embed_counted(texts, done)
    }
    fn embed_each(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        (**self).embed_each(texts, done, sink)
    }
    fn transductive(&self) -> bool {
        (**self).transductive()
    }
}

impl<E: Embedder + ?Sized> Embedder for &E {
    fn name(&self) -> String {
        (**self).name()
    }
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        (**self).embed(texts)
    }
    fn embed_counted(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        (**self).embed_counted(texts, done)
    }
    fn embed_each(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        (**self).embed_each(texts, done, sink)
    }
    fn transductive(&self) -> bool {
        (**self).transductive()
    }
}

/// An embedder whose every call counts on the run's progress: its texts
/// are added to the open stage's total, then counted as they are done.
/// The vectors are the inner embedder's.
pub struct Metered<E> {
    pub inner: E,
    pub progress: Progress,
}

impl<E: Embedder> Embedder for Metered<E> {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        self.embed_counted(texts, &|_| {})
    }
    fn embed_counted(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        self.progress.add_total(texts.len() as u64);
        self.inner.embed_counted(texts, &|n| {
            self.progress.inc(n as u64);
            done(n);
        })
    }
    fn embed_each(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        self.progress.add_total(texts.len() as u64);
        self.inner.embed_each(
            texts,
            &|n| {
                self.progress.inc(n as u64);
                done(n);
            },
            sink,
        )
    }
    fn transductive(&self) -> bool {
        self.inner.transductive()
    }
}

pub use crate::settings::{default_model_dir, model_available, DEFAULT_MODEL_DIR};

/// Each text once, in order of first occurrence, and per text its row in
/// that list: an embedder embeds a repeated text once (contact centres
/// repeat themselves), and the order fixes the batches, so every caller
/// that dedups must do it this way for the same bits.
pub(crate) fn distinct_texts(texts: &[String]) -> (Vec<String>, Vec<u32>) {
    let mut first: std::collections::HashMap<&str, u32> =
        std::collections::HashMap::with_capacity(texts.len());
    let mut distinct: Vec<String> = Vec::new();
    let slot = texts
        .iter()
        .map(|t| {
            *first.entry(t.as_str()).or_insert_with(|| {
                distinct.push(t.clone());
                (distinct.len() - 1) as u32
            })
        })
        .collect();
    (distinct, slot)
}

/// `texts` embedded by `embedder`, checked to be one vector per text (a
/// short answer would misalign every vector after the gap).
pub fn embed_each(embedder: &dyn Embedder, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
    let v = embedder.embed(texts)?;
    anyhow::ensure!(
        v.len() == texts.len(),
        "the embedder returned {} vectors for {} texts",
        v.len(),
        texts.len()
    );
    Ok(v)
}

/// Scales `v` to unit L2 norm in place; a zero vector stays zero.
#[inline(always)]
pub fn l2_normalize(v: &mut [f32]) {
    let norm = kernels::dot(v, v).sqrt();
    if norm > 0.0 && norm.is_finite() {
        let inv = 1.0 / norm;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

/// The L2-normalised mean of each cluster's members (`labels[i]` is the
/// cluster, `0..k`, of `vectors[i]`); a cluster with no member gets the
/// zero vector.
pub fn centroids(labels: &[Option<usize>], vectors: &[Vec<f32>], k: usize) -> Vec<Vec<f32>> {
    let dim = vectors.first().map_or(0, Vec::len);
    let mut sums = vec![vec![0.0f32; dim]; k];
    for (l, v) in labels.iter().zip(vectors) {
        if let Some(c) = l {
            for (a, b) in sums[*c].iter_mut().zip(v) {
                *a += b;
            }
        }
    }
    for s in sums.iter_mut() {
        let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            s.iter_mut().for_each(|x| *x /= norm);
        }
    }
    sums
}

/// Cosine similarity; for L2-normalised vectors this is the dot product.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let na = kernels::dot(a, a).sqrt();
    let nb = kernels::dot(b, b).sqrt();
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    kernels::dot(a, b) / (na * nb)
}

/// [`cosine`] of centred (f64) vectors: the themes stage and the namer
/// compare centres with a space's common direction taken out.
pub fn cosine_f64(a: &[f64], b: &[f64]) -> f64 {
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (na * nb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_and_cosine() {
        let mut v = vec![3.0, 4.0];
        l2_normalize(&mut v);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        let mut z = vec![0.0; 3];
        l2_normalize(&mut z);
        assert_eq!(z, vec![0.0; 3]);
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn metered_counts_every_call_and_changes_no_vector() {
        let texts: Vec<String> = ["card lost", "pin blocked", "refund late", "card lost"]
            .map(String::from)
            .to_vec();
        let inner = lexical_embedder(&crate::settings::Settings::default());
        let want = inner.embed(&texts).unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Log {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let progress = Progress::lines(true, Box::new(Log(log.clone())));
        let m = Metered {
            inner: &inner as &dyn Embedder,
            progress: progress.clone(),
        };
        progress.start("embed reasons", Some("texts"));
        assert_eq!(m.embed(&texts).unwrap(), want);
        assert_eq!(m.embed(&texts[..2]).unwrap().len(), 2);
        progress.done(0.1);
        assert_eq!(m.name(), inner.name());
        assert!(m.transductive());
        let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
        let done: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(
            (done["count"].as_u64(), done["total"].as_u64()),
            (Some(6), Some(6))
        );
    }
}
