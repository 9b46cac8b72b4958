//! Output stage: writes the contract files into a staging folder that is
//! renamed into place at the end, so a failed run never leaves half an
//! output folder behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono_tz::Tz;

use std::collections::HashMap;

use crate::metrics::Metrics;
use crate::model::{Contact, Ingested, Linked, Role};
use crate::rank::{RankedCategory, RankedTheme};
use crate::text::reason::mask_pii;

mod staging;
mod table;
pub use staging::{check_out_apart_from_inputs, Staging, MARKER};
use table::{col, int, list, Cell, Column, Kind, TableWriter};

/// Where one table goes: its CSV, which people open (cells a spreadsheet
/// would run as formulas are neutralised; with `bom` the file starts with
/// a UTF-8 byte order mark, since Excel reads a CSV without one in the
/// machine's legacy code page and Chinese and Hebrew come out garbled),
/// and its typed Parquet twin when asked.
pub struct Target {
    pub csv: Option<PathBuf>,
    pub parquet: Option<PathBuf>,
    pub bom: bool,
    pub tz: Tz,
}

impl Target {
    fn writer(&self, columns: &'static [Column]) -> Result<TableWriter> {
        TableWriter::create(
            self.csv.as_deref(),
            self.parquet.as_deref(),
            columns,
            self.bom,
            self.tz,
        )
    }
}

const CONTACT_COLUMNS: &[Column] = &[
    col("period", Kind::Text),
    col("contact_id", Kind::Text),
    col("episode_id", Kind::Text),
    col("is_repeat", Kind::Bool),
    col("episode_fcr", Kind::Bool),
    col("theme_id", Kind::Text),
    col("category_id", Kind::Text),
    col("customer_id", Kind::Text),
    col("started_at", Kind::Time),
    col("channel", Kind::Text),
    col("direction", Kind::Text),
    col("role", Kind::Text),
    col("link_reason", Kind::Text),
    col("similarity", Kind::Float(3)),
    col("episode_window_open", Kind::Bool),
    col("source_file", Kind::Text),
    col("source_line", Kind::Int),
];

/// contacts.csv: one row per accepted contact, in input order.
pub fn write_contacts(t: &Target, period: &str, ing: &Ingested, linked: &Linked) -> Result<()> {
    let mut w = t.writer(CONTACT_COLUMNS)?;
    for (c, l) in ing.contacts.iter().zip(&linked.links) {
        let e = &linked.episodes[l.episode];
        w.row(vec![
            period.into(),
            c.contact_id.as_str().into(),
            e.episode_id.as_str().into(),
            (l.role == Role::Repeat).into(),
            e.fcr.into(),
            e.theme_id.as_deref().into(),
            e.category_id.as_deref().into(),
            c.customer_raw.as_str().into(),
            Cell::Time(c.started_at),
            c.channel.as_str().into(),
            c.direction.as_str().into(),
            l.role.as_str().into(),
            l.reason.as_str().into(),
            Cell::Float(f64::from(l.similarity)),
            e.window_open.into(),
            ing.files
                .get(c.source.file as usize)
                .map(String::as_str)
                .unwrap_or("")
                .into(),
            int(c.source.line),
        ])?;
    }
    w.finish()
}

const EPISODE_COLUMNS: &[Column] = &[
    col("period", Kind::Text),
    col("episode_id", Kind::Text),
    col("customer_id", Kind::Text),
    col("first_contact_id", Kind::Text),
    col("first_started_at", Kind::Time),
    col("n_contacts", Kind::Int),
    col("n_inbound", Kind::Int),
    col("span_hours", Kind::Float(2)),
    col("measured", Kind::Bool),
    col("fcr", Kind::Bool),
    col("window_open", Kind::Bool),
    col("non_fcr_signals", Kind::List(";")),
    col("theme_id", Kind::Text),
    col("category_id", Kind::Text),
    col("last_started_at", Kind::Time),
    col("channel", Kind::Text),
    col("team", Kind::Text),
    col("agent_id", Kind::Text),
    col("n_repeats", Kind::Int),
    col("n_outbound", Kind::Int),
    col("n_chases", Kind::Int),
    col("ticket_ids", Kind::List(";")),
    col("survey_resolved", Kind::YesNo),
    col("contact_ids", Kind::List(";")),
    col("contact_reason", Kind::Text),
];

