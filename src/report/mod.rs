//! Report stage: the product-feedback report. All of its data is in one
//! struct ([`Report`]); every format renders that same struct: Markdown
//! (here), self-contained HTML ([`html`], charts from [`svg`]) and versioned
//! JSON ([`json`]).

use std::fmt::Write as _;

use crate::metrics::Metrics;
use crate::model::SetAside;
use crate::rank::{RankedCategory, RankedTheme};

pub mod html;
pub mod i18n;
pub mod json;
pub mod svg;
mod year_md;

use crate::settings::ReportLanguage;
use i18n::{tr, Messages};

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

/// A theme's categories for a table cell: "name `CAT-…` (extra contacts)"
/// each, best first; a theme of one category says so.
fn theme_categories(r: &Report, t: &RankedTheme) -> String {
    if let [i] = t.categories.as_slice() {
        if let Some(c) = r.categories.get(*i) {
            return tr!(
                r.messages(),
                "top10.one_category",
                link = format!("`{}`", c.category_id)
            );
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
fn examples_md(m: &Messages, examples: &[(String, String)]) -> String {
    if examples.is_empty() {
        return m.get("common.end").into();
    }
    let quoted: Vec<String> = examples
        .iter()
        .map(|(id, t)| format!("“{}” ({id})", cell(&truncate(t, 120))))
        .collect();
    m.fmt(
        "common.examples",
        &[("quotes", &quoted.join(m.get("common.list_sep")))],
    )
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

/// Names from the data's vocabulary with their counts ("repeat contact 25,
/// reopened 5"), in the report's language.
fn term_counts<'a, V: std::fmt::Display>(
    t: &Messages,
    table: &str,
    counts: impl Iterator<Item = (&'a String, V)>,
) -> String {
    counts
        .map(|(k, v)| format!("{} {v}", t.term(table, k)))
        .collect::<Vec<_>>()
        .join(t.get("common.list_sep"))
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

/// "What changed since last month": first in the report.
fn changes_markdown(o: &mut String, t: &Messages, ch: &crate::trend::Changes) {
    let _ = writeln!(o, "## {}\n", tr!(t, "changes.title"));
    let _ = writeln!(
        o,
        "{}\n",
        tr!(
            t,
            "changes.compared",
            previous = format!("`{}`", ch.previous_out_dir),
            start = t.date(&ch.previous_data_start),
            end = t.date(&ch.previous_data_end),
            now = ch.reasons,
            then = ch.prev_reasons,
            by = t.term("matched_by", &ch.matched_by)
        )
    );
    if let Some(w) = &ch.warning {
        let _ = writeln!(o, "> **{}** {w}\n", tr!(t, "md.warning_label"));
    }
    let f = &ch.fcr.overall;
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "changes.fcr_label"),
        tr!(
            t,
            "changes.fcr",
            then = t.pct(f.prev_fcr_rate),
            now = t.pct(f.fcr_rate),
            delta = points(t, f.delta),
            p = p_text(t, f.p_value),
            verdict = if f.significant {
                tr!(t, "changes.significant")
            } else {
                tr!(t, "changes.not_significant")
            }
        )
    );
    let moved: Vec<String> = ch
        .fcr
        .by_channel
        .iter()
        .map(|g| ("changes.channel", g))
        .chain(ch.fcr.by_team.iter().map(|g| ("changes.team", g)))
        .filter(|(_, g)| g.significant)
        .map(|(what, g)| {
            let name = if g.key.is_empty() {
                t.get("common.none_key")
            } else {
                g.key.as_str()
            };
            t.fmt(what, &[("name", &name), ("delta", &points(t, g.delta))])
        })
        .collect();
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "changes.moves_label"),
        if moved.is_empty() {
            tr!(t, "common.none").to_string()
        } else {
            moved.join(t.get("common.list_sep"))
        }
    );
    let list = |o: &mut String, title: &str, v: &[crate::trend::ChangedCategory], n: usize| {
        let _ = writeln!(o, "\n### {}\n", t.fmt(title, &[("n", &v.len())]));
        if v.is_empty() {
            let _ = writeln!(o, "{}", tr!(t, "common.none_sentence"));
            return;
        }
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.category",
                    "changes.col_now",
                    "changes.col_last_month",
                    "changes.col_change",
                    "changes.col_share_now",
                    "changes.col_share_then",
                    "changes.col_test",
                    "changes.col_from",
                ]
            )
        );
        for c in v.iter().take(n) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {} | {:.1}% | {:.1}% | {} | {} |",
                cell(&c.label),
                c.category_id,
                c.episodes,
                c.prev_episodes,
                t.ltr(&format!("{:+}", c.episodes_delta)),
                c.episode_share * 100.0,
                c.prev_episode_share * 100.0,
                p_text(t, c.p_value),
                c.matched_from.join(" + ")
            );
        }
        if v.len() > n {
            let _ = writeln!(o, "\n{}", tr!(t, "md.more_in_csv", n = v.len() - n));
        }
    };
    list(o, "changes.new", &ch.new, 10);
    list(o, "changes.rising", &ch.rising, 10);
    list(o, "changes.falling", &ch.falling, 10);
    let _ = writeln!(
        o,
        "\n### {}\n",
        tr!(t, "changes.vanished", n = ch.vanished.len())
    );
    if ch.vanished.is_empty() {
        let _ = writeln!(o, "{}", tr!(t, "common.none_sentence"));
    } else {
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.category",
                    "changes.col_episodes_last_month",
                    "changes.col_extra_last_month",
                    "changes.col_keywords",
                    "changes.col_test",
                ]
            )
        );
        for v in ch.vanished.iter().take(10) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {} | {} |",
                cell(&v.label),
                v.category_id,
                v.prev_episodes,
                v.prev_extra_contacts,
                cell(&v.keywords.join(t.get("common.list_sep"))),
                p_text(t, v.p_value)
            );
        }
    }
    if !ch.split.is_empty() || !ch.merged.is_empty() {
        let _ = writeln!(o, "\n### {}\n", tr!(t, "changes.splits"));
        for c in &ch.split {
            let _ = writeln!(
                o,
                "- {}",
                tr!(
                    t,
                    "changes.split_from",
                    category = format!("{} `{}`", c.label, c.category_id),
                    from = c.matched_from.join(", ")
                )
            );
        }
        for c in &ch.merged {
            let _ = writeln!(
                o,
                "- {}",
                tr!(
                    t,
                    "changes.merged",
                    category = format!("{} `{}`", c.label, c.category_id),
                    from = c.matched_from.join(" + ")
                )
            );
        }
    }
    if !ch.known_without_cases.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            tr!(
                t,
                "changes.known_without_cases",
                ids = ch.known_without_cases.join(", ")
            )
        );
    }
    let _ = writeln!(
        o,
        "\n_{}_\n",
        tr!(t, "changes.test", test = trend_test(t, ch))
    );
}

