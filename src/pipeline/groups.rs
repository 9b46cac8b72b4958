//! Script groups: which space each reason is embedded in, embedding each
//! group (with `--taxonomy` examples and last month's example reasons), and
//! clustering each group on its own.
//!
//! Reasons the run's embedder can read form one group (`Script::Latin`);
//! with an English-only model each other script is its own group, on the
//! lexical embedder or on `--other-scripts-model`. A model's vectors from
//! linking are reused; the lexical embedder is transductive and sees each
//! group's reasons together.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result};

use super::known::{self, Assigned};
use crate::cluster::{self, ClusterParams};
use crate::embed::{self, CandleEmbedder, Embedder, LexicalEmbedder, Metered, VectorStore};
use crate::model::{Clusters, Contact, Reason};
use crate::progress::Progress;
use crate::settings::Settings;
use crate::taxonomy::{self, Taxonomy};
use crate::text::reason::{contact_reason, linking_reason};
use crate::text::{dominant_script, other_latin_language, Script};
use crate::trend::{self, Previous};

type Vectors = Vec<Vec<f32>>;

/// The spaces a run embeds in: its embedder, and for the scripts an
/// English-only model cannot read, the other-scripts model or the lexical
/// embedder.
pub struct Spaces {
    pub embedder: Box<dyn Embedder>,
    /// The embedder is a sentence-embedding model (not the lexical one).
    pub is_model: bool,
    /// It reads every script (a multilingual model, or the lexical one).
    pub multilingual: bool,
    pub other_model: Option<CandleEmbedder>,
    pub lexical: LexicalEmbedder,
    /// Counts the texts `other_model` and `lexical` embed (`embedder` is
    /// metered already).
    pub progress: Progress,
}

impl Spaces {
    /// Whether the run's embedder reads `text`: an English-only model reads
    /// Latin-script text in English, not Spanish or German (it grouped a
    /// month's Spanish reasons into one group by language, whatever their
    /// problem).
    pub fn readable(&self, text: &str) -> bool {
        self.multilingual || dominant_script(text) == Script::Latin && !other_latin_language(text)
    }

    /// The group a text belongs to: `Latin` for every text the embedder
    /// reads, else its script (`Other` for another Latin-script language).
    pub fn script_of(&self, text: &str) -> Script {
        if self.readable(text) {
            return Script::Latin;
        }
        match dominant_script(text) {
            Script::Latin => Script::Other,
            s => s,
        }
    }

    /// The sentence-embedding model of a group's space; `None` for the
    /// lexical space (transductive: it cannot place a new text in a fitted
    /// space).
    /// Every text it embeds counts on the open stage.
    pub fn model_of(&self, script: Script) -> Option<Box<dyn Embedder + '_>> {
        if script == Script::Latin {
            // Metered already.
            self.is_model
                .then(|| Box::new(&*self.embedder) as Box<dyn Embedder + '_>)
        } else {
            self.other_model.as_ref().map(|m| {
                Box::new(Metered {
                    inner: m,
                    progress: self.progress.clone(),
                }) as Box<dyn Embedder + '_>
            })
        }
    }

    /// When the default multilingual model is not installed and the month
    /// has reasons in scripts the English-only model cannot read: what the
    /// run fell back to and how to fix it.
    pub fn missing_model_warning(&self, scripts: &[Script], settings: &Settings) -> Option<String> {
        let missing = settings.other_scripts_model_missing.as_deref()?;
        let other = english_script_names(scripts);
        if self.multilingual || self.other_model.is_some() || other.is_empty() {
            return None;
        }
        Some(format!(
            "the multilingual model is not installed ({missing} not found): {} reasons are \
             grouped by shared words only, which splits and mixes categories; run \
             scripts/fetch-multilingual-model.sh",
            other.join(", ")
        ))
    }

