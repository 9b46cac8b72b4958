//! Label stage: names each cluster of contact reasons.
//!
//! Keywords are class-based TF-IDF (as in BERTopic's c-TF-IDF) over
//! language-aware words (`text::words`: stop words out, English inflections
//! merged, Chinese segmented into words) and word pairs. The name is a
//! phrase of the members' own words (`phrase`), unique in the month; a
//! category no phrase fits is named by its top keywords. Quotes are the
//! reasons closest to the centre, skipping near-duplicates so they show
//! the category's range.

mod company;
mod phrase;
pub mod said;

pub use company::company_words;
pub use phrase::PhraseSpace;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::embed::cosine;
use crate::model::{Category, Clusters, Reason};
use crate::text::{self as lang, is_han};

pub struct LabelOptions<'a> {
    /// Keywords per category.
    pub keywords: usize,
    /// Representative quotes per category.
    pub quotes: usize,
    /// Word keys that never name a group: the company's own
    /// ([`company_words`]).
    pub company_words: HashSet<String>,
    /// Places name phrases in the categories' space, to rank them by what
    /// they mean (`phrase::rerank`); `None` ranks by words alone.
    pub phrase_space: Option<&'a dyn PhraseSpace>,
}

impl Default for LabelOptions<'_> {
    fn default() -> Self {
        LabelOptions {
            keywords: 8,
            quotes: 5,
            company_words: HashSet::new(),
            phrase_space: None,
        }
    }
}

/// Terms of one reason: word keys and adjacent pairs, with surface forms.
fn terms(text: &str) -> Vec<(String, String)> {
    let ws = lang::words(text);
    let mut out: Vec<(String, String)> = ws
        .iter()
        .map(|w| (w.key.clone(), w.surface.clone()))
        .collect();
    for pair in ws.windows(2) {
        if pair[0].key == pair[1].key {
            continue;
        }
        out.push((
            format!("{} {}", pair[0].key, pair[1].key),
            lang::join_words(&[&pair[0].surface, &pair[1].surface]),
        ));
    }
    out
}

pub fn label(
    reasons: &[Reason],
    vectors: &[Vec<f32>],
    clusters: &Clusters,
    opts: &LabelOptions,
) -> Vec<Category> {
    label_avoiding(reasons, vectors, clusters, opts, &[])
}

