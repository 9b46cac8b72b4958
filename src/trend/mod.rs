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
//! which), `ids` (stable ids), `category_trends` (the per-category tests),
//! `changes` (the report section), `stats` (the tests and adjustments).
//! Anchoring, which moves this month's boundaries before any of this, is
//! `crate::cluster`'s (`anchor_group`, re-exported here).

use crate::metrics::Metrics;
use crate::rank::RankedCategory;

mod category_trends;
mod changes;
mod files;
mod ids;
mod matching;
mod stats;
mod themes;

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
pub use stats::{
    adjust, benjamini_hochberg, binom_two_sided, holm, round, two_proportion_p, Correction,
};
pub use themes::continue_themes;

pub const CENTROIDS_FILE: &str = crate::layout::CENTROIDS;
pub const REGISTRY_FILE: &str = crate::layout::CATEGORY_IDS;
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

/// What [`compare`] needs to know about this month besides its categories.
pub struct ThisMonth<'a> {
    pub identity: &'a EmbedderIdentity,
    /// Categorised reasons this month (the denominator of shares).
    pub reasons: usize,
    pub metrics: &'a Metrics,
    pub correction: Correction,
    /// Cosine above which two months' centroids are the same category.
    pub centroid_threshold: f64,
}

/// Gives `ranked` (in rank order, ids by rank) their month-over-month ids
/// and trends; `cur` is [`summarise`] of `ranked`, updated with the ids.
pub fn compare(
    ranked: &mut [RankedCategory],
    cur: &mut [SavedCategory],
    month: &ThisMonth,
    prev: Option<&Previous>,
) -> Outcome {
    let ThisMonth {
        identity,
        reasons,
        metrics,
        correction,
        centroid_threshold,
    } = *month;
    let Some(prev) = prev else {
        // Without --previous the ids stay by rank; the registry starts here.
        return Outcome {
            registry: ids::first_registry(ranked),
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
    let registry = ids::continue_ids(ranked, cur, &m, prev);
    let vanished = category_trends::set_trends(ranked, &m, pc, reasons, correction);
    let section = changes::section(
        ranked,
        vanished,
        prev,
        by_centroid,
        warning.clone(),
        reasons,
        metrics,
        correction,
    );
    Outcome {
        registry,
        changes: Some(section),
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrendFlag;
    use std::collections::BTreeMap;

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
            theme_id: String::new(),
            theme: String::new(),
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
                ..PrevMetrics::default()
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
        let metrics = crate::report::fixtures::metrics();
        let month = ThisMonth {
            identity: &identity,
            reasons: 1000,
            metrics: &metrics,
            correction: Correction::default(),
            centroid_threshold: CENTROID_THRESHOLD,
        };
        let out = compare(&mut ranked, &mut cur, &month, Some(&prev));
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
