//! Rank stage: the impact of each category — episodes, extra contacts (the
//! avoidable workload: customer contacts beyond the first), customers,
//! escalations, transfers, reopened tickets, unresolved surveys, sensitive
//! segments — and a severity-weighted score; categories sorted best first.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Category, Contact, Linked, Reason, Signal};

pub use crate::settings::{RankBy, Severity};

/// Episodes of a category that one set of severity weights applied to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightedEpisodes {
    pub episodes: usize,
    /// The product of the weights, rounded to 2 places.
    pub weight: f64,
    /// Why: the customer's segment and the signals that carry a weight.
    pub why: Vec<Weighting>,
}

/// One severity weight that applied to an episode.
#[derive(Debug, Clone, PartialEq)]
pub enum Weighting {
    Segment { segment: String, weight: f64 },
    Signal { signal: Signal, weight: f64 },
}

impl Weighting {
    /// As `score_explained` words it ("segment media ×3", "escalated ×2").
    fn english(&self) -> String {
        match self {
            Weighting::Segment { segment, weight } => format!("segment {segment} ×{weight}"),
            Weighting::Signal { signal, weight } => format!("{} ×{weight}", signal.as_str()),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RankedCategory {
    pub rank: usize,
    pub category_id: String,
    pub label: String,
    pub keywords: Vec<String>,
    pub episodes: usize,
    pub extra_contacts: usize,
    pub customers: usize,
    pub escalated: usize,
    pub transferred: usize,
    pub reopened: usize,
    pub survey_unresolved: usize,
    pub sensitive_episodes: usize,
    pub window_open_episodes: usize,
    pub avg_contacts_per_episode: f64,
    /// Share of all extra contacts of the categorised episodes.
    pub share: f64,
    pub score: f64,
    /// How the score was made, for the report.
    pub score_explained: String,
    /// The weighted episodes behind a weighted score, for the report to
    /// word in its language (empty: no severity weight applied).
    #[serde(skip)]
    pub score_weights: Vec<WeightedEpisodes>,
    pub example_contact_ids: Vec<String>,
    /// Masked representative reasons with their contact ids.
    pub quotes: Vec<(String, String)>,
    /// Episodes by channel / team of their first contact.
    pub channels: BTreeMap<String, usize>,
    pub teams: BTreeMap<String, usize>,
    /// Episodes per ISO week of their first contact.
    pub weeks: BTreeMap<String, usize>,
    /// Episodes per non-FCR signal.
    pub signals: BTreeMap<String, usize>,
    /// Member episode indices (not serialised).
    #[serde(skip)]
    pub episode_indices: Vec<usize>,
    /// Index into the label stage's categories; `None` for a known
    /// (`--taxonomy`) category with no case this month.
    #[serde(skip)]
    pub category_index: Option<usize>,
    /// The `--taxonomy` key of a known category.
    pub taxonomy_key: Option<String>,
    /// Mean cosine of the members to the centre (0 for a known category
    /// with no case).
    pub cohesion: f64,
    /// Share of its members whose reason says its name (`label::said`).
    #[serde(skip)]
    pub name_said_by: f64,
    /// Against last month (`--previous`).
    pub trend: Option<crate::model::CategoryTrend>,
    /// The theme it belongs to (empty for a known category with no case).
    pub theme_id: String,
    pub theme: String,
}

/// A theme: the level the review ranks, with its categories.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RankedTheme {
    /// Its own figures, counted over its categories' episodes like a
    /// category's; `category_id` holds the theme id (`THM-…`) and `label`
    /// its name.
    pub figures: RankedCategory,
    /// Its categories: indices into the ranked categories, best first.
    #[serde(skip)]
    pub categories: Vec<usize>,
}

impl RankedTheme {
    pub fn id(&self) -> &str {
        &self.figures.category_id
    }
    pub fn name(&self) -> &str {
        &self.figures.label
    }
}

/// Ranks the themes (`themes[t]`: the categories of theme `t`, described
/// by `theme_categories[t]`) like categories and gives them `THM-` ids by
/// rank; `trend::continue_themes` settles ids and names and stamps the
/// categories with their theme.
pub fn rank_themes(
    themes: &[Vec<usize>],
    theme_categories: &[Category],
    ranked: &[RankedCategory],
    reasons: &[Reason],
    contacts: &[Contact],
    linked: &Linked,
    opts: &RankOptions,
) -> Vec<RankedTheme> {
    let mut ranked_of_category: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, c) in ranked.iter().enumerate() {
        if let Some(k) = c.category_index {
            ranked_of_category.insert(k, i);
        }
    }
    let figures = rank(theme_categories, reasons, contacts, linked, opts);
    let width = figures.len().to_string().len().max(3);
    figures
        .into_iter()
        .enumerate()
        .map(|(i, mut f)| {
            f.category_id = crate::model::theme_id(i as u64 + 1, width);
            let mut cats: Vec<usize> = f
                .category_index
                .and_then(|t| themes.get(t))
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| ranked_of_category.get(c).copied())
                        .collect()
                })
                .unwrap_or_default();
            cats.sort_by_key(|&r| ranked[r].rank);
            RankedTheme {
                figures: f,
                categories: cats,
            }
        })
        .collect()
}

