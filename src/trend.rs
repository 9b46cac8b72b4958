//! Month over month (`recontact run --previous LAST_MONTH_DIR`): stable
//! category ids, trends with a significance test, new and vanished issues,
//! FCR deltas. Formats: docs/month-over-month.md.
//!
//! Every run writes two files for the next month:
//!
//! - `categories.centroids.json` ([`CentroidsFile`]): per category its id,
//!   name, keywords, counts, a portable term profile and the L2-normalised
//!   centroid, with the embedder's identity. Centroids are only comparable
//!   between runs of the same model; the lexical embedder is transductive
//!   (its space is fitted to each month's texts), so its centroids never are.
//! - `category_ids.json` ([`IdRegistry`]): the highest id ever issued, the
//!   retired ids and the taxonomy keys' ids, carried forward so an id is
//!   never reused for a different issue.
//!
//! Matching (`match_categories`): a similarity per (this month, last month)
//! pair — the centroid cosine when both centroids are comparable, else the
//! mean of the term-profile cosine and the keyword Jaccard — then greedy
//! best-first one-to-one above a threshold (ties: keyword Jaccard, then
//! order). Known (`--taxonomy`) categories match by key first. A category
//! left over whose best match is taken is a split of it; a last-month
//! category left over whose best match is taken was merged into it.
//!
//! Significance: per category, this month's episodes k1 given both months'
//! k1 + k2 follow Binomial(k1 + k2, N1 / (N1 + N2)) when its share of the
//! non-FCR episodes (N1, N2) did not change: an exact two-sided test
//! (`binom_two_sided`), adjusted over every category tested
//! (Benjamini–Hochberg by default, Holm with `--trend-correction holm`), so
//! a category that moved by noise is not called rising or falling.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::embed::cosine;
use crate::metrics::{GroupMetrics, Metrics};
use crate::model::{Category, CategoryTrend, Reason, TrendFlag};
use crate::rank::RankedCategory;

// Anchoring runs with the clustering; its model-space threshold is also
// matching's, so it lives there (no import of trend from cluster).
pub use crate::cluster::{anchor_group, centre_of_examples, CENTROID_THRESHOLD};

pub const CENTROIDS_FILE: &str = "categories.centroids.json";
pub const REGISTRY_FILE: &str = "category_ids.json";
const CENTROIDS_FORMAT: &str = "recontact-category-centroids";
const REGISTRY_FORMAT: &str = "recontact-category-ids";
/// Significance level, after the multiple-testing adjustment.
pub const ALPHA: f64 = 0.05;
/// Smallest cosine between a fresh cluster's centre and a last-month
/// category's centre made from its example reasons embedded in a lexical
/// space (TF-IDF + SVD of short texts: far lower than a model's cosines;
/// 0.2–0.5 measured in BENCHMARKS.md, issue 6).
pub const EXAMPLES_THRESHOLD: f64 = 0.25;
/// Smallest term/keyword similarity for "the same issue" otherwise.
pub const TERMS_THRESHOLD: f64 = 0.30;
/// Term-profile words saved per category.
const PROFILE_TERMS: usize = 40;
/// Example reasons saved per category.
pub const EXAMPLES: usize = 30;
/// `categories.centroids.json` version written (1 is read too).
const CENTROIDS_VERSION: u32 = 2;

/// Which embedder made the centroids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedderIdentity {
    /// As in the report (`embedder` setting).
    pub name: String,
    /// The model's identity (name, dimension, a hash of its config and
    /// weights' size); `lexical` for the transductive lexical embedder,
    /// whose centroids are never comparable across runs.
    pub identity: String,
    pub dim: usize,
}

impl EmbedderIdentity {
    pub fn comparable(&self, other: &EmbedderIdentity) -> bool {
        self.identity != "lexical" && self == other
    }
}

/// One category as saved for next month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedCategory {
    pub category_id: String,
    pub label: String,
    pub taxonomy_key: Option<String>,
    pub keywords: Vec<String>,
    pub episodes: usize,
    pub extra_contacts: usize,
    /// `model` (the centroid is in the model's space, comparable with
    /// another run of the same model) or `lexical` (this run only).
    pub space: String,
    /// Share of the category's reasons containing each word (its top
    /// words): a profile that needs no embedder to compare.
    pub terms: BTreeMap<String, f32>,
    /// L2-normalised centre; empty for a known category with no case.
    pub centroid: Vec<f32>,
    /// Up to [`EXAMPLES`] distinct masked reasons, closest to the centre
    /// first: next month embeds them to place the category in its own
    /// space (a lexical space, or another model). Absent in version 1.
    #[serde(default)]
    pub examples: Vec<String>,
    /// This run only: the last-month category (index) the anchoring stage
    /// continued into this category.
    #[serde(skip)]
    pub continues: Option<usize>,
}

/// `categories.centroids.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentroidsFile {
    pub format: String,
    pub version: u32,
    pub embedder: EmbedderIdentity,
    pub data_start: String,
    pub data_end: String,
    /// Non-FCR episodes whose reasons were clustered (the share
    /// denominator).
    pub reasons: usize,
    pub extra_contacts: usize,
    pub categories: Vec<SavedCategory>,
}

/// `category_ids.json`: carried forward month to month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdRegistry {
    pub format: String,
    pub version: u32,
    /// The highest `CAT-` number ever issued; new ids count up from it.
    pub highest_id: u64,
    /// Ids no longer in use (vanished or merged away): never issued again.
    pub retired: Vec<String>,
    /// Taxonomy key → its id.
    pub taxonomy: BTreeMap<String, String>,
}