    /// The embedders used, as parts for the report to word in its
    /// language; `None` when every reason is in Latin script.
    pub fn spaces_used(&self, scripts: &[Script]) -> Option<crate::model::EmbedderSpaces> {
        let other = other_script_names(scripts);
        if other.is_empty() {
            return None;
        }
        Some(crate::model::EmbedderSpaces {
            main: self.embedder.name(),
            other: self
                .other_model
                .as_ref()
                .map_or_else(|| "lexical (TF-IDF + SVD)".to_string(), |m| m.name()),
            scripts: other,
            other_model: self.other_model.is_some(),
        })
    }

    /// What the report and summary say about the embedders used.
    pub fn describe(&self, scripts: &[Script]) -> String {
        let other_desc = self
            .other_model
            .as_ref()
            .map_or_else(|| "lexical (TF-IDF + SVD)".to_string(), |m| m.name());
        describe(
            &self.embedder.name(),
            &other_desc,
            scripts,
            self.other_model.is_some(),
        )
    }
}

/// Name phrases are placed in the space their script's categories were
/// grouped in, by that space's model; `None` where the space is lexical
/// (it cannot place a new text) or the model fails (names then rank by
/// their words alone).
impl crate::label::PhraseSpace for Spaces {
    fn space_of(&self, text: &str) -> u32 {
        self.script_of(text) as u32
    }

    fn place(&self, texts: &[String]) -> Vec<Option<Vec<f32>>> {
        let mut by_script: BTreeMap<Script, Vec<usize>> = BTreeMap::new();
        for (i, t) in texts.iter().enumerate() {
            by_script.entry(self.script_of(t)).or_default().push(i);
        }
        let mut out = vec![None; texts.len()];
        for (script, which) in by_script {
            let Some(model) = self.model_of(script) else {
                continue;
            };
            let batch: Vec<String> = which.iter().map(|&i| texts[i].clone()).collect();
            if let Ok(vectors) = model.embed(&batch) {
                for (&i, v) in which.iter().zip(vectors) {
                    out[i] = Some(v);
                }
            }
        }
        out
    }
}

/// The same, as the English summary says them: `Other` also holds
/// Latin-script text in another language than English.
fn english_script_names(scripts: &[Script]) -> Vec<String> {
    other_script_names(scripts)
        .into_iter()
        .map(|s| {
            if s == "other" {
                "other-language".into()
            } else {
                s
            }
        })
        .collect()
}

/// The scripts of `scripts` other than Latin, named in lower case (the
/// report's `[script]` terms).
fn other_script_names(scripts: &[Script]) -> Vec<String> {
    scripts
        .iter()
        .filter(|s| **s != Script::Latin)
        .map(|s| format!("{s:?}").to_lowercase())
        .collect()
}

fn describe(main: &str, other_desc: &str, scripts: &[Script], has_other_model: bool) -> String {
    let other = english_script_names(scripts);
    if other.is_empty() {
        return main.to_string();
    }
    format!(
        "{} for English reasons; {} for {} reasons, which this English-only model cannot read{}",
        main,
        other_desc,
        other.join(", "),
        if has_other_model {
            ""
        } else {
            " (pass a multilingual --model or --other-scripts-model)"
        }
    )
}

/// Each contact's texts, extracted once: the one linking compares
/// (`linking_reason`) and the cleaned reason categorisation reads
/// (`contact_reason`).
pub struct ReasonTexts<'a> {
    contacts: &'a [Contact],
    linking: HashMap<usize, String>,
    reasons: HashMap<usize, String>,
}

impl<'a> ReasonTexts<'a> {
    pub fn new(contacts: &'a [Contact]) -> Self {
        ReasonTexts {
            contacts,
            linking: HashMap::new(),
            reasons: HashMap::new(),
        }
    }

    /// The cleaned reason of contact `i`.
    pub fn get(&mut self, i: usize) -> String {
        let contacts = self.contacts;
        self.reasons
            .entry(i)
            .or_insert_with(|| contact_reason(&contacts[i].text))
            .clone()
    }

