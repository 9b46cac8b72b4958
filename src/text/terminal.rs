//! Text printed to a terminal: control characters shown, never obeyed.
//!
//! Contact text, ids and file contents reach the terminal through `search`,
//! the run summary and error messages; an escape sequence in them could
//! clear the screen, retitle the window or write the clipboard (OSC 52).

use std::borrow::Cow;

/// `s` with every control character but line feed and tab written as a
/// visible escape (`\u{1b}`): C0, DEL and C1.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("clear \x1b[2J now"), "clear \\u{1b}[2J now");
        assert_eq!(
            terminal_safe("\x1b]52;c;ZXZpbA==\x07"),
            "\\u{1b}]52;c;ZXZpbA==\\u{7}"
        );
        assert_eq!(terminal_safe("a\u{9b}b\r"), "a\\u{9b}b\\u{d}");
        assert!(matches!(
            terminal_safe("line\n\tשלום 退款"),
            Cow::Borrowed("line\n\tשלום 退款")
        ));
    }
}
