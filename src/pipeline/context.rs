//! Context families out of a group's categories (`text::context`): a
//! category held together by a circumstance customers mention beside
//! unrelated problems ("I run a small business", "我现在在泰国出差", "I've
//! tried the FAQ already", an agent's note) rather than by one problem is
//! dissolved.
//!
//! The words find candidates (`text::context`: most members have a clause
//! of the category's characteristic words beside something else); the
//! model decides. What is left of a sample of the members, embedded again
//! without those clauses, must
//! - be no tighter than chance (`MAX_LEFTOVER_GAIN`): a real problem's
//!   members, even with their key clause out, still say related things;
//! - mostly have a home (`MIN_HOME_SHARE`): lie as near another category
//!   as the group's members lie to their own. A problem's leftovers are
//!   circumstances and greetings, which no category is about; a
//!   circumstance's leftovers are problems the month has categories for.
//!
//! A circumstance its members mostly tell alone ("I fly back from Greece
//! on Friday.") leaves the model nothing to read; the words decide it
//! (`GroupWords::alone`: the month tells it beside problems of many other
//! categories).
//!
//! A word said beside anything ("olly, …" before any request, "我用了你们
//! 7年了", "I've tried the FAQ already") can hold a category of unrelated
//! problems together as well (`GroupWords::spread_word`: the group says it
//! beside problems of many other categories). Such a category dissolves
//! when, without that word, most of its members lie nearest other
//! categories, no one of them taking half; a word the problem needs
//! ("card" in "card pin never came") leaves members nearest their own.
//!
//! A family's members then join the category nearest what is left of them
//! when that is a home, else stay uncategorised (counted as such, not
//! forced together).
//!
//! Leftovers as loose as chance that mostly have no other home mean the
//! category's core is a problem the month has no other category for, with
//! a circumstance glued to it ("I've tried the FAQ already." beside account
//! closing, and beside anything else): the category splits. Its members
//! that say the circumstance are placed again by what is left of them,
//! against the core (the members that do not say it) and the other
//! categories; the core stays.
//!
//! Without a model (the lexical space cannot place a new text in the space
//! it fitted) nothing is dissolved.

use anyhow::Result;
use rayon::prelude::*;
use std::collections::BTreeMap;

use crate::cluster;
use crate::embed::{self, cosine, Embedder};
use crate::model::{Clusters, Reason};
use crate::text::boilerplate::spread;
use crate::text::context::GroupWords;

/// A family's leftovers are at most this much tighter than chance (share
/// of the way to identical): half of what a theme must be tighter than its
/// group (`cluster::MIN_GAIN_OVER_GROUP`).
const MAX_LEFTOVER_GAIN: f64 = crate::cluster::MIN_GAIN_OVER_GROUP / 2.0;

/// At least this share of a family's leftovers have a home.
const MIN_HOME_SHARE: f64 = 0.5;

/// Without a word said beside anything, no one category takes more than
/// this share of the members that moved: into one, the word split one
/// problem across two categories (the themes stage joins those).
const MAX_ONE_HOME_SHARE: f64 = 0.5;

/// Leftovers of a candidate read by the test.
const LEFTOVER_SAMPLE: usize = 96;

/// A home: a category whose centre is at least this quantile of the
/// group's members' cosines to their own centres.
const HOME_QUANTILE: f64 = 0.05;

