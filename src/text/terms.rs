//! Language-neutral terms for the lexical same-issue test (words; CJK
//! character bigrams), and explicit repeat cues.

use super::tables::STOP_WORDS;
use super::unicode::is_cjk;

/// Phrases by which customers say they are coming back (normalized form).
const REPEAT_CUES: &[&str] = &[
    // English
    "called before",
    "called earlier",
    "called yesterday",
    "called last",
    "called you last",
    "called about this",
    "calling again",
    "contacted you before",
    "contacted us before",
    "contacted us about this",
    "contacted you last",
    "contacting you again",
    "already called",
    "already contacted",
    "already reported",
    "already told",
    "again",
    "still not",
    "still no ",
    "still haven't",
    "still hasn't",
    "still isn't",
    "still waiting",
    "still hasnt",
    "still havent",
    "still broken",
    "second time",
    "third time",
    "last time",
    "last week",
    "same issue",
    "same problem",
    "previous call",
    "follow up on my",
    "following up on my",
    "i was told",
    "you told me",
    "not fixed yet",
    "still there",
    "spoke to",
    "spoken to",
    "your colleague",
    "marked as resolved",
    "closed my case",
    "closed the case",
    "contacting you about this",
    "haven't heard back",
    "never heard back",
    "no one got back",
    "nobody got back",
    "was promised",
    // Chinese
    "又",
    "还是",
    "再次",
    "上次",
    "之前打过",
    "已经打过",
    "已经联系",
    "仍然",
    "依然",
    "第二次",
    "第三次",
    "还没",
    // "I reported this already": as "already reported". Not 上周 ("last
    // week") alone: as a substring it is also in 日历上周六 ("on the
    // calendar, Saturday").
    "反映过",
    // Hebrew
    "שוב",
    "עדיין",
    "פעם שנייה",
    "הפעם השנייה",
    "הפעם השלישית",
    "פעם שניה",
    "כבר פניתי",
    "כבר התקשרתי",
    "בפעם הקודמת",
];

/// Words that hold a cue but say something else: 反映过来 is "realised"
/// ("我没反映过来" = "I didn't realise"), not "have reported".
const NOT_CUES: &[&str] = &["反映过来"];

/// True when normalized customer words contain an explicit repeat cue.
pub fn has_repeat_cue(normalized: &str) -> bool {
    let mut text = std::borrow::Cow::Borrowed(normalized);
    for n in NOT_CUES {
        if text.contains(n) {
            text = std::borrow::Cow::Owned(text.replace(n, " "));
        }
    }
    REPEAT_CUES.iter().any(|c| text.contains(c))
}

/// Stable 64-bit FNV-1a: term hashes must not change between runs.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Terms of normalized text: words for spaced scripts (no digits, no stop
/// words; Latin words stemmed so "transferring" meets "transfer"),
/// character bigrams for CJK runs. Sorted, unique, hashed.
pub fn terms(normalized: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, out: &mut Vec<u64>| {
        let w = word.trim_matches('\'');
        if w.chars().count() >= 2
            && !w.chars().any(|c| c.is_ascii_digit())
            && !STOP_WORDS.contains(&w)
        {
            if w.is_ascii() {
                out.push(fnv1a(&super::tables::stemmer().stem(w)));
            } else {
                out.push(fnv1a(w));
            }
        }
        word.clear();
    };
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<u64>| {
        if cjk.len() == 1 {
            out.push(fnv1a(&cjk[0].to_string()));
        }
        for pair in cjk.windows(2) {
            let s: String = pair.iter().collect();
            out.push(fnv1a(&s));
        }
        cjk.clear();
    };
    for c in normalized.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            flush_cjk(&mut cjk, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}
