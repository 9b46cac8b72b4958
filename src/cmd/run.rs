//! `recontact run`: the monthly batch job.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::pipeline::{self, RunPlan};
use crate::progress::{LogFormat, Progress};
use crate::rank::RankBy;
use crate::settings::{
    format_duration, Categorise, EmbedderChoice, FcrBasis, HandlerLevel, SameIssue,
};

use super::run_config::{settings, ConfigFile};

/// Read a month of contacts, link repeat contacts into episodes, measure
/// first contact resolution, find why unresolved customers came back
/// (reasons → embeddings → categories → names → impact ranking), and write
/// the results to --out.
///
/// INPUT is any mix of files and folders of them (several exports of one
/// month at once): CSV/TSV, JSON Lines, Excel/OpenDocument (.xlsx, .xlsm,
/// .xlsb, .xls, .ods; the first sheet or --sheet) and Parquet. Input
/// columns: see docs/data-contract.md; `recontact init EXPORT` proposes
/// the [columns] mapping for an export's own headers.
///
/// Writes into --out, all at once (a failed run writes nothing):
///   report.html, report.md, report.json   the report (one self-contained
///                                         page; the same data as text
///                                         and JSON)
///   contacts.csv, episodes.csv            every contact and episode
///   themes.csv, categories.csv            why customers came back, ranked
///   rejected.csv                          unusable rows, file/line/reason
///   *.parquet                             the same five tables, typed
///                                         (--no-parquet: none)
///   metrics.json                          FCR and every figure, by
///                                         channel, team, agent and week
///   categories.centroids.json,            for next month's --previous
///   category_ids.json
///   index/                                the contact index for
///                                         `recontact search` and `sample`
///                                         (--no-index: none)
/// and, with --history DIR, the month into DIR/period=YYYY-MM/.
///
/// Settings come from the flags, else the [run] table of --config, else the
/// defaults shown.
///
/// Examples:
///   recontact run data/sample --config data/sample/recontact.toml --out out/sample
///   recontact run exports/2026-10/ --config recontact.toml --out out/2026-10 --history history/
///   recontact run calls.xlsx chats.jsonl --out out/2026-10 --timezone Asia/Shanghai
///   recontact run exports/2026-10/ --out out/2026-10 --previous out/2026-09 --report-language zh-CN
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Input files or folders (.csv, .tsv, .jsonl, .ndjson, .json, .xlsx,
    /// .xlsm, .xlsb, .xls, .ods, .parquet).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder (replaced as a whole if it holds an earlier run).
    #[arg(long, short)]
    pub out: PathBuf,
    /// TOML config: [columns] maps contract columns to your export's
    /// headers (contact_id = "Call ID"); [run] holds settings by flag name.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Time zone of naive timestamps, and of weeks and output times
    /// (IANA name, e.g. Asia/Shanghai) [default: UTC].
    #[arg(long)]
    pub timezone: Option<String>,
    /// A later contact within this time of the episode's previous contact
    /// can be a repeat: 7d, 72h, ... [default: 7d].
    #[arg(long)]
    pub repeat_window: Option<String>,
    /// A contact this soon after a transferred one is the same contact
    /// continued, not a repeat [default: 15m].
    #[arg(long)]
    pub transfer_gap: Option<String>,
    /// How a later contact in the window is judged to be about the same
    /// issue: `embedding` (similar meaning, with a model), `lexical` (similar
    /// customer words), both also accepting a repeat cue; `any` (the plain
    /// industry definition); `auto` = embedding with a model, else lexical
    /// [default: auto].
    #[arg(long, value_enum)]
    pub same_issue: Option<SameIssue>,
    /// Minimum TF-IDF cosine of customer words for `lexical` [default: 0.15].
    #[arg(long)]
    pub similarity_threshold: Option<f32>,
    /// Ignore explicit repeat cues ("I called before", 还是, שוב).
    #[arg(long)]
    pub no_repeat_cues: bool,
    /// What "first" means: first `contact`; first `handler` (repeats handled
    /// by the same agent/team keep FCR); first promised `deadline`
    /// (repeats before --promise are chases) [default: contact].
    #[arg(long, value_enum)]
    pub fcr_basis: Option<FcrBasis>,
    /// Same handler means same `agent` or same `team` [default: agent].
    #[arg(long, value_enum)]
    pub handler_level: Option<HandlerLevel>,
    /// The promised resolution time for --fcr-basis deadline [default: 24h].
    #[arg(long)]
    pub promise: Option<String>,
    /// Signals that break FCR, comma-separated [default: repeat_contact,
    /// reopened,transferred,escalated,survey_unresolved].
    #[arg(long, value_delimiter = ',')]
    pub fcr_signals: Option<Vec<String>>,
    /// Customer ids that mean "unknown" (blank always does)
    /// [default: anonymous,unknown,0,anon,n/a,none,null].
    #[arg(long, value_delimiter = ',')]
    pub anonymous_ids: Option<Vec<String>>,
    /// The input files' encoding when not UTF-8: gbk, gb18030, big5,
    /// windows-1255, shift_jis, utf-16le … (any WHATWG label); decoded as
    /// read. A byte order mark in a file wins.
    #[arg(long)]
    pub encoding: Option<String>,
    /// The worksheet to read from .xlsx/.xls/.ods inputs, by name
    /// [default: the first sheet].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Start every output CSV with a UTF-8 byte order mark, so Excel shows
    /// Chinese and Hebrew correctly when the file is double-clicked (most
    /// other tools skip the mark; Python wants encoding='utf-8-sig').
    #[arg(long)]
    pub csv_bom: bool,
    /// The format of `started_at` when it is not ISO: strftime, e.g.
    /// '%d/%m/%Y %H:%M' (day first) or '%m/%d/%Y %I:%M %p'; with %z the
    /// offset is read, else the time is in --timezone. Day-first and
    /// month-first dates are never guessed. ISO, RFC 3339, +0800 offsets
    /// and epoch seconds/milliseconds are read without it.
    #[arg(long)]
    pub date_format: Option<String>,
    /// The period's label in every output table and episode id, e.g.
    /// 2026-10 [default: the calendar month holding most contacts].
    #[arg(long)]
    pub period: Option<String>,
    /// End of the period for window censoring (RFC 3339) [default: the
    /// latest contact].
    #[arg(long)]
    pub period_end: Option<String>,
    /// Minimum cosine of reason embeddings for `--same-issue embedding`
    /// [default: 0.42, or the model folder's calibrated
    /// `embedding_threshold` in recontact-model.json].
    #[arg(long)]
    pub embedding_threshold: Option<f32>,
    /// Embedder for contact reasons: `auto` (the model if present, else
    /// lexical with a warning in the report), `candle`, `lexical`, or
    /// `rust-bert` (built with `--features rust-bert`; --model from
    /// `recontact model import`) [default: auto].
    #[arg(long, value_enum)]
    pub embedder: Option<EmbedderChoice>,
    /// Sentence-embedding model folder (Hugging Face layout: config.json,
    /// tokenizer.json, model.safetensors). In a config file, relative to
    /// the file. [default: $RECONTACT_MODEL_DIR, else the first
    /// models/all-MiniLM-L6-v2 in the working directory, beside the binary,
    /// or in a folder above it (the project root)]
    #[arg(long)]
    pub model: Option<String>,
    /// Fail (exit 2) instead of falling back to the lexical embedder when
    /// no model is found; also on when RECONTACT_REQUIRE_MODEL=1 (as in CI).
    #[arg(long)]
    pub require_model: bool,
    /// Categorise the reasons of `non-fcr` episodes only, `all`, or `none`
    /// (episodes and FCR only) [default: non-fcr].
    #[arg(long, value_enum)]
    pub categorise: Option<Categorise>,
    /// Smallest category; smaller groups are merged or left uncategorised
    /// [default: 5].
    #[arg(long)]
    pub min_category_size: Option<usize>,
    /// Largest share of reasons left uncategorised [default: 0.05].
    #[arg(long)]
    pub max_unassigned: Option<f64>,
    /// Representative quotes per category [default: 5].
    #[arg(long)]
    pub quotes: Option<usize>,
    /// Rank categories by `extra-contacts`, `episodes`, `customers`,
    /// `score` ([severity] weights) or `escalated` [default: extra-contacts].
    #[arg(long, value_enum)]
    pub rank_by: Option<RankBy>,
    /// Seed for everything random (clustering, SVD) [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, 1-1024 [default: all cores]. Output is identical
    /// for any.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Print nothing but errors and warnings: no summary, no progress.
    #[arg(long, short)]
    pub quiet: bool,
    /// Progress on stderr, a line per stage (counts, rate, ETA): `auto` is
    /// a live bar on a terminal, else `plain`; `plain`: timestamped lines
    /// (start, end, and a count now and then on a long stage); `json`: one
    /// JSON object per line per stage event, for schedulers. The summary
    /// stays on stdout [default: auto].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Skip the contact index (index/) that `recontact search` and
    /// `recontact sample` read.
    #[arg(long)]
    pub no_index: bool,
    /// Skip the Parquet twins of the tables (contacts.parquet, …) that
    /// Power BI, Tableau, DuckDB and Spark read typed.
    #[arg(long)]
    pub no_parquet: bool,
    /// Last month's output folder: categories keep their ids and names when
    /// they are the same issue; trends, new and vanished issues and FCR
    /// deltas go first in the report (docs/month-over-month.md).
    #[arg(long, value_name = "LAST_MONTH_DIR")]
    pub previous: Option<PathBuf>,
    /// Known categories (TOML: [[category]] id, name, examples): reasons
    /// close to a known category's example phrases are assigned to it and
    /// keep its name; the rest are clustered as usual.
    #[arg(long, value_name = "FILE")]
    pub taxonomy: Option<PathBuf>,
    /// Add this month to a history dataset (Parquet, one period=YYYY-MM
    /// folder per month; a rerun replaces its month): `recontact history
    /// DIR` prints it, DuckDB/Spark/Power BI read it as one table. The
    /// report shows its last 12 months and "did the fix land?"; its latest
    /// earlier month is --previous unless one is given.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Smallest cosine of a reason and a known category's example phrase
    /// for --taxonomy [default: 0.65 in a model's space, 0.4 in the lexical
    /// embedder's, whose cosines run lower].
    #[arg(long)]
    pub taxonomy_threshold: Option<f32>,
    /// With --previous and the same model as last month, categories are
    /// anchored to last month's centres (stable boundaries); this clusters
    /// afresh and only matches the categories.
    #[arg(long)]
    pub no_anchor: bool,
    /// With --previous: adjust the trend p-values for the many categories
    /// tested with `bh` (Benjamini–Hochberg: under 5 % of flags false; in a
    /// month with no change, under 5 % chance of any) or `holm` (under 5 %
    /// chance of any false alarm whatever changed; misses more real
    /// changes) [default: bh].
    #[arg(long, value_enum)]
    pub trend_correction: Option<crate::trend::Correction>,
    /// A multilingual model folder for the reasons an English-only --model
    /// cannot read (Chinese, Hebrew, ...): their clustering, names,
    /// taxonomy matches and same-issue test. `none`: the lexical embedder
    /// reads them [default: models/multilingual-e5-small, from
    /// scripts/fetch-models.sh, when it is there]
    #[arg(long, value_name = "DIR|none")]
    pub other_scripts_model: Option<PathBuf>,
    /// The language of report.html and report.md: en, zh-CN, zh-TW or he
    /// (right to left) [default: the dominant script of the month's
    /// contacts; Chinese as Traditional when most of it is]
    #[arg(long, value_enum, value_name = "LANG")]
    pub report_language: Option<crate::settings::ReportLanguage>,
}

