//! The root-cause half of `recontact run`: categories, names, ranking and
//! report, on a small month with known recurring reasons (lexical embedder,
//! so no model is needed).

use std::fs;

use crate::util::{arg, ok, report_json, rows, three_reasons_month};

#[test]
fn categories_names_ranking_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.csv");
    fs::write(&input, three_reasons_month()).unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(&cfg, "[severity.segment]\nmedia = 3.0\n").unwrap();
    let out = dir.path().join("out");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--config",
        &arg(&cfg),
        "--period-end",
        "2026-11-15T00:00:00Z",
    ]);

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
    // The report words it in its own language; the CSV keeps English.
    let zh = dir.path().join("zh");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&zh),
        "--embedder",
        "lexical",
        "--config",
        &arg(&cfg),
        "--period-end",
        "2026-11-15T00:00:00Z",
        "--report-language",
        "zh-CN",
        "--no-index",
    ]);
    let page = fs::read_to_string(zh.join("report.html")).unwrap();
    assert!(
        page.contains("1 个事件权重 ×3（客群 media ×3）"),
        "no weighted score in Chinese"
    );
    assert!(
        !page.contains("episodes weighted"),
        "English left on the Chinese page"
    );

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

    // The same report as HTML and JSON.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for (i, c) in cats.iter().enumerate() {
        assert!(
            html.contains(&format!(r#"<span dir="auto">{}</span>"#, c["label"])),
            "card {i} named with dir=auto"
        );
    }
    assert!(html.contains(r#"<svg id="pareto""#));
    assert!(html.contains(&format!(
        "recontact sample {} --category CAT-0002",
        out.to_str().unwrap()
    )));
    let json = report_json(&out);
    let got = &json["root_causes"]["categories"];
    assert_eq!(got.as_array().unwrap().len(), 3);
    for (i, c) in cats.iter().enumerate() {
        assert_eq!(
            got[i]["label"],
            c["label"].as_str(),
            "same names, UTF-8 intact"
        );
        assert_eq!(got[i]["extra_contacts"].to_string(), c["extra_contacts"]);
    }
    assert!(json["settings"]["embedder"]
        .as_str()
        .unwrap()
        .contains("lexical"));
    assert_eq!(json["settings"]["lexical_fallback"], false);
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
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--period-end",
        "2026-11-01T00:00:00Z",
    ]);
    assert_eq!(rows(&out.join("categories.csv")).len(), 0);
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("No recurring reason"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("No recurring reason: 0 non-FCR episodes."));
    assert!(!html.contains(r#"id="pareto""#));
    let json = report_json(&out);
    assert_eq!(json["root_causes"]["categories"], serde_json::json!([]));
    assert_eq!(json["headline"]["fcr_rate"], 1.0);
}