impl IdRegistry {
    fn new() -> IdRegistry {
        IdRegistry {
            format: REGISTRY_FORMAT.into(),
            version: 1,
            highest_id: 0,
            retired: Vec::new(),
            taxonomy: BTreeMap::new(),
        }
    }

    fn issue(&mut self) -> String {
        self.highest_id += 1;
        format_id(self.highest_id)
    }

    fn see(&mut self, id: &str) {
        if let Some(n) = id_number(id) {
            self.highest_id = self.highest_id.max(n);
        }
    }
}

pub fn format_id(n: u64) -> String {
    crate::model::category_id(n, 4)
}

fn id_number(id: &str) -> Option<u64> {
    crate::model::category_id_number(id)
}

/// Last month's output folder, read for `--previous`.
#[derive(Debug, Clone)]
pub struct Previous {
    pub dir: PathBuf,
    pub centroids: CentroidsFile,
    pub registry: IdRegistry,
    pub metrics: PrevMetrics,
}

/// The part of last month's metrics.json the FCR deltas need.
#[derive(Debug, Clone, Deserialize)]
pub struct PrevMetrics {
    pub fcr_rate: Option<f64>,
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub by_channel: BTreeMap<String, PrevGroup>,
    pub by_team: BTreeMap<String, PrevGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrevGroup {
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub fcr_rate: Option<f64>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a file this version of recontact can read ({e})",
            path.display()
        )
    })
}

/// Reads `--previous DIR`: a recontact output folder.
pub fn load_previous(dir: &Path) -> Result<Previous> {
    if !dir.is_dir() {
        bail!("--previous {}: no such folder", dir.display());
    }
    for f in ["metrics.json", CENTROIDS_FILE] {
        if !dir.join(f).is_file() {
            bail!(
                "--previous {}: not a recontact output folder of this version (no {f}; run last month again with this version to write it)",
                dir.display()
            );
        }
    }
    let centroids: CentroidsFile = read_json(&dir.join(CENTROIDS_FILE))?;
    if centroids.format != CENTROIDS_FORMAT || !(1..=CENTROIDS_VERSION).contains(&centroids.version)
    {
        bail!(
            "{}: format {} version {}, expected {CENTROIDS_FORMAT} version 1 to {CENTROIDS_VERSION}",
            dir.join(CENTROIDS_FILE).display(),
            centroids.format,
            centroids.version
        );
    }
    let reg_path = dir.join(REGISTRY_FILE);
    let mut registry: IdRegistry = if reg_path.is_file() {
        read_json(&reg_path)?
    } else {
        IdRegistry::new()
    };
    for c in &centroids.categories {
        registry.see(&c.category_id);
    }
    let metrics: PrevMetrics = read_json(&dir.join("metrics.json"))?;
    Ok(Previous {
        dir: dir.to_path_buf(),
        centroids,
        registry,
        metrics,
    })
}

/// The identity of a model folder: its name, dimension, and an FNV hash of
/// config.json and the weights' size (cheap, and changes with the model).
pub fn model_identity(name: &str, dir: &Path, dim: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    if let Ok(b) = std::fs::read(dir.join("config.json")) {
        eat(&b);
    }
    if let Ok(m) = std::fs::metadata(dir.join("model.safetensors")) {
        eat(&m.len().to_le_bytes());
    }
    format!("{name}; dim {dim}; {h:016x}")
}

