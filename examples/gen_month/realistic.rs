//! `--realistic`: what real exports look like around the labelled utterance.
//!
//! Labelled utterance sets are clean, short and reused; real contacts are not.
//! Each customer gets a *persona* (how they open, a personal context they keep
//! mentioning, a sign-off, how often they mistype, an emoji habit, whether they
//! tag the brand's handle), and each contact varies it again (small talk,
//! order numbers and amounts, links, typos), so every text is distinct. The
//! persona's context is the hard part for linking: one customer's contacts
//! about *different* problems share it, as real customers' do.
//!
//! Thanks-only contacts (no problem stated) follow one of a customer's
//! contacts within hours: in the truth they belong to that episode
//! and are neither a repeat nor customer effort (like a transfer's
//! continuation), which is how recontact counts them (role `courtesy`).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{Channel, Lang};

/// The pool of thanks-only utterances (never an issue's category).
pub const THANKS_CATEGORY: &str = "no_problem_thanks";

/// Share of customers who send one thanks-only contact after an issue.
pub const P_THANKS: f64 = 0.10;

/// Share of repeat contacts that paste the first contact's statement again.
pub const P_PASTE_AGAIN: f64 = 0.15;

pub struct Persona {
    opener: Vec<&'static str>,
    context: Option<String>,
    p_context: f64,
    signoff: Option<String>,
    typo: f64,
    emoji: Option<&'static str>,
    lower: bool,
    handle: Option<&'static str>,
    p_smalltalk: f64,
    /// How often the problem statement gets its full stop when more follows.
    p_stop: f64,
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

const EN_OPENERS: [&str; 12] = [
    "",
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hey,",
    "Good morning,",
    "Hiya,",
    "Hello team,",
    "Hi, hope you're well.",
    "Sorry to bother you,",
    "Afternoon,",
    "Hey guys,",
];
const ZH_OPENERS: [&str; 9] = [
    "",
    "你好，",
    "您好，",
    "在吗？",
    "麻烦问一下，",
    "客服你好，",
    "打扰一下，",
    "请问，",
    "hi，",
];
const HE_OPENERS: [&str; 9] = [
    "",
    "שלום,",
    "היי,",
    "ערב טוב,",
    "בוקר טוב,",
    "שלום רב,",
    "היי, מה קורה?",
    "סליחה על ההטרדה,",
    "אהלן,",
];

const EN_SMALLTALK: [&str; 12] = [
    "Hope you're having a good day.",
    "Sorry if this is a silly question.",
    "I've tried the FAQ already.",
    "I couldn't find anything in the help section.",
    "I've been on hold for ages.",
    "This is really frustrating.",
    "I need this sorted today please.",
    "Bit of an odd one.",
    "Quick question.",
    "Not sure who else to ask.",
    "Thanks in advance.",
    "Any help appreciated.",
];
const ZH_SMALLTALK: [&str; 10] = [
    "急！",
    "在线等。",
    "帮我看看吧。",
    "我已经看过常见问题了。",
    "等了好久了。",
    "真的很着急。",
    "谢谢啦。",
    "麻烦尽快处理。",
    "不知道该问谁。",
    "有点搞不懂。",
];
const HE_SMALLTALK: [&str; 10] = [
    "דחוף!",
    "מחכה כבר הרבה זמן.",
    "בדקתי כבר בשאלות הנפוצות.",
    "זה ממש מתסכל.",
    "אשמח לעזרה.",
    "תודה מראש.",
    "לא יודע את מי עוד לשאול.",
    "שאלה קצרה.",
    "צריך את זה היום.",
    "מקווה שתוכלו לעזור.",
];

fn en_context(rng: &mut ChaCha8Rng) -> String {
    let country = pick(
        rng,
        &[
            "Spain",
            "Portugal",
            "Thailand",
            "the US",
            "Canada",
            "Japan",
            "Italy",
            "Greece",
            "Mexico",
            "Australia",
            "Poland",
            "Morocco",
        ],
    );
    let city = pick(
        rng,
        &[
            "Leeds",
            "Bristol",
            "Manchester",
            "Glasgow",
            "Cardiff",
            "Brighton",
            "Norwich",
            "York",
            "Belfast",
            "Swansea",
        ],
    );
    let phone = pick(
        rng,
        &[
            "iPhone 15",
            "Pixel 8",
            "Samsung S24",
            "iPhone SE",
            "Motorola",
            "OnePlus",
        ],
    );
    let biz = pick(
        rng,
        &[
            "café",
            "bakery",
            "plumbing business",
            "online shop",
            "cleaning company",
            "taxi firm",
        ],
    );
    let rel = pick(rng, &["mum", "dad", "grandmother", "uncle", "nan"]);
    let years = rng.gen_range(2..25);
    match rng.gen_range(0..11) {
        0 => format!("I'm travelling in {country} at the moment."),
        1 => format!("I've just moved to {city}."),
        2 => format!("I'm using the app on my new {phone}."),
        3 => "My partner and I share this account.".to_string(),
        4 => "I'm a student and this is my main account.".to_string(),
        5 => format!("I run a small {biz} and use this account for it."),
        6 => "I'm on maternity leave at the moment.".to_string(),
        7 => format!("I've been with Northwind for {years} years."),
        8 => "My salary gets paid into this account.".to_string(),
        9 => format!("I fly back from {country} on Friday."),
        _ => format!("I'm helping my {rel} with her account."),
    }
}

fn zh_context(rng: &mut ChaCha8Rng) -> String {
    let place = pick(
        rng,
        &[
            "日本",
            "泰国",
            "美国",
            "新加坡",
            "澳洲",
            "欧洲",
            "香港",
            "韩国",
        ],
    );
    let city = pick(
        rng,
        &["深圳", "杭州", "成都", "南京", "武汉", "苏州", "西安"],
    );
    let phone = pick(rng, &["华为", "小米", "iPhone", "OPPO", "vivo"]);
    let years = rng.gen_range(2..15);
    match rng.gen_range(0..8) {
        0 => format!("我现在在{place}出差，"),
        1 => format!("我刚搬到{city}，"),
        2 => format!("我刚换了{phone}手机，"),
        3 => "我和我老公共用这个账户，".to_string(),
        4 => "我是学生，".to_string(),
        5 => format!("我用了你们{years}年了，"),
        6 => "我帮我妈妈问一下，".to_string(),
        _ => "我是开小店的，".to_string(),
    }
}

fn he_context(rng: &mut ChaCha8Rng) -> String {
    let place = pick(
        rng,
        &[
            "ביוון",
            "בתאילנד",
            "בארה\"ב",
            "באיטליה",
            "בקפריסין",
            "בפורטוגל",
        ],
    );
    let city = pick(
        rng,
        &["חיפה", "באר שבע", "רמת גן", "נתניה", "אשדוד", "ירושלים"],
    );
    let years = rng.gen_range(2..20);
    match rng.gen_range(0..7) {
        0 => format!("אני נמצא כרגע {place}."),
        1 => format!("עברתי לאחרונה ל{city}."),
        2 => "החלפתי טלפון לאחרונה.".to_string(),
        3 => "אני ובעלי חולקים את החשבון.".to_string(),
        4 => "אני סטודנטית.".to_string(),
        5 => format!("אני לקוח שלכם כבר {years} שנים."),
        _ => "אני עוזר לאבא שלי עם החשבון.".to_string(),
    }
}

const EN_NAMES: [&str; 10] = [
    "Becky", "Tom", "Sarah", "Dan", "Jess", "Mike", "Laura", "Raj", "Kate", "Sean",
];
const ZH_NAMES: [&str; 6] = ["小王", "李女士", "张先生", "小陈", "刘姐", "老赵"];
const HE_NAMES: [&str; 6] = ["דני", "מיכל", "יוסי", "נועה", "אבי", "שירן"];
const EMOJI: [&str; 8] = ["😡", "🙏", "😩", "🤦", "😭", "👍", "😤", "🙄"];

impl Persona {
    /// One customer's habits, drawn from their own stream so a persona does
    /// not depend on the order customers are written in.
    pub fn new(rng: &mut ChaCha8Rng, lang: Lang) -> Persona {
        let openers: &[&'static str] = match lang {
            Lang::En => &EN_OPENERS,
            Lang::Zh => &ZH_OPENERS,
            Lang::He => &HE_OPENERS,
        };
        let opener = (0..rng.gen_range(1..=3))
            .map(|_| openers[rng.gen_range(0..openers.len())])
            .collect();
        let context = (rng.gen::<f64>() < 0.6).then(|| match lang {
            Lang::En => en_context(rng),
            Lang::Zh => zh_context(rng),
            Lang::He => he_context(rng),
        });
        let signoff = match rng.gen_range(0..6) {
            0 => Some(match lang {
                Lang::En => "Sent from my iPhone".to_string(),
                Lang::Zh => "发自我的华为手机".to_string(),
                Lang::He => "נשלח מה-iPhone שלי".to_string(),
            }),
            1 => Some(match lang {
                Lang::En => format!("-{}", pick(rng, &EN_NAMES)),
                Lang::Zh => format!("——{}", pick(rng, &ZH_NAMES)),
                Lang::He => format!("-{}", pick(rng, &HE_NAMES)),
            }),
            2 if lang == Lang::En => {
                let n = pick(rng, &EN_NAMES);
                Some(format!("^{}", &n[..1]))
            }
            _ => None,
        };
        let typo = [0.0, 0.0, 0.02, 0.05, 0.1][rng.gen_range(0..5)];
        Persona {
            opener,
            context,
            p_context: rng.gen_range(0.4..0.9),
            signoff,
            typo,
            emoji: (rng.gen::<f64>() < 0.25).then(|| pick(rng, &EMOJI)),
            lower: lang == Lang::En && rng.gen::<f64>() < 0.2,
            handle: (rng.gen::<f64>() < 0.7).then(|| match lang {
                Lang::En => pick(rng, &["@NorthwindBank", "@NorthwindHelp"]),
                Lang::Zh => "@北风银行客服",
                Lang::He => "@NorthwindIL",
            }),
            p_smalltalk: rng.gen_range(0.1..0.5),
            p_stop: [1.0, 0.9, 0.6][rng.gen_range(0..3)],
        }
    }
}

/// A reference, amount or date the customer quotes; different every time.
fn reference(rng: &mut ChaCha8Rng, lang: Lang) -> String {
    let digits = rng.gen_range(100_000..10_000_000u32);
    let amount = format!("{}.{:02}", rng.gen_range(3..900), rng.gen_range(0..100));
    let kind = rng.gen_range(0..4);
    match (lang, kind) {
        (Lang::En, 0) => format!("Order #{digits}."),
        (Lang::En, 1) => format!("It was for £{amount}."),
        (Lang::En, 2) => format!("Ref: NW{digits}"),
        (Lang::En, _) => format!("Transaction ID {digits:x}{}.", rng.gen_range(10..99)),
        (Lang::Zh, 0) => format!("订单号{digits}。"),
        (Lang::Zh, 1) => format!("金额{amount}元。"),
        (Lang::Zh, _) => format!("流水号 {digits}"),
        (Lang::He, 0) => format!("מספר הזמנה {digits}."),
        (Lang::He, 1) => format!("הסכום היה {amount} ₪."),
        (Lang::He, _) => format!("אסמכתא {digits}"),
    }
}

fn link(rng: &mut ChaCha8Rng) -> String {
    const ALNUM: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut s = String::new();
    for _ in 0..10 {
        s.push(ALNUM[rng.gen_range(0..ALNUM.len())] as char);
    }
    if rng.gen::<bool>() {
        format!("https://t.co/{s}")
    } else {
        format!("screenshot: https://imgur.com/a/{}", &s[..7])
    }
}

/// Mistypes words: swaps, drops or doubles a letter (Latin and Hebrew words
/// of four letters or more), or repeats a Han character.
fn typos(rng: &mut ChaCha8Rng, text: &str, rate: f64) -> String {
    if rate <= 0.0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let chars: Vec<char> = word.chars().collect();
        let han = chars.iter().any(|c| ('\u{4e00}'..='\u{9fff}').contains(c));
        if han {
            for &c in &chars {
                out.push(c);
                if ('\u{4e00}'..='\u{9fff}').contains(&c) && rng.gen::<f64>() < rate / 4.0 {
                    out.push(c);
                }
            }
            continue;
        }
        if chars.len() < 4 || !chars.iter().all(|c| c.is_alphabetic()) || rng.gen::<f64>() >= rate {
            out.push_str(word);
            continue;
        }
        let k = rng.gen_range(1..chars.len() - 1);
        let mut w = chars.clone();
        match rng.gen_range(0..3) {
            0 => w.swap(k, k + 1),
            1 => {
                w.remove(k);
            }
            _ => w.insert(k, chars[k]),
        }
        out.extend(w);
    }
    out
}

