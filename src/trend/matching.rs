//! Which of this month's categories is which of last month's: portable
//! term profiles and example reasons saved per category, the similarity
//! of two categories, and the greedy one-to-one matching (continued,
//! split, merged).

use std::collections::{BTreeMap, BTreeSet};

use super::files::{Previous, SavedCategory};
use super::{PROFILE_TERMS, TERMS_THRESHOLD};
use crate::embed::cosine;
use crate::model::{Category, Reason};
use crate::rank::RankedCategory;

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
                theme_id: String::new(),
                theme: String::new(),
                continues: r
                    .category_index
                    .and_then(|i| continues.get(i).copied().flatten()),
            }
        })
        .collect()
}

/// Cosine of two term profiles, each word weighted by its inverse category
/// frequency over both months (`idf`; words common to many categories,
/// such as "card", say little about which issue it is). Its own f64 norms,
/// not `embed::cosine`'s: the summation order is part of the output.
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
            if best_prev[i].is_none_or(|(b, _)| s > b) {
                best_prev[i] = Some((s, j));
            }
            if best_cur[j].is_none_or(|(b, _)| s > b) {
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

/// Last month's automatic model-space centroids, for
/// [`crate::cluster::anchor_group`] when this month's space is the same
/// model.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::tests::{norm, saved};
    use crate::trend::CENTROID_THRESHOLD;

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
}
