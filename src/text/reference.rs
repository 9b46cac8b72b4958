//! References: "Order 12345.", "Transaction ID 8f3a9c21", "流水号 20261003",
//! "מספר הזמנה 4471". Customers give them so the agent can find the case;
//! they say which case, not what went wrong. A clause that is only a
//! reference (with a greeting or thanks around it) is not part of the
//! reason, and a reason that is only references states no problem: left in,
//! every "Order [number]" of the month clustered into one group named
//! "order", ranked among the root causes (BENCHMARKS.md, issue 13).
//!
//! The rule is a label followed by an identifier: the label from a short
//! list in three languages (order, transaction, case, ticket, booking …;
//! 订单号, 流水号, 单号 …; הזמנה, אסמכתא …), the identifier a token with at
//! least two digits. Either alone is kept: "order" in "my order never came"
//! is a problem word, "20" in "top up 20" an amount.

use std::sync::OnceLock;

use regex::Regex;

use super::noproblem::{only_courtesy_or_fillers, states_no_problem};

/// A label (`latin` after a word boundary, `han`, or `hebrew` after a
/// word boundary), an optional "is"/":", then the identifier (letters,
/// digits, - _ / .; checked for two digits by the callers).
fn labelled_re(latin: &str, han: &str, hebrew: &str) -> Regex {
    Regex::new(&format!(
        r"(?i)(?:\b{latin}|{han}|\b{hebrew})\s*(?:is\s+|[:：=#]\s*|#)?([A-Za-z0-9][A-Za-z0-9_\-/.]*[A-Za-z0-9]|\d)"
    ))
    .expect("the reference pattern compiles")
}

/// Suffixes of a Latin label: "id", "number", "#" …
const SUFFIX: &str = r"(?:\s*(?:id|no\.?|nr\.?|number|num|code|#))";

fn reference_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let latin = r"(?:order|transaction|txn|reference|ref|case|ticket|tracking|booking|confirmation|invoice|account|acct|policy|claim|parcel|shipment|reservation|receipt|serial|member(?:ship)?|customer)";
        let han = r"(?:订单号|订单编号|订单|流水号|交易号|交易编号|单号|编号|工单号|工单|参考号|会员号|訂單號|訂單編號|訂單|流水號|交易號|交易編號|單號|編號|工單號|工單|參考號|會員號)";
        let hebrew = r"(?:מספר\s+הזמנה|מספר\s+אסמכתא|מספר\s+פנייה|מספר\s+עסקה|מספר\s+לקוח|מספר\s+חשבון|הזמנה\s+מספר|פנייה\s+מספר|אסמכתא|הזמנה)";
        labelled_re(&format!("{latin}(?:\\s+{latin})?{SUFFIX}?"), han, hebrew)
    })
}

/// An amount said as a reference, "Amount: 32.19", "The amount was
/// £32.19", "金额是441.77元", "הסכום היה 120 ₪": which payment, not what
/// went wrong with it ("charged 32.19 twice" has no label and stays).
fn amount_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:\b(?:the\s+)?amount(?:\s+of)?|金额|金額|\b[הבו]?סכום)\s*(?:(?:is|was|היה|הוא)\s+|是|为|為|[:：=]\s*)?[$€£¥₪]?\s*\d[\d,.]*\s*(?:元|块|塊|圆|圓|₪|\$|€|£|¥|\b(?:usd|eur|gbp|ils|nis|rmb|cny)\b)?",
        )
        .expect("the amount pattern compiles")
    })
}

/// A reference whose label names nothing but the reference ("transaction
/// id", "ref", 流水号, אסמכתא), or any label with an explicit "#", "id" or
/// "number" ("Order #4821"): unlike "my order 12345 never came", where
/// "order" is what the problem is about.
fn pure_reference_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pure = r"(?:transaction|txn|reference|ref|case|ticket|tracking|confirmation|receipt|serial)";
        let labelled = r"(?:order|booking|invoice|account|acct|policy|claim|parcel|shipment|reservation|member(?:ship)?|customer)";
        let han = r"(?:流水号|交易号|交易编号|单号|编号|工单号|参考号|订单号|订单编号|流水號|交易號|交易編號|單號|編號|工單號|參考號|訂單號|訂單編號)";
        let hebrew = r"(?:מספר\s+הזמנה|מספר\s+אסמכתא|מספר\s+פנייה|מספר\s+עסקה|פנייה\s+מספר|הזמנה\s+מספר|אסמכתא)";
        labelled_re(&format!("(?:{pure}{SUFFIX}?|{labelled}{SUFFIX})"), han, hebrew)
    })
}

