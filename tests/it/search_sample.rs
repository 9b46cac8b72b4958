//! `recontact search` and `recontact sample` on the index a run writes, each
//! in its own process: a small month in English, Chinese and Hebrew.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{ok_stdout, records, run};

/// Who wrote what: (id prefix, customers, [first, repeat] texts).
const TOPICS: [(&str, usize, [&str; 2]); 3] = [
    (
        "en",
        12,
        [
            "Agent: Hello, how can I help?\nCustomer: I cannot find where to enter the coupon code at checkout",
            "Agent: Welcome back.\nCustomer: still not fixed, the coupon code box is missing at checkout",
        ],
    ),
    (
        "zh",
        8,
        [
            "客服：您好，请问有什么可以帮您？\n客户：我的退款还没有到账",
            "客服：您好。\n客户：还是没有解决，退款一直没有到账",
        ],
    ),
    (
        "he",
        6,
        [
            "נציג: שלום, במה אפשר לעזור?\nלקוח: הכרטיס החדש שלי לא הגיע בדואר",
            "נציג: שלום.\nלקוח: אני פונה שוב, הכרטיס החדש עדיין לא הגיע בדואר",
        ],
    ),
];

/// The month: each topic's customers call twice (a repeat five hours
/// later), even customers by phone, odd ones by chat; plus one-off
/// contacts: Chinese address changes and English opening hours.
fn month() -> String {
    let mut s = String::from("contact_id,customer_id,started_at,text,channel,team\n");
    for (prefix, n, texts) in TOPICS {
        for u in 0..n {
            for (j, t) in texts.iter().enumerate() {
                let channel = if u % 2 == 0 { "phone" } else { "chat" };
                s.push_str(&format!(
                    "{prefix}{u:02}{j},{prefix}-u{u:02},2026-10-{:02}T{:02}:00:00Z,\"{t}\",{channel},{prefix}-team\n",
                    1 + u,
                    8 + j * 5,
                ));
            }
        }
    }
    for u in 0..3 {
        s.push_str(&format!(
            "addr{u},addr-u{u},2026-10-{:02}T10:00:00Z,\"客户：我想修改收货地址\",phone,zh-team\n",
            2 + u
        ));
    }
    for u in 0..10 {
        s.push_str(&format!(
            "hours{u},hours-u{u},2026-10-{:02}T10:00:00Z,Customer: what are your opening hours,phone,en-team\n",
            1 + u
        ));
    }
    s
}

/// Runs the month once per test binary (lexical embedder: no model needed).
fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("recontact-search-{}", std::process::id()));
    let input = dir.join("month.csv");
    let out = dir.join(name);
    if !out.join("metrics.json").exists() {
        fs::create_dir_all(&dir).unwrap();
        fs::write(&input, month()).unwrap();
        ok_stdout(&[
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--embedder",
            "lexical",
            "--quiet",
        ]);
    }
    out
}

fn shared() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| out_dir("out"))
}

fn jsonl(lines: &str) -> Vec<serde_json::Value> {
    lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn search_ids(dir: &Path, args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["search", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "jsonl", "--limit", "1000"]);
    jsonl(&ok_stdout(&all))
        .iter()
        .map(|h| h["contact_id"].as_str().unwrap().to_string())
        .collect()
}

fn ids_with(prefix: &str) -> BTreeSet<String> {
    let (_, n, _) = TOPICS.iter().find(|t| t.0 == prefix).unwrap();
    (0..*n)
        .flat_map(|u| (0..2).map(move |j| format!("{prefix}{u:02}{j}")))
        .collect()
}

#[test]
fn a_chinese_word_finds_the_chinese_contacts_and_nothing_else() {
    let dir = shared();
    assert_eq!(search_ids(dir, &["退款"]), ids_with("zh"));
    assert_eq!(search_ids(dir, &["到账"]), ids_with("zh"));
    let addr: BTreeSet<String> = (0..3).map(|u| format!("addr{u}")).collect();
    assert_eq!(search_ids(dir, &["地址"]), addr);
    // The same word for the customer's side only, and not on the agent's.
    assert_eq!(search_ids(dir, &["customer:退款"]), ids_with("zh"));
    assert!(search_ids(dir, &["agent:退款"]).is_empty());
}

