//! A year, not a pair of months: `--history DIR` keeps every run's
//! themes, categories and FCR (whole, by channel, by team) and its metrics
//! in a Parquet dataset partitioned by month (`DIR/period=2026-10/…`, the
//! layout DuckDB, Spark and Power BI read as one table with a `period`
//! column); a rerun of a month replaces its partition. `recontact history
//! DIR` reads it back as a table of months.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use chrono_tz::Tz;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::metrics::Metrics;
use crate::output::{self, Target};
use crate::rank::{RankedCategory, RankedTheme};

mod year;
pub use year::year;

/// The file that marks a folder as a history dataset: only such a folder
/// (or an empty or new one) is written into.
pub const MARKER: &str = ".recontact-history";
pub const THEMES: &str = "themes.parquet";
pub const CATEGORIES: &str = "categories.parquet";
pub const FCR: &str = "fcr.parquet";
pub const METRICS: &str = "metrics.json";

/// Writes this run's month into the dataset at `dir`, replacing the
/// month's partition if it is there; returns the partition's path. The
/// run's category files (`out`'s [`crate::trend::CENTROIDS_FILE`] and
/// [`crate::trend::REGISTRY_FILE`]) go with it, so that the partition is
/// next month's `--previous`.
pub fn record(
    dir: &Path,
    out: &Path,
    metrics: &Metrics,
    ranked: &[RankedCategory],
    themes: &[RankedTheme],
    tz: Tz,
) -> Result<PathBuf> {
    prepare(dir)?;
    let name = format!("period={}", metrics.period);
    let part = dir.join(&name);
    let pid = std::process::id();
    let tmp = dir.join(format!(".{name}.tmp-{pid}"));
    let old = dir.join(format!(".{name}.old-{pid}"));
    let written = (|| -> Result<()> {
        fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let target = |file: &str| Target {
            csv: None,
            parquet: Some(tmp.join(file)),
            bom: false,
            tz,
        };
        output::write_themes(&target(THEMES), &metrics.period, themes, ranked)?;
        output::write_categories(&target(CATEGORIES), &metrics.period, ranked)?;
        output::write_fcr(&target(FCR), metrics)?;
        output::write_metrics(&tmp.join(METRICS), metrics)?;
        for f in [crate::trend::CENTROIDS_FILE, crate::trend::REGISTRY_FILE] {
            fs::copy(out.join(f), tmp.join(f))
                .with_context(|| format!("cannot copy {} into {}", f, tmp.display()))?;
        }
        // The old partition steps aside, the new one takes its name, and
        // only then is the old one removed: a failure leaves one of them.
        if part.exists() {
            fs::rename(&part, &old)
                .with_context(|| format!("cannot replace {}", part.display()))?;
        }
        fs::rename(&tmp, &part).with_context(|| format!("cannot write {}", part.display()))?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        if old.exists() && !part.exists() {
            let _ = fs::rename(&old, &part);
        }
        return Err(e.context(format!("--history {}", dir.display())));
    }
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
    }
    Ok(part)
}

/// The dataset's latest month before `period` that can serve as
/// `--previous` (written by a version that keeps the category files), and
/// the latest before `period` that cannot, if it is later.
pub fn previous_month(dir: &Path, period: &str) -> (Option<PathBuf>, Option<String>) {
    let Ok(mut earlier) = period_folders(dir) else {
        return (None, None);
    };
    earlier.retain(|(name, _)| name.as_str() < period);
    match earlier.pop() {
        Some((_, p)) if p.join(crate::trend::CENTROIDS_FILE).is_file() => (Some(p), None),
        Some((name, _)) => (None, Some(name)),
        None => (None, None),
    }
}

/// The dataset's month folders, `(period, path)`, oldest first.
fn period_folders(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let period = p
                .file_name()?
                .to_str()?
                .strip_prefix("period=")?
                .to_string();
            p.is_dir().then_some((period, p))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Creates the dataset folder, or checks that an existing one is a
/// history dataset (or empty): never writes into a folder of other files.
fn prepare(dir: &Path) -> Result<()> {
    check(dir)?;
    if !dir.exists() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(
        dir.join(MARKER),
        "A recontact history dataset (recontact run --history): one period=YYYY-MM folder per month.\n",
    )
    .with_context(|| format!("cannot write {}", dir.display()))
}

/// Whether `dir` may hold the history: missing, empty, or a history
/// dataset already. Checked before a run does its work.
pub fn check(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("--history {}: not a folder", dir.display());
        }
        let marked = dir.join(MARKER).is_file();
        let empty = fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !marked && !empty {
            bail!(
                "--history {}: the folder holds other files and is not a recontact history (no {MARKER}); name a new or empty folder",
                dir.display()
            );
        }
    }
    Ok(())
}

/// One month of the dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    pub period: String,
    pub episodes: i64,
    pub measured_episodes: i64,
    pub fcr_rate: Option<f64>,
}

/// One theme id across the months it appears in.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeHistory {
    pub theme_id: String,
    /// Its name in the latest month it appears in.
    pub name: String,
    /// Period → extra contacts.
    pub extra_contacts: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub months: Vec<Month>,
    pub themes: Vec<ThemeHistory>,
}

fn batches(path: &Path) -> Result<Vec<RecordBatch>> {
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    ParquetRecordBatchReaderBuilder::try_new(f)
        .and_then(|b| b.build())
        .with_context(|| format!("cannot read {}", path.display()))?
        .map(|b| b.with_context(|| format!("cannot read {}", path.display())))
        .collect()
}

