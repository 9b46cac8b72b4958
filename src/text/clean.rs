//! Cleaning of raw contact text before its reason is read, in any script
//! (en, zh Simplified and Traditional, he): HTML entities decoded, bidi and
//! zero-width controls dropped, @mentions, URLs and emoji removed (a
//! hashtag keeps its word), tweet sign-offs (`^JK`, `-Becky`, `— Sam`),
//! phone signatures ("Sent from my iPhone", 发自我的iPhone) and quoted
//! earlier messages of e-mails ("On … wrote:" and all after it, `>` lines,
//! "-----Original Message-----", 原始邮件, הודעה מקורית) cut.
//!
//! Everything else stays as the customer wrote it: no space is ever
//! inserted (so "32.19" and "1,000" stay whole), and a URL goes whole or
//! not at all. Lines stay lines, so speaker prefixes (`Customer:`) still
//! split a transcript into turns afterwards.

use std::sync::OnceLock;

use regex::Regex;

use super::clause::sentence_spans;
use super::tables::{EMOTICONS, FORWARD_MARKERS, PHONE_SIGNATURES, QUOTE_HEADER_STARTS};
use super::unicode::is_cjk;

/// Raw contact text, cleaned (see the module doc). Line structure is kept;
/// lines that become empty stay as empty lines.
pub fn clean(raw: &str) -> String {
    let decoded = decode_entities(raw);
    let text: String = if decoded.is_ascii() {
        decoded
    } else {
        decoded.chars().filter(|c| !is_invisible(*c)).collect()
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut first = true;
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or("");
        if ends_message(line, &lines[i + 1..], next) {
            break;
        }
        if line.trim_start().starts_with('>') {
            // A quoted line of an earlier message.
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        out.push_str(&clean_line(line));
    }
    out.trim_end().to_string()
}

/// One line without URLs, @mentions, hashtag marks, emoji, emoticons and a
/// trailing sign-off; runs of spaces folded, a space left before
/// punctuation by a removal taken out.
pub fn clean_line(line: &str) -> String {
    let s = remove_urls(line);
    let s = remove_mentions(&s);
    let s = remove_hash_marks(&s);
    let s: String = if s.chars().any(is_emoji) {
        // Modifiers and selectors go without a trace ("I\u{fe0f}t" is one
        // word); a pictograph leaves a gap.
        s.chars()
            .filter(|c| !is_emoji_modifier(*c))
            .map(|c| if is_emoji(c) { GAP } else { c })
            .collect()
    } else {
        s
    };
    let s = remove_emoticons(&s);
    let s = remove_sign_off(&s);
    let s = remove_inline_signatures(&s);
    let s = remove_trailing_signature(&s);
    tidy(&s)
}

/// A phone signature as a sentence inside a line ("金额不对。发自我的华为手机。
/// 已提交后台处理。", where a ticket note runs the customer's message and
/// the agent's words together): the sentence goes, the rest stays. Only a
/// short sentence: "Sent from my account on Monday, the transfer …" is the
/// customer's.
fn remove_inline_signatures(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (s, e) in sentence_spans(line) {
        if is_phone_signature(&super::normalize(&line[s..e])) {
            out.push_str(&line[at..s]);
            out.push(GAP);
            at = e;
        }
    }
    out.push_str(&line[at..]);
    out
}

/// A phone signature ending a line right after the customer's last words,
/// with no sentence end between ("אסמכתא 6221443 נשלח מה-iPhone שלי",
/// "order 1234 Sent from my iPhone"): it goes when it names a device or a
/// mail app, so "the money was sent from my account" stays, and, after the
/// line's start, when it keeps its capital.
fn remove_trailing_signature(line: &str) -> String {
    let len = line.chars().count();
    // Most lines name no device near their end: normalize that window once
    // instead of every candidate tail of it.
    let window = line
        .char_indices()
        .nth(len.saturating_sub(SIGNATURE_CHARS))
        .map_or(line, |(i, _)| &line[i..]);
    let window = super::normalize(window);
    if !DEVICES.iter().any(|d| window.contains(d)) {
        return line.to_string();
    }
    let mut prev: Option<char> = None;
    for (n, (i, c)) in line.char_indices().enumerate() {
        let boundary = prev.is_none_or(|p| !p.is_alphanumeric()) || super::unicode::is_han(c);
        prev = Some(c);
        // Mid-line, an English signature keeps its capital ("… 1234 Sent
        // from my iPhone"); "it was sent from my phone" is the customer's.
        if !boundary || len - n > SIGNATURE_CHARS || (n > 0 && c.is_lowercase()) {
            continue;
        }
        let tail = super::normalize(&line[i..]);
        if is_phone_signature(&tail) && DEVICES.iter().any(|d| tail.contains(d)) {
            let mut out = line[..i].to_string();
            out.push(GAP);
            return out;
        }
    }
    line.to_string()
}

/// Words of a phone or mail-app signature's device (normalized).
const DEVICES: &[&str] = &[
    "iphone",
    "ipad",
    "android",
    "samsung",
    "galaxy",
    "huawei",
    "xiaomi",
    "pixel",
    "mobile",
    "phone",
    "outlook",
    "yahoo",
    "mail",
    "手机",
    "手機",
    "华为",
    "華為",
    "נייד",
    "אייפון",
    "סמארטפון",
    "אנדרואיד",
];

/// Longest phone signature, in characters.
const SIGNATURE_CHARS: usize = 40;

/// A phone or mail-app signature: a short line or sentence that starts
/// like one ("Sent from my iPhone", 发自我的华为手机). A long one that starts
/// alike is the customer's ("Sent from my account on Monday, the …").
fn is_phone_signature(normalized: &str) -> bool {
    normalized.trim().chars().count() <= SIGNATURE_CHARS
        && PHONE_SIGNATURES.iter().any(|p| normalized.starts_with(p))
}

/// Stands where something was removed, until `tidy` decides what space
/// the place needs.
const GAP: char = '\u{1}';

/// Text without emoji, URLs and @mentions: what `states_no_problem` reads.
pub(crate) fn strip_symbols(text: &str) -> String {
    text.lines().map(clean_line).collect::<Vec<_>>().join("\n")
}

/// HTML entities decoded once: `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`
/// `&nbsp;` and numeric ones (`&#39;`, `&#x27;`). Unknown ones stay.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let semi = rest[1..]
            .char_indices()
            .take(10)
            .find(|(_, c)| *c == ';')
            .map(|(j, _)| j + 1);
        let decoded = semi.and_then(|j| {
            let name = &rest[1..j];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse::<u32>().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')
                }
            }?;
            Some((c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Bidi marks and embeddings, zero-width spaces and joiners, BOM: invisible,
/// but they break matching (Hebrew mail clients wrap every header in them).
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF | 0x061C | 0x00AD)
}

/// Pictographic emoji, their variation selectors, skin tones, keycaps and
/// tags. Letters, digits, CJK punctuation, arrows and ©®™ are not emoji.
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF     // emoticons, pictographs, transport, flags, skin tones
        | 0x2600..=0x27BF     // misc symbols (☀ ☺ ♥), dingbats (✈ ✔ ❤)
        | 0x2B00..=0x2BFF     // ⬆ ⭐ ⭕
        | 0x231A..=0x231B | 0x2328 | 0x23CF | 0x23E9..=0x23F3 | 0x23F8..=0x23FA
        | 0x25AA..=0x25AB | 0x25B6 | 0x25C0 | 0x25FB..=0x25FE
        | 0x2934..=0x2935 | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0xFE00..=0xFE0F     // variation selectors
        | 0x20E3              // combining keycap
        | 0xE0020..=0xE007F) // tag characters (flag sequences)
}