/// Whether `text` may hold a reference or an amount: every pattern here
/// needs a digit. Most clauses have none, and this one scan spares them the
/// three regexes each clause of a reason would otherwise run.
fn has_digit(text: &str) -> bool {
    text.chars().any(char::is_numeric)
}

/// What may stand between a reference and the words beside it.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；' | ':' | '：' | '-' | '–')
}

/// What of a clause to keep when it starts or ends with a reference given
/// beside the problem, with no sentence end between ("… from my tablet
/// אסמכתא 6950668", "Transaction ID 2706e953 the transfer failed"): the
/// byte range without it (and the punctuation after it), or the whole
/// clause. Left in, the reference word gathered unrelated problems into
/// one category. A reference inside the clause stays.
pub(crate) fn without_edge_references(clause: &str) -> (usize, usize) {
    if !has_digit(clause) {
        return (0, clause.len());
    }
    let is_end = |c: char| is_gap(c) || matches!(c, '.' | '!' | '?' | '。' | '！' | '？');
    let mut spans: Vec<(usize, usize)> = pure_reference_re()
        .captures_iter(clause)
        .filter_map(|c| labelled_identifier(clause, &c))
        .chain(amount_re().find_iter(clause).map(|m| (m.start(), m.end())))
        .collect();
    spans.sort_unstable();
    let (mut start, mut end) = (0, clause.len());
    if let Some(&(s, e)) = spans.first() {
        if clause[..s].chars().all(is_gap) {
            let rest = &clause[e..];
            start = e + (rest.len() - rest.trim_start_matches(is_end).len());
        }
    }
    if let Some(&(s, e)) = spans.last() {
        if s >= start && clause[e..].chars().all(is_end) {
            end = clause[..s].trim_end_matches(is_gap).len();
        }
    }
    if start >= end || !clause[start..end].chars().any(char::is_alphanumeric) {
        return (0, clause.len());
    }
    (start, end)
}

/// The pieces of a clause either side of a reference given inside it,
/// after the problem and before more words, with no sentence end between
/// ("你能点亮灯光吗流水号 20261003真的很着急", "please remove item a from
/// my list Ref: NW4821 Quick question"): byte ranges without the
/// reference, in order; the whole clause when there is none. Only where
/// the words before it state something (content words): in "the ref 12345
/// was rejected" or "my order #4821 never came" the reference is what the
/// clause is about, and the clause stays whole. Chinese runs sentences
/// together without punctuation in chat, so this is where its references
/// sit; left in, "流水号" named a group of unrelated requests.
pub(crate) fn inner_reference_pieces(clause: &str) -> Vec<(usize, usize)> {
    if !has_digit(clause) {
        return vec![(0, clause.len())];
    }
    let mut pieces = Vec::new();
    let mut from = 0;
    for c in pure_reference_re().captures_iter(clause) {
        let Some((s, e)) = labelled_identifier(clause, &c) else {
            continue;
        };
        if s < from {
            continue;
        }
        let before = clause[from..s].trim_end_matches(is_gap);
        let after = &clause[e..];
        let more_after = after.chars().any(char::is_alphanumeric);
        if !more_after || super::words(before).is_empty() {
            continue;
        }
        pieces.push((from, from + before.len()));
        from = e + (after.len() - after.trim_start_matches(is_gap).len());
    }
    pieces.push((from, clause.len()));
    pieces
}

/// The byte span of a label-and-identifier match (group 1: the
/// identifier) when the identifier has at least two digits and ends
/// there: an amount is not an identifier ("订单12元").
fn labelled_identifier(text: &str, c: &regex::Captures<'_>) -> Option<(usize, usize)> {
    let (whole, id) = (c.get(0)?, c.get(1)?);
    let digits = id.as_str().chars().filter(char::is_ascii_digit).count();
    let next = text[id.end()..].chars().next();
    let ends = next.is_none_or(|ch| !ch.is_alphanumeric() || super::is_han(ch));
    let unit =
        next.is_some_and(|ch| matches!(ch, '元' | '块' | '塊' | '圆' | '圓' | '₪' | '$' | '%'));
    (digits >= 2 && ends && !unit).then(|| (whole.start(), whole.end()))
}

