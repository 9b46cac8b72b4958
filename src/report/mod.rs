//! Report stage: the product-feedback report. All of its data is in one
//! struct ([`Report`]); every format renders that same struct: Markdown
//! ([`render_markdown`]), self-contained HTML ([`html`], charts from
//! [`svg`]) and versioned JSON ([`json`]). The helpers here are the ones
//! the formats share.

use std::fmt::Write as _;

use crate::metrics::Metrics;
use crate::model::SetAside;
use crate::rank::{RankedCategory, RankedTheme};

pub mod html;
pub mod i18n;
pub mod json;
mod markdown;
pub mod svg;
mod year_md;

use crate::settings::ReportLanguage;
use i18n::{tr, Messages};

pub use html::render_html;
pub use json::{render_json, ReportJson, SCHEMA_VERSION};
pub use markdown::render_markdown;

#[derive(Debug)]
pub struct Report<'a> {
    pub metrics: &'a Metrics,
    pub categories: &'a [RankedCategory],
    /// The themes, best first: the level the review ranks. Each lists its
    /// categories (indices into `categories`).
    pub themes: &'a [RankedTheme],
    /// Non-FCR episodes whose reasons were clustered (those that state a
    /// problem).
    pub reasons: usize,
    /// Of those, the ones that fit no category.
    pub uncategorised: &'a SetAside,
    /// Episodes whose reason states no problem (thanks, praise, "ok", auto-replies):
    /// never clustered or ranked.
    pub no_problem_stated: &'a SetAside,
    /// Phrases learned from the month as boilerplate and stripped.
    pub boilerplate: Vec<&'a str>,
    /// Extra contacts in all non-FCR episodes (categorised or not).
    pub extra_contacts: usize,
    pub embedder: String,
    /// The same, in parts, when reasons in several scripts were read by
    /// different embedders (the report words it in its language).
    pub embedder_spaces: Option<crate::model::EmbedderSpaces>,
    /// Set when no model was available and the lexical fallback ran.
    pub embedder_warning: Option<String>,
    pub categorise: String,
    pub rank_by: String,
    /// The output folder as the user passed it to `--out`, for the
    /// drill-down commands the report prints.
    pub out_dir: String,
    /// "What changed since last month" (`--previous`).
    pub changes: Option<&'a crate::trend::Changes>,
    /// The last twelve months (`--history`).
    pub year: Option<&'a crate::model::Year>,
    /// The language of report.html and report.md.
    pub language: ReportLanguage,
}

impl Report<'_> {
    /// The report language's messages and formats.
    pub fn messages(&self) -> &'static Messages {
        i18n::messages(self.language)
    }
}

/// Text safe in HTML and SVG, in element content and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A word safe to paste into a POSIX shell: as is when plain, else in
/// single quotes.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The commands that list a category's contacts: a full-text search in the
/// category's non-FCR episodes for its first keyword, and a random sample.
pub fn drill_down(out_dir: &str, c: &RankedCategory) -> (String, String) {
    let dir = shell_quote(out_dir);
    let mut search = format!(
        "recontact search {dir} --category {} --non-fcr",
        shell_quote(&c.category_id)
    );
    if let Some(k) = c.keywords.first() {
        let _ = write!(search, " {}", shell_quote(k));
    }
    let sample = format!(
        "recontact sample {dir} --category {}",
        shell_quote(&c.category_id)
    );
    (search, sample)
}

/// The embedders used, in the report's language (English: as the run
/// summary says it).
pub(crate) fn embedder_text(t: &Messages, r: &Report) -> String {
    match &r.embedder_spaces {
        Some(e) if t.lang() != ReportLanguage::En => {
            let scripts: Vec<String> = e.scripts.iter().map(|s| t.term("script", s)).collect();
            tr!(
                t,
                "settings.embedder_spaces",
                main = e.main,
                other = e.other,
                scripts = scripts.join(t.get("common.list_sep")),
                hint = if e.other_model {
                    ""
                } else {
                    t.get("settings.embedder_hint")
                }
            )
        }
        _ => r.embedder.clone(),
    }
}

/// The message for a month with no ranked theme: "No recurring reason: 12
/// non-FCR episodes", and ", none in a category of the minimum size" when
/// there were reasons to cluster.
pub(crate) fn no_recurring_reason(reasons: usize) -> &'static str {
    if reasons > 0 {
        "top10.none_small"
    } else {
        "top10.none"
    }
}

/// How a category's score was reached, in the report's language, from
/// the figures and the weights that applied. (In English it reads as the
/// rank stage's `score_explained`, which the CSV and JSON keep.)
pub(crate) fn score_explained(t: &Messages, c: &RankedCategory) -> String {
    if t.lang() == ReportLanguage::En {
        c.score_explained.clone()
    } else {
        score_words(t, c)
    }
}

