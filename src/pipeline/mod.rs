//! The `run` pipeline: stages in order, each a function from typed input to
//! typed output (see ARCHITECTURE.md):
//!
//! ingest → (embed repeat candidates) → episodes → metrics → reasons →
//! embed → cluster → label → rank → report → output.
//!
//! `run` only orchestrates: one call and one timing per stage. What sits
//! between stages lives beside it: `plan` (what a run is given and
//! returns), `groups` (script groups: embedding and clustering each),
//! `known` (`--taxonomy`'s known categories), `linking` (the same-issue
//! test's vectors and scorer), `write` (the output fan-out).

mod context;
mod groups;
mod known;
mod linking;
mod plan;
mod write;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

pub use plan::{RunPlan, RunReport, Timings};

use crate::cluster::ClusterParams;
use crate::embed::{self, CandleEmbedder};
use crate::episodes::{self, SameIssueScorer};
use crate::ingest::{self, IngestOptions};
use crate::label::{self, LabelOptions};
use crate::layout;
use crate::metrics::{self, calibration, interval};
use crate::model::{Clusters, Contact, Failure, Ingested, Linked, Reason, SetAside};
use crate::output::{self, Staging};
use crate::rank::{self, RankOptions};
use crate::reasons;
use crate::report::{self, Report};
use crate::settings::{EmbedderChoice, ReportLanguage, SameIssue, Settings};
use crate::text::Boilerplate;
use crate::themes;
use crate::trend::{self, EmbedderIdentity};
use groups::{LinkVectors, ReasonTexts, Spaces};
use linking::{embed_repeat_candidates, link, scorer};
use write::{write_all, Outputs};

