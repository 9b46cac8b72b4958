//! The same-issue test's inputs: the repeat candidates' vectors, and for
//! pairs of one customer that would link and share clauses, the similarity
//! of what each says apart from the other (`text::apart`).

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rayon::prelude::*;

use super::groups::{LinkVectors, OtherLinkVectors, ReasonTexts, Spaces};
use crate::embed;
use crate::embed::{Embedder, VectorStore};
use crate::episodes::{self, EmbeddingScorer, LexicalScorer, OtherSpace, SameIssueScorer};
use crate::model::{Contact, Linked};
use crate::settings::{SameIssue, Settings};
use crate::text;
use crate::text::Boilerplate;

/// How far apart (in repeat windows) two contacts of a customer can be and
/// still be compared: an episode's earlier contacts stay comparable while
/// it is open.
const APART_WINDOWS: i64 = 3;

/// Where the link vectors go past a size: a month's repeat candidates are
/// its largest vectors (≈ 1 GB per million contacts with a model).
pub(super) struct Spill {
    /// Vectors of one space up to this many bytes stay in memory.
    pub memory_limit: usize,
    /// Beside the output (the run's staging folder): on the disk the
    /// output goes to, not a `/tmp` that may be memory.
    pub dir: std::path::PathBuf,
}

impl Spill {
    /// Up to [`SPILL_DEFAULT_MB`] in memory, or what
    /// `RECONTACT_VECTORS_IN_MEMORY_MB` says.
    pub fn new(dir: &std::path::Path) -> Result<Spill> {
        let mb = match std::env::var("RECONTACT_VECTORS_IN_MEMORY_MB") {
            Ok(v) => v.trim().parse::<usize>().map_err(|_| {
                anyhow::anyhow!(
                    "RECONTACT_VECTORS_IN_MEMORY_MB={v:?}: not a whole number of megabytes"
                )
            })?,
            Err(_) => SPILL_DEFAULT_MB,
        };
        Ok(Spill {
            memory_limit: mb.saturating_mul(1 << 20),
            dir: dir.to_path_buf(),
        })
    }
}

/// Megabytes of one space's link vectors held in memory by default
/// (≈ 170k vectors of 384 values): small and medium months never touch the
/// disk.
pub const SPILL_DEFAULT_MB: usize = 256;

/// Embeds the reasons of the contacts that can be repeats, for the
/// same-issue test: those the run's embedder reads in its space, the
/// others in the other-scripts model's when there is one. Clustering
/// reuses them.
pub(super) fn embed_repeat_candidates(
    contacts: &[Contact],
    settings: &Settings,
    spaces: &Spaces,
    texts: &mut ReasonTexts,
    spill: &Spill,
    candidates: Vec<usize>,
) -> Result<LinkVectors> {
    let (cands, others): (Vec<usize>, Vec<usize>) = candidates
        .into_iter()
        .partition(|&i| spaces.readable(&texts.linking(i)));
    let mut main = embed_space(
        contacts,
        settings,
        &cands,
        texts,
        &*spaces.embedder,
        settings.embedding_threshold,
        spill,
    )?;
    if let Some(model) = &spaces.other_model {
        let profile = model.profile();
        let threshold = profile
            .other_scripts_embedding_threshold
            .or(profile.embedding_threshold)
            .unwrap_or(settings.embedding_threshold);
        let metered = embed::Metered {
            inner: model,
            progress: spaces.progress.clone(),
        };
        let vectors = embed_space(
            contacts, settings, &others, texts, &metered, threshold, spill,
        )?;
        main.other = Some(Box::new(OtherLinkVectors {
            vectors,
            threshold,
            base: settings.embedding_threshold,
        }));
    }
    Ok(main)
}

/// One space's vectors of `cands`, and the cosines apart of its pairs.
fn embed_space(
    contacts: &[Contact],
    settings: &Settings,
    cands: &[usize],
    texts: &mut ReasonTexts,
    embedder: &dyn Embedder,
    threshold: f32,
    spill: &Spill,
) -> Result<LinkVectors> {
    let reason_texts: Vec<String> = cands.iter().map(|&i| texts.linking(i)).collect();
    let vectors = if cands.is_empty() {
        VectorStore::default()
    } else {
        VectorStore::embed(embedder, &reason_texts, spill.memory_limit, &spill.dir)?
    };
    let index: HashMap<usize, usize> = cands.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let apart = apart_similarities(
        contacts,
        settings,
        embedder,
        threshold,
        cands,
        &reason_texts,
        &vectors,
    )?;
    Ok(LinkVectors {
        index,
        vectors,
        apart,
        other: None,
    })
}

