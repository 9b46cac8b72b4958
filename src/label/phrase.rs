//! Names made of the customers' own words: a short phrase that occurs in
//! the members ("refund status", "card not arrived", "找不到优惠券",
//! "הכרטיס לא הגיע"), not a keyword list.
//!
//! Candidates are spans of a reason's words inside one clause (no
//! punctuation or number inside), 1–[`MAX_CONTENT`] content words, starting
//! and ending with one, at most [`MAX_TOKENS`] words; an English particle
//! right after a word may end one ("top up", "wake up", "servers are
//! down"). A candidate is scored
//! for its category by
//!
//! - **coverage**: the share of members that say it;
//! - **distinctness**: the share of the month's reasons saying it that are
//!   in this category (a phrase every category has names none);
//! - **closeness**: the mean cosine to the centre of the members that say
//!   it, against the category's mean;
//! - a small bonus per extra content word, so "refund status" beats
//!   "refund" when both cover the same members.
//!
//! The best phrase then gives way to a longer one containing its words
//! when at least [`EXTEND`] of its members say the longer one ("lost" →
//! "lost my card"): a name should say as much as most members say. Where
//! the run has a model for the category's space, [`rerank`] then embeds
//! the candidates and lets a phrase sharing the best one's words win by
//! what it means ("charged" → "charged an extra fee").
//!
//! Words found throughout the month (the company's name, a channel word)
//! never name a group: a content word in at least [`THROUGHOUT_CATEGORIES`]
//! of the categories and [`THROUGHOUT_REASONS`] of the reasons names none
//! alone; it may stand beside a word that does where the group says it
//! more than [`THROUGHOUT_LIFT`] times as often as the month ("new card"
//! in a bank's month where most groups say "card"; never the company's
//! name, said everywhere alike). The company's own words the
//! caller passes (`company`: brands the customers address) are left out of
//! every name. Uniqueness across the month (a diversity penalty, as MMR
//! has) is applied by the caller, which takes each category's best phrase
//! not already used.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::embed::{cosine, cosine_f64};
use crate::model::Reason;
use crate::text::{join_words, segments};

/// Most words in a name phrase (stop words inside included).
pub const MAX_TOKENS: usize = 5;
/// Most content words in a name phrase.
pub const MAX_CONTENT: usize = 3;
/// Share of categories a word must appear in to be "throughout the month".
pub const THROUGHOUT_CATEGORIES: f64 = 0.6;
/// … and at least this many categories (in a month of three categories,
/// a word in two of them is just a common word).
pub const MIN_THROUGHOUT_CATEGORIES: usize = 5;
/// … and share of all categorised reasons.
pub const THROUGHOUT_REASONS: f64 = 0.05;
/// A word throughout the month may stand beside a naming word only in a
/// group that says it more than this multiple of its month-wide rate.
pub const THROUGHOUT_LIFT: f64 = 1.5;
/// A phrase gives way to a longer one containing its words said by at
/// least this share of the members that say it.
pub const EXTEND: f64 = 0.4;
/// Candidates kept per category, best first, for the caller to choose from.
pub const KEEP: usize = 12;

/// English particles that may end a phrase right after a content word
/// (they are stop words everywhere else: never a name alone). Not "in" or
/// "on": after a noun they are prepositions far more often ("card in",
/// named a group of foreign-fee questions on a CLINC150 month); "in" only
/// after one of [`IN_VERBS`].
const PARTICLES: &[&str] = &["up", "down", "out", "off"];
/// Verbs (word keys, content words) whose "in" is a particle: "can't log
/// in", "signed in" say what "log" and "signed" do not. Being content
/// words, they satisfy the "right after a content word" test themselves.
const IN_VERBS: &[&str] = &["log", "sign", "check", "plug"];
/// Forms of "be" that may stand between a word and its particle.
const BE: &[&str] = &["is", "are", "was", "were", "been", "being", "be", "s"];

/// A phrase candidate of one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    /// Content word keys joined by spaces, in order: the stop words inside
    /// do not count, so "card has not arrived" and "card not arrived" are
    /// one phrase (shown as its most frequent wording).
    key: String,
    /// What a reader sees.
    surface: String,
    /// Content word keys.
    content: Vec<String>,
}