    /// The text of contact `i` the same-issue test compares.
    pub fn linking(&mut self, i: usize) -> String {
        let contacts = self.contacts;
        self.linking
            .entry(i)
            .or_insert_with(|| linking_reason(&contacts[i].text))
            .clone()
    }
}

/// The vectors embedded for the same-issue test, by contact.
#[derive(Default)]
pub struct LinkVectors {
    pub index: HashMap<usize, usize>,
    pub vectors: VectorStore,
    /// Pairs of contacts (lower index first) that share clauses: the
    /// cosine of what each says apart from the other (`text::apart`).
    pub apart: HashMap<(usize, usize), f32>,
    /// The candidates the run's embedder cannot read, in the other-scripts
    /// model's space, when there is one.
    pub other: Option<Box<OtherLinkVectors>>,
}

/// Repeat candidates in the other-scripts model's space, and that model's
/// own same-issue threshold (its cosines run on another scale).
pub struct OtherLinkVectors {
    pub vectors: LinkVectors,
    pub threshold: f32,
    /// The run's threshold when they were embedded, which their cosines
    /// are mapped onto (a shifted threshold, as in the linking
    /// sensitivity, then shifts these decisions too).
    pub base: f32,
}

impl LinkVectors {
    /// [`VectorStore::check`] of both spaces.
    pub fn check(&self) -> Result<()> {
        self.vectors.check()?;
        match &self.other {
            Some(o) => o.vectors.check(),
            None => Ok(()),
        }
    }

    /// Whether contacts `a` and `b` were both embedded in one space.
    pub fn both_embedded(&self, a: usize, b: usize) -> bool {
        (self.index.contains_key(&a) && self.index.contains_key(&b))
            || self.other.as_ref().is_some_and(|o| {
                o.vectors.index.contains_key(&a) && o.vectors.index.contains_key(&b)
            })
    }
}

/// One script group's reasons (indices), their vectors, and last month's
/// categories placed in the group's space (for anchoring; empty without
/// `--previous`).
pub struct Group {
    /// The group's script (`Latin`: every reason the run's embedder reads).
    pub script: Script,
    pub members: Vec<usize>,
    pub vectors: Vectors,
    /// A transductive embedder's second fit, with last month's examples
    /// (`prev_centres` are in it): anchoring, and the stages after, use it.
    pub anchor_vectors: Option<Vectors>,
    pub prev_centres: Vec<(usize, Vec<f32>)>,
    /// Centroid cosine for a fresh cluster to continue one of them.
    pub anchor_threshold: f64,
}

/// What a group's embedding needs besides its reasons.
pub struct GroupContext<'a> {
    pub taxonomy: Option<&'a Taxonomy>,
    /// `--taxonomy-threshold`, when given.
    pub taxonomy_threshold: Option<f32>,
    /// The default threshold in the model's space.
    pub model_taxonomy_threshold: f32,
    /// `--previous` when anchoring is on.
    pub previous: Option<&'a Previous>,
    /// Last month used the same model: its saved centroids are in this
    /// month's space.
    pub same_model: bool,
    pub centroid_threshold: f64,
}

/// The reasons' vectors, by script group, and the reasons a `--taxonomy`
/// known category took (kept out of clustering).
pub struct Embedded {
    pub groups: Vec<Group>,
    pub assigned: Vec<Assigned>,
    /// The scripts present, in group order.
    pub scripts: Vec<Script>,
}

/// Reasons by group, in reason order within each.
pub fn by_script(reasons: &[Reason], spaces: &Spaces) -> BTreeMap<Script, Vec<usize>> {
    let mut out: BTreeMap<Script, Vec<usize>> = BTreeMap::new();
    for (k, r) in reasons.iter().enumerate() {
        out.entry(spaces.script_of(&r.text)).or_default().push(k);
    }
    out
}