/// Parts of emoji that modify the character before them: variation
/// selectors, the keycap mark, skin tones, tag characters.
fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // ASCII only: a URL ends at a space or at the first CJK/Hebrew letter
    // or full-width punctuation that follows it without a space.
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:(?-u:\b)(?:https?|ftp)://|(?-u:\b)www\.|(?-u:\b)(?:pic\.twitter\.com|t\.co|bit\.ly|goo\.gl|amzn\.to)/)[\x21-\x7E&&[^<>"]]*"#,
        )
        .expect("valid regex")
    })
}

/// URLs removed whole; sentence punctuation right after one stays.
fn remove_urls(line: &str) -> String {
    if !line.contains("://") && !line.contains("www.") && !line.contains('/') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for m in url_re().find_iter(line) {
        out.push_str(&line[at..m.start()]);
        let url = m.as_str();
        let body = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'']);
        // A closing bracket that the URL opened stays with the URL.
        let mut body_len = body.len();
        if url[body_len..].starts_with(')') && body.contains('(') {
            body_len += 1;
        }
        out.push(GAP);
        out.push_str(&url[body_len..]);
        at = m.end();
    }
    out.push_str(&line[at..]);
    out
}

/// `@AmazonHelp`, `@115858` and Weibo-style `@小米客服` (ended by a space or
/// punctuation) removed; e-mail addresses (`a@b.com`) are not mentions.
fn remove_mentions(line: &str) -> String {
    if !line.contains('@') {
        return line.to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (i, j) in mention_spans(&chars) {
        out.extend(&chars[at..i]);
        out.push(GAP);
        at = j;
    }
    out.extend(&chars[at..]);
    out
}

/// The handles a text addresses (`@SpotifyCares` → `SpotifyCares`): Latin
/// ones, as written, without the `@`; numeric ids (a customer's handle
/// masked as a number) are not a company's.
pub fn mentions(text: &str) -> Vec<String> {
    if !text.contains('@') && !text.contains('＠') {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    mention_spans(&chars)
        .into_iter()
        .map(|(i, j)| chars[i + 1..j].iter().collect::<String>())
        .filter(|h| h.is_ascii() && h.chars().any(|c| c.is_ascii_alphabetic()))
        .collect()
}

/// Char ranges of the mentions in `chars`, `@` included, in order.
fn mention_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_ok = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if (c == '@' || c == '＠') && prev_ok {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j == i + 1 {
                // A non-ASCII handle: a short run of letters up to a space
                // or punctuation (or the end), never into a long CJK run.
                let mut k = j;
                while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                    k += 1;
                }
                let ended = k == chars.len() || !chars[k].is_alphanumeric();
                if k > j && k - j <= 20 && ended {
                    j = k;
                }
            }
            if j > i + 1 {
                spans.push((i, j));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    spans
}

/// The `#` of a hashtag goes, its word stays (`#notcool` → `notcool`,
/// `#话题#` → `话题`); `C#` and a lone `#` stay.
fn remove_hash_marks(line: &str) -> String {
    if !line.contains(['#', '＃']) {
        return line.to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut topic_open = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == '#' || c == '＃' {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let prev_word = prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
            let next_word = next.is_some_and(|n| n.is_alphanumeric() || n == '_');
            if next_word && !prev_word {
                topic_open = next.is_some_and(is_cjk);
                continue;
            }
            if topic_open && prev.is_some_and(is_cjk) {
                topic_open = false;
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Text emoticons standing as their own token (`:)`, `:-(`, `<3`, `xD`).
fn remove_emoticons(line: &str) -> String {
    let is_emoticon = |t: &str| {
        (2..=4).contains(&t.len())
            && (t.bytes().any(|b| !b.is_ascii_alphanumeric()) || t == "xD" || t == "XD")
            && EMOTICONS.contains(&t)
    };
    if !line.split(' ').any(is_emoticon) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    for (i, tok) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_emoticon(tok) {
            out.push(GAP);
        } else {
            out.push_str(tok);
        }
    }
    out
}

fn sign_off_res() -> &'static [Regex; 3] {
    static RES: OnceLock<[Regex; 3]> = OnceLock::new();
    RES.get_or_init(|| {
        [
            // Agent initials: ^JK, *AMC, ^Sam.
            r"(?:^|\s)(?:\^[A-Z][A-Za-z]{0,11}|\*[A-Z]{2,4})\s*$",
            // A name right after a dash or tilde: -Becky, ~Ana, —Sam Lee.
            r"(?:^|\s|[.!?)])[-–—~][A-Z][a-z]+(?: [A-Z][a-z]+)?\s*$",
            // A dash, a space, a name: after sentence punctuation for - and
            // – (a line "- Refund" is a list item); anywhere for — and ~.
            r"(?:[.!?)]\s*[-–]|(?:^|\s)[—~])\s+(?:[A-Z][a-z]+(?: [A-Z][a-z]+)?|[A-Z]{2,3})\s*$",
        ]
        .map(|re| Regex::new(re).expect("valid regex"))
    })
}

/// A sign-off at the end of a line (tweets sign with initials or a name).
fn remove_sign_off(line: &str) -> String {
    // Only the last few characters can hold a sign-off.
    let tail_start = line.char_indices().rev().nth(40).map_or(0, |(i, _)| i);
    if !line[tail_start..].contains(['^', '*', '-', '–', '—', '~']) {
        return line.to_string();
    }
    for re in sign_off_res() {
        if let Some(m) = re.find(line) {
            // Keep the sentence punctuation the sign-off was attached to.
            let kept = m
                .as_str()
                .chars()
                .next()
                .filter(|c| matches!(c, '.' | '!' | '?' | ')'));
            let mut out = line[..m.start()].to_string();
            if let Some(c) = kept {
                out.push(c);
            }
            return out;
        }
    }
    line.to_string()
}

/// The places where something was removed (a run of gaps and the spaces
/// around them) become one space, or nothing: at the line's ends, before
/// punctuation ("on @x!" → "on!"), and between CJK characters that had no
/// space. All other text, spaces included, stays as written.
fn tidy(line: &str) -> String {
    if !line.contains(GAP) {
        return line.trim().to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i] == GAP || chars[i].is_whitespace()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        let mut gap = false;
        let mut space = false;
        while j < chars.len() && (chars[j] == GAP || chars[j].is_whitespace()) {
            gap |= chars[j] == GAP;
            space |= chars[j] != GAP;
            j += 1;
        }
        if !gap {
            out.extend(&chars[i..j]);
        } else {
            let prev = out.chars().last();
            let next = chars.get(j).copied();
            let fill = match (prev, next) {
                (None, _) | (_, None) => "",
                (_, Some(',' | '.' | '!' | '?' | ';' | ':' | ')' | ']')) => "",
                (_, Some(n)) if is_cjk_punct(n) => "",
                _ if space => " ",
                (Some(p), Some(n)) if is_cjk(p) || is_cjk(n) => "",
                (Some(p), Some(n)) if n.is_alphanumeric() && !p.is_whitespace() => " ",
                _ => "",
            };
            out.push_str(fill);
        }
        i = j;
    }
    // A mention that opened the line may leave its dash or colon behind
    // ("@acme - my order…").
    let mut out = out.as_str();
    if chars.first() == Some(&GAP) {
        out = out.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '|'));
        for dash in ["- ", "– ", "— "] {
            out = out.strip_prefix(dash).unwrap_or(out);
        }
    }
    out.trim().to_string()
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '，' | '；' | '：' | '、' | '）' | '」' | '』'
    )
}