/// The customer's statement of their problem as this persona writes it.
pub fn vary(rng: &mut ChaCha8Rng, p: &Persona, lang: Lang, channel: Channel, utt: &str) -> String {
    let sep = if lang == Lang::Zh { "" } else { " " };
    let mut parts: Vec<String> = Vec::new();
    if matches!(channel, Channel::Note | Channel::App) {
        if let Some(h) = p.handle {
            parts.push(h.to_string());
        }
    }
    let opener = p.opener[rng.gen_range(0..p.opener.len())];
    if !opener.is_empty() {
        parts.push(opener.to_string());
    }
    let smalltalk: &[&str] = match lang {
        Lang::En => &EN_SMALLTALK,
        Lang::Zh => &ZH_SMALLTALK,
        Lang::He => &HE_SMALLTALK,
    };
    if rng.gen::<f64>() < p.p_smalltalk / 2.0 {
        parts.push(pick(rng, smalltalk).to_string());
    }
    let context_first = rng.gen::<bool>();
    let context = p
        .context
        .as_ref()
        .filter(|_| rng.gen::<f64>() < p.p_context);
    if let (Some(c), true) = (context, context_first) {
        parts.push(c.clone());
    }
    let mut statement = typos(rng, utt, p.typo);
    if !statement.ends_with(['.', '?', '!', '。', '？', '！']) && rng.gen::<f64>() < p.p_stop {
        statement.push(if lang == Lang::Zh { '。' } else { '.' });
    }
    parts.push(statement);
    if let (Some(c), false) = (context, context_first) {
        parts.push(c.clone());
    }
    if rng.gen::<f64>() < 0.5 {
        parts.push(reference(rng, lang));
    }
    if rng.gen::<f64>() < p.p_smalltalk / 2.0 {
        parts.push(pick(rng, smalltalk).to_string());
    }
    if matches!(channel, Channel::Note | Channel::App | Channel::Chat) && rng.gen::<f64>() < 0.05 {
        parts.push(link(rng));
    }
    if let Some(e) = p.emoji.filter(|_| rng.gen::<bool>()) {
        parts.push(e.to_string());
    }
    if matches!(channel, Channel::Note | Channel::App) {
        if let Some(s) = &p.signoff {
            parts.push(s.clone());
        }
    }
    let text = parts.join(sep);
    if p.lower {
        text.to_lowercase()
    } else {
        text
    }
}