/// episodes.csv: one row per episode, by first contact time.
pub fn write_episodes(
    t: &Target,
    period: &str,
    contacts: &[Contact],
    linked: &Linked,
    reasons: &HashMap<usize, &str>,
) -> Result<()> {
    let mut w = t.writer(EPISODE_COLUMNS)?;
    for (ei, e) in linked.episodes.iter().enumerate() {
        let f = &contacts[e.first];
        let mut tickets: Vec<&str> = e
            .contacts
            .iter()
            .filter_map(|&i| contacts[i].ticket_id.as_deref())
            .collect();
        tickets.dedup();
        tickets.sort_unstable();
        tickets.dedup();
        let ids = e.contacts.iter().map(|&i| contacts[i].contact_id.as_str());
        let signals = e.signals.iter().map(|s| s.as_str());
        w.row(vec![
            period.into(),
            e.episode_id.as_str().into(),
            f.customer_raw.as_str().into(),
            contacts[e.contacts[0]].contact_id.as_str().into(),
            Cell::Time(e.first_started_at),
            int(e.contacts.len()),
            int(e.n_inbound),
            Cell::Float((e.last_started_at - e.first_started_at) as f64 / 3600.0),
            e.measured.into(),
            e.fcr.into(),
            e.window_open.into(),
            list(signals),
            e.theme_id.as_deref().into(),
            e.category_id.as_deref().into(),
            Cell::Time(e.last_started_at),
            f.channel.as_str().into(),
            f.team.as_str().into(),
            f.agent_id.as_str().into(),
            int(e.n_repeats),
            int(e.n_outbound),
            int(e.n_chases),
            list(tickets),
            e.survey_resolved.map_or(Cell::Null, Cell::Bool),
            list(ids),
            // One line per cell: reasons keep their line breaks inside.
            reasons
                .get(&ei)
                .map(|r| mask_pii(r).replace('\n', " "))
                .unwrap_or_default()
                .into(),
        ])?;
    }
    w.finish()
}

const REJECTED_COLUMNS: &[Column] = &[
    col("source_file", Kind::Text),
    col("line", Kind::Int),
    col("column", Kind::Text),
    col("reason", Kind::Text),
    col("raw_row", Kind::Text),
];

/// rejected.csv: every row that could not be used, with its reason.
pub fn write_rejected(t: &Target, ing: &Ingested) -> Result<()> {
    let mut w = t.writer(REJECTED_COLUMNS)?;
    for r in &ing.rejected {
        w.row(vec![
            r.file.as_str().into(),
            int(r.line),
            r.column.as_str().into(),
            r.reason.as_str().into(),
            r.raw_row.as_str().into(),
        ])?;
    }
    w.finish()
}

pub fn write_metrics(path: &Path, m: &Metrics) -> Result<()> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, m)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

const FCR_COLUMNS: &[Column] = &[
    col("period", Kind::Text),
    col("scope", Kind::Text),
    col("key", Kind::Text),
    col("episodes", Kind::Int),
    col("measured_episodes", Kind::Int),
    col("fcr_episodes", Kind::Int),
    col("fcr_rate", Kind::Float(6)),
    col("customer_contacts", Kind::Int),
    col("customers", Kind::Int),
    col("repeat_customers", Kind::Int),
];

/// The month's FCR, whole (`scope` "all") and by channel and team: the
/// history dataset's FCR trend (`--history`).
pub fn write_fcr(t: &Target, m: &Metrics) -> Result<()> {
    let mut w = t.writer(FCR_COLUMNS)?;
    let all = crate::metrics::GroupMetrics {
        episodes: m.episodes,
        measured_episodes: m.measured_episodes,
        fcr_episodes: m.fcr_episodes,
        fcr_rate: m.fcr_rate,
        customer_contacts: m.customer_contacts,
        customers: m.customers,
        repeat_customers: m.repeat_customers,
        ..Default::default()
    };
    let rows = std::iter::once(("all", "", &all))
        .chain(m.by_channel.iter().map(|(k, g)| ("channel", k.as_str(), g)))
        .chain(m.by_team.iter().map(|(k, g)| ("team", k.as_str(), g)));
    for (scope, key, g) in rows {
        w.row(vec![
            m.period.as_str().into(),
            scope.into(),
            key.into(),
            int(g.episodes),
            int(g.measured_episodes),
            int(g.fcr_episodes),
            g.fcr_rate.map_or(Cell::Null, Cell::Float),
            int(g.customer_contacts),
            int(g.customers),
            int(g.repeat_customers),
        ])?;
    }
    w.finish()
}

/// The month-over-month columns of categories.csv and themes.csv.
const TREND_COLUMNS: [Column; 9] = [
    col("prev_episodes", Kind::Int),
    col("episodes_delta", Kind::Int),
    col("prev_extra_contacts", Kind::Int),
    col("extra_contacts_delta", Kind::Int),
    col("episode_share", Kind::Float(4)),
    col("prev_episode_share", Kind::Float(4)),
    col("p_value", Kind::Float(6)),
    col("significant", Kind::Bool),
    col("matched_from", Kind::List(";")),
];

/// Their cells: empty without --previous.
fn trend_cells(t: Option<&crate::model::CategoryTrend>) -> Vec<Cell<'_>> {
    let Some(t) = t else {
        return vec![Cell::Null; 9];
    };
    vec![
        int(t.prev_episodes),
        int(t.episodes_delta),
        int(t.prev_extra_contacts),
        int(t.extra_contacts_delta),
        Cell::Float(t.episode_share),
        Cell::Float(t.prev_episode_share),
        t.p_value.map_or(Cell::Null, Cell::Float),
        t.significant.into(),
        list(t.matched_from.iter().map(String::as_str)),
    ]
}

