//! Text shared by stages, one concept per file:
//!
//! - `unicode`: NFKC + case folding, script detection (Han, Hebrew, Latin);
//! - `tables`: stop words, jieba, the stemmer — every word list in one place;
//! - `speaker`: transcript turns and the customer's own words;
//! - `terms`: hashed terms for the lexical same-issue test, repeat cues;
//! - `words`: keyword words (segmented, stop-worded, stemmed);
//! - `clean`: raw text cleaned (mentions, URLs, emoji, sign-offs, quoted
//!   e-mails, HTML entities) before reasons are read;
//! - `clause`: clauses of a line, joined back as written;
//! - `reason`: an episode's contact reason and PII masking;
//! - `boilerplate`: template phrases learned from the month and stripped;
//! - `noproblem`: contacts that state no problem (thanks, ok, auto-replies);
//! - `praise`: praise and celebration that ask for nothing;
//! - `shared`: texts without the clauses another text also says (the
//!   same-issue test; a customer's context across their episodes);
//! - `terminal`: control characters escaped in what is printed;
//! - `spreadsheet`: CSV cells a spreadsheet would run, neutralised.
//!
//! Works without spaces (CJK: segmented words or character bigrams) and for
//! right-to-left scripts (Hebrew words are kept as written; only case and
//! width fold).

pub mod boilerplate;
mod clause;
pub mod clean;
pub mod context;
mod noproblem;
mod praise;
pub mod reason;
mod reference;
mod shared;
mod speaker;
mod spreadsheet;
mod tables;
mod terminal;
mod terms;
mod unicode;
mod words;

pub use boilerplate::{Boilerplate, PhraseStats};
pub use clean::{clean, mentions};
pub use noproblem::states_no_problem;
pub use reference::only_references;
pub use shared::{apart, clause_keys, without_clauses};
pub use speaker::{customer_words, speaker_prefix, turns, Speaker};
pub use spreadsheet::{spreadsheet_safe, SafeCsv};
pub(crate) use tables::{jieba, stemmer};
pub use terminal::terminal_safe;
pub use terms::{fnv1a, has_repeat_cue, terms};
pub use unicode::{dominant_script, is_han, normalize, normalize_width, Script};
pub(crate) use unicode::{is_hebrew, to_simplified};
pub(crate) use words::{hebrew_key, hebrew_prefix_forms};
pub use words::{join_words, other_latin_language, segments, words, Token, Word};

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn prefixes_in_three_languages() {
        assert_eq!(
            speaker_prefix("Customer: my card"),
            Some((Speaker::Customer, "my card"))
        );
        assert_eq!(speaker_prefix("AGENT: hi"), Some((Speaker::Agent, "hi")));
        assert_eq!(
            speaker_prefix("客户：我的卡"),
            Some((Speaker::Customer, "我的卡"))
        );
        assert_eq!(speaker_prefix("客服：您好"), Some((Speaker::Agent, "您好")));
        assert_eq!(
            speaker_prefix("לקוח: הכרטיס שלי"),
            Some((Speaker::Customer, "הכרטיס שלי"))
        );
        assert_eq!(speaker_prefix("נציג: שלום"), Some((Speaker::Agent, "שלום")));
        assert_eq!(speaker_prefix("Note: something"), None);
        assert_eq!(speaker_prefix("at 10:30 I called"), None);
    }

    #[test]
    fn traditional_chinese_reads_like_simplified() {
        // The data contract's Traditional labels.
        for (label, who) in [
            ("客戶", Speaker::Customer),
            ("顧客", Speaker::Customer),
            ("用戶", Speaker::Customer),
            ("買家", Speaker::Customer),
            ("客服", Speaker::Agent),
            ("坐席", Speaker::Agent),
            ("專員", Speaker::Agent),
            ("专员", Speaker::Agent),
            ("賣家", Speaker::Agent),
        ] {
            let line = format!("{label}：我的卡");
            assert_eq!(speaker_prefix(&line).map(|(w, _)| w), Some(who), "{label}");
        }
        let t = "客服：您好，請問有什麼可以幫您？\n客戶：我的退款還是沒有到帳\n客服：好的。";
        assert_eq!(customer_words(t), "我的退款還是沒有到帳");
        // Repeat cues, terms and words compare in one form; words are shown
        // as written.
        assert!(has_repeat_cue(&normalize("我的退款還是沒有到帳")));
        assert!(has_repeat_cue(&normalize("我再次聯繫你們")));
        assert_eq!(normalize("還是"), normalize("还是"));
        assert_eq!(terms(&normalize("退款沒到")), terms(&normalize("退款没到")));
        let tw = words("優惠券找不到");
        let cn = words("优惠券找不到");
        assert_eq!(
            tw.iter().map(|w| &w.key).collect::<Vec<_>>(),
            cn.iter().map(|w| &w.key).collect::<Vec<_>>()
        );
        assert!(
            tw.iter()
                .any(|w| w.surface == "優惠券" && w.key == "优惠券"),
            "{tw:?}"
        );
        let seg = segments("我的帳戶被凍結了");
        assert!(
            seg.iter()
                .flatten()
                .any(|t| t.surface == "凍結" && t.key == "冻结"),
            "{seg:?}"
        );
    }

    #[test]
    fn customer_words_keep_only_customer_turns() {
        let t = "Agent: Hello, how can I help?\nCustomer: My card has not arrived.\nIt was sent a week ago.\nAgent: Sorry about that.";
        assert_eq!(
            customer_words(t),
            "My card has not arrived.\nIt was sent a week ago."
        );
        assert_eq!(customer_words("Plain email text."), "Plain email text.");
    }

    #[test]
    fn repeat_cues_in_three_languages() {
        assert!(has_repeat_cue(&normalize("I called before about this")));
        assert!(has_repeat_cue(&normalize("It is STILL NOT working")));
        assert!(has_repeat_cue(&normalize("我的退款还是没有到账")));
        assert!(has_repeat_cue(&normalize("上周已经反映过这个问题了")));
        assert!(has_repeat_cue(&normalize("我上週已經反映過這個問題了")));
        assert!(!has_repeat_cue(&normalize("在日历上周六上午七点添加会议")));
        // 反映过来 is "realised", not "have reported"; a real cue beside
        // it still counts.
        assert!(!has_repeat_cue(&normalize("我刚才没反映过来，扣款是什么")));
        assert!(!has_repeat_cue(&normalize("我剛才沒反映過來")));
        assert!(has_repeat_cue(&normalize(
            "没反映过来，上周已经反映过这个问题"
        )));
        assert!(has_repeat_cue(&normalize("אני פונה שוב בעניין ההחזר")));
        assert!(!has_repeat_cue(&normalize("My card has not arrived")));
    }

    #[test]
    fn terms_segment_cjk_and_fold_case() {
        assert_eq!(
            terms(&normalize("Refund REFUND refund")),
            vec![fnv1a("refund")]
        );
        // Digits (account numbers) and stop words are not terms.
        assert_eq!(
            terms(&normalize("my account 12345678")),
            vec![fnv1a("account")]
        );
        let zh = terms(&normalize("退款没到"));
        assert_eq!(zh.len(), 3);
        assert!(zh.contains(&fnv1a("退款")));
        let he = terms(&normalize("ההחזר לא הגיע"));
        assert!(he.contains(&fnv1a("ההחזר")));
        // Full-width forms fold to ASCII.
        assert_eq!(terms(&normalize("ＲＥＦＵＮＤ")), vec![fnv1a("refund")]);
    }
}

