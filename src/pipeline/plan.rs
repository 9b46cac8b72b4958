//! What a run is given (`RunPlan`) and what it hands back (`RunReport`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono_tz::Tz;

use crate::index::IndexStats;
use crate::metrics::Metrics;
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
    pub settings: Settings,
    pub timezone: Tz,
    /// Write the contact index (`index/`) for `search` and `sample`.
    pub index: bool,
    /// `--previous`: last month's output folder, for stable ids and trends.
    pub previous: Option<PathBuf>,
    /// `--taxonomy`: known categories, and `--taxonomy-threshold` (default:
    /// per space, `taxonomy::DEFAULT_THRESHOLD_*`).
    pub taxonomy: Option<Taxonomy>,
    pub taxonomy_threshold: Option<f32>,
    /// With `--previous` and the same model: anchor category boundaries to
    /// last month's centres (`--no-anchor` turns it off).
    pub anchor: bool,
    /// Centroid cosine for "the same category" in the model's space, month
    /// over month (`trend::CENTROID_THRESHOLD`, or the model folder's
    /// calibrated `centroid_threshold`).
    pub centroid_threshold: f64,
    /// `--other-scripts-model`: a multilingual model for the reasons an
    /// English-only `--model` cannot read, instead of the lexical embedder.
    pub other_scripts_model: Option<PathBuf>,
    /// Default `--taxonomy-threshold` in the model's space (its folder's
    /// calibrated value, else `taxonomy::DEFAULT_THRESHOLD_MODEL`).
    pub model_taxonomy_threshold: f32,
    /// `--trend-correction`.
    pub correction: trend::Correction,
}

/// Seconds spent per stage, for the terminal summary.
#[derive(Debug)]
pub struct Timings {
    pub stages: Vec<(&'static str, f64)>,
    since: Instant,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            stages: Vec::new(),
            since: Instant::now(),
        }
    }
}

impl Timings {
    /// Closes the stage that began at the last lap (or at the start).
    pub fn lap(&mut self, name: &'static str) {
        self.stages.push((name, self.since.elapsed().as_secs_f64()));
        self.since = Instant::now();
    }
}

pub struct RunReport {
    pub metrics: Metrics,
    pub categories: Vec<RankedCategory>,
    pub embedder: String,
    pub embedder_warning: Option<String>,
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
        t.lap("ingest");
        t.lap("episodes");
        let names: Vec<_> = t.stages.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["ingest", "episodes"]);
        assert!(t.stages.iter().all(|(_, s)| *s >= 0.0));
    }
}