/// Embeds every group's reasons: a model's linking vectors are reused (the
/// rest embedded now); other groups are embedded whole. `--taxonomy`
/// examples go with the reasons of their script; last month's categories
/// are placed in each group's space, by their saved centroids when it is
/// the same model, else by their saved example reasons embedded with the
/// group's.
pub fn embed(
    reasons: &[Reason],
    spaces: &Spaces,
    link: &LinkVectors,
    texts_of: &mut ReasonTexts,
    ctx: &GroupContext,
) -> Result<Embedded> {
    let tax_examples: Vec<(usize, &str)> = ctx.taxonomy.map(|t| t.examples()).unwrap_or_default();
    let mut groups = Vec::new();
    let mut assigned: Vec<Assigned> = Vec::new();
    let by_script = by_script(reasons, spaces);
    let scripts: Vec<Script> = by_script.keys().copied().collect();
    for (script, members) in by_script {
        let texts: Vec<String> = members.iter().map(|&k| reasons[k].text.clone()).collect();
        let ex: Vec<(usize, String)> = tax_examples
            .iter()
            .filter(|(_, e)| spaces.script_of(e) == script)
            .map(|(k, e)| (*k, e.to_string()))
            .collect();
        let ex_texts: Vec<String> = ex.iter().map(|(_, e)| e.clone()).collect();
        let model_group = script == Script::Latin && spaces.is_model;
        let prev_examples: Vec<(usize, &[String])> = match ctx.previous {
            Some(p) if !(model_group && ctx.same_model) => {
                trend::example_texts(p, |e| spaces.script_of(e) == script)
            }
            _ => Vec::new(),
        };
        let pe_texts: Vec<String> = prev_examples
            .iter()
            .flat_map(|(_, e)| e.iter().cloned())
            .collect();
        let other = Metered {
            inner: match &spaces.other_model {
                Some(m) => m as &dyn Embedder,
                None => &spaces.lexical,
            },
            progress: spaces.progress.clone(),
        };
        let no_link = LinkVectors::default();
        // A model embeds each text on its own, so the linking vectors of
        // its space are reused; the lexical embedder sees a group whole.
        let model_space: Option<(&dyn Embedder, &LinkVectors)> = if model_group {
            Some((&*spaces.embedder, link))
        } else if script != Script::Latin && spaces.other_model.is_some() {
            Some((&other, link.other.as_ref().map_or(&no_link, |o| &o.vectors)))
        } else {
            None
        };
        let (vecs, ex_vecs, pe_vecs, anchor_vecs) = if let Some((e, link)) = model_space {
            let embed_all = |t: &[String]| -> Result<Vectors> {
                if t.is_empty() {
                    Ok(Vec::new())
                } else {
                    e.embed(t)
                }
            };
            let ex_vecs = embed_all(&ex_texts)?;
            let pe_vecs = embed_all(&pe_texts)?;
            let vecs = reuse_link_vectors(&members, reasons, link, texts_of, e)?;
            (vecs, ex_vecs, pe_vecs, None)
        } else {
            let e: &dyn Embedder = if script == Script::Latin {
                &*spaces.embedder
            } else {
                &other
            };
            with_examples(e, &texts, &ex_texts, &pe_texts)?
        };
        // Thresholds of this group's space: the model's own, or the lexical
        // space's.
        let other_profile = spaces
            .other_model
            .as_ref()
            .filter(|_| !model_group)
            .map(|m| m.profile());
        let lexical_space = !model_group && spaces.other_model.is_none();
        let prev_centres: Vec<(usize, Vec<f32>)> = match ctx.previous {
            Some(p) if model_group && ctx.same_model => trend::saved_centres(p),
            _ => {
                let mut at = 0;
                prev_examples
                    .iter()
                    .filter_map(|(j, e)| {
                        let centre = cluster::centre_of_examples(&pe_vecs[at..at + e.len()]);
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
            let threshold = ctx.taxonomy_threshold.unwrap_or(if lexical_space {
                taxonomy::DEFAULT_THRESHOLD_LEXICAL
            } else {
                match other_profile {
                    Some(p) => p
                        .taxonomy_threshold
                        .unwrap_or(taxonomy::DEFAULT_THRESHOLD_MODEL),
                    None => ctx.model_taxonomy_threshold,
                }
            });
            known::split(
                members,
                vecs,
                anchor_vecs,
                &ex_pairs,
                threshold,
                script,
                &mut assigned,
            )
        };
        groups.push(Group {
            script,
            members,
            vectors: vecs,
            anchor_vectors: anchor_vecs,
            prev_centres,
            anchor_threshold: if model_group {
                ctx.centroid_threshold
            } else if lexical_space {
                trend::EXAMPLES_THRESHOLD
            } else {
                other_profile
                    .and_then(|p| p.centroid_threshold)
                    .unwrap_or(cluster::CENTROID_THRESHOLD)
            },
        });
    }
    Ok(Embedded {
        groups,
        assigned,
        scripts,
    })
}

/// A model group's vectors: those embedded for linking where linking read
/// the same words as the reason (the reason is not cleaned or stripped any
/// further), the rest now.
fn reuse_link_vectors(
    members: &[usize],
    reasons: &[Reason],
    link: &LinkVectors,
    texts_of: &mut ReasonTexts,
    embedder: &dyn Embedder,
) -> Result<Vectors> {
    let reusable = |k: usize, texts_of: &mut ReasonTexts| -> Option<usize> {
        let c = reasons[k].contact;
        let v = *link.index.get(&c)?;
        same_words(&texts_of.linking(c), &reasons[k].text).then_some(v)
    };
    let mut reuse: Vec<Option<usize>> = Vec::with_capacity(members.len());
    let mut missing_texts: Vec<String> = Vec::new();
    for &k in members {
        let r = reusable(k, texts_of);
        if r.is_none() {
            missing_texts.push(reasons[k].text.clone());
        }
        reuse.push(r);
    }
    let mut fresh = embedder.embed(&missing_texts)?.into_iter();
    reuse
        .into_iter()
        .map(|r| match r {
            Some(v) => Ok(link.vectors.get(v).into_owned()),
            None => fresh.next().context("a reason without a vector"),
        })
        .collect()
}

/// The same words in the same order (spacing aside): the model's tokenizer
/// splits on whitespace, so the two give the same vector.
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Embeds a group's texts with the taxonomy examples in one call (the
/// lexical embedder is transductive: examples share the reasons' fit).
/// Last month's example reasons: a model embeds them on their own; a
/// transductive embedder places them in a second fit of this month's
/// reasons with them (where a vanished issue's words still have their own
/// dimensions), and anchoring works in that space, while this month's
/// categories are found in the first fit, as without `--previous`.
/// Returns (reasons, examples, last month's examples, second fit).
fn with_examples(
    e: &dyn Embedder,
    texts: &[String],
    ex_texts: &[String],
    pe_texts: &[String],
) -> Result<(Vectors, Vectors, Vectors, Option<Vectors>)> {
    let mut all = texts.to_vec();
    all.extend(ex_texts.iter().cloned());
    let mut v = e.embed(&all)?;
    let exv = v.split_off(texts.len());
    if pe_texts.is_empty() {
        return Ok((v, exv, Vec::new(), None));
    }
    if !e.transductive() {
        let pev = e.embed(pe_texts)?;
        return Ok((v, exv, pev, None));
    }
    let mut both = texts.to_vec();
    both.extend(pe_texts.iter().cloned());
    let mut v2 = e.embed(&both)?;
    let pev = v2.split_off(texts.len());
    Ok((v, exv, pev, Some(v2)))
}

/// What clustering the groups gives.
pub struct Clustered {
    pub clusters: Clusters,
    /// The reasons' vectors, in reason order.
    pub vectors: Vectors,
    /// Per cluster, the last-month category it continues.
    pub continues: Vec<Option<usize>>,
}

/// Clusters each script group's vectors on its own (anchored to last
/// month's categories when given) and merges the results; the vectors move
/// into reason order (no copy: at a million contacts they are hundreds of
/// megabytes).
pub fn cluster(
    groups: Vec<Group>,
    reasons: &[Reason],
    spaces: Option<&Spaces>,
    params: &ClusterParams,
) -> Result<Clustered> {
    let n = reasons.len();
    let mut clusters = Clusters {
        cluster_of: vec![None; n],
        centroids: Vec::new(),
    };
    let mut vectors: Vectors = vec![Vec::new(); n];
    let mut continues: Vec<Option<usize>> = Vec::new();
    for g in groups {
        let (members, mut vecs) = (g.members, g.vectors);
        if members.is_empty() {
            continue;
        }
        let fresh = cluster::cluster(&vecs, params)?;
        let mut c = Clusters {
            cluster_of: fresh.cluster_of,
            centroids: fresh.centroids,
        };
        // No catch-alls: a category no tighter than its group is dissolved.
        cluster::dissolve_loose(&mut c, &vecs);
        // Nor categories of a circumstance customers mention beside
        // unrelated problems (before anchoring, as above).
        let model = spaces.and_then(|s| s.model_of(g.script));
        super::context::dissolve(&mut c, &mut vecs, &members, reasons, model.as_deref())?;
        // Anchoring (and the stages after) in the second fit: the fresh
        // clusters' centres are recomputed there.
        let vecs = match g.anchor_vectors {
            Some(a) => {
                c.centroids = embed::centroids(&c.cluster_of, &a, c.centroids.len());
                a
            }
            None => vecs,
        };
        continues.extend(cluster::anchor_group(
            &mut c,
            &vecs,
            &g.prev_centres,
            g.anchor_threshold,
            params.min_category_size,
        ));
        let offset = clusters.centroids.len();
        for (k, (&i, v)) in members.iter().zip(vecs).enumerate() {
            clusters.cluster_of[i] = c.cluster_of[k].map(|l| l + offset);
            vectors[i] = v;
        }
        clusters.centroids.extend(c.centroids);
    }
    Ok(Clustered {
        clusters,
        vectors,
        continues,
    })
}

/// Whether last month was embedded with this month's model, so its saved
/// centroids are in this month's space.
pub fn same_model(spaces: &Spaces, model_dir: &Path, previous: Option<&Previous>) -> bool {
    spaces.is_model
        && previous.is_some_and(|p| {
            let e = &p.centroids.embedder;
            e.identity == trend::model_identity(&spaces.embedder.name(), model_dir, e.dim)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexical_spaces() -> Spaces {
        let s = crate::settings::Settings::default();
        Spaces {
            embedder: Box::new(embed::lexical_embedder(&s)),
            is_model: false,
            multilingual: true,
            other_model: None,
            lexical: embed::lexical_embedder(&s),
            progress: Progress::default(),
        }
    }

    #[test]
    fn an_english_only_model_groups_other_scripts_apart() {
        let mut spaces = lexical_spaces();
        spaces.multilingual = false;
        let reasons: Vec<Reason> = [
            "refund not received",
            "退款还没到账",
            "הכרטיס לא הגיע",
            "card",
            "el reembolso lo quiero ya, era para un regalo",
            "my Mac with El Capitan is slow",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Reason {
            episode: i,
            contact: i,
            text: t.to_string(),
        })
        .collect();
        let g = by_script(&reasons, &spaces);
        assert_eq!(g[&Script::Latin], vec![0, 3, 5]);
        assert_eq!(g[&Script::Han], vec![1]);
        assert_eq!(g[&Script::Hebrew], vec![2]);
        // Spanish is Latin script the English-only model cannot read.
        assert_eq!(g[&Script::Other], vec![4]);
        assert!(!spaces.readable(&reasons[4].text));
        spaces.multilingual = true;
        assert_eq!(by_script(&reasons, &spaces).len(), 1);
    }

    #[test]
    fn describes_the_spaces() {
        assert_eq!(describe("m", "lexical", &[Script::Latin], false), "m");
        let d = describe("m", "lexical", &[Script::Latin, Script::Han], false);
        assert!(d.starts_with("m for English reasons; lexical for han reasons"));
        assert!(d.ends_with("(pass a multilingual --model or --other-scripts-model)"));
        let d = describe("m", "e5", &[Script::Han, Script::Hebrew], true);
        assert!(
            d.ends_with("e5 for han, hebrew reasons, which this English-only model cannot read")
        );
    }

    #[test]
    fn reason_texts_are_extracted_once() {
        let contacts = vec![crate::test_support::contact(
            "C1",
            "U1",
            0.0,
            "Customer: hi\nCustomer: my refund has not arrived",
        )];
        let mut t = ReasonTexts::new(&contacts);
        let a = t.get(0);
        assert!(a.contains("refund"), "{a}");
        assert_eq!(t.get(0), a);
        assert_eq!(t.reasons.len(), 1);
    }

    #[test]
    fn linking_reads_the_text_before_cleaning() {
        let contacts = vec![crate::test_support::contact(
            "C1",
            "U1",
            0.0,
            "@AmazonHelp still no refund https://t.co/abc",
        )];
        let mut t = ReasonTexts::new(&contacts);
        assert!(t.linking(0).contains("@AmazonHelp"));
        assert!(!t.get(0).contains("@AmazonHelp"));
        assert!(!t.get(0).contains("https"));
        assert!(same_words("a  b\nc", "a b c"));
        assert!(!same_words("a b", "a b."));
    }

    #[test]
    fn groups_cluster_apart_and_vectors_follow_their_reasons() {
        // Two groups of two tight clusters each; labels never cross groups.
        let v = |a: f32, b: f32| {
            let n = (a * a + b * b).sqrt();
            vec![a / n, b / n]
        };
        let mk = |members: Vec<usize>, vectors: Vectors| Group {
            script: Script::Latin,
            members,
            vectors,
            anchor_vectors: None,
            prev_centres: Vec::new(),
            anchor_threshold: 0.8,
        };
        let g1: Vec<usize> = (0..12).map(|i| i * 2).collect();
        let g2: Vec<usize> = (0..12).map(|i| i * 2 + 1).collect();
        let vecs = |_: usize| -> Vectors {
            (0..12)
                .map(|i| {
                    if i < 6 {
                        v(1.0, 0.01 * i as f32)
                    } else {
                        v(0.01 * i as f32, 1.0)
                    }
                })
                .collect()
        };
        let params = ClusterParams {
            min_category_size: 3,
            ..ClusterParams::default()
        };
        let reasons: Vec<Reason> = (0..24)
            .map(|i| Reason {
                episode: i,
                contact: i,
                text: format!("problem {i}"),
            })
            .collect();
        let out = cluster(
            vec![mk(g1.clone(), vecs(0)), mk(g2.clone(), vecs(1))],
            &reasons,
            None,
            &params,
        )
        .unwrap();
        assert_eq!(out.vectors.len(), 24);
        assert!(out.vectors.iter().all(|v| v.len() == 2));
        let of = |ids: &[usize]| -> std::collections::BTreeSet<usize> {
            ids.iter()
                .filter_map(|&i| out.clusters.cluster_of[i])
                .collect()
        };
        assert!(of(&g1).is_disjoint(&of(&g2)));
        assert_eq!(out.continues.len(), out.clusters.centroids.len());
    }
}
