//! Settings of a run: defaults, the TOML config file, and their parsing.
//! Every setting used is echoed into metrics.json so a result can be redone.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::Signal;

/// How "about the same issue" is decided for a later contact in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SameIssue {
    /// `embedding` when a sentence-embedding model is used, else `lexical`.
    Auto,
    /// Similar customer words, or an explicit repeat cue.
    Lexical,
    /// Similar meaning (sentence embeddings of the contact reasons), or an
    /// explicit repeat cue.
    Embedding,
    /// Industry definition: any contact in the window is a repeat.
    Any,
}

/// What "first" means in first contact resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FcrBasis {
    /// First interaction: any repeat breaks FCR.
    Contact,
    /// First handler: repeats handled by the same agent (or team) do not.
    Handler,
    /// First promised deadline: repeats before the promise are chases.
    Deadline,
}

/// Who counts as the same handler for `--fcr-basis handler`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum HandlerLevel {
    Agent,
    Team,
}

/// Settings that shape linking and FCR. Durations in seconds.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub timezone: String,
    pub repeat_window_secs: i64,
    pub transfer_gap_secs: i64,
    pub same_issue: SameIssue,
    pub similarity_threshold: f32,
    /// Minimum cosine of reason embeddings for `--same-issue embedding`.
    pub embedding_threshold: f32,
    pub repeat_cues: bool,
    pub fcr_basis: FcrBasis,
    pub handler_level: HandlerLevel,
    pub promise_secs: i64,
    /// Signals that break FCR; the rest are ignored.
    pub fcr_signals: Vec<Signal>,
    /// Customer ids treated as anonymous (lower-case), besides blank.
    pub anonymous_ids: Vec<String>,
    /// The input files' encoding (`gbk`, `big5`, `windows-1255`,
    /// `shift_jis`, `utf-16le`, … any WHATWG label); UTF-8 when unset.
    pub encoding: Option<String>,
    /// The worksheet read from a workbook input (.xlsx, .xls, .ods); the
    /// first sheet when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Output CSVs start with a UTF-8 byte order mark, so Excel opens
    /// Chinese and Hebrew as written when the file is double-clicked.
    pub csv_bom: bool,
    /// Every table also as typed Parquet (contacts.parquet, …), for BI
    /// tools and data lakes.
    pub parquet: bool,
    /// `started_at` format (strftime, e.g. `%d/%m/%Y %H:%M`), tried before
    /// the ISO forms: day-first and month-first dates are never guessed.
    pub date_format: Option<String>,
    /// The period's label (`2026-10`) in every table and episode id; the
    /// month holding most contacts when unset.
    pub period: Option<String>,
    /// End of the data for window censoring; latest contact when unset.
    pub period_end: Option<String>,
    /// `period_end` parsed (Unix seconds), once, when settings are made.
    #[serde(skip)]
    pub period_end_at: Option<i64>,
    /// Root cause: `auto` (a model if one is there, else lexical),
    /// `candle`, or `lexical`.
    pub embedder: EmbedderChoice,
    /// The sentence-embedding model folder.
    pub model: String,
    /// Which episodes' reasons are clustered.
    pub categorise: Categorise,
    pub min_category_size: usize,
    pub max_unassigned: f64,
    pub quotes: usize,
    pub rank_by: RankBy,
    pub severity: Severity,
    /// Segments counted as sensitive in the category impact.
    pub sensitive_segments: Vec<String>,
    pub seed: u64,
    /// `--taxonomy`: the known-categories file.
    pub taxonomy: Option<String>,
    /// `--history`: the dataset every run's month is added to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<String>,
    /// `--taxonomy-threshold`; unset: per space (the model folder's
    /// calibrated value, else `taxonomy::DEFAULT_THRESHOLD_*`).
    pub taxonomy_threshold: Option<f32>,
    /// The model folder's calibrated taxonomy threshold, when it has one.
    pub model_taxonomy_threshold: Option<f32>,
    /// The model folder's calibrated centroid cosine for "the same
    /// category" month over month, when it has one
    /// (`trend::CENTROID_THRESHOLD` otherwise).
    pub centroid_threshold: Option<f64>,
    /// `--previous`: last month's output folder.
    pub previous: Option<String>,
    /// With `--previous`: anchor category boundaries to last month's
    /// (`--no-anchor` turns it off).
    pub anchor: bool,
    /// The report's language; unset: the dominant script of the month's
    /// contacts (the run sets it before metrics, so metrics.json records
    /// the language used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_language: Option<ReportLanguage>,
    /// `--trend-correction`.
    pub trend_correction: Correction,
    /// `--other-scripts-model`: a multilingual model for the reasons an
    /// English-only `--model` cannot read.
    pub other_scripts_model: Option<String>,
    /// Where the default multilingual model was looked for and not found
    /// (no `--other-scripts-model` given): the run warns when the month has
    /// reasons only that model could read.
    pub other_scripts_model_missing: Option<String>,
    /// Write the contact index (`index/`); `--no-index` turns it off.
    pub index: bool,
}

