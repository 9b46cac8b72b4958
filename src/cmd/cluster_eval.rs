//! `recontact cluster-eval`: scores the embed → cluster stages on a
//! labelled utterance file.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cluster::{self, ClusterParams};
use crate::embed::choose_embedder;
use crate::settings::{EmbedderChoice, Settings};

/// Cluster a labelled utterance file (k never given) and score the result
/// against its labels: NMI, ARI, number of categories, unassigned share and
/// time per stage.
///
/// FILE is CSV with a header (text and label columns, e.g. BANKING77's
/// `text,category`) or JSON Lines (e.g. MASSIVE's `utt` and `intent`).
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The labelled utterances: CSV with a header, or JSON Lines.
    pub file: PathBuf,
    /// Text column / key [default: text, utt or sentence, whichever exists].
    #[arg(long)]
    pub text: Option<String>,
    /// Label column / key [default: label, category or intent].
    #[arg(long)]
    pub label: Option<String>,
    /// `auto` (the model if present), `candle` or `lexical` [default: auto].
    #[arg(long, value_enum, default_value = "auto")]
    pub embedder: EmbedderChoice,
    /// Model folder [default: models/all-MiniLM-L6-v2].
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long, default_value_t = 5)]
    pub min_category_size: usize,
    #[arg(long, default_value_t = 0.05)]
    pub max_unassigned: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Use only the first N rows.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct ClusterEval {
    pub file: String,
    pub texts: usize,
    pub true_labels: usize,
    pub embedder: String,
    pub nmi: f64,
    pub ari: f64,
    pub categories: usize,
    pub unassigned_share: f64,
    pub embed_secs: f64,
    pub cluster_secs: f64,
    pub texts_per_sec: f64,
}

fn pick<'a>(
    given: &'a Option<String>,
    have: &[String],
    defaults: &[&'a str],
    what: &str,
) -> Result<String> {
    if let Some(g) = given {
        if have.iter().any(|h| h == g) {
            return Ok(g.clone());
        }
        bail!("no {what} column '{g}' (have: {})", have.join(", "));
    }
    defaults
        .iter()
        .find(|d| have.iter().any(|h| h == *d))
        .map(|d| d.to_string())
        .with_context(|| {
            format!(
                "no {what} column found (have: {}); name it with --{what}",
                have.join(", ")
            )
        })
}

/// Reads (text, label) pairs from CSV or JSON Lines.
pub fn read_labelled(args: &Args) -> Result<Vec<(String, String)>> {
    let path = &args.file;
    let is_jsonl = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "jsonl" | "ndjson" | "json"));
    let mut out = Vec::new();
    let texts = ["text", "utt", "sentence", "utterance"];
    let labels = ["label", "category", "intent"];
    if is_jsonl {
        let data = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for (n, line) in data.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
                .with_context(|| format!("{}: line {}: bad JSON", path.display(), n + 1))?;
            let keys: Vec<String> = v.keys().cloned().collect();
            let t = pick(&args.text, &keys, &texts, "text")?;
            let l = pick(&args.label, &keys, &labels, "label")?;
            let s = |k: &str| {
                v.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            out.push((s(&t), s(&l)));
        }
    } else {
        let mut r = csv::Reader::from_path(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let head: Vec<String> = r
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let t = pick(&args.text, &head, &texts, "text")?;
        let l = pick(&args.label, &head, &labels, "label")?;
        let (ti, li) = (
            head.iter().position(|h| *h == t).unwrap_or(0),
            head.iter().position(|h| *h == l).unwrap_or(0),
        );
        for rec in r.records() {
            let rec = rec.with_context(|| format!("{}: bad CSV", path.display()))?;
            out.push((
                rec.get(ti).unwrap_or("").to_string(),
                rec.get(li).unwrap_or("").to_string(),
            ));
        }
    }
    if let Some(n) = args.limit {
        out.truncate(n);
    }
    if out.is_empty() {
        bail!("{}: no rows", path.display());
    }
    Ok(out)
}

pub fn evaluate(args: &Args) -> Result<ClusterEval> {
    let rows = read_labelled(args)?;
    let mut settings = Settings {
        embedder: args.embedder,
        seed: args.seed,
        ..Settings::default()
    };
    if let Some(m) = &args.model {
        settings.model = m.clone();
    }
    let (embedder, _) = choose_embedder(&settings, None)?;
    let texts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let t = Instant::now();
    let vectors = embedder.embed(&texts)?;
    let embed_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let c = cluster::cluster(
        &vectors,
        &ClusterParams {
            min_category_size: args.min_category_size,
            max_unassigned: args.max_unassigned,
            seed: args.seed,
        },
    )?;
    let cluster_secs = t.elapsed().as_secs_f64();
    // Unassigned reasons each count as their own singleton, as an honest
    // NMI/ARI over every text.
    let mut next = c.n_categories;
    let pred: Vec<usize> = c
        .cluster_of
        .iter()
        .map(|l| {
            l.unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    let mut label_ids = std::collections::HashMap::new();
    let truth: Vec<usize> = rows
        .iter()
        .map(|r| {
            let k = label_ids.len();
            *label_ids.entry(r.1.clone()).or_insert(k)
        })
        .collect();
    let unassigned = c.cluster_of.iter().filter(|l| l.is_none()).count();
    let r4 = |x: f64| (x * 1e4).round() / 1e4;
    Ok(ClusterEval {
        file: args.file.display().to_string(),
        texts: rows.len(),
        true_labels: label_ids.len(),
        embedder: embedder.name(),
        nmi: r4(cluster::nmi(&pred, &truth)),
        ari: r4(cluster::ari(&pred, &truth)),
        categories: c.n_categories,
        unassigned_share: r4(unassigned as f64 / rows.len() as f64),
        embed_secs: r4(embed_secs),
        cluster_secs: r4(cluster_secs),
        texts_per_sec: (rows.len() as f64 / embed_secs.max(1e-9)).round(),
    })
}

pub fn run(args: Args) -> Result<()> {
    let e = evaluate(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        println!(
            "{}: {} texts, {} labels, embedder {}\n  NMI {:.4}  ARI {:.4}  categories {}  unassigned {:.1}%\n  embed {:.1}s ({} texts/s)  cluster {:.1}s",
            e.file,
            e.texts,
            e.true_labels,
            e.embedder,
            e.nmi,
            e.ari,
            e.categories,
            e.unassigned_share * 100.0,
            e.embed_secs,
            e.texts_per_sec,
            e.cluster_secs
        );
    }
    Ok(())
}
