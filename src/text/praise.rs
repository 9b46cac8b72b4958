//! Praise and celebration: contacts that say something good and ask for
//! nothing ("Best burrito in town, love you guys", "太好吃了，谢谢",
//! "השירות שלכם מעולה", "Happy Halloween!"). The word lists of
//! `noproblem` need every word to be a courtesy word; praise names what is
//! praised, in words no list holds, so it gets a rule of its own:
//!
//! - a praise word of its language ("love", "awesome", "delicious", 好吃,
//!   太棒, מעולה, a holiday greeting);
//! - and nothing that asks or complains: no question mark, no negation or
//!   contrast ("but", 但是, אבל), no question word, no request ("please",
//!   "I'd love to", 请, בבקשה), no problem word ("late", "refund", "broken",
//!   退款, תקלה), no identifier (four digits or more: a customer giving
//!   their order number is working on an issue), no imperative opening
//!   ("find the best hotel", "play my favorite song");
//! - at most [`MAX_WORDS`] words.
//!
//! The safe side is kept: a praise with any problem word stays a problem,
//! so a complaint is never set aside ("love the app but it crashes",
//! "enjoying my burrito and found plastic in it: disgusted"). Sarcasm
//! without a problem word ("great, just great") is read as praise, as
//! `noproblem` reads "great, thanks a lot" as thanks.
//!
//! Written by hand: sentiment crates (VADER ports) score English only and
//! call "love the app but it crashes" positive; what is needed here is the
//! opposite bias, in three languages.

use super::clean::strip_symbols;
use super::noproblem::is_thanks;
use super::unicode::{is_han, is_hebrew, normalize};
use super::words::hebrew_prefix_forms_leaving;

/// Longest praise read as such, in words (Han characters count as one
/// word per two).
pub const MAX_WORDS: usize = 30;

/// English words that praise on their own.
const ANCHORS_EN: &[&str] = &[
    "love",
    "loved",
    "loving",
    "lovin",
    "awesome",
    "amazing",
    "delicious",
    "yummy",
    "tasty",
    "excellent",
    "fantastic",
    "wonderful",
    "brilliant",
    "kudos",
    "congrats",
    "congratulations",
    "enjoy",
    "enjoyed",
    "enjoying",
    "impressed",
    "shoutout",
    "bravo",
    "yay",
    "fabulous",
    "superb",
    "terrific",
    "incredible",
];

/// English words that praise only with an exclamation mark or another
/// praise word: "best rap music" and "a little brighter thanks" ask for
/// something; "Best burrito ever!" and "thanks for the quick fix" do not.
/// "thanks"/"thank you" followed by "for" or "to" is a full praise.
const WEAK_EN: &[&str] = &[
    "best",
    "great",
    "nice",
    "lovely",
    "happy",
    "glad",
    "perfect",
    "beautiful",
    "favorite",
    "favourite",
    "fave",
    "proud",
    "merry",
    "halloween",
    "christmas",
    "xmas",
    "thanksgiving",
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
];

