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
use crate::taxonomy::{self, Taxonomy};
use crate::trend::{self, EmbedderIdentity};

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
    /// Set with `--previous`.
    pub changes: Option<trend::Changes>,
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

/// What clustering the groups gives: the clusters, the reasons' vectors,
/// and per cluster the last-month category it continues.
type Clustered = (Clusters, Vec<Vec<f32>>, Vec<Option<usize>>);

/// One script group's reasons (indices), their vectors, and last month's
/// categories placed in the group's space (for anchoring; empty without
/// `--previous`).
struct Group {
    members: Vec<usize>,
    vectors: Vec<Vec<f32>>,
    /// A transductive embedder's second fit, with last month's examples
    /// (`prev_centres` are in it): anchoring, and the stages after, use it.
    anchor_vectors: Option<Vec<Vec<f32>>>,
    prev_centres: Vec<(usize, Vec<f32>)>,
    /// Centroid cosine for a fresh cluster to continue one of them.
    anchor_threshold: f64,
}

/// Clusters each script group's vectors on its own (anchored to last
/// month's categories when given) and merges the results; the vectors move
/// into reason order (no copy: at a million contacts they are hundreds of
/// megabytes). Also returns, per cluster, the last-month category it
/// continues.
fn cluster_groups(groups: Vec<Group>, n: usize, params: &ClusterParams) -> Result<Clustered> {
    let mut clusters = Clusters {
        labels: vec![None; n],
        centroids: Vec::new(),
    };
    let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); n];
    let mut continues: Vec<Option<usize>> = Vec::new();
    for g in groups {
        let (members, vecs) = (g.members, g.vectors);
        if members.is_empty() {
            continue;
        }
        let fresh = cluster::cluster(&vecs, params)?;
        let mut c = Clusters {
            labels: fresh.labels,
            centroids: fresh.centroids,
        };
        // Anchoring (and the stages after) in the second fit: the fresh
        // clusters' centres are recomputed there.
        let vecs = match g.anchor_vectors {
            Some(a) => {
                c.centroids = embed::centroids(&c.labels, &a, c.centroids.len());
                a
            }
            None => vecs,
        };
        continues.extend(trend::anchor_group(
            &mut c,
            &vecs,
            &g.prev_centres,
            g.anchor_threshold,
            params.min_category_size,
        ));
        let offset = clusters.centroids.len();
        for (k, (&i, v)) in members.iter().zip(vecs).enumerate() {
            clusters.labels[i] = c.labels[k].map(|l| l + offset);
            vectors[i] = v;
        }
        clusters.centroids.extend(c.centroids);
    }
    Ok((clusters, vectors, continues))
}

