//! Word tables in one place: stop words (the lexical same-issue test's
//! list, and the keyword lists per language from Stopwords ISO with our
//! additions), the jieba dictionary and the English stemmer. "Add a stop
//! word" is answered here.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Words that say nothing about the issue (English; CJK and Hebrew
/// function words are down-weighted by IDF instead).
pub(crate) const STOP_WORDS: &[&str] = &[
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

/// Words of the ISO English list that name contact reasons ("top up",
/// "card not working", "order not arrived"): kept as keywords.
const ENGLISH_KEEP: &[&str] = &[
    "top",
    "work",
    "working",
    "works",
    "worked",
    "new",
    "open",
    "opened",
    "line",
    "order",
    "ordered",
    "orders",
    "home",
    "show",
    "showing",
    "shows",
    "number",
    "numbers",
    "give",
    "gave",
    "run",
    "running",
    "end",
    "ended",
    "part",
    "parts",
    "place",
    "placed",
    "point",
    "points",
    "state",
    "states",
    "turn",
    "turned",
    "member",
    "members",
    "present",
    "interest",
    "face",
    "area",
    "areas",
    "case",
    "cases",
    "group",
    "groups",
    "room",
    "rooms",
    "side",
    "sides",
    "problem",
    "problems",
    "information",
    "old",
    "fact",
    "world",
    "year",
    "years",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "today",
    "yesterday",
    "back",
];

/// Greeting and politeness words that the ISO lists miss.
const EXTRA_STOP: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "alright",
    "bye",
    "great",
    "sure",
    "fine",
    "morning",
    "thanks",
    "thank",
    "please",
    "pls",
    "ok",
    "okay",
    "yes",
    "dear",
    "regards",
    "sorry",
    "help",
    "need",
    "want",
    "like",
    "would",
    "could",
    "can",
    "cannot",
    "can't",
    "i'm",
    "i've",
    "it's",
    "don't",
    "doesn't",
    "didn't",
    "won't",
    "isn't",
    "wasn't",
    "haven't",
    "hasn't",
    "you're",
    "what's",
    "there's",
    "let",
    "know",
    "tell",
    "still",
    "again",
    "number]",
    "[number",
    "email",
    "phone",
    "没有",
    "还没",
    "您好",
    "你好",
    "谢谢",
    "请问",
    "一下",
    "שלום",
    "תודה",
    "בבקשה",
    "רבה",
];

pub(crate) struct Stops {
    pub en: HashSet<String>,
    pub zh: HashSet<String>,
    pub he: HashSet<String>,
}

pub(crate) fn stops() -> &'static Stops {
    static STOPS: OnceLock<Stops> = OnceLock::new();
    STOPS.get_or_init(|| {
        let keep: HashSet<&str> = ENGLISH_KEEP.iter().copied().collect();
        let mut en: HashSet<String> = stop_words::get("en")
            .into_iter()
            .filter(|w| !keep.contains(w.as_str()))
            .collect();
        let mut zh: HashSet<String> = stop_words::get("zh").into_iter().collect();
        let mut he: HashSet<String> = stop_words::get("he").into_iter().collect();
        for w in EXTRA_STOP {
            en.insert(w.to_string());
            zh.insert(w.to_string());
            he.insert(w.to_string());
        }
        Stops { en, zh, he }
    })
}

pub(crate) fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// The English Snowball stemmer, built once.
pub(crate) fn stemmer() -> &'static rust_stemmers::Stemmer {
    static STEMMER: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
}

/// Text emoticons, removed when they stand as their own token.
pub(crate) const EMOTICONS: &[&str] = &[
    ":)", ":-)", ":))", ":(", ":-(", ":((", ":D", ":-D", ";)", ";-)", ";D", ":P", ":p", ":-P",
    ":-p", ":/", ":-/", ":'(", ":')", "<3", "</3", "xD", "XD", ":O", ":o", ":-O", "^^", "^_^",
    "-_-", ":3", ":|", ":-|", "=)", "=(", "=D", "(:", "):", "T_T", "o_O", "O_o", ":*",
];

/// Lines (normalized) that start a phone or mail-app signature: the
/// message ends there.
pub(crate) const PHONE_SIGNATURES: &[&str] = &[
    "sent from my ",
    "sent from outlook",
    "sent from yahoo mail",
    "sent from mail for windows",
    "sent via ",
    "get outlook for ",
    "发自我的",
    "發自我的",
    "从我的iphone",
    "从我的 iphone",
    "從我的iphone",
    "從我的 iphone",
    "从我的手机发送",
    "從我的手機傳送",
    "发送自我的",
    "נשלח מה-",
    "נשלח מ-",
    "נשלח מה־",
    "נשלח מ־",
    "נשלח מהאייפון",
    "נשלח מהנייד",
    "נשלח מהסמארטפון",
];

/// Separator lines (normalized; with dashes or underscores around them)
/// that start a quoted or forwarded earlier message.
pub(crate) const FORWARD_MARKERS: &[&str] = &[
    "original message",
    "forwarded message",
    "原始邮件",
    "原始郵件",
    "转发邮件",
    "转发的邮件",
    "轉寄郵件",
    "轉寄的郵件",
    "הודעה מקורית",
    "הודעה שהועברה",
    "הודעה מועברת",
];

/// An Outlook-style quoted header: a "From" line (normalized start)
/// followed within three lines by one of its "Sent"/"Date" lines.
pub(crate) const QUOTE_HEADER_STARTS: &[(&str, &[&str])] = &[
    ("from:", &["sent:", "date:", "to:"]),
    ("发件人:", &["发送时间:", "时间:", "日期:", "收件人:"]),
    ("寄件者:", &["寄件日期:", "傳送時間:", "日期:", "收件者:"]),
    ("מאת:", &["נשלח:", "תאריך:", "אל:"]),
];