pub fn run(args: Args) -> Result<()> {
    run_with(args, None)
}

/// `recontact run`'s flags read from an argument list (`argv[0]` is the
/// program's name): how the Python package's Spark driver takes the usual
/// run flags.
pub fn parse_args<I, T>(argv: I) -> std::result::Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    #[derive(clap::Parser)]
    #[command(name = "recontact-spark", version)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }
    <Cli as clap::Parser>::try_parse_from(argv).map(|c| c.args)
}

/// `run` with the model's encoder batches sent to `offload` (the Python
/// package's Spark driver); the outputs are a local run's.
pub fn run_with(args: Args, offload: Option<crate::embed::offload::SharedOffload>) -> Result<()> {
    let cfg = match &args.config {
        Some(p) => ConfigFile::load(p)?,
        None => ConfigFile::default(),
    };
    let settings = settings(&args, &cfg)?;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global()
            .context("cannot start worker threads")?;
    }
    let taxonomy = settings
        .taxonomy
        .as_deref()
        .map(|p| crate::taxonomy::Taxonomy::load(Path::new(p)))
        .transpose()?;
    let plan = RunPlan {
        inputs: args.inputs.clone(),
        out: args.out.clone(),
        columns: cfg.columns,
        settings,
        taxonomy,
        progress: Progress::stderr(args.log_format.unwrap_or_default(), args.quiet),
        offload,
    };
    let require_model =
        args.require_model || std::env::var("RECONTACT_REQUIRE_MODEL").as_deref() == Ok("1");
    let report = pipeline::run(&plan, require_model).inspect_err(|_| plan.progress.fail())?;
    // A fallback moves the headline: said on stderr even with --quiet.
    for w in report.embedder_warning.iter().chain(&report.warnings) {
        eprintln!("warning: {}", crate::text::terminal_safe(w));
    }
    if !args.quiet {
        print_summary(&plan, &report);
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "n/a".into())
}