/// [`label`], with names that are already taken elsewhere in the report
/// (a theme is not named like any category).
pub fn label_avoiding(
    reasons: &[Reason],
    vectors: &[Vec<f32>],
    clusters: &Clusters,
    opts: &LabelOptions,
    taken: &[String],
) -> Vec<Category> {
    let k = clusters.centroids.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, l) in clusters.cluster_of.iter().enumerate() {
        if let Some(c) = l {
            members[*c].push(i);
        }
    }
    // Term counts per class (a term counts once per reason) and overall.
    let per_reason: Vec<Vec<(String, String)>> = reasons.iter().map(|r| terms(&r.text)).collect();
    let mut class_tf: Vec<HashMap<&str, f64>> = vec![HashMap::new(); k];
    let mut total_tf: HashMap<&str, f64> = HashMap::new();
    let mut surfaces: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    for (c, ms) in members.iter().enumerate() {
        for &i in ms {
            let mut seen = std::collections::HashSet::new();
            for (key, surface) in &per_reason[i] {
                *surfaces.entry(key).or_default().entry(surface).or_default() += 1;
                if seen.insert(key.as_str()) {
                    *class_tf[c].entry(key).or_default() += 1.0;
                    *total_tf.entry(key).or_default() += 1.0;
                }
            }
        }
    }
    let avg_words = if k == 0 {
        1.0
    } else {
        class_tf
            .iter()
            .map(|m| m.values().sum::<f64>())
            .sum::<f64>()
            / k as f64
    };
    // Most frequent surface form of a key; ties alphabetical.
    let surface = |key: &str| -> String {
        surfaces
            .get(key)
            .and_then(|m| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(s, _)| s.to_string())
            })
            .unwrap_or_else(|| key.to_string())
    };
    let everywhere = spread_evenly(&class_tf, &total_tf, &members);
    let mut categories: Vec<Category> = (0..k)
        .map(|c| {
            let size = members[c].len().max(1) as f64;
            let words: f64 = class_tf[c].values().sum::<f64>().max(1.0);
            // A keyword should be shared: at least two reasons (or all of a
            // tiny category).
            let mut min_df = if size >= 4.0 { 2.0 } else { 1.0 };
            if !class_tf[c].values().any(|&tf| tf >= min_df) {
                // Nothing shared: name it by its own most distinctive words.
                min_df = 1.0;
            }
            let mut scored: Vec<(&str, f64)> = class_tf[c]
                .iter()
                // Nor a pair with such a word ("arrived today").
                .filter(|(t, &tf)| tf >= min_df && !t.split(' ').any(|w| everywhere.contains(w)))
                .map(|(&t, &tf)| {
                    let idf = (1.0 + avg_words / total_tf.get(t).copied().unwrap_or(1.0)).ln();
                    (t, tf / words * idf)
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let mut keywords: Vec<String> = Vec::new();
            let mut keys: Vec<&str> = Vec::new();
            for (t, _) in &scored {
                if keywords.len() >= opts.keywords {
                    break;
                }
                // Skip a word already inside a chosen pair and vice versa
                // when the pair adds nothing new.
                let parts: Vec<&str> = t.split(' ').collect();
                if keys.iter().any(|k| {
                    let kp: Vec<&str> = k.split(' ').collect();
                    parts.iter().all(|p| kp.contains(p))
                }) {
                    continue;
                }
                keys.push(t);
                keywords.push(surface(t));
            }
            let label = name(&keys, &keywords, &opts.company_words);
            let quotes = pick_quotes(
                &members[c],
                reasons,
                vectors,
                &clusters.centroids[c],
                opts.quotes,
            );
            Category {
                members: members[c].clone(),
                keywords,
                label,
                quotes,
                centroid: clusters.centroids[c].clone(),
                cohesion: crate::cluster::cohesion(&members[c], vectors, &clusters.centroids[c]),
                name_candidates: Vec::new(),
            }
        })
        .collect();
    let mut phrases = phrase::rank_phrases(
        reasons,
        &members,
        vectors,
        &clusters.centroids,
        &opts.company_words,
    );
    if let Some(place) = opts.phrase_space {
        let space: Vec<u32> = members
            .iter()
            .map(|m| m.first().map_or(0, |&i| place.space_of(&reasons[i].text)))
            .collect();
        phrase::rerank(&mut phrases, &clusters.centroids, &space, place);
    }
    unique_names(&mut categories, &phrases, taken);
    categories
}

/// Words spread evenly over the categories ("today", "现在", "היום"): in
/// most of them, and in none much more often than in all reasons together.
/// They say when or how a customer wrote, not what the problem is, so no
/// category is described by them, whatever a stop list misses.
fn spread_evenly<'a>(
    class_tf: &[HashMap<&'a str, f64>],
    total_tf: &HashMap<&'a str, f64>,
    members: &[Vec<usize>],
) -> std::collections::HashSet<&'a str> {
    // Too few categories to tell spread from chance.
    const MIN_CATEGORIES: usize = 4;
    // In at least this share of the categories…
    const MIN_SHARE: f64 = 0.6;
    // …and nowhere above this multiple of its rate over all reasons (the
    // lift a month-wide word needs to stand in a name).
    const MAX_LIFT: f64 = phrase::THROUGHOUT_LIFT;
    let k = class_tf.len();
    let mut out = std::collections::HashSet::new();
    if k < MIN_CATEGORIES {
        return out;
    }
    let all: f64 = members.iter().map(|m| m.len() as f64).sum::<f64>().max(1.0);
    for (&t, &total) in total_tf {
        let present = class_tf.iter().filter(|m| m.contains_key(t)).count();
        if (present as f64) < MIN_SHARE * k as f64 {
            continue;
        }
        let overall = total / all;
        let lift = class_tf
            .iter()
            .zip(members)
            .filter(|(_, m)| !m.is_empty())
            .map(|(tf, m)| tf.get(t).copied().unwrap_or(0.0) / m.len() as f64)
            .fold(0.0, f64::max)
            / overall;
        if lift <= MAX_LIFT {
            out.insert(t);
        }
    }
    out
}

