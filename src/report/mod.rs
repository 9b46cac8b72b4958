//! Report stage: the product-feedback report. All of its data is in one
//! struct ([`Report`]); every format renders that same struct: Markdown
//! (here), self-contained HTML ([`html`], charts from [`svg`]) and versioned
//! JSON ([`json`]).

use std::fmt::Write as _;

use crate::metrics::Metrics;
use crate::model::SetAside;
use crate::rank::{RankedCategory, RankedTheme};
use crate::settings::format_duration;

pub mod html;
pub mod json;
pub mod svg;

pub use html::render_html;
pub use json::{render_json, ReportJson, SCHEMA_VERSION};

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
    /// Episodes whose reason states no problem (thanks, "ok", auto-replies):
    /// never clustered or ranked.
    pub no_problem_stated: &'a SetAside,
    /// Phrases learned from the month as boilerplate and stripped.
    pub boilerplate: Vec<&'a str>,
    /// Extra contacts in all non-FCR episodes (categorised or not).
    pub extra_contacts: usize,
    pub embedder: String,
    /// Set when no model was available and the lexical fallback ran.
    pub embedder_warning: Option<String>,
    pub categorise: String,
    pub rank_by: String,
    /// The output folder as the user passed it to `--out`, for the
    /// drill-down commands the report prints.
    pub out_dir: String,
    /// "What changed since last month" (`--previous`).
    pub changes: Option<&'a crate::trend::Changes>,
}

/// A theme's categories for a table cell: "name `CAT-…` (extra contacts)"
/// each, best first; a theme of one category says so.
fn theme_categories(r: &Report, t: &RankedTheme) -> String {
    if let [i] = t.categories.as_slice() {
        if let Some(c) = r.categories.get(*i) {
            return format!("the category `{}`", c.category_id);
        }
    }
    t.categories
        .iter()
        .filter_map(|&i| r.categories.get(i))
        .map(|c| format!("{} `{}` ({})", c.label, c.category_id, c.extra_contacts))
        .collect::<Vec<_>>()
        .join("; ")
}

