//! Boilerplate learned from the month itself: clauses that agents or
//! templates add to many contacts ("Action: passed to specialist team.",
//! "已提交后台处理", "Customer advised to wait 5 working days"), in any
//! language, with no hand list.
//!
//! # The rule
//! Reasons are split into sentences and clauses (`text::clause`, the units
//! reasons are built from); a phrase (sentence or clause) key is its normalized words (NFKC, case folded,
//! punctuation dropped, every digit run read as `0`, so "wait 5 days" and
//! "wait 7 days" are one key). A key is boilerplate when all of these hold:
//!
//! 1. **frequent**: it occurs in at least max([`MIN_CONTACTS`],
//!    [`MIN_SHARE`] × contacts of its script) distinct contacts (the share
//!    is of the contacts whose dominant script is the phrase's, so a
//!    Chinese template is found in a month that is mostly English);
//! 2. **long enough**: it has at least [`MIN_WORDS`] content words
//!    (`text::words`: stop words out, Chinese segmented), so "please help"
//!    or "why" never qualify;
//! 3. **attached**: at most [`MAX_STANDALONE`] of its contacts have nothing
//!    else to say (no content term outside frequent clauses). A template
//!    is added to a customer's statement; a customer's own complaint often
//!    is the whole statement ("My card was declined.");
//! 4. **unrelated to its company**: what the rest of its contacts say is no
//!    more alike than what any contacts of the same script say: the mean
//!    pairwise Jaccard of their content terms (`text::terms`, up to
//!    [`SAMPLE`] contacts spread evenly) is at most [`MAX_COHESION_RATIO`] ×
//!    the same measure on contacts of the same dominant script (plus
//!    [`COHESION_SLACK`]). A template is pasted under any topic; a frequent
//!    genuine complaint ("my card was declined, at the till", "my card was
//!    declined online") comes with words of its own topic (card, payment,
//!    shop), and is kept.
//!
//! # Limits
//! A template used only for one topic (a "card team notified" note on card
//! contacts only) is kept: it is related to its contacts, so it does not
//! pull unrelated contacts together, which is the harm boilerplate does. A
//! genuine complaint said verbatim by many customers, always next to
//! unrelated other content, and rarely alone, would be stripped; the
//! standalone and cohesion tests make that unlikely, not impossible (the
//! learned phrases are listed by [`Boilerplate::phrases`] for the report).
//! A template whose wording varies by more than digits is counted as
//! several keys, each of which must pass on its own. A month of fewer than
//! [`MIN_CONTACTS`] contacts learns nothing.
//!
//! Deterministic: counts are order-free, candidates are kept sorted,
//! samples are taken by contact position; fast: one parallel pass (rayon)
//! hashes every clause; only frequent clauses are looked at further.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::clause::{clause_spans, drop_clauses, sentence_spans};
use super::terms::{fnv1a, terms};
use super::unicode::{dominant_script, normalize, Script};
use super::words::words;

/// A phrase is boilerplate only if at least this many contacts have it.
/// Ten, not more: a small script group (a Chinese hotline inside an
/// English month: a few hundred reasons) must still lose its agent note
/// ("已提交后台处理" in 13 reasons of a 10k month named a theme at 20); the
/// attached and cohesion tests, not this floor, are what keep a frequent
/// complaint (BENCHMARKS.md, issue 13.1: the floor at 10).
pub const MIN_CONTACTS: usize = 10;
/// … and at least this share of the contacts (0.5 %).
pub const MIN_SHARE: f64 = 0.005;
/// … and it has at least this many content words.
pub const MIN_WORDS: usize = 2;
/// … and at most this share of its contacts say nothing else.
pub const MAX_STANDALONE: f64 = 0.25;
/// … and its contacts' other content is at most this many times as alike
/// as contacts of the same script are (plus [`COHESION_SLACK`]).
pub const MAX_COHESION_RATIO: f64 = 1.5;
/// Absolute slack on the cohesion test, for months whose contacts are
/// barely alike at all (baseline near 0).
pub const COHESION_SLACK: f64 = 0.01;
/// Contacts sampled (evenly, by position) for a cohesion measure.
pub const SAMPLE: usize = 200;

