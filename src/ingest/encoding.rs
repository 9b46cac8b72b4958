//! Encoding diagnostics: bytes that are not UTF-8, escaped for `rejected.csv`
//! and named in errors with the `--encoding` value that reads them.
//!
//! Legacy encodings (Big5, GBK, Shift_JIS, Windows-1255 …) are told apart by
//! `chardetng` (Firefox's detector), from the file's first MiB where there
//! is one, else from the bytes at hand. UTF-16 and UTF-32 are found by their
//! byte order mark or, without one, by where the NUL bytes fall: a text file
//! holds no NULs of its own, and every ASCII character in UTF-16 carries one.

use encoding_rs::Encoding;

/// The bytes as text; bytes that are not UTF-8 are kept as `\xNN`.
pub fn escape_invalid_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for b in &rest[..bad] {
                    out.push_str(&format!("\\x{b:02X}"));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// The legacy encoding a file's first bytes are in, when they are not UTF-8
/// (`None` when they are, or when the only fault is a character cut at the
/// end of `head`). Every row of the file is then named with it: one field's
/// few bytes say less than the file's first MiB.
pub fn guess_file(head: &[u8]) -> Option<&'static Encoding> {
    match std::str::from_utf8(head) {
        Ok(_) => None,
        Err(e) if e.error_len().is_none() => None,
        Err(_) => Some(guess_legacy(head)),
    }
}

/// The `--encoding` value that reads `e` (`recontact init` proposes it).
pub fn encoding_flag(e: &'static Encoding) -> String {
    suggestion(e).0
}

/// chardetng's guess for bytes that are not UTF-8.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    d.feed(bytes, false);
    d.guess(None, chardetng::Utf8Detection::Deny)
}

/// The `--encoding` value that reads `enc` and what it is, for people.
/// GBK is read as GB18030 (its superset); ISO-8859-8 as Windows-1255 (its
/// superset, what Hebrew Windows exports are).
fn suggestion(e: &'static Encoding) -> (String, &'static str) {
    use encoding_rs::*;
    let what = if e == GBK || e == GB18030 {
        "Simplified Chinese GBK/GB18030"
    } else if e == BIG5 {
        "Traditional Chinese Big5"
    } else if e == SHIFT_JIS || e == EUC_JP || e == ISO_2022_JP {
        "Japanese"
    } else if e == EUC_KR {
        "Korean"
    } else if e == WINDOWS_1255 || e == ISO_8859_8 || e == ISO_8859_8_I {
        "Hebrew"
    } else if e == WINDOWS_1256 || e == ISO_8859_6 {
        "Arabic"
    } else if e == WINDOWS_1251 || e == KOI8_R || e == KOI8_U || e == IBM866 || e == ISO_8859_5 {
        "Cyrillic"
    } else if e == WINDOWS_1253 || e == ISO_8859_7 {
        "Greek"
    } else if e == WINDOWS_874 {
        "Thai"
    } else if e == WINDOWS_1258 {
        "Vietnamese"
    } else if e == WINDOWS_1254 {
        "Turkish"
    } else if e == WINDOWS_1250 || e == ISO_8859_2 {
        "Central European"
    } else if e == WINDOWS_1257 || e == ISO_8859_4 || e == ISO_8859_13 {
        "Baltic"
    } else {
        "a Western European 8-bit encoding (Latin-1)"
    };
    let flag = if e == GBK {
        GB18030.name()
    } else if e == ISO_8859_8 || e == ISO_8859_8_I {
        WINDOWS_1255.name()
    } else {
        e.name()
    };
    (flag.to_ascii_lowercase(), what)
}

/// Names the likely encoding of bytes that are not UTF-8 (`valid_up_to`:
/// where the first bad byte is) and the flag that reads them; `file_guess`
/// is [`guess_file`]'s answer for the whole file, used when there is one.
pub fn describe_bad_utf8(
    bytes: &[u8],
    valid_up_to: usize,
    file_guess: Option<&'static Encoding>,
) -> String {
    let shown: Vec<String> = bytes
        .get(valid_up_to..)
        .unwrap_or_default()
        .iter()
        .take(4)
        .map(|b| format!("{b:02X}"))
        .collect();
    let (flag, what) = suggestion(file_guess.unwrap_or_else(|| guess_legacy(bytes)));
    format!(
        "invalid UTF-8 at byte {} (bytes {}); the bytes read as {what} ({flag}): pass --encoding {flag}, or re-export as UTF-8",
        valid_up_to + 1,
        shown.join(" "),
    )
}