/// The byte spans of the references in `text`.
fn references(text: &str) -> Vec<(usize, usize)> {
    let amounts = amount_re().find_iter(text).map(|m| (m.start(), m.end()));
    let mut spans: Vec<(usize, usize)> = reference_re()
        .captures_iter(text)
        .filter_map(|c| labelled_identifier(text, &c))
        .collect();
    // In text order, and a span starting inside the one before it dropped,
    // so `without_references` can cut them in one pass.
    spans.extend(amounts);
    spans.sort_unstable();
    spans.dedup_by(|b, a| b.0 < a.1);
    spans
}

/// `text` without its references, or `None` when it has none.
fn without_references(text: &str) -> Option<String> {
    let spans = references(text);
    (!spans.is_empty()).then(|| cut(text, &spans))
}

/// `text` with each of `spans` (in order, not overlapping) replaced by a
/// space.
fn cut(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(s, e) in spans {
        out.push_str(&text[at..s]);
        out.push(' ');
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// Numbers and identifiers said without a label: an answer to the
/// agent's "can you give me …" ("Sure, it's 53841698", "It was for
/// £210.37", "6c4d3187"). ASCII word bounds, so "好的20261003" has one.
fn bare_number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:[$€£¥₪]\s*)?(?-u:\b)[A-Za-z0-9]*[0-9][A-Za-z0-9.,]*(?-u:\b)")
            .expect("the number pattern compiles")
    })
}

/// `text` without its bare numbers and identifiers (a token of digits, or
/// of letters and at least two digits: not "4g" or "ps5"), and whether it
/// had one.
fn without_bare_numbers(text: &str) -> (String, bool) {
    let spans: Vec<(usize, usize)> = bare_number_re()
        .find_iter(text)
        .filter(|m| {
            let token = m
                .as_str()
                .trim_start_matches(['$', '€', '£', '¥', '₪', ' ']);
            let digits = token.chars().filter(char::is_ascii_digit).count();
            let letters = token.chars().filter(char::is_ascii_alphabetic).count();
            letters == 0 || (digits >= 2 && token.len() >= 6)
        })
        .map(|m| (m.start(), m.end()))
        .collect();
    (cut(text, &spans), !spans.is_empty())
}

/// True for text that holds at least one reference (labelled, or a bare
/// number or identifier) and, around them, only what states no problem or
/// goes with one (a greeting, thanks, "it's", "my", punctuation): "Order
/// 12345.", "hi, transaction id 8f3a9c21 thanks", "流水号 20261003谢谢啦",
/// "Sure, it's 53841698", "It was for £210.37". "Charged 32.19 twice"
/// states a problem.
pub fn only_references(text: &str) -> bool {
    if !has_digit(text) {
        return false;
    }
    let (rest, had) = without_any_references(text);
    had && (states_no_problem(&rest) || only_courtesy_or_fillers(&rest))
}