/// Every candidate phrase of `text`, each once.
fn candidates(text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for seg in segments(text) {
        for start in 0..seg.len() {
            if seg[start].stop {
                continue;
            }
            let mut content = Vec::new();
            for end in start..seg.len().min(start + MAX_TOKENS) {
                if !seg[end].stop {
                    content.push(seg[end].key.clone());
                    if content.len() > MAX_CONTENT {
                        break;
                    }
                } else {
                    // A verb's particle right after it (or after "is",
                    // "are") ends a phrase of its own: "top up", "logged
                    // out", "servers are down" say what "top", "logged",
                    // "servers" do not.
                    let after_content = end > start
                        && (!seg[end - 1].stop
                            || (end > start + 1
                                && !seg[end - 2].stop
                                && BE.contains(&seg[end - 1].key.as_str())));
                    // Not after a negation alone ("not up" names nothing).
                    if after_content
                        && content.len() < MAX_CONTENT
                        && content.iter().any(|w| w != "not")
                        && (PARTICLES.contains(&seg[end].key.as_str())
                            || (seg[end].key == "in"
                                && IN_VERBS.contains(&seg[end - 1].key.as_str())))
                    {
                        let mut with = content.clone();
                        with.push(seg[end].key.clone());
                        let key = with.join(" ");
                        if with.windows(2).all(|w| w[0] != w[1]) && seen.insert(key.clone()) {
                            let surfaces: Vec<&str> = seg[start..=end]
                                .iter()
                                .map(|t| t.surface.as_str())
                                .collect();
                            out.push(Candidate {
                                key,
                                surface: join_words(&surfaces),
                                content: with,
                            });
                        }
                    }
                    continue;
                }
                // A phrase may start with a negation ("not arrived") but
                // not end with one ("card not") or be one.
                if seg[end].key == "not" {
                    continue;
                }
                let span = &seg[start..=end];
                // "card card" or the same word twice says nothing more.
                if content.windows(2).any(|w| w[0] == w[1]) {
                    break;
                }
                let key = content.join(" ");
                if seen.insert(key.clone()) {
                    let surfaces: Vec<&str> = span.iter().map(|t| t.surface.as_str()).collect();
                    out.push(Candidate {
                        key,
                        surface: join_words(&surfaces),
                        content: content.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Per phrase key: members saying it, their summed closeness, surface
/// counts, content word keys.
type Stats<'a> = BTreeMap<&'a str, (usize, f64, BTreeMap<&'a str, usize>, &'a [String])>;

/// The best-scored phrase (`scored` is best first) that contains `key`'s
/// words and more, said by at least [`EXTEND`] of `key`'s members; `key`
/// when there is none.
fn extended<'a>(key: &'a str, scored: &[(f64, &'a str)], stats: &Stats<'a>) -> &'a str {
    let (df, _, _, words) = &stats[key];
    scored
        .iter()
        .map(|(_, k)| *k)
        .find(|k| {
            let (odf, _, _, ow) = &stats[*k];
            ow.len() > words.len()
                && words.iter().all(|w| ow.contains(w))
                && *odf as f64 >= EXTEND * *df as f64
        })
        .unwrap_or(key)
}

/// One name candidate of a category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Phrase {
    /// The words as most members write them.
    pub text: String,
    /// Its content word keys, sorted.
    pub words: Vec<String>,
    /// Its lexical score (an extension keeps the score of the phrase it
    /// stands for).
    pub score: f64,
    /// How many members say it.
    pub said: usize,
    /// How many members say its least said word.
    pub word_said: usize,
}

/// A category's name candidates, best first (at most [`KEEP`]); empty when
/// no phrase is shared by enough members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranked {
    pub phrases: Vec<Phrase>,
}

/// A phrase stands in for the best one (chosen for what it means, or
/// because the best is another category's name) only when each of its
/// words is said by more than this share of the members saying the best,
/// and the phrase itself by at least [`STAND_IN_MIN`] members. Measured on
/// BANKING77, CLINC150 and MASSIVE realistic months: without it a phrase
/// of a circumstance won by meaning ("moved to belfast", each word said by
/// 6 of the 26 members saying "moved"; "outback steakhouse have good
/// reviews", said by 2), while "charged an extra fee" (its words said by 21
/// of the 50 saying "charged") and "transfer and it failed" rightly win.
pub const STAND_IN_WORDS: f64 = 0.25;
/// Fewest members saying a stand-in phrase.
pub const STAND_IN_MIN: usize = 3;

impl Ranked {
    /// Whether phrase `i` is said by enough members to stand for the
    /// best ([`STAND_IN_WORDS`], [`STAND_IN_MIN`]).
    pub fn may_stand_for_best(&self, i: usize) -> bool {
        let best = self.phrases.first().map_or(0, |p| p.said);
        self.phrases.get(i).is_some_and(|p| {
            p.said >= STAND_IN_MIN && p.word_said as f64 > STAND_IN_WORDS * best as f64
        })
    }
}

/// Ranks name phrases for each category (`members[c]`: reason indices).
pub fn rank_phrases(
    reasons: &[Reason],
    members: &[Vec<usize>],
    vectors: &[Vec<f32>],
    centroids: &[Vec<f32>],
    company: &HashSet<String>,
) -> Vec<Ranked> {
    let k = members.len();
    let mut category_of: Vec<Option<usize>> = vec![None; reasons.len()];
    for (c, ms) in members.iter().enumerate() {
        for &i in ms {
            category_of[i] = Some(c);
        }
    }
    let clustered: Vec<usize> = (0..reasons.len())
        .filter(|&i| category_of[i].is_some())
        .collect();
    let per_reason: Vec<Vec<Candidate>> = clustered
        .par_iter()
        .map(|&i| candidates(&reasons[i].text))
        .collect();
    let n = clustered.len().max(1) as f64;
    // Month-wide counts: reasons per phrase; categories and reasons per
    // content word.
    let mut df_all: HashMap<&str, usize> = HashMap::new();
    let mut word_reasons: HashMap<&str, usize> = HashMap::new();
    let mut word_categories: HashMap<&str, HashSet<usize>> = HashMap::new();
    // Members saying a word, per category.
    let mut word_members: HashMap<(&str, usize), usize> = HashMap::new();
    for (p, &i) in per_reason.iter().zip(&clustered) {
        let c = category_of[i].unwrap_or_default();
        let mut words_here = HashSet::new();
        for cand in p {
            *df_all.entry(cand.key.as_str()).or_default() += 1;
            if cand.content.len() == 1 && words_here.insert(cand.content[0].as_str()) {
                *word_reasons.entry(cand.content[0].as_str()).or_default() += 1;
                word_categories
                    .entry(cand.content[0].as_str())
                    .or_default()
                    .insert(c);
                *word_members
                    .entry((cand.content[0].as_str(), c))
                    .or_default() += 1;
            }
        }
    }
    let throughout: HashSet<&str> = word_reasons
        .iter()
        // A negation is in every kind of complaint; it names nothing alone
        // but must stay inside phrases.
        .filter(|(w, _)| **w != "not")
        .filter(|(w, &r)| {
            let cats = word_categories.get(*w).map_or(0, HashSet::len);
            cats >= MIN_THROUGHOUT_CATEGORIES
                && cats as f64 >= THROUGHOUT_CATEGORIES * k as f64
                && r as f64 >= THROUGHOUT_REASONS * n
        })
        .map(|(w, _)| *w)
        .collect();
    let position: HashMap<usize, usize> =
        clustered.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    (0..k)
        .map(|c| {
            let ms = &members[c];
            if ms.is_empty() {
                return Ranked::default();
            }
            let size = ms.len();
            let close_of = |i: usize| -> f64 {
                vectors
                    .get(i)
                    .filter(|v| !v.is_empty() && !centroids[c].is_empty())
                    .map_or(1.0, |v| f64::from(cosine(v, &centroids[c])))
            };
            let mean_close = ms.iter().map(|&i| close_of(i)).sum::<f64>() / size as f64;
            // A word throughout the month said here no more than anywhere
            // (the company's name in every reason) names nothing, not
            // even beside another word; one said here far more than in
            // the month ("card" in a group about new cards) may stand
            // beside a word that names.
            let flat = |w: &str| {
                let here = word_members.get(&(w, c)).copied().unwrap_or(0) as f64 / size as f64;
                let month = word_reasons.get(w).copied().unwrap_or(0) as f64 / n;
                here <= THROUGHOUT_LIFT * month
            };
            // key → (members saying it, summed closeness, surface counts, content)
            let mut stats: Stats = BTreeMap::new();
            for &i in ms {
                let Some(&p) = position.get(&i) else { continue };
                let close = close_of(i);
                for cand in &per_reason[p] {
                    // A word throughout the month names nothing alone but
                    // may stand beside one that does ("new card" where
                    // every category says "card").
                    let month_word = |w: &String| throughout.contains(w.as_str());
                    if cand.content.iter().any(|w| company.contains(w))
                        || cand.content.iter().all(month_word)
                        || cand.content.iter().any(|w| month_word(w) && flat(w))
                    {
                        continue;
                    }
                    let e = stats.entry(cand.key.as_str()).or_insert((
                        0,
                        0.0,
                        BTreeMap::new(),
                        &cand.content,
                    ));
                    e.0 += 1;
                    e.1 += close;
                    *e.2.entry(cand.surface.as_str()).or_default() += 1;
                }
            }
            // A name must be shared: by two members at least (all of a
            // tiny category), and by 5 % of a large one.
            let min_df = if size >= 4 {
                2.max((0.05 * size as f64).ceil() as usize)
            } else {
                1
            };
            let mut scored: Vec<(f64, &str)> = stats
                .iter()
                .filter(|(_, s)| s.0 >= min_df)
                .map(|(key, s)| {
                    let cov = s.0 as f64 / size as f64;
                    let distinct = s.0 as f64 / df_all.get(key).copied().unwrap_or(1).max(1) as f64;
                    let close = if mean_close > 0.0 {
                        (s.1 / s.0 as f64 / mean_close).clamp(0.5, 1.5)
                    } else {
                        1.0
                    };
                    let bonus = 1.0 + 0.25 * (s.3.len() as f64 - 1.0);
                    (cov * distinct * close * bonus, *key)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            // Say as much as most of the members say: a phrase gives way to
            // a longer one containing its words ("lost" → "lost my card")
            // when at least EXTEND of its members say the longer one.
            // An extension keeps the score of the phrase it stands for.
            let mut seen = HashSet::new();
            let (keys, scores): (Vec<&str>, Vec<f64>) = scored
                .iter()
                .map(|(sc, key)| {
                    let key = extended(extended(key, &scored, &stats), &scored, &stats);
                    (key, *sc)
                })
                .filter(|(key, _)| seen.insert(*key))
                .take(KEEP)
                .unzip();
            let phrases = keys
                .into_iter()
                .zip(scores)
                .map(|(key, score)| {
                    let s = &stats[key];
                    // Most frequent surface; ties alphabetical.
                    let text =
                        s.2.iter()
                            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                            .map_or(key, |(s, _)| *s)
                            .to_string();
                    let mut words = s.3.to_vec();
                    let word_said = words
                        .iter()
                        .map(|w| stats.get(w.as_str()).map_or(0, |s| s.0))
                        .min()
                        .unwrap_or(0);
                    words.sort();
                    Phrase {
                        text,
                        words,
                        score,
                        said: s.0,
                        word_said,
                    }
                })
                .collect();
            Ranked { phrases }
        })
        .collect()
}

/// Where name phrases can be placed: the run's embedding spaces.
pub trait PhraseSpace: Sync {
    /// The space a text belongs to (categories of one space compare).
    fn space_of(&self, text: &str) -> u32;
    /// Embeds phrases in the space of the categories they name; `None` for
    /// a phrase no model of the run reads (its space is lexical).
    fn place(&self, texts: &[String]) -> Vec<Option<Vec<f32>>>;
}

/// Weight of a phrase's closeness to its centre against its words'
/// statistics, among the phrases that may replace the lexical best: lexical
/// score × centred cosine^`MEANING`.
pub const MEANING: i32 = 2;

/// Lets what phrases mean choose among the ones that say the same thing
/// (as KeyBERT ranks candidate phrases by embedding similarity to the
/// document): the lexical best gives way to a phrase that shares one of
/// its words, lies nearer its own category's centre than any other
/// category's (distinct), and scores best by lexical score × closeness^
/// [`MEANING`] (central). "charged" becomes "charged an extra fee",
/// "deposited" "deposited a cheque", "transfer" "transfer fail".
///
/// Only phrases sharing a word: measured on three months, letting any
/// phrase win named categories by a circumstance their members share
/// ("moved to belfast", "travelling in spain") or by the domain's most
/// general word ("card"). Cosines are taken after removing the space's
/// common direction (the mean of its categories' centres), as the themes
/// stage does: uncentred, a bank's "card" is near every centre. `space[c]`:
/// category `c`'s space. Every distinct phrase is embedded once, in one
/// batch. A category with a phrase the space cannot place keeps its
/// lexical order.
pub fn rerank(
    ranked: &mut [Ranked],
    centroids: &[Vec<f32>],
    space: &[u32],
    place: &dyn PhraseSpace,
) {
    let texts: Vec<String> = ranked
        .iter()
        .flat_map(|r| r.phrases.iter().map(|p| p.text.clone()))
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    if texts.is_empty() {
        return;
    }
    let vectors: HashMap<&str, Vec<f32>> = texts
        .iter()
        .map(String::as_str)
        .zip(place.place(&texts))
        .filter_map(|(t, v)| Some((t, v?)))
        .collect();
    // Each space's common direction: its categories' centres averaged.
    let mut sums: BTreeMap<u32, (Vec<f64>, usize)> = BTreeMap::new();
    for (c, centre) in centroids.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
        let e = sums
            .entry(space[c])
            .or_insert_with(|| (vec![0.0; centre.len()], 0));
        if e.0.len() == centre.len() {
            for (a, b) in e.0.iter_mut().zip(centre) {
                *a += f64::from(*b);
            }
            e.1 += 1;
        }
    }
    let means: BTreeMap<u32, Vec<f64>> = sums
        .into_iter()
        .map(|(s, (sum, n))| (s, sum.iter().map(|x| x / n.max(1) as f64).collect()))
        .collect();
    let centred = |v: &[f32], c: usize| -> Option<Vec<f64>> {
        let mean = means.get(&space[c]).filter(|m| m.len() == v.len())?;
        Some(v.iter().zip(mean).map(|(a, m)| f64::from(*a) - m).collect())
    };
    let centres: Vec<Option<Vec<f64>>> = centroids
        .iter()
        .enumerate()
        .map(|(c, v)| centred(v, c))
        .collect();
    for (c, r) in ranked.iter_mut().enumerate() {
        let Some(centre) = &centres[c] else { continue };
        // Per phrase: (closeness to its own centre, and by how much it is
        // nearer that than any other category's of the space).
        let placed: Option<Vec<(f64, f64)>> = r
            .phrases
            .iter()
            .map(|p| {
                let v = centred(vectors.get(p.text.as_str())?, c)?;
                let own = cosine_f64(&v, centre).max(0.0);
                let other = centres
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != c && space[*o] == space[c])
                    .filter_map(|(_, oc)| oc.as_ref())
                    .map(|oc| cosine_f64(&v, oc))
                    .fold(0.0f64, f64::max);
                Some((own, own - other))
            })
            .collect();
        let Some(placed) = placed else { continue };
        let Some(words) = r.phrases.first().map(|p| p.words.clone()) else {
            continue;
        };
        // The lexical best gives way to a phrase sharing one of its words
        // that says the group's meaning better: nearer its own centre than
        // any other (distinct), and closest to it (central).
        let pick = (0..r.phrases.len())
            .filter(|&i| placed[i].1 > 0.0)
            .filter(|&i| r.phrases[i].words.iter().any(|w| words.contains(w)))
            .filter(|&i| r.may_stand_for_best(i))
            .map(|i| (r.phrases[i].score * placed[i].0.powi(MEANING), i))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, i)) = pick.filter(|(_, i)| *i > 0) {
            let p = r.phrases.remove(i);
            r.phrases.insert(0, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(t: &str) -> Reason {
        Reason {
            episode: 0,
            contact: 0,
            text: t.into(),
        }
    }

    #[test]
    fn candidates_start_and_end_with_content_words() {
        let c: Vec<String> = candidates("my card has not arrived")
            .into_iter()
            .map(|c| c.surface)
            .collect();
        assert!(c.contains(&"card".to_string()));
        assert!(c.contains(&"card has not arrived".to_string()), "{c:?}");
        assert!(!c.iter().any(|s| s.starts_with("my") || s.ends_with("not")));
        assert!(c.contains(&"not arrived".to_string()));
    }

    #[test]
    fn a_particle_ends_a_phrase_only_right_after_a_content_word() {
        let c: Vec<(String, Vec<String>)> = candidates("I cannot top up, the servers are down")
            .into_iter()
            .map(|c| (c.surface, c.content))
            .collect();
        let surfaces: Vec<&str> = c.iter().map(|x| x.0.as_str()).collect();
        assert!(surfaces.contains(&"top up"), "{surfaces:?}");
        assert!(surfaces.contains(&"top"), "{surfaces:?}");
        // After "are", as said; never after another stop word, never alone.
        assert!(surfaces.contains(&"servers are down"), "{surfaces:?}");
        assert!(!surfaces.contains(&"up") && !surfaces.contains(&"down"));
        let not_up = candidates("it isn't up");
        assert!(not_up.iter().all(|x| x.key != "not up"), "{not_up:?}");
        let card = candidates("my card was in the machine");
        assert!(card.iter().all(|x| !x.surface.ends_with(" in")), "{card:?}");
        // "in" only after a verb it belongs to.
        let log_in = candidates("I can't log in since yesterday, signed in twice");
        let log_in: Vec<&str> = log_in.iter().map(|x| x.surface.as_str()).collect();
        assert!(log_in.contains(&"log in"), "{log_in:?}");
        assert!(log_in.contains(&"signed in"), "{log_in:?}");
        let top_up = c.iter().find(|x| x.0 == "top up").unwrap();
        assert_eq!(top_up.1, vec!["top".to_string(), "up".to_string()]);
    }

    #[test]
    fn a_shared_phrase_names_its_group_and_month_words_do_not() {
        let texts = [
            "Acme: my card has not arrived",
            "Acme card has not arrived yet",
            "the card has not arrived, acme",
            "acme refund status please",
            "what is my refund status acme",
            "refund status for acme order",
            "acme app crashes on login",
            "acme app crashes when I open it",
            "the app crashes acme",
            "acme payment failed",
            "payment failed at acme",
            "acme: payment failed",
            "acme parcel lost",
            "my acme parcel lost",
            "parcel lost acme",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let members: Vec<Vec<usize>> = (0..5).map(|c| vec![3 * c, 3 * c + 1, 3 * c + 2]).collect();
        let vectors: Vec<Vec<f32>> = vec![vec![1.0]; 15];
        let centroids = vec![vec![1.0]; 5];
        let r = rank_phrases(&reasons, &members, &vectors, &centroids, &HashSet::new());
        let best: Vec<&str> = r.iter().map(|x| x.phrases[0].text.as_str()).collect();
        assert_eq!(
            best,
            vec![
                "card has not arrived",
                "refund status",
                "app crashes",
                "payment failed",
                "parcel lost"
            ]
        );
        assert!(r
            .iter()
            .all(|x| x.phrases.iter().all(|p| !p.text.contains("acme"))));
    }

    #[test]
    fn a_month_word_said_here_most_stands_beside_the_naming_word() {
        // "card" is in five of six groups, so it names none alone; the
        // first group says it three times as often as the month: "new
        // card", not "new".
        let texts = [
            "I need a new card",
            "new card please",
            "ordered a new card",
            "refund status",
            "what is my refund status",
            "refund status for my card",
            "app crashes on login",
            "app crashes with my card",
            "the app crashes",
            "payment failed",
            "card payment failed",
            "payment failed again",
            "parcel lost",
            "card parcel lost",
            "parcel lost today",
            "pin blocked",
            "pin blocked card",
            "my pin blocked",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let members: Vec<Vec<usize>> = (0..6).map(|c| vec![3 * c, 3 * c + 1, 3 * c + 2]).collect();
        let vectors: Vec<Vec<f32>> = vec![vec![1.0]; 18];
        let centroids = vec![vec![1.0]; 6];
        let r = rank_phrases(&reasons, &members, &vectors, &centroids, &HashSet::new());
        assert_eq!(r[0].phrases[0].text, "new card");
        // Where "card" is said no more than in the month, it names nothing.
        assert!(r[1..]
            .iter()
            .all(|x| x.phrases.iter().all(|p| !p.text.contains("card"))));
    }

    #[test]
    fn chinese_and_hebrew_phrases_keep_their_words() {
        let texts = [
            "我找不到优惠券",
            "结账时找不到优惠券",
            "找不到优惠券了",
            "הכרטיס לא הגיע",
            "הכרטיס לא הגיע עדיין",
            "למה הכרטיס לא הגיע",
        ];
        let reasons: Vec<Reason> = texts.iter().map(|t| reason(t)).collect();
        let members = vec![vec![0, 1, 2], vec![3, 4, 5]];
        let r = rank_phrases(&reasons, &members, &[], &[vec![], vec![]], &HashSet::new());
        assert!(r[0].phrases[0].text.contains("优惠券"), "{:?}", r[0]);
        assert!(!r[0].phrases[0].text.contains(' '));
        assert_eq!(r[1].phrases[0].text, "הכרטיס לא הגיע", "{:?}", r[1]);
    }

    /// Phrases placed by a table: unknown ones cannot be placed.
    struct Table(Vec<(&'static str, Vec<f32>)>);

    impl PhraseSpace for Table {
        fn space_of(&self, _: &str) -> u32 {
            0
        }
        fn place(&self, texts: &[String]) -> Vec<Option<Vec<f32>>> {
            texts
                .iter()
                .map(|t| self.0.iter().find(|(p, _)| p == t).map(|(_, v)| v.clone()))
                .collect()
        }
    }

    fn ranked(phrases: &[(&str, &[&str], f64)]) -> Ranked {
        Ranked {
            phrases: phrases
                .iter()
                .map(|(s, w, score)| Phrase {
                    text: s.to_string(),
                    words: w.iter().map(|w| w.to_string()).collect(),
                    score: *score,
                    said: 10,
                    word_said: 10,
                })
                .collect(),
        }
    }

    #[test]
    fn a_stand_in_needs_its_words_said_by_enough_members() {
        let mut r = ranked(&[
            ("moved", &["moved"], 1.0),
            ("moved to belfast", &["belfast", "moved"], 0.9),
            ("charged an extra fee", &["charged", "extra", "fee"], 0.8),
            ("said by two", &["said", "two"], 0.7),
        ]);
        for (p, (said, word_said)) in r
            .phrases
            .iter_mut()
            .zip([(26, 26), (6, 6), (4, 21), (2, 20)])
        {
            p.said = said;
            p.word_said = word_said;
        }
        // "belfast" said by 6 of the 26 saying "moved": a circumstance.
        assert!(!r.may_stand_for_best(1));
        // Its words said widely, the phrase by enough members.
        assert!(r.may_stand_for_best(2));
        // Said by too few members, however common its words.
        assert!(!r.may_stand_for_best(3));
    }

    #[test]
    fn meaning_chooses_among_phrases_sharing_the_best_ones_words() {
        // Every vector shares a common direction (the last axis), as
        // sentence embeddings do; fees lie along axis 0, cards along 1,
        // moving house along 2.
        let centres = vec![vec![0.6, 0.0, 0.2, 1.0], vec![0.0, 0.6, 0.0, 1.0]];
        let space = Table(vec![
            ("charged", vec![0.1, 0.1, 0.0, 1.0]),
            ("charged an extra fee", vec![0.7, 0.0, 0.0, 1.0]),
            ("moved to belfast", vec![0.0, 0.0, 0.9, 1.0]),
            // The domain's general word: near the common direction.
            ("card", vec![0.1, 0.1, 0.0, 1.0]),
            ("charged for a card", vec![0.0, 0.8, 0.0, 1.0]),
            ("card arrived", vec![0.0, 0.7, 0.0, 1.0]),
        ]);
        let mut r = vec![
            ranked(&[
                ("charged", &["charg"], 0.5),
                ("moved to belfast", &["belfast", "move"], 0.45),
                ("charged for a card", &["card", "charg"], 0.4),
                ("charged an extra fee", &["charg", "extra", "fee"], 0.3),
            ]),
            ranked(&[
                ("card", &["card"], 0.6),
                ("card arrived", &["arriv", "card"], 0.5),
            ]),
        ];
        rerank(&mut r, &centres, &[0, 0], &space);
        let names: Vec<&str> = r.iter().map(|x| x.phrases[0].text.as_str()).collect();
        // Not the circumstance (no shared word), nor the phrase nearer the
        // card category: the one that says the fee.
        assert_eq!(names, vec!["charged an extra fee", "card arrived"]);
        // The others keep their lexical order behind it.
        let rest: Vec<&str> = r[0].phrases[1..].iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            rest,
            vec!["charged", "moved to belfast", "charged for a card"]
        );
    }

    #[test]
    fn a_category_the_space_cannot_place_keeps_its_order() {
        let centres = vec![vec![1.0, 0.0, 1.0], vec![0.0, 1.0, 1.0]];
        let space = Table(vec![("refund status", vec![1.0, 0.0, 1.0])]);
        let mut r = vec![
            ranked(&[
                ("refund", &["refund"], 0.5),
                ("refund status", &["refund", "status"], 0.3),
            ]),
            ranked(&[]),
        ];
        let before = r.clone();
        rerank(&mut r, &centres, &[0, 0], &space);
        assert_eq!(r, before);
    }
}