/// [`score_explained`] worded from the catalogue.
fn score_words(t: &Messages, c: &RankedCategory) -> String {
    if c.taxonomy_key.is_some() && c.episodes == 0 {
        return tr!(t, "card.score_no_case").to_string();
    }
    if c.score_weights.is_empty() {
        return tr!(
            t,
            "card.score_plain",
            episodes = c.episodes,
            extra = c.extra_contacts
        );
    }
    let parts: Vec<String> = c
        .score_weights
        .iter()
        .map(|w| {
            let why: Vec<String> = w
                .why
                .iter()
                .map(|x| match x {
                    crate::rank::Weighting::Segment { segment, weight } => {
                        tr!(t, "card.weight_segment", segment = segment, weight = weight)
                    }
                    crate::rank::Weighting::Signal { signal, weight } => tr!(
                        t,
                        "card.weight_signal",
                        signal = t.term("signal", signal.as_str()),
                        weight = weight
                    ),
                })
                .collect();
            tr!(
                t,
                "card.score_weighted_part",
                n = w.episodes,
                weight = w.weight,
                why = why.join(t.get("common.list_sep"))
            )
        })
        .collect();
    tr!(
        t,
        "card.score_weighted",
        episodes = c.episodes,
        parts = parts.join("; ")
    )
}

/// "95 % interval 68.6–72.4 %" for the headline FCR, when there is one.
pub(crate) fn fcr_interval(t: &Messages, m: &Metrics) -> Option<String> {
    let u = &m.fcr_uncertainty;
    let (lo, hi) = (u.low?, u.high?);
    let what = if u.linking.is_some() {
        tr!(t, "headline.interval_linking")
    } else {
        tr!(t, "headline.interval_sampling")
    };
    Some(tr!(
        t,
        "headline.interval",
        range = t.ltr(&format!("{:.1}–{:.1}", lo * 100.0, hi * 100.0)),
        what = what
    ))
}

