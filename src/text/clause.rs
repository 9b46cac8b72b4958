//! Clauses of a line (the unit that reasons keep or drop and that
//! boilerplate is counted in), and joining kept clauses back without
//! changing the customer's words.
//!
//! A clause ends at CJK sentence or clause punctuation (。！？，；), and at
//! ASCII `. , ; ! ?` (and `…`) only where a clause can end: before a space
//! or the end of the line, or, for `,` `;` `!` `?`, before anything but a
//! digit. So "32.19", "1,000", "t.co" and "e-mail.com" are never split.

use super::unicode::is_cjk;

fn is_cjk_stop(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '，' | '；' | '｡' | '､')
}

fn is_ascii_stop(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ',' | ';' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '"' | '\'' | '”' | '’' | '」' | '』' | '）' | '】' | '》'
    )
}

/// Byte spans `(start, end)` of the clauses of one line, trimmed, each with
/// its own closing punctuation; whitespace-only clauses left out.
pub(crate) fn clause_spans(line: &str) -> Vec<(usize, usize)> {
    spans(line, true)
}

/// Byte spans of the sentences of one line: as clauses, but `,` `;` (and
/// `，` `；`) do not end one.
pub(crate) fn sentence_spans(line: &str) -> Vec<(usize, usize)> {
    spans(line, false)
}