/// Two column lists as one (`R` = `N` + `M`, checked when compiled).
const fn concat<const N: usize, const M: usize, const R: usize>(
    a: [Column; N],
    b: [Column; M],
) -> [Column; R] {
    assert!(N + M == R);
    let mut out = [col("", Kind::Text); R];
    let mut i = 0;
    while i < R {
        out[i] = if i < N { a[i] } else { b[i - N] };
        i += 1;
    }
    out
}

const CATEGORY_COLUMNS: [Column; 34] = concat::<33, 1, 34>(
    concat(
        [
            col("period", Kind::Text),
            col("rank", Kind::Int),
            col("category_id", Kind::Text),
            col("label", Kind::Text),
            col("theme_id", Kind::Text),
            col("theme", Kind::Text),
            col("keywords", Kind::List("; ")),
            col("cohesion", Kind::Float(3)),
            col("episodes", Kind::Int),
            col("extra_contacts", Kind::Int),
            col("customers", Kind::Int),
            col("share", Kind::Float(4)),
            col("trend", Kind::Text),
            col("score", Kind::Float(2)),
            col("example_contact_ids", Kind::List(";")),
            col("escalated", Kind::Int),
            col("transferred", Kind::Int),
            col("reopened", Kind::Int),
            col("survey_unresolved", Kind::Int),
            col("sensitive_episodes", Kind::Int),
            col("window_open_episodes", Kind::Int),
            col("avg_contacts_per_episode", Kind::Float(2)),
            col("score_explained", Kind::Text),
            col("quotes", Kind::List(" | ")),
        ],
        TREND_COLUMNS,
    ),
    [col("taxonomy_key", Kind::Text)],
);

/// categories.csv: one row per category, best first.
pub fn write_categories(t: &Target, period: &str, ranked: &[RankedCategory]) -> Result<()> {
    let mut w = t.writer(&CATEGORY_COLUMNS)?;
    for c in ranked {
        let mut row: Vec<Cell> = vec![
            period.into(),
            int(c.rank),
            c.category_id.as_str().into(),
            c.label.as_str().into(),
            c.theme_id.as_str().into(),
            c.theme.as_str().into(),
            list(c.keywords.iter().map(String::as_str)),
            Cell::Float(c.cohesion),
            int(c.episodes),
            int(c.extra_contacts),
            int(c.customers),
            Cell::Float(c.share),
            c.trend.as_ref().map(|t| t.flag.as_str()).into(),
            Cell::Float(c.score),
            list(c.example_contact_ids.iter().map(String::as_str)),
            int(c.escalated),
            int(c.transferred),
            int(c.reopened),
            int(c.survey_unresolved),
            int(c.sensitive_episodes),
            int(c.window_open_episodes),
            Cell::Float(c.avg_contacts_per_episode),
            c.score_explained.as_str().into(),
            list(c.quotes.iter().map(|(_, q)| q.as_str())),
        ];
        row.extend(trend_cells(c.trend.as_ref()));
        row.push(c.taxonomy_key.as_deref().into());
        w.row(row)?;
    }
    w.finish()
}

const THEME_COLUMNS: [Column; 24] = concat(
    [
        col("period", Kind::Text),
        col("rank", Kind::Int),
        col("theme_id", Kind::Text),
        col("name", Kind::Text),
        col("episodes", Kind::Int),
        col("extra_contacts", Kind::Int),
        col("customers", Kind::Int),
        col("share", Kind::Float(4)),
        col("trend", Kind::Text),
        col("categories", Kind::List(";")),
        col("keywords", Kind::List("; ")),
        col("cohesion", Kind::Float(3)),
        col("score", Kind::Float(2)),
        col("example_contact_ids", Kind::List(";")),
        col("quotes", Kind::List(" | ")),
    ],
    TREND_COLUMNS,
);

/// themes.csv: one row per theme, best first; `categories` lists its
/// category ids, best first.
pub fn write_themes(
    t: &Target,
    period: &str,
    themes: &[RankedTheme],
    ranked: &[RankedCategory],
) -> Result<()> {
    let mut w = t.writer(&THEME_COLUMNS)?;
    for th in themes {
        let c = &th.figures;
        let mut row: Vec<Cell> = vec![
            period.into(),
            int(c.rank),
            c.category_id.as_str().into(),
            c.label.as_str().into(),
            int(c.episodes),
            int(c.extra_contacts),
            int(c.customers),
            Cell::Float(c.share),
            c.trend.as_ref().map(|t| t.flag.as_str()).into(),
            list(
                th.categories
                    .iter()
                    .map(|&i| ranked[i].category_id.as_str()),
            ),
            list(c.keywords.iter().map(String::as_str)),
            Cell::Float(c.cohesion),
            Cell::Float(c.score),
            list(c.example_contact_ids.iter().map(String::as_str)),
            list(c.quotes.iter().map(|(_, q)| q.as_str())),
        ];
        row.extend(trend_cells(c.trend.as_ref()));
        w.row(row)?;
    }
    w.finish()
}
