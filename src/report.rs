//! Report stage: the product-feedback report. All of its data is in one
//! struct ([`Report`]) so more formats (HTML, JSON) can render the same.

use std::fmt::Write as _;

use serde::Serialize;

use crate::metrics::Metrics;
use crate::rank::RankedCategory;
use crate::settings::format_duration;

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub metrics: &'a Metrics,
    pub categories: &'a [RankedCategory],
    /// Non-FCR episodes whose reasons were clustered.
    pub reasons: usize,
    pub uncategorised: usize,
    /// Extra contacts in all non-FCR episodes (categorised or not).
    pub extra_contacts: usize,
    pub embedder: String,
    /// Set when no model was available and the lexical fallback ran.
    pub embedder_warning: Option<String>,
    pub categorise: String,
    pub rank_by: String,
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "n/a".into())
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

pub fn render_markdown(r: &Report) -> String {
    let m = r.metrics;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Why customers came back — {} to {}\n",
        &m.data_start[..10.min(m.data_start.len())],
        &m.data_end[..10.min(m.data_end.len())]
    );
    if let Some(w) = &r.embedder_warning {
        let _ = writeln!(o, "> **Warning:** {w}\n");
    }
    let _ = writeln!(o, "## Headline\n");
    let _ = writeln!(o, "| measure | value |\n|---|---|");
    let rows: Vec<(String, String)> = vec![
        (
            "First contact resolution (FCR)".into(),
            format!(
                "{} of {} measured episodes",
                pct(m.fcr_rate),
                m.measured_episodes
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
    if r.categories.is_empty() {
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
        let _ = writeln!(o, "| rank | category | extra contacts | share | episodes | keywords | what customers said |");
        let _ = writeln!(o, "|---|---|---|---|---|---|---|");
        for c in r.categories.iter().take(10) {
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
                cell(&c.keywords.join(", ")),
                cell(&quotes.join(" "))
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Every category\n");
    for c in r.categories {
        let _ = writeln!(o, "### {}. {} (`{}`)\n", c.rank, c.label, c.category_id);
        let _ = writeln!(o, "- **Keywords:** {}", c.keywords.join(", "));
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
        for (id, q) in &c.quotes {
            let _ = writeln!(o, "  > “{}” — {}", truncate(&q.replace('\n', " "), 300), id);
        }
        let _ = writeln!(o);
    }
    if r.uncategorised > 0 {
        let _ = writeln!(
            o,
            "{} of {} non-FCR episodes fit no category (uncategorised).\n",
            r.uncategorised, r.reasons
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