/// What the learner found about one frequent phrase.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhraseStats {
    /// The phrase's key (normalized words, digit runs as `0`).
    pub phrase: String,
    /// Distinct contacts with the phrase, later contacts included.
    pub contacts: usize,
    /// Content words of the phrase.
    pub words: usize,
    /// Share of its contacts with no other content.
    pub standalone: f64,
    /// Mean pairwise Jaccard of its contacts' other content terms.
    pub cohesion: f64,
    /// The same on contacts of the phrase's script.
    pub baseline: f64,
    /// Whether the phrase is boilerplate (stripped).
    pub boilerplate: bool,
}

/// Phrases learned as boilerplate from one month of reasons.
#[derive(Debug, Clone, Default)]
pub struct Boilerplate {
    phrases: HashSet<String>,
    /// Every frequent, long enough phrase, sorted by phrase.
    stats: Vec<PhraseStats>,
}

/// The key of a clause: normalized words joined by single spaces, digit
/// runs as `0`; CJK runs stay as written (no spaces inserted).
pub(crate) fn phrase_key(clause: &str) -> String {
    let norm = if clause.is_ascii() {
        clause.to_ascii_lowercase()
    } else {
        normalize(clause)
    };
    let mut out = String::with_capacity(norm.len());
    let mut gap = false;
    let mut digits = false;
    for c in norm.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            if c.is_ascii_digit() {
                if !digits {
                    out.push('0');
                }
                digits = true;
            } else {
                out.push(c);
                digits = false;
            }
        } else {
            gap = true;
            digits = false;
        }
    }
    out
}

/// One sentence of a reason: its key and its clauses' keys (the sentence
/// itself when it has one clause).
pub(crate) struct Sentence {
    key: String,
    pub(crate) clauses: Vec<String>,
}

pub(crate) fn sentences_of(reason: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for line in reason.lines() {
        for (s, e) in sentence_spans(line) {
            let sentence = &line[s..e];
            let key = phrase_key(sentence);
            if key.is_empty() {
                continue;
            }
            let clauses: Vec<String> = clause_spans(sentence)
                .into_iter()
                .map(|(a, b)| phrase_key(&sentence[a..b]))
                .filter(|k| !k.is_empty())
                .collect();
            out.push(Sentence { key, clauses });
        }
    }
    out
}

/// The distinct phrase keys of a reason (sentences and clauses), hashed,
/// with the script of each.
fn hashes_of(reason: &str) -> Vec<(u64, Script)> {
    let mut v: Vec<(u64, Script)> = Vec::new();
    for s in sentences_of(reason) {
        v.push((fnv1a(&s.key), dominant_script(&s.key)));
        if s.clauses.len() > 1 {
            for c in &s.clauses {
                v.push((fnv1a(c), dominant_script(c)));
            }
        }
    }
    v.sort_unstable();
    v.dedup_by_key(|x| x.0);
    v
}

/// The terms of a reason's content outside `frequent` phrases: sentences
/// that are frequent go whole, other sentences lose their frequent clauses.
fn other_terms(reason: &str, frequent: &HashSet<u64>) -> Vec<u64> {
    let mut rest = String::new();
    for s in sentences_of(reason) {
        if frequent.contains(&fnv1a(&s.key)) {
            continue;
        }
        for c in &s.clauses {
            if !frequent.contains(&fnv1a(c)) {
                rest.push_str(c);
                rest.push(' ');
            }
        }
    }
    terms(&rest)
}

/// Mean Jaccard similarity over all pairs of term sets (sorted, unique).
pub(crate) fn mean_jaccard(sets: &[Vec<u64>]) -> f64 {
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let (a, b) = (&sets[i], &sets[j]);
            let (mut x, mut y, mut inter) = (0, 0, 0usize);
            while x < a.len() && y < b.len() {
                match a[x].cmp(&b[y]) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        inter += 1;
                        x += 1;
                        y += 1;
                    }
                }
            }
            let union = a.len() + b.len() - inter;
            if union > 0 {
                sum += inter as f64 / union as f64;
            }
            pairs += 1;
        }
    }
    if pairs == 0 {
        0.0
    } else {
        sum / pairs as f64
    }
}