pub fn run(plan: &RunPlan) -> Result<RunReport> {
    let mut timings = Timings::default();
    let mut t = Instant::now();
    // Fail on an unusable output folder or model before the work, not after.
    let staging = Staging::new(&plan.out)?;
    let (embedder, embedder_warning) = choose_embedder(&plan.settings)?;
    let previous = plan
        .previous
        .as_deref()
        .map(trend::load_previous)
        .transpose()?;
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
    // The reasons an English-only model cannot read go to a multilingual
    // model when one is given: a space that knows what words mean, where
    // the lexical embedder only sees shared words.
    let other_model: Option<CandleEmbedder> = match plan.other_scripts_model.as_deref() {
        Some(dir) if !multilingual => Some(CandleEmbedder::load(dir).with_context(|| {
            format!("cannot load --other-scripts-model from {}", dir.display())
        })?),
        _ => None,
    };
    let other_desc = other_model
        .as_ref()
        .map_or_else(|| "lexical (TF-IDF + SVD)".to_string(), |m| m.name());
    let mut groups: Vec<Group> = Vec::new();
    let mut embedder_desc = embedder.name();
    let other: Vec<String> = by_script
        .keys()
        .filter(|s| **s != Script::Latin)
        .map(|s| format!("{s:?}").to_lowercase())
        .collect();
    if !other.is_empty() {
        embedder_desc = format!(
            "{} for Latin-script reasons; {} for {} reasons, which this English-only model cannot read{}",
            embedder_desc,
            other_desc,
            other.join(", "),
            if other_model.is_some() {
                ""
            } else {
                " (pass a multilingual --model or --other-scripts-model)"
            }
        );
    }
    // --taxonomy: each example phrase goes with the reasons of its script.
    let script_of = |text: &str| {
        if readable(text) {
            Script::Latin
        } else {
            lang::dominant_script(text)
        }
    };
    let tax_examples: Vec<(usize, &str)> = plan
        .taxonomy
        .as_ref()
        .map(|t| t.examples())
        .unwrap_or_default();
    // --previous (anchored): last month's categories are placed in each
    // group's space, by their saved centroids when it is the same model,
    // else by their saved example reasons embedded with the group's.
    let prev_anchor = previous.as_ref().filter(|_| plan.anchor);
    let same_model = is_model
        && prev_anchor.is_some_and(|p| {
            let e = &p.centroids.embedder;
            e.identity == trend::model_identity(&embedder.name(), Path::new(&settings.model), e.dim)
        });
    // (reason, known category, vector, script) of reasons assigned to a
    // known category: kept out of clustering.
    let mut assigned: Vec<(usize, usize, Vec<f32>, Script)> = Vec::new();
    for (script, members) in by_script {
        let texts: Vec<String> = members.iter().map(|&k| reasons[k].text.clone()).collect();
        let ex: Vec<(usize, String)> = tax_examples
            .iter()
            .filter(|(_, e)| script_of(e) == script)
            .map(|(k, e)| (*k, e.to_string()))
            .collect();
        let ex_texts: Vec<String> = ex.iter().map(|(_, e)| e.clone()).collect();
        let model_group = script == Script::Latin && is_model;
        let prev_examples: Vec<(usize, &[String])> = match prev_anchor {
            Some(p) if !(model_group && same_model) => {
                trend::example_texts(p, |e| script_of(e) == script)
            }
            _ => Vec::new(),
        };
        let pe_texts: Vec<String> = prev_examples
            .iter()
            .flat_map(|(_, e)| e.iter().cloned())
            .collect();
        // The lexical embedder is transductive: examples are embedded with
        // the reasons; a model embeds them on their own.
        let mut ex_vecs: Vec<Vec<f32>> = Vec::new();
        let mut pe_vecs: Vec<Vec<f32>> = Vec::new();
        type Vectors = Vec<Vec<f32>>;
        // This month's categories are found as they would be without
        // --previous; a transductive embedder places last month's examples
        // in a second fit, of this month's reasons with them (where a
        // vanished issue's words still have their own dimensions), and
        // anchoring works in that space.
        let mut anchor_vecs: Option<Vectors> = None;
        let mut with_examples = |e: &dyn Embedder| -> Result<(Vectors, Vectors, Vectors)> {
            let mut all = texts.clone();
            all.extend(ex_texts.iter().cloned());
            let mut v = e.embed(&all)?;
            let exv = v.split_off(texts.len());
            if pe_texts.is_empty() {
                return Ok((v, exv, Vec::new()));
            }
            if !e.transductive() {
                return Ok((v, exv, e.embed(&pe_texts)?));
            }
            let mut both = texts.clone();
            both.extend(pe_texts.iter().cloned());
            let mut v2 = e.embed(&both)?;
            let pev = v2.split_off(texts.len());
            anchor_vecs = Some(v2);
            Ok((v, exv, pev))
        };
        let vecs = if model_group {
            if !ex_texts.is_empty() {
                ex_vecs = embedder.embed(&ex_texts)?;
            }
            if !pe_texts.is_empty() {
                pe_vecs = embedder.embed(&pe_texts)?;
            }
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
            let (v, e, p) = with_examples(embedder.as_ref())?;
            (ex_vecs, pe_vecs) = (e, p);
            v
        } else {
            let e: &dyn Embedder = match &other_model {
                Some(m) => m,
                None => &lexical,
            };
            let (v, e, p) = with_examples(e)?;
            (ex_vecs, pe_vecs) = (e, p);
            v
        };
        // Thresholds of this group's space: the model's own, or the lexical
        // space's.
        let other_profile = other_model
            .as_ref()
            .filter(|_| !model_group)
            .map(|m| m.profile());
        let lexical_space = !model_group && other_model.is_none();
        let prev_centres: Vec<(usize, Vec<f32>)> = match prev_anchor {
            Some(p) if model_group && same_model => trend::saved_centres(p),
            _ => {
                let mut at = 0;
                prev_examples
                    .iter()
                    .filter_map(|(j, e)| {
                        let centre = trend::centre_of_examples(&pe_vecs[at..at + e.len()]);
                        at += e.len();
                        centre.map(|c| (*j, c))
                    })
                    .collect()
            }
        };
        let (members, vecs, anchor_vecs) = if ex.is_empty() {
            (members, vecs, anchor_vecs)
        } else {
            let ex_pairs: Vec<(usize, Vec<f32>)> =
                ex.iter().map(|(k, _)| *k).zip(ex_vecs).collect();
            let threshold = plan.taxonomy_threshold.unwrap_or(if lexical_space {
                taxonomy::DEFAULT_THRESHOLD_LEXICAL
            } else {
                match other_profile {
                    Some(p) => p
                        .taxonomy_threshold
                        .unwrap_or(taxonomy::DEFAULT_THRESHOLD_MODEL),
                    None => plan.model_taxonomy_threshold,
                }
            });
            let to = taxonomy::assign(&vecs, &ex_pairs, threshold);
            let has_anchor = anchor_vecs.is_some();
            let mut anchor_iter = anchor_vecs.map(Vec::into_iter);
            let mut kept = (Vec::new(), Vec::new(), Vec::new());
            for ((m, v), t) in members.into_iter().zip(vecs).zip(to) {
                // The second fit's vector follows its reason.
                let a = anchor_iter.as_mut().and_then(Iterator::next);
                match t {
                    Some(known) => assigned.push((m, known, v, script)),
                    None => {
                        kept.0.push(m);
                        kept.1.push(v);
                        kept.2.extend(a);
                    }
                }
            }
            (kept.0, kept.1, has_anchor.then_some(kept.2))
        };
        groups.push(Group {
            members,
            vectors: vecs,
            anchor_vectors: anchor_vecs,
            prev_centres,
            anchor_threshold: if model_group {
                plan.centroid_threshold
            } else if lexical_space {
                trend::EXAMPLES_THRESHOLD
            } else {
                other_profile
                    .and_then(|p| p.centroid_threshold)
                    .unwrap_or(trend::CENTROID_THRESHOLD)
            },
        });
    }
    drop(vectors);
    timings.lap("embed reasons", &mut t);

    let (mut clusters, mut reason_vectors, mut continues) = cluster_groups(
        groups,
        reasons.len(),
        &ClusterParams {
            min_category_size: settings.min_category_size,
            max_unassigned: settings.max_unassigned,
            seed: settings.seed,
        },
    )?;
    // Known categories: one cluster each (after the automatic ones), centred
    // in the space of their Latin-script (model) reasons when there are any.
    let mut known_of_cluster: BTreeMap<usize, usize> = BTreeMap::new();
    let mut by_known: BTreeMap<usize, Vec<(usize, Vec<f32>, Script)>> = BTreeMap::new();
    for (k, known, v, script) in assigned {
        by_known.entry(known).or_default().push((k, v, script));
    }
    let mut model_space: Vec<bool> = (0..clusters.centroids.len()).map(|_| false).collect();
    for (k, l) in clusters.labels.iter().enumerate() {
        if let Some(c) = l {
            model_space[*c] = is_model && readable(&reasons[k].text);
        }
    }
    for (known, items) in by_known {
        let c = clusters.centroids.len();
        let main = items
            .iter()
            .map(|x| x.2)
            .min_by_key(|s| (*s != Script::Latin, *s))
            .unwrap_or(Script::Latin);
        let mut centre: Vec<f32> = Vec::new();
        for (k, v, script) in items {
            if script == main {
                if centre.is_empty() {
                    centre = vec![0.0; v.len()];
                }
                for (a, b) in centre.iter_mut().zip(&v) {
                    *a += b;
                }
            }
            clusters.labels[k] = Some(c);
            reason_vectors[k] = v;
        }
        let norm = centre.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            centre.iter_mut().for_each(|x| *x /= norm);
        }
        clusters.centroids.push(centre);
        continues.push(None);
        model_space.push(is_model && main == Script::Latin);
        known_of_cluster.insert(c, known);
    }
    // The embedder's identity: centroids compare across months only when
    // it is the same.
    let dim = clusters
        .centroids
        .iter()
        .zip(&model_space)
        .find(|(_, m)| **m)
        .map_or(0, |(c, _)| c.len());
    let identity = EmbedderIdentity {
        name: embedder.name(),
        identity: if is_model {
            trend::model_identity(&embedder.name(), Path::new(&settings.model), dim)
        } else {
            "lexical".into()
        },
        dim,
    };
    timings.lap("cluster", &mut t);

    let mut categories = label::label(
        &reasons,
        &reason_vectors,
        &clusters,
        &LabelOptions {
            keywords: 8,
            quotes: settings.quotes,
        },
    );
    if let Some(tax) = &plan.taxonomy {
        for (&c, &known) in &known_of_cluster {
            categories[c].label = tax.categories[known].name.clone();
        }
    }
    // Saved for next month, which embeds them to place these categories in
    // its own space.
    let category_examples: Vec<Vec<String>> = categories
        .iter()
        .map(|c| {
            trend::examples(
                &c.members,
                &reasons,
                &reason_vectors,
                &c.centroid,
                trend::EXAMPLES,
            )
        })
        .collect();
    drop(reason_vectors);
    timings.lap("label", &mut t);

    let mut ranked = rank::rank(
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
    // Known categories keep their key; those with no case are listed at 0.
    if let Some(tax) = &plan.taxonomy {
        for c in ranked.iter_mut() {
            if let Some(known) = c.category_index.and_then(|i| known_of_cluster.get(&i)) {
                c.taxonomy_key = Some(tax.categories[*known].key.clone());
            }
        }
        let width = (ranked.len() + tax.categories.len())
            .to_string()
            .len()
            .max(4);
        for k in &tax.categories {
            if ranked
                .iter()
                .any(|c| c.taxonomy_key.as_deref() == Some(k.key.as_str()))
            {
                continue;
            }
            let rank = ranked.len() + 1;
            ranked.push(rank::zero_case(
                rank,
                format!("CAT-{rank:0width$}"),
                &k.name,
                &k.key,
            ));
        }
    }
    // Month over month: ids continued from --previous, trends.
    let mut saved = trend::summarise(
        &ranked,
        &categories,
        &reasons,
        &model_space,
        &category_examples,
        &continues,
    );
    let mom = trend::compare(
        &mut ranked,
        &mut saved,
        &identity,
        reasons.len(),
        &metrics,
        previous.as_ref(),
        plan.correction,
        plan.centroid_threshold,
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
        changes: mom.changes.as_ref(),
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
    trend::write_files(
        &staging.path(trend::CENTROIDS_FILE),
        &staging.path(trend::REGISTRY_FILE),
        &trend::centroids_file(&identity, &metrics, reasons.len(), extra_contacts, saved),
        &mom.registry,
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
        changes: mom.changes,
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
    use rayon::prelude::*;
    type Task<'s> = Box<dyn FnOnce() -> Result<()> + Send + 's>;
    let files: Vec<Task> = vec![
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
    // The outputs are independent: the index (the longest) beside the files,
    // the files side by side.
    let (index_stats, written) = rayon::join(
        || {
            o.index
                .then(|| {
                    index::build(
                        &staging.path("index"),
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