/// English words that ask or complain: the contact is not praise. Words
/// starting with one of [`CUE_PREFIXES_EN`] count too, and any "n't".
const CUES_EN: &[&str] = &[
    // Negation and contrast.
    "not",
    "no",
    "nope",
    "never",
    "nothing",
    "nobody",
    "none",
    "nor",
    "cannot",
    "cant",
    "wont",
    "dont",
    "didnt",
    "doesnt",
    "isnt",
    "wasnt",
    "arent",
    "werent",
    "havent",
    "hasnt",
    "hadnt",
    "couldnt",
    "shouldnt",
    "wouldnt",
    "aint",
    "without",
    "but",
    "however",
    "though",
    "although",
    "yet",
    "except",
    "unless",
    "until",
    "still",
    "again",
    "anymore",
    "if",
    "or",
    "instead",
    // Questions.
    "why",
    "how",
    "when",
    "where",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "whats",
    "hows",
    // Requests and giving details.
    "please",
    "pls",
    "plz",
    "need",
    "needs",
    "want",
    "wants",
    "wanted",
    "help",
    "assist",
    "try",
    "tried",
    "trying",
    "call",
    "dm",
    "dms",
    "dmed",
    "question",
    "questions",
    "request",
    "submitted",
    "explain",
    "number",
    "order",
    "account",
    "booking",
    "reference",
    "ticket",
    "case",
    "details",
    "address",
    "email",
    "sent",
    "send",
    "contact",
    // Problems.
    "problem",
    "problems",
    "issue",
    "issues",
    "wrong",
    "broken",
    "broke",
    "late",
    "lost",
    "stuck",
    "worst",
    "terrible",
    "awful",
    "bad",
    "hate",
    "hated",
    "sad",
    "mad",
    "angry",
    "upset",
    "down",
    "slow",
    "ridiculous",
    "rude",
    "poor",
    "unacceptable",
    "sucks",
    "suck",
    "useless",
    "horrible",
    "joke",
    "fix",
    "fixed",
    "disgusted",
    "disgusting",
    "gross",
    "sick",
    "would",
    "hold",
    "overcharged",
    "scam",
    "outage",
    "outstanding",
    "owe",
    "due",
    "pay",
    "paid",
    "expensive",
];

/// Stems of English problem words ("refund", "refunded", "refunds").
const CUE_PREFIXES_EN: &[&str] = &[
    "refund",
    "cancel",
    "charg",
    "delay",
    "crash",
    "fail",
    "complain",
    "complaint",
    "disappoint",
    "frustrat",
    "annoy",
    "wait",
    "miss",
    "error",
    "glitch",
    "freez",
    "froze",
    "bug",
    "damag",
    "wast",
    "apolog",
    "sorry",
    "ruin",
    "slow",
    "wors",
    "barely",
    "dead",
    "kill",
    "unable",
    "shit",
    "crap",
    "wtf",
    "damn",
    "fuck",
    // Trouble said in words that name no fault ("having trouble making
    // purchases …, Brilliant"): a thanks after it does not undo it.
    "troubl",
    "difficult",
    "struggl",
    "confus",
    "unhappy",
    "dissatisf",
    "incorrect",
    "mistake",
    "stolen",
    "hack",
    "locked",
    "declin",
    "reject",
    "faulty",
    "defect",
];

/// English openings that ask for something: an order, not a praise ("find
/// me the best hotel", "play my favorite song").
const IMPERATIVES_EN: &[&str] = &[
    "find", "give", "call", "text", "send", "add", "play", "put", "order", "set", "search", "list",
    "show", "tell", "book", "get", "make", "walk", "transfer", "include", "check", "turn",
    "remind", "go", "take", "open", "buy", "move", "change", "email", "message", "reserve", "look",
    "locate", "start", "stop", "pause", "skip", "read", "dial", "schedule", "create", "delete",
    "remove", "update", "switch", "let", "share", "post", "save", "define", "describe", "reply",
    "next", "can", "could", "would", "will", "should", "do", "does", "did", "is", "are", "any",
];

/// Chinese praise (Simplified; text is folded to Simplified first).
const ANCHORS_ZH: &[&str] = &[
    "喜欢",
    "爱你",
    "爱死",
    "好吃",
    "美味",
    "太棒",
    "很棒",
    "真棒",
    "好棒",
    "棒棒",
    "点赞",
    "赞",
    "满意",
    "开心",
    "高兴",
    "完美",
    "优秀",
    "厉害",
    "给力",
    "好评",
    "不错",
    "贴心",
    "专业",
    "靠谱",
    "佩服",
    "节日快乐",
    "新年快乐",
    "圣诞快乐",
    "生日快乐",
    "中秋快乐",
    "春节快乐",
];