/// The short-export caveat in the report's language, from the figures
/// metrics.json keeps beside its English text.
pub(crate) fn caveat(t: &Messages, m: &Metrics) -> Option<String> {
    let u = &m.fcr_uncertainty;
    u.caveat.as_ref()?;
    let window = m.settings.repeat_window_secs;
    Some(tr!(
        t,
        "headline.caveat",
        days = u.coverage_days,
        windows = u.repeat_windows_covered,
        measured = m.measured_episodes,
        need = ((crate::metrics::interval::MIN_WINDOWS * window as f64) / 86_400.0).ceil()
    ))
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A change in percentage points: `+2.1 pts`.
pub(crate) fn points(t: &Messages, v: Option<f64>) -> String {
    v.map(|x| {
        tr!(
            t,
            "changes.points",
            delta = t.ltr(&format!("{:+.1}", x * 100.0))
        )
    })
    .unwrap_or_else(|| t.na().to_string())
}

/// A p-value for people: `p = 0.003` / `p < 0.000001`.
pub(crate) fn p_text(t: &Messages, p: Option<f64>) -> String {
    match p {
        None => tr!(t, "changes.not_tested").into(),
        Some(p) if p < 1e-6 => t.ltr("p < 0.000001"),
        Some(p) => t.ltr(&format!("p = {}", crate::report::round_sig(p))),
    }
}

/// The month-over-month test, described in the report's language.
pub(crate) fn trend_test(t: &Messages, ch: &crate::trend::Changes) -> String {
    if t.lang() == ReportLanguage::En {
        return ch.test.clone();
    }
    let correction = match ch.correction {
        crate::trend::Correction::Holm => "Holm",
        crate::trend::Correction::Bh => "Benjamini–Hochberg",
    };
    tr!(t, "changes.test_text", correction = correction)
}

pub(crate) fn round_sig(p: f64) -> String {
    if p >= 0.01 {
        format!("{p:.2}")
    } else {
        format!("{p:.1e}")
    }
}

/// Hand-made reports for the renderers' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::collections::BTreeMap;

    use super::Report;
    use crate::metrics::{self, Metrics};
    use crate::model::{IngestStats, SetAside};

    pub static UNCATEGORISED: SetAside = SetAside {
        episodes: 3,
        extra_contacts: 4,
        examples: Vec::new(),
    };
    pub static NO_PROBLEM: SetAside = SetAside {
        episodes: 0,
        extra_contacts: 0,
        examples: Vec::new(),
    };
    use crate::rank::{RankedCategory, RankedTheme};
    use crate::settings::Settings;
    use crate::test_support::{contact, run};

    /// Three weeks of contacts on two channels; some customers come back.
    pub fn metrics() -> Metrics {
        let mut cs = Vec::new();
        for u in 0..30 {
            let t = f64::from(u) * 16.0;
            let mut c = contact(
                &format!("c{u}"),
                &format!("U{u}"),
                t,
                "Customer: my card has not arrived",
            );
            if u % 3 == 0 {
                c.channel = "chat".into();
            }
            cs.push(c);
            if u % 4 == 0 {
                cs.push(contact(
                    &format!("r{u}"),
                    &format!("U{u}"),
                    t + 30.0,
                    "Customer: my card has still not arrived",
                ));
            }
        }
        let s = Settings::default();
        let linked = run(&cs, &s);
        let input = IngestStats {
            files_read: 1,
            rows_read: cs.len() as u64 + 2,
            rows_accepted: cs.len() as u64,
            rows_rejected: 2,
            rejected_by_reason: BTreeMap::from([("bad_timestamp".to_string(), 2)]),
            ..IngestStats::default()
        };
        metrics::compute(&cs, &linked, &input, &s, chrono_tz::UTC)
    }

    /// Category `i` (rank `i + 1`) with fewer extra contacts as `i` grows.
    pub fn category(i: usize, label: &str, keywords: &[&str], quote: &str) -> RankedCategory {
        let extra = 1000usize.saturating_sub(i).max(1);
        RankedCategory {
            rank: i + 1,
            category_id: format!("CAT-{:04}", i + 1),
            label: label.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            episodes: extra,
            extra_contacts: extra,
            customers: extra,
            escalated: 1,
            transferred: 0,
            reopened: 2,
            survey_unresolved: 0,
            sensitive_episodes: 0,
            window_open_episodes: 0,
            avg_contacts_per_episode: 2.0,
            share: 0.0,
            score: (2 * extra) as f64,
            score_explained: format!(
                "{extra} episodes + {extra} extra contacts (no severity weights apply)"
            ),
            score_weights: Vec::new(),
            example_contact_ids: vec![format!("c{i}"), format!("r{i}")],
            quotes: vec![(format!("c{i}"), quote.into())],
            channels: BTreeMap::from([("phone".to_string(), extra)]),
            teams: BTreeMap::from([("cards".to_string(), extra)]),
            weeks: BTreeMap::from([("2026-W39".to_string(), extra)]),
            signals: BTreeMap::from([("repeat_contact".to_string(), extra)]),
            episode_indices: Vec::new(),
            category_index: Some(i),
            cohesion: 0.8,
            name_said_by: 0.5,
            taxonomy_key: None,
            trend: None,
            theme_id: String::new(),
            theme: String::new(),
        }
    }

    /// `n` English categories with shares that add up.
    pub fn categories(n: usize) -> Vec<RankedCategory> {
        let mut v: Vec<RankedCategory> = (0..n)
            .map(|i| {
                category(
                    i,
                    &format!("card not arrived {i}"),
                    &["card", "arrived", "post"],
                    "my card has not arrived, call me on [PHONE]",
                )
            })
            .collect();
        let total: usize = v.iter().map(|c| c.extra_contacts).sum();
        for c in &mut v {
            c.share = c.extra_contacts as f64 / total.max(1) as f64;
        }
        v
    }

    /// One theme per category (leaked: a test's report lives to its end).
    pub fn themes(categories: &[RankedCategory]) -> &'static [RankedTheme] {
        let v: Vec<RankedTheme> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut figures = c.clone();
                figures.category_id = format!("THM-{:03}", i + 1);
                RankedTheme {
                    figures,
                    categories: vec![i],
                }
            })
            .collect();
        Box::leak(v.into_boxed_slice())
    }

    pub fn report<'a>(m: &'a Metrics, categories: &'a [RankedCategory]) -> Report<'a> {
        Report {
            metrics: m,
            categories,
            themes: themes(categories),
            reasons: categories.iter().map(|c| c.episodes).sum::<usize>() + 3,
            uncategorised: &UNCATEGORISED,
            no_problem_stated: &NO_PROBLEM,
            boilerplate: Vec::new(),
            extra_contacts: categories.iter().map(|c| c.extra_contacts).sum(),
            embedder: "lexical (TF-IDF + SVD)".into(),
            embedder_spaces: None,
            embedder_warning: None,
            categorise: "NonFcr".into(),
            rank_by: "ExtraContacts".into(),
            out_dir: "out/2026-10".into(),
            changes: None,
            year: None,
            language: crate::settings::ReportLanguage::En,
        }
    }
}

#[cfg(test)]
mod score_tests {
    use super::*;
    use crate::model::Signal;
    use crate::rank::{WeightedEpisodes, Weighting};

    /// The catalogue's English words are the rank stage's, so a weighted
    /// score reads the same in every language's structure.
    #[test]
    fn a_weighted_score_in_english_words_matches_the_rank_stage() {
        let c = RankedCategory {
            episodes: 8,
            extra_contacts: 8,
            score_explained: "Σ (1 + extra contacts) × weight over 8 episodes; \
                1 episodes weighted ×6 (segment media ×3, escalated ×2)"
                .into(),
            score_weights: vec![WeightedEpisodes {
                episodes: 1,
                weight: 6.0,
                why: vec![
                    Weighting::Segment {
                        segment: "media".into(),
                        weight: 3.0,
                    },
                    Weighting::Signal {
                        signal: Signal::Escalated,
                        weight: 2.0,
                    },
                ],
            }],
            ..RankedCategory::default()
        };
        let en = i18n::messages(ReportLanguage::En);
        assert_eq!(score_words(en, &c), c.score_explained);
        let he = score_explained(i18n::messages(ReportLanguage::He), &c);
        assert!(he.contains("פלח media ×3"), "{he}");
        assert!(!he.contains("weighted"), "{he}");
    }
}