#[test]
fn hebrew_and_english_words_mixed_queries_and_phrases() {
    let dir = shared();
    assert_eq!(search_ids(dir, &["הכרטיס"]), ids_with("he"));
    // Prefix letters: the bare word finds "הכרטיס" and "בדואר"; a
    // prefixed query does not find another prefix.
    assert_eq!(search_ids(dir, &["כרטיס"]), ids_with("he"));
    assert_eq!(search_ids(dir, &["דואר"]), ids_with("he"));
    assert!(search_ids(dir, &["לדואר"]).is_empty());
    // Case-folded and stemmed: COUPONS finds coupon.
    assert_eq!(search_ids(dir, &["COUPONS"]), ids_with("en"));
    assert_eq!(search_ids(dir, &["\"coupon code\""]), ids_with("en"));
    assert!(search_ids(dir, &["\"code coupon\""]).is_empty());
    let either: BTreeSet<String> = ids_with("en").union(&ids_with("he")).cloned().collect();
    assert_eq!(search_ids(dir, &["coupon OR הכרטיס"]), either);
    assert!(
        search_ids(dir, &["coupon 退款"]).is_empty(),
        "words are ANDed"
    );
    assert!(search_ids(dir, &["agent:coupon"]).is_empty());
}

#[test]
fn filters_narrow_the_results() {
    let dir = shared();
    let en = ids_with("en");
    // Odd customers wrote by chat.
    let chat: BTreeSet<String> = en
        .iter()
        .filter(|id| id[2..4].parse::<usize>().unwrap() % 2 == 1)
        .cloned()
        .collect();
    assert_eq!(search_ids(dir, &["coupon", "--channel", "CHAT"]), chat);
    // Repeats are the second contacts.
    let repeats: BTreeSet<String> = en.iter().filter(|id| id.ends_with('1')).cloned().collect();
    assert_eq!(search_ids(dir, &["coupon", "--repeat-only"]), repeats);
    // Only non-FCR episodes: the one-off contacts drop out.
    assert!(search_ids(dir, &["hours", "--non-fcr"]).is_empty());
    assert_eq!(search_ids(dir, &["hours"]).len(), 10);
    // Dates: customers 0..=2 started on Oct 1-3 (to is inclusive for a date).
    let early: BTreeSet<String> = en
        .iter()
        .filter(|id| id[2..4].parse::<usize>().unwrap() <= 2)
        .cloned()
        .collect();
    assert_eq!(
        search_ids(
            dir,
            &["coupon", "--from", "2026-10-01", "--to", "2026-10-03"]
        ),
        early
    );
    // A time bound is exclusive: the repeat at 13:00 on Oct 3 is out.
    let before: BTreeSet<String> = early.iter().filter(|id| *id != "en021").cloned().collect();
    assert_eq!(
        search_ids(dir, &["coupon", "--to", "2026-10-03T13:00"]),
        before
    );
    // A category filter, by the id the run gave the coupon issue.
    let hits = jsonl(&ok_stdout(&[
        "search",
        dir.to_str().unwrap(),
        "coupon",
        "--format",
        "jsonl",
        "--limit",
        "1",
    ]));
    let cat = hits[0]["category_id"].as_str().unwrap().to_string();
    assert!(cat.starts_with("CAT-"), "coupon contacts are categorised");
    assert_eq!(search_ids(dir, &["*", "--category", &cat]), en);
    assert_eq!(
        search_ids(dir, &["", "--category", &cat.to_lowercase()]),
        en
    );
}

#[test]
fn results_are_the_same_from_a_second_run_and_tables_are_readable() {
    let a = shared();
    let b = out_dir("again");
    for q in ["coupon", "退款", "*"] {
        let args = |d: &Path| {
            ok_stdout(&[
                "search",
                d.to_str().unwrap(),
                q,
                "--format",
                "csv",
                "--limit",
                "15",
            ])
        };
        assert_eq!(args(a), args(&b), "query {q}");
    }
    let table = ok_stdout(&["search", a.to_str().unwrap(), "退款", "--limit", "3"]);
    assert!(table.contains("«退款»"), "{table}");
    assert!(table.contains("3 of 16 matching contacts shown"), "{table}");
    // A limit far beyond the index is the whole index, not an abort.
    let all = ok_stdout(&[
        "search",
        a.to_str().unwrap(),
        "退款",
        "--limit",
        "4294967295",
    ]);
    assert!(
        all.contains("16 of 16") || all.contains("16 matching"),
        "{all}"
    );
}