/// Dissolves the context families among `clusters` (of one group: row `k`
/// is reason `members[k]`, with vector `vectors[k]`); returns how many.
pub fn dissolve(
    clusters: &mut Clusters,
    vectors: &mut [Vec<f32>],
    members: &[usize],
    reasons: &[Reason],
    model: Option<&dyn Embedder>,
) -> Result<usize> {
    let Some(model) = model else {
        return Ok(0);
    };
    let k = clusters.centroids.len();
    let texts: Vec<&str> = members.iter().map(|&i| reasons[i].text.as_str()).collect();
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (r, c) in clusters.cluster_of.iter().enumerate() {
        if let Some(c) = c {
            rows[*c].push(r);
        }
    }
    let words = GroupWords::new(&texts, &clusters.cluster_of);
    let mut candidates: Vec<Option<Vec<String>>> =
        rows.iter().map(|rs| words.candidate(rs, &texts)).collect();
    // Circumstances said alone, decided by where else the month says them
    // (`GroupWords::alone`): their members mostly have no leftover for the
    // model to read.
    let told_alone: Vec<Option<Vec<String>>> = (0..k)
        .into_par_iter()
        .map(|c| {
            if candidates[c].is_some() {
                return None;
            }
            words.alone(c, &rows[c], &texts)
        })
        .collect();
    let alone: Vec<bool> = told_alone.iter().map(Option::is_some).collect();
    for (c, a) in told_alone.into_iter().enumerate() {
        if a.is_some() {
            candidates[c] = a;
        }
    }
    let mut own: Vec<f32> = clusters
        .cluster_of
        .iter()
        .zip(vectors.iter())
        .filter_map(|(c, v)| c.map(|c| cosine(v, &clusters.centroids[c])))
        .collect();
    own.sort_by(f32::total_cmp);
    let bar = own
        .get((own.len() as f64 * HOME_QUANTILE) as usize)
        .copied()
        .unwrap_or(f32::INFINITY);
    // Words said beside anything (`GroupWords::spread_word`), decided by
    // where the model places the members without them; such a family
    // takes those leftovers whatever the other tests would say.
    let mut said_anywhere = said_anywhere(
        model,
        &words,
        &rows,
        &texts,
        &clusters.centroids,
        &alone,
        bar,
    )?;
    let dissolved_by_word: Vec<bool> = said_anywhere.iter().map(Option::is_some).collect();
    // What the test embedded of those is kept (by member position).
    let mut known: Vec<BTreeMap<usize, Vec<f32>>> = vec![BTreeMap::new(); k];
    for (c, found) in said_anywhere.iter_mut().enumerate() {
        if let Some(found) = found.take() {
            candidates[c] = Some(found.left);
            known[c] = found.embedded.into_iter().collect();
        }
    }
    // Leftovers (category, row, text), and their vectors where known.
    let mut left: Vec<(usize, usize, String)> = Vec::new();
    let mut fresh: Vec<Option<Vec<f32>>> = Vec::new();
    for (c, f) in candidates.iter().enumerate() {
        let Some(f) = f else { continue };
        for (p, (&r, s)) in rows[c].iter().zip(f).enumerate() {
            if !s.is_empty() {
                left.push((c, r, s.clone()));
                fresh.push(known[c].remove(&p));
            }
        }
    }
    if left.is_empty() && !alone.contains(&true) {
        return Ok(0);
    }
    let mut of_candidate: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (j, (c, _, _)) in left.iter().enumerate() {
        of_candidate[*c].push(j);
    }
    // The test reads a sample of each candidate's leftovers (evenly
    // spread), so it costs the same at any volume.
    let sample: Vec<usize> = of_candidate
        .iter()
        .enumerate()
        .filter(|(c, _)| !alone[*c] && !dissolved_by_word[*c])
        .flat_map(|(_, js)| spread(js, LEFTOVER_SAMPLE))
        .collect();
    embed_into(model, &left, &sample, &mut fresh)?;
    let base = tightness(vectors.iter());
    // Per category: a family (dissolves), or a category whose core is a
    // problem with a family glued to it (splits), or neither.
    let verdict: Vec<(bool, bool)> = (0..k)
        .map(|c| {
            if alone[c] || dissolved_by_word[c] {
                return (true, false);
            }
            let tested: Vec<&Vec<f32>> = of_candidate[c]
                .iter()
                .filter_map(|&j| fresh[j].as_ref())
                .collect();
            if tested.is_empty() {
                return (false, false);
            }
            let n = tested.len() as f64;
            // n random members of the group would be this tight by chance.
            let chance = (1.0 / n + (n - 1.0) / n * base * base).sqrt();
            let t = tightness(tested.iter().copied());
            let gain = if chance < 1.0 {
                (t - chance) / (1.0 - chance)
            } else {
                1.0
            };
            let homed = tested
                .iter()
                .filter(|v| home(v, &clusters.centroids, |o| o == c, bar).is_some())
                .count();
            let loose = gain <= MAX_LEFTOVER_GAIN;
            let has_homes = homed as f64 >= MIN_HOME_SHARE * n;
            (loose && has_homes, loose && !has_homes)
        })
        .collect();
    let family: Vec<bool> = verdict.iter().map(|v| v.0).collect();
    // A loose family whose leftovers mostly have no other home, and whose
    // core mostly does not say its words: the category's core is a problem
    // the month has no other category for (BANKING77's "I've tried the FAQ
    // already." glued to account closing). Its members that say the
    // family's clause are placed again by what is left of them, against the
    // core (the members that do not say it) and the other categories; the
    // core stays.
    let says_family = |j: usize| {
        let (_, r, s) = &left[j];
        let squash = |t: &str| {
            t.chars()
                .filter(|ch| !ch.is_whitespace())
                .collect::<String>()
        };
        squash(s) != squash(texts[*r])
    };
    let mut cores: Vec<Option<Vec<f32>>> = vec![None; k];
    for c in (0..k).filter(|&c| verdict[c].1) {
        let sayers: std::collections::BTreeSet<usize> = of_candidate[c]
            .iter()
            .filter(|&&j| says_family(j))
            .map(|&j| left[j].1)
            .collect();
        let core: Vec<usize> = rows[c]
            .iter()
            .copied()
            .filter(|r| !sayers.contains(r))
            .collect();
        // A core that says the family's words too is about them: the
        // "family" is the problem's own clause, with varied context beside
        // it ("I tried to top up with my card, but …"), and stays whole.
        if core.len() >= 2 && !words.mostly_say_its_words(&rows[c], &core) {
            let of: Vec<Option<usize>> = core.iter().map(|_| Some(0)).collect();
            let vs: Vec<Vec<f32>> = core.iter().map(|&r| vectors[r].clone()).collect();
            cores[c] = embed::centroids(&of, &vs, 1).into_iter().next();
        }
    }
    let split: Vec<bool> = cores.iter().map(Option::is_some).collect();
    let n_families = family.iter().filter(|f| **f).count();
    if n_families == 0 && !split.contains(&true) {
        return Ok(0);
    }
    let rest: Vec<usize> = (0..left.len())
        .filter(|&j| {
            (family[left[j].0] || (split[left[j].0] && says_family(j))) && fresh[j].is_none()
        })
        .collect();
    embed_into(model, &left, &rest, &mut fresh)?;
    // A split category is met at its core.
    let mut centres = clusters.centroids.clone();
    for (c, core) in cores.iter().enumerate() {
        if let Some(core) = core {
            centres[c] = core.clone();
        }
    }
    // A family's members (and a split category's that say the family's
    // clause) join their home among the survivors, or become uncategorised
    // with the family; survivors keep their order.
    for (j, ((c, r, _), v)) in left.iter().zip(fresh).enumerate() {
        if !(family[*c] || (split[*c] && says_family(j))) {
            continue;
        }
        clusters.cluster_of[*r] = None;
        if let Some(v) = v {
            if let Some(h) = home(&v, &centres, |o| family[o], bar) {
                clusters.cluster_of[*r] = Some(h);
                vectors[*r] = v;
            }
        }
    }
    let mut held = vec![false; k];
    for c in clusters.cluster_of.iter().flatten() {
        held[*c] = true;
    }
    let keep: Vec<bool> = (0..k).map(|c| !family[c] && held[c]).collect();
    cluster::retain(clusters, &keep);
    clusters.centroids = embed::centroids(&clusters.cluster_of, vectors, clusters.centroids.len());
    Ok(n_families)
}