/// Word → share of the members' reasons containing it, top words only.
pub fn term_profile(members: &[usize], reasons: &[Reason]) -> BTreeMap<String, f32> {
    let mut df: BTreeMap<String, usize> = BTreeMap::new();
    for &m in members {
        let keys: BTreeSet<String> = crate::text::words(&reasons[m].text)
            .into_iter()
            .map(|w| w.key)
            .collect();
        for k in keys {
            *df.entry(k).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = df.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let n = members.len().max(1) as f32;
    v.into_iter()
        .take(PROFILE_TERMS)
        .map(|(k, c)| (k, (c as f32 / n * 10_000.0).round() / 10_000.0))
        .collect()
}

/// The categories as saved for next month, in rank order (ids as they are
/// in `ranked` when called). Per category index: `model_space[c]`, its
/// centroid is in the model's space; `examples[c]`, its example reasons
/// ([`examples`]); `continues[c]`, the last-month category anchoring
/// continued into it.
pub fn summarise(
    ranked: &[RankedCategory],
    categories: &[Category],
    reasons: &[Reason],
    model_space: &[bool],
    examples: &[Vec<String>],
    continues: &[Option<usize>],
) -> Vec<SavedCategory> {
    ranked
        .iter()
        .map(|r| {
            let (terms, centroid, space) = match r.category_index {
                Some(i) => (
                    term_profile(&categories[i].members, reasons),
                    categories[i].centroid.clone(),
                    if model_space.get(i).copied().unwrap_or(false) {
                        "model"
                    } else {
                        "lexical"
                    },
                ),
                None => (BTreeMap::new(), Vec::new(), "lexical"),
            };
            SavedCategory {
                category_id: r.category_id.clone(),
                label: r.label.clone(),
                taxonomy_key: r.taxonomy_key.clone(),
                keywords: r.keywords.clone(),
                episodes: r.episodes,
                extra_contacts: r.extra_contacts,
                space: space.into(),
                terms,
                centroid,
                examples: r
                    .category_index
                    .and_then(|i| examples.get(i).cloned())
                    .unwrap_or_default(),
                continues: r
                    .category_index
                    .and_then(|i| continues.get(i).copied().flatten()),
            }
        })
        .collect()
}

/// Cosine of two term profiles, each word weighted by its inverse category
/// frequency over both months (`idf`; words common to many categories,
/// such as "card", say little about which issue it is).
fn sparse_cosine(
    a: &BTreeMap<String, f32>,
    b: &BTreeMap<String, f32>,
    idf: &BTreeMap<String, f64>,
) -> f64 {
    let w = |k: &String, x: &f32| f64::from(*x) * idf.get(k).copied().unwrap_or(1.0);
    let dot: f64 = a
        .iter()
        .filter_map(|(k, x)| b.get(k).map(|y| w(k, x) * w(k, y)))
        .sum();
    let na: f64 = a.iter().map(|(k, x)| w(k, x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|(k, x)| w(k, x).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

fn jaccard(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<String> = a.iter().map(|x| x.to_lowercase()).collect();
    let b: BTreeSet<String> = b.iter().map(|x| x.to_lowercase()).collect();
    let union = a.union(&b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(&b).count() as f64 / union as f64
    }
}

/// How this month's categories relate to last month's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matching {
    /// Per current category: the previous one it continues, with the score.
    pub matched: Vec<Option<(usize, f64)>>,
    /// Per current category: the previous one it split from.
    pub split_from: Vec<Option<usize>>,
    /// Per current category: the other previous categories merged into it.
    pub merged: Vec<Vec<usize>>,
    /// Whether centroids were compared (else terms and keywords).
    pub by_centroid: bool,
}

/// Similarity of two categories and whether it is above its threshold.
fn similarity(
    a: &SavedCategory,
    b: &SavedCategory,
    by_centroid: bool,
    centroid_threshold: f64,
    idf: &BTreeMap<String, f64>,
) -> (f64, bool) {
    let model = by_centroid
        && a.space == "model"
        && b.space == "model"
        && !a.centroid.is_empty()
        && a.centroid.len() == b.centroid.len();
    if model {
        let s = f64::from(cosine(&a.centroid, &b.centroid));
        (s, s >= centroid_threshold)
    } else {
        let s =
            0.5 * sparse_cosine(&a.terms, &b.terms, idf) + 0.5 * jaccard(&a.keywords, &b.keywords);
        (s, s >= TERMS_THRESHOLD)
    }
}

pub fn match_categories(
    cur: &[SavedCategory],
    prev: &[SavedCategory],
    by_centroid: bool,
    centroid_threshold: f64,
) -> Matching {
    let mut m = Matching {
        matched: vec![None; cur.len()],
        split_from: vec![None; cur.len()],
        merged: vec![Vec::new(); cur.len()],
        by_centroid,
    };
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cur.iter().chain(prev) {
        for k in c.terms.keys() {
            *df.entry(k.as_str()).or_default() += 1;
        }
    }
    let n = (cur.len() + prev.len()).max(1) as f64;
    let idf: BTreeMap<String, f64> = df
        .into_iter()
        .map(|(k, d)| (k.to_string(), (1.0 + n / d as f64).ln()))
        .collect();
    let mut prev_taken = vec![false; prev.len()];
    // Known categories by their key first.
    for (i, c) in cur.iter().enumerate() {
        let Some(key) = &c.taxonomy_key else { continue };
        if let Some(j) = prev
            .iter()
            .position(|p| p.taxonomy_key.as_deref() == Some(key.as_str()))
        {
            if !prev_taken[j] {
                prev_taken[j] = true;
                m.matched[i] = Some((j, 1.0));
            }
        }
    }
    // Categories the anchoring stage continued from last month's.
    for (i, c) in cur.iter().enumerate() {
        let Some(j) = c.continues.filter(|&j| j < prev.len()) else {
            continue;
        };
        if m.matched[i].is_none() && !prev_taken[j] {
            prev_taken[j] = true;
            m.matched[i] = Some((
                j,
                similarity(c, &prev[j], by_centroid, centroid_threshold, &idf).0,
            ));
        }
    }
    // Every pair above its threshold, best first.
    let mut pairs: Vec<(f64, f64, usize, usize)> = Vec::new();
    let mut best_prev: Vec<Option<(f64, usize)>> = vec![None; cur.len()];
    let mut best_cur: Vec<Option<(f64, usize)>> = vec![None; prev.len()];
    for (i, c) in cur.iter().enumerate() {
        for (j, p) in prev.iter().enumerate() {
            // A known category only ever continues the same key.
            if c.taxonomy_key.is_some() || p.taxonomy_key.is_some() {
                continue;
            }
            let (s, ok) = similarity(c, p, by_centroid, centroid_threshold, &idf);
            if !ok {
                continue;
            }
            pairs.push((s, jaccard(&c.keywords, &p.keywords), i, j));
            if best_prev[i].map_or(true, |(b, _)| s > b) {
                best_prev[i] = Some((s, j));
            }
            if best_cur[j].map_or(true, |(b, _)| s > b) {
                best_cur[j] = Some((s, i));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    for (s, _, i, j) in pairs {
        if m.matched[i].is_none() && !prev_taken[j] {
            m.matched[i] = Some((j, s));
            prev_taken[j] = true;
        }
    }
    for (i, best) in best_prev.iter().enumerate() {
        if m.matched[i].is_none() {
            if let Some((_, j)) = best {
                m.split_from[i] = Some(*j);
            }
        }
    }
    for j in 0..prev.len() {
        if prev_taken[j] {
            continue;
        }
        if let Some((_, i)) = best_cur[j] {
            if m.matched[i].is_some() {
                m.merged[i].push(j);
            }
        }
    }
    m
}

/// Last month's automatic categories whose example reasons are in
/// `script` (by `script_of`), with the examples: what a space that is not
/// last month's needs to place last month's categories in it.
pub fn example_texts(
    prev: &Previous,
    mut in_group: impl FnMut(&str) -> bool,
) -> Vec<(usize, &[String])> {
    prev.centroids
        .categories
        .iter()
        .enumerate()
        .filter(|(_, p)| p.taxonomy_key.is_none() && !p.examples.is_empty())
        .filter(|(_, p)| {
            let inside = p.examples.iter().filter(|e| in_group(e)).count();
            inside * 2 > p.examples.len()
        })
        .map(|(j, p)| (j, p.examples.as_slice()))
        .collect()
}

/// Last month's automatic model-space centroids, for [`anchor_group`] when
/// this month's space is the same model.
pub fn saved_centres(prev: &Previous) -> Vec<(usize, Vec<f32>)> {
    prev.centroids
        .categories
        .iter()
        .enumerate()
        .filter(|(_, p)| p.space == "model" && p.taxonomy_key.is_none() && !p.centroid.is_empty())
        .map(|(j, p)| (j, p.centroid.clone()))
        .collect()
}

/// Up to `n` distinct masked reasons of a category, closest to its centre
/// first: saved so next month can place the category in its own space.
pub fn examples(
    members: &[usize],
    reasons: &[Reason],
    vectors: &[Vec<f32>],
    centroid: &[f32],
    n: usize,
) -> Vec<String> {
    let mut by_closeness: Vec<(f32, usize)> = members
        .iter()
        .map(|&m| {
            let s = if vectors[m].len() == centroid.len() {
                cosine(&vectors[m], centroid)
            } else {
                0.0
            };
            (s, m)
        })
        .collect();
    by_closeness.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (_, m) in by_closeness {
        let text = crate::text::reason::mask_pii(&reasons[m].text);
        if text.trim().is_empty() || !seen.insert(text.clone()) {
            continue;
        }
        out.push(text);
        if out.len() == n {
            break;
        }
    }
    out
}

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

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// A category in the "What changed" lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedCategory {
    pub category_id: String,
    pub label: String,
    pub episodes: usize,
    pub prev_episodes: usize,
    pub episodes_delta: i64,
    pub extra_contacts: usize,
    pub prev_extra_contacts: usize,
    pub episode_share: f64,
    pub prev_episode_share: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
    /// Last month's ids it continues / split from / merged.
    pub matched_from: Vec<String>,
}

/// A last-month category with no match now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VanishedCategory {
    pub category_id: String,
    pub label: String,
    pub keywords: Vec<String>,
    pub prev_episodes: usize,
    pub prev_extra_contacts: usize,
    pub p_value: Option<f64>,
    pub significant: bool,
}

/// FCR this month against last, overall or for one channel/team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcrDelta {
    pub key: String,
    pub fcr_rate: Option<f64>,
    pub prev_fcr_rate: Option<f64>,
    /// Percentage points as a fraction (0.02 = +2 points).
    pub delta: Option<f64>,
    pub measured_episodes: usize,
    pub prev_measured_episodes: usize,
    /// Two-proportion z-test (Holm-adjusted within channels / teams).
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcrChanges {
    pub overall: FcrDelta,
    pub by_channel: Vec<FcrDelta>,
    pub by_team: Vec<FcrDelta>,
}

/// The "What changed since last month" section's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub previous_out_dir: String,
    pub previous_data_start: String,
    pub previous_data_end: String,
    /// `centroids` (same model both months) or `keywords` (term profiles
    /// and keywords: the lexical embedder, or a different embedder).
    pub matched_by: String,
    pub warning: Option<String>,
    pub reasons: usize,
    pub prev_reasons: usize,
    pub test: String,
    pub new: Vec<ChangedCategory>,
    pub rising: Vec<ChangedCategory>,
    pub falling: Vec<ChangedCategory>,
    pub vanished: Vec<VanishedCategory>,
    pub split: Vec<ChangedCategory>,
    pub merged: Vec<ChangedCategory>,
    /// Known (`--taxonomy`) categories with no case this month.
    pub known_without_cases: Vec<String>,
    pub fcr: FcrChanges,
}

fn fcr_delta(key: &str, now: (Option<f64>, usize, usize), prev: Option<&PrevGroup>) -> FcrDelta {
    let (rate, measured, fcr) = now;
    let (prate, pmeasured, pfcr) = prev
        .map(|g| (g.fcr_rate, g.measured_episodes, g.fcr_episodes))
        .unwrap_or((None, 0, 0));
    let p = two_proportion_p(fcr, measured, pfcr, pmeasured);
    FcrDelta {
        key: key.into(),
        fcr_rate: rate,
        prev_fcr_rate: prate,
        delta: rate.zip(prate).map(|(a, b)| round(a - b, 4)),
        measured_episodes: measured,
        prev_measured_episodes: pmeasured,
        p_value: p.map(|x| round(x, 6)),
        significant: p.is_some_and(|x| x < ALPHA),
    }
}

fn fcr_groups(
    now: &BTreeMap<String, GroupMetrics>,
    prev: &BTreeMap<String, PrevGroup>,
) -> Vec<FcrDelta> {
    let keys: BTreeSet<&String> = now.keys().chain(prev.keys()).collect();
    let mut v: Vec<FcrDelta> = keys
        .into_iter()
        .map(|k| {
            let n = now
                .get(k)
                .map(|g| (g.fcr_rate, g.measured_episodes, g.fcr_episodes))
                .unwrap_or((None, 0, 0));
            fcr_delta(k, n, prev.get(k))
        })
        .collect();
    let idx: Vec<usize> = (0..v.len()).filter(|&i| v[i].p_value.is_some()).collect();
    let adj = holm(
        &idx.iter()
            .map(|&i| v[i].p_value.unwrap_or(1.0))
            .collect::<Vec<_>>(),
    );
    for (&i, a) in idx.iter().zip(adj) {
        v[i].p_value = Some(round(a, 6));
        v[i].significant = a < ALPHA;
    }
    v
}

/// What a month-over-month run produces: the ids to write, the registry,
/// the report section.
pub struct Outcome {
    pub registry: IdRegistry,
    pub changes: Option<Changes>,
    pub warning: Option<String>,
}

/// Gives `ranked` (in rank order, ids by rank) their month-over-month ids
/// and trends; `cur` is [`summarise`] of `ranked`, updated with the ids.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    ranked: &mut [RankedCategory],
    cur: &mut [SavedCategory],
    identity: &EmbedderIdentity,
    reasons: usize,
    metrics: &Metrics,
    prev: Option<&Previous>,
    correction: Correction,
    centroid_threshold: f64,
) -> Outcome {
    let Some(prev) = prev else {
        // Without --previous the ids stay by rank; the registry starts here.
        let mut registry = IdRegistry::new();
        for c in ranked.iter() {
            registry.see(&c.category_id);
            if let Some(k) = &c.taxonomy_key {
                registry.taxonomy.insert(k.clone(), c.category_id.clone());
            }
        }
        return Outcome {
            registry,
            changes: None,
            warning: None,
        };
    };
    let pc = &prev.centroids;
    let by_centroid = identity.comparable(&pc.embedder);
    let warning = if !by_centroid && identity.identity != "lexical" {
        Some(format!(
            "last month's categories were made with another embedder ({}); centroids from different embedders are not comparable, so categories were matched by keywords",
            pc.embedder.name
        ))
    } else {
        None
    };
    let m = match_categories(cur, &pc.categories, by_centroid, centroid_threshold);
    let mut registry = prev.registry.clone();
    // Ids: continued, else the taxonomy key's, else fresh (in rank order).
    for (i, c) in ranked.iter_mut().enumerate() {
        let id = match (m.matched[i], &c.taxonomy_key) {
            (Some((j, _)), _) => pc.categories[j].category_id.clone(),
            (None, Some(k)) => match registry.taxonomy.get(k) {
                Some(id) => id.clone(),
                None => registry.issue(),
            },
            (None, None) => registry.issue(),
        };
        if let Some(k) = &c.taxonomy_key {
            registry.taxonomy.insert(k.clone(), id.clone());
        }
        c.category_id = id.clone();
        cur[i].category_id = id;
        // The same issue keeps its name too (a known category's is its
        // taxonomy name already); this month's keywords stay as found.
        if let (Some((j, _)), None) = (m.matched[i], &c.taxonomy_key) {
            c.label = pc.categories[j].label.clone();
            cur[i].label = c.label.clone();
        }
    }
    let active: BTreeSet<String> = ranked.iter().map(|c| c.category_id.clone()).collect();
    let mut retired: BTreeSet<String> = registry.retired.iter().cloned().collect();
    for p in &pc.categories {
        if !active.contains(&p.category_id) {
            retired.insert(p.category_id.clone());
        }
    }
    retired.retain(|id| !active.contains(id));
    registry.retired = retired.into_iter().collect();

    // Counts: this month and the previous categories each continues.
    let (n1, n2) = (reasons as u64, pc.reasons as u64);
    let p0 = if n1 + n2 == 0 {
        0.5
    } else {
        n1 as f64 / (n1 + n2) as f64
    };
    let share = |k: usize, n: u64| {
        if n == 0 {
            0.0
        } else {
            round(k as f64 / n as f64, 4)
        }
    };
    let merged_into: BTreeSet<usize> = m.merged.iter().flatten().copied().collect();
    let mut tests: Vec<f64> = Vec::new();
    let mut trends: Vec<CategoryTrend> = Vec::new();
    let mut test_of: Vec<Option<usize>> = Vec::new();
    // A split's episodes count with the category it split from: the issue
    // grew even when this month's clustering cut it in pieces.
    let mut split_episodes: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, c) in ranked.iter().enumerate() {
        if let (None, Some(j)) = (m.matched[i], m.split_from[i]) {
            let e = split_episodes.entry(j).or_default();
            e.0 += c.episodes;
            e.1 += c.extra_contacts;
        }
    }
    for (i, c) in ranked.iter().enumerate() {
        let from: Vec<usize> = match (m.matched[i], m.split_from[i]) {
            (Some((j, _)), _) => std::iter::once(j).chain(m.merged[i].clone()).collect(),
            (None, Some(j)) => vec![j],
            (None, None) => Vec::new(),
        };
        let is_split = m.matched[i].is_none() && m.split_from[i].is_some();
        let (pe, px) = if is_split {
            (0, 0)
        } else {
            from.iter().fold((0, 0), |(e, x), &j| {
                (
                    e + pc.categories[j].episodes,
                    x + pc.categories[j].extra_contacts,
                )
            })
        };
        // A split has no count of its own last month: not tested; its
        // episodes are tested with its parent's.
        let (split_e, split_x) = m.matched[i]
            .and_then(|(j, _)| split_episodes.get(&j).copied())
            .unwrap_or((0, 0));
        let k1 = c.episodes + split_e;
        let t = (!is_split).then(|| {
            tests.push(binom_two_sided(k1 as u64, (k1 + pe) as u64, p0));
            tests.len() - 1
        });
        test_of.push(t);
        let flag = if m.matched[i].is_some() && !m.merged[i].is_empty() {
            TrendFlag::Merged
        } else if m.matched[i].is_some() {
            TrendFlag::Stable
        } else if is_split {
            TrendFlag::Split
        } else {
            TrendFlag::New
        };
        trends.push(CategoryTrend {
            flag,
            matched_from: from
                .iter()
                .map(|&j| pc.categories[j].category_id.clone())
                .collect(),
            match_score: m.matched[i].map(|(_, s)| round(s, 4)),
            prev_label: from.first().map(|&j| pc.categories[j].label.clone()),
            prev_episodes: pe,
            prev_extra_contacts: px,
            episode_share: share(k1, n1),
            prev_episode_share: share(pe, n2),
            episodes_delta: k1 as i64 - pe as i64,
            extra_contacts_delta: (c.extra_contacts + split_x) as i64 - px as i64,
            p_value: None,
            significant: false,
        });
    }
    // Vanished: last month's categories neither continued nor merged.
    let continued: BTreeSet<usize> = m.matched.iter().flatten().map(|(j, _)| *j).collect();
    let mut vanished: Vec<(VanishedCategory, usize)> = Vec::new();
    for (j, p) in pc.categories.iter().enumerate() {
        if continued.contains(&j) || merged_into.contains(&j) || p.episodes == 0 {
            continue;
        }
        tests.push(binom_two_sided(0, p.episodes as u64, p0));
        vanished.push((
            VanishedCategory {
                category_id: p.category_id.clone(),
                label: p.label.clone(),
                keywords: p.keywords.clone(),
                prev_episodes: p.episodes,
                prev_extra_contacts: p.extra_contacts,
                p_value: None,
                significant: false,
            },
            tests.len() - 1,
        ));
    }
    let adj = match correction {
        Correction::Holm => holm(&tests),
        Correction::Bh => benjamini_hochberg(&tests),
    };
    for (t, ti) in trends.iter_mut().zip(&test_of) {
        if let Some(k) = ti {
            t.p_value = Some(round(adj[*k], 6));
            t.significant = adj[*k] < ALPHA;
            // A merge that moved significantly says so in the flag; it
            // stays listed with the merges (`matched_from`).
            if matches!(t.flag, TrendFlag::Stable | TrendFlag::Merged) && t.significant {
                t.flag = if t.episode_share > t.prev_episode_share {
                    TrendFlag::Rising
                } else {
                    TrendFlag::Falling
                };
            }
        }
    }
    for (v, k) in &mut vanished {
        v.p_value = Some(round(adj[*k], 6));
        v.significant = adj[*k] < ALPHA;
    }
    for (c, t) in ranked.iter_mut().zip(trends) {
        c.trend = Some(t);
    }

    let entry = |c: &RankedCategory| {
        let t = c.trend.as_ref();
        ChangedCategory {
            category_id: c.category_id.clone(),
            label: c.label.clone(),
            // With the pieces that split from it, as the test counts.
            episodes: t.map_or(c.episodes, |t| {
                (t.prev_episodes as i64 + t.episodes_delta).max(0) as usize
            }),
            prev_episodes: t.map_or(0, |t| t.prev_episodes),
            episodes_delta: t.map_or(0, |t| t.episodes_delta),
            extra_contacts: t.map_or(c.extra_contacts, |t| {
                (t.prev_extra_contacts as i64 + t.extra_contacts_delta).max(0) as usize
            }),
            prev_extra_contacts: t.map_or(0, |t| t.prev_extra_contacts),
            episode_share: t.map_or(0.0, |t| t.episode_share),
            prev_episode_share: t.map_or(0.0, |t| t.prev_episode_share),
            p_value: t.and_then(|t| t.p_value),
            significant: t.is_some_and(|t| t.significant),
            matched_from: t.map(|t| t.matched_from.clone()).unwrap_or_default(),
        }
    };
    let with = |f: TrendFlag| -> Vec<ChangedCategory> {
        ranked
            .iter()
            .filter(|c| c.trend.as_ref().is_some_and(|t| t.flag == f) && c.episodes > 0)
            .map(entry)
            .collect()
    };
    let by_size = |mut v: Vec<ChangedCategory>| {
        v.sort_by(|a, b| {
            b.episodes_delta
                .abs()
                .cmp(&a.episodes_delta.abs())
                .then(a.category_id.cmp(&b.category_id))
        });
        v
    };
    let mut vanished: Vec<VanishedCategory> = vanished.into_iter().map(|(v, _)| v).collect();
    vanished.sort_by(|a, b| {
        b.prev_episodes
            .cmp(&a.prev_episodes)
            .then(a.category_id.cmp(&b.category_id))
    });
    let pm = &prev.metrics;
    let changes = Changes {
        previous_out_dir: prev.dir.to_string_lossy().into_owned(),
        previous_data_start: pc.data_start.clone(),
        previous_data_end: pc.data_end.clone(),
        matched_by: if by_centroid { "centroids" } else { "keywords" }.into(),
        warning: warning.clone(),
        reasons,
        prev_reasons: pc.reasons,
        test: format!(
            "exact two-sided binomial test of each category's episodes this month given both months' (p0 = this month's share of all non-FCR episodes clustered), {}-adjusted over all categories; significant at 5%",
            match correction {
                Correction::Holm => "Holm",
                Correction::Bh => "Benjamini–Hochberg",
            }
        ),
        new: by_size(with(TrendFlag::New)),
        rising: by_size(with(TrendFlag::Rising)),
        falling: by_size(with(TrendFlag::Falling)),
        vanished,
        split: with(TrendFlag::Split),
        merged: ranked
            .iter()
            .filter(|c| {
                c.trend.as_ref().is_some_and(|t| {
                    t.matched_from.len() > 1 && t.flag != TrendFlag::Split && t.flag != TrendFlag::New
                }) && c.episodes > 0
            })
            .map(entry)
            .collect(),
        known_without_cases: ranked
            .iter()
            .filter(|c| c.taxonomy_key.is_some() && c.episodes == 0)
            .map(|c| c.category_id.clone())
            .collect(),
        fcr: FcrChanges {
            overall: fcr_delta(
                "overall",
                (metrics.fcr_rate, metrics.measured_episodes, metrics.fcr_episodes),
                Some(&PrevGroup {
                    measured_episodes: pm.measured_episodes,
                    fcr_episodes: pm.fcr_episodes,
                    fcr_rate: pm.fcr_rate,
                }),
            ),
            by_channel: fcr_groups(&metrics.by_channel, &pm.by_channel),
            by_team: fcr_groups(&metrics.by_team, &pm.by_team),
        },
    };
    Outcome {
        registry,
        changes: Some(changes),
        warning,
    }
}

/// The centroids file's content.
pub fn centroids_file(
    identity: &EmbedderIdentity,
    metrics: &Metrics,
    reasons: usize,
    extra_contacts: usize,
    categories: Vec<SavedCategory>,
) -> CentroidsFile {
    CentroidsFile {
        format: CENTROIDS_FORMAT.into(),
        version: CENTROIDS_VERSION,
        embedder: identity.clone(),
        data_start: metrics.data_start.clone(),
        data_end: metrics.data_end.clone(),
        reasons,
        extra_contacts,
        categories,
    }
}

/// Writes `categories.centroids.json` and `category_ids.json`.
pub fn write_files(
    centroids_path: &Path,
    registry_path: &Path,
    centroids: &CentroidsFile,
    registry: &IdRegistry,
) -> Result<()> {
    for (path, text) in [
        (centroids_path, serde_json::to_string(centroids)?),
        (registry_path, serde_json::to_string_pretty(registry)?),
    ] {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
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

    fn saved(id: &str, words: &[&str], centroid: Vec<f32>) -> SavedCategory {
        SavedCategory {
            category_id: id.into(),
            label: words.join(" "),
            taxonomy_key: None,
            keywords: words.iter().map(|w| w.to_string()).collect(),
            episodes: 10,
            extra_contacts: 10,
            space: "model".into(),
            terms: words.iter().map(|w| (w.to_string(), 1.0)).collect(),
            centroid,
            examples: Vec::new(),
            continues: None,
        }
    }

    #[test]
    fn matching_finds_continued_split_and_merged() {
        let prev = vec![
            saved("CAT-0001", &["coupon", "checkout"], vec![1.0, 0.0, 0.0]),
            saved("CAT-0002", &["card", "arrived"], vec![0.0, 1.0, 0.0]),
            saved("CAT-0003", &["card", "post"], vec![0.0, 0.95, 0.31]),
            saved("CAT-0004", &["refund"], vec![0.0, 0.0, 1.0]),
        ];
        let cur = vec![
            saved("x", &["card", "arrived"], vec![0.0, 1.0, 0.1]),
            saved("y", &["coupon", "checkout", "code"], vec![0.99, 0.0, 0.14]),
            saved("z", &["coupon", "box"], vec![0.9, 0.0, -0.44]),
            saved("w", &["pin"], vec![0.5, -0.5, -0.7]),
        ];
        let m = match_categories(&cur, &prev, true, CENTROID_THRESHOLD);
        assert_eq!(m.matched[0].map(|x| x.0), Some(1));
        assert_eq!(m.matched[1].map(|x| x.0), Some(0));
        assert_eq!(m.split_from[2], Some(0));
        assert_eq!(m.matched[3], None);
        assert_eq!(m.split_from[3], None);
        assert_eq!(m.merged[0], vec![2]);
        // Without comparable centroids, by terms and keywords.
        let m = match_categories(&cur, &prev, false, CENTROID_THRESHOLD);
        assert_eq!(m.matched[0].map(|x| x.0), Some(1));
        assert_eq!(m.matched[1].map(|x| x.0), Some(0));
    }

    fn norm(x: f32, y: f32) -> Vec<f32> {
        let n = (x * x + y * y).sqrt();
        vec![x / n, y / n]
    }

    #[test]
    fn anchored_categories_match_what_they_continue() {
        let prev = vec![
            saved("CAT-0001", &["coupon"], vec![1.0, 0.0]),
            saved("CAT-0002", &["refund"], vec![0.0, 1.0]),
        ];
        // Lexical-space categories (centroids not comparable) whose words
        // changed: matched by anchoring alone.
        let mut cur = vec![
            saved("x", &["voucher"], vec![0.0, 1.0]),
            saved("y", &["money", "back"], vec![1.0, 0.0]),
        ];
        for c in &mut cur {
            c.space = "lexical".into();
        }
        assert_eq!(
            match_categories(&cur, &prev, false, CENTROID_THRESHOLD).matched,
            vec![None, None]
        );
        cur[0].continues = Some(0);
        cur[1].continues = Some(1);
        let m = match_categories(&cur, &prev, false, CENTROID_THRESHOLD);
        assert_eq!(m.matched[0].map(|x| x.0), Some(0));
        assert_eq!(m.matched[1].map(|x| x.0), Some(1));
    }

    #[test]
    fn examples_are_distinct_masked_and_closest_first() {
        let reasons: Vec<Reason> = [
            "far away",
            "call me on 07700900123",
            "call me on 07700900123",
            "near",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Reason {
            episode: i,
            contact: i,
            text: t.to_string(),
        })
        .collect();
        let vectors = vec![
            norm(0.0, 1.0),
            norm(1.0, 0.1),
            norm(1.0, 0.1),
            norm(1.0, 0.0),
        ];
        let ex = examples(&[0, 1, 2, 3], &reasons, &vectors, &norm(1.0, 0.0), 30);
        assert_eq!(ex.len(), 3);
        assert_eq!(ex[0], "near");
        assert!(!ex[1].contains("07700900123"), "{}", ex[1]);
        assert_eq!(ex[2], "far away");
        assert_eq!(
            examples(&[0, 1, 2, 3], &reasons, &vectors, &norm(1.0, 0.0), 1).len(),
            1
        );
    }

    /// Last month A and B (100 episodes each of 1,000); this month one
    /// category continues A and absorbs B, with `episodes` of 1,000.
    fn merged_trend(episodes: usize) -> (RankedCategory, Changes) {
        let identity = EmbedderIdentity {
            name: "m".into(),
            identity: "m; dim 2; 0".into(),
            dim: 2,
        };
        let mut a = saved("CAT-0001", &["a"], norm(1.0, 0.0));
        let mut b = saved("CAT-0002", &["b"], norm(1.0, 0.3));
        a.episodes = 100;
        b.episodes = 100;
        let prev = Previous {
            dir: "p".into(),
            centroids: CentroidsFile {
                format: CENTROIDS_FORMAT.into(),
                version: CENTROIDS_VERSION,
                embedder: identity.clone(),
                data_start: String::new(),
                data_end: String::new(),
                reasons: 1000,
                extra_contacts: 1000,
                categories: vec![a, b],
            },
            registry: IdRegistry::new(),
            metrics: PrevMetrics {
                fcr_rate: None,
                measured_episodes: 0,
                fcr_episodes: 0,
                by_channel: BTreeMap::new(),
                by_team: BTreeMap::new(),
            },
        };
        let mut ranked = vec![RankedCategory {
            rank: 1,
            category_id: "CAT-0001".into(),
            label: "x".into(),
            episodes,
            extra_contacts: episodes,
            category_index: Some(0),
            ..RankedCategory::default()
        }];
        let mut cur = vec![saved("x", &["a", "b"], norm(1.0, 0.15))];
        cur[0].continues = Some(0);
        let out = compare(
            &mut ranked,
            &mut cur,
            &identity,
            1000,
            &crate::report::fixtures::metrics(),
            Some(&prev),
            Correction::default(),
            CENTROID_THRESHOLD,
        );
        let changes = out.changes.expect("changes with --previous");
        (ranked.remove(0), changes)
    }

    #[test]
    fn a_merge_that_moved_is_rising_and_still_listed_as_a_merge() {
        let (c, ch) = merged_trend(600);
        let t = c.trend.as_ref().unwrap();
        assert_eq!(t.flag, TrendFlag::Rising);
        assert_eq!(t.matched_from, vec!["CAT-0001", "CAT-0002"]);
        assert_eq!(t.prev_episodes, 200);
        assert!(t.significant);
        assert_eq!(ch.merged.len(), 1);
        assert_eq!(ch.rising.len(), 1);
        assert_eq!(c.category_id, "CAT-0001");
        // Within noise: merged.
        let (c, ch) = merged_trend(205);
        assert_eq!(c.trend.as_ref().unwrap().flag, TrendFlag::Merged);
        assert_eq!(ch.merged.len(), 1);
        assert!(ch.rising.is_empty() && ch.falling.is_empty());
        // A merge that shrank significantly: falling.
        let (c, _) = merged_trend(40);
        assert_eq!(c.trend.as_ref().unwrap().flag, TrendFlag::Falling);
    }

    #[test]
    fn registry_never_reuses_ids() {
        let mut r = IdRegistry::new();
        r.see("CAT-0012");
        assert_eq!(r.issue(), "CAT-0013");
        r.see("CAT-0003");
        assert_eq!(r.issue(), "CAT-0014");
        assert_eq!(id_number("CAT-0100"), Some(100));
        assert_eq!(id_number("x"), None);
    }
}