fn spans(line: &str, commas: bool) -> Vec<(usize, usize)> {
    let is_cjk_stop = |c: char| is_cjk_stop(c) && (commas || !matches!(c, '，' | '；' | '､'));
    let is_ascii_stop = |c: char| is_ascii_stop(c) && (commas || !matches!(c, ',' | ';'));
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    let push = |out: &mut Vec<(usize, usize)>, s: usize, e: usize| {
        let piece = &line[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if lead + trail < piece.len() {
            out.push((s + lead, e - trail));
        }
    };
    while i < chars.len() {
        let c = chars[i].1;
        if !(is_cjk_stop(c) || is_ascii_stop(c)) {
            i += 1;
            continue;
        }
        // The run of stops (and closing quotes) after the clause.
        let mut j = i;
        let mut cjk = false;
        let mut strong = false;
        let mut dot = false;
        while j < chars.len() && (is_cjk_stop(chars[j].1) || is_ascii_stop(chars[j].1)) {
            let s = chars[j].1;
            cjk |= is_cjk_stop(s);
            strong |= matches!(s, '!' | '?' | '…');
            dot |= s == '.';
            j += 1;
        }
        while j < chars.len() && is_closer(chars[j].1) {
            j += 1;
        }
        let next = chars.get(j).map(|x| x.1);
        let ends = cjk
            || match next {
                None => true,
                Some(n) if n.is_whitespace() || is_cjk(n) => true,
                Some(n) => strong || (!dot && !n.is_ascii_digit()),
            };
        if ends {
            let end = chars.get(j).map_or(line.len(), |x| x.0);
            push(&mut out, start, end);
            start = end;
        }
        i = j.max(i + 1);
    }
    push(&mut out, start, line.len());
    out
}

/// The clauses of one line as string slices.
#[cfg(test)]
pub(crate) fn clauses(line: &str) -> Vec<&str> {
    clause_spans(line)
        .into_iter()
        .map(|(s, e)| &line[s..e])
        .collect()
}

/// `text` without the sentences `drop_sentence` and the clauses
/// `drop_clause` accept, the kept clauses joined by [`Joiner`]; `None` when
/// nothing was dropped. The one walk boilerplate stripping and
/// `text::without_clauses` share.
pub(crate) fn drop_clauses(
    text: &str,
    drop_sentence: impl Fn(&str) -> bool,
    drop_clause: impl Fn(&str) -> bool,
) -> Option<String> {
    let mut joiner = Joiner::default();
    let mut dropped = false;
    for (line_no, line) in text.lines().enumerate() {
        let mut adjacent = false;
        for (s, e) in sentence_spans(line) {
            let whole = drop_sentence(&line[s..e]);
            for (a, b) in clause_spans(&line[s..e]) {
                let span = (s + a, s + b);
                if whole || drop_clause(&line[span.0..span.1]) {
                    dropped = true;
                    adjacent = false;
                    continue;
                }
                joiner.push(line_no, line, span, adjacent);
                adjacent = true;
            }
        }
    }
    dropped.then(|| joiner.finish())
}

/// Kept clauses joined: clauses that were next to each other in one line
/// keep the text between them as written; clauses of different lines are
/// joined by a line break (a template line pasted under a message stays
/// its own line, for the boilerplate learner); otherwise a space, or
/// nothing between CJK. Trailing clause punctuation (`,` `，` `;`) left by a dropped
/// continuation goes.
#[derive(Default)]
pub(crate) struct Joiner {
    out: String,
    /// (line number, end byte) of the last kept clause.
    last: Option<(usize, usize)>,
    /// The next clause starts a new line (see [`Joiner::push_break`]).
    break_next: bool,
}

impl Joiner {
    /// Adds clause `span` of line `line_no` (text `line`); `adjacent` says
    /// whether no clause was dropped since the last kept one.
    pub(crate) fn push(
        &mut self,
        line_no: usize,
        line: &str,
        span: (usize, usize),
        adjacent: bool,
    ) {
        let text = &line[span.0..span.1];
        let broken = std::mem::take(&mut self.break_next);
        match self.last {
            Some(_) if broken => self.out.push('\n'),
            Some((l, end)) if l == line_no && adjacent => self.out.push_str(&line[end..span.0]),
            Some((l, _)) if l != line_no => self.out.push('\n'),
            Some(_) => {
                let prev_cjk = self
                    .out
                    .chars()
                    .last()
                    .is_some_and(|c| is_cjk(c) || is_cjk_stop(c));
                let next_cjk = text.chars().next().is_some_and(is_cjk);
                if !(prev_cjk && next_cjk) {
                    self.out.push(' ');
                }
            }
            None => {}
        }
        self.out.push_str(text);
        self.last = Some((line_no, span.1));
    }

    /// The next clause is joined by a line break, as if it began a line:
    /// what was cut out between them separated them.
    pub(crate) fn push_break(&mut self) {
        self.break_next = true;
    }

    pub(crate) fn finish(self) -> String {
        self.out
            .trim_end_matches([',', '，', ';', '；', '、', ' '])
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_urls_and_abbreviations_stay_whole() {
        assert_eq!(
            clauses("I paid $32.19, not 1,000. Why?"),
            vec!["I paid $32.19,", "not 1,000.", "Why?"]
        );
        assert_eq!(
            clauses("see amazon.com/help now"),
            vec!["see amazon.com/help now"]
        );
        assert_eq!(clauses("iOS 10.2 is slow"), vec!["iOS 10.2 is slow"]);
        assert_eq!(clauses("Hi,my card"), vec!["Hi,", "my card"]);
        assert_eq!(clauses("done!Thanks"), vec!["done!", "Thanks"]);
        assert_eq!(
            clauses("He said \"no.\" Then left"),
            vec!["He said \"no.\"", "Then left"]
        );
    }

    #[test]
    fn sentences_keep_their_commas() {
        let line = "Hi, I paid 32.19, twice. 退款，没到。Ok";
        let s: Vec<&str> = sentence_spans(line)
            .into_iter()
            .map(|(a, b)| &line[a..b])
            .collect();
        assert_eq!(s, vec!["Hi, I paid 32.19, twice.", "退款，没到。", "Ok"]);
    }

    #[test]
    fn cjk_and_hebrew() {
        assert_eq!(
            clauses("您好，我的退款还没到账。金额32.19元！"),
            vec!["您好，", "我的退款还没到账。", "金额32.19元！"]
        );
        assert_eq!(clauses("退款.没到"), vec!["退款.", "没到"]);
        assert_eq!(
            clauses("שלום, הכרטיס לא הגיע."),
            vec!["שלום,", "הכרטיס לא הגיע."]
        );
    }

    #[test]
    fn joins_as_written() {
        let line = "Hi, I paid 32.19 ,  twice. Thanks";
        let spans = clause_spans(line);
        let mut j = Joiner::default();
        j.push(0, line, spans[1], false);
        j.push(0, line, spans[2], true);
        assert_eq!(j.finish(), "I paid 32.19 ,  twice.");
        let zh = "您好，我的退款，没到";
        let s = clause_spans(zh);
        let mut j = Joiner::default();
        j.push(0, zh, s[1], false);
        j.push(1, "没到", (0, "没到".len()), false);
        assert_eq!(j.finish(), "我的退款，\n没到", "lines stay lines");
    }
}
