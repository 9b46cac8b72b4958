//! Text helpers shared by stages: speaker turns, the customer's own words,
//! repeat cues, and language-neutral terms for the lexical same-issue test.
//!
//! Works without spaces (CJK: character bigrams) and for right-to-left
//! scripts (Hebrew words are kept as written; only case and width fold).

use unicode_normalization::UnicodeNormalization;

/// Who said a line of a transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Customer,
    Agent,
}

const CUSTOMER_PREFIXES: &[&str] = &[
    "customer", "caller", "client", "user", "客户", "顾客", "用户", "买家", "לקוח",
];
const AGENT_PREFIXES: &[&str] = &[
    "agent", "rep", "advisor", "staff", "客服", "坐席", "卖家", "נציג",
];

/// Splits a speaker prefix (`Customer:`, `客服：`, `לקוח:`) off a line.
pub fn speaker_prefix(line: &str) -> Option<(Speaker, &str)> {
    let trimmed = line.trim_start();
    let colon = trimmed.find([':', '：'])?;
    let head = trimmed[..colon].trim();
    // Prefixes are short; a colon far into the line is part of the text.
    if head.is_empty() || head.chars().count() > 12 {
        return None;
    }
    let rest = &trimmed[colon + trimmed[colon..].chars().next()?.len_utf8()..];
    let is = |list: &[&str]| {
        list.iter()
            .any(|p| head.eq_ignore_ascii_case(p) || head == *p)
    };
    if is(CUSTOMER_PREFIXES) {
        Some((Speaker::Customer, rest.trim()))
    } else if is(AGENT_PREFIXES) {
        Some((Speaker::Agent, rest.trim()))
    } else {
        None
    }
}

/// The turns of a transcript. A line without prefix continues the turn
/// before it; text with no prefix at all is the customer's (emails, notes).
pub fn turns(text: &str) -> Vec<(Speaker, String)> {
    let mut out: Vec<(Speaker, String)> = Vec::new();
    let mut any_prefix = false;
    for line in text.lines() {
        match speaker_prefix(line) {
            Some((who, rest)) => {
                any_prefix = true;
                out.push((who, rest.to_string()));
            }
            None => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                match out.last_mut() {
                    Some((_, t)) => {
                        t.push('\n');
                        t.push_str(line);
                    }
                    None => out.push((Speaker::Customer, line.to_string())),
                }
            }
        }
    }
    if !any_prefix {
        return vec![(Speaker::Customer, text.trim().to_string())];
    }
    out
}

/// The customer's words: customer turns joined by newlines.
pub fn customer_words(text: &str) -> String {
    let mut out = String::new();
    for (who, t) in turns(text) {
        if who == Speaker::Customer {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&t);
        }
    }
    out
}

/// NFKC only (full-width letters and digits to their usual forms), for
/// text whose case matters, such as a search query's `AND`/`OR`.
pub fn normalize_width(text: &str) -> String {
    text.nfkc().collect()
}

/// NFKC and case folding: one form for comparing text in any script.
pub fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

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

/// True when normalized customer words contain an explicit repeat cue.
pub fn has_repeat_cue(normalized: &str) -> bool {
    REPEAT_CUES.iter().any(|c| normalized.contains(c))
}

/// Words that say nothing about the issue (English; CJK and Hebrew
/// function words are down-weighted by IDF instead).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "get",
    "got",
    "had",
    "has",
    "have",
    "hello",
    "help",
    "hi",
    "how",
    "i",
    "i'm",
    "if",
    "im",
    "in",
    "is",
    "it",
    "it's",
    "its",
    "just",
    "me",
    "my",
    "need",
    "no",
    "not",
    "of",
    "on",
    "or",
    "please",
    "so",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "there",
    "this",
    "to",
    "was",
    "we",
    "were",
    "what",
    "when",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yes",
    "hey",
    "ok",
    "okay",
    "there",
    "there's",
    "one",
    "still",
    "again",
    "called",
    "calling",
    "call",
    "time",
    "last",
    "week",
    "before",
    "already",
    "contacted",
    "contacting",
    "second",
    "bye",
    "good",
    "morning",
    "afternoon",
    "great",
    "sure",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Ext A
        | 0x4E00..=0x9FFF    // CJK Unified
        | 0xAC00..=0xD7AF    // Hangul
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0x20000..=0x2FA1F) // CJK Ext B+
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
                out.push(fnv1a(&crate::lang::stemmer().stem(w)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_in_three_languages() {
        assert_eq!(
            speaker_prefix("Customer: my card"),
            Some((Speaker::Customer, "my card"))
        );
        assert_eq!(speaker_prefix("AGENT: hi"), Some((Speaker::Agent, "hi")));
        assert_eq!(
            speaker_prefix("客户：我的卡"),
            Some((Speaker::Customer, "我的卡"))
        );
        assert_eq!(speaker_prefix("客服：您好"), Some((Speaker::Agent, "您好")));
        assert_eq!(
            speaker_prefix("לקוח: הכרטיס שלי"),
            Some((Speaker::Customer, "הכרטיס שלי"))
        );
        assert_eq!(speaker_prefix("נציג: שלום"), Some((Speaker::Agent, "שלום")));
        assert_eq!(speaker_prefix("Note: something"), None);
        assert_eq!(speaker_prefix("at 10:30 I called"), None);
    }

    #[test]
    fn customer_words_keep_only_customer_turns() {
        let t = "Agent: Hello, how can I help?\nCustomer: My card has not arrived.\nIt was sent a week ago.\nAgent: Sorry about that.";
        assert_eq!(
            customer_words(t),
            "My card has not arrived.\nIt was sent a week ago."
        );
        assert_eq!(customer_words("Plain email text."), "Plain email text.");
    }

    #[test]
    fn repeat_cues_in_three_languages() {
        assert!(has_repeat_cue(&normalize("I called before about this")));
        assert!(has_repeat_cue(&normalize("It is STILL NOT working")));
        assert!(has_repeat_cue(&normalize("我的退款还是没有到账")));
        assert!(has_repeat_cue(&normalize("אני פונה שוב בעניין ההחזר")));
        assert!(!has_repeat_cue(&normalize("My card has not arrived")));
    }

    #[test]
    fn terms_segment_cjk_and_fold_case() {
        assert_eq!(
            terms(&normalize("Refund REFUND refund")),
            vec![fnv1a("refund")]
        );
        // Digits (account numbers) and stop words are not terms.
        assert_eq!(
            terms(&normalize("my account 12345678")),
            vec![fnv1a("account")]
        );
        let zh = terms(&normalize("退款没到"));
        assert_eq!(zh.len(), 3);
        assert!(zh.contains(&fnv1a("退款")));
        let he = terms(&normalize("ההחזר לא הגיע"));
        assert!(he.contains(&fnv1a("ההחזר")));
        // Full-width forms fold to ASCII.
        assert_eq!(terms(&normalize("ＲＥＦＵＮＤ")), vec![fnv1a("refund")]);
    }
}