/// With `require_model`, a missing model is an error, not a fallback.
pub fn run(plan: &RunPlan, require_model: bool) -> Result<RunReport> {
    let mut timings = Timings::new(plan.progress.clone());
    // Setting up (the model read) counts as ingest, as it always did.
    timings.start("ingest", Some("rows"));
    // Fail on an unusable output folder or model before the work, not after.
    output::check_out_apart_from_inputs(&plan.out, &plan.inputs)
        .context(Failure::OutputNotWritable)?;
    if let Some(dir) = &plan.settings.history {
        crate::history::check(std::path::Path::new(dir)).context(Failure::OutputNotWritable)?;
    }
    let staging = Staging::new(&plan.out).context(Failure::OutputNotWritable)?;
    let (spaces, embedder_warning) = spaces(plan)?;
    if let (true, Some(w)) = (require_model, &embedder_warning) {
        anyhow::bail!("--require-model: {w}");
    }
    let tz = plan.settings.tz()?;
    let mut previous = plan.previous().map(trend::load_previous).transpose()?;
    let mut settings = resolve_same_issue(&plan.settings, spaces.is_model);

    let ingested = ingest::ingest(
        &plan.inputs,
        &IngestOptions {
            columns: &plan.columns,
            settings: &settings,
            timezone: tz,
            progress: &plan.progress,
        },
    )
    .context(Failure::InputUnreadable)?;
    timings.lap();
    // Nothing to measure: fail before anything replaces last run's output.
    if ingested.contacts.is_empty() {
        return Err(
            anyhow::Error::msg(no_usable_rows(&ingested, &plan.out)).context(Failure::NoUsableRows)
        );
    }
    let contacts = &ingested.contacts;
    if settings.period.is_none() {
        settings.period = crate::time::main_month(contacts.iter().map(|c| c.started_at), tz);
    }
    let mut warnings = Vec::new();
    if let (None, Some(dir), Some(period)) = (&previous, &settings.history, &settings.period) {
        // The monthly routine: the dataset's previous month is last month.
        match crate::history::previous_month(Path::new(dir), period) {
            (Some(part), _) => {
                previous = Some(trend::load_previous(&part)?);
                settings.previous = Some(part.to_string_lossy().into_owned());
            }
            (None, Some(old)) => warnings.push(format!(
                "--history {dir}: its month {old} was written by an older recontact and cannot continue into this one; theme ids start afresh (pass --previous with that month's output folder to continue them)"
            )),
            (None, None) => {}
        }
    }
    if settings.report_language.is_none() {
        // A centre writing in two scripts keeps last month's language
        // rather than flip with the month's mix.
        let last = previous.as_ref().and_then(|p| p.metrics.report_language());
        settings.report_language = Some(last.unwrap_or_else(|| report_language(contacts)));
    }
    let settings = settings;
    if let Some(prev) = &previous {
        warnings.extend(check_previous_is_earlier(prev, contacts, &settings, tz)?);
    }

    let mut texts = ReasonTexts::new(contacts);
    timings.start("learn templates", None);
    // The contacts that can be repeats: the texts templates are learned
    // from and, with embeddings, the ones embedded.
    let candidates = episodes::repeat_candidates(contacts, settings.repeat_window_secs);
    let templates = linking::templates(&candidates, &mut texts);
    timings.lap();
    let link_vectors = if settings.same_issue == SameIssue::Embedding {
        timings.start("embed repeat candidates", Some("texts"));
        let spill = linking::Spill::new(&staging.dir)?;
        // Only those the test can compare: the others' vectors would
        // change no decision (issue 18.3).
        let compared = episodes::compared_candidates(contacts, &settings, &templates, &candidates);
        drop(candidates);
        let v =
            embed_repeat_candidates(contacts, &settings, &spaces, &mut texts, &spill, compared)?;
        timings.lap();
        v
    } else {
        LinkVectors::default()
    };
    // One same-issue test for the linking and for the month's evidence on
    // its threshold (a lexical scorer is TF-IDF over every contact: built
    // once).
    timings.start("episodes", None);
    let scorer = scorer(contacts, &settings, &spaces, &link_vectors);
    let linked = episodes::link(contacts, &settings, scorer.as_ref(), &templates);
    timings.lap();
    timings.start("metrics", None);
    let same_issue_calibration =
        same_issue_calibration(contacts, &settings, scorer.as_ref(), &link_vectors);
    drop(scorer);

    let mut metrics = metrics::compute(contacts, &linked, &ingested.stats, &settings, tz);
    if let Some(l) = linking_sensitivity(contacts, &settings, &spaces, &link_vectors, &templates) {
        metrics.fcr_uncertainty = interval::with_linking(metrics.fcr_uncertainty, l);
    }
    metrics.same_issue_calibration = same_issue_calibration;
    timings.lap();

    timings.start("reasons", None);

    let reasons::Reasons {
        stated: reasons,
        no_problem,
        boilerplate,
    } = reasons::read(&linked, contacts, settings.categorise, |c| texts.get(c));
    timings.lap();
    timings.start("embed reasons", Some("texts"));
    let prev_anchor = previous.as_ref().filter(|_| settings.anchor);
    let same_model = groups::same_model(&spaces, Path::new(&settings.model), prev_anchor);
    let embedded = groups::embed(
        &reasons,
        &spaces,
        &link_vectors,
        &mut texts,
        &groups::GroupContext {
            taxonomy: plan.taxonomy.as_ref(),
            taxonomy_threshold: settings.taxonomy_threshold,
            model_taxonomy_threshold: plan.model_taxonomy_threshold(),
            previous: prev_anchor,
            same_model,
            centroid_threshold: plan.centroid_threshold(),
        },
    )?;
    link_vectors.check()?;
    drop(link_vectors);
    let embedder_desc = spaces.describe(&embedded.scripts);
    if let Some(w) = spaces.missing_model_warning(&embedded.scripts, &settings) {
        warnings.push(w);
    }
    timings.lap();

    // Counts what it embeds: the lexical fits of scripts no model reads,
    // what is left of context-family candidates' members.
    timings.start("cluster", Some("texts"));

    let groups::Clustered {
        mut clusters,
        vectors: mut reason_vectors,
        mut continues,
    } = groups::cluster(
        embedded.groups,
        &reasons,
        Some(&spaces),
        &ClusterParams {
            min_category_size: settings.min_category_size,
            max_unassigned: settings.max_unassigned,
            seed: settings.seed,
        },
    )?;
    // Per cluster: its centre is in the model's space.
    let mut model_space: Vec<bool> = vec![false; clusters.centroids.len()];
    for (k, l) in clusters.cluster_of.iter().enumerate() {
        if let Some(c) = l {
            model_space[*c] = spaces.is_model && spaces.readable(&reasons[k].text);
        }
    }
    let known_of_cluster = known::add_clusters(
        &mut clusters,
        &mut reason_vectors,
        &mut continues,
        &mut model_space,
        embedded.assigned,
        spaces.is_model,
    );
    let identity = identity(&spaces, &settings, &clusters.centroids, &model_space);
    timings.lap();

    // Counts the name phrases it embeds (`label::PhraseSpace`).
    timings.start("label", Some("texts"));

    let label_options = LabelOptions {
        keywords: 8,
        quotes: settings.quotes,
        company_words: label::company_words(reasons.iter().map(|r| {
            (
                r.text.as_str(),
                crate::text::mentions(&contacts[r.contact].text),
            )
        })),
        phrase_space: Some(&spaces),
    };

    let mut categories = label::label(&reasons, &reason_vectors, &clusters, &label_options);
    if let Some(tax) = &plan.taxonomy {
        known::name(&mut categories, &known_of_cluster, tax);
    }
    timings.lap();

    timings.start("themes", Some("texts"));

    // Themes: categories of one issue together, in the space they were
    // clustered in; a known category is a theme of its own.
    let space: Vec<Option<u32>> = categories
        .iter()
        .enumerate()
        .map(|(c, cat)| {
            if known_of_cluster.contains_key(&c) {
                None
            } else {
                cat.members
                    .first()
                    .map(|&i| spaces.script_of(&reasons[i].text) as u32)
            }
        })
        .collect();
    // Last month's theme of the category each one continues (anchoring).
    let last_month: Vec<Option<String>> = (0..categories.len())
        .map(|c| {
            let j = continues.get(c).copied().flatten()?;
            let t = &previous.as_ref()?.centroids.categories.get(j)?.theme_id;
            (!t.is_empty()).then(|| t.clone())
        })
        .collect();
    let theme_groups = themes::group(&categories, &reason_vectors, &space, &last_month);
    let theme_clusters = Clusters {
        cluster_of: themes::theme_of(&clusters.cluster_of, &theme_groups, categories.len()),
        centroids: themes::centres(&theme_groups, &categories, &reason_vectors),
    };
    let mut theme_categories = label::label_avoiding(
        &reasons,
        &reason_vectors,
        &theme_clusters,
        &label_options,
        &themes::single_names(&theme_groups, &categories),
    );
    themes::name_single(&mut theme_categories, &theme_groups, &categories);
    themes::settle_names(&mut categories, &theme_groups, &theme_categories);
    timings.lap();
    timings.start("rank", None);
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

    let rank_options = RankOptions {
        rank_by: settings.rank_by,
        severity: &settings.severity,
        sensitive_segments: &settings.sensitive_segments,
        timezone: tz,
        examples: 10,
    };
    let mut ranked = rank::rank(&categories, &reasons, contacts, &linked, &rank_options);
    if let Some(tax) = &plan.taxonomy {
        known::key_and_list(&mut ranked, &known_of_cluster, tax);
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
    let this_month = trend::ThisMonth {
        identity: &identity,
        reasons: reasons.len(),
        metrics: &metrics,
        correction: settings.trend_correction,
        centroid_threshold: plan.centroid_threshold(),
    };
    let mut mom = trend::compare(&mut ranked, &mut saved, &this_month, previous.as_ref());
    let mut ranked_themes = rank::rank_themes(
        &theme_groups,
        &theme_categories,
        &ranked,
        &reasons,
        contacts,
        &linked,
        &rank_options,
    );
    trend::continue_themes(
        &mut ranked_themes,
        &mut ranked,
        &mut saved,
        &mut mom.registry,
        previous.as_ref(),
        reasons.len(),
        settings.trend_correction,
    );
    label::said::stamp(&mut ranked, &mut ranked_themes, &categories, &reasons);
    let mut linked = linked;
    stamp_category_ids(&mut linked, &ranked, &ranked_themes);
    timings.lap();

    timings.start("output", None);

    // Contacts after the first, over the episodes of `rs`.
    let extra = |rs: &mut dyn Iterator<Item = &Reason>| -> usize {
        rs.map(|r| linked.episodes[r.episode].n_inbound.saturating_sub(1))
            .sum()
    };
    let extra_contacts = extra(&mut reasons.iter());
    let no_problem_stated = SetAside {
        episodes: no_problem.len(),
        extra_contacts: extra(&mut no_problem.iter()),
        examples: reasons::examples(&no_problem, contacts, reasons::EXAMPLES),
    };
    let uncategorised: Vec<&Reason> = reasons
        .iter()
        .zip(&clusters.cluster_of)
        .filter(|(_, c)| c.is_none())
        .map(|(r, _)| r)
        .collect();
    let uncategorised = SetAside {
        episodes: uncategorised.len(),
        extra_contacts: extra(&mut uncategorised.iter().copied()),
        examples: reasons::spread_examples(&uncategorised, contacts, reasons::EXAMPLES),
    };
    // An unreadable earlier month costs the report its year, not the run.
    let year = settings.history.as_ref().and_then(|dir| {
        crate::history::year(
            Path::new(dir),
            &metrics,
            &ranked_themes,
            previous.is_some(),
            settings.trend_correction,
        )
        .map_err(|e| warnings.push(format!("--history {dir}: the report shows no year: {e:#}")))
        .ok()
    });
    let report = Report {
        metrics: &metrics,
        categories: &ranked,
        themes: &ranked_themes,
        reasons: reasons.len(),
        uncategorised: &uncategorised,
        no_problem_stated: &no_problem_stated,
        boilerplate: boilerplate.phrases(),
        extra_contacts,
        embedder: embedder_desc.clone(),
        embedder_spaces: spaces.spaces_used(&embedded.scripts),
        embedder_warning: embedder_warning.clone(),
        categorise: format!("{:?}", settings.categorise),
        rank_by: format!("{:?}", settings.rank_by),
        out_dir: plan.out.to_string_lossy().into_owned(),
        changes: mom.changes.as_ref(),
        year: year.as_ref(),
        language: settings.report_language.unwrap_or(ReportLanguage::En),
    };
    let report_files = [
        (layout::REPORT_MD, report::render_markdown(&report)),
        (layout::REPORT_HTML, report::render_html(&report)),
        (layout::REPORT_JSON, report::render_json(&report)?),
    ];
    let reason_texts: HashMap<usize, &str> = reasons
        .iter()
        .chain(&no_problem)
        .map(|r| (r.episode, r.text.as_str()))
        .collect();
    let index_stats = write_all(
        &staging,
        &Outputs {
            ingested: &ingested,
            linked: &linked,
            metrics: &metrics,
            ranked: &ranked,
            themes: &ranked_themes,
            report_files: &report_files,
            reasons: &reason_texts,
            tz,
            index: settings.index,
            csv_bom: settings.csv_bom,
            parquet: settings.parquet,
        },
    )?;
    trend::write_files(
        &staging.path(trend::CENTROIDS_FILE),
        &staging.path(trend::REGISTRY_FILE),
        &trend::centroids_file(&identity, &metrics, reasons.len(), extra_contacts, saved),
        &mom.registry,
    )?;
    staging.commit().context(Failure::OutputNotWritable)?;
    if let Some(dir) = &settings.history {
        crate::history::record(
            Path::new(dir),
            &plan.out,
            &metrics,
            &ranked,
            &ranked_themes,
            tz,
        )
        .context(Failure::OutputNotWritable)?;
    }
    timings.lap();
    Ok(RunReport {
        metrics,
        categories: ranked,
        embedder: embedder_desc,
        embedder_warning,
        warnings,
        timings,
        index: index_stats,
        changes: mom.changes,
    })
}

/// The report's language when the user set none: the dominant script of
/// what customers wrote (their turns of inbound contacts: not the speaker
/// labels, agents' scripts or outbound templates, often in English), over
/// a sample taken evenly through the month: plenty for a vote, bounded for
/// a month of millions.
fn report_language(contacts: &[Contact]) -> ReportLanguage {
    use rayon::prelude::*;
    const SAMPLE: usize = 20_000;
    let stride = (contacts.len() / SAMPLE).max(1);
    let sample: Vec<&Contact> = contacts.iter().step_by(stride).collect();
    let words: Vec<String> = sample
        .par_iter()
        .filter(|c| c.direction == crate::model::Direction::Inbound)
        .map(|c| {
            // A transcript's opening is enough to know its script.
            let end = c
                .text
                .char_indices()
                .nth(2000)
                .map_or(c.text.len(), |(i, _)| i);
            crate::text::customer_words(&c.text[..end])
        })
        .collect();
    let lang = report::i18n::language_of(words.par_iter());
    if lang == ReportLanguage::ZhCn {
        report::i18n::chinese_variant(&words)
    } else {
        lang
    }
}

/// The run's embedders, and a warning when it fell back to the lexical one.
fn spaces(plan: &RunPlan) -> Result<(Spaces, Option<String>)> {
    let settings = &plan.settings;
    let (embedder, warning) = embed::choose_embedder(settings, plan.offload.as_ref())?;
    let is_model = warning.is_none() && settings.embedder != EmbedderChoice::Lexical;
    let multilingual = !is_model || embed::model_is_multilingual(Path::new(&settings.model));
    // The reasons an English-only model cannot read go to a multilingual
    // model when one is given: a space that knows what words mean, where
    // the lexical embedder only sees shared words.
    let other_model = match plan.other_scripts_model() {
        Some(dir) if !multilingual => Some(
            CandleEmbedder::load(dir)
                .with_context(|| {
                    format!("cannot load --other-scripts-model from {}", dir.display())
                })?
                .with_offload(plan.offload.clone()),
        ),
        _ => None,
    };
    let spaces = Spaces {
        // Every text the run's embedder embeds counts on the open stage.
        embedder: Box::new(embed::Metered {
            inner: embedder,
            progress: plan.progress.clone(),
        }),
        is_model,
        multilingual,
        other_model,
        lexical: embed::lexical_embedder(settings),
        progress: plan.progress.clone(),
    };
    Ok((spaces, warning))
}

/// `--same-issue auto`: by meaning with a model, else by shared words.
fn resolve_same_issue(settings: &Settings, is_model: bool) -> Settings {
    let mut s = settings.clone();
    if s.same_issue == SameIssue::Auto {
        s.same_issue = if is_model {
            SameIssue::Embedding
        } else {
            SameIssue::Lexical
        };
    }
    s
}

/// The same-issue test's far and close pairs this month
/// (`metrics::calibration`); with embeddings, pairs whose both contacts
/// were embedded.
fn same_issue_calibration(
    contacts: &[Contact],
    settings: &Settings,
    scorer: &dyn SameIssueScorer,
    v: &LinkVectors,
) -> Option<calibration::SameIssueCalibration> {
    use rayon::prelude::*;
    let embedded = match settings.same_issue {
        SameIssue::Embedding => true,
        SameIssue::Lexical => false,
        SameIssue::Any | SameIssue::Auto => return None,
    };
    let (far, close) = calibration::pairs(contacts, settings.repeat_window_secs);
    let keep = |&(a, b): &(usize, usize)| !embedded || v.both_embedded(a, b);
    let sims = |ps: Vec<(usize, usize)>| -> Vec<f32> {
        ps.into_par_iter()
            .filter(keep)
            .map(|(a, b)| scorer.similarity(a, b))
            .collect()
    };
    Some(calibration::calibrate(
        scorer.threshold(),
        sims(far),
        sims(close),
    ))
}

/// How the headline moves with the same-issue threshold: the customers are
/// linked again with it lowered and raised by `interval::LINKING_MARGIN`
/// (the borderline pairs linked, then kept apart). `None` for a test
/// without a threshold.
fn linking_sensitivity(
    contacts: &[Contact],
    settings: &Settings,
    spaces: &Spaces,
    v: &LinkVectors,
    templates: &Boilerplate,
) -> Option<interval::LinkingSensitivity> {
    let (test, threshold) = match settings.same_issue {
        SameIssue::Embedding => ("embedding", settings.embedding_threshold),
        SameIssue::Lexical => ("lexical", settings.similarity_threshold),
        SameIssue::Any | SameIssue::Auto => return None,
    };
    let counts = |shift: f32| {
        let mut s = settings.clone();
        s.embedding_threshold += shift;
        s.similarity_threshold += shift;
        metrics::fcr_counts(&link(contacts, &s, spaces, v, templates))
    };
    let if_linked = counts(-interval::LINKING_MARGIN);
    let if_not_linked = counts(interval::LINKING_MARGIN);
    Some(interval::sensitivity(
        test,
        threshold,
        if_linked,
        if_not_linked,
    ))
}

/// The reasons of the episodes to categorise, in episode order.
/// The embedder's identity: centroids compare across months only when it
/// is the same.
fn identity(
    spaces: &Spaces,
    settings: &Settings,
    centroids: &[Vec<f32>],
    model_space: &[bool],
) -> EmbedderIdentity {
    let dim = centroids
        .iter()
        .zip(model_space)
        .find(|(_, m)| **m)
        .map_or(0, |(c, _)| c.len());
    let name = spaces.embedder.name();
    EmbedderIdentity {
        identity: if spaces.is_model {
            trend::model_identity(&name, Path::new(&settings.model), dim)
        } else {
            "lexical".into()
        },
        name,
        dim,
    }
}

/// Every episode of a ranked category carries its id and its theme's.
fn stamp_category_ids(
    linked: &mut Linked,
    ranked: &[rank::RankedCategory],
    themes: &[rank::RankedTheme],
) {
    for c in ranked {
        for &e in &c.episode_indices {
            linked.episodes[e].category_id = Some(c.category_id.clone());
        }
    }
    for t in themes {
        for &e in &t.figures.episode_indices {
            linked.episodes[e].theme_id = Some(t.id().to_string());
        }
    }
}

/// `--previous` must be an earlier month: a later one is refused (its
/// trends would run backwards); the same period is allowed, as a re-run
/// check, with a warning.
fn check_previous_is_earlier(
    prev: &trend::Previous,
    contacts: &[Contact],
    settings: &Settings,
    tz: chrono_tz::Tz,
) -> Result<Option<String>> {
    let this_end = episodes::data_end(contacts, settings);
    let prev_end = crate::time::parse_timestamp(&prev.metrics.data_end, tz).ok();
    if let Some(prev_end) = prev_end {
        if prev_end > this_end {
            anyhow::bail!(
                "--previous {}: its data runs to {}, after this month's ({}): pass an earlier month's output",
                prev.dir.display(),
                prev.metrics.data_end,
                crate::time::format_time(this_end, tz)
            );
        }
    }
    let period = settings.period.as_deref().unwrap_or("");
    Ok((!period.is_empty() && prev.metrics.period == period).then(|| {
        format!(
            "--previous {} is this same period ({period}): every category continues itself; a re-run check, not a month over month",
            prev.dir.display()
        )
    }))
}

/// Why a run has no contacts: the rows read and rejected, the commonest
/// reasons, and the first rejected rows with file, line and column.
fn no_usable_rows(ing: &Ingested, out: &Path) -> String {
    let st = &ing.stats;
    let mut msg = format!(
        "{} rows read in {} file(s), {} rejected",
        st.rows_read, st.files_read, st.rows_rejected
    );
    if !st.files_empty.is_empty() {
        msg += &format!("; empty: {}", st.files_empty.join(", "));
    }
    let mut reasons: Vec<(&String, &u64)> = st.rejected_by_reason.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !reasons.is_empty() {
        let r: Vec<String> = reasons.iter().map(|(k, n)| format!("{n} {k}")).collect();
        msg += &format!(" ({})", r.join(", "));
    }
    for r in ing.rejected.iter().take(3) {
        let col = if r.column.is_empty() {
            String::new()
        } else {
            format!(", column {}", r.column)
        };
        msg += &format!("\n  {}: line {}{col}: {}", r.file, r.line, r.reason);
    }
    msg += &format!("\n{} was left as it was", out.display());
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{contact, run};

    #[test]
    fn auto_same_issue_follows_the_embedder() {
        let s = Settings::default();
        assert_eq!(
            resolve_same_issue(&s, true).same_issue,
            SameIssue::Embedding
        );
        assert_eq!(resolve_same_issue(&s, false).same_issue, SameIssue::Lexical);
        let any = Settings {
            same_issue: SameIssue::Any,
            ..s
        };
        assert_eq!(resolve_same_issue(&any, true).same_issue, SameIssue::Any);
    }

    #[test]
    fn category_ids_reach_their_episodes() {
        let cs = vec![contact("C1", "U1", 0.0, "Customer: card lost")];
        let mut linked = run(&cs, &Settings::default());
        let ranked = vec![rank::RankedCategory {
            category_id: "CAT-0007".into(),
            episode_indices: vec![0],
            ..Default::default()
        }];
        stamp_category_ids(&mut linked, &ranked, &[]);
        assert_eq!(linked.episodes[0].category_id.as_deref(), Some("CAT-0007"));
    }
}