pub struct RankOptions<'a> {
    pub rank_by: RankBy,
    pub severity: &'a Severity,
    pub sensitive_segments: &'a [String],
    pub timezone: chrono_tz::Tz,
    pub examples: usize,
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// A known (`--taxonomy`) category with no case this month: listed at 0.
pub fn zero_case(rank: usize, category_id: String, name: &str, key: &str) -> RankedCategory {
    RankedCategory {
        rank,
        category_id,
        label: name.to_string(),
        score_explained: "no case this month (a known category from --taxonomy)".into(),
        taxonomy_key: Some(key.to_string()),
        ..RankedCategory::default()
    }
}

pub fn rank(
    categories: &[Category],
    reasons: &[Reason],
    contacts: &[Contact],
    linked: &Linked,
    opts: &RankOptions,
) -> Vec<RankedCategory> {
    let mut out: Vec<RankedCategory> = categories
        .iter()
        .enumerate()
        .map(|(cat_index, cat)| {
            let mut eps: Vec<usize> = cat.members.iter().map(|&r| reasons[r].episode).collect();
            eps.sort_unstable();
            eps.dedup();
            let mut customers = BTreeSet::new();
            let mut r = RankedCategory {
                label: cat.label.clone(),
                keywords: cat.keywords.clone(),
                cohesion: cat.cohesion,
                episodes: eps.len(),
                quotes: cat
                    .quotes
                    .iter()
                    .map(|&q| {
                        (
                            contacts[reasons[q].contact].contact_id.to_string(),
                            // One line: a reason keeps its line breaks (for
                            // the boilerplate learner); a quote is a cell.
                            crate::text::reason::mask_pii(&reasons[q].text).replace('\n', " "),
                        )
                    })
                    .collect(),
                episode_indices: eps.clone(),
                category_index: Some(cat_index),
                ..RankedCategory::default()
            };
            let mut inbound = 0usize;
            let mut weighted: BTreeMap<String, WeightedEpisodes> = BTreeMap::new();
            for &e in &eps {
                let ep = &linked.episodes[e];
                let first = &contacts[ep.first];
                if let Some(c) = &first.customer_id {
                    customers.insert(c.as_str());
                }
                let extra = ep.n_inbound.saturating_sub(1);
                r.extra_contacts += extra;
                inbound += ep.n_inbound;
                let has = |s: Signal| ep.signals.contains(&s);
                r.escalated += usize::from(has(Signal::Escalated));
                r.transferred += usize::from(has(Signal::Transferred));
                r.reopened += usize::from(has(Signal::Reopened));
                r.survey_unresolved += usize::from(has(Signal::SurveyUnresolved));
                r.window_open_episodes += usize::from(ep.window_open);
                for s in &ep.signals {
                    *r.signals.entry(s.as_str().to_string()).or_default() += 1;
                }
                if opts.sensitive_segments.iter().any(|s| *s == first.segment) {
                    r.sensitive_episodes += 1;
                }
                *r.channels.entry(first.channel.to_string()).or_default() += 1;
                *r.teams.entry(first.team.to_string()).or_default() += 1;
                *r.weeks
                    .entry(crate::time::iso_week(first.started_at, opts.timezone))
                    .or_default() += 1;
                // Score: each episode weighs its workload (1 + extra
                // contacts) times its segment's and signals' weights.
                let seg_w = opts
                    .severity
                    .segment
                    .get(first.segment.as_str())
                    .copied()
                    .unwrap_or(1.0);
                let mut w = seg_w;
                let mut parts = Vec::new();
                if seg_w != 1.0 {
                    parts.push(Weighting::Segment {
                        segment: first.segment.to_string(),
                        weight: seg_w,
                    });
                }
                for s in &ep.signals {
                    if let Some(sw) = opts.severity.signal.get(s.as_str()) {
                        w *= sw;
                        parts.push(Weighting::Signal {
                            signal: *s,
                            weight: *sw,
                        });
                    }
                }
                r.score += (1 + extra) as f64 * w;
                if !parts.is_empty() {
                    let why: Vec<String> = parts.iter().map(Weighting::english).collect();
                    weighted
                        .entry(why.join(", "))
                        .or_insert(WeightedEpisodes {
                            episodes: 0,
                            weight: round(w, 2),
                            why: parts,
                        })
                        .episodes += 1;
                }
            }
            r.customers = customers.len();
            r.avg_contacts_per_episode = round(inbound as f64 / eps.len().max(1) as f64, 2);
            r.score = round(r.score, 2);
            r.score_explained = if weighted.is_empty() {
                format!(
                    "{} episodes + {} extra contacts (no severity weights apply)",
                    r.episodes, r.extra_contacts
                )
            } else {
                let parts: Vec<String> = weighted
                    .iter()
                    .map(|(why, e)| {
                        format!("{} episodes weighted ×{} ({why})", e.episodes, e.weight)
                    })
                    .collect();
                r.score_weights = weighted.into_values().collect();
                format!(
                    "Σ (1 + extra contacts) × weight over {} episodes; {}",
                    r.episodes,
                    parts.join("; ")
                )
            };
            r.example_contact_ids = cat
                .quotes
                .iter()
                .map(|&q| contacts[reasons[q].contact].contact_id.to_string())
                .chain(
                    eps.iter()
                        .map(|&e| contacts[linked.episodes[e].first].contact_id.to_string()),
                )
                .fold(Vec::new(), |mut v, id| {
                    if !v.contains(&id) && v.len() < opts.examples {
                        v.push(id);
                    }
                    v
                });
            r
        })
        .collect();
    let total_extra: usize = out.iter().map(|c| c.extra_contacts).sum();
    for c in &mut out {
        c.share = if total_extra == 0 {
            0.0
        } else {
            round(c.extra_contacts as f64 / total_extra as f64, 4)
        };
    }
    let key = |c: &RankedCategory| -> f64 {
        match opts.rank_by {
            RankBy::ExtraContacts => c.extra_contacts as f64,
            RankBy::Episodes => c.episodes as f64,
            RankBy::Customers => c.customers as f64,
            RankBy::Score => c.score,
            RankBy::Escalated => c.escalated as f64,
        }
    };
    // Ties: more episodes, then the name, so the order never depends on
    // cluster numbering alone.
    out.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(b.episodes.cmp(&a.episodes))
            .then(a.label.cmp(&b.label))
            .then(a.episode_indices.cmp(&b.episode_indices))
    });
    let width = out.len().to_string().len().max(4);
    for (i, c) in out.iter_mut().enumerate() {
        c.rank = i + 1;
        c.category_id = crate::model::category_id(i as u64 + 1, width);
    }
    out
}