/// A file in one of the wide Unicode forms, which a UTF-8 reader would take
/// for text full of NULs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wide {
    /// UTF-16 with a byte order mark.
    Utf16Bom,
    /// UTF-16 without one; `true` for little-endian.
    Utf16(bool),
    /// UTF-32 (either mark or none); `true` for little-endian.
    Utf32(bool),
}

/// Whether a file's first bytes are UTF-16 or UTF-32.
pub fn wide_unicode(head: &[u8]) -> Option<Wide> {
    match head {
        [0xFF, 0xFE, 0, 0, ..] => return Some(Wide::Utf32(true)),
        [0, 0, 0xFE, 0xFF, ..] => return Some(Wide::Utf32(false)),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return Some(Wide::Utf16Bom),
        _ => {}
    }
    // Only whole units, and enough of them to count.
    let n = head.len() / 4 * 4;
    if n < 8 {
        return None;
    }
    let mut nul = [0usize; 4];
    for (i, &b) in head[..n].iter().enumerate() {
        if b == 0 {
            nul[i % 4] += 1;
        }
    }
    let units = n / 4;
    // Every position of the pattern NUL in 9 of 10 units, the others in
    // fewer than 1 in 10: NUL bytes in a few ids do not make a file wide.
    let most = |k: usize| nul[k] * 10 >= units * 9;
    let few = |k: usize| nul[k] * 10 < units;
    if most(2) && most(3) && few(0) {
        return Some(Wide::Utf32(true));
    }
    if most(0) && most(1) && few(3) {
        return Some(Wide::Utf32(false));
    }
    // UTF-16: a CSV's delimiters, digits and header are ASCII, so the high
    // byte is NUL in at least 1 of 5 units even in dense Chinese text; the
    // other byte is NUL only for the few characters at U+xx00.
    let (even, odd) = (nul[0] + nul[2], nul[1] + nul[3]);
    let pairs = n / 2;
    if odd * 5 >= pairs && even * 20 < pairs {
        return Some(Wide::Utf16(true));
    }
    if even * 5 >= pairs && odd * 20 < pairs {
        return Some(Wide::Utf16(false));
    }
    None
}