/// ": “a” (C1), “b” (C2)." or "." when there are none.
fn examples_md(examples: &[(String, String)]) -> String {
    if examples.is_empty() {
        return ".".into();
    }
    let quoted: Vec<String> = examples
        .iter()
        .map(|(id, t)| format!("“{}” ({id})", cell(&truncate(t, 120))))
        .collect();
    format!(": {}.", quoted.join(", "))
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

/// "95 % interval 68.6–72.4 %" for the headline FCR, when there is one.
pub(crate) fn fcr_interval(m: &Metrics) -> Option<String> {
    let u = &m.fcr_uncertainty;
    let (lo, hi) = (u.low?, u.high?);
    let what = if u.linking.is_some() {
        "sampling and same-issue linking"
    } else {
        "sampling"
    };
    Some(format!(
        "95 % interval {:.1}–{:.1} % ({what})",
        lo * 100.0,
        hi * 100.0
    ))
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "n/a".into())
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A change in percentage points: `+2.1 pts`.
pub(crate) fn points(v: Option<f64>) -> String {
    v.map(|x| format!("{:+.1} pts", x * 100.0))
        .unwrap_or_else(|| "n/a".into())
}

/// A p-value for people: `p = 0.003` / `p < 0.000001`.
pub(crate) fn p_text(p: Option<f64>) -> String {
    match p {
        None => "not tested".into(),
        Some(p) if p < 1e-6 => "p < 0.000001".into(),
        Some(p) => format!("p = {}", crate::report::round_sig(p)),
    }
}

pub(crate) fn round_sig(p: f64) -> String {
    if p >= 0.01 {
        format!("{p:.2}")
    } else {
        format!("{p:.1e}")
    }
}

/// "What changed since last month": first in the report.
fn changes_markdown(o: &mut String, ch: &crate::trend::Changes) {
    let _ = writeln!(o, "## What changed since last month\n");
    let _ = writeln!(
        o,
        "Compared with `{}` ({} to {}): {} non-FCR episodes clustered now, {} then; categories matched by {}.\n",
        ch.previous_out_dir,
        &ch.previous_data_start[..10.min(ch.previous_data_start.len())],
        &ch.previous_data_end[..10.min(ch.previous_data_end.len())],
        ch.reasons,
        ch.prev_reasons,
        ch.matched_by
    );
    if let Some(w) = &ch.warning {
        let _ = writeln!(o, "> **Warning:** {w}\n");
    }
    let f = &ch.fcr.overall;
    let _ = writeln!(
        o,
        "- **FCR:** {} → {} ({}, {}{})",
        pct(f.prev_fcr_rate),
        pct(f.fcr_rate),
        points(f.delta),
        p_text(f.p_value),
        if f.significant {
            ", significant"
        } else {
            ", not significant"
        }
    );
    let moved: Vec<String> = ch
        .fcr
        .by_channel
        .iter()
        .map(|g| ("channel", g))
        .chain(ch.fcr.by_team.iter().map(|g| ("team", g)))
        .filter(|(_, g)| g.significant)
        .map(|(what, g)| format!("{what} {} {}", g.key, points(g.delta)))
        .collect();
    let _ = writeln!(
        o,
        "- **FCR by channel/team, significant moves:** {}",
        if moved.is_empty() {
            "none".to_string()
        } else {
            moved.join(", ")
        }
    );
    let list = |o: &mut String, title: &str, v: &[crate::trend::ChangedCategory], n: usize| {
        let _ = writeln!(o, "\n### {title} ({})\n", v.len());
        if v.is_empty() {
            let _ = writeln!(o, "None.");
            return;
        }
        let _ = writeln!(
            o,
            "| category | episodes now | last month | change | share now | share then | test | from |\n|---|---|---|---|---|---|---|---|"
        );
        for c in v.iter().take(n) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {:+} | {:.1}% | {:.1}% | {} | {} |",
                cell(&c.label),
                c.category_id,
                c.episodes,
                c.prev_episodes,
                c.episodes_delta,
                c.episode_share * 100.0,
                c.prev_episode_share * 100.0,
                p_text(c.p_value),
                c.matched_from.join(" + ")
            );
        }
        if v.len() > n {
            let _ = writeln!(o, "\n…and {} more in categories.csv.", v.len() - n);
        }
    };
    list(o, "New issues", &ch.new, 10);
    list(o, "Biggest significant risers", &ch.rising, 10);
    list(o, "Biggest significant fallers", &ch.falling, 10);
    let _ = writeln!(
        o,
        "\n### Vanished issues — did a fix land? ({})\n",
        ch.vanished.len()
    );
    if ch.vanished.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(
            o,
            "| category | episodes last month | extra contacts last month | keywords | test |\n|---|---|---|---|---|"
        );
        for v in ch.vanished.iter().take(10) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {} | {} |",
                cell(&v.label),
                v.category_id,
                v.prev_episodes,
                v.prev_extra_contacts,
                cell(&v.keywords.join(", ")),
                p_text(v.p_value)
            );
        }
    }
    if !ch.split.is_empty() || !ch.merged.is_empty() {
        let _ = writeln!(o, "\n### Splits and merges\n");
        for c in &ch.split {
            let _ = writeln!(
                o,
                "- {} `{}` split from {}",
                c.label,
                c.category_id,
                c.matched_from.join(", ")
            );
        }
        for c in &ch.merged {
            let _ = writeln!(
                o,
                "- {} `{}` merged {}",
                c.label,
                c.category_id,
                c.matched_from.join(" + ")
            );
        }
    }
    if !ch.known_without_cases.is_empty() {
        let _ = writeln!(
            o,
            "\nKnown categories with no case this month: {}.",
            ch.known_without_cases.join(", ")
        );
    }
    let _ = writeln!(o, "\n_Test: {}._\n", ch.test);
}