/// True when `line` starts what is not the customer's new message: a quoted
/// earlier message, a forwarded one, a phone signature or a `-- ` signature.
fn ends_message(line: &str, rest: &[&str], next: &str) -> bool {
    let t = line.trim();
    // Markers, headers and signatures are short lines.
    if t.is_empty() || t.len() > 600 {
        return false;
    }
    if t == "--" {
        return true;
    }
    // Outlook's rule above a quoted header.
    if t.chars().count() >= 10
        && t.chars().all(|c| c == '_' || c == '-')
        && is_header_start(&super::normalize(next.trim()))
    {
        return true;
    }
    let l = super::normalize(t);
    if is_phone_signature(&l) {
        return true;
    }
    if FORWARD_MARKERS.iter().any(|m| l.contains(m))
        && l.chars().filter(|c| *c == '-' || *c == '_').count() >= 2
    {
        return true;
    }
    if l.starts_with("begin forwarded message") {
        return true;
    }
    // "On Mon, 3 Oct 2026, Jane <j@x.com> wrote:" (maybe wrapped onto two
    // lines); 在 2026年10月3日，X 写道：; X 于2026年10月3日写道：;
    // בתאריך …, X כתב/ה:
    let short = l.chars().count() <= 200;
    if !short {
        return false;
    }
    let wrote = |s: &str| {
        let s = s.trim_end();
        s.ends_with("wrote:")
            || s.ends_with("写道:")
            || s.ends_with("寫道:")
            || s.ends_with("כתב:")
            || s.ends_with("כתבה:")
            || s.ends_with("כתב/ה:")
            || s.ends_with("כתב/ה :")
    };
    if short && l.starts_with("on ") && (wrote(&l) || wrote(&super::normalize(next.trim()))) {
        return true;
    }
    if short && (l.starts_with('在') || l.contains('于') || l.contains('於')) && wrote(&l) {
        return true;
    }
    if short && (l.starts_with("בתאריך") || l.starts_with("ב-")) && (wrote(&l) || l.ends_with(':'))
    {
        return true;
    }
    // An Outlook header block: From: … then Sent:/Date: within 3 lines.
    if is_header_start(&l) {
        for r in rest.iter().take(3) {
            let r = super::normalize(r.trim());
            if QUOTE_HEADER_STARTS
                .iter()
                .any(|(_, sent)| sent.iter().any(|s| r.starts_with(s)))
            {
                return true;
            }
        }
    }
    false
}

