//! The root-cause half of `recontact run`: categories, names, ranking and
//! report, on a small month with known recurring reasons (lexical embedder,
//! so no model is needed).

use std::fs;
use std::path::Path;
use std::process::Command;

fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// 3 recurring reasons (coupon, refund in Chinese, card in Hebrew), each
/// customer calling twice; plus one-off resolved contacts.
fn month() -> String {
    let mut s = String::from("contact_id,customer_id,started_at,text,channel,team,segment\n");
    let reasons: [(&str, [&str; 2]); 3] = [
        (
            "en",
            [
                "Customer: I cannot find where to enter the coupon code at checkout",
                "Customer: still not fixed, the coupon code box is missing at checkout",
            ],
        ),
        (
            "zh",
            [
                "客户：我的退款还没有到账",
                "客户：还是没有解决，退款一直没有到账",
            ],
        ),
        (
            "he",
            [
                "לקוח: הכרטיס החדש שלי לא הגיע בדואר",
                "לקוח: אני פונה שוב, הכרטיס החדש עדיין לא הגיע בדואר",
            ],
        ),
    ];
    let mut id = 0;
    for (k, (_, texts)) in reasons.iter().enumerate() {
        let n = [12, 8, 6][k];
        for u in 0..n {
            for (j, t) in texts.iter().enumerate() {
                id += 1;
                let day = 1 + (u % 20);
                let seg = if k == 1 && u == 0 { "media" } else { "retail" };
                s.push_str(&format!(
                    "c{id:03},U{k}{u:02},2026-10-{day:02}T{:02}:00:00Z,\"{t} {}\",phone,t{k},{seg}\n",
                    9 + j * 5,
                    ["please", "today", "now", "asap"][u % 4]
                ));
            }
        }
    }
    for u in 0..10 {
        id += 1;
        s.push_str(&format!(
            "c{id:03},V{u},2026-10-{:02}T10:00:00Z,Customer: what are your opening hours,phone,t9,retail\n",
            1 + u
        ));
    }
    s
}

#[test]
fn categories_names_ranking_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.csv");
    fs::write(&input, month()).unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(&cfg, "[severity.segment]\nmedia = 3.0\n").unwrap();
    let out = dir.path().join("out");
    let res = Command::new(env!("CARGO_BIN_EXE_recontact"))
        .args([
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args([
            "--embedder",
            "lexical",
            "--config",
            cfg.to_str().unwrap(),
            "--period-end",
            "2026-11-15T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );

    let cats = rows(&out.join("categories.csv"));
    assert_eq!(cats.len(), 3, "{cats:?}");
    // Ranked by extra contacts: 12 coupon repeats, 8 refund, 6 card.
    assert_eq!(cats[0]["rank"], "1");
    assert_eq!(cats[0]["category_id"], "CAT-0001");
    assert_eq!(cats[0]["extra_contacts"], "12");
    assert_eq!(cats[0]["episodes"], "12");
    assert!(cats[0]["label"].contains("coupon"), "{}", cats[0]["label"]);
    assert!(
        cats[0]["keywords"].contains("checkout"),
        "{}",
        cats[0]["keywords"]
    );
    assert_eq!(cats[1]["extra_contacts"], "8");
    assert!(cats[1]["label"].contains("退款"), "{}", cats[1]["label"]);
    // Hebrew words kept whole and in order of letters (RTL is the reader's job).
    assert!(
        ["הכרטיס", "הגיע", "בדואר", "החדש"]
            .iter()
            .any(|w| cats[2]["label"].contains(w)),
        "{}",
        cats[2]["label"]
    );
    assert_eq!(cats[0]["share"], "0.4615");
    // One media episode ×3: 7 × 2 + 1 × 2 × 3 = 20.
    assert_eq!(cats[1]["score"], "20.00");
    assert!(cats[1]["score_explained"].contains("segment media ×3"));

    // category_id filled for non-FCR episodes and their contacts only.
    let eps = rows(&out.join("episodes.csv"));
    for e in &eps {
        assert_eq!(e["fcr"] == "true", e["category_id"].is_empty(), "{e:?}");
    }
    let contacts = rows(&out.join("contacts.csv"));
    let coupon = contacts
        .iter()
        .filter(|c| c["category_id"] == "CAT-0001")
        .count();
    assert_eq!(coupon, 24);

    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Top 10 reasons customers had to come back"));
    assert!(report.contains("CAT-0003"));
    assert!(report.contains("lexical"), "embedder named in settings");
    // Reasons lose the repeat cue sentence; quotes lose nothing else.
    assert!(!report.contains("still not fixed"), "{report}");
}

#[test]
fn no_non_fcr_episodes_means_no_categories() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.csv");
    fs::write(
        &input,
        "contact_id,customer_id,started_at,text\na,U1,2026-10-01T09:00:00Z,Customer: hours?\nb,U2,2026-10-02T09:00:00Z,Customer: fees?\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let res = Command::new(env!("CARGO_BIN_EXE_recontact"))
        .args([
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--embedder",
            "lexical",
        ])
        .args(["--period-end", "2026-11-01T00:00:00Z"])
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(rows(&out.join("categories.csv")).len(), 0);
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("No recurring reason"));
}