pub fn render_markdown(r: &Report) -> String {
    let m = r.metrics;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Why customers came back — {} ({} to {})\n",
        m.period,
        &m.data_start[..10.min(m.data_start.len())],
        &m.data_end[..10.min(m.data_end.len())]
    );
    if let Some(w) = &r.embedder_warning {
        let _ = writeln!(o, "> **Warning:** {w}\n");
    }
    if let Some(ch) = r.changes {
        changes_markdown(&mut o, ch);
    }
    let _ = writeln!(o, "## Headline\n");
    if let Some(c) = &m.fcr_uncertainty.caveat {
        let _ = writeln!(o, "> **Caveat:** {c}\n");
    }
    let _ = writeln!(o, "| measure | value |\n|---|---|");
    let rows: Vec<(String, String)> = vec![
        (
            "First contact resolution (FCR)".into(),
            format!(
                "{} of {} measured episodes{}",
                pct(m.fcr_rate),
                m.measured_episodes,
                fcr_interval(m).map_or_else(String::new, |i| format!("; {i}"))
            ),
        ),
        (
            "Episodes / contacts".into(),
            format!("{} / {}", m.episodes, m.contacts),
        ),
        (
            "Extra contacts (customer contacts beyond the first)".into(),
            format!("{}", m.repeat_contacts),
        ),
        (
            "Customer contacts per resolved issue".into(),
            m.avg_contacts_per_resolved_issue
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "n/a".into()),
        ),
        (
            "Customers who needed ≥ 2 contacts for one issue".into(),
            format!(
                "{} ({} of {})",
                pct(m.repeat_customer_share),
                m.repeat_customers,
                m.customers
            ),
        ),
        (
            "One-time resolution (tickets never reopened)".into(),
            pct(m.one_time_resolution_rate),
        ),
        (
            "FCR by survey vs CRM".into(),
            format!(
                "{} vs {} on {} answered episodes ({} disagree)",
                pct(m.survey.survey_fcr_rate),
                pct(m.survey.crm_fcr_rate),
                m.survey.episodes_with_answer,
                pct(m.survey.disagreement_rate)
            ),
        ),
        (
            "Window still open at the data's end (reported apart)".into(),
            format!(
                "{} episodes ({} already non-FCR)",
                m.window_open_episodes, m.window_open_non_fcr_episodes
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "| {} | {} |", k, cell(&v));
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## Top 10 reasons customers had to come back\n");
    if r.themes.is_empty() {
        let _ = writeln!(
            o,
            "No recurring reason: {} non-FCR episodes{}.\n",
            r.reasons,
            if r.reasons > 0 {
                ", none in a category of the minimum size"
            } else {
                ""
            }
        );
    } else {
        let _ = writeln!(
            o,
            "Ranked by theme; a theme gathers the categories of one issue.\n"
        );
        let _ = writeln!(o, "| rank | theme | extra contacts | share | episodes | categories | what customers said |");
        let _ = writeln!(o, "|---|---|---|---|---|---|---|");
        for t in r.themes.iter().take(10) {
            let c = &t.figures;
            let quotes: Vec<String> = c
                .quotes
                .iter()
                .take(2)
                .map(|(_, q)| format!("“{}”", truncate(q, 120)))
                .collect();
            let _ = writeln!(
                o,
                "| {} | {} `{}` | {} | {:.1}% | {} | {} | {} |",
                c.rank,
                cell(&c.label),
                c.category_id,
                c.extra_contacts,
                c.share * 100.0,
                c.episodes,
                cell(&theme_categories(r, t)),
                cell(&quotes.join(" "))
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "## Every theme\n");
        let _ = writeln!(
            o,
            "| rank | theme | extra contacts | share | episodes | customers | trend | categories |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|");
        for t in r.themes {
            let c = &t.figures;
            let _ = writeln!(
                o,
                "| {} | {} `{}` | {} | {:.1}% | {} | {} | {} | {} |",
                c.rank,
                cell(&c.label),
                c.category_id,
                c.extra_contacts,
                c.share * 100.0,
                c.episodes,
                c.customers,
                c.trend.as_ref().map_or("", |t| t.flag.as_str()),
                cell(&theme_categories(r, t))
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Every category\n");
    for c in r.categories {
        let _ = writeln!(o, "### {}. {} (`{}`)\n", c.rank, c.label, c.category_id);
        let _ = writeln!(o, "- **Keywords:** {}", c.keywords.join(", "));
        if !c.theme_id.is_empty() {
            let _ = writeln!(o, "- **Theme:** {} (`{}`)", c.theme, c.theme_id);
        }
        if let Some(t) = &c.trend {
            let _ = writeln!(
                o,
                "- **Since last month:** {} — {} → {} episodes ({:+}), share {:.1}% → {:.1}%, {}{}",
                t.flag.as_str(),
                t.prev_episodes,
                t.prev_episodes as i64 + t.episodes_delta,
                t.episodes_delta,
                t.prev_episode_share * 100.0,
                t.episode_share * 100.0,
                p_text(t.p_value),
                if t.matched_from.is_empty() {
                    String::new()
                } else {
                    format!(" (from {})", t.matched_from.join(" + "))
                }
            );
        }
        if let Some(k) = &c.taxonomy_key {
            let _ = writeln!(o, "- **Known category:** `{k}` (--taxonomy)");
        }
        let _ = writeln!(
            o,
            "- **Impact:** {} episodes, {} extra contacts ({:.1}% of all), {} customers, {:.2} customer contacts per episode",
            c.episodes,
            c.extra_contacts,
            c.share * 100.0,
            c.customers,
            c.avg_contacts_per_episode
        );
        let _ = writeln!(
            o,
            "- **Signals:** {}",
            c.signals
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            o,
            "- **Also:** escalated {}, transferred {}, reopened {}, survey unresolved {}, sensitive segments {}, window still open {}",
            c.escalated, c.transferred, c.reopened, c.survey_unresolved, c.sensitive_episodes, c.window_open_episodes
        );
        let top = |m: &std::collections::BTreeMap<String, usize>| {
            let mut v: Vec<(&String, &usize)> = m.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            v.iter()
                .take(5)
                .map(|(k, n)| format!("{} {}", if k.is_empty() { "(none)" } else { k.as_str() }, n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            o,
            "- **Channels:** {}; **teams:** {}",
            top(&c.channels),
            top(&c.teams)
        );
        let _ = writeln!(o, "- **Score:** {} — {}", c.score, c.score_explained);
        let _ = writeln!(o, "- **Examples:** {}", c.example_contact_ids.join(", "));
        let (search, sample) = drill_down(&r.out_dir, c);
        let _ = writeln!(o, "- **Drill down:** `{search}` · `{sample}`");
        for (id, q) in &c.quotes {
            let _ = writeln!(o, "  > “{}” — {}", truncate(&q.replace('\n', " "), 300), id);
        }
        let _ = writeln!(o);
    }
    if r.uncategorised.episodes > 0 {
        let _ = writeln!(
            o,
            "{} of {} non-FCR episodes fit no category (uncategorised){}\n",
            r.uncategorised.episodes,
            r.reasons,
            examples_md(&r.uncategorised.examples)
        );
    }
    if r.no_problem_stated.episodes > 0 {
        let _ = writeln!(
            o,
            "{} non-FCR episodes state no problem (thanks, \"ok\", auto-replies; not ranked){}\n",
            r.no_problem_stated.episodes,
            examples_md(&r.no_problem_stated.examples)
        );
    }
    if !r.boilerplate.is_empty() {
        let _ = writeln!(
            o,
            "Template phrases found across unrelated contacts this month, left out of reasons: {}.\n",
            r.boilerplate
                .iter()
                .map(|p| format!("“{p}”"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let s = &m.settings;
    let _ = writeln!(o, "## Settings and data quality\n");
    let _ = writeln!(
        o,
        "- Input: {} rows read, {} accepted, {} rejected{}",
        m.input.rows_read,
        m.input.rows_accepted,
        m.input.rows_rejected,
        if m.input.rejected_by_reason.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                m.input
                    .rejected_by_reason
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let _ = writeln!(o, "- Embedder: {}", r.embedder);
    let _ = writeln!(
        o,
        "- Repeat window {}, same issue by {:?}, FCR basis {:?}, FCR signals {}",
        format_duration(s.repeat_window_secs),
        s.same_issue,
        s.fcr_basis,
        s.fcr_signals
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "- Categorised: {}; ranked by {}",
        r.categorise, r.rank_by
    );
    o
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
            score_explained: "episodes + extra contacts (no severity weights apply)".into(),
            example_contact_ids: vec![format!("c{i}"), format!("r{i}")],
            quotes: vec![(format!("c{i}"), quote.into())],
            channels: BTreeMap::from([("phone".to_string(), extra)]),
            teams: BTreeMap::from([("cards".to_string(), extra)]),
            weeks: BTreeMap::from([("2026-W39".to_string(), extra)]),
            signals: BTreeMap::from([("repeat_contact".to_string(), extra)]),
            episode_indices: Vec::new(),
            category_index: Some(i),
            cohesion: 0.8,
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
            embedder_warning: None,
            categorise: "NonFcr".into(),
            rank_by: "ExtraContacts".into(),
            out_dir: "out/2026-10".into(),
            changes: None,
        }
    }
}