/// Gives each category its best phrase not already taken by a larger one
/// (the same words in another order count as taken); without one, its
/// keyword name, made unique with its next keywords. No two categories of
/// a month share a name, nor take one of `taken`.
fn unique_names(categories: &mut [Category], phrases: &[phrase::Ranked], taken: &[String]) {
    let mut order: Vec<usize> = (0..categories.len()).collect();
    order.sort_by(|&a, &b| {
        categories[b]
            .members
            .len()
            .cmp(&categories[a].members.len())
            .then(a.cmp(&b))
    });
    let mut used: std::collections::HashSet<String> = taken.iter().map(|t| name_key(t)).collect();
    let mut used_words: std::collections::HashSet<Vec<String>> = std::collections::HashSet::new();
    for c in order {
        categories[c].name_candidates = phrases
            .get(c)
            .map(|r| r.phrases.iter().map(|p| p.text.clone()).collect())
            .unwrap_or_default();
        // The best phrase not taken; a later one only when it is said by
        // enough members to stand for the best ("transfer" taken, its
        // category is not named "transfer from france a couple", said by
        // 2 of 35).
        let pick = phrases.get(c).and_then(|r| {
            r.phrases
                .iter()
                .enumerate()
                .find(|(i, p)| {
                    !used.contains(&name_key(&p.text))
                        && !used_words.contains(&p.words)
                        && (*i == 0 || r.may_stand_for_best(*i))
                })
                .map(|(_, p)| p)
        });
        let name = match pick {
            Some(p) => {
                used_words.insert(p.words.clone());
                p.text.clone()
            }
            None => {
                let mut name = categories[c].label.clone();
                let mut extra = categories[c].keywords.iter().skip(3);
                while used.contains(&name_key(&name)) {
                    match extra.next() {
                        Some(k) if !name.contains(k.as_str()) => name = format!("{name} / {k}"),
                        Some(_) => {}
                        None => {
                            let base = name.clone();
                            let mut n = 2;
                            while used.contains(&name_key(&name)) {
                                name = format!("{base} ({n})");
                                n += 1;
                            }
                        }
                    }
                }
                name
            }
        };
        used.insert(name_key(&name));
        categories[c].label = name;
    }
}