/// The `[severity]` table: weights for customer attributes (segment) and
/// problem attributes (signals). Missing entries weigh 1.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    #[serde(default)]
    pub segment: BTreeMap<String, f64>,
    #[serde(default)]
    pub signal: BTreeMap<String, f64>,
}

impl Severity {
    /// Every weight a finite number ≥ 0 (0 leaves an episode out of the
    /// score; NaN or infinity would make every score meaningless), and
    /// every signal one the run knows.
    pub fn validate(&self) -> Result<(), String> {
        for (table, m) in [("segment", &self.segment), ("signal", &self.signal)] {
            for (k, w) in m {
                if !w.is_finite() || *w < 0.0 {
                    return Err(format!(
                        "[severity.{table}] {k} = {w}: a weight must be a finite number ≥ 0"
                    ));
                }
            }
        }
        if let Some(k) = self.signal.keys().find(|k| Signal::parse(k).is_none()) {
            return Err(format!(
                "[severity.signal] {k}: not a signal (known: {})",
                Signal::ALL.map(|s| s.as_str()).join(", ")
            ));
        }
        Ok(())
    }
}

/// What categories are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    ExtraContacts,
    Episodes,
    Customers,
    Score,
    Escalated,
}

/// How the p-values of one month's categories are adjusted for testing
/// many at once (`--trend-correction`).
///
/// Benjamini–Hochberg is the default: when nothing changed (every null
/// true) it bounds the chance of any false alarm at 5 % exactly as Holm
/// does, and when some categories did change it keeps the expected share
/// of false flags under 5 % while finding far more of the real changes;
/// with 150–200 categories a month Holm missed a category that doubled
/// (BENCHMARKS.md, issue 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Holm: the chance of any false alarm stays under 5 % whatever
    /// changed; misses more real changes.
    Holm,
    /// Benjamini–Hochberg: under 5 % of the flagged are false alarms on
    /// average (under 5 % chance of any when nothing changed).
    #[default]
    Bh,
}

/// The language of report.html and report.md (CSV and JSON keys stay
/// English: the data contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum ReportLanguage {
    #[serde(rename = "en")]
    #[value(name = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN", alias = "zh-cn", alias = "zh-Hans")]
    #[value(name = "zh-CN", alias = "zh-cn", alias = "zh-Hans")]
    ZhCn,
    /// Traditional Chinese (Taiwan, Hong Kong).
    #[serde(
        rename = "zh-TW",
        alias = "zh-tw",
        alias = "zh-HK",
        alias = "zh-hk",
        alias = "zh-Hant"
    )]
    #[value(
        name = "zh-TW",
        alias = "zh-tw",
        alias = "zh-HK",
        alias = "zh-hk",
        alias = "zh-Hant"
    )]
    ZhTw,
    #[serde(rename = "he", alias = "he-IL", alias = "iw")]
    #[value(name = "he", alias = "he-IL", alias = "iw")]
    He,
}

impl ReportLanguage {
    pub const ALL: [ReportLanguage; 4] = [Self::En, Self::ZhCn, Self::ZhTw, Self::He];

    /// The BCP 47 tag, as `<html lang>` and the flag spell it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
            Self::ZhTw => "zh-TW",
            Self::He => "he",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Self::He
    }
}

/// Where the default model lives, relative to the repository root
/// (`scripts/fetch-model.sh` puts it there).
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";

/// The model folder `--model` defaults to, wherever recontact is run from:
/// `$RECONTACT_MODEL_DIR` if set; else the first of `./models/…` (the
/// working directory), `models/…` beside the binary, and `models/…` in a
/// folder above the binary (the project root of `target/release/recontact`)
/// that holds the model; else [`DEFAULT_MODEL_DIR`] as given (missing: the
/// run warns, or fails with `--require-model`).
pub fn default_model_dir() -> std::path::PathBuf {
    find_model_dir("RECONTACT_MODEL_DIR", DEFAULT_MODEL_DIR)
}

