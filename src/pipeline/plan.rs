//! What a run is given (`RunPlan`) and what it hands back (`RunReport`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::index::IndexStats;
use crate::metrics::Metrics;
use crate::progress::Progress;
use crate::rank::RankedCategory;
use crate::settings::Settings;
use crate::taxonomy::Taxonomy;
use crate::trend;

/// Everything a run needs.
pub struct RunPlan {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Contract column → export header.
    pub columns: BTreeMap<String, String>,
    /// Every knob (all reach metrics.json).
    pub settings: Settings,
    /// `--taxonomy`, read.
    pub taxonomy: Option<Taxonomy>,
    /// Where each stage's start, counts and end are said (stderr).
    pub progress: Progress,
    /// Where the model's encoder batches run when not here (the Spark
    /// driver's executors; `embed::offload`).
    pub offload: Option<crate::embed::offload::SharedOffload>,
}

impl RunPlan {
    /// Centroid cosine for "the same category" in the model's space, month
    /// over month: the model folder's calibrated value, else the default.
    pub fn centroid_threshold(&self) -> f64 {
        self.settings
            .centroid_threshold
            .unwrap_or(trend::CENTROID_THRESHOLD)
    }

    /// Default `--taxonomy-threshold` in the model's space.
    pub fn model_taxonomy_threshold(&self) -> f32 {
        self.settings
            .model_taxonomy_threshold
            .unwrap_or(crate::taxonomy::DEFAULT_THRESHOLD_MODEL)
    }

    /// `--previous`, as a path.
    pub fn previous(&self) -> Option<&Path> {
        self.settings.previous.as_deref().map(Path::new)
    }

    /// `--other-scripts-model`, as a path.
    pub fn other_scripts_model(&self) -> Option<&Path> {
        self.settings.other_scripts_model.as_deref().map(Path::new)
    }
}

/// Seconds spent per stage, for the terminal summary; each stage's start
/// and end are also said on the run's progress.
pub struct Timings {
    pub stages: Vec<(&'static str, f64)>,
    since: Instant,
    open: Option<&'static str>,
    progress: Progress,
}

impl std::fmt::Debug for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timings")
            .field("stages", &self.stages)
            .finish_non_exhaustive()
    }
}

impl Default for Timings {
    fn default() -> Self {
        Timings::new(Progress::default())
    }
}

impl Timings {
    /// Timings from now, said on `progress`.
    pub fn new(progress: Progress) -> Self {
        Timings {
            stages: Vec::new(),
            since: Instant::now(),
            open: None,
            progress,
        }
    }

    /// Opens stage `name`; with a `unit` the stage counts on the progress
    /// (rows read, texts embedded). Its time runs from the last lap (or
    /// the start), as it always did: the glue between stages counts too.
    pub fn start(&mut self, name: &'static str, unit: Option<&'static str>) {
        if self.open.is_some() {
            self.lap();
        }
        self.open = Some(name);
        self.progress.start(name, unit);
    }

    /// Closes the open stage.
    pub fn lap(&mut self) {
        let now = Instant::now();
        let secs = now.duration_since(self.since).as_secs_f64();
        self.since = now;
        if let Some(name) = self.open.take() {
            self.stages.push((name, secs));
            self.progress.done(secs);
        }
    }
}

pub struct RunReport {
    pub metrics: Metrics,
    pub categories: Vec<RankedCategory>,
    pub embedder: String,
    pub embedder_warning: Option<String>,
    /// What the user should know but need not stop for (said on stderr).
    pub warnings: Vec<String>,
    pub timings: Timings,
    /// Set when the contact index was written.
    pub index: Option<IndexStats>,
    /// Set with `--previous`.
    pub changes: Option<trend::Changes>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_are_named_in_order() {
        let mut t = Timings::default();
        t.start("ingest", Some("rows"));
        t.lap();
        t.start("embed reasons", Some("texts"));
        // A stage opened before the last one closed closes it.
        t.start("episodes", None);
        t.lap();
        t.lap();
        let names: Vec<_> = t.stages.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["ingest", "embed reasons", "episodes"]);
        assert!(t.stages.iter().all(|(_, s)| *s >= 0.0));
    }
}
