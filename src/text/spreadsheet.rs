//! CSV cells a spreadsheet will not execute (OWASP's CSV injection advice).
//!
//! Excel, LibreOffice and Google Sheets run a cell that starts with `=`,
//! `+`, `-` or `@` (and tab or carriage return, which some strip first) as
//! a formula: a customer's "=HYPERLINK(…)" in a transcript would run on
//! the analyst's machine. Such a cell gets a leading `'`, which spreadsheets
//! hide and treat as "text"; a number such as `-3` or `+44` stays a number.
//! Every CSV meant to be opened by people goes through [`SafeCsv`].

use std::borrow::Cow;

/// `s`, or `'` + `s` when a spreadsheet would run it as a formula.
pub fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    let risky = s
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A plain decimal number (`-3`, `+1.5`, `-0.25e3`): what a spreadsheet
/// reads as a value, not a formula.
fn is_number(s: &str) -> bool {
    s.len() > 1
        && s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A CSV writer whose every cell is [`spreadsheet_safe`].
pub struct SafeCsv<W: std::io::Write> {
    inner: csv::Writer<W>,
}

impl<W: std::io::Write> SafeCsv<W> {
    pub fn new(inner: csv::Writer<W>) -> Self {
        SafeCsv { inner }
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner.write_record(
            record
                .into_iter()
                .map(|c| spreadsheet_safe(c.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_stay_numbers() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+1 555 0100", "'+1 555 0100"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "'\t=1+1"),
            ("-", "'-"),
            ("-3", "-3"),
            ("+44", "+44"),
            ("-0.25", "-0.25"),
            ("-inf", "'-inf"),
            ("my card = lost", "my card = lost"),
            ("退款", "退款"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), want, "{cell}");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell() {
        let mut w = SafeCsv::new(csv::Writer::from_writer(Vec::new()));
        w.write_record(["=1+1", "-3", "ok"]).unwrap();
        w.write_record(vec!["@x".to_string(), "+2".into(), "-".into()])
            .unwrap();
        w.flush().unwrap();
        let out = String::from_utf8(w.inner.into_inner().unwrap()).unwrap();
        assert_eq!(out, "'=1+1,-3,ok\n'@x,+2,'-\n");
    }
}
