//! Context families: a category held together by what customers say about
//! themselves, not by their problem ("I run a small plumbing business and
//! use this account for it.", "我现在在泰国出差", "流水号 [number]", "I've
//! tried the FAQ already."). Sentence embeddings weigh such a clause as
//! much as the problem beside it, so the clustering can gather contacts
//! that mention the same circumstance, whatever they ask: a catch-all with
//! a confident name ("run", "出差").
//!
//! This side reads the words; it finds candidates, and what is left of
//! each member for the caller to embed again (`pipeline/context.rs`
//! decides with the model). The test is the boilerplate learner's
//! "attached" test (`text::boilerplate`), applied to a family of clauses
//! the clustering found instead of one verbatim phrase, so it catches
//! templates whose wording varies (a town, a trade, a number of years):
//!
//! 1. **characteristic words**: the content words (`text::words`) in at
//!    least half of the category's members;
//! 2. **the family's clauses**: a member's clauses made mostly of them, or
//!    holding most of a phrase of several (the rest is the slot);
//! 3. **attached**: with those clauses out, at most `MAX_STANDALONE` of
//!    the members have nothing left that states a problem. A problem is
//!    often said alone ("Where is my card PIN?"); a circumstance rarely
//!    is.
//!
//! A family's members keep their words (quotes are the customer's).

use super::boilerplate::MAX_STANDALONE;
use super::clause::{clause_spans, sentence_spans};
use super::noproblem::states_no_problem;
use super::unicode::is_cjk;
use super::words::words;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A characteristic word is in at least this share of the members.
const MIN_WORD_SHARE: f64 = 0.5;

/// A group's reasons as the test reads them: each one's content words.
pub struct GroupWords {
    /// Per reason, its content word keys, sorted and unique.
    keys: Vec<Vec<String>>,
}

impl GroupWords {
    pub fn new(texts: &[&str]) -> Self {
        let keys = texts
            .par_iter()
            .map(|t| {
                let mut k: Vec<String> = words(t).into_iter().map(|w| w.key).collect();
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        GroupWords { keys }
    }

    /// When the reasons `rows` (one category; indices into the group's
    /// `texts`) may be a context family: each member without the family's
    /// clauses (empty where nothing that states a problem is left).
    pub fn candidate(&self, rows: &[usize], texts: &[&str]) -> Option<Vec<String>> {
        if rows.len() < 2 {
            return None;
        }
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for &r in rows {
            for k in &self.keys[r] {
                *df.entry(k.as_str()).or_default() += 1;
            }
        }
        let need = (rows.len() as f64 * MIN_WORD_SHARE).ceil() as usize;
        let characteristic: BTreeSet<&str> = df
            .into_iter()
            .filter(|(_, n)| *n >= need)
            .map(|(k, _)| k)
            .collect();
        if characteristic.is_empty() {
            return None;
        }
        let left: Vec<String> = rows
            .iter()
            .map(|&r| {
                let s = without_family(texts[r], &characteristic);
                if states_no_problem(&s) {
                    String::new()
                } else {
                    s
                }
            })
            .collect();
        let standalone = left.iter().filter(|s| s.is_empty()).count();
        if standalone as f64 > MAX_STANDALONE * rows.len() as f64 {
            return None;
        }
        Some(left)
    }
}

/// `text` without the family's clauses.
fn without_family(text: &str, characteristic: &BTreeSet<&str>) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        for (s, e) in sentence_spans(line) {
            let sentence = &line[s..e];
            for (a, b) in clause_spans(sentence) {
                let clause = &sentence[a..b];
                let ws = words(clause);
                let hits = ws
                    .iter()
                    .filter(|w| characteristic.contains(w.key.as_str()))
                    .count();
                // The family's clause: mostly its words, or most of a
                // phrase of several (the rest is its slot: a town, a
                // trade). A problem clause that mentions one of them stays.
                let mostly = hits > 0 && hits * 2 >= ws.len();
                let phrase = hits >= 2 && hits * 2 >= characteristic.len();
                if !(mostly || phrase) {
                    kept.push(clause);
                }
            }
        }
    }
    let mut out = String::new();
    for k in kept {
        let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
        if k.is_empty() {
            continue;
        }
        let joins_cjk =
            out.chars().last().is_some_and(is_cjk) || k.chars().next().is_some_and(is_cjk);
        if !out.is_empty() && !joins_cjk {
            out.push(' ');
        }
        out.push_str(&k);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROBLEMS: &[&str] = &[
        "I haven't received my PIN yet.",
        "My card payment was declined at the till.",
        "How do I top up with a bank transfer?",
        "The exchange rate on my statement is wrong.",
        "I was charged twice for one coffee.",
        "Can I change the name on my account?",
        "My transfer to a friend never arrived.",
        "Where can I order a new card?",
    ];

    /// A group: `members` (the category, rows 0..) then every problem
    /// said alone.
    fn test(members: &[&str], others: &[&str]) -> Option<Vec<String>> {
        let texts: Vec<&str> = members.iter().chain(others).copied().collect();
        let rows: Vec<usize> = (0..members.len()).collect();
        GroupWords::new(&texts).candidate(&rows, &texts)
    }

    #[test]
    fn a_circumstance_beside_unrelated_problems_is_a_candidate() {
        let trades = [
            "plumbing business",
            "cleaning company",
            "online shop",
            "bakery",
        ];
        let members: Vec<String> = PROBLEMS
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "I run a small {} and use this account for it. {p}",
                    trades[i % 4]
                )
            })
            .collect();
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        let stripped = test(&refs, PROBLEMS).expect("a candidate");
        assert_eq!(stripped[0], "I haven't received my PIN yet.");
        assert_eq!(stripped[1], "My card payment was declined at the till.");
    }

    #[test]
    fn chinese_context_with_varying_places_is_a_candidate() {
        let members = [
            "我现在在泰国出差，我附近可以做的事情。",
            "提醒我明天的会议。我现在在美国出差",
            "请用微博发以下抱怨。我现在在澳洲出差",
            "调暗厨房灯。我现在在欧洲出差",
            "今天会下雨吗？我现在在日本出差",
            "播放下一首歌。我现在在德国出差",
        ];
        let others = [
            "我附近可以做的事情",
            "提醒我明天的会议",
            "请用微博发以下抱怨",
            "调暗厨房灯",
            "今天会下雨吗",
            "播放下一首歌",
        ];
        let stripped = test(&members, &others).expect("a candidate");
        assert_eq!(stripped[1], "提醒我明天的会议。");
        assert!(!stripped.iter().any(|s| s.contains("出差")), "{stripped:?}");
    }

    #[test]
    fn a_problem_said_alone_is_no_candidate() {
        let members = [
            "Where is my card PIN?",
            "How do I get my card PIN?",
            "Hiya, where do I find my card PIN?",
            "I cannot find my card PIN.",
            "My card PIN never came. I'm travelling next week.",
            "Where is the PIN for my card?",
        ];
        assert_eq!(test(&members, PROBLEMS), None);
    }

    #[test]
    fn a_problem_clause_that_mentions_a_family_word_stays() {
        let family: BTreeSet<&str> = ["run", "account"].into_iter().collect();
        assert_eq!(
            without_family(
                "I run a small bakery and use this account for it. My account was frozen after a payment.",
                &family
            ),
            "My account was frozen after a payment."
        );
        let family: BTreeSet<&str> = ["提交", "后台", "处理"].into_iter().collect();
        assert_eq!(
            without_family("调暗厨房灯。已提交后台处理。", &family),
            "调暗厨房灯。"
        );
    }
}
