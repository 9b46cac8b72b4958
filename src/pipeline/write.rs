//! The output stage's fan-out: every file and the index written side by
//! side into the staging folder.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono_tz::Tz;

use crate::index::{self, IndexStats};
use crate::layout;
use crate::metrics::Metrics;
use crate::model::{Ingested, Linked};
use crate::output::{self, Staging};
use crate::rank::{RankedCategory, RankedTheme};

/// Everything the output stage writes.
pub struct Outputs<'a> {
    pub ingested: &'a Ingested,
    pub linked: &'a Linked,
    pub metrics: &'a Metrics,
    pub ranked: &'a [RankedCategory],
    pub themes: &'a [RankedTheme],
    pub report_files: &'a [(&'a str, String)],
    pub reasons: &'a HashMap<usize, &'a str>,
    pub tz: Tz,
    pub index: bool,
    /// Output CSVs start with a byte order mark (`--csv-bom`).
    pub csv_bom: bool,
    /// Every table also as Parquet (unless `--no-parquet`).
    pub parquet: bool,
}

/// Writes every output; returns the index's figures when it was built.
pub fn write_all(staging: &Staging, o: &Outputs) -> Result<Option<IndexStats>> {
    use rayon::prelude::*;
    type Task<'s> = Box<dyn FnOnce() -> Result<()> + Send + 's>;
    let period = o.metrics.period.as_str();
    let target = |csv: &str, parquet: &str| output::Target {
        csv: Some(staging.path(csv)),
        parquet: o.parquet.then(|| staging.path(parquet)),
        bom: o.csv_bom,
        tz: o.tz,
    };
    let files: Vec<Task> = vec![
        Box::new(|| {
            output::write_contacts(
                &target(layout::CONTACTS, layout::CONTACTS_PARQUET),
                period,
                o.ingested,
                o.linked,
            )
        }),
        Box::new(|| {
            output::write_episodes(
                &target(layout::EPISODES, layout::EPISODES_PARQUET),
                period,
                &o.ingested.contacts,
                o.linked,
                o.reasons,
            )
        }),
        Box::new(|| {
            output::write_rejected(
                &target(layout::REJECTED, layout::REJECTED_PARQUET),
                o.ingested,
            )
        }),
        Box::new(|| output::write_metrics(&staging.path(layout::METRICS), o.metrics)),
        Box::new(|| {
            output::write_categories(
                &target(layout::CATEGORIES, layout::CATEGORIES_PARQUET),
                period,
                o.ranked,
            )
        }),
        Box::new(|| {
            output::write_themes(
                &target(layout::THEMES, layout::THEMES_PARQUET),
                period,
                o.themes,
                o.ranked,
            )
        }),
        Box::new(|| {
            o.report_files.iter().try_for_each(|(name, text)| {
                std::fs::write(staging.path(name), text)
                    .with_context(|| format!("cannot write {name}"))
            })
        }),
    ];
    // The outputs are independent: the index (the longest) beside the files,
    // the files side by side.
    let (index_stats, written) = rayon::join(
        || {
            o.index
                .then(|| {
                    index::build(
                        &staging.path(layout::INDEX),
                        o.ingested,
                        o.linked,
                        o.ranked,
                        o.tz,
                        rayon::current_num_threads(),
                        &o.metrics.data_start,
                        &o.metrics.data_end,
                    )
                })
                .transpose()
        },
        || {
            files
                .into_par_iter()
                .map(|write| write())
                .collect::<Result<Vec<()>>>()
        },
    );
    written?;
    index_stats
}