/// Where the default multilingual model lives, relative to the repository
/// root (`scripts/fetch-multilingual-model.sh` puts it there).
pub const DEFAULT_OTHER_SCRIPTS_MODEL_DIR: &str = "models/multilingual-e5-small";

/// The folder `--other-scripts-model` defaults to, looked up as
/// [`default_model_dir`] does (`$RECONTACT_OTHER_SCRIPTS_MODEL_DIR`
/// first); the caller checks it holds a model.
pub fn default_other_scripts_model_dir() -> std::path::PathBuf {
    find_model_dir(
        "RECONTACT_OTHER_SCRIPTS_MODEL_DIR",
        DEFAULT_OTHER_SCRIPTS_MODEL_DIR,
    )
}

fn find_model_dir(env: &str, relative: &str) -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if let Some(dir) = std::env::var_os(env) {
        return PathBuf::from(dir);
    }
    let here = PathBuf::from(relative);
    if model_available(&here) {
        return here;
    }
    let exe = std::env::current_exe().ok();
    let beside = exe.as_deref().and_then(Path::parent);
    let found = beside
        .into_iter()
        .flat_map(|d| d.ancestors().take(4))
        .map(|d| d.join(relative))
        .find(|d| model_available(d));
    found.unwrap_or(here)
}

/// Whether `dir` looks like a model folder `CandleEmbedder::load` can read
/// (the three files it needs exist; their contents are checked on load):
/// one test for the default model's lookup and the embedder's choice.
pub fn model_available(dir: &std::path::Path) -> bool {
    ["config.json", "tokenizer.json", "model.safetensors"]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// Which embedder turns contact reasons into vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EmbedderChoice {
    Auto,
    Candle,
    Lexical,
    /// libtorch via rust-bert; needs `--features rust-bert` and a folder
    /// from `recontact model import` as --model.
    #[serde(rename = "rust-bert")]
    #[value(name = "rust-bert")]
    RustBert,
}

/// Which episodes are categorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Categorise {
    /// Only episodes not resolved on first contact (the default).
    NonFcr,
    /// Every episode.
    All,
    /// None: links episodes and measures FCR only.
    None,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: "UTC".into(),
            repeat_window_secs: 7 * 86_400,
            transfer_gap_secs: 15 * 60,
            same_issue: SameIssue::Auto,
            similarity_threshold: 0.15,
            embedding_threshold: 0.42,
            repeat_cues: true,
            fcr_basis: FcrBasis::Contact,
            handler_level: HandlerLevel::Agent,
            promise_secs: 24 * 3600,
            fcr_signals: Signal::ALL.to_vec(),
            anonymous_ids: ["anonymous", "unknown", "0", "anon", "n/a", "none", "null"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            encoding: None,
            sheet: None,
            csv_bom: false,
            parquet: true,
            date_format: None,
            period: None,
            period_end: None,
            period_end_at: None,
            embedder: EmbedderChoice::Auto,
            model: default_model_dir().to_string_lossy().to_string(),
            categorise: Categorise::NonFcr,
            min_category_size: 5,
            max_unassigned: 0.05,
            quotes: 5,
            rank_by: RankBy::ExtraContacts,
            severity: Severity::default(),
            sensitive_segments: ["vip", "sensitive", "media"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            seed: 42,
            taxonomy: None,
            history: None,
            taxonomy_threshold: None,
            model_taxonomy_threshold: None,
            centroid_threshold: None,
            previous: None,
            anchor: true,
            report_language: None,
            trend_correction: Correction::default(),
            other_scripts_model: None,
            other_scripts_model_missing: None,
            index: true,
        }
    }
}

impl Settings {
    /// The run's time zone (`timezone` is checked when settings are made).
    /// `encoding` as an encoding_rs encoding: `None` for UTF-8.
    pub fn encoding_rs(&self) -> Result<Option<&'static encoding_rs::Encoding>> {
        let Some(label) = &self.encoding else {
            return Ok(None);
        };
        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
            Some(e) if e == encoding_rs::UTF_8 => Ok(None),
            Some(e) => Ok(Some(e)),
            None => anyhow::bail!(
                "--encoding '{label}': not an encoding name; e.g. gbk, gb18030, big5, windows-1255, shift_jis, utf-16le"
            ),
        }
    }

    pub fn tz(&self) -> Result<chrono_tz::Tz> {
        self.timezone.parse().map_err(|_| {
            anyhow::anyhow!(
                "unknown time zone '{}' (use an IANA name such as Europe/London)",
                self.timezone
            )
        })
    }

    pub fn signal_enabled(&self, s: Signal) -> bool {
        self.fcr_signals.contains(&s)
    }

    pub fn is_anonymous(&self, customer_id: &str) -> bool {
        let id = customer_id.trim();
        id.is_empty()
            || self
                .anonymous_ids
                .iter()
                .any(|a| a.eq_ignore_ascii_case(id))
    }
}

