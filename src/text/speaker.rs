//! Speaker turns of a transcript (en/zh/he prefixes, Simplified and
//! Traditional) and the customer's own words.

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
    "agent", "rep", "advisor", "staff", "客服", "坐席", "专员", "卖家", "נציג",
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
    // Traditional labels (客戶, 顧客, 專員 ...) read as their Simplified form.
    let simple = super::unicode::to_simplified(head);
    let is = |list: &[&str]| {
        list.iter()
            .any(|p| head.eq_ignore_ascii_case(p) || simple == *p)
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