/// What makes two names the same to a reader: their letters and digits,
/// case folded ("top-up", "Top up" and "topup" are one name).
pub fn name_key(name: &str) -> String {
    crate::text::normalize(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A short name: the top keywords covering at most three words, joined
/// with "、" in Chinese and ", " elsewhere; the company's own words only
/// when there is nothing else.
fn name(keys: &[&str], keywords: &[String], company: &HashSet<String>) -> String {
    let own = |k: &&str| k.split(' ').any(|w| company.contains(w));
    let theirs = keys.iter().zip(keywords).filter(|(k, _)| !own(k));
    let pairs: Vec<(&&str, &String)> = if theirs.clone().next().is_some() {
        theirs.collect()
    } else {
        keys.iter().zip(keywords).collect()
    };
    let mut used: Vec<&str> = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    for (k, surface) in pairs {
        let words: Vec<&str> = k.split(' ').collect();
        if words.iter().any(|w| used.contains(w)) {
            continue;
        }
        if used.len() + words.len() > 3 && !parts.is_empty() {
            continue;
        }
        used.extend(words);
        parts.push(surface);
        if used.len() >= 3 {
            break;
        }
    }
    if parts.is_empty() {
        return "(no common words)".into();
    }
    let sep = if parts[0].chars().next().is_some_and(is_han) {
        "、"
    } else {
        ", "
    };
    parts.join(sep)
}

fn pick_quotes(
    members: &[usize],
    reasons: &[Reason],
    vectors: &[Vec<f32>],
    centre: &[f32],
    n: usize,
) -> Vec<usize> {
    let mut by_closeness: Vec<(usize, f32)> = members
        .iter()
        .map(|&i| (i, cosine(&vectors[i], centre)))
        .collect();
    by_closeness.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut picked: Vec<usize> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for (i, _) in by_closeness {
        if picked.len() >= n {
            break;
        }
        let t = crate::text::normalize(reasons[i].text.trim());
        if t.is_empty() || texts.contains(&t) {
            continue;
        }
        // Diverse: not a near-copy of a quote already picked.
        if picked
            .iter()
            .any(|&j| cosine(&vectors[i], &vectors[j]) > 0.97)
        {
            continue;
        }
        picked.push(i);
        texts.push(t);
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(t: &str) -> Reason {
        Reason {
            episode: 0,
            contact: 0,
            text: t.into(),
        }
    }

    #[test]
    fn keywords_and_names_in_three_languages() {
        let texts = [
            "My card has not arrived",
            "The card still hasn't arrived",
            "When will my card arrive",
            "card not arrived yet",
            "I want a refund for my order",
            "Refund my order please",
            "where is the refund for the order",
            "refund of order missing",
            "我的退款还没有到账",
            "退款什么时候到账",
            "退款没有到账怎么办",
            "请帮我查一下退款",
            "הכרטיס שלי לא הגיע",
            "מתי הכרטיס יגיע",
            "הכרטיס עדיין לא הגיע",
            "לא קיבלתי את הכרטיס",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let vectors: Vec<Vec<f32>> = (0..16).map(|i| vec![(i / 4) as f32, 1.0, 0.0]).collect();
        let clusters = Clusters {
            cluster_of: (0..16).map(|i| Some(i / 4)).collect(),
            centroids: vec![vec![0.0, 1.0, 0.0]; 4],
        };
        let cats = label(&reasons, &vectors, &clusters, &LabelOptions::default());
        assert_eq!(cats.len(), 4);
        assert!(cats[0].label.contains("card"), "{}", cats[0].label);
        assert!(
            cats[0].keywords.iter().any(|k| k.starts_with("arriv")),
            "{:?}",
            cats[0].keywords
        );
        assert!(
            cats[1].label.contains("refund") && cats[1].label.contains("order"),
            "{}",
            cats[1].label
        );
        assert!(cats[2].label.contains("退款"), "{}", cats[2].label);
        assert!(
            !cats[2].label.contains(' '),
            "Chinese names have no spaces: {}",
            cats[2].label
        );
        assert!(cats[3].label.contains("הכרטיס"), "{}", cats[3].label);
        // Quotes: distinct texts, at most 5, members only.
        assert!(cats[0].quotes.len() <= 5 && !cats[0].quotes.is_empty());
        assert!(cats[0].quotes.iter().all(|q| *q < 4));
    }

    #[test]
    fn a_word_spread_evenly_over_the_categories_is_no_keyword() {
        // Four issues; every customer says "today" (or "היום", "现在") as
        // often in one as in another.
        let issues = [
            [
                "card arrived post",
                "card arrived still",
                "card arrived when",
            ],
            [
                "refund order missing",
                "refund order where",
                "refund order late",
            ],
            [
                "password reset link",
                "password reset email",
                "password reset fails",
            ],
            [
                "fee charged twice",
                "fee charged wrongly",
                "fee charged again",
            ],
        ];
        let mut reasons = Vec::new();
        for issue in &issues {
            for (j, t) in issue.iter().enumerate() {
                let when = ["today", "היום", "现在"][j];
                reasons.push(reason(&format!("{t} {when}")));
            }
        }
        let n = reasons.len();
        let vectors: Vec<Vec<f32>> = (0..n).map(|_| vec![1.0, 0.0]).collect();
        let clusters = Clusters {
            cluster_of: (0..n).map(|i| Some(i / 3)).collect(),
            centroids: vec![vec![1.0, 0.0]; 4],
        };
        let opts = LabelOptions {
            keywords: 8,
            quotes: 1,
            ..LabelOptions::default()
        };
        let cats = label(&reasons, &vectors, &clusters, &opts);
        for c in &cats {
            for w in ["today", "היום", "现在"] {
                assert!(
                    !c.keywords.iter().any(|k| k.contains(w)),
                    "{w} in {:?}",
                    c.keywords
                );
            }
        }
        assert!(
            cats[0].keywords.iter().any(|k| k.contains("card")),
            "{:?}",
            cats[0].keywords
        );
        // Concentrated in one category, the same word is a keyword there.
        for r in reasons.iter_mut().take(3) {
            r.text.push_str(" weekend");
        }
        let cats = label(&reasons, &vectors, &clusters, &opts);
        assert!(
            cats[0].keywords.iter().any(|k| k.contains("weekend")),
            "{:?}",
            cats[0].keywords
        );
    }

    #[test]
    fn the_companys_words_name_no_category_but_stay_keywords() {
        let texts = [
            "uber driver never came",
            "the uber driver cancelled on me",
            "uber driver was rude",
            "uber uber uber",
            "my card has not arrived",
            "card has not arrived yet",
            "the card has not arrived",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let vectors: Vec<Vec<f32>> = vec![vec![1.0]; texts.len()];
        let clusters = Clusters {
            cluster_of: vec![
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                Some(2),
                Some(2),
                Some(2),
            ],
            centroids: vec![vec![1.0]; 3],
        };
        let opts = |company: &[&str]| LabelOptions {
            company_words: company.iter().map(|w| w.to_string()).collect(),
            ..LabelOptions::default()
        };
        let before = label(&reasons, &vectors, &clusters, &opts(&[]));
        assert!(before[0].label.contains("uber"), "{:?}", before[0].label);
        let cats = label(&reasons, &vectors, &clusters, &opts(&["uber"]));
        assert!(cats[0].label.contains("driver"), "{:?}", cats[0].label);
        assert!(cats
            .iter()
            .all(|c| !c.label.contains("uber") || c.members == [3]));
        assert!(
            cats[0].keywords.iter().any(|k| k.contains("uber")),
            "{:?}",
            cats[0].keywords
        );
        // A group that says nothing else keeps the word: better than no name.
        assert_eq!(cats[1].label, "uber");
        assert!(cats[2].label.contains("card"), "{:?}", cats[2].label);
    }

    #[test]
    fn no_two_categories_share_a_name() {
        // Two clusters of the same issue (as a split leaves them) and one
        // with no shared words at all.
        let texts = [
            "refund status please",
            "what is my refund status",
            "refund status?",
            "refund status again",
            "my refund status",
            "refund status now",
            "alpha",
            "beta",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let vectors: Vec<Vec<f32>> = vec![vec![1.0, 0.0]; 8];
        let clusters = Clusters {
            cluster_of: vec![
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(1),
                Some(2),
                Some(2),
            ],
            centroids: vec![vec![1.0, 0.0]; 3],
        };
        let cats = label(&reasons, &vectors, &clusters, &LabelOptions::default());
        let names: std::collections::BTreeSet<&str> =
            cats.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            names.len(),
            3,
            "{:?}",
            cats.iter().map(|c| &c.label).collect::<Vec<_>>()
        );
        assert_eq!(cats[0].label, "refund status");
    }

    #[test]
    fn names_that_differ_only_in_spacing_or_hyphens_are_one() {
        assert_eq!(name_key("Top-up"), name_key("top up"));
        assert_eq!(name_key("卡 没到"), name_key("卡没到"));
        assert_ne!(name_key("top up"), name_key("top up fee"));
        let texts = [
            "top-up failed",
            "my top-up failed",
            "top-up failed again",
            "top up failed",
            "the top up failed",
            "top up failed twice",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let vectors: Vec<Vec<f32>> = vec![vec![1.0, 0.0]; 6];
        let clusters = Clusters {
            cluster_of: vec![Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)],
            centroids: vec![vec![1.0, 0.0]; 2],
        };
        let cats = label(&reasons, &vectors, &clusters, &LabelOptions::default());
        assert_ne!(
            name_key(&cats[0].label),
            name_key(&cats[1].label),
            "{} / {}",
            cats[0].label,
            cats[1].label
        );
    }
}