/// Chinese thanks: praise only with "！" or another praise word ("亮一点谢谢"
/// asks for light).
const WEAK_ZH: &[&str] = &["谢谢", "多谢", "感谢"];

/// Chinese that asks or complains. "不错" and "不客气" are praise and
/// courtesy: taken out before "不" is looked for.
const CUES_ZH: &[&str] = &[
    "不",
    "没",
    "未",
    "别",
    "无法",
    "吗",
    "呢",
    "为什么",
    "为何",
    "怎么",
    "如何",
    "哪",
    "什么",
    "几",
    "多少",
    "请",
    "麻烦",
    "帮",
    "需要",
    "想要",
    "能否",
    "可以",
    "但",
    "可是",
    "却",
    "还是",
    "又",
    "再",
    "仍",
    "问题",
    "错",
    "坏",
    "退",
    "取消",
    "延迟",
    "延误",
    "慢",
    "差",
    "失望",
    "投诉",
    "生气",
    "垃圾",
    "骗",
    "故障",
    "丢",
    "等了",
    "订单",
    "单号",
    "账号",
    "账户",
    "电话",
    "号码",
    "扣",
    "费",
    "播放",
    "想",
    "提示",
    "改变",
    "设置",
    "打开",
    "关掉",
    "关闭",
    "调",
    "告诉",
    "查",
    "找",
    "订",
    "买",
    "发",
    "打电话",
    "给我",
    "下一首",
    "回复",
    "加",
    "开始",
    "把",
    "去",
    "玩",
    "演",
    "列出",
    "搜索",
    "让",
    "怎样",
    "谁",
];

/// Hebrew praise (matched bare or behind prefix letters: "והשירות מעולה").
const ANCHORS_HE: &[&str] = &[
    "אוהב",
    "אוהבת",
    "אוהבים",
    "מעולה",
    "מעולים",
    "מדהים",
    "מדהימה",
    "מדהימים",
    "נהדר",
    "נהדרת",
    "נהדרים",
    "מושלם",
    "מושלמת",
    "טעים",
    "טעימה",
    "אחלה",
    "יופי",
    "מצוין",
    "מצוינת",
    "מצויין",
    "הכבוד",
    "כיף",
    "מקסים",
    "מקסימה",
];

/// Hebrew thanks: praise only with "!" or another praise word.
const WEAK_HE: &[&str] = &["תודה", "תודות", "שמח", "שמחה", "שמחים"];

/// Hebrew that asks or complains.
const CUES_HE: &[&str] = &[
    "לא",
    "אין",
    "אף",
    "בלי",
    "אבל",
    "אך",
    "למה",
    "איך",
    "מתי",
    "איפה",
    "מה",
    "האם",
    "כמה",
    "בבקשה",
    "צריך",
    "צריכה",
    "רוצה",
    "רוצים",
    "עזרה",
    "לעזור",
    "בעיה",
    "בעיות",
    "תקלה",
    "שגיאה",
    "ביטול",
    "לבטל",
    "החזר",
    "זיכוי",
    "עדיין",
    "שוב",
    "גרוע",
    "גרועה",
    "מאוכזב",
    "מאוכזבת",
    "איחור",
    "מאחר",
    "חיוב",
    "חייבו",
    "הזמנה",
    "מספר",
    "חשבון",
    "תקוע",
    "נתקע",
    "איזה",
    "איזו",
    "נגן",
    "תנגן",
    "תשני",
    "תשנה",
    "תזכיר",
    "תזכירי",
    "תוכל",
    "תוכלי",
    "אם",
    "תגדיר",
    "תגדירי",
    "תדליק",
    "תדליקי",
    "שלח",
    "תשלח",
    "תן",
    "תני",
    "פרסם",
    "תפרסם",
    "תפרסמי",
    "כתוב",
    "תכתוב",
    "תכתבי",
    "עדכן",
    "עדכני",
    "קבע",
    "תקבע",
    "הזכר",
    "התחל",
    "תתחיל",
    "תכין",
    "הכן",
    "מצא",
    "תמצא",
    "תמצאי",
    "נגני",
    "הבא",
    "יכול",
    "יכולה",
    "מהו",
    "מהי",
    "אולי",
    "מצב",
    "יהיה",
];