#[cfg(test)]
mod word_tests {
    use super::*;

    fn keys(t: &str) -> Vec<String> {
        words(t).into_iter().map(|w| w.key).collect()
    }

    #[test]
    fn english_stop_words_out_inflections_merged() {
        assert_eq!(keys("My cards haven't arrived"), vec!["card", "arriv"]);
        assert_eq!(keys("The card arrives"), vec!["card", "arriv"]);
        assert_eq!(keys("Top-up is not working"), vec!["top-up", "work"]);
    }

    #[test]
    fn chinese_segmented_into_words() {
        let k = keys("我的退款还没有到账");
        assert!(k.contains(&"退款".to_string()), "{k:?}");
        assert!(!k.contains(&"我".to_string()));
    }

    #[test]
    fn hebrew_words_keyed_without_prefix_letters() {
        let k = keys("הכרטיס שלי לא הגיע");
        assert!(k.contains(&keys("כרטיס")[0]), "{k:?}");
        assert_eq!(k.len(), 2, "{k:?}");
        assert!(!k.contains(&"שלי".to_string()));
    }

    #[test]
    fn scripts() {
        assert_eq!(dominant_script("My card has not arrived"), Script::Latin);
        assert_eq!(dominant_script("我的退款还没有到账 refund"), Script::Han);
        assert_eq!(dominant_script("הכרטיס שלי לא הגיע"), Script::Hebrew);
        assert_eq!(dominant_script("12345"), Script::Latin);
    }

    #[test]
    fn join_without_spaces_for_chinese() {
        assert_eq!(join_words(&["退款", "到账"]), "退款到账");
        assert_eq!(join_words(&["card", "arrival"]), "card arrival");
        assert_eq!(join_words(&["הכרטיס", "הגיע"]), "הכרטיס הגיע");
    }
}
