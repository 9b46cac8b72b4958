//! report.json: the report's data for BI tools and for next month's
//! comparison. A dedicated struct, not a dump of the internal types, so the
//! file only changes when [`SCHEMA_VERSION`] says so; the JSON Schema is
//! `docs/report.schema.json`, the field guide `docs/report-json.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{drill_down, Report};
use crate::metrics::GroupMetrics;
use crate::rank::{RankedCategory, RankedTheme};
use crate::settings::format_duration;

/// Bumped when a field is removed, renamed or changes meaning; adding a
/// field bumps it too, since the schema admits no unknown fields.
pub const SCHEMA_VERSION: u32 = 8;

#[derive(Debug, Serialize)]
pub struct ReportJson {
    pub schema_version: u32,
    /// `recontact` and its version.
    pub generator: String,
    pub period: Period,
    pub out_dir: String,
    /// "What changed since last month": `null` without `--previous`.
    /// (Version 2.)
    pub changes: Option<crate::trend::Changes>,
    /// The last twelve months: `null` without `--history`. (Version 7.)
    pub year: Option<crate::model::Year>,
    pub headline: Headline,
    pub root_causes: RootCauses,
    pub fcr_by: FcrBy,
    pub data_quality: DataQuality,
    pub settings: ReportSettings,
}

#[derive(Debug, Serialize)]
pub struct Period {
    /// The period's label (`2026-10`), as in every table.
    pub label: String,
    pub data_start: String,
    pub data_end: String,
}