/// Up to `n` items of `items`, evenly spread by position.
pub(crate) fn spread<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if items.len() <= n {
        return items.to_vec();
    }
    (0..n).map(|k| items[k * items.len() / n].clone()).collect()
}

impl Boilerplate {
    /// Learns the month's boilerplate from its contact reasons (one per
    /// contact, as `reason::contact_reason` gives them). See the module doc
    /// for the rule.
    pub fn learn<'a>(reasons: impl IntoIterator<Item = &'a str>) -> Boilerplate {
        Self::learn_with_later(reasons, std::iter::empty())
    }

    /// [`Boilerplate::learn`], with the customers' later contacts counted
    /// towards how often a phrase occurs, but not judged: a customer's
    /// repeats restate one problem, so they would make the company of a
    /// phrase they share look alike (the cohesion test) and a short chase
    /// look standalone. A note pasted under repeats as often as under first
    /// contacts is then found in a small month too.
    pub fn learn_with_later<'a>(
        reasons: impl IntoIterator<Item = &'a str>,
        later: impl IntoIterator<Item = &'a str>,
    ) -> Boilerplate {
        let mut reasons: Vec<&str> = reasons.into_iter().collect();
        let n = reasons.len();
        if n < MIN_CONTACTS {
            return Boilerplate::default();
        }
        reasons.extend(later);
        // Pass 1: the distinct phrase keys of each contact, hashed, and the
        // contact's script.
        let (hashes, scripts): (Vec<Vec<(u64, Script)>>, Vec<Script>) = reasons
            .par_iter()
            .map(|r| (hashes_of(r), dominant_script(r)))
            .unzip();
        let mut per_script: BTreeMap<Script, usize> = BTreeMap::new();
        for s in &scripts {
            *per_script.entry(*s).or_insert(0) += 1;
        }
        let threshold = |s: Script| -> usize {
            let of_script = per_script.get(&s).copied().unwrap_or(0);
            MIN_CONTACTS.max((of_script as f64 * MIN_SHARE).ceil() as usize)
        };
        let counts: HashMap<u64, (usize, Script)> = hashes
            .par_iter()
            .fold(HashMap::new, |mut m: HashMap<u64, (usize, Script)>, hs| {
                for (h, s) in hs {
                    m.entry(*h).or_insert((0, *s)).0 += 1;
                }
                m
            })
            .reduce(HashMap::new, |mut a, b| {
                for (h, (c, s)) in b {
                    a.entry(h).or_insert((0, s)).0 += c;
                }
                a
            });
        let frequent: HashSet<u64> = counts
            .iter()
            .filter(|(_, (c, s))| *c >= threshold(*s))
            .map(|(h, _)| *h)
            .collect();
        if frequent.is_empty() {
            return Boilerplate::default();
        }
        // The text of each frequent key, from the first contact with it.
        let mut text_of: HashMap<u64, String> = HashMap::new();
        for (i, hs) in hashes.iter().enumerate() {
            if hs
                .iter()
                .any(|(h, _)| frequent.contains(h) && !text_of.contains_key(h))
            {
                for s in sentences_of(reasons[i]) {
                    for k in std::iter::once(s.key).chain(s.clauses) {
                        let h = fnv1a(&k);
                        if frequent.contains(&h) {
                            text_of.entry(h).or_insert(k);
                        }
                    }
                }
                if text_of.len() == frequent.len() {
                    break;
                }
            }
        }
        // Candidates: frequent and long enough, by phrase.
        let candidates: BTreeMap<String, (u64, usize)> = text_of
            .into_iter()
            .filter_map(|(h, k)| {
                let w = words(&k).len();
                (w >= MIN_WORDS).then_some((k, (h, w)))
            })
            .collect();
        if candidates.is_empty() {
            return Boilerplate::default();
        }
        let cand_hashes: HashSet<u64> = candidates.values().map(|(h, _)| *h).collect();
        // Contacts of each candidate, in order.
        let mut members: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, hs) in hashes.iter().enumerate().take(n) {
            for (h, _) in hs {
                if cand_hashes.contains(h) {
                    members.entry(*h).or_default().push(i);
                }
            }
        }
        // Pass 2, over the candidates' contacts only: their other content.
        let mut needed = vec![false; n];
        for ids in members.values() {
            for &i in ids {
                needed[i] = true;
            }
        }
        let other: Vec<Option<Vec<u64>>> = (0..n)
            .into_par_iter()
            .map(|i| needed[i].then(|| other_terms(reasons[i], &frequent)))
            .collect();
        let other_of = |i: usize| other[i].as_deref().unwrap_or(&[]);
        let mut baselines: BTreeMap<Script, f64> = BTreeMap::new();
        let mut stats = Vec::new();
        let mut phrases = HashSet::new();
        for (phrase, (h, w)) in candidates {
            let Some(ids) = members.get(&h) else { continue };
            let standalone =
                ids.iter().filter(|&&i| other_of(i).is_empty()).count() as f64 / ids.len() as f64;
            let with_content: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|&i| !other_of(i).is_empty())
                .collect();
            let sets: Vec<Vec<u64>> = spread(&with_content, SAMPLE)
                .into_iter()
                .map(|i| other_of(i).to_vec())
                .collect();
            let cohesion = mean_jaccard(&sets);
            let script = dominant_script(&phrase);
            let baseline = *baselines.entry(script).or_insert_with(|| {
                let same: Vec<usize> = (0..n).filter(|&i| scripts[i] == script).collect();
                let sets: Vec<Vec<u64>> = spread(&same, 2 * SAMPLE)
                    .into_iter()
                    .map(|i| other_terms(reasons[i], &frequent))
                    .filter(|t| !t.is_empty())
                    .take(SAMPLE)
                    .collect();
                mean_jaccard(&sets)
            });
            let boilerplate = standalone <= MAX_STANDALONE
                && sets.len() >= 2
                && cohesion <= MAX_COHESION_RATIO * baseline + COHESION_SLACK;
            if boilerplate {
                phrases.insert(phrase.clone());
            }
            stats.push(PhraseStats {
                phrase,
                contacts: counts.get(&h).map_or(ids.len(), |c| c.0),
                words: w,
                standalone,
                cohesion,
                baseline,
                boilerplate,
            });
        }
        Boilerplate { phrases, stats }
    }

    /// `reason` without its boilerplate sentences and clauses; the clauses
    /// kept keep the text between them as written. Unchanged when nothing
    /// matches; empty when everything was boilerplate.
    pub fn strip(&self, reason: &str) -> String {
        if self.phrases.is_empty() {
            return reason.to_string();
        }
        let listed = |s: &str| self.phrases.contains(&phrase_key(s));
        drop_clauses(reason, listed, listed).unwrap_or_else(|| reason.to_string())
    }

    /// The boilerplate phrases (keys), sorted.
    pub fn phrases(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.phrases.iter().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Every frequent, long enough phrase the learner judged, sorted by
    /// phrase, with its measures and verdict.
    pub fn stats(&self) -> &[PhraseStats] {
        &self.stats
    }

    /// True when no phrase was learned.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECTS: &[&str] = &[
        "My parcel",
        "The mobile app",
        "My latest invoice",
        "The broadband router",
        "My savings account",
        "The boiler repair",
        "My train ticket",
        "The loyalty points",
        "My contact lens order",
        "The insurance claim",
        "My gym membership",
        "The hotel booking",
        "My electricity meter",
    ];
    const PROBLEMS: &[&str] = &[
        "never arrived",
        "keeps crashing on login",
        "shows the wrong amount",
        "stopped working yesterday",
        "was cancelled without notice",
        "charged me twice",
        "cannot be found anywhere",
        "has the wrong address",
        "expired too early",
        "was never confirmed",
        "is missing items",
    ];
    const DETAILS: &[&str] = &[
        "I checked the tracking page",
        "My neighbour has the same trouble",
        "The reference is on the email",
        "I tried restarting everything",
        "It happened again",
        "I paid with a voucher",
        "The courier left a note",
        "My daughter set it up",
        "I called the shop",
        "The letter came in French",
        "I was abroad",
        "I changed banks",
        "The form would not submit",
        "The engineer did not come",
        "My phone froze",
        "The screen went blank",
        "I used the self service kiosk",
    ];
    const WHEN: &[&str] = &[
        "on Tuesday evening",
        "after work",
        "this morning",
        "last weekend",
        "before my holiday",
        "at lunchtime",
        "twice already",
        "around midnight",
        "on my birthday",
        "during the storm",
        "right after moving",
        "on the first of the month",
        "while travelling",
    ];

    /// The i-th of many unrelated customer statements.
    fn unrelated(i: usize) -> String {
        format!(
            "{} {}. {} {}.",
            SUBJECTS[i % SUBJECTS.len()],
            PROBLEMS[(i / SUBJECTS.len()) % PROBLEMS.len()],
            DETAILS[(i * 7) % DETAILS.len()],
            WHEN[(i / DETAILS.len()) % WHEN.len()]
        )
    }

    #[test]
    fn keys_fold_case_punctuation_and_digits() {
        assert_eq!(
            phrase_key("Action: Customer advised to wait 5 working days."),
            "action customer advised to wait 0 working days"
        );
        assert_eq!(phrase_key("wait 10 days"), phrase_key("Wait 7 days!"));
        assert_eq!(phrase_key("已提交后台处理。"), "已提交后台处理");
        assert_eq!(phrase_key("ＡＢＣ 12.50"), "abc 0 0");
    }

    #[test]
    fn a_template_under_unrelated_contacts_goes() {
        let mut reasons: Vec<String> = (0..400).map(unrelated).collect();
        for (k, r) in reasons.iter_mut().enumerate().filter(|(i, _)| i % 8 == 0) {
            let days = 3 + k % 5;
            r.push_str(&format!(" Customer advised to wait {days} working days."));
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert_eq!(
            bp.phrases(),
            vec!["customer advised to wait 0 working days"]
        );
        assert_eq!(
            bp.strip(&reasons[0]),
            "My parcel never arrived. I checked the tracking page on Tuesday evening."
        );
        // Contacts without it are left exactly as they were.
        assert_eq!(bp.strip(&reasons[1]), reasons[1]);
        let s = &bp.stats()[0];
        assert_eq!(s.contacts, 50);
        assert!(s.boilerplate && s.standalone == 0.0, "{s:?}");
    }

    #[test]
    fn later_contacts_count_towards_the_floor_but_are_not_judged() {
        // A note under 6 first contacts and 6 later ones: under the floor
        // of 10 on first contacts alone.
        let note = |r: &str| format!("{r} Ticket raised with the back office.");
        let first: Vec<String> = (0..200)
            .map(|i| {
                let r = unrelated(i);
                if i % 30 == 0 {
                    note(&r)
                } else {
                    r
                }
            })
            .collect();
        let later: Vec<String> = (200..206).map(|i| note(&unrelated(i))).collect();
        let alone = Boilerplate::learn(first.iter().map(String::as_str));
        assert!(alone.is_empty(), "{:?}", alone.stats());
        let both = Boilerplate::learn_with_later(
            first.iter().map(String::as_str),
            later.iter().map(String::as_str),
        );
        assert_eq!(both.phrases(), vec!["ticket raised with the back office"]);
        assert_eq!(both.stats()[0].contacts, 13);
        // One customer chasing twelve times with the same words: frequent,
        // but one first contact is no evidence of a template.
        let chase = format!("{} My card was declined at the till.", unrelated(0));
        let mut first: Vec<String> = (1..200).map(unrelated).collect();
        first.push(chase.clone());
        let later = vec![chase; 12];
        let bp = Boilerplate::learn_with_later(
            first.iter().map(String::as_str),
            later.iter().map(String::as_str),
        );
        assert!(bp.is_empty(), "{:?}", bp.stats());
    }

    #[test]
    fn a_template_in_a_minority_script_goes() {
        // 1,000 English contacts, 100 Chinese; 40 Chinese notes end with
        // the same agent action. 40 is 0.5 % of no month but 40 % of the
        // Chinese contacts.
        let mut reasons: Vec<String> = (0..1000).map(unrelated).collect();
        let zh_subjects = [
            "我的快递",
            "手机银行",
            "上个月的账单",
            "宽带",
            "会员积分",
            "退款",
            "信用卡",
            "酒店订单",
            "火车票",
            "保险理赔",
        ];
        let zh_problems = [
            "一直没有到",
            "登录不了",
            "金额不对",
            "突然断了",
            "被取消了",
            "扣了两次钱",
            "找不到了",
            "地址错了",
            "提前过期了",
            "没有确认",
        ];
        for i in 0..100 {
            let mut r = format!("{}{}", zh_subjects[i % 10], zh_problems[(i / 10) % 10]);
            if i % 5 < 2 {
                r.push_str("。已提交后台处理。");
            }
            reasons.push(r);
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert_eq!(bp.phrases(), vec!["已提交后台处理"]);
        assert_eq!(
            bp.strip("我的快递一直没有到。已提交后台处理。"),
            "我的快递一直没有到。"
        );
    }

    #[test]
    fn a_frequent_complaint_said_alone_stays() {
        let mut reasons: Vec<String> = (0..400).map(unrelated).collect();
        // 60 customers say the same words; a third say nothing else, the
        // rest add unrelated details.
        for i in 0..60 {
            reasons.push(if i % 3 == 0 {
                "My card was declined.".to_string()
            } else {
                format!("My card was declined. {}.", DETAILS[i % DETAILS.len()])
            });
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert!(bp.is_empty(), "{:?}", bp.stats());
        let s = &bp.stats()[0];
        assert_eq!(s.phrase, "my card was declined");
        assert!(s.standalone > MAX_STANDALONE, "{s:?}");
    }

    #[test]
    fn a_frequent_complaint_with_its_own_topic_stays() {
        let mut reasons: Vec<String> = (0..400).map(unrelated).collect();
        // Never alone, but what comes with it is about cards and payments.
        let card = [
            "The card payment failed at the supermarket.",
            "My card payment keeps failing online.",
            "The shop said the card payment was refused.",
            "There is money in the account but the card payment fails.",
            "The card payment for my rent bounced.",
            "Every contactless card payment is refused.",
        ];
        // Each detail below the floor, so only the complaint is frequent.
        for i in 0..card.len() * (MIN_CONTACTS - 2) {
            reasons.push(format!("My card was declined. {}", card[i % card.len()]));
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert!(bp.is_empty(), "{:?}", bp.stats());
        let s = &bp.stats()[0];
        assert_eq!(s.phrase, "my card was declined");
        assert!(
            s.standalone == 0.0 && s.cohesion > s.baseline * MAX_COHESION_RATIO,
            "{s:?}"
        );
    }

    #[test]
    fn short_or_rare_phrases_never_go() {
        let mut reasons: Vec<String> = (0..400).map(unrelated).collect();
        for r in reasons.iter_mut().step_by(4) {
            r.push_str(" Please help!");
        }
        for r in reasons.iter_mut().skip(1).step_by(50) {
            r.push_str(" Ticket escalated to tier two.");
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert!(bp.is_empty(), "{:?}", bp.phrases());
        // Too few contacts to learn anything.
        let few = ["Action: passed to specialist team."; MIN_CONTACTS - 1];
        assert!(Boilerplate::learn(few).is_empty());
    }

    #[test]
    fn the_same_whatever_the_order() {
        let mut reasons: Vec<String> = (0..300).map(unrelated).collect();
        for r in reasons.iter_mut().step_by(5) {
            r.push_str(" Action: passed to specialist team.");
        }
        let a = Boilerplate::learn(reasons.iter().map(String::as_str));
        reasons.reverse();
        let b = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert_eq!(a.phrases(), b.phrases());
        assert_eq!(a.phrases(), vec!["action passed to specialist team"]);
        let names: Vec<&str> = a.stats().iter().map(|s| s.phrase.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn strip_keeps_the_rest_as_written() {
        let mut reasons: Vec<String> = (0..300).map(unrelated).collect();
        for r in reasons.iter_mut().step_by(5) {
            r.push_str("\nAction: Raised with back office, pending.");
        }
        let bp = Boilerplate::learn(reasons.iter().map(String::as_str));
        assert!(bp
            .phrases()
            .contains(&"action raised with back office pending"));
        assert_eq!(
            bp.strip("I paid £32.19, twice.  Action: Raised with back office, pending. Why?"),
            "I paid £32.19, twice. Why?"
        );
        assert_eq!(bp.strip("Action: raised with back office, pending."), "");
        assert_eq!(Boilerplate::default().strip("a , b"), "a , b");
    }
}
