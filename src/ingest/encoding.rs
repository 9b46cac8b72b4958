//! Encoding diagnostics: bytes that are not UTF-8, escaped for `rejected.csv` and named in errors.

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

/// Names the likely encoding of bytes that are not UTF-8.
pub fn describe_bad_utf8(bytes: &[u8], valid_up_to: usize) -> String {
    let shown: Vec<String> = bytes[valid_up_to..]
        .iter()
        .take(4)
        .map(|b| format!("{b:02X}"))
        .collect();
    let guess = if encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    {
        "the bytes decode as Chinese GBK/GB18030 (or Big5, Traditional Chinese, which often decodes as GBK too): pass --encoding gb18030 (or --encoding big5), or re-export as UTF-8"
    } else if bytes[valid_up_to..]
        .iter()
        .any(|b| (0xE0..=0xFA).contains(b))
        && encoding_rs::WINDOWS_1255
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some_and(|s| s.chars().any(|c| ('\u{05d0}'..='\u{05ea}').contains(&c)))
        && !bytes.iter().any(|b| (0x41..=0x7A).contains(b))
    {
        "the bytes look like Hebrew Windows-1255: pass --encoding windows-1255, or re-export as UTF-8"
    } else {
        "the bytes look like a legacy 8-bit encoding (e.g. Windows-1252/Latin-1): pass --encoding windows-1252, or re-export as UTF-8"
    };
    format!(
        "invalid UTF-8 at byte {} (bytes {}); {}",
        valid_up_to + 1,
        shown.join(" "),
        guess
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_encoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("你好，退款");
        let e = std::str::from_utf8(&gbk).unwrap_err();
        assert!(describe_bad_utf8(&gbk, e.valid_up_to()).contains("GBK"));
        assert_eq!(escape_invalid_utf8(b"ab\xC4\xE3c"), "ab\\xC4\\xE3c");
    }
}
