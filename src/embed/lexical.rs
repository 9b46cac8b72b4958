//! A model-free embedder for any language: TF-IDF over words and character
//! 2–4-grams, reduced to a few hundred dimensions by a seeded randomized
//! truncated SVD (latent semantic analysis), then L2-normalised.
//!
//! Text is folded with Unicode NFKC and lower-cased; scripts are otherwise
//! kept as written (Hebrew and other right-to-left text is not reordered or
//! stripped of points). Character n-grams are taken inside each word padded
//! with a space on both sides, so languages written without spaces (Chinese,
//! Japanese) still share features between similar texts.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::linalg::{randomized_svd_scores, Csr};
use super::{l2_normalize, Embedder};
use crate::text::normalize;

/// Tuning knobs for [`LexicalEmbedder`]; `Default` is what the pipeline uses.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalOptions {
    /// Output dimension (SVD components); texts are zero-padded beyond the
    /// rank of a small corpus.
    pub dims: usize,
    /// Shortest and longest character n-gram.
    pub char_ngrams: (usize, usize),
    /// Share of each vector's squared norm given to word features (the rest
    /// goes to character n-grams).
    pub word_weight: f32,
    /// Keep only features seen in at least this many texts; `None` picks 2
    /// for corpora of 50 texts or more and 1 below that.
    pub min_df: Option<usize>,
    /// Keep at most this many features (most frequent first); bounds memory
    /// at about `max_features × (dims + 10) × 8` bytes.
    pub max_features: usize,
    /// Extra random directions for the range finder.
    pub oversample: usize,
    /// Power iterations of the range finder.
    pub power_iters: usize,
    /// Seed of the random projection.
    pub seed: u64,
}

impl Default for LexicalOptions {
    fn default() -> Self {
        Self {
            dims: 256,
            char_ngrams: (2, 4),
            word_weight: 0.5,
            min_df: None,
            max_features: 1 << 17,
            oversample: 10,
            power_iters: 2,
            seed: 0x5EED_2E6C_0A7A_C7ED,
        }
    }
}

/// TF-IDF (words + character n-grams) → randomized truncated SVD → L2.
/// Transductive: `embed` fits on exactly the texts it is given, so vectors
/// from different calls live in different spaces.
#[derive(Debug, Clone, Default)]
pub struct LexicalEmbedder {
    opts: LexicalOptions,
}

impl LexicalEmbedder {
    pub fn new(opts: LexicalOptions) -> Self {
        Self { opts }
    }

    pub fn options(&self) -> &LexicalOptions {
        &self.opts
    }
}

impl Embedder for LexicalEmbedder {
    fn name(&self) -> String {
        "lexical".to_string()
    }

    fn dim(&self) -> usize {
        self.opts.dims
    }

    fn transductive(&self) -> bool {
        true
    }

    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let o = &self.opts;
        anyhow::ensure!(o.dims > 0, "lexical embedder: dims must be positive");
        anyhow::ensure!(
            o.char_ngrams.0 >= 1 && o.char_ngrams.0 <= o.char_ngrams.1,
            "lexical embedder: bad character n-gram range {:?}",
            o.char_ngrams
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&o.word_weight),
            "lexical embedder: word_weight must be in [0, 1]"
        );
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // Each distinct text is one row weighted by √(its count): the Gram
        // matrix, and so the SVD, is that of the full list, and document
        // frequencies count every copy; rows are L2-normalised at the end,
        // so the weight drops out of the vectors. Same result, less work
        // when reasons repeat (templated notes, common complaints).
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(texts.len());
        let mut distinct: Vec<String> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let slot: Vec<usize> = texts
            .iter()
            .map(|t| {
                let k = *first.entry(t.as_str()).or_insert_with(|| {
                    distinct.push(t.clone());
                    counts.push(0);
                    distinct.len() - 1
                });
                counts[k] += 1;
                k
            })
            .collect();
        let a = tfidf(&distinct, &counts, o);
        let scores = randomized_svd_scores(&a, o.dims, o.oversample, o.power_iters, o.seed);
        let vectors: Vec<Vec<f32>> = scores
            .rows()
            .into_iter()
            .map(|r| {
                let mut v: Vec<f32> = r.iter().map(|&x| x as f32).collect();
                l2_normalize(&mut v);
                v
            })
            .collect();
        if distinct.len() == texts.len() {
            return Ok(vectors);
        }
        Ok(slot.into_iter().map(|k| vectors[k].clone()).collect())
    }
}