/// What a customer writes when they only want to say thanks.
pub fn thanks(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "Thanks so much, all sorted now!",
            "Thank you, that worked.",
            "Great, thanks for your help!",
            "Cheers, much appreciated.",
            "Brilliant, thank you!",
            "That's perfect, thanks a lot.",
            "Thanks!",
            "ok thanks",
            "Amazing service, thank you",
            "Thank you for getting back to me so quickly.",
            "All good now, thanks.",
            "Perfect, cheers",
            "Thanks, have a nice day",
            "You guys are great, thanks!",
            "Appreciate the quick reply!",
        ],
        Lang::Zh => &[
            "谢谢，已经解决了",
            "好的，谢谢",
            "非常感谢您的帮助！",
            "收到，谢谢",
            "太好了，谢谢你们",
            "好的，明白了，谢谢",
            "感谢客服小姐姐",
            "谢谢你的耐心解答",
            "问题解决了，谢谢",
            "好的好的，谢谢",
        ],
        Lang::He => &[
            "תודה רבה!",
            "תודה, הכל הסתדר",
            "מעולה, תודה על העזרה",
            "סבבה, תודה",
            "תודה על התגובה המהירה",
            "אלופים, תודה!",
            "הכל בסדר עכשיו, תודה",
            "תודה רבה על השירות",
            "אוקיי תודה",
            "שירות מצוין, תודה",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_text_distinct_and_utterance_kept() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let p = Persona::new(&mut rng, Lang::En);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let t = vary(
                &mut rng,
                &p,
                Lang::En,
                Channel::Chat,
                "my card has not arrived",
            );
            seen.insert(t);
        }
        assert!(seen.len() > 100, "{}", seen.len());
        // The statement survives (typos aside).
        let kept = seen
            .iter()
            .filter(|t| t.to_lowercase().contains("arrived"))
            .count();
        assert!(kept * 10 >= seen.len() * 8, "{kept} of {}", seen.len());
    }
}