/// True for a reason that praises or celebrates and asks for nothing (see
/// the module doc).
pub(super) fn states_praise(reason: &str) -> bool {
    let cleaned = strip_symbols(reason);
    if cleaned.contains(['?', '？']) {
        return false;
    }
    let norm = normalize(&cleaned).replace('’', "'");
    if has_identifier(&norm) {
        return false;
    }
    let mut anchor = false;
    let mut weak = false;
    let mut words = 0usize;
    let mut first_latin = true;
    let pieces = pieces(&norm);
    for piece in &pieces {
        match piece {
            Piece::Han(run) => {
                words += run.chars().count().div_ceil(2);
                // 不错 praises and 不客气 is courtesy: neither negates.
                let run = run.replace("不错", "好").replace("不客气", "");
                if CUES_ZH.iter().any(|c| run.contains(c)) {
                    return false;
                }
                anchor |= ANCHORS_ZH.iter().any(|a| run.contains(a));
                weak |= WEAK_ZH.iter().any(|a| run.contains(a));
            }
            Piece::Word(w) => {
                words += 1;
                if w.chars().any(is_hebrew) {
                    // Two letters may remain: "ולא" is "and not".
                    let mut forms = vec![w.clone()];
                    forms.extend(hebrew_prefix_forms_leaving(w, 2));
                    if forms.iter().any(|f| CUES_HE.contains(&f.as_str())) {
                        return false;
                    }
                    anchor |= forms.iter().any(|f| ANCHORS_HE.contains(&f.as_str()));
                    weak |= forms.iter().any(|f| WEAK_HE.contains(&f.as_str()));
                    first_latin = false;
                    continue;
                }
                let bare: String = w.chars().filter(|c| *c != '\'').collect();
                if first_latin && IMPERATIVES_EN.contains(&bare.as_str()) {
                    return false;
                }
                first_latin = false;
                if w.ends_with("n't")
                    || CUES_EN.contains(&bare.as_str())
                    || CUE_PREFIXES_EN.iter().any(|p| bare.starts_with(p))
                {
                    return false;
                }
                anchor |= ANCHORS_EN.contains(&bare.as_str());
                weak |= WEAK_EN.contains(&bare.as_str()) || is_thanks(&bare);
            }
        }
    }
    let exclaimed = norm.contains(['!', '！']);
    let said: Vec<&str> = pieces
        .iter()
        .map(|p| match p {
            Piece::Han(w) | Piece::Word(w) => w.as_str(),
        })
        .collect();
    (anchor || (weak && (exclaimed || thanks_for(&said))))
        && words <= MAX_WORDS
        && !asks_in_english(&said)
}

/// "thanks for …", "thank you to …", "thanks so much for …": gratitude
/// for something, not politeness after a request.
fn thanks_for(words: &[&str]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        // "obliged to report my stolen card" is bound to, not grateful.
        is_thanks(w)
            && *w != "obliged"
            && words[i + 1..]
                .iter()
                .take(4)
                .any(|n| matches!(*n, "for" | "to"))
    })
}

enum Piece {
    Han(String),
    Word(String),
}

/// Runs of Han characters and words of other letters (with apostrophes
/// inside), in order.
fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut han = false;
    let mut flush = |cur: &mut String, han: bool| {
        let w = cur.trim_matches('\'');
        if !w.is_empty() {
            out.push(if han {
                Piece::Han(w.to_string())
            } else {
                Piece::Word(w.to_string())
            });
        }
        cur.clear();
    };
    for c in text.chars() {
        let h = is_han(c);
        let part = h || c.is_alphanumeric() || (c == '\'' && !cur.is_empty() && !han);
        if !part || (!cur.is_empty() && h != han) {
            flush(&mut cur, han);
        }
        if part {
            han = h;
            cur.push(c);
        }
    }
    flush(&mut cur, han);
    out
}