/// Letters, digits and every combining mark. Not the index tokenizer's
/// test (which keeps only Latin and Hebrew marks): the features, and so the
/// vectors, depend on it.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Feature ids: a fixed-key 64-bit hash of the kind tag and the characters.
fn feature_hash(tag: u8, chars: &[char]) -> u64 {
    // DefaultHasher::new() is SipHash with fixed zero keys: stable within a
    // build, which is all a transductive embedder needs.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    tag.hash(&mut h);
    chars.hash(&mut h);
    h.finish()
}

const WORD: u8 = 1;
const CHARS: u8 = 2;

/// Raw counts of one text: (feature, is_word, count), sorted by feature.
fn text_features(text: &str, ngrams: (usize, usize)) -> Vec<(u64, bool, f32)> {
    let norm = normalize(text);
    let mut counts: HashMap<(u64, bool), f32> = HashMap::new();
    let mut word: Vec<char> = Vec::new();
    let mut padded: Vec<char> = Vec::new();
    let mut flush = |word: &mut Vec<char>, counts: &mut HashMap<(u64, bool), f32>| {
        if word.is_empty() {
            return;
        }
        *counts.entry((feature_hash(WORD, word), true)).or_default() += 1.0;
        padded.clear();
        padded.push(' ');
        padded.extend_from_slice(word);
        padded.push(' ');
        for n in ngrams.0..=ngrams.1 {
            if n > padded.len() {
                break;
            }
            for g in padded.windows(n) {
                // A lone boundary space carries no information.
                if n == 1 && g[0] == ' ' {
                    continue;
                }
                *counts.entry((feature_hash(CHARS, g), false)).or_default() += 1.0;
            }
        }
        word.clear();
    };
    for c in norm.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut counts);
        }
    }
    flush(&mut word, &mut counts);
    let mut v: Vec<(u64, bool, f32)> = counts.into_iter().map(|((f, w), c)| (f, w, c)).collect();
    v.sort_unstable_by_key(|&(f, w, _)| (f, w));
    v
}

/// The TF-IDF matrix (texts × kept features): sublinear tf, smooth idf;
/// word and character blocks each L2-normalised, then weighted so a row's
/// squared norm is `word_weight` + (1 − `word_weight`).
/// TF-IDF rows of distinct texts, each standing for `counts[i]` copies
/// (document frequencies count copies; row i is scaled by √counts[i]).
fn tfidf(texts: &[String], counts: &[u32], o: &LexicalOptions) -> Csr {
    // Two passes over blocks of texts, features extracted afresh in each,
    // rather than every text's features held at once (several times the
    // matrix itself on a large month): document frequencies first, then
    // the rows.
    let n: usize = counts.iter().map(|&c| c as usize).sum();
    let mut df: HashMap<(u64, bool), u32> = HashMap::new();
    for (block, copies) in texts
        .chunks(TEXTS_PER_BLOCK)
        .zip(counts.chunks(TEXTS_PER_BLOCK))
    {
        let docs: Vec<Vec<(u64, bool, f32)>> = block
            .par_iter()
            .map(|t| text_features(t, o.char_ngrams))
            .collect();
        for (d, &copies) in docs.iter().zip(copies) {
            for &(f, w, _) in d {
                *df.entry((f, w)).or_default() += copies;
            }
        }
    }
    let min_df = o.min_df.unwrap_or(if n >= 50 { 2 } else { 1 }) as u32;
    let mut kept: Vec<((u64, bool), u32)> = df.into_iter().filter(|&(_, c)| c >= min_df).collect();
    kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(o.max_features);
    let col: HashMap<(u64, bool), (u32, f32)> = kept
        .iter()
        .enumerate()
        .map(|(i, &(key, c))| {
            let idf = ((1.0 + n as f64) / (1.0 + c as f64)).ln() + 1.0;
            (key, (i as u32, idf as f32))
        })
        .collect();
    let ww = o.word_weight.sqrt();
    let cw = (1.0 - o.word_weight).sqrt();
    let row = |text: &String, copies: u32| {
        let mut words: Vec<(u32, f32)> = Vec::new();
        let mut chars: Vec<(u32, f32)> = Vec::new();
        for (f, w, c) in text_features(text, o.char_ngrams) {
            if let Some(&(j, idf)) = col.get(&(f, w)) {
                let v = (1.0 + c.ln()) * idf;
                if w {
                    words.push((j, v));
                } else {
                    chars.push((j, v));
                }
            }
        }
        for (block, weight) in [(&mut words, ww), (&mut chars, cw)] {
            let norm = block.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                block.iter_mut().for_each(|(_, v)| *v *= weight / norm);
            }
        }
        words.append(&mut chars);
        words.sort_unstable_by_key(|&(j, _)| j);
        if copies > 1 {
            let w = (copies as f32).sqrt();
            words.iter_mut().for_each(|(_, v)| *v *= w);
        }
        words
    };
    let mut a = Csr {
        rows: texts.len(),
        cols: kept.len(),
        indptr: Vec::with_capacity(texts.len() + 1),
        ..Default::default()
    };
    a.indptr.push(0);
    for (block, copies) in texts
        .chunks(TEXTS_PER_BLOCK)
        .zip(counts.chunks(TEXTS_PER_BLOCK))
    {
        let rows: Vec<Vec<(u32, f32)>> = block
            .par_iter()
            .zip(copies.par_iter())
            .map(|(t, &c)| row(t, c))
            .collect();
        for r in rows {
            for (j, v) in r {
                a.indices.push(j);
                a.data.push(v);
            }
            a.indptr.push(a.indices.len());
        }
    }
    a
}