/// For each pair of one customer's candidates (`k` indices into `cands`)
/// that would link on their whole texts and share a clause: the cosine of
/// what each says apart from the other, keyed by contact indices (lower
/// first). Only such pairs can change their decision, so only their
/// remainders are embedded (each distinct text once).
fn apart_similarities(
    contacts: &[Contact],
    settings: &Settings,
    embedder: &dyn Embedder,
    threshold: f32,
    cands: &[usize],
    texts: &[String],
    vectors: &VectorStore,
) -> Result<HashMap<(usize, usize), f32>> {
    let mut by_customer: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, &i) in cands.iter().enumerate() {
        if let Some(id) = contacts[i].customer_id.as_deref() {
            by_customer.entry(id).or_default().push(k);
        }
    }
    let reach = APART_WINDOWS * settings.repeat_window_secs;
    let customers: Vec<Vec<usize>> = by_customer.into_values().collect();
    // (pair, remainder of the lower contact, remainder of the other), in
    // customer then pair order: deterministic on any thread count.
    let pairs: Vec<((usize, usize), String, String)> = customers
        .par_iter()
        .flat_map_iter(|ks| {
            let mut out = Vec::new();
            for (x, &p) in ks.iter().enumerate() {
                for &q in &ks[x + 1..] {
                    let (i, j) = (cands[p], cands[q]);
                    if (contacts[i].started_at - contacts[j].started_at).abs() > reach
                        || vectors.cosine(p, q) < threshold
                    {
                        continue;
                    }
                    if let Some((a, b)) = text::apart(&texts[p], &texts[q]) {
                        let (lo, hi, a, b) = if i < j { (i, j, a, b) } else { (j, i, b, a) };
                        out.push(((lo, hi), a, b));
                    }
                }
            }
            out
        })
        .collect();
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut row_of: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<String> = Vec::new();
    for (_, a, b) in &pairs {
        for t in [a, b] {
            if !row_of.contains_key(t.as_str()) {
                row_of.insert(t.as_str(), distinct.len());
                distinct.push(t.clone());
            }
        }
    }
    let v = embedder.embed(&distinct)?;
    Ok(pairs
        .iter()
        .map(|(pair, a, b)| {
            let sim = embed::cosine(&v[row_of[a.as_str()]], &v[row_of[b.as_str()]]);
            (*pair, sim)
        })
        .collect())
}

/// The month's template phrases (`text::Boilerplate`) among the texts
/// linking reads: the repeat candidates' (`cands`). A thanks that comes
/// with them is still a courtesy contact (`episodes::link`).
pub(super) fn templates(cands: &[usize], texts: &mut ReasonTexts) -> Boilerplate {
    let linking: Vec<String> = cands.iter().map(|&i| texts.linking(i)).collect();
    Boilerplate::learn(linking.iter().map(String::as_str))
}

/// The episodes stage with the same-issue test the settings ask for.
pub(super) fn link(
    contacts: &[Contact],
    settings: &Settings,
    spaces: &Spaces,
    v: &LinkVectors,
    templates: &Boilerplate,
) -> Linked {
    let scorer = scorer(contacts, settings, spaces, v);
    episodes::link(contacts, settings, scorer.as_ref(), templates)
}

/// The same-issue test the settings ask for.
pub(super) fn scorer<'a>(
    contacts: &'a [Contact],
    settings: &Settings,
    spaces: &Spaces,
    v: &'a LinkVectors,
) -> Box<dyn SameIssueScorer + 'a> {
    if settings.same_issue == SameIssue::Embedding {
        Box::new(EmbeddingScorer {
            index: v.index.clone(),
            vectors: &v.vectors,
            apart: &v.apart,
            threshold: settings.embedding_threshold,
            other: v.other.as_ref().map(|o| OtherSpace {
                index: &o.vectors.index,
                vectors: &o.vectors.vectors,
                apart: &o.vectors.apart,
                threshold: o.threshold,
                base: o.base,
            }),
            fallback: (!spaces.multilingual)
                .then(|| LexicalScorer::new(contacts, settings.similarity_threshold)),
        })
    } else {
        Box::new(LexicalScorer::new(contacts, settings.similarity_threshold))
    }
}