/// Four digits or more in a row: an order, account or phone number.
fn has_identifier(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 4 {
            return true;
        }
    }
    false
}

/// "I'd love to …", "would like", "we'd enjoy": a wish, that is a request;
/// "can you", "let me know" anywhere ("siri can you play …").
fn asks_in_english(words: &[&str]) -> bool {
    words.windows(2).any(|p| {
        (matches!(p[0], "i'd" | "id" | "we'd" | "would" | "wd")
            && matches!(p[1], "love" | "like" | "enjoy" | "appreciate"))
            || (matches!(p[0], "can" | "could" | "will" | "would") && matches!(p[1], "you" | "u"))
            || (p[0] == "let" && matches!(p[1], "me" | "us"))
    })
}

#[cfg(test)]
mod tests {
    use super::states_praise;

    #[test]
    fn praise_in_three_languages_is_praise() {
        for t in [
            "Best pizza in town, love you guys!",
            "Kudos to the crew on my flight this morning, smoothest landing ever",
            "Great crew on the San Diego flight!",
            "Happy Halloween!! Enjoying my $3 costume burrito 🎃",
            "@AcmeAir Awesome, thank you so much!",
            "Thanks to the crew for the candy on today's flight",
            "Best burrito ever!",
            "Loving the new app design 😍",
            "太好吃了，谢谢你们",
            "你们的服务很棒，点赞",
            "客服小姐姐很专业，不错",
            "השירות שלכם מעולה, תודה רבה",
            "חג שמח לכל הצוות!",
            "ואני אוהבת את האפליקציה החדשה",
        ] {
            assert!(states_praise(t), "{t}");
        }
    }

    #[test]
    fn a_complaint_or_a_request_with_a_praise_word_is_not_praise() {
        for t in [
            "Love the app but it crashes every time I open it",
            "I'm enjoying my amazing bowl and found plastic in it, disgusted",
            "Great, my flight is delayed again",
            "Thanks, my order number is 48213390",
            "Thanks, I sent the details in a DM",
            "I'd love to know when my refund arrives",
            "Find me the best hotel in Seattle",
            "best rap music",
            "a little brighter thanks",
            "亮一点谢谢",
            "קצת יותר מואר תודה",
            "alexa can you play my favorite music",
            "播放我最喜欢的歌曲",
            "נגן שיר שאני אוהב",
            "Play my favorite playlist",
            "Love the service, can you upgrade my plan?",
            "Not happy with the new update",
            "Thank you I updated my phone and now it is even slower. Thank you for ruining it!",
            "happy to pay if you fix the router",
            "很喜欢你们的产品，但是最近总是坏",
            "谢谢，请尽快退款",
            "好吃吗",
            "השירות מעולה אבל ההזמנה לא הגיעה",
            "תודה, מתי יגיע ההחזר",
            "The agent was awesome, the package is still missing though",
            "having trouble making purchases on Xbox one store for fifa points, Brilliant",
            "struggling to log in on the app, amazing support",
            "my account got locked, brilliant",
        ] {
            assert!(!states_praise(t), "{t}");
        }
    }

    #[test]
    fn no_praise_word_no_praise() {
        for t in [
            "my card arrived",
            "the train to Leeds",
            "我的快递到了",
            "הכרטיס הגיע",
            "",
        ] {
            assert!(!states_praise(t), "{t}");
        }
    }

    #[test]
    fn a_long_text_is_not_read_as_praise() {
        let t = format!("love {}", "the lovely new shop on the corner ".repeat(6));
        assert!(!states_praise(&t));
    }
}