/// A category held together by a word said beside anything: its members
/// without that word, and the vectors of those the test embedded (by
/// position among the members), which the members' placing reuses.
struct SaidAnywhere {
    left: Vec<String>,
    embedded: Vec<(usize, Vec<f32>)>,
}

/// For each category held together by a word said beside anything
/// (`GroupWords::spread_word`; not `alone`), its members without that word
/// when the model places most of a sample of them nearest other categories
/// (no one of them taking more than half: into one, the word split a
/// problem), each as near as members lie to their own (`bar`); `None` for
/// every other category. Every candidate's sample is embedded in one call.
fn said_anywhere(
    model: &dyn Embedder,
    words: &GroupWords,
    rows: &[Vec<usize>],
    texts: &[&str],
    centroids: &[Vec<f32>],
    alone: &[bool],
    bar: f32,
) -> Result<Vec<Option<SaidAnywhere>>> {
    // (category, members without the word, the sampled positions).
    let found: Vec<(usize, Vec<String>, Vec<usize>)> = rows
        .par_iter()
        .enumerate()
        .filter(|(c, _)| !alone[*c])
        .filter_map(|(c, rs)| {
            let left = words.spread_word(c, rs, texts)?;
            let all: Vec<usize> = (0..left.len()).collect();
            let sample: Vec<usize> = spread(&all, LEFTOVER_SAMPLE)
                .into_iter()
                .filter(|&p| !left[p].is_empty())
                .collect();
            (!sample.is_empty()).then_some((c, left, sample))
        })
        .collect();
    let batch: Vec<String> = found
        .iter()
        .flat_map(|(_, left, sample)| sample.iter().map(|&p| left[p].clone()))
        .collect();
    let mut out: Vec<Option<SaidAnywhere>> = (0..rows.len()).map(|_| None).collect();
    if batch.is_empty() {
        return Ok(out);
    }
    let mut vectors = embed::embed_each(model, &batch)?.into_iter();
    for (c, left, sample) in found {
        let embedded: Vec<(usize, Vec<f32>)> =
            sample.iter().copied().zip(vectors.by_ref()).collect();
        let mut homes: Vec<usize> = embedded
            .iter()
            .filter_map(|(_, v)| home(v, centroids, |_| false, bar))
            .filter(|&h| h != c)
            .collect();
        let moved = homes.len();
        homes.sort_unstable();
        let most = homes
            .chunk_by(|a, b| a == b)
            .map(<[usize]>::len)
            .max()
            .unwrap_or(0);
        if moved as f64 >= MIN_HOME_SHARE * sample.len() as f64
            && most as f64 <= MAX_ONE_HOME_SHARE * moved as f64
        {
            out[c] = Some(SaidAnywhere { left, embedded });
        }
    }
    Ok(out)
}