/// `text` without its references, labelled or bare, and whether it had
/// one.
fn without_any_references(text: &str) -> (String, bool) {
    let labelled = without_references(text);
    let found = labelled.is_some();
    let rest = labelled.unwrap_or_else(|| text.to_string());
    let (rest, bare) = without_bare_numbers(&rest);
    (rest, found || bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_and_an_identifier_are_a_reference() {
        for t in [
            "Order 12345.",
            "order #A-77812",
            "Transaction ID 8f3a9c21.",
            "transaction id 186c4234",
            "Hi, my ticket number is 55123, thanks!",
            "Booking ref: XK92Q7",
            "流水号 20261003",
            "流水号 20261003谢谢啦。",
            "订单号：88812345",
            "訂單編號 4471234",
            "מספר הזמנה 4471",
            "אסמכתא 998877, תודה",
            "金额441.77元。",
            "Amount: $32.19",
            "סכום 120 ₪",
            // A thanks that says it is over, or praises, beside one.
            "Thank you, that worked. Order #2232095.",
            "Thanks so much, all sorted now! Order #5000436.",
            "好了，谢谢。流水号 300040",
            "תודה, הסתדר. אסמכתא 3889127",
            "afternoon, amazing service, thank you. order #6611006.",
        ] {
            assert!(only_references(t), "{t}");
        }
    }

    #[test]
    fn a_reference_at_a_clauses_edge_goes() {
        let kept = |t: &str| {
            let (a, b) = without_edge_references(t);
            t[a..b].to_string()
        };
        assert_eq!(
            kept("תוכל להדליק את המכשיר מהטאבלט שלך אסמכתא 6950668"),
            "תוכל להדליק את המכשיר מהטאבלט שלך"
        );
        assert_eq!(
            kept("אסמכתא 7693978 בדקתי כבר בשאלות הנפוצות."),
            "בדקתי כבר בשאלות הנפוצות."
        );
        assert_eq!(
            kept("Transaction ID 2706e953. the transfer failed"),
            "the transfer failed"
        );
        assert_eq!(
            kept("the transfer failed Order #4821."),
            "the transfer failed"
        );
        assert_eq!(kept("תגדירי רשימה הסכום היה 694.14 ₪."), "תגדירי רשימה");
        assert_eq!(kept("退款没到 流水号 20261003"), "退款没到");
        // The label is what the problem is about, or the reference sits
        // inside the clause, or it is all there is: kept whole.
        for t in [
            "my order 12345 never came",
            "I want to check my order 12345",
            "the ref 12345 was rejected by the shop",
            "Order #4821.",
            "top up 20",
        ] {
            assert_eq!(kept(t), t);
        }
    }

    #[test]
    fn a_reference_inside_a_clause_after_the_problem_splits_it() {
        let pieces = |t: &str| -> Vec<String> {
            inner_reference_pieces(t)
                .into_iter()
                .map(|(a, b)| t[a..b].to_string())
                .collect()
        };
        assert_eq!(
            pieces("你能点亮灯光吗流水号 20261003真的很着急。"),
            vec!["你能点亮灯光吗", "真的很着急。"]
        );
        assert_eq!(
            pieces("please remove item a from my list Ref: NW4821 Quick question."),
            vec!["please remove item a from my list", "Quick question."]
        );
        assert_eq!(
            pieces("מה מזג האוויר כרגע באילת אסמכתא 6950668 תודה מראש."),
            vec!["מה מזג האוויר כרגע באילת", "תודה מראש."]
        );
        // What the clause is about, at its edge, or no reference: whole.
        for t in [
            "the ref 12345 was rejected by the shop",
            "my order #4821 never came",
            "I want to check my order 12345",
            "退款没到 流水号 20261003",
            "top up 20 please",
        ] {
            assert_eq!(pieces(t), vec![t.to_string()], "{t}");
        }
    }

    #[test]
    fn an_amount_said_with_a_verb_is_a_reference() {
        for t in [
            "הסכום היה 694.14 ₪.",
            "The amount was £32.19.",
            "金额是441.77元。",
        ] {
            assert!(only_references(t), "{t}");
        }
    }

    #[test]
    fn a_number_given_without_a_label_is_a_reference() {
        // Answers to "can you give me your account number / the amount".
        for t in [
            "Sure, it's 53841698.",
            "It was for £210.37.",
            "Afternoon, nice to speak with you It was for £210.37.",
            "Hello, good morning. Transaction ID 6c4d3187. My account number is 53841698. Okay, thanks for your help.",
            "12345",
            "6c4d3187",
            "好的，20261003",
            "כן, 4471",
        ] {
            assert!(only_references(t), "{t}");
        }
        for t in [
            "my ps5 is broken",
            "4g not working since 2 days",
            "I paid 210.37 and got nothing",
            "top up 20",
            "refund of £32.19 please",
            "is it 20?",
        ] {
            assert!(!only_references(t), "{t}");
        }
    }

    #[test]
    fn a_problem_beside_a_reference_is_kept() {
        for t in [
            "Order 12345 never arrived",
            "Transaction ID 8f3a9c21. I was charged twice",
            "my order never came",
            "top up 20 failed",
            "订单12元被扣了两次",
            "退款没有到账，订单号 88812345",
            "ההזמנה 4471 לא הגיעה",
            "charged 32.19 twice",
            "金额不对，多扣了12元",
            // A chase says what it chases.
            "Any update on order 12345?",
            "Still waiting, order #2232095",
            "That didn't work. Order #2232095.",
            "Thanks, it worked but order 12345 is still missing",
            "已经好了吗？流水号 300040",
            "order",
            "",
        ] {
            assert!(!only_references(t), "{t}");
        }
    }

    #[test]
    fn amounts_and_ordinals_are_not_identifiers() {
        assert!(references("订单12元").is_empty());
        assert!(references("order 2 pizzas").is_empty());
        assert!(references("case 7").is_empty());
        assert_eq!(references("see order 12345 please").len(), 1);
    }
}
