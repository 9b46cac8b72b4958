//! The `run` pipeline: stages in order, each a function from typed input to
//! typed output (see ARCHITECTURE.md):
//!
//! ingest → (embed repeat candidates) → episodes → metrics → reasons →
//! embed → cluster → label → rank → report → output.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono_tz::Tz;

use crate::cluster::{self, ClusterParams};
use crate::embed::{self, CandleEmbedder, Embedder, LexicalEmbedder, LexicalOptions};
use crate::episodes::{self, EmbeddingScorer, LexicalScorer, SameIssueScorer};
use crate::index::{self, IndexStats};
use crate::ingest::{self, IngestOptions};
use crate::label::{self, LabelOptions};
use crate::lang::{self, Script};
use crate::metrics::{self, Metrics};
use crate::model::{Clusters, Ingested, Linked, Reason};
use crate::output::{self, Staging};
use crate::rank::{self, RankOptions, RankedCategory};
use crate::report::{self, Report};
use crate::settings::{Categorise, EmbedderChoice, SameIssue, Settings};

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
    pub categories: Vec<RankedCategory>,
    pub embedder: String,
    pub embedder_warning: Option<String>,
    pub timings: Timings,
    /// Set when the contact index was written.
    pub index: Option<IndexStats>,
}

/// The embedder a run uses, and a warning when it had to fall back.
pub fn choose_embedder(settings: &Settings) -> Result<(Box<dyn Embedder>, Option<String>)> {
    let dir = Path::new(&settings.model);
    let lexical = || -> Box<dyn Embedder> {
        Box::new(LexicalEmbedder::new(LexicalOptions {
            seed: settings.seed,
            ..LexicalOptions::default()
        }))
    };
    match settings.embedder {
        EmbedderChoice::Lexical => Ok((lexical(), None)),
        EmbedderChoice::Candle => {
            let e = CandleEmbedder::load(dir).with_context(|| {
                format!("cannot load the embedding model from {}", dir.display())
            })?;
            Ok((Box::new(e), None))
        }
        #[cfg(feature = "rust-bert")]
        EmbedderChoice::RustBert => {
            let e = embed::load_rust_bert(dir)
                .with_context(|| format!("cannot load the rust-bert model from {}", dir.display()))?;
            Ok((e, None))
        }
        #[cfg(not(feature = "rust-bert"))]
        EmbedderChoice::RustBert => anyhow::bail!(
            "--embedder rust-bert needs a binary built with `--features rust-bert` (see docs/rust-bert.md)"
        ),
        EmbedderChoice::Auto => {
            if embed::model_available(dir) {
                let e = CandleEmbedder::load(dir).with_context(|| {
                    format!("cannot load the embedding model from {}", dir.display())
                })?;
                Ok((Box::new(e), None))
            } else {
                Ok((
                    lexical(),
                    Some(format!(
                        "no sentence-embedding model in {} — categories come from the lexical fallback (TF-IDF + SVD), which groups by shared words, not meaning. Run scripts/fetch-model.sh or pass --model DIR.",
                        dir.display()
                    )),
                ))
            }
        }
    }
}

/// Whether a model folder holds a multilingual model (XLM-R, or a vocabulary
/// far beyond English's 30k word pieces). An English-only model reads
/// Chinese and Hebrew badly, so those reasons go to the lexical embedder.
pub fn model_is_multilingual(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("config.json")) else {
        return false;
    };
    let Ok(cfg) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let model_type = cfg.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
    let vocab = cfg.get("vocab_size").and_then(|v| v.as_u64()).unwrap_or(0);
    model_type.contains("xlm") || vocab >= 100_000
}