/// The category (not `excluded`) whose centre is nearest `v`, if it is at
/// least `bar` near.
fn home(
    v: &[f32],
    centres: &[Vec<f32>],
    excluded: impl Fn(usize) -> bool,
    bar: f32,
) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (c, centre) in centres.iter().enumerate() {
        if excluded(c) {
            continue;
        }
        let s = cosine(v, centre);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    best.filter(|(_, s)| *s >= bar).map(|(c, _)| c)
}

/// Embeds the leftovers `which` (indices into `left`) into `fresh`.
fn embed_into(
    model: &dyn Embedder,
    left: &[(usize, usize, String)],
    which: &[usize],
    fresh: &mut [Option<Vec<f32>>],
) -> Result<()> {
    if which.is_empty() {
        return Ok(());
    }
    let texts: Vec<String> = which.iter().map(|&j| left[j].2.clone()).collect();
    for (&j, v) in which.iter().zip(model.embed(&texts)?) {
        fresh[j] = Some(v);
    }
    Ok(())
}

/// How alike unit vectors are: the length of their mean (1 when all are
/// the same, near 0 when they point every way).
fn tightness<'a>(vectors: impl Iterator<Item = &'a Vec<f32>>) -> f64 {
    let mut sum: Vec<f64> = Vec::new();
    let mut n = 0usize;
    for v in vectors.filter(|v| !v.is_empty()) {
        if sum.is_empty() {
            sum = vec![0.0; v.len()];
        }
        for (a, b) in sum.iter_mut().zip(v) {
            *a += f64::from(*b);
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    sum.iter().map(|x| x * x).sum::<f64>().sqrt() / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words hashed into 64 dimensions: texts sharing words are alike.
    struct Words;

    impl Embedder for Words {
        fn name(&self) -> String {
            "words".into()
        }
        fn dim(&self) -> usize {
            64
        }
        fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0.0f32; 64];
                    for w in t.split(|c: char| !c.is_alphanumeric()) {
                        if w.len() > 2 {
                            v[(crate::text::fnv1a(&w.to_lowercase()) % 64) as usize] += 1.0;
                        }
                    }
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
                    v.iter().map(|x| x / n).collect()
                })
                .collect())
        }
    }

    /// The reasons, their vectors and `k` categories as `of` says.
    fn month(
        texts: &[String],
        of: Vec<Option<usize>>,
        k: usize,
    ) -> (Vec<Reason>, Vec<Vec<f32>>, Clusters) {
        let reasons = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Reason {
                episode: i,
                contact: i,
                text: t.clone(),
            })
            .collect();
        let vectors = Words.embed(texts).unwrap();
        let clusters = Clusters {
            centroids: embed::centroids(&of, &vectors, k),
            cluster_of: of,
        };
        (reasons, vectors, clusters)
    }

    /// `k` categories as `of` says, after `dissolve` with the words'
    /// model: how many it dissolved, and what is left.
    fn dissolved(texts: &[String], of: Vec<Option<usize>>, k: usize) -> (usize, Clusters) {
        let (reasons, mut vectors, mut clusters) = month(texts, of, k);
        let members: Vec<usize> = (0..texts.len()).collect();
        let n = dissolve(
            &mut clusters,
            &mut vectors,
            &members,
            &reasons,
            Some(&Words),
        )
        .unwrap();
        (n, clusters)
    }

    const ISSUES: [[&str; 4]; 3] = [
        [
            "where is my card pin",
            "cannot find my card pin",
            "card pin never arrived",
            "how to get my card pin",
        ],
        [
            "refund not received yet",
            "waiting for my refund",
            "refund still missing",
            "when does my refund arrive",
        ],
        [
            "transfer to my friend failed",
            "bank transfer failed twice",
            "my transfer failed again",
            "why did the transfer fail",
        ],
    ];

    /// [`ISSUES`] as categories 0–2, each phrasing twice.
    fn issues() -> (Vec<String>, Vec<Option<usize>>) {
        let mut texts: Vec<String> = Vec::new();
        let mut of: Vec<Option<usize>> = Vec::new();
        for (c, issue) in ISSUES.iter().enumerate() {
            for t in issue.iter().chain(issue.iter()) {
                texts.push(t.to_string());
                of.push(Some(c));
            }
        }
        (texts, of)
    }

    #[test]
    fn a_circumstance_glued_to_a_problem_leaves_it_and_the_problem_stays() {
        let (mut texts, mut of) = issues();
        let first = texts.len();
        for t in [
            "close my account please",
            "how do i close my account",
            "i want to close my account",
            "close account now",
        ] {
            texts.push(t.into());
            of.push(Some(3));
        }
        // The same context beside problems no category is about, and once
        // beside the core's own.
        let told = texts.len();
        for p in [
            "exchange rate looks wrong",
            "charged twice for coffee",
            "direct debit bounced",
            "order new plastic card",
            "app crashes on login",
            "statement shows unknown shop",
            "cheque deposit missing",
            "cash machine kept money",
            "close my account please",
        ] {
            texts.push(format!("I've tried the FAQ already. {p}"));
            of.push(Some(3));
        }
        let (n, clusters) = dissolved(&texts, of.clone(), 4);
        assert_eq!(n, 0);
        assert_eq!(clusters.centroids.len(), 4);
        // The core and the issues stay; the context's problems leave.
        assert_eq!(clusters.cluster_of[..told], of[..told]);
        assert_eq!(clusters.cluster_of[first], Some(3));
        for (label, text) in clusters.cluster_of[told..told + 8]
            .iter()
            .zip(&texts[told..])
        {
            assert_eq!(*label, None, "{text}");
        }
        assert_eq!(clusters.cluster_of[told + 8], Some(3));
    }

    #[test]
    fn a_circumstance_said_alone_dissolves_and_its_members_stay_uncategorised() {
        let problems = [
            "where is my card pin",
            "refund not received yet",
            "bank transfer failed twice",
            "exchange rate looks wrong",
            "charged twice for coffee",
            "cannot change account name",
            "direct debit bounced",
            "order new plastic card",
        ];
        let mut texts: Vec<String> = Vec::new();
        let mut of: Vec<Option<usize>> = Vec::new();
        for (c, p) in problems.iter().enumerate() {
            for lead in ["", "hi, ", "please: "] {
                texts.push(format!("{lead}{p}"));
                of.push(Some(c));
            }
            // Elsewhere the trip stands beside each problem.
            texts.push(format!("I fly back from Italy on Friday. {p}."));
            of.push(Some(c));
        }
        let first = texts.len();
        for place in ["Greece", "Mexico", "Japan", "Peru", "Spain"] {
            texts.push(format!("Hi, I fly back from {place} on Friday."));
            of.push(Some(8));
        }
        texts.push("I fly back from Chile on Friday. where is my card pin".into());
        of.push(Some(8));
        let (n, clusters) = dissolved(&texts, of, 9);
        assert_eq!(n, 1);
        assert_eq!(clusters.centroids.len(), 8);
        for (label, text) in clusters.cluster_of[first..first + 5]
            .iter()
            .zip(&texts[first..])
        {
            assert_eq!(*label, None, "{text}");
        }
        assert_eq!(clusters.cluster_of[first + 5], Some(0));
    }

    #[test]
    fn a_circumstance_category_dissolves_into_its_members_problems() {
        let trades = ["bakery", "taxi firm", "plumbing business", "cafe"];
        let (mut texts, mut of) = issues();
        // Category 3: the same circumstance beside each of the problems.
        for (k, issue) in ISSUES.iter().enumerate() {
            for (j, t) in issue.iter().enumerate() {
                texts.push(format!(
                    "I run a small {} and use this account for it. {t}.",
                    trades[(j + k) % 4]
                ));
                of.push(Some(3));
            }
        }
        let (n, clusters) = dissolved(&texts, of, 4);
        assert_eq!(n, 1);
        assert_eq!(clusters.centroids.len(), 3);
        // Each member of the dissolved category joined its problem's.
        for (r, label) in clusters.cluster_of.iter().enumerate().skip(24) {
            assert_eq!(*label, Some((r - 24) / 4), "{}", texts[r]);
        }
        // Without a model nothing is dissolved.
        let (reasons, mut v2, _) = month(&texts, vec![Some(0); texts.len()], 1);
        let mut c2 = Clusters {
            centroids: embed::centroids(&vec![Some(0); texts.len()], &v2, 1),
            cluster_of: vec![Some(0); texts.len()],
        };
        let members: Vec<usize> = (0..texts.len()).collect();
        assert_eq!(
            dissolve(&mut c2, &mut v2, &members, &reasons, None).unwrap(),
            0
        );
    }

    #[test]
    fn a_category_held_by_a_name_said_before_anything_dissolves_into_its_problems() {
        let others = [
            "exchange rate looks wrong",
            "charged twice for coffee",
            "cannot change account name",
            "direct debit bounced",
            "app logs me out daily",
            "cash machine kept money",
            "statement shows unknown shop",
            "loyalty points vanished",
        ];
        let (mut texts, mut of) = issues();
        for (c, t) in others.iter().enumerate() {
            for _ in 0..3 {
                texts.push(t.to_string());
                of.push(Some(3 + c));
            }
            // The assistant's name before requests of six categories.
            if c < 6 {
                texts.push(format!("olly {t}"));
                of.push(Some(3 + c));
            }
        }
        // Category 11: the name before each of three problems.
        let first = texts.len();
        for issue in &ISSUES {
            for t in issue {
                texts.push(format!("olly {t}"));
                of.push(Some(11));
            }
        }
        let (n, clusters) = dissolved(&texts, of, 12);
        assert_eq!(n, 1);
        assert_eq!(clusters.centroids.len(), 11);
        // Each member joins its problem's category, or stays uncategorised
        // where none lies near enough; none joins another problem.
        let mut joined = 0;
        for (k, label) in clusters.cluster_of[first..].iter().enumerate() {
            assert!(
                label.is_none() || *label == Some(k / 4),
                "{}",
                texts[first + k]
            );
            joined += usize::from(label.is_some());
        }
        assert!(joined >= 9, "{joined} of 12 joined");
    }

    #[test]
    fn a_problem_category_with_circumstances_beside_it_stays() {
        // One problem said beside many different circumstances: what is
        // left (the circumstances) has no category of its own.
        let context = [
            "I am travelling in Spain",
            "I just moved to Leeds",
            "I have been with you for years",
            "my phone is new",
            "I am helping my uncle",
            "it is my first week",
        ];
        let mut texts: Vec<String> = Vec::new();
        let mut of: Vec<Option<usize>> = Vec::new();
        for (c, issue) in ISSUES.iter().enumerate().skip(1) {
            for t in issue.iter().chain(issue.iter()) {
                texts.push(t.to_string());
                of.push(Some(c - 1));
            }
        }
        for (j, c) in context.iter().enumerate() {
            texts.push(format!("{c}. {}.", ISSUES[0][j % 4]));
            of.push(Some(2));
        }
        texts.push(ISSUES[0][0].to_string());
        of.push(Some(2));
        // The words alone would take it for a family: the model keeps it.
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let rows: Vec<usize> = (0..of.len()).filter(|&r| of[r] == Some(2)).collect();
        assert!(GroupWords::new(&refs, &of)
            .candidate(&rows, &refs)
            .is_some());
        let (n, clusters) = dissolved(&texts, of.clone(), 3);
        assert_eq!(n, 0);
        assert_eq!(clusters.cluster_of, of);
    }
}
