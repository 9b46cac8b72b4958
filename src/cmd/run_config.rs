//! `recontact run`'s settings: the flags over the `--config` file's `[run]`
//! table over the defaults, merged into one `Settings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::run::Args;
use crate::embed::ModelProfile;
use crate::ingest::COLUMNS;
use crate::settings::{
    parse_duration, parse_signals, Categorise, Correction, EmbedderChoice, FcrBasis, HandlerLevel,
    RankBy, SameIssue, Settings, Severity,
};

/// The `--config recontact.toml` file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Contract column name -> the export's own header name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub run: RunConfig,
    /// Weights for the category score (`[severity.segment]`, `[severity.signal]`).
    #[serde(default)]
    pub severity: Severity,
}

/// `[run]` table: the same names as the command-line flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub timezone: Option<String>,
    pub repeat_window: Option<String>,
    pub transfer_gap: Option<String>,
    pub same_issue: Option<SameIssue>,
    pub similarity_threshold: Option<f32>,
    pub embedding_threshold: Option<f32>,
    pub repeat_cues: Option<bool>,
    pub fcr_basis: Option<FcrBasis>,
    pub handler_level: Option<HandlerLevel>,
    pub promise: Option<String>,
    pub fcr_signals: Option<Vec<String>>,
    pub anonymous_ids: Option<Vec<String>>,
    pub encoding: Option<String>,
    pub sheet: Option<String>,
    pub csv_bom: Option<bool>,
    pub parquet: Option<bool>,
    pub date_format: Option<String>,
    pub period: Option<String>,
    pub period_end: Option<String>,
    pub embedder: Option<EmbedderChoice>,
    pub model: Option<String>,
    pub categorise: Option<Categorise>,
    pub min_category_size: Option<usize>,
    pub max_unassigned: Option<f64>,
    pub quotes: Option<usize>,
    pub rank_by: Option<RankBy>,
    pub sensitive_segments: Option<Vec<String>>,
    pub seed: Option<u64>,
    /// `--taxonomy`; a relative path is relative to the config file's
    /// folder (the taxonomy usually sits beside it).
    pub taxonomy: Option<std::path::PathBuf>,
    /// `--history`; relative to the config file's folder.
    pub history: Option<std::path::PathBuf>,
    pub taxonomy_threshold: Option<f32>,
    /// `false` is `--no-anchor`.
    pub anchor: Option<bool>,
    pub trend_correction: Option<Correction>,
    pub other_scripts_model: Option<std::path::PathBuf>,
    pub report_language: Option<crate::settings::ReportLanguage>,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let cfg: ConfigFile =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e))?;
        for key in cfg.columns.keys() {
            if !COLUMNS.iter().any(|c| c.name == key) {
                bail!(
                    "{}: [columns] maps unknown contract column '{}' (known: {})",
                    path.display(),
                    key,
                    COLUMNS
                        .iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        Ok(cfg)
    }
}

/// The calibrated defaults and prefix the model folder carries (none with
/// the lexical embedder, whose cosines have their own defaults, nor for
/// rust-bert, whose folders come from `recontact model import`).
pub fn model_profile(s: &Settings) -> Result<ModelProfile> {
    match s.embedder {
        EmbedderChoice::Auto | EmbedderChoice::Candle => ModelProfile::read(Path::new(&s.model)),
        EmbedderChoice::Lexical | EmbedderChoice::RustBert => Ok(ModelProfile::default()),
    }
}

/// Merges flags over the config's [run] table over the defaults.
pub fn settings(args: &Args, cfg: &ConfigFile) -> Result<Settings> {
    let r = &cfg.run;
    let mut s = Settings::default();
    let pick = |flag: &Option<String>, conf: &Option<String>| flag.clone().or_else(|| conf.clone());
    if let Some(tz) = pick(&args.timezone, &r.timezone) {
        s.timezone = tz;
    }
    if let Some(d) = pick(&args.repeat_window, &r.repeat_window) {
        s.repeat_window_secs = parse_duration(&d).context("--repeat-window")?;
    }
    if let Some(d) = pick(&args.transfer_gap, &r.transfer_gap) {
        s.transfer_gap_secs = parse_duration(&d).context("--transfer-gap")?;
    }
    if let Some(d) = pick(&args.promise, &r.promise) {
        s.promise_secs = parse_duration(&d).context("--promise")?;
    }
    if let Some(v) = args.same_issue.or(r.same_issue) {
        s.same_issue = v;
    }
    if let Some(v) = args.similarity_threshold.or(r.similarity_threshold) {
        anyhow::ensure!(
            (0.0..=1.0).contains(&v),
            "--similarity-threshold must be in 0..1"
        );
        s.similarity_threshold = v;
    }
    if args.no_repeat_cues {
        s.repeat_cues = false;
    } else if let Some(v) = r.repeat_cues {
        s.repeat_cues = v;
    }
    if let Some(v) = args.fcr_basis.or(r.fcr_basis) {
        s.fcr_basis = v;
    }
    if let Some(v) = args.handler_level.or(r.handler_level) {
        s.handler_level = v;
    }
    if let Some(v) = args.fcr_signals.as_ref().or(r.fcr_signals.as_ref()) {
        s.fcr_signals = parse_signals(v)?;
    }
    if let Some(v) = args.anonymous_ids.as_ref().or(r.anonymous_ids.as_ref()) {
        s.anonymous_ids = v.iter().map(|x| x.trim().to_lowercase()).collect();
    }
    if let Some(v) = args.embedding_threshold.or(r.embedding_threshold) {
        anyhow::ensure!(
            (0.0..=1.0).contains(&v),
            "--embedding-threshold must be in 0..1"
        );
        s.embedding_threshold = v;
    }
    if let Some(v) = args.embedder.or(r.embedder) {
        s.embedder = v;
    }
    // The flag as given; a config file's model is relative to its folder,
    // as its taxonomy is; else the default model, found wherever recontact
    // runs from (`settings::default_model_dir`).
    if let Some(v) = &args.model {
        s.model = v.clone();
    } else if let Some(v) = &r.model {
        let dir = args.config.as_deref().and_then(Path::parent);
        s.model = dir
            .map_or_else(|| PathBuf::from(v), |d| d.join(v))
            .to_string_lossy()
            .into_owned();
    }
    // A model whose cosines run on another scale than all-MiniLM-L6-v2's
    // carries its own calibrated default; a flag or the config file wins.
    if args.embedding_threshold.or(r.embedding_threshold).is_none() {
        if let Some(v) = model_profile(&s)?.embedding_threshold {
            s.embedding_threshold = v;
        }
    }
    if let Some(v) = args.categorise.or(r.categorise) {
        s.categorise = v;
    }
    if let Some(v) = args.min_category_size.or(r.min_category_size) {
        anyhow::ensure!(v >= 1, "--min-category-size must be at least 1");
        s.min_category_size = v;
    }
    if let Some(v) = args.max_unassigned.or(r.max_unassigned) {
        anyhow::ensure!((0.0..=1.0).contains(&v), "--max-unassigned must be in 0..1");
        s.max_unassigned = v;
    }
    if let Some(v) = args.quotes.or(r.quotes) {
        s.quotes = v;
    }
    if let Some(v) = args.rank_by.or(r.rank_by) {
        s.rank_by = v;
    }
    if let Some(v) = args.report_language.or(r.report_language) {
        s.report_language = Some(v);
    }
    if let Some(v) = args.seed.or(r.seed) {
        s.seed = v;
    }
    if let Some(v) = r.sensitive_segments.as_ref() {
        s.sensitive_segments = v.iter().map(|x| x.trim().to_lowercase()).collect();
    }
    cfg.severity.validate().map_err(|e| {
        let file = args
            .config
            .as_deref()
            .map_or_else(String::new, |p| format!("{}: ", p.display()));
        anyhow::anyhow!("{file}{e}")
    })?;
    s.severity = cfg.severity.clone();
    s.date_format = pick(&args.date_format, &r.date_format);
    s.encoding = pick(&args.encoding, &r.encoding);
    s.encoding_rs()?;
    s.sheet = pick(&args.sheet, &r.sheet);
    s.csv_bom = args.csv_bom || r.csv_bom.unwrap_or(false);
    s.parquet = !args.no_parquet && r.parquet.unwrap_or(true);
    if let Some(p) = pick(&args.period, &r.period) {
        crate::time::check_period(&p).map_err(anyhow::Error::msg)?;
        s.period = Some(p);
    }
    if let Some(p) = pick(&args.period_end, &r.period_end) {
        let at = crate::time::parse_timestamp(&p, chrono_tz::UTC)
            .map_err(|e| anyhow::anyhow!("--period-end: {e}"))?;
        s.period_end = Some(p);
        s.period_end_at = Some(at);
    }
    s.tz()?;
    // The flag wins; a config file's taxonomy path is relative to its folder.
    let taxonomy = args.taxonomy.clone().or_else(|| {
        let p = r.taxonomy.as_ref()?;
        let dir = args.config.as_deref().and_then(Path::parent);
        Some(dir.map_or_else(|| p.clone(), |d| d.join(p)))
    });
    s.taxonomy = taxonomy.map(|p| p.to_string_lossy().into_owned());
    let history = args.history.clone().or_else(|| {
        let p = r.history.as_ref()?;
        let dir = args.config.as_deref().and_then(Path::parent);
        Some(dir.map_or_else(|| p.clone(), |d| d.join(p)))
    });
    s.history = history.map(|p| p.to_string_lossy().into_owned());
    s.taxonomy_threshold = args.taxonomy_threshold.or(r.taxonomy_threshold);
    anyhow::ensure!(
        s.taxonomy_threshold
            .is_none_or(|t| (-1.0..=1.0).contains(&t)),
        "--taxonomy-threshold must be in -1..1"
    );
    let profile = model_profile(&s)?;
    s.centroid_threshold = profile.centroid_threshold;
    s.model_taxonomy_threshold = profile.taxonomy_threshold;
    s.previous = args
        .previous
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    s.anchor = !args.no_anchor && r.anchor.unwrap_or(true);
    s.trend_correction = args
        .trend_correction
        .or(r.trend_correction)
        .unwrap_or_default();
    // The multilingual model is on by default when it is installed;
    // `none` turns it off (the lexical embedder reads those reasons).
    match args
        .other_scripts_model
        .clone()
        .or_else(|| r.other_scripts_model.clone())
    {
        Some(p) if p.as_os_str() == "none" => s.other_scripts_model = None,
        Some(p) => s.other_scripts_model = Some(p.to_string_lossy().into_owned()),
        None => {
            let dir = crate::settings::default_other_scripts_model_dir();
            let path = dir.to_string_lossy().into_owned();
            if crate::settings::model_available(&dir) {
                s.other_scripts_model = Some(path);
            } else {
                s.other_scripts_model_missing = Some(path);
            }
        }
    }
    s.index = !args.no_index;
    Ok(s)
}

#[cfg(test)]
mod tests {
    //! Property tests: no `--config` file makes reading it, or merging it
    //! into `Settings`, panic.

    use super::*;
    use crate::test_support::{fuzz_config, hostile_text};
    use clap::Parser;
    use proptest::prelude::*;
    use proptest::sample::select;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(config: &Path) -> Args {
        let argv = ["run", "in.csv", "--out", "o", "--embedder", "lexical"];
        let mut a = Cli::try_parse_from(argv).unwrap().args;
        a.config = Some(config.to_path_buf());
        a
    }

    const RUN_KEYS: &[&str] = &[
        "timezone",
        "repeat_window",
        "transfer_gap",
        "same_issue",
        "similarity_threshold",
        "embedding_threshold",
        "repeat_cues",
        "fcr_basis",
        "handler_level",
        "promise",
        "fcr_signals",
        "anonymous_ids",
        "encoding",
        "sheet",
        "csv_bom",
        "parquet",
        "date_format",
        "period",
        "period_end",
        "embedder",
        "model",
        "categorise",
        "min_category_size",
        "max_unassigned",
        "quotes",
        "rank_by",
        "sensitive_segments",
        "seed",
        "taxonomy",
        "history",
        "taxonomy_threshold",
        "anchor",
        "trend_correction",
        "other_scripts_model",
        "report_language",
        "no_such_key",
    ];

    /// TOML values: hostile strings, numbers at and past the limits, odd types.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            hostile_text().prop_map(|s| toml::Value::String(s).to_string()),
            select(&[
                "0",
                "-1",
                "9223372036854775807",
                "-9223372036854775808",
                "99999999999999999999",
                "nan",
                "-inf",
                "1e308",
                "-0.0",
                "0.5",
                "2",
                "true",
                "[]",
                "[\"a\", 1]",
                "{}",
                "\"7d\"",
                "\"99999999999999999999d\"",
                "\"1e999d\"",
                "\"0.00001s\"",
                "\"lexical\"",
                "\"UTC\"",
                "\"big5\"",
                "\"%d/%m/%Y\"",
                "\"2026-10\"",
                "\"../x\"",
                "\"escalated,reopened\"",
                "1979-05-27T07:32:00Z",
                "\"\\u0000\"",
            ])
            .prop_map(str::to_string),
        ]
    }

    /// A config file: `[run]`, `[columns]` and `[severity]` tables with
    /// known and unknown keys, or hostile text.
    fn config() -> impl Strategy<Value = String> {
        let run = proptest::collection::vec((select(RUN_KEYS), value()), 0..6);
        let columns = proptest::collection::vec(
            (
                select(&["contact_id", "text", "started_at", "nope"]),
                value(),
            ),
            0..3,
        );
        let severity = proptest::collection::vec(
            (
                select(&["segment", "signal"]),
                select(&["vip", "escalated", "x"]),
                value(),
            ),
            0..3,
        );
        prop_oneof![
            4 => (run, columns, severity).prop_map(|(run, columns, severity)| {
                let mut s = String::from("[run]\n");
                for (k, v) in run {
                    s.push_str(&format!("{k} = {v}\n"));
                }
                s.push_str("[columns]\n");
                for (k, v) in columns {
                    s.push_str(&format!("{k} = {v}\n"));
                }
                for (t, k, v) in severity {
                    s.push_str(&format!("[severity.{t}]\n{k} = {v}\n"));
                }
                s
            }),
            1 => hostile_text(),
        ]
    }

    fn load_and_merge(text: &str) -> Result<(), TestCaseError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recontact.toml");
        std::fs::write(&path, text).unwrap();
        if let Ok(cfg) = ConfigFile::load(&path) {
            if let Ok(s) = settings(&args(&path), &cfg) {
                prop_assert!((0..=3650 * 86_400).contains(&s.repeat_window_secs));
                prop_assert!((0.0..=1.0).contains(&s.similarity_threshold));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(fuzz_config(256))]

        #[test]
        fn any_config_is_read_or_refused(text in config()) {
            load_and_merge(&text)?;
        }

        #[test]
        fn any_bytes_as_a_config_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.toml");
            std::fs::write(&path, &bytes).unwrap();
            let _ = ConfigFile::load(&path);
        }
    }

    #[test]
    fn a_window_of_ten_to_the_twenty_days_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recontact.toml");
        std::fs::write(&path, "[run]\nrepeat_window = \"99999999999999999999d\"\n").unwrap();
        let cfg = ConfigFile::load(&path).unwrap();
        let err = settings(&args(&path), &cfg).unwrap_err();
        assert!(format!("{err:#}").contains("at most 3650 days"), "{err:#}");
    }
}