fn print_summary(plan: &RunPlan, r: &pipeline::RunReport) {
    let m = &r.metrics;
    // The settings as resolved by the run (e.g. `--same-issue auto`).
    let s = &m.settings;
    println!(
        "recontact: {} rows read, {} contacts, {} rejected{}",
        m.input.rows_read,
        m.contacts,
        m.input.rows_rejected,
        if m.input.rows_rejected > 0 {
            format!(
                " (see {})",
                plan.out.join(crate::layout::REJECTED).display()
            )
        } else {
            String::new()
        }
    );
    println!(
        "  episodes {} ({} closed, {} window still open at {})",
        m.episodes, m.closed_episodes, m.window_open_episodes, m.data_end
    );
    println!(
        "  FCR rate {}   one-time resolution {}   contacts per resolved issue {}   customers with repeats {}",
        pct(m.fcr_rate),
        pct(m.one_time_resolution_rate),
        m.avg_contacts_per_resolved_issue
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "n/a".into()),
        pct(m.repeat_customer_share)
    );
    if m.survey.episodes_with_answer > 0 {
        println!(
            "  survey FCR {} vs CRM FCR {} on {} answered episodes ({} disagree)",
            pct(m.survey.survey_fcr_rate),
            pct(m.survey.crm_fcr_rate),
            m.survey.episodes_with_answer,
            pct(m.survey.disagreement_rate)
        );
    }
    println!(
        "  window {}, same issue: {:?}, FCR basis: {:?}, report language: {}{}",
        format_duration(s.repeat_window_secs),
        s.same_issue,
        s.fcr_basis,
        s.report_language.map_or("en", |l| l.tag()),
        if plan.settings.report_language.is_none() {
            " (the month's dominant script, or last month's with --previous; --report-language to choose)"
        } else {
            ""
        }
    );
    let times: Vec<String> = r
        .timings
        .stages
        .iter()
        .map(|(n, t)| format!("{n} {t:.2}s"))
        .collect();
    println!(
        "  embedder: {}; {} categories",
        r.embedder,
        r.categories.len()
    );
    for c in r.categories.iter().take(5) {
        println!(
            "    {:>2}. {} — {} extra contacts, {} episodes",
            c.rank,
            crate::text::terminal_safe(&c.label),
            c.extra_contacts,
            c.episodes
        );
    }
    if let Some(ch) = &r.changes {
        println!(
            "  since last month: {} new, {} rising, {} falling, {} vanished (matched by {}); FCR {} → {}",
            ch.new.len(),
            ch.rising.len(),
            ch.falling.len(),
            ch.vanished.len(),
            ch.matched_by,
            pct(ch.fcr.overall.prev_fcr_rate),
            pct(ch.fcr.overall.fcr_rate)
        );
    }
    println!("  time: {}", times.join(", "));
    if let Some(ix) = &r.index {
        println!(
            "  index: {} contacts, {:.1} MB of text in {:.2}s (inside output; {:.0} contacts/s, {:.1} MB/s), {:.1} MB on disk, {} segments",
            ix.contacts,
            ix.text_bytes as f64 / 1e6,
            ix.secs,
            ix.contacts as f64 / ix.secs.max(1e-9),
            ix.text_bytes as f64 / 1e6 / ix.secs.max(1e-9),
            ix.index_bytes as f64 / 1e6,
            ix.segments
        );
    }
    println!("  results in {}/", plan.out.display());
}

#[cfg(test)]
mod tests {
    use clap::Args as _;

    /// `run --help` names every file a run writes (the Parquet tables as
    /// `*.parquet`), so a new output cannot go unmentioned.
    #[test]
    fn the_help_lists_every_output() {
        let help = super::Args::augment_args(clap::Command::new("run"))
            .render_long_help()
            .to_string();
        for f in crate::layout::ALL {
            if *f == crate::layout::MARKER {
                continue;
            }
            let named = if f.ends_with(".parquet") {
                "*.parquet"
            } else {
                f
            };
            assert!(help.contains(named), "run --help does not name {f}");
        }
        assert!(help.contains("Examples:"));
    }
}