/// Clusters each script group's vectors on its own and merges the results;
/// the vectors move into reason order (no copy: at a million contacts they
/// are hundreds of megabytes).
fn cluster_groups(
    groups: Vec<(Vec<usize>, Vec<Vec<f32>>)>,
    n: usize,
    params: &ClusterParams,
) -> Result<(Clusters, Vec<Vec<f32>>)> {
    let mut clusters = Clusters {
        labels: vec![None; n],
        centroids: Vec::new(),
    };
    let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); n];
    for (members, vecs) in groups {
        if members.is_empty() {
            continue;
        }
        let c = cluster::cluster(&vecs, params)?;
        let offset = clusters.centroids.len();
        for (k, (&i, v)) in members.iter().zip(vecs).enumerate() {
            clusters.labels[i] = c.labels[k].map(|l| l + offset);
            vectors[i] = v;
        }
        clusters.centroids.extend(c.centroids);
    }
    Ok((clusters, vectors))
}

pub fn run(plan: &RunPlan) -> Result<RunReport> {
    let mut timings = Timings::default();
    let mut t = Instant::now();
    // Fail on an unusable output folder or model before the work, not after.
    let staging = Staging::new(&plan.out)?;
    let (embedder, embedder_warning) = choose_embedder(&plan.settings)?;
    let mut settings = plan.settings.clone();
    let is_model = embedder_warning.is_none() && settings.embedder != EmbedderChoice::Lexical;
    let multilingual = !is_model || model_is_multilingual(Path::new(&settings.model));
    let readable = |text: &str| multilingual || lang::dominant_script(text) == Script::Latin;
    if settings.same_issue == SameIssue::Auto {
        settings.same_issue = if is_model {
            SameIssue::Embedding
        } else {
            SameIssue::Lexical
        };
    }

    let ingested = ingest::ingest(
        &plan.inputs,
        &IngestOptions {
            columns: &plan.columns,
            settings: &settings,
            timezone: plan.timezone,
        },
    )?;
    timings.lap("ingest", &mut t);
    let contacts = &ingested.contacts;

    // Reasons of contacts, embedded once and shared by linking and
    // clustering.
    let mut reason_of: HashMap<usize, String> = HashMap::new();
    let mut reason_text = |i: usize| -> String {
        reason_of
            .entry(i)
            .or_insert_with(|| crate::reason::contact_reason(&contacts[i].text))
            .clone()
    };
    let mut vec_index: HashMap<usize, usize> = HashMap::new();
    let mut vectors: Vec<Vec<f32>> = Vec::new();
    if settings.same_issue == SameIssue::Embedding {
        let cands: Vec<usize> = episodes::repeat_candidates(contacts, settings.repeat_window_secs)
            .into_iter()
            .filter(|&i| readable(&reason_text(i)))
            .collect();
        let texts: Vec<String> = cands.iter().map(|&i| reason_text(i)).collect();
        vectors = embedder.embed(&texts)?;
        vec_index = cands.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        timings.lap("embed repeat candidates", &mut t);
    }
    let linked = {
        let scorer: Box<dyn SameIssueScorer> = if settings.same_issue == SameIssue::Embedding {
            Box::new(EmbeddingScorer {
                index: vec_index.clone(),
                vectors: &vectors,
                threshold: settings.embedding_threshold,
                fallback: (!multilingual)
                    .then(|| LexicalScorer::new(contacts, settings.similarity_threshold)),
            })
        } else {
            Box::new(LexicalScorer::new(contacts, settings.similarity_threshold))
        };
        episodes::link(contacts, &settings, scorer.as_ref())
    };
    timings.lap("episodes", &mut t);

    let metrics = metrics::compute(contacts, &linked, &ingested.stats, &settings, plan.timezone);
    timings.lap("metrics", &mut t);

    // Reasons of the episodes to categorise.
    let reasons: Vec<Reason> = linked
        .episodes
        .iter()
        .enumerate()
        .filter(|(_, e)| match settings.categorise {
            Categorise::NonFcr => !e.signals.is_empty(),
            Categorise::All => true,
            Categorise::None => false,
        })
        .map(|(i, e)| Reason {
            episode: i,
            contact: e.first,
            text: reason_text(e.first),
        })
        .collect();
    // Reasons the embedder can read form one group; with an English-only
    // model, each other script is its own group on the lexical embedder.
    // A model's vectors from linking are reused; the lexical embedder is
    // transductive and sees each group's reasons together.
    let mut by_script: BTreeMap<Script, Vec<usize>> = BTreeMap::new();
    for (k, r) in reasons.iter().enumerate() {
        let script = if readable(&r.text) {
            Script::Latin
        } else {
            lang::dominant_script(&r.text)
        };
        by_script.entry(script).or_default().push(k);
    }
    let lexical = LexicalEmbedder::new(LexicalOptions {
        seed: settings.seed,
        ..LexicalOptions::default()
    });
    let mut groups: Vec<(Vec<usize>, Vec<Vec<f32>>)> = Vec::new();
    let mut embedder_desc = embedder.name();
    let other: Vec<String> = by_script
        .keys()
        .filter(|s| **s != Script::Latin)
        .map(|s| format!("{s:?}").to_lowercase())
        .collect();
    if !other.is_empty() {
        embedder_desc = format!(
            "{} for Latin-script reasons; lexical (TF-IDF + SVD) for {} reasons, which this English-only model cannot read (pass a multilingual --model)",
            embedder_desc,
            other.join(", ")
        );
    }
    for (script, members) in by_script {
        let texts: Vec<String> = members.iter().map(|&k| reasons[k].text.clone()).collect();
        let vecs = if script == Script::Latin && is_model {
            let missing: Vec<usize> = members
                .iter()
                .map(|&k| reasons[k].contact)
                .filter(|c| !vec_index.contains_key(c))
                .collect();
            let missing_texts: Vec<String> = missing.iter().map(|&c| reason_text(c)).collect();
            let fresh = embedder.embed(&missing_texts)?;
            let fresh_index: HashMap<usize, usize> =
                missing.iter().enumerate().map(|(k, &c)| (c, k)).collect();
            members
                .iter()
                .map(|&k| {
                    let c = reasons[k].contact;
                    match vec_index.get(&c) {
                        Some(&v) => vectors[v].clone(),
                        None => fresh[fresh_index[&c]].clone(),
                    }
                })
                .collect()
        } else if script == Script::Latin {
            embedder.embed(&texts)?
        } else {
            lexical.embed(&texts)?
        };
        groups.push((members, vecs));
    }
    drop(vectors);
    timings.lap("embed reasons", &mut t);

    let (clusters, reason_vectors) = cluster_groups(
        groups,
        reasons.len(),
        &ClusterParams {
            min_category_size: settings.min_category_size,
            max_unassigned: settings.max_unassigned,
            seed: settings.seed,
        },
    )?;
    timings.lap("cluster", &mut t);

    let categories = label::label(
        &reasons,
        &reason_vectors,
        &clusters,
        &LabelOptions {
            keywords: 8,
            quotes: settings.quotes,
        },
    );
    drop(reason_vectors);
    timings.lap("label", &mut t);

    let ranked = rank::rank(
        &categories,
        &reasons,
        contacts,
        &linked,
        &RankOptions {
            rank_by: settings.rank_by,
            severity: &settings.severity,
            sensitive_segments: &settings.sensitive_segments,
            timezone: plan.timezone,
            examples: 10,
        },
    );
    let mut linked = linked;
    for c in &ranked {
        for &e in &c.episode_indices {
            linked.episodes[e].category_id = Some(c.category_id.clone());
        }
    }
    timings.lap("rank", &mut t);

    let extra_contacts: usize = reasons
        .iter()
        .map(|r| linked.episodes[r.episode].n_inbound.saturating_sub(1))
        .sum();
    let uncategorised = clusters.labels.iter().filter(|l| l.is_none()).count();
    let report = Report {
        metrics: &metrics,
        categories: &ranked,
        reasons: reasons.len(),
        uncategorised,
        extra_contacts,
        embedder: embedder_desc.clone(),
        embedder_warning: embedder_warning.clone(),
        categorise: format!("{:?}", settings.categorise),
        rank_by: format!("{:?}", settings.rank_by),
        out_dir: plan.out.to_string_lossy().into_owned(),
    };
    let report_files = [
        ("report.md", report::render_markdown(&report)),
        ("report.html", report::render_html(&report)),
        ("report.json", report::render_json(&report)?),
    ];
    let reason_texts: HashMap<usize, &str> = reasons
        .iter()
        .map(|r| (r.episode, r.text.as_str()))
        .collect();

    let index_stats = write_all(
        &staging,
        &Outputs {
            ingested: &ingested,
            linked: &linked,
            metrics: &metrics,
            ranked: &ranked,
            report_files: &report_files,
            reasons: &reason_texts,
            tz: plan.timezone,
            index: plan.index,
        },
    )?;
    staging.commit()?;
    timings.lap("output", &mut t);
    Ok(RunReport {
        metrics,
        categories: ranked,
        embedder: embedder_desc,
        embedder_warning,
        timings,
        index: index_stats,
    })
}