/// What to do about a wide file, for the error that refuses it.
pub fn wide_advice(w: Wide) -> String {
    match w {
        Wide::Utf16Bom => {
            "file is UTF-16 encoded; export it as UTF-8, or pass --encoding utf-16le".into()
        }
        Wide::Utf16(le) => {
            let e = if le { "utf-16le" } else { "utf-16be" };
            format!("file looks {} encoded without a byte order mark (every other byte is NUL); pass --encoding {e}, or export it as UTF-8", e.to_ascii_uppercase())
        }
        Wide::Utf32(le) => {
            let e = if le { "UTF-32LE" } else { "UTF-32BE" };
            format!("file looks {e} encoded, which recontact cannot read; convert it to UTF-8 (e.g. iconv -f {e} -t UTF-8)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Realistic contact texts: Traditional Chinese, Simplified Chinese, Hebrew.
    const TRAD: &str = "客戶：您好，我上星期申請的退款到現在還沒有到帳，請問什麼時候會處理？我的訂單編號已經提供給客服了，麻煩儘快幫我確認一下，謝謝。";
    const SIMP: &str = "客户：你好，我上周申请的退款到现在还没有到账，请问什么时候会处理？我的订单号已经提供给客服了，麻烦尽快帮我确认一下，谢谢。";
    const HEB: &str = "לקוח: שלום, הכרטיס החדש שלי עדיין לא הגיע בדואר למרות שהזמנתי אותו לפני שבועיים. אפשר לבדוק מה קרה ולשלוח כרטיס חדש?";

    fn encoded(enc: &'static Encoding, s: &str) -> Vec<u8> {
        let (b, _, bad) = enc.encode(s);
        assert!(!bad, "{} encodes the text", enc.name());
        b.into_owned()
    }

    /// A file as an export writes it: a header and a few rows.
    fn export(text: &str) -> String {
        let mut s = String::from("contact_id,customer_id,started_at,text\n");
        for i in 0..5 {
            s.push_str(&format!("c{i},U{i},2026-10-0{}T09:00:00Z,{text}\n", i + 1));
        }
        s
    }

    fn flag_for(bytes: &[u8]) -> String {
        let e = std::str::from_utf8(bytes).unwrap_err();
        let msg = describe_bad_utf8(bytes, e.valid_up_to(), None);
        let flag = msg.rsplit("--encoding ").next().unwrap();
        flag.split(',').next().unwrap().to_string()
    }

    #[test]
    fn legacy_encodings_are_named_with_the_flag_that_reads_them() {
        for (enc, text, flag) in [
            (encoding_rs::BIG5, TRAD, "big5"),
            (encoding_rs::GBK, SIMP, "gb18030"),
            (encoding_rs::WINDOWS_1255, HEB, "windows-1255"),
            (
                encoding_rs::SHIFT_JIS,
                "お客様：先週注文した商品がまだ届いていません。確認してください。",
                "shift_jis",
            ),
        ] {
            let file = encoded(enc, &export(text));
            assert_eq!(
                guess_file(&file).map(|e| suggestion(e).0),
                Some(flag.to_string()),
                "{}",
                enc.name()
            );
            // One field alone, without the file's guess.
            assert_eq!(flag_for(&encoded(enc, text)), flag, "{} field", enc.name());
            // The flag named reads the file back.
            let named = Encoding::for_label(flag.as_bytes()).unwrap();
            let (back, bad) = named.decode_without_bom_handling(&file);
            assert!(!bad && back.contains(text), "{flag} decodes");
        }
        let msg = describe_bad_utf8(b"a\xC4\xE3", 1, Some(encoding_rs::BIG5));
        assert!(
            msg.starts_with("invalid UTF-8 at byte 2 (bytes C4 E3); the bytes read as Traditional Chinese Big5 (big5): pass --encoding big5"),
            "{msg}"
        );
        assert_eq!(escape_invalid_utf8(b"ab\xC4\xE3c"), "ab\\xC4\\xE3c");
        // UTF-8, or a character cut at the end of the head, is no guess.
        assert_eq!(guess_file(export(TRAD).as_bytes()), None);
        assert_eq!(guess_file(&"退款".as_bytes()[..4]), None);
    }

    #[test]
    fn every_suggested_flag_is_an_encoding_name() {
        use encoding_rs::*;
        for e in [
            BIG5,
            EUC_JP,
            EUC_KR,
            GBK,
            IBM866,
            ISO_2022_JP,
            ISO_8859_13,
            ISO_8859_2,
            ISO_8859_4,
            ISO_8859_5,
            ISO_8859_6,
            ISO_8859_7,
            ISO_8859_8,
            ISO_8859_8_I,
            KOI8_R,
            KOI8_U,
            SHIFT_JIS,
            GB18030,
            WINDOWS_1250,
            WINDOWS_1251,
            WINDOWS_1252,
            WINDOWS_1253,
            WINDOWS_1254,
            WINDOWS_1255,
            WINDOWS_1256,
            WINDOWS_1257,
            WINDOWS_1258,
            WINDOWS_874,
        ] {
            let (flag, _) = suggestion(e);
            assert!(Encoding::for_label(flag.as_bytes()).is_some(), "{flag}");
        }
    }

    #[test]
    fn utf16_and_utf32_are_found_with_or_without_a_mark() {
        for text in [TRAD, SIMP, HEB] {
            let s = export(text);
            let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
            assert_eq!(wide_unicode(&le), Some(Wide::Utf16(true)));
            assert_eq!(wide_unicode(&be), Some(Wide::Utf16(false)));
            let (back, bad) = encoding_rs::UTF_16LE.decode_without_bom_handling(&le);
            assert!(!bad && back == s);
            let w32: Vec<u8> = s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
            assert_eq!(wide_unicode(&w32), Some(Wide::Utf32(true)));
            let b32: Vec<u8> = s.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
            assert_eq!(wide_unicode(&b32), Some(Wide::Utf32(false)));
        }
        assert_eq!(wide_unicode(&[0xFF, 0xFE, b'c', 0]), Some(Wide::Utf16Bom));
        assert_eq!(wide_unicode(&[0xFF, 0xFE, 0, 0]), Some(Wide::Utf32(true)));
        // UTF-8, a NUL in an id, a tiny file: not wide.
        assert_eq!(wide_unicode(export(HEB).as_bytes()), None);
        let nul_id =
            b"contact_id,customer_id,started_at,text\nc1,U1\0x,2026-10-01T09:00:00Z,hello\n";
        assert_eq!(wide_unicode(nul_id), None);
        assert_eq!(wide_unicode(b"a\0b\0"), None);
        assert!(wide_advice(Wide::Utf16(true)).contains("--encoding utf-16le"));
        assert!(wide_advice(Wide::Utf32(false)).contains("iconv -f UTF-32BE"));
    }
}
