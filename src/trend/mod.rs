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
//!
//! Here: the constants, [`compare`] and its [`Outcome`]. Beside it: `files`
//! (the two files, last month's folder), `matching` (which category is
//! which), `changes` (the report section's data), `stats` (the tests and
//! adjustments).
//! Anchoring, which moves this month's boundaries before any of this, is
//! `crate::cluster`'s (`anchor_group`, re-exported here).

use std::collections::{BTreeMap, BTreeSet};

use crate::metrics::Metrics;
use crate::model::{CategoryTrend, TrendFlag};
use crate::rank::RankedCategory;

mod changes;
mod files;
mod matching;
mod stats;

// Anchoring runs with the clustering; its model-space threshold is also
// matching's, so it lives there (no import of trend from cluster).
pub use crate::cluster::{anchor_group, centre_of_examples, CENTROID_THRESHOLD};
pub use changes::{ChangedCategory, Changes, FcrChanges, FcrDelta, VanishedCategory};
pub use files::{
    centroids_file, format_id, load_previous, model_identity, write_files, CentroidsFile,
    EmbedderIdentity, IdRegistry, PrevGroup, PrevMetrics, Previous, SavedCategory,
};
pub use matching::{
    example_texts, examples, match_categories, saved_centres, summarise, term_profile, Matching,
};
pub use stats::{benjamini_hochberg, binom_two_sided, holm, two_proportion_p, Correction};

use changes::{fcr_delta, fcr_groups};
use stats::round;

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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn saved(id: &str, words: &[&str], centroid: Vec<f32>) -> SavedCategory {
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

    pub(super) fn norm(x: f32, y: f32) -> Vec<f32> {
        let n = (x * x + y * y).sqrt();
        vec![x / n, y / n]
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
}