#[derive(Debug, Serialize)]
pub struct Headline {
    pub fcr_rate: Option<f64>,
    pub fcr_uncertainty: crate::metrics::interval::FcrUncertainty,
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub episodes: usize,
    pub contacts: usize,
    pub customer_contacts: usize,
    /// Customer contacts beyond the first of their episode.
    pub extra_contacts: usize,
    pub avg_contacts_per_resolved_issue: Option<f64>,
    pub customers: usize,
    pub repeat_customers: usize,
    pub repeat_customer_share: Option<f64>,
    pub one_time_resolution_rate: Option<f64>,
    pub survey: Survey,
    pub window_open_episodes: usize,
    pub window_open_non_fcr_episodes: usize,
    pub non_fcr_signals: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct Survey {
    pub episodes_with_answer: usize,
    pub survey_fcr_rate: Option<f64>,
    pub crm_fcr_rate: Option<f64>,
    pub disagreement_rate: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct RootCauses {
    /// Non-FCR episodes whose reasons were clustered.
    pub reasons: usize,
    pub uncategorised: usize,
    /// Extra contacts in all clustered episodes, categorised or not.
    pub extra_contacts: usize,
    /// The themes, best first: what the review ranks (version 5).
    pub themes: Vec<ThemeJson>,
    pub categories: Vec<CategoryJson>,
    /// Examples of the uncategorised, spread over them.
    pub uncategorised_examples: Vec<ExampleJson>,
    /// Episodes whose reason states no problem: never clustered or ranked.
    pub no_problem_stated: SetAsideJson,
    /// Phrases learned from the month as boilerplate and stripped from
    /// reasons (normalized: case folded, digit runs as `0`).
    pub boilerplate_removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SetAsideJson {
    pub episodes: usize,
    pub extra_contacts: usize,
    pub examples: Vec<ExampleJson>,
}

#[derive(Debug, Serialize)]
pub struct ExampleJson {
    pub contact_id: String,
    /// The reason as quoted (PII masked, one line).
    pub text: String,
}

fn examples(v: &[(String, String)]) -> Vec<ExampleJson> {
    v.iter()
        .map(|(id, t)| ExampleJson {
            contact_id: id.clone(),
            text: t.clone(),
        })
        .collect()
}

/// A theme: the categories of one issue, counted together (version 5).
#[derive(Debug, Serialize)]
pub struct ThemeJson {
    pub rank: usize,
    pub theme_id: String,
    pub name: String,
    pub keywords: Vec<String>,
    pub episodes: usize,
    pub extra_contacts: usize,
    pub customers: usize,
    pub share: f64,
    pub score: f64,
    pub cohesion: f64,
    /// Share of its episodes whose reason says its name (version 8).
    pub name_said_by: f64,
    /// Its category ids, best first.
    pub categories: Vec<String>,
    pub quotes: Vec<Quote>,
    /// Against last month, `null` without `--previous`.
    pub trend: Option<crate::model::CategoryTrend>,
}

#[derive(Debug, Serialize)]
pub struct CategoryJson {
    pub rank: usize,
    pub category_id: String,
    pub label: String,
    /// Its theme (version 5); empty for a known category with no case.
    pub theme_id: String,
    pub theme: String,
    pub keywords: Vec<String>,
    pub episodes: usize,
    pub extra_contacts: usize,
    pub customers: usize,
    pub share: f64,
    pub score: f64,
    pub score_explained: String,
    pub escalated: usize,
    pub transferred: usize,
    pub reopened: usize,
    pub survey_unresolved: usize,
    pub sensitive_episodes: usize,
    pub window_open_episodes: usize,
    pub avg_contacts_per_episode: f64,
    pub signals: BTreeMap<String, usize>,
    pub channels: BTreeMap<String, usize>,
    pub teams: BTreeMap<String, usize>,
    pub weeks: BTreeMap<String, usize>,
    pub quotes: Vec<Quote>,
    pub example_contact_ids: Vec<String>,
    pub drill_down: DrillDown,
    /// The `--taxonomy` key of a known category (version 2).
    pub taxonomy_key: Option<String>,
    /// Against last month, `null` without `--previous` (version 2).
    pub trend: Option<crate::model::CategoryTrend>,
    /// Mean cosine of the members to the centre (version 4).
    pub cohesion: f64,
    /// Share of its episodes whose reason says its name (version 8).
    pub name_said_by: f64,
}

#[derive(Debug, Serialize)]
pub struct Quote {
    pub contact_id: String,
    /// The customer's words with PII masked.
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct DrillDown {
    pub search: String,
    pub sample: String,
}

#[derive(Debug, Serialize)]
pub struct FcrBy {
    pub channel: Vec<Group>,
    pub team: Vec<Group>,
    pub week: Vec<Group>,
}

/// One channel, team or week; rows sorted by key.
#[derive(Debug, Serialize)]
pub struct Group {
    pub key: String,
    pub episodes: usize,
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub fcr_rate: Option<f64>,
    pub avg_contacts_per_resolved_issue: Option<f64>,
    pub customers: usize,
    pub repeat_customer_share: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct DataQuality {
    pub files_read: usize,
    pub files_empty: Vec<String>,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub ignored_values: BTreeMap<String, u64>,
    pub anonymous_contacts: u64,
    pub empty_text_contacts: u64,
}

#[derive(Debug, Serialize)]
pub struct ReportSettings {
    pub embedder: String,
    pub embedder_warning: Option<String>,
    /// True when no model was found and the lexical fallback ran.
    pub lexical_fallback: bool,
    pub repeat_window_secs: i64,
    pub repeat_window: String,
    pub fcr_basis: String,
    pub same_issue: String,
    pub fcr_signals: Vec<String>,
    pub timezone: String,
    pub categorise: String,
    pub rank_by: String,
    pub min_category_size: usize,
    pub seed: u64,
}

/// The lower-case name serde gives a settings enum.
pub(crate) fn enum_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn groups(m: &BTreeMap<String, GroupMetrics>) -> Vec<Group> {
    m.iter()
        .map(|(k, g)| Group {
            key: k.clone(),
            episodes: g.episodes,
            measured_episodes: g.measured_episodes,
            fcr_episodes: g.fcr_episodes,
            fcr_rate: g.fcr_rate,
            avg_contacts_per_resolved_issue: g.avg_contacts_per_resolved_issue,
            customers: g.customers,
            repeat_customer_share: g.repeat_customer_share,
        })
        .collect()
}

fn category(out_dir: &str, c: &RankedCategory) -> CategoryJson {
    let (search, sample) = drill_down(out_dir, c);
    CategoryJson {
        rank: c.rank,
        category_id: c.category_id.clone(),
        label: c.label.clone(),
        theme_id: c.theme_id.clone(),
        theme: c.theme.clone(),
        keywords: c.keywords.clone(),
        episodes: c.episodes,
        extra_contacts: c.extra_contacts,
        customers: c.customers,
        share: c.share,
        score: c.score,
        score_explained: c.score_explained.clone(),
        escalated: c.escalated,
        transferred: c.transferred,
        reopened: c.reopened,
        survey_unresolved: c.survey_unresolved,
        sensitive_episodes: c.sensitive_episodes,
        window_open_episodes: c.window_open_episodes,
        avg_contacts_per_episode: c.avg_contacts_per_episode,
        signals: c.signals.clone(),
        channels: c.channels.clone(),
        teams: c.teams.clone(),
        weeks: c.weeks.clone(),
        quotes: quotes(c),
        example_contact_ids: c.example_contact_ids.clone(),
        drill_down: DrillDown { search, sample },
        taxonomy_key: c.taxonomy_key.clone(),
        cohesion: (c.cohesion * 1000.0).round() / 1000.0,
        name_said_by: (c.name_said_by * 1000.0).round() / 1000.0,
        trend: c.trend.clone(),
    }
}

fn quotes(c: &RankedCategory) -> Vec<Quote> {
    c.quotes
        .iter()
        .map(|(id, text)| Quote {
            contact_id: id.clone(),
            text: text.clone(),
        })
        .collect()
}

fn theme(r: &Report, t: &RankedTheme) -> ThemeJson {
    let c = &t.figures;
    ThemeJson {
        rank: c.rank,
        theme_id: c.category_id.clone(),
        name: c.label.clone(),
        keywords: c.keywords.clone(),
        episodes: c.episodes,
        extra_contacts: c.extra_contacts,
        customers: c.customers,
        share: c.share,
        score: c.score,
        cohesion: (c.cohesion * 1000.0).round() / 1000.0,
        name_said_by: (c.name_said_by * 1000.0).round() / 1000.0,
        categories: t
            .categories
            .iter()
            .filter_map(|&i| r.categories.get(i))
            .map(|c| c.category_id.clone())
            .collect(),
        quotes: quotes(c),
        trend: c.trend.clone(),
    }
}

pub fn build(r: &Report) -> ReportJson {
    let m = r.metrics;
    let s = &m.settings;
    ReportJson {
        schema_version: SCHEMA_VERSION,
        generator: format!("recontact {}", env!("CARGO_PKG_VERSION")),
        period: Period {
            label: m.period.clone(),
            data_start: m.data_start.clone(),
            data_end: m.data_end.clone(),
        },
        out_dir: r.out_dir.clone(),
        changes: r.changes.cloned(),
        year: r.year.cloned(),
        headline: Headline {
            fcr_rate: m.fcr_rate,
            fcr_uncertainty: m.fcr_uncertainty.clone(),
            measured_episodes: m.measured_episodes,
            fcr_episodes: m.fcr_episodes,
            episodes: m.episodes,
            contacts: m.contacts,
            customer_contacts: m.customer_contacts,
            extra_contacts: m.repeat_contacts,
            avg_contacts_per_resolved_issue: m.avg_contacts_per_resolved_issue,
            customers: m.customers,
            repeat_customers: m.repeat_customers,
            repeat_customer_share: m.repeat_customer_share,
            one_time_resolution_rate: m.one_time_resolution_rate,
            survey: Survey {
                episodes_with_answer: m.survey.episodes_with_answer,
                survey_fcr_rate: m.survey.survey_fcr_rate,
                crm_fcr_rate: m.survey.crm_fcr_rate,
                disagreement_rate: m.survey.disagreement_rate,
            },
            window_open_episodes: m.window_open_episodes,
            window_open_non_fcr_episodes: m.window_open_non_fcr_episodes,
            non_fcr_signals: m.non_fcr_signals.clone(),
        },
        root_causes: RootCauses {
            reasons: r.reasons,
            uncategorised: r.uncategorised.episodes,
            extra_contacts: r.extra_contacts,
            themes: r.themes.iter().map(|t| theme(r, t)).collect(),
            categories: r
                .categories
                .iter()
                .map(|c| category(&r.out_dir, c))
                .collect(),
            uncategorised_examples: examples(&r.uncategorised.examples),
            no_problem_stated: SetAsideJson {
                episodes: r.no_problem_stated.episodes,
                extra_contacts: r.no_problem_stated.extra_contacts,
                examples: examples(&r.no_problem_stated.examples),
            },
            boilerplate_removed: r.boilerplate.iter().map(|p| p.to_string()).collect(),
        },
        fcr_by: FcrBy {
            channel: groups(&m.by_channel),
            team: groups(&m.by_team),
            week: groups(&m.by_week),
        },
        data_quality: DataQuality {
            files_read: m.input.files_read,
            files_empty: m.input.files_empty.clone(),
            rows_read: m.input.rows_read,
            rows_accepted: m.input.rows_accepted,
            rows_rejected: m.input.rows_rejected,
            rejected_by_reason: m.input.rejected_by_reason.clone(),
            ignored_values: m.input.ignored_values.clone(),
            anonymous_contacts: m.input.anonymous_contacts,
            empty_text_contacts: m.input.empty_text_contacts,
        },
        settings: ReportSettings {
            embedder: r.embedder.clone(),
            embedder_warning: r.embedder_warning.clone(),
            lexical_fallback: r.embedder_warning.is_some(),
            repeat_window_secs: s.repeat_window_secs,
            repeat_window: format_duration(s.repeat_window_secs),
            fcr_basis: enum_name(&s.fcr_basis),
            same_issue: enum_name(&s.same_issue),
            fcr_signals: s.fcr_signals.iter().map(|x| x.as_str().into()).collect(),
            timezone: s.timezone.clone(),
            categorise: enum_name(&s.categorise),
            rank_by: enum_name(&s.rank_by),
            min_category_size: s.min_category_size,
            seed: s.seed,
        },
    }
}

/// report.json's text: pretty-printed, ending in a newline.
pub fn render_json(r: &Report) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(&build(r))?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    const SCHEMA: &str = include_str!("../../docs/report.schema.json");

    fn validator() -> jsonschema::Validator {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        jsonschema::draft202012::new(&schema).expect("schema compiles")
    }

    fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
        v.iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }

    fn doc(r: &Report) -> serde_json::Value {
        serde_json::from_str(&render_json(r).unwrap()).unwrap()
    }

    #[test]
    fn reports_validate_against_the_schema() {
        let v = validator();
        let m = fixtures::metrics();
        let zh_he = vec![
            fixtures::category(0, "退款 没有 到账", &["退款"], "我的退款还没有到账"),
            fixtures::category(1, "הכרטיס לא הגיע", &["הכרטיס"], "הכרטיס לא הגיע"),
        ];
        for cats in [
            Vec::new(),
            fixtures::categories(1),
            fixtures::categories(1000),
            zh_he,
        ] {
            let mut r = fixtures::report(&m, &cats);
            if cats.len() == 1 {
                r.embedder_warning = Some("lexical fallback".into());
            }
            let d = doc(&r);
            let errs = errors(&v, &d);
            assert!(errs.is_empty(), "{} categories: {errs:#?}", cats.len());
            assert_eq!(d["schema_version"], SCHEMA_VERSION);
            assert_eq!(
                d["root_causes"]["categories"].as_array().unwrap().len(),
                cats.len()
            );
        }
    }

    #[test]
    fn the_schema_rejects_drift() {
        let v = validator();
        let m = fixtures::metrics();
        let cats = fixtures::categories(2);
        let good = doc(&fixtures::report(&m, &cats));
        assert!(errors(&v, &good).is_empty());
        // An unknown field, a missing one, a wrong type, a wrong version.
        let mut d = good.clone();
        d["headline"]["surprise"] = 1.into();
        assert!(!errors(&v, &d).is_empty(), "unknown field");
        let mut d = good.clone();
        d["root_causes"]["categories"][1]
            .as_object_mut()
            .unwrap()
            .remove("extra_contacts");
        assert!(!errors(&v, &d).is_empty(), "missing field");
        let mut d = good.clone();
        d["headline"]["fcr_rate"] = "high".into();
        assert!(!errors(&v, &d).is_empty(), "wrong type");
        let mut d = good;
        d["schema_version"] = 1.into();
        assert!(!errors(&v, &d).is_empty(), "other version");
    }

    #[test]
    fn schema_version_matches_the_schema_file() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            SCHEMA_VERSION
        );
    }

    #[test]
    fn same_data_as_the_other_formats() {
        let m = fixtures::metrics();
        let cats = fixtures::categories(3);
        let r = fixtures::report(&m, &cats);
        let d = doc(&r);
        assert_eq!(d["headline"]["fcr_rate"], serde_json::json!(m.fcr_rate));
        assert_eq!(d["headline"]["extra_contacts"], m.repeat_contacts);
        let c = &d["root_causes"]["categories"][0];
        assert_eq!(c["category_id"], "CAT-0001");
        assert_eq!(c["quotes"][0]["text"], cats[0].quotes[0].1);
        assert_eq!(
            c["drill_down"]["sample"],
            "recontact sample out/2026-10 --category CAT-0001"
        );
        assert_eq!(d["settings"]["fcr_basis"], "contact");
        assert_eq!(d["settings"]["rank_by"], "extra_contacts");
        assert_eq!(d["data_quality"]["rejected_by_reason"]["bad_timestamp"], 2);
        assert_eq!(d["fcr_by"]["channel"][0]["key"], "chat");
        assert_eq!(render_json(&r).unwrap(), render_json(&r).unwrap());
    }
}
