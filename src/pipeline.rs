//! The `run` pipeline: stages in order, each a function from typed input to
//! typed output (see ARCHITECTURE.md). Later stages (index, embed, cluster,
//! label, rank, report) slot in between `episodes` and `output`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use chrono_tz::Tz;

use crate::episodes::{self, LexicalScorer};
use crate::ingest::{self, IngestOptions};
use crate::metrics::{self, Metrics};
use crate::model::{Ingested, Linked};
use crate::output::{self, Staging};
use crate::settings::Settings;

/// Everything a run needs.
pub struct RunPlan {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Contract column → export header.
    pub columns: BTreeMap<String, String>,
    pub settings: Settings,
    pub timezone: Tz,
}

/// Seconds spent per stage, for the terminal summary.
#[derive(Debug, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, f64)>,
}

impl Timings {
    fn lap(&mut self, name: &'static str, since: &mut Instant) {
        self.stages.push((name, since.elapsed().as_secs_f64()));
        *since = Instant::now();
    }
}

pub struct RunReport {
    pub metrics: Metrics,
    pub timings: Timings,
}

pub fn run(plan: &RunPlan) -> Result<RunReport> {
    let mut timings = Timings::default();
    let mut t = Instant::now();
    // Fail on an unusable output folder before the work, not after.
    let staging = Staging::new(&plan.out)?;

    let ingested = ingest::ingest(
        &plan.inputs,
        &IngestOptions {
            columns: &plan.columns,
            settings: &plan.settings,
            timezone: plan.timezone,
        },
    )?;
    timings.lap("ingest", &mut t);

    let scorer = LexicalScorer::new(&ingested.contacts);
    let linked = episodes::link(&ingested.contacts, &plan.settings, &scorer);
    drop(scorer);
    timings.lap("episodes", &mut t);

    let metrics = metrics::compute(
        &ingested.contacts,
        &linked,
        &ingested.stats,
        &plan.settings,
        plan.timezone,
    );
    timings.lap("metrics", &mut t);

    write_all(&staging, &ingested, &linked, &metrics, plan.timezone)?;
    staging.commit()?;
    timings.lap("output", &mut t);
    Ok(RunReport { metrics, timings })
}

fn write_all(
    staging: &Staging,
    ingested: &Ingested,
    linked: &Linked,
    metrics: &Metrics,
    tz: Tz,
) -> Result<()> {
    // The files are independent: write them side by side.
    let (a, (b, (c, d))) = rayon::join(
        || output::write_contacts(&staging.path("contacts.csv"), ingested, linked, tz),
        || {
            rayon::join(
                || {
                    output::write_episodes(
                        &staging.path("episodes.csv"),
                        &ingested.contacts,
                        linked,
                        tz,
                    )
                },
                || {
                    rayon::join(
                        || output::write_rejected(&staging.path("rejected.csv"), ingested),
                        || output::write_metrics(&staging.path("metrics.json"), metrics),
                    )
                },
            )
        },
    );
    a.and(b).and(c).and(d)
}

/// The output folder's files, for messages.
pub fn output_files(out: &Path) -> Vec<PathBuf> {
    [
        "contacts.csv",
        "episodes.csv",
        "metrics.json",
        "rejected.csv",
    ]
    .iter()
    .map(|f| out.join(f))
    .collect()
}