fn is_header_start(normalized: &str) -> bool {
    QUOTE_HEADER_STARTS
        .iter()
        .any(|(from, _)| normalized.starts_with(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_once() {
        assert_eq!(decode_entities("fees &amp; charges"), "fees & charges");
        assert_eq!(
            decode_entities("&lt;3 &gt; &quot;ok&quot; it&#39;s it&#x27;s &apos;"),
            "<3 > \"ok\" it's it's '"
        );
        assert_eq!(
            decode_entities("A&B &unknown; &#xZZ; &"),
            "A&B &unknown; &#xZZ; &"
        );
        assert_eq!(decode_entities("&amp;amp;"), "&amp;");
        assert_eq!(decode_entities("退款&amp;积分"), "退款&积分");
    }

    #[test]
    fn the_handles_a_text_addresses() {
        assert_eq!(
            mentions("@SpotifyCares @115858 my playlist is gone, cc @Uber_Support"),
            vec!["SpotifyCares", "Uber_Support"]
        );
        assert_eq!(
            mentions("write to a@b.com or @小米客服"),
            Vec::<String>::new()
        );
        assert!(mentions("no handles here").is_empty());
    }

    #[test]
    fn mentions_go_emails_stay() {
        assert_eq!(
            clean("@AcmeHelp @115858 my parcel never came"),
            "my parcel never came"
        );
        assert_eq!(clean(".@acme_uk where is my order"), ". where is my order");
        assert_eq!(clean("@acme - my order is late"), "my order is late");
        assert_eq!(
            clean("@acme: -5 degrees and no heating"),
            "-5 degrees and no heating"
        );
        assert_eq!(
            clean("Come on @116062! Where is my refund?"),
            "Come on! Where is my refund?"
        );
        assert_eq!(
            clean("write to jo.ng@example.com please"),
            "write to jo.ng@example.com please"
        );
        assert_eq!(clean("@小米客服 我的手机开不了机"), "我的手机开不了机");
        assert_eq!(clean("@אלעל הטיסה בוטלה"), "הטיסה בוטלה");
        // A mention glued to a long CJK run is not cut into the sentence.
        assert_eq!(
            clean("@客服我的订单一直没有发货请尽快处理谢谢你们"),
            "@客服我的订单一直没有发货请尽快处理谢谢你们"
        );
    }

    #[test]
    fn urls_go_whole() {
        let c = clean("@Acme How did I get my credit? https://t.co/Ab3dEf9 https://t.co/Zz");
        assert_eq!(c, "How did I get my credit?");
        assert!(!c.contains("co/") && !c.contains("t."), "{c}");
        assert_eq!(
            clean("the link www.example.com/help/a?b=1 is broken."),
            "the link is broken."
        );
        assert_eq!(clean("see (https://x.io/a_(b)) now"), "see () now");
        assert_eq!(
            clean("退款查询https://t.co/xyz没有结果"),
            "退款查询没有结果"
        );
        assert_eq!(clean("הקישור https://t.co/xyz לא עובד"), "הקישור לא עובד");
        assert_eq!(
            clean("pic.twitter.com/AbC the box was crushed"),
            "the box was crushed"
        );
        // A bare domain is the customer's word.
        assert_eq!(clean("I ordered on amazon.com"), "I ordered on amazon.com");
    }

    #[test]
    fn numbers_stay_whole() {
        let t = "charged $32.19 instead of 30.00, order 1,000 units, 24×14×9+2.5 in";
        assert_eq!(clean(t), t);
        assert_eq!(clean("扣了32.19元"), "扣了32.19元");
    }

    #[test]
    fn hashtags_keep_their_word() {
        assert_eq!(
            clean("wifi down all flight #notcool #AcmeAir"),
            "wifi down all flight notcool AcmeAir"
        );
        assert_eq!(clean("order #12345 missing"), "order 12345 missing");
        assert_eq!(
            clean("#快递丢失# 我的包裹不见了"),
            "快递丢失 我的包裹不见了"
        );
        assert_eq!(
            clean("#משלוח_מאחר החבילה לא הגיעה"),
            "משלוח_מאחר החבילה לא הגיעה"
        );
        assert_eq!(clean("I code in C# daily"), "I code in C# daily");
    }

    #[test]
    fn emoji_and_emoticons_go() {
        assert_eq!(clean("my bag is broken 😥🙏🏼 help"), "my bag is broken help");
        assert_eq!(clean("great :) but late :("), "great but late");
        assert_eq!(clean("❤️👍🏽"), "");
        assert_eq!(clean("快递还没到😡"), "快递还没到");
        assert_eq!(clean("החבילה לא הגיעה 😭"), "החבילה לא הגיעה");
        assert_eq!(clean("1️⃣ item missing"), "1 item missing");
        assert_eq!(clean("I\u{fe0f}t didn’t work"), "It didn’t work");
        assert_eq!(clean("👍🏽ok"), "ok");
        // Arrows and trademark signs are text.
        assert_eq!(clean("LHR → JFK ™"), "LHR → JFK ™");
    }

    #[test]
    fn sign_offs_go() {
        assert_eq!(
            clean("Please DM us your order number. ^JK"),
            "Please DM us your order number."
        );
        assert_eq!(clean("We will look into it *AMC"), "We will look into it");
        assert_eq!(clean("my order is late -Becky"), "my order is late");
        assert_eq!(clean("my order is late — Sam"), "my order is late");
        assert_eq!(clean("see you on board! - Anwar"), "see you on board!");
        assert_eq!(clean("Cheers!- Anwar"), "Cheers!");
        // A dash inside a sentence is not a sign-off.
        assert_eq!(clean("It broke - Again"), "It broke - Again");
        assert_eq!(clean("Flight LHR-JFK"), "Flight LHR-JFK");
        assert_eq!(clean("price went up -5"), "price went up -5");
    }

    #[test]
    fn a_phone_signature_inside_a_line_goes() {
        assert_eq!(
            clean("客户反映：金额不对。发自我的华为手机。已提交后台处理。"),
            "客户反映：金额不对。已提交后台处理。"
        );
        assert_eq!(
            clean("My card is blocked. Sent from my iPhone. Please call me"),
            "My card is blocked. Please call me"
        );
        // A long sentence that starts alike is the customer's.
        let own = "Sent from my account on Monday, the transfer of 32.19 never arrived.";
        assert_eq!(clean(own), own);
    }

    #[test]
    fn a_phone_signature_ending_a_line_goes() {
        assert_eq!(clean("אסמכתא 6221443 נשלח מה-iPhone שלי"), "אסמכתא 6221443");
        assert_eq!(
            clean("My card is blocked, order 1234 Sent from my iPhone"),
            "My card is blocked, order 1234"
        );
        assert_eq!(
            clean("金额不对 流水号123发自我的华为手机"),
            "金额不对 流水号123"
        );
        // Without a device it is the customer's.
        let own = "the refund was sent from my account";
        assert_eq!(clean(own), own);
        let own = "Why was it sent from my old address";
        assert_eq!(clean(own), own);
        let own = "the code never came, it was sent from my phone";
        assert_eq!(clean(own), own);
    }

    #[test]
    fn phone_signatures_and_quotes_cut() {
        let e = "My statement is wrong.\n\nSent from my iPhone\n\nOn Mon, 3 Oct 2026 at 10:00, Acme Care <care@acme.test> wrote:\n> Dear customer, thank you";
        assert_eq!(clean(e), "My statement is wrong.");
        let wrapped = "Still no card.\nOn Mon, 3 Oct 2026 at 10:00, Acme Care <\ncare@acme.test> wrote:\n> hi";
        assert_eq!(clean(wrapped), "Still no card.");
        let outlook = "The fee is wrong.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\nSubject: your bill";
        assert_eq!(clean(outlook), "The fee is wrong.");
        let outlook2 = "The fee is wrong.\n________________________________\nFrom: Acme Care\nSent: 03 October 2026 10:00\nTo: me";
        assert_eq!(clean(outlook2), "The fee is wrong.");
        let inline = "> you asked for the date\nIt was the 3rd.\n> and the amount\n32.19";
        assert_eq!(clean(inline), "It was the 3rd.\n32.19");
        let zh = "账单金额不对。\n\n发自我的iPhone\n\n------------------ 原始邮件 ------------------\n发件人: 客服";
        assert_eq!(clean(zh), "账单金额不对。");
        let zh2 = "退款还没到。\n在 2026年10月3日 星期一 10:00，客服中心 写道：\n> 您好";
        assert_eq!(clean(zh2), "退款还没到。");
        let zh3 = "退款还没到。\n客服中心 <care@acme.test> 于2026年10月3日周一 10:00写道：\n> 您好";
        assert_eq!(clean(zh3), "退款还没到。");
        let zh_tw = "退款還沒到。\n\n從我的 iPhone 傳送";
        assert_eq!(clean(zh_tw), "退款還沒到。");
        let he = "\u{202b}החיוב כפול\u{202c}\n\nנשלח מה-iPhone שלי\n\n----- הודעה מקורית -----\nמאת: שירות";
        assert_eq!(clean(he), "החיוב כפול");
        let he2 = "החיוב כפול\n\u{202b}בתאריך יום ב׳, 3 באוק׳ 2026 ב-10:00 מאת שירות לקוחות <\u{202a}care@acme.test\u{202c}>:\u{202c}\n> שלום";
        assert_eq!(clean(he2), "החיוב כפול");
        let sig = "card blocked\n-- \nJo Bloggs\nAcme Ltd";
        assert_eq!(clean(sig), "card blocked");
    }

    #[test]
    fn transcripts_keep_their_prefixes() {
        let t = "Customer: @Acme my card &amp; pin never came 😡\nAgent: @115 sorry! ^JK";
        assert_eq!(
            clean(t),
            "Customer: my card & pin never came\nAgent: sorry!"
        );
    }
}