/// The longest duration a setting takes (ten years).
const MAX_DURATION_SECS: i64 = 3650 * 86_400;

/// Parses `7d`, `36h`, `15m`, `90s` (a bare number is hours).
pub fn parse_duration(s: &str) -> Result<i64> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "h"),
    };
    let n: f64 = num
        .parse()
        .with_context(|| format!("bad duration '{s}': expected e.g. 7d, 36h, 15m"))?;
    let mult = match unit {
        "d" | "day" | "days" => 86_400.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        "m" | "min" | "mins" | "minutes" => 60.0,
        "s" | "sec" | "secs" | "seconds" => 1.0,
        "w" | "week" | "weeks" => 7.0 * 86_400.0,
        _ => bail!("bad duration unit in '{s}': use d, h, m or s"),
    };
    if !(n.is_finite() && n >= 0.0) {
        bail!("bad duration '{s}': must be zero or more");
    }
    // Windows are added to and multiplied with Unix times: a duration of
    // 10^20 days would overflow them (a panic, or wrapped arithmetic in a
    // release build). Ten years is beyond any window a month needs.
    let secs = n * mult;
    if secs > MAX_DURATION_SECS as f64 {
        bail!("bad duration '{s}': at most 3650 days");
    }
    Ok(secs.round() as i64)
}

/// Parses a comma-separated list of FCR signals.
pub fn parse_signals(items: &[String]) -> Result<Vec<Signal>> {
    let mut out = Vec::new();
    for item in items.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        match Signal::parse(item) {
            Some(s) => {
                if !out.contains(&s) {
                    out.push(s)
                }
            }
            None => bail!(
                "unknown FCR signal '{item}' (known: {})",
                Signal::ALL.map(|s| s.as_str()).join(", ")
            ),
        }
    }
    out.sort();
    Ok(out)
}

/// Formats seconds back into the shortest unit that is exact.
pub fn format_duration(secs: i64) -> String {
    if secs != 0 && secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else if secs != 0 && secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units() {
        assert_eq!(parse_duration("7d").unwrap(), 7 * 86_400);
        assert_eq!(parse_duration("36h").unwrap(), 36 * 3600);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("1.5d").unwrap(), 129_600);
        assert_eq!(parse_duration("48").unwrap(), 48 * 3600);
        assert!(parse_duration("7x").is_err());
        assert_eq!(parse_duration("3650d").unwrap(), 3650 * 86_400);
        let huge = parse_duration("99999999999999999999d").unwrap_err();
        assert!(huge.to_string().contains("at most 3650 days"), "{huge}");
        assert!(parse_duration("d").is_err());
        assert_eq!(format_duration(7 * 86_400), "7d");
        assert_eq!(format_duration(900), "15m");
    }

    #[test]
    fn signals_parse_and_reject_unknown() {
        let s = parse_signals(&["reopened,repeat_contact".into()]).unwrap();
        assert_eq!(s, vec![Signal::RepeatContact, Signal::Reopened]);
        assert!(parse_signals(&["nope".into()]).is_err());
    }

    #[test]
    fn severity_weights_are_finite_and_not_negative() {
        let mut s = Severity::default();
        s.segment.insert("vip".into(), 2.0);
        s.signal.insert("escalated".into(), 0.0);
        assert!(s.validate().is_ok());
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            let mut t = s.clone();
            t.segment.insert("media".into(), bad);
            let e = t.validate().unwrap_err();
            assert!(e.contains("[severity.segment] media"), "{e}");
        }
        let mut t = s.clone();
        t.signal.insert("angry".into(), 2.0);
        assert!(t
            .validate()
            .unwrap_err()
            .contains("[severity.signal] angry"));
    }

    #[test]
    fn anonymous_ids() {
        let s = Settings::default();
        for id in ["", "  ", "Anonymous", "UNKNOWN", "0"] {
            assert!(s.is_anonymous(id), "{id:?}");
        }
        assert!(!s.is_anonymous("U0001"));
    }
}