/// Everything the output stage writes.
struct Outputs<'a> {
    ingested: &'a Ingested,
    linked: &'a Linked,
    metrics: &'a Metrics,
    ranked: &'a [RankedCategory],
    report_files: &'a [(&'a str, String)],
    reasons: &'a HashMap<usize, &'a str>,
    tz: Tz,
    index: bool,
}

/// Writes every output; returns the index's figures when it was built.
fn write_all(staging: &Staging, o: &Outputs) -> Result<Option<IndexStats>> {
    let index_stats: std::sync::Mutex<Option<IndexStats>> = std::sync::Mutex::new(None);
    type Task<'s> = Box<dyn FnOnce() -> Result<()> + Send + 's>;
    let mut tasks: Vec<Task> = vec![
        Box::new(|| {
            output::write_contacts(&staging.path("contacts.csv"), o.ingested, o.linked, o.tz)
        }),
        Box::new(|| {
            output::write_episodes(
                &staging.path("episodes.csv"),
                &o.ingested.contacts,
                o.linked,
                o.reasons,
                o.tz,
            )
        }),
        Box::new(|| output::write_rejected(&staging.path("rejected.csv"), o.ingested)),
        Box::new(|| output::write_metrics(&staging.path("metrics.json"), o.metrics)),
        Box::new(|| output::write_categories(&staging.path("categories.csv"), o.ranked)),
        Box::new(|| {
            o.report_files.iter().try_for_each(|(name, text)| {
                std::fs::write(staging.path(name), text)
                    .with_context(|| format!("cannot write {name}"))
            })
        }),
    ];
    if o.index {
        tasks.insert(
            0,
            Box::new(|| {
                let stats = index::build(
                    &staging.path("index"),
                    o.ingested,
                    o.linked,
                    o.ranked,
                    o.tz,
                    rayon::current_num_threads(),
                    &o.metrics.data_start,
                    &o.metrics.data_end,
                )?;
                if let Ok(mut g) = index_stats.lock() {
                    *g = Some(stats);
                }
                Ok(())
            }),
        );
    }
    // The files are independent: write them side by side (the index, the
    // longest, first).
    let results: Vec<Result<()>> = {
        let slots: Vec<std::sync::Mutex<Option<Result<()>>>> =
            tasks.iter().map(|_| std::sync::Mutex::new(None)).collect();
        rayon::scope(|s| {
            for (task, slot) in tasks.into_iter().zip(&slots) {
                s.spawn(move |_| {
                    let r = task();
                    if let Ok(mut g) = slot.lock() {
                        *g = Some(r);
                    }
                });
            }
        });
        slots
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| Err(anyhow::anyhow!("an output writer stopped early")))
            })
            .collect()
    };
    results.into_iter().collect::<Result<()>>()?;
    Ok(index_stats.into_inner().ok().flatten())
}