/// A Markdown table's header and rule, one column per message key.
fn md_head(t: &Messages, keys: &[&str]) -> String {
    let names: Vec<&str> = keys.iter().map(|k| t.get(k)).collect();
    format!("| {} |\n|{}", names.join(" | "), "---|".repeat(keys.len()))
}

pub fn render_markdown(r: &Report) -> String {
    let m = r.metrics;
    let t = r.messages();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}\n",
        tr!(
            t,
            "page.title",
            period = m.period,
            start = t.date(&m.data_start),
            end = t.date(&m.data_end)
        )
    );
    if let Some(w) = &r.embedder_warning {
        let _ = writeln!(o, "> **{}** {w}\n", tr!(t, "md.warning_label"));
    }
    if let Some(ch) = r.changes {
        changes_markdown(&mut o, t, ch);
    }
    if let Some(y) = r.year {
        year_md::year_markdown(&mut o, t, y, r.themes);
    }
    let _ = writeln!(o, "## {}\n", tr!(t, "headline.title"));
    if let Some(c) = caveat(t, m) {
        let _ = writeln!(o, "> **{}** {c}\n", tr!(t, "md.caveat_label"));
    }
    let _ = writeln!(o, "{}", md_head(t, &["md.measure", "md.value"]));
    let pct = |v: Option<f64>| t.pct(v);
    // A figure the month has no data for is left out, as on the page.
    let rows: Vec<(&str, String, bool)> = vec![
        (
            tr!(t, "md.fcr"),
            tr!(
                t,
                "md.fcr_value",
                rate = pct(m.fcr_rate),
                measured = m.measured_episodes,
                interval = fcr_interval(t, m).map_or_else(String::new, |i| format!("; {i}"))
            ),
            true,
        ),
        (
            tr!(t, "md.episodes_contacts"),
            format!("{} / {}", m.episodes, m.contacts),
            true,
        ),
        (tr!(t, "md.extra"), format!("{}", m.repeat_contacts), true),
        (
            tr!(t, "md.per_resolved"),
            m.avg_contacts_per_resolved_issue
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| t.na().into()),
            m.avg_contacts_per_resolved_issue.is_some(),
        ),
        (
            tr!(t, "md.repeat_customers"),
            tr!(
                t,
                "md.repeat_customers_value",
                share = pct(m.repeat_customer_share),
                repeat = m.repeat_customers,
                customers = m.customers
            ),
            true,
        ),
        (
            tr!(t, "md.one_time"),
            pct(m.one_time_resolution_rate),
            m.closed_tickets > 0,
        ),
        (
            tr!(t, "md.survey"),
            tr!(
                t,
                "md.survey_value",
                survey = pct(m.survey.survey_fcr_rate),
                crm = pct(m.survey.crm_fcr_rate),
                answered = m.survey.episodes_with_answer,
                disagree = pct(m.survey.disagreement_rate)
            ),
            m.survey.episodes_with_answer > 0,
        ),
        (
            tr!(t, "md.open"),
            tr!(
                t,
                "md.open_value",
                open = m.window_open_episodes,
                non_fcr = m.window_open_non_fcr_episodes
            ),
            true,
        ),
    ];
    for (k, v, _) in rows.iter().filter(|r| r.2) {
        let _ = writeln!(o, "| {} | {} |", k, cell(v));
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## {}\n", tr!(t, "top10.title"));
    if r.themes.is_empty() {
        let key = no_recurring_reason(r.reasons);
        let _ = writeln!(o, "{}\n", t.fmt(key, &[("n", &r.reasons)]));
    } else {
        let _ = writeln!(o, "{}\n", tr!(t, "md.ranked_by_theme"));
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.rank",
                    "col.theme",
                    "col.extra",
                    "col.share",
                    "col.episodes",
                    "col.categories",
                    "col.said",
                ]
            )
        );
        for th in r.themes.iter().take(10) {
            let c = &th.figures;
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
                cell(&theme_categories(r, th)),
                cell(&quotes.join(" "))
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "## {}\n", tr!(t, "md.every_theme"));
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.rank",
                    "col.theme",
                    "col.extra",
                    "col.share",
                    "col.episodes",
                    "col.customers",
                    "col.trend",
                    "col.categories",
                ]
            )
        );
        for th in r.themes {
            let c = &th.figures;
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
                c.trend
                    .as_ref()
                    .map_or(String::new(), |x| t.term("flag", x.flag.as_str())),
                cell(&theme_categories(r, th))
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## {}\n", tr!(t, "card.title"));
    for c in r.categories {
        category_markdown(&mut o, r, c);
    }
    if r.uncategorised.episodes > 0 {
        let _ = writeln!(
            o,
            "{}{}\n",
            tr!(
                t,
                "md.uncategorised",
                n = r.uncategorised.episodes,
                reasons = r.reasons
            ),
            examples_md(t, &r.uncategorised.examples)
        );
    }
    if r.no_problem_stated.episodes > 0 {
        let _ = writeln!(
            o,
            "{}{}\n",
            tr!(t, "md.no_problem", n = r.no_problem_stated.episodes),
            examples_md(t, &r.no_problem_stated.examples)
        );
    }
    if !r.boilerplate.is_empty() {
        let _ = writeln!(
            o,
            "{}\n",
            tr!(
                t,
                "md.boilerplate",
                phrases = r
                    .boilerplate
                    .iter()
                    .map(|p| format!("“{p}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }

    let s = &m.settings;
    let _ = writeln!(o, "## {}\n", tr!(t, "settings.title"));
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.input",
            read = m.input.rows_read,
            accepted = m.input.rows_accepted,
            rejected = m.input.rows_rejected,
            reasons = if m.input.rejected_by_reason.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    term_counts(t, "rejected", m.input.rejected_by_reason.iter())
                )
            }
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(t, "md.embedder", embedder = embedder_text(t, r))
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.settings",
            window = t.duration(s.repeat_window_secs),
            same_issue = t.term("same_issue", &json::enum_name(&s.same_issue)),
            basis = t.term("fcr_basis", &json::enum_name(&s.fcr_basis)),
            signals = s
                .fcr_signals
                .iter()
                .map(|x| t.term("signal", x.as_str()))
                .collect::<Vec<_>>()
                .join(t.get("common.list_sep"))
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.categorised",
            categorise = t.term("categorise", &json::enum_name(&s.categorise)),
            rank_by = t.term("rank_by", &json::enum_name(&s.rank_by)),
            language = t.lang().tag()
        )
    );
    o
}

/// One category's entry in report.md.
fn category_markdown(o: &mut String, r: &Report, c: &RankedCategory) {
    let t = r.messages();
    let _ = writeln!(o, "### {}. {} (`{}`)\n", c.rank, c.label, c.category_id);
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.keywords_label"),
        c.keywords.join(t.get("common.list_sep"))
    );
    if !c.theme_id.is_empty() {
        let _ = writeln!(
            o,
            "- **{}** {} (`{}`)",
            tr!(t, "md.theme_label"),
            c.theme,
            c.theme_id
        );
    }
    if let Some(x) = &c.trend {
        let _ = writeln!(
            o,
            "- **{}** {}",
            tr!(t, "md.since_label"),
            tr!(
                t,
                "md.since",
                flag = t.term("flag", x.flag.as_str()),
                prev = x.prev_episodes,
                now = x.prev_episodes as i64 + x.episodes_delta,
                delta = t.ltr(&format!("{:+}", x.episodes_delta)),
                ps = format!("{:.1}", x.prev_episode_share * 100.0),
                ns = format!("{:.1}", x.episode_share * 100.0),
                p = p_text(t, x.p_value),
                from = if x.matched_from.is_empty() {
                    String::new()
                } else {
                    tr!(t, "md.since_from", ids = x.matched_from.join(" + "))
                }
            )
        );
    }
    if let Some(k) = &c.taxonomy_key {
        let _ = writeln!(o, "- **{}** `{k}` (--taxonomy)", tr!(t, "md.known_label"));
    }
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.impact_label"),
        tr!(
            t,
            "md.impact",
            episodes = c.episodes,
            extra = c.extra_contacts,
            share = format!("{:.1}", c.share * 100.0),
            customers = c.customers,
            per_episode = format!("{:.2}", c.avg_contacts_per_episode)
        )
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.signals_label"),
        term_counts(t, "signal", c.signals.iter())
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.also_label"),
        tr!(
            t,
            "md.also",
            escalated = c.escalated,
            transferred = c.transferred,
            reopened = c.reopened,
            survey = c.survey_unresolved,
            sensitive = c.sensitive_episodes,
            open = c.window_open_episodes
        )
    );
    let top = |m: &std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(5)
            .map(|(k, n)| {
                let k = if k.is_empty() {
                    t.get("common.none_key")
                } else {
                    k.as_str()
                };
                format!("{k} {n}")
            })
            .collect::<Vec<_>>()
            .join(t.get("common.list_sep"))
    };
    let _ = writeln!(
        o,
        "- **{}** {}; **{}** {}",
        tr!(t, "md.channels_label"),
        top(&c.channels),
        tr!(t, "md.teams_label"),
        top(&c.teams)
    );
    let _ = writeln!(
        o,
        "- **{}** {} — {}",
        tr!(t, "md.score_label"),
        c.score,
        score_explained(t, c)
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.examples_label"),
        c.example_contact_ids.join(", ")
    );
    let (search, sample) = drill_down(&r.out_dir, c);
    let _ = writeln!(
        o,
        "- **{}** `{search}` · `{sample}`",
        tr!(t, "md.drill_label")
    );
    for (id, q) in &c.quotes {
        let _ = writeln!(o, "  > “{}” — {}", truncate(&q.replace('\n', " "), 300), id);
    }
    let _ = writeln!(o);
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
