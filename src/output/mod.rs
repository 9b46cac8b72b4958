//! Output stage: writes the contract files into a staging folder that is
//! renamed into place at the end, so a failed run never leaves half an
//! output folder behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use chrono_tz::Tz;

use std::collections::HashMap;

use crate::metrics::Metrics;
use crate::model::{Contact, Ingested, Linked, Role};
use crate::rank::{RankedCategory, RankedTheme};
use crate::text::reason::mask_pii;
use crate::time::format_time;

mod staging;
pub use staging::{check_out_apart_from_inputs, Staging, MARKER};

/// Every CSV here is opened by people: cells a spreadsheet would run as
/// formulas are neutralised (`text::SafeCsv`). With `bom`, the file starts
/// with a UTF-8 byte order mark: Excel reads a CSV without one in the
/// machine's legacy code page, and Chinese and Hebrew come out garbled.
fn csv_writer(path: &Path, bom: bool) -> Result<crate::text::SafeCsv<BufWriter<File>>> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    if bom {
        w.write_all("\u{feff}".as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(crate::text::SafeCsv::new(csv::Writer::from_writer(w)))
}

fn b(v: bool) -> &'static str {
    if v {
        "true"
    } else {
        "false"
    }
}

/// contacts.csv: one row per accepted contact, in input order.
pub fn write_contacts(
    path: &Path,
    bom: bool,
    period: &str,
    ing: &Ingested,
    linked: &Linked,
    tz: Tz,
) -> Result<()> {
    let mut w = csv_writer(path, bom)?;
    w.write_record([
        "period",
        "contact_id",
        "episode_id",
        "is_repeat",
        "episode_fcr",
        "theme_id",
        "category_id",
        "customer_id",
        "started_at",
        "channel",
        "direction",
        "role",
        "link_reason",
        "similarity",
        "episode_window_open",
        "source_file",
        "source_line",
    ])?;
    for (c, l) in ing.contacts.iter().zip(&linked.links) {
        let e = &linked.episodes[l.episode];
        w.write_record([
            period,
            c.contact_id.as_str(),
            &e.episode_id,
            b(l.role == Role::Repeat),
            b(e.fcr),
            e.theme_id.as_deref().unwrap_or(""),
            e.category_id.as_deref().unwrap_or(""),
            &c.customer_raw,
            &format_time(c.started_at, tz),
            &c.channel,
            c.direction.as_str(),
            l.role.as_str(),
            l.reason.as_str(),
            &format!("{:.3}", l.similarity),
            b(e.window_open),
            ing.files
                .get(c.source.file as usize)
                .map(String::as_str)
                .unwrap_or(""),
            &c.source.line.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// episodes.csv: one row per episode, by first contact time.
pub fn write_episodes(
    path: &Path,
    bom: bool,
    period: &str,
    contacts: &[Contact],
    linked: &Linked,
    reasons: &HashMap<usize, &str>,
    tz: Tz,
) -> Result<()> {
    let mut w = csv_writer(path, bom)?;
    w.write_record([
        "period",
        "episode_id",
        "customer_id",
        "first_contact_id",
        "first_started_at",
        "n_contacts",
        "n_inbound",
        "span_hours",
        "measured",
        "fcr",
        "window_open",
        "non_fcr_signals",
        "theme_id",
        "category_id",
        "last_started_at",
        "channel",
        "team",
        "agent_id",
        "n_repeats",
        "n_outbound",
        "n_chases",
        "ticket_ids",
        "survey_resolved",
        "contact_ids",
        "contact_reason",
    ])?;
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
        let ids: Vec<&str> = e
            .contacts
            .iter()
            .map(|&i| contacts[i].contact_id.as_str())
            .collect();
        let signals: Vec<&str> = e.signals.iter().map(|s| s.as_str()).collect();
        w.write_record([
            period,
            e.episode_id.as_str(),
            &f.customer_raw,
            &contacts[e.contacts[0]].contact_id,
            &format_time(e.first_started_at, tz),
            &e.contacts.len().to_string(),
            &e.n_inbound.to_string(),
            &format!(
                "{:.2}",
                (e.last_started_at - e.first_started_at) as f64 / 3600.0
            ),
            b(e.measured),
            b(e.fcr),
            b(e.window_open),
            &signals.join(";"),
            e.theme_id.as_deref().unwrap_or(""),
            e.category_id.as_deref().unwrap_or(""),
            &format_time(e.last_started_at, tz),
            &f.channel,
            &f.team,
            &f.agent_id,
            &e.n_repeats.to_string(),
            &e.n_outbound.to_string(),
            &e.n_chases.to_string(),
            &tickets.join(";"),
            match e.survey_resolved {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            },
            &ids.join(";"),
            // One line per cell: reasons keep their line breaks inside.
            &reasons
                .get(&ei)
                .map(|r| mask_pii(r).replace('\n', " "))
                .unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// rejected.csv: every row that could not be used, with its reason.
pub fn write_rejected(path: &Path, bom: bool, ing: &Ingested) -> Result<()> {
    let mut w = csv_writer(path, bom)?;
    w.write_record(["source_file", "line", "column", "reason", "raw_row"])?;
    for r in &ing.rejected {
        w.write_record([
            r.file.as_str(),
            &r.line.to_string(),
            &r.column,
            &r.reason,
            &r.raw_row,
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn write_metrics(path: &Path, m: &Metrics) -> Result<()> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, m)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// The month-over-month columns of categories.csv and themes.csv.
const TREND_COLUMNS: [&str; 9] = [
    "prev_episodes",
    "episodes_delta",
    "prev_extra_contacts",
    "extra_contacts_delta",
    "episode_share",
    "prev_episode_share",
    "p_value",
    "significant",
    "matched_from",
];

/// Their cells: empty without --previous.
fn trend_cells(t: Option<&crate::model::CategoryTrend>) -> [String; 9] {
    let Some(t) = t else {
        return Default::default();
    };
    [
        t.prev_episodes.to_string(),
        t.episodes_delta.to_string(),
        t.prev_extra_contacts.to_string(),
        t.extra_contacts_delta.to_string(),
        format!("{:.4}", t.episode_share),
        format!("{:.4}", t.prev_episode_share),
        t.p_value.map(|p| format!("{p:.6}")).unwrap_or_default(),
        t.significant.to_string(),
        t.matched_from.join(";"),
    ]
}

/// categories.csv: one row per category, best first.
pub fn write_categories(
    path: &Path,
    bom: bool,
    period: &str,
    ranked: &[RankedCategory],
) -> Result<()> {
    let mut w = csv_writer(path, bom)?;
    let header = [
        "period",
        "rank",
        "category_id",
        "label",
        "theme_id",
        "theme",
        "keywords",
        "cohesion",
        "episodes",
        "extra_contacts",
        "customers",
        "share",
        "trend",
        "score",
        "example_contact_ids",
        "escalated",
        "transferred",
        "reopened",
        "survey_unresolved",
        "sensitive_episodes",
        "window_open_episodes",
        "avg_contacts_per_episode",
        "score_explained",
        "quotes",
    ]
    .into_iter()
    .chain(TREND_COLUMNS)
    .chain(["taxonomy_key"]);
    w.write_record(header)?;
    for c in ranked {
        let quotes: Vec<&str> = c.quotes.iter().map(|(_, q)| q.as_str()).collect();
        // Month-over-month columns: empty without --previous.
        let t = c.trend.as_ref();
        let opt = |f: &dyn Fn(&crate::model::CategoryTrend) -> String| t.map(f).unwrap_or_default();
        let row = [
            period.to_string(),
            c.rank.to_string(),
            c.category_id.clone(),
            c.label.clone(),
            c.theme_id.clone(),
            c.theme.clone(),
            c.keywords.join("; "),
            format!("{:.3}", c.cohesion),
            c.episodes.to_string(),
            c.extra_contacts.to_string(),
            c.customers.to_string(),
            format!("{:.4}", c.share),
            opt(&|t| t.flag.as_str().to_string()),
            format!("{:.2}", c.score),
            c.example_contact_ids.join(";"),
            c.escalated.to_string(),
            c.transferred.to_string(),
            c.reopened.to_string(),
            c.survey_unresolved.to_string(),
            c.sensitive_episodes.to_string(),
            c.window_open_episodes.to_string(),
            format!("{:.2}", c.avg_contacts_per_episode),
            c.score_explained.clone(),
            quotes.join(" | "),
        ]
        .into_iter()
        .chain(trend_cells(c.trend.as_ref()))
        .chain([c.taxonomy_key.clone().unwrap_or_default()]);
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

/// themes.csv: one row per theme, best first; `categories` lists its
/// category ids, best first.
pub fn write_themes(
    path: &Path,
    bom: bool,
    period: &str,
    themes: &[RankedTheme],
    ranked: &[RankedCategory],
) -> Result<()> {
    let mut w = csv_writer(path, bom)?;
    let header = [
        "period",
        "rank",
        "theme_id",
        "name",
        "episodes",
        "extra_contacts",
        "customers",
        "share",
        "trend",
        "categories",
        "keywords",
        "cohesion",
        "score",
        "example_contact_ids",
        "quotes",
    ]
    .into_iter()
    .chain(TREND_COLUMNS);
    w.write_record(header)?;
    for th in themes {
        let c = &th.figures;
        let quotes: Vec<&str> = c.quotes.iter().map(|(_, q)| q.as_str()).collect();
        let categories: Vec<&str> = th
            .categories
            .iter()
            .map(|&i| ranked[i].category_id.as_str())
            .collect();
        let t = c.trend.as_ref();
        let opt = |f: &dyn Fn(&crate::model::CategoryTrend) -> String| t.map(f).unwrap_or_default();
        let row = [
            period.to_string(),
            c.rank.to_string(),
            c.category_id.clone(),
            c.label.clone(),
            c.episodes.to_string(),
            c.extra_contacts.to_string(),
            c.customers.to_string(),
            format!("{:.4}", c.share),
            opt(&|t| t.flag.as_str().to_string()),
            categories.join(";"),
            c.keywords.join("; "),
            format!("{:.3}", c.cohesion),
            format!("{:.2}", c.score),
            c.example_contact_ids.join(";"),
            quotes.join(" | "),
        ]
        .into_iter()
        .chain(trend_cells(t));
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}