fn column<'b>(b: &'b RecordBatch, name: &str, path: &Path) -> Result<&'b dyn Array> {
    b.column_by_name(name)
        .map(|c| c.as_ref())
        .with_context(|| format!("{}: no column '{name}'", path.display()))
}

/// One month of the dataset as read back: its figures and its themes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Partition {
    pub month: Month,
    /// Whether its run continued an earlier run's ids (`--previous`).
    pub continued: bool,
    /// Theme id → (name, episodes, extra contacts).
    pub themes: BTreeMap<String, (String, u64, u64)>,
}

/// The dataset's partitions whose period `keep` accepts, oldest first.
pub(crate) fn partitions(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<Partition>> {
    if !dir.join(MARKER).is_file() {
        bail!(
            "{}: not a recontact history (no {MARKER}); write one with recontact run --history {}",
            dir.display(),
            dir.display()
        );
    }
    period_folders(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .iter()
        .filter(|(period, _)| keep(period))
        .map(|(_, p)| partition(p))
        .collect()
}

fn partition(part: &Path) -> Result<Partition> {
    let fcr = part.join(FCR);
    let mut month = None;
    for b in batches(&fcr)? {
        let period = column(&b, "period", &fcr)?.as_string::<i32>();
        let scope = column(&b, "scope", &fcr)?.as_string::<i32>();
        let episodes = column(&b, "episodes", &fcr)?.as_primitive::<Int64Type>();
        let measured = column(&b, "measured_episodes", &fcr)?.as_primitive::<Int64Type>();
        let rate = column(&b, "fcr_rate", &fcr)?.as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            if scope.value(i) == "all" {
                month = Some(Month {
                    period: period.value(i).to_string(),
                    episodes: episodes.value(i),
                    measured_episodes: measured.value(i),
                    fcr_rate: (!rate.is_null(i)).then(|| rate.value(i)),
                });
            }
        }
    }
    let month = month.with_context(|| format!("{}: no row for scope 'all'", fcr.display()))?;
    let mut themes = BTreeMap::new();
    let th = part.join(THEMES);
    for b in batches(&th)? {
        let id = column(&b, "theme_id", &th)?.as_string::<i32>();
        let name = column(&b, "name", &th)?.as_string::<i32>();
        let episodes = column(&b, "episodes", &th)?.as_primitive::<Int64Type>();
        let extra = column(&b, "extra_contacts", &th)?.as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            let count = |v: i64| u64::try_from(v).unwrap_or(0);
            themes.insert(
                id.value(i).to_string(),
                (
                    name.value(i).to_string(),
                    count(episodes.value(i)),
                    count(extra.value(i)),
                ),
            );
        }
    }
    // Whether the month's run continued ids: its metrics' `previous`.
    let metrics = part.join(METRICS);
    let continued = fs::read_to_string(&metrics)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| !v["settings"]["previous"].is_null());
    Ok(Partition {
        month,
        continued,
        themes,
    })
}

/// Reads the dataset at `dir`: its months in order, and every theme id with
/// its extra contacts per month (themes of the latest month first, by
/// their extra contacts).
pub fn read(dir: &Path) -> Result<History> {
    let parts = partitions(dir, |_| true)?;
    let mut themes: BTreeMap<String, ThemeHistory> = BTreeMap::new();
    for p in &parts {
        for (id, (name, _, extra)) in &p.themes {
            let t = themes.entry(id.clone()).or_insert_with(|| ThemeHistory {
                theme_id: id.clone(),
                name: String::new(),
                extra_contacts: BTreeMap::new(),
            });
            // Partitions are read in period order: the latest name wins.
            t.name = name.clone();
            t.extra_contacts.insert(
                p.month.period.clone(),
                i64::try_from(*extra).unwrap_or(i64::MAX),
            );
        }
    }
    let months: Vec<Month> = parts.into_iter().map(|p| p.month).collect();
    let latest = months.last().map(|m| m.period.clone()).unwrap_or_default();
    let mut themes: Vec<ThemeHistory> = themes.into_values().collect();
    themes.sort_by(|a, b| {
        let now = |t: &ThemeHistory| t.extra_contacts.get(&latest).copied().unwrap_or(-1);
        now(b).cmp(&now(a)).then(a.theme_id.cmp(&b.theme_id))
    });
    Ok(History { months, themes })
}

/// The history as text: FCR by month, then each theme's extra contacts
/// over the last `last` months (`·` where it did not appear).
pub fn render(h: &History, last: usize, top: usize) -> String {
    let months: Vec<&Month> = h.months.iter().rev().take(last).rev().collect();
    let mut s = String::from("month     episodes  measured  FCR\n");
    for m in &months {
        s.push_str(&format!(
            "{:<9} {:>8}  {:>8}  {}\n",
            m.period,
            m.episodes,
            m.measured_episodes,
            m.fcr_rate
                .map_or_else(|| "–".to_string(), |r| format!("{:.1} %", r * 100.0))
        ));
    }
    if h.themes.is_empty() {
        return s;
    }
    s.push_str("\nextra contacts by theme\n");
    s.push_str(&format!("{:<9} ", "theme"));
    for m in &months {
        s.push_str(&format!("{:>8}", &m.period));
    }
    s.push_str("  name\n");
    for t in h.themes.iter().take(top) {
        s.push_str(&format!("{:<9} ", t.theme_id));
        for m in &months {
            match t.extra_contacts.get(&m.period) {
                Some(n) => s.push_str(&format!("{n:>8}")),
                None => s.push_str(&format!("{:>8}", "·")),
            }
        }
        s.push_str(&format!("  {}\n", t.name));
    }
    s
}