#[test]
fn bad_queries_and_missing_indexes_are_clear_errors() {
    let dir = shared();
    let d = dir.to_str().unwrap();
    for (args, says) in [
        (vec!["search", d, "coupon AND ("], "cannot read the query"),
        (vec!["search", d, "nosuchfield:x"], "cannot read the query"),
        (
            vec!["search", d, "x", "--category", "parcel lost"],
            "no category",
        ),
        (
            vec!["search", d, "x", "--from", "10/01/2026"],
            "cannot read the date",
        ),
        // Past what the index's times hold: an error, not an overflow.
        (
            vec!["search", d, "x", "--to", "9999-12-31"],
            "outside the years 1900-2199",
        ),
        (
            vec!["search", "/nonexistent/run", "x"],
            "has no contact index",
        ),
        (vec!["sample", "/nonexistent/run"], "has no contact index"),
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

fn sample(dir: &Path, extra: &[&str]) -> (String, Vec<BTreeMap<String, String>>) {
    let mut args = vec!["sample", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let text = ok_stdout(&args);
    let rows = records(csv::Reader::from_reader(text.as_bytes()));
    (text, rows)
}

#[test]
fn samples_are_reproducible_and_stratified() {
    let dir = shared();
    let (a, rows) = sample(dir, &["--per-category", "4", "--seed", "1"]);
    let (b, _) = sample(dir, &["--per-category", "4", "--seed", "1"]);
    let (c, _) = sample(dir, &["--per-category", "4", "--seed", "2"]);
    assert_eq!(a, b, "same seed, same sample");
    assert_ne!(a, c, "another seed, another sample");
    // Three categories (one per language), four episodes each, split
    // evenly between the phone and chat customers.
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &rows {
        *per.entry((r["category_id"].clone(), r["channel"].clone()))
            .or_default() += 1;
        assert_eq!(r["contacts_in_episode"], "2");
        assert_eq!(r["reviewer_verdict"], "");
        assert_eq!(r["reviewer_note"], "");
        // The repeat chain, in order.
        let chain = &r["episode_contacts"];
        let ids: Vec<&str> = r["contact_ids"].split(';').collect();
        assert_eq!(ids.len(), 2);
        let (p0, p1) = (chain.find(ids[0]).unwrap(), chain.find(ids[1]).unwrap());
        assert!(p0 < p1, "{chain}");
        assert!(chain.starts_with("[1] "), "{chain}");
    }
    assert_eq!(rows.len(), 12, "{per:?}");
    assert!(per.values().all(|&n| n == 2), "{per:?}");

    // A total split in proportion to size: 12, 8, 6 episodes → 6, 4, 3.
    let (_, rows) = sample(dir, &["--total", "13"]);
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        *per.entry(r["category_id"].clone()).or_default() += 1;
    }
    let mut counts: Vec<usize> = per.values().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, [3, 4, 6], "{per:?}");

    // One category only; FCR episodes only when asked.
    let cat = rows[0]["category_id"].clone();
    let (_, only) = sample(dir, &["--category", &cat, "--per-category", "100"]);
    assert!(only.iter().all(|r| r["category_id"] == cat));
    let (_, with_fcr) = sample(dir, &["--include-fcr", "--per-category", "100"]);
    assert!(with_fcr
        .iter()
        .any(|r| r["first_contact_id"].starts_with("hours")));
}

#[test]
fn a_damaged_index_is_a_clear_error_not_a_panic() {
    let dir = out_dir("damaged");
    for entry in fs::read_dir(dir.join("index")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx") {
            // Scramble the first half; tantivy's footer stays readable.
            let mut bytes = fs::read(&path).unwrap();
            let half = bytes.len() / 2;
            for (i, b) in bytes[..half].iter_mut().enumerate() {
                *b ^= (i % 251) as u8 | 1;
            }
            fs::write(&path, bytes).unwrap();
        }
    }
    let out = run(&["search", dir.to_str().unwrap(), "coupon OR 退款"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("damaged") && err.contains(".idx"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn terminal_escapes_in_contacts_are_shown_not_obeyed() {
    let dir = std::env::temp_dir().join(format!("recontact-escapes-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let input = dir.join("m.csv");
    fs::write(
        &input,
        "contact_id,customer_id,started_at,text\n\
         c1,u1,2026-10-01T09:00:00Z,Customer: refund \x1b[2J\x1b]52;c;ZXZpbA==\x07 please\n\
         c2,u2,2026-10-02T09:00:00Z,Customer: where is my parcel\n",
    )
    .unwrap();
    let out = dir.join("out");
    ok_stdout(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--embedder",
        "lexical",
        "-q",
    ]);
    let shown = ok_stdout(&["search", out.to_str().unwrap(), "refund"]);
    assert!(shown.contains("c1"), "{shown}");
    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}[2J"), "{shown}");
    // Error messages quote what the user typed: escaped too.
    let r = run(&[
        "search",
        out.to_str().unwrap(),
        "x",
        "--category",
        "\x1b[2J",
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!err.contains('\x1b') && err.contains("\\u{1b}"), "{err:?}");
    fs::remove_dir_all(&dir).ok();
}