/// Texts whose features are held at once while the TF-IDF matrix is built.
const TEXTS_PER_BLOCK: usize = 8192;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::cosine;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn normalisation_keeps_hebrew_and_folds_width() {
        assert_eq!(normalize("ＣＡＲＤ Arrived"), "card arrived");
        assert_eq!(normalize("הכרטיס שלי"), "הכרטיס שלי");
    }

    #[test]
    fn similar_texts_are_closer_en_zh_he() {
        let texts = s(&[
            "my card has not arrived yet",
            "card still has not arrived",
            "how do I reset my password",
            "我的银行卡还没有到",
            "银行卡还没到",
            "怎么修改密码",
            "הכרטיס שלי עוד לא הגיע",
            "הכרטיס עדיין לא הגיע",
            "איך משנים סיסמה",
            "what is the exchange rate for euros",
        ]);
        let e = LexicalEmbedder::default();
        let v = e.embed(&texts).expect("embed");
        assert_eq!(v.len(), texts.len());
        for x in &v {
            assert_eq!(x.len(), e.dim());
            let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        }
        for (a, b, c) in [(0, 1, 2), (3, 4, 5), (6, 7, 8), (1, 0, 9)] {
            let near = cosine(&v[a], &v[b]);
            let far = cosine(&v[a], &v[c]);
            assert!(near > far + 0.1, "{a}~{b}: {near} vs {a}~{c}: {far}");
        }
        assert_eq!(v, e.embed(&texts).expect("embed again"), "deterministic");
    }

    #[test]
    fn repeated_texts_embed_as_if_each_copy_were_there() {
        // Copies made distinct by a trailing space have the same features,
        // so they take the no-sharing path: the vectors must agree.
        let base = [
            "my card has not arrived",
            "card not arrived yet",
            "refund not received",
            "where is my refund",
            "优惠券找不到",
            "הכרטיס לא הגיע",
        ];
        let mut shared = Vec::new();
        let mut apart = Vec::new();
        for (i, t) in base.iter().enumerate() {
            for k in 0..=i {
                shared.push(t.to_string());
                apart.push(format!("{t}{}", " ".repeat(k)));
            }
        }
        let e = LexicalEmbedder::new(LexicalOptions {
            dims: 4,
            ..LexicalOptions::default()
        });
        let a = e.embed(&shared).unwrap();
        let b = e.embed(&apart).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!(cosine(x, y) > 0.9999, "{x:?} vs {y:?}");
        }
    }

    #[test]
    fn edge_cases() {
        let e = LexicalEmbedder::default();
        assert!(e.embed(&[]).expect("empty").is_empty());
        let one = e.embed(&s(&["hello"])).expect("one");
        assert_eq!(one.len(), 1);
        assert!((cosine(&one[0], &one[0]) - 1.0).abs() < 1e-5);
        let v = e.embed(&s(&["", "!!!", "refund please"])).expect("blank");
        assert!(v[0].iter().all(|&x| x == 0.0));
        assert!(v[1].iter().all(|&x| x == 0.0));
        let norm: f32 = v[2].iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
    }
}
