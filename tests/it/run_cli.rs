//! Runs the `recontact` binary on small inputs and checks its output files.

use std::fs;
use std::path::Path;

use crate::util::{assert_no_formula_cells, bin, json, ok, read_csv, rows, run, Tmp};

fn metrics(dir: &Path) -> serde_json::Value {
    json(&dir.join("metrics.json"))
}

const HEADER: &str = "contact_id,customer_id,started_at,text,channel,direction,ticket_id,agent_id,team,transferred,escalated,reopened,survey_resolved";

/// A small month: a repeat, an unrelated contact in the window, a transfer,
/// an outbound follow-up, a reopened ticket, an anonymous caller.
fn small_month() -> String {
    let rows = [
        // U1: card not arrived, repeat two days later (similar words).
        r#"c01,U1,2026-10-01T09:00:00Z,"Agent: Hello, how can I help?
Customer: My new card has not arrived in the post yet",phone,inbound,,A1,cards,false,false,false,"#,
        r#"c02,U1,2026-10-03T10:00:00Z,"Customer: the card you sent me has not arrived in the post",phone,inbound,,A2,cards,false,false,false,no"#,
        // U1: unrelated question inside the window.
        r#"c03,U1,2026-10-04T11:00:00Z,Customer: how do I change the address on my profile,chat,inbound,,A3,general,false,false,false,yes"#,
        // U2: transferred call, continued 5 minutes later.
        r#"c04,U2,2026-10-02T08:00:00Z,Customer: I want to dispute a charge on my statement,phone,inbound,,A1,cards,true,false,false,"#,
        r#"c05,U2,2026-10-02T08:05:00Z,Customer: yes the charge from the hotel,phone,inbound,,A9,disputes,false,false,false,"#,
        // U3: resolved; outbound follow-up.
        r#"c06,U3,2026-10-05T12:00:00Z,Customer: please raise my card limit,phone,inbound,T1,A4,cards,false,false,false,yes"#,
        r#"c07,U3,2026-10-06T12:00:00Z,Agent: following up: your limit is raised,phone,outbound,T1,A4,cards,false,false,false,"#,
        // U4: ticket reopened 12 days later (same ticket, any gap).
        r#"c08,U4,2026-10-01T15:00:00Z,Customer reports: refund for order 5512 not received,email,inbound,T2,A5,billing,false,false,false,"#,
        r#"c09,U4,2026-10-13T15:00:00Z,Customer reports: where is my money,email,inbound,T2,A5,billing,false,false,true,"#,
        // Anonymous callers with identical words: never linked.
        r#"c10,anonymous,2026-10-07T09:00:00Z,Customer: what are your opening hours,phone,inbound,,A6,general,false,false,false,"#,
        r#"c11,,2026-10-07T10:00:00Z,Customer: what are your opening hours,phone,inbound,,A6,general,false,false,false,"#,
        // Late contact: its window is still open at the data's end.
        r#"c12,U5,2026-10-30T09:00:00Z,Customer: my pin is blocked,phone,inbound,,A1,cards,false,false,false,"#,
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

#[test]
fn links_a_small_month_and_writes_contract_files() {
    let t = Tmp::new();
    t.write("in/month.csv", small_month());
    let out = ok(&["run", &t.s("in"), "--out", &t.s("out")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FCR rate"), "{stdout}");

    let contacts = rows(&t.path("out/contacts.csv"));
    assert_eq!(contacts.len(), 12);
    let by_id = |id: &str| {
        contacts
            .iter()
            .find(|r| r["contact_id"] == id)
            .unwrap()
            .clone()
    };
    let ep = |id: &str| by_id(id)["episode_id"].clone();
    assert_eq!(ep("c01"), ep("c02"), "similar repeat in window");
    assert_ne!(ep("c02"), ep("c03"), "unrelated contact in window");
    assert_eq!(ep("c04"), ep("c05"), "transfer leg");
    assert_eq!(by_id("c05")["role"], "transfer_leg");
    assert_eq!(by_id("c05")["is_repeat"], "false");
    assert_eq!(ep("c06"), ep("c07"), "outbound follow-up");
    assert_eq!(ep("c08"), ep("c09"), "same ticket after 12 days");
    assert_ne!(ep("c10"), ep("c11"), "anonymous never linked");
    assert_eq!(by_id("c02")["is_repeat"], "true");
    assert_eq!(by_id("c01")["episode_fcr"], "false");
    assert_eq!(by_id("c06")["episode_fcr"], "true");
    // Only non-FCR episodes are categorised.
    for r in &contacts {
        if r["episode_fcr"] == "true" {
            assert_eq!(r["category_id"], "", "{r:?}");
        }
    }

    let episodes = rows(&t.path("out/episodes.csv"));
    assert_eq!(episodes.len(), 8);
    let e = |first: &str| {
        episodes
            .iter()
            .find(|r| r["first_contact_id"] == first)
            .unwrap()
            .clone()
    };
    assert_eq!(
        e("c01")["non_fcr_signals"],
        "repeat_contact;survey_unresolved"
    );
    assert_eq!(e("c01")["n_inbound"], "2");
    assert_eq!(e("c01")["span_hours"], "49.00");
    assert_eq!(e("c04")["non_fcr_signals"], "transferred");
    assert_eq!(e("c04")["n_inbound"], "1");
    assert_eq!(e("c06")["fcr"], "true");
    assert_eq!(e("c06")["n_contacts"], "2");
    assert_eq!(e("c08")["non_fcr_signals"], "repeat_contact;reopened");
    assert_eq!(e("c12")["window_open"], "true");
    assert_eq!(e("c12")["fcr"], "false");
    assert_eq!(e("c12")["non_fcr_signals"], "");
    // Episodes are numbered by first contact time.
    assert_eq!(episodes[0]["episode_id"], "2026-10-E0000001");
    assert_eq!(episodes[0]["period"], "2026-10");
    assert_eq!(episodes[0]["first_contact_id"], "c01");

    let m = metrics(&t.path("out"));
    assert_eq!(m["contacts"], 12);
    assert_eq!(m["episodes"], 8);
    assert_eq!(m["window_open_episodes"], 1);
    assert_eq!(m["closed_episodes"], 7);
    // Closed: c01(no) c03(yes) c04(no) c06(yes) c08(no) c10(yes) c11(yes).
    assert_eq!(m["fcr_rate"], 0.571429);
    assert_eq!(m["input"]["rows_read"], 12);
    assert_eq!(m["input"]["rows_rejected"], 0);
    assert_eq!(m["input"]["anonymous_contacts"], 2);
    assert_eq!(m["settings"]["repeat_window_secs"], 604800);
    assert!(m["by_channel"]["phone"]["fcr_rate"].is_number());
    assert!(m["by_week"]["2026-W40"]["episodes"].is_number());
    assert_eq!(
        read_csv(&t.path("out/rejected.csv")).len(),
        1,
        "header only"
    );
}

#[test]
fn same_issue_any_links_unrelated_contacts() {
    let t = Tmp::new();
    t.write("month.csv", small_month());
    ok(&[
        "run",
        &t.s("month.csv"),
        "--out",
        &t.s("out"),
        "--same-issue",
        "any",
    ]);
    let contacts = rows(&t.path("out/contacts.csv"));
    let ep =
        |id: &str| contacts.iter().find(|r| r["contact_id"] == id).unwrap()["episode_id"].clone();
    assert_eq!(ep("c02"), ep("c03"));
    assert_eq!(metrics(&t.path("out"))["settings"]["same_issue"], "any");
}

#[test]
fn jsonl_and_csv_folders_read_together() {
    let t = Tmp::new();
    t.write("in/a.csv", small_month());
    t.write(
        "in/sub/b.jsonl",
        concat!(
            r#"{"contact_id":"j1","customer_id":"U9","started_at":"2026-10-02T17:00:00+08:00","text":"客户：我的退款还没有到账","channel":"Chat","transferred":false}"#,
            "\n\n",
            r#"{"contact_id":"j2","customer_id":"U9","started_at":"2026-10-04 09:00","text":"客户：退款还是没有到账","channel":"chat","csat":4}"#,
            "\n",
            r#"{"contact_id":"j3","customer_id":"U8","started_at":"2026-10-04 09:00","text":"לקוח: אני פונה שוב, הכרטיס עדיין לא הגיע","channel":"chat"}"#,
            "\n"
        ),
    );
    ok(&[
        "run",
        &t.s("in"),
        "--out",
        &t.s("out"),
        "--timezone",
        "Asia/Shanghai",
    ]);
    let contacts = rows(&t.path("out/contacts.csv"));
    assert_eq!(contacts.len(), 15);
    let r = |id: &str| {
        contacts
            .iter()
            .find(|r| r["contact_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(r("j1")["episode_id"], r("j2")["episode_id"]);
    assert_eq!(r("j2")["is_repeat"], "true");
    assert_eq!(r("j1")["channel"], "chat");
    // Naive time read in the --timezone, written with its offset.
    assert_eq!(r("j2")["started_at"], "2026-10-04T09:00:00+08:00");
    assert!(r("j2")["source_file"].ends_with("b.jsonl"));
    assert_eq!(r("j2")["source_line"], "3");
}

#[test]
fn crm_headers_mapped_by_config() {
    let t = Tmp::new();
    t.write(
        "crm.csv",
        "Call ID,Caller,Start,Transcript,Media\nX1,U1,2026-10-01 09:00,Customer: card lost,Voice\nX2,U1,2026-10-02 09:00,Customer: my lost card again,Voice\n",
    );
    t.write(
        "recontact.toml",
        "[columns]\ncontact_id = \"Call ID\"\ncustomer_id = \"Caller\"\nstarted_at = \"Start\"\ntext = \"Transcript\"\nchannel = \"Media\"\n\n[run]\nrepeat_window = \"3d\"\n",
    );
    ok(&[
        "run",
        &t.s("crm.csv"),
        "--out",
        &t.s("out"),
        "--config",
        &t.s("recontact.toml"),
    ]);
    let contacts = rows(&t.path("out/contacts.csv"));
    assert_eq!(contacts[0]["contact_id"], "X1");
    assert_eq!(contacts[0]["channel"], "voice");
    assert_eq!(contacts[0]["episode_id"], contacts[1]["episode_id"]);
    assert_eq!(
        metrics(&t.path("out"))["settings"]["repeat_window_secs"],
        259200
    );
    // A flag beats the config.
    ok(&[
        "run",
        &t.s("crm.csv"),
        "--out",
        &t.s("out"),
        "--config",
        &t.s("recontact.toml"),
        "--repeat-window",
        "12h",
    ]);
    let contacts = rows(&t.path("out/contacts.csv"));
    assert_ne!(contacts[0]["episode_id"], contacts[1]["episode_id"]);
}

#[test]
fn bad_rows_are_rejected_line_by_line_and_the_run_goes_on() {
    let t = Tmp::new();
    let mut data: Vec<u8> = Vec::new();
    data.extend_from_slice(format!("{HEADER}\n").as_bytes());
    // line 2: good
    data.extend_from_slice(b"g1,U1,2026-10-01T09:00:00Z,Customer: card lost,phone,inbound,,A1,cards,false,false,false,\n");
    // line 3: missing contact_id
    data.extend_from_slice(
        b",U2,2026-10-01T09:00:00Z,Customer: hello,phone,inbound,,A1,cards,false,false,false,\n",
    );
    // line 4: bad date
    data.extend_from_slice(
        b"b2,U2,03/10/2026 9am,Customer: hello,phone,inbound,,A1,cards,false,false,false,\n",
    );
    // line 5: duplicate id of line 2
    data.extend_from_slice(
        b"g1,U3,2026-10-02T09:00:00Z,Customer: other,phone,inbound,,A1,cards,false,false,false,\n",
    );
    // line 6: GBK bytes in the text
    data.extend_from_slice(b"b4,U4,2026-10-02T09:00:00Z,");
    data.extend_from_slice(&encoding_gbk("客户：退款没到"));
    data.extend_from_slice(b",phone,inbound,,A1,cards,false,false,false,\n");
    // line 7: too few fields
    data.extend_from_slice(b"b5,U5,2026-10-02T09:00:00Z\n");
    // line 8: multi-line quoted field, good
    data.extend_from_slice(b"g2,U6,2026-10-03T09:00:00Z,\"Agent: hi\nCustomer: refund, please\",phone,inbound,,A1,cards,false,false,false,\n");
    // line 10: unreadable optional flag: kept, counted
    data.extend_from_slice(
        b"g3,U7,2026-10-03T09:00:00Z,Customer: fee,phone,inbound,,A1,cards,maybe,false,false,\n",
    );
    // line 11: unclosed quote swallows the rest of the file
    data.extend_from_slice(b"b6,U8,2026-10-03T09:00:00Z,\"Customer: broken quote,phone,inbound,,A1,cards,false,false,false,\n");
    data.extend_from_slice(
        b"g4,U9,2026-10-04T09:00:00Z,Customer: lost,phone,inbound,,A1,cards,false,false,false,\n",
    );
    t.write("in/broken.csv", &data);
    t.write("in/empty.csv", b"");
    t.write(
        "in/x.jsonl",
        b"{\"contact_id\":\"j1\",\"customer_id\":\"U1\",\"started_at\":\"2026-10-05T09:00:00Z\",\"text\":\"card\"}\n{not json}\n{\"contact_id\":\"j2\",\"started_at\":\"2026-10-05T09:00:00Z\",\"text\":\"x\"}\n",
    );
    ok(&["run", &t.s("in"), "--out", &t.s("out")]);
    let rejected = rows(&t.path("out/rejected.csv"));
    let got: Vec<(String, String, String)> = rejected
        .iter()
        .map(|r| {
            let file = Path::new(&r["source_file"])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (file, r["line"].clone(), r["column"].clone())
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("broken.csv", "3", "contact_id"),
        ("broken.csv", "4", "started_at"),
        ("broken.csv", "5", "contact_id"),
        ("broken.csv", "6", "text"),
        ("broken.csv", "7", ""),
        ("broken.csv", "11", "text"),
        ("x.jsonl", "2", ""),
        ("x.jsonl", "3", "customer_id"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    let reason = |i: usize| rejected[i]["reason"].clone();
    assert!(reason(0).contains("missing required field 'contact_id'"));
    assert!(reason(1).contains("bad timestamp '03/10/2026 9am'"));
    assert!(reason(2).contains("duplicate contact_id 'g1'") && reason(2).contains("line 2"));
    assert!(
        reason(3).contains("invalid UTF-8") && reason(3).contains("GBK"),
        "{}",
        reason(3)
    );
    assert!(reason(4).contains("3 fields but the header has 13"));
    assert!(reason(5).contains("swallows 1 line(s)"), "{}", reason(5));
    assert!(rejected[5]["raw_row"].contains("g4,U9"));
    assert!(reason(6).contains("bad JSON"));
    assert!(reason(7).contains("customer_id"));
    // The raw row is kept, with undecodable bytes escaped.
    assert!(rejected[1]["raw_row"].starts_with("b2,U2,03/10/2026 9am"));
    assert!(
        rejected[3]["raw_row"].contains("\\x"),
        "{}",
        rejected[3]["raw_row"]
    );
    assert_eq!(rejected[6]["raw_row"], "{not json}");

    let m = metrics(&t.path("out"));
    assert_eq!(m["input"]["rows_rejected"], 8);
    assert_eq!(m["input"]["rows_accepted"], 4);
    assert_eq!(m["input"]["rows_read"], 12);
    assert_eq!(m["input"]["rejected_by_reason"]["duplicate_contact_id"], 1);
    assert_eq!(m["input"]["rejected_by_reason"]["invalid_utf8"], 1);
    assert_eq!(m["input"]["ignored_values"]["transferred"], 1);
    assert_eq!(m["input"]["files_empty"].as_array().unwrap().len(), 1);
    let contacts = rows(&t.path("out/contacts.csv"));
    let ids: Vec<&str> = contacts.iter().map(|r| r["contact_id"].as_str()).collect();
    assert_eq!(ids, ["g1", "g2", "g3", "j1"]);
}

fn encoding_gbk(s: &str) -> Vec<u8> {
    // GBK for the few characters used, so the test needs no encoder crate.
    let table: &[(char, [u8; 2])] = &[
        ('客', [0xBF, 0xCD]),
        ('户', [0xBB, 0xA7]),
        ('：', [0xA3, 0xBA]),
        ('退', [0xCD, 0xCB]),
        ('款', [0xBF, 0xEE]),
        ('没', [0xC3, 0xBB]),
        ('到', [0xB5, 0xBD]),
    ];
    s.chars()
        .flat_map(|c| {
            table
                .iter()
                .find(|(k, _)| *k == c)
                .expect("char in table")
                .1
        })
        .collect()
}

#[test]
fn unreadable_inputs_are_clear_errors() {
    let t = Tmp::new();
    // Missing required column.
    t.write(
        "nocol.csv",
        "contact_id,started_at,text\nx,2026-10-01T00:00:00Z,hi\n",
    );
    let out = run(&["run", &t.s("nocol.csv"), "--out", &t.s("out")]);
    assert_eq!(out.status.code(), Some(3), "input unreadable");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nocol.csv") && err.contains("line 1") && err.contains("'customer_id'"),
        "{err}"
    );
    assert!(!t.path("out").exists(), "no output on failure");
    // Missing file.
    let out = run(&["run", &t.s("nope.csv"), "--out", &t.s("out")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("input not found"));
    assert_eq!(out.status.code(), Some(3));
    // UTF-16 export.
    t.write("u16.csv", [0xFF, 0xFE, b'c', 0]);
    let out = run(&["run", &t.s("u16.csv"), "--out", &t.s("out")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-16"));
    // Bad setting.
    t.write("ok.csv", small_month());
    let out = run(&[
        "run",
        &t.s("ok.csv"),
        "--out",
        &t.s("out"),
        "--repeat-window",
        "7x",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("duration"));
    let out = run(&[
        "run",
        &t.s("ok.csv"),
        "--out",
        &t.s("out"),
        "--timezone",
        "Mars/Base",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("time zone"));
}

#[test]
fn an_export_with_no_usable_rows_fails_and_leaves_the_last_output() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    ok(&["run", &t.s("m.csv"), "--out", &t.s("out"), "-q"]);
    let before = fs::read(t.path("out/metrics.json")).unwrap();
    // An empty export, a header only, and one whose every row is rejected.
    t.write("empty/calls.csv", "");
    t.write(
        "header/calls.csv",
        "contact_id,customer_id,started_at,text\n",
    );
    t.write(
        "bad/calls.csv",
        "contact_id,customer_id,started_at,text\nc1,U1,yesterday,hello\nc2,U2,,hi\n",
    );
    for input in ["empty", "header", "bad"] {
        let r = run(&["run", &t.s(input), "--out", &t.s("out"), "-q"]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(4), "{input}: {err}");
        assert!(err.contains("no usable contacts"), "{input}: {err}");
        assert!(err.contains("left as it was"), "{input}: {err}");
        assert_eq!(
            fs::read(t.path("out/metrics.json")).unwrap(),
            before,
            "{input}"
        );
    }
    let r = run(&["run", &t.s("bad"), "--out", &t.s("out"), "-q"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("2 rejected") && err.contains("calls.csv: line 2, column started_at"),
        "{err}"
    );
}

#[test]
fn a_row_dated_2100_is_rejected_and_moves_nothing() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    ok(&[
        "run",
        &t.s("m.csv"),
        "--out",
        &t.s("before"),
        "-q",
        "--no-index",
    ]);
    let mut month = small_month();
    month.push_str("c99,U9,2100-01-01T00:00:00Z,Customer: hello from the future,chat,inbound,,A1,general,false,false,false,\n");
    t.write("m.csv", &month);
    ok(&[
        "run",
        &t.s("m.csv"),
        "--out",
        &t.s("after"),
        "-q",
        "--no-index",
    ]);
    let (b, a) = (
        json(&t.path("before/metrics.json")),
        json(&t.path("after/metrics.json")),
    );
    for k in ["fcr_rate", "data_end", "measured_episodes", "episodes"] {
        assert_eq!(a[k], b[k], "{k}");
    }
    assert_eq!(a["input"]["rejected_by_reason"]["outlying_timestamp"], 1);
    let rejected = rows(&t.path("after/rejected.csv"));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["column"], "started_at");
    assert!(
        rejected[0]["reason"].contains("2100-01-01"),
        "{:?}",
        rejected[0]
    );
    assert!(rejected[0]["raw_row"].contains("hello from the future"));
}

#[test]
fn a_missing_model_warns_even_when_quiet_and_fails_when_required() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    let go = |extra: &[&str]| {
        let mut args = vec!["run", "m.csv", "--out", "out", "-q", "--no-index"];
        args.extend_from_slice(extra);
        bin()
            .current_dir(t.0.path())
            .env("RECONTACT_MODEL_DIR", t.path("no-model"))
            .env_remove("RECONTACT_REQUIRE_MODEL")
            .args(&args)
            .output()
            .unwrap()
    };
    let r = go(&[]);
    assert!(r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("warning: no sentence-embedding model"),
        "{err}"
    );
    assert!(r.stdout.is_empty(), "quiet");
    let r = go(&["--require-model"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--require-model"));
    // A config file's model is relative to the config file.
    t.write("conf/recontact.toml", "[run]\nmodel = \"my-model\"\n");
    let r = go(&["--config", "conf/recontact.toml"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains(&format!("conf{}my-model", std::path::MAIN_SEPARATOR)),
        "{err}"
    );
}

#[test]
fn an_unclosed_quote_is_rejected_with_the_rows_it_swallowed() {
    let t = Tmp::new();
    t.write(
        "m.csv",
        "contact_id,customer_id,started_at,text\n\
         c1,U1,2026-10-01T09:00:00Z,my card has not arrived\n\
         c2,U2,2026-10-02T09:00:00Z,refund not received\n\
         c3,U3,2026-10-03T09:00:00Z,\"the app crashes, again\n\
         c4,U4,2026-10-04T09:00:00Z,coupon not found at checkout\n\
         c5,U5,2026-10-05T09:00:00Z,where is my parcel\n",
    );
    ok(&[
        "run",
        &t.s("m.csv"),
        "--out",
        &t.s("out"),
        "-q",
        "--no-index",
    ]);
    let contacts = rows(&t.path("out/contacts.csv"));
    let rejected = rows(&t.path("out/rejected.csv"));
    assert_eq!(contacts.len(), 2);
    assert_eq!(rejected.len(), 1);
    let r = &rejected[0];
    assert_eq!((r["line"].as_str(), r["column"].as_str()), ("4", "text"));
    assert!(r["reason"].contains("lines 5–6"), "{r:?}");
    assert!(
        r["raw_row"].contains("c4,U4") && r["raw_row"].contains("c5,U5"),
        "{r:?}"
    );
    let m = json(&t.path("out/metrics.json"));
    assert_eq!(m["input"]["rejected_by_reason"]["unclosed_quote"], 1);
}

#[test]
fn nul_ids_duplicate_headers_and_absurd_thread_counts_have_rules() {
    let t = Tmp::new();
    t.write(
        "m.csv",
        "contact_id,customer_id,started_at,text\nc1,U1\0x,2026-10-01T09:00:00Z,hello\nc2,U2,2026-10-02T09:00:00Z,hi\n",
    );
    ok(&[
        "run",
        &t.s("m.csv"),
        "--out",
        &t.s("out"),
        "-q",
        "--no-index",
    ]);
    let rejected = rows(&t.path("out/rejected.csv"));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["column"], "customer_id");
    assert!(rejected[0]["reason"].contains("NUL"), "{:?}", rejected[0]);
    t.write(
        "dup.csv",
        "contact_id,customer_id,started_at,text,TEXT\nc1,U1,2026-10-01T09:00:00Z,a,b\n",
    );
    let r = run(&["run", &t.s("dup.csv"), "--out", &t.s("out2"), "-q"]);
    assert_eq!(r.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&r.stderr).contains("appears 2 times"));
    let r = run(&[
        "run",
        &t.s("m.csv"),
        "--out",
        &t.s("out2"),
        "--threads",
        "5000",
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("1..=1024"));
}

#[test]
fn previous_must_be_an_earlier_month() {
    let t = Tmp::new();
    t.write("oct.csv", small_month());
    t.write("nov.csv", small_month().replace("2026-10-", "2026-11-"));
    let run_q = |input: &str, out: &str, prev: &str| {
        run(&[
            "run",
            &t.s(input),
            "--out",
            &t.s(out),
            "-q",
            "--no-index",
            "--previous",
            &t.s(prev),
        ])
    };
    ok(&[
        "run",
        &t.s("oct.csv"),
        "--out",
        &t.s("oct"),
        "-q",
        "--no-index",
    ]);
    let r = run_q("nov.csv", "nov", "oct");
    assert!(r.status.success());
    assert!(
        r.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    // A later month as --previous: refused, nothing written.
    let r = run_q("oct.csv", "oct-again", "nov");
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("after this month's"), "{err}");
    assert!(!t.path("oct-again").exists());
    // The same month: a re-run check, with a warning.
    let r = run_q("oct.csv", "oct-again", "oct");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    assert!(err.contains("same period (2026-10)"), "{err}");
}

#[test]
fn exports_people_have_semicolons_tabs_day_first_dates_epochs_offsets() {
    let t = Tmp::new();
    // European Excel: semicolons, day-first dates.
    t.write(
        "eu/calls.csv",
        "contact_id;customer_id;started_at;text\n\
         c1;U1;03/10/2026 09:00;\"my card, it has not arrived\"\n\
         c2;U1;05/10/2026 09:00;my card still has not arrived\n",
    );
    let r = run(&["run", &t.s("eu"), "--out", &t.s("o1"), "-q", "--no-index"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(
        r.status.code(),
        Some(4),
        "day-first dates are not guessed: {err}"
    );
    assert!(
        err.contains("2 bad_timestamp") && err.contains("--date-format"),
        "{err}"
    );
    ok(&[
        "run",
        &t.s("eu"),
        "--out",
        &t.s("o2"),
        "-q",
        "--no-index",
        "--date-format",
        "%d/%m/%Y %H:%M",
    ]);
    let contacts = rows(&t.path("o2/contacts.csv"));
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0]["started_at"], "2026-10-03T09:00:00Z");
    assert_eq!(contacts[1]["is_repeat"], "true");
    // A tab-separated export with epoch seconds, milliseconds and +0800.
    t.write(
        "db/calls.tsv",
        "contact_id\tcustomer_id\tstarted_at\ttext\n\
         d1\tU1\t1790000000\thello\n\
         d2\tU2\t1790000000500\thi\n\
         d3\tU3\t2026-10-03 09:14:00+0800\they\n",
    );
    ok(&["run", &t.s("db"), "--out", &t.s("o3"), "-q", "--no-index"]);
    let c = rows(&t.path("o3/contacts.csv"));
    let at: Vec<&str> = c.iter().map(|r| r["started_at"].as_str()).collect();
    assert_eq!(
        at,
        [
            "2026-09-21T14:13:20Z",
            "2026-09-21T14:13:20Z",
            "2026-10-03T01:14:00Z"
        ]
    );
}

#[test]
fn legacy_encodings_are_decoded_with_encoding() {
    let t = Tmp::new();
    let month = "contact_id,customer_id,started_at,text\n\
                 c1,U1,2026-10-01T09:00:00Z,客戶：我的退款還沒有到帳\n\
                 c2,U2,2026-10-02T09:00:00Z,לקוח: הכרטיס לא הגיע\n";
    for (label, enc, text) in [
        ("big5", encoding_rs::BIG5, "退款還沒有到帳"),
        ("gb18030", encoding_rs::GB18030, "退款還沒有到帳"),
    ] {
        let zh = month.lines().take(2).collect::<Vec<_>>().join("\n") + "\n";
        let (bytes, _, bad) = enc.encode(&zh);
        assert!(!bad);
        t.write(&format!("{label}/m.csv"), &bytes[..]);
        // Without --encoding: rejected, and the error says what to pass.
        let r = run(&["run", &t.s(label), "--out", &t.s("o"), "-q", "--no-index"]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("--encoding"), "{label}: {err}");
        ok(&[
            "run",
            &t.s(label),
            "--out",
            &t.s("o"),
            "-q",
            "--no-index",
            "--encoding",
            label,
            "--categorise",
            "all",
        ]);
        let ep = rows(&t.path("o/episodes.csv"));
        assert_eq!(ep.len(), 1, "{label}");
        assert!(
            ep[0]["contact_reason"].contains(text),
            "{label}: {:?}",
            ep[0]
        );
    }
    // Hebrew Windows-1255, and UTF-16 with its BOM.
    let (he, _, _) = encoding_rs::WINDOWS_1255.encode(month.lines().next().unwrap());
    let mut bytes = he.to_vec();
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(
        &encoding_rs::WINDOWS_1255
            .encode(month.lines().nth(2).unwrap())
            .0,
    );
    bytes.extend_from_slice(b"\n");
    t.write("he/m.csv", &bytes);
    ok(&[
        "run",
        &t.s("he"),
        "--out",
        &t.s("o"),
        "-q",
        "--no-index",
        "--encoding",
        "windows-1255",
    ]);
    assert_eq!(rows(&t.path("o/contacts.csv")).len(), 1);
    let r = run(&[
        "run",
        &t.s("he"),
        "--out",
        &t.s("o"),
        "--encoding",
        "klingon",
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("not an encoding name"));
}

#[test]
fn json_ids_beyond_u64_stay_apart() {
    let t = Tmp::new();
    t.write(
        "m.jsonl",
        concat!(
            r#"{"contact_id": 1, "customer_id": 98765432109876543210, "started_at": "2026-10-01T09:00:00Z", "text": "Customer: my card has not arrived"}"#,
            "\n",
            r#"{"contact_id": 2, "customer_id": 98765432109876543211, "started_at": "2026-10-02T09:00:00Z", "text": "Customer: my card has not arrived"}"#,
            "\n",
        ),
    );
    ok(&[
        "run",
        &t.s("m.jsonl"),
        "--out",
        &t.s("out"),
        "-q",
        "--no-index",
    ]);
    let episodes = rows(&t.path("out/episodes.csv"));
    assert_eq!(episodes.len(), 2, "two customers, two episodes");
    let mut ids: Vec<&str> = episodes.iter().map(|e| e["customer_id"].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["98765432109876543210", "98765432109876543211"]);
}

#[test]
fn output_folder_replaced_whole_and_foreign_folders_kept() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    ok(&["run", &t.s("m.csv"), "--out", &t.s("out")]);
    t.write("out/stale.txt", "from an older run");
    ok(&["run", &t.s("m.csv"), "--out", &t.s("out")]);
    assert!(!t.path("out/stale.txt").exists(), "replaced as a whole");
    // A folder that is not ours is never replaced.
    t.write("mine/notes.txt", "precious");
    let out = run(&["run", &t.s("m.csv"), "--out", &t.s("mine")]);
    assert_eq!(out.status.code(), Some(5), "output not writable");
    assert!(t.path("mine/notes.txt").exists());
    // No staging folders left behind.
    let leftovers: Vec<_> = fs::read_dir(t.0.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn out_never_deletes_an_input_or_a_folder_recontact_did_not_make() {
    let t = Tmp::new();
    t.write("exports/calls.csv", small_month());
    // --out equal to, inside, or containing the input folder: refused, and
    // the export is still there.
    for out in ["exports", "exports/out", "."] {
        let r = bin()
            .current_dir(t.0.path())
            .args(["run", "exports", "--out", out, "-q"])
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(5), "--out {out}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("refusing --out"), "{err}");
        assert!(t.path("exports/calls.csv").is_file(), "--out {out}");
    }
    // A folder with a metrics.json beside other files is not ours.
    t.write("project/metrics.json", "{}");
    t.write("project/plan.md", "keep me");
    let r = run(&["run", &t.s("exports"), "--out", &t.s("project"), "-q"]);
    assert_eq!(r.status.code(), Some(5));
    assert!(t.path("project/plan.md").is_file());
    // Our own output carries the marker and is replaced on the next run.
    ok(&["run", &t.s("exports"), "--out", &t.s("out"), "-q"]);
    assert!(t.path("out/.recontact-output").is_file());
    ok(&["run", &t.s("exports"), "--out", &t.s("out"), "-q"]);
    assert!(t.path("out/metrics.json").is_file());
}

#[test]
fn a_dead_runs_staging_folder_is_cleaned_and_an_output_moved_aside_is_put_back() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    ok(&["run", &t.s("m.csv"), "--out", &t.s("out"), "-q"]);
    // What a run killed between the two renames leaves: the old output
    // moved aside, the new one still staged, --out missing. PIDs above the
    // kernel's pid_max are never alive.
    fs::rename(t.path("out"), t.path(".out.old-4194999")).unwrap();
    t.write(".out.tmp-4194999/contacts.csv", "half written");
    ok(&["run", &t.s("m.csv"), "--out", &t.s("out"), "-q"]);
    assert!(t.path("out/metrics.json").is_file());
    let leftovers: Vec<_> = fs::read_dir(t.0.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn byte_identical_on_one_and_two_threads() {
    let t = Tmp::new();
    // Enough rows for several parse batches and many customers.
    let mut s = String::from(HEADER);
    s.push('\n');
    let texts = [
        "card has not arrived",
        "refund not received",
        "change my address",
        "pin is blocked",
    ];
    for i in 0..20_000u32 {
        let day = 1 + (i * 7919) % 30;
        let hour = (i * 31) % 24;
        let cust = (i * 104_729) % 6000;
        s.push_str(&format!(
            "C{i},U{cust},2026-10-{day:02}T{hour:02}:{:02}:00Z,Customer: my {} {i},phone,inbound,,A{},t{},{},false,false,\n",
            i % 60,
            texts[(i % 4) as usize],
            i % 13,
            i % 3,
            i % 17 == 0
        ));
    }
    t.write("big.csv", &s);
    // Both runs write to the same --out (the reports name it), the first
    // moved aside before the second.
    let run = |threads: &str| {
        ok(&[
            "run",
            &t.s("big.csv"),
            "--out",
            &t.s("out"),
            "--threads",
            threads,
            "--embedder",
            "lexical",
        ]);
    };
    run("1");
    fs::rename(t.path("out"), t.path("o1")).unwrap();
    run("2");
    let files = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(t.path(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    let names = files("o1");
    assert_eq!(names, files("out"));
    for f in [
        "contacts.csv",
        "episodes.csv",
        "metrics.json",
        "rejected.csv",
        "report.md",
        "report.html",
        "report.json",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} written");
    }
    for f in &names {
        let path = t.path("o1").join(f);
        if path.is_dir() {
            continue;
        }
        let a = fs::read(&path).unwrap();
        let b = fs::read(t.path("out").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn fcr_basis_options_change_the_verdict() {
    let t = Tmp::new();
    t.write(
        "m.csv",
        format!(
            "{HEADER}\n{}\n{}\n",
            "a1,U1,2026-10-01T09:00:00Z,Customer: my refund has not arrived,phone,inbound,,A1,billing,false,false,false,",
            "a2,U1,2026-10-01T20:00:00Z,Customer: refund still has not arrived,phone,inbound,,A1,billing,false,false,false,"
        ),
    );
    let fcr = |extra: &[&str]| {
        let mut args = vec!["run", "--out"];
        let out = t.s("out");
        args.push(&out);
        let input = t.s("m.csv");
        args.push(&input);
        args.extend_from_slice(&["--period-end", "2026-11-01T00:00:00Z"]);
        args.extend_from_slice(extra);
        ok(&args);
        rows(&t.path("out/episodes.csv"))[0]["fcr"].clone()
    };
    assert_eq!(fcr(&[]), "false");
    assert_eq!(fcr(&["--fcr-basis", "handler"]), "true");
    assert_eq!(
        fcr(&["--fcr-basis", "deadline", "--promise", "24h"]),
        "true"
    );
    assert_eq!(
        fcr(&["--fcr-basis", "deadline", "--promise", "6h"]),
        "false"
    );
}

#[test]
fn no_csv_cell_is_a_spreadsheet_formula() {
    let t = Tmp::new();
    let month = [
        r#"=1+1,@bob,2026-10-01T09:00:00Z,"=HYPERLINK(""http://x"",""refund"") my refund has not arrived",phone,inbound,,+A1,-cards,false,false,false,"#,
        r#"c2,@bob,2026-10-02T09:00:00Z,my refund has still not arrived,phone,inbound,,A1,cards,false,false,false,"#,
        r#"c3,-7,2026-10-03T09:00:00Z,@home my card is blocked,phone,inbound,,A1,cards,false,false,false,"#,
        r#"c4,U4,not a time,=cmd|' /C calc'!A0,phone,inbound,,A1,cards,false,false,false,"#,
    ];
    t.write("in.csv", format!("{HEADER}\n{}\n", month.join("\n")));
    ok(&[
        "run",
        &t.s("in.csv"),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
        "--out",
        &t.s("out"),
    ]);
    assert_no_formula_cells(&t.path("out"));
    let contacts = rows(&t.path("out/contacts.csv"));
    assert_eq!(contacts[0]["contact_id"], "'=1+1");
    assert_eq!(contacts[0]["customer_id"], "'@bob");
    // A number stays a number.
    assert_eq!(contacts[2]["customer_id"], "-7");
    let rejected = rows(&t.path("out/rejected.csv"));
    assert_eq!(rejected.len(), 1);
}

/// `--log-format json`: every stderr line is one JSON stage event, each
/// stage starts and is done in pipeline order, with counts where it
/// counts; `-q` says nothing; the output files do not depend on either.
#[test]
fn progress_is_json_lines_on_stderr_and_nothing_with_quiet() {
    let t = Tmp::new();
    t.write("m.csv", small_month());
    let go = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            "m.csv",
            "--out",
            out,
            "--no-index",
            "--embedder",
            "lexical",
        ];
        args.extend_from_slice(extra);
        crate::util::ok_in(t.0.path(), &args)
    };
    let r = go("json", &["--log-format", "json"]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("FCR rate"));
    let err = String::from_utf8(r.stderr).unwrap();
    let events: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    for e in &events {
        assert!(e["ts"].is_string() && e["stage"].is_string(), "{e}");
    }
    let said = |event: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["event"] == event)
            .map(|e| e["stage"].as_str().unwrap().to_string())
            .collect()
    };
    let stages = [
        "ingest",
        "learn templates",
        "episodes",
        "metrics",
        "reasons",
        "embed reasons",
        "cluster",
        "label",
        "themes",
        "rank",
        "output",
    ];
    assert_eq!(said("start"), stages, "{err}");
    assert_eq!(said("done"), stages, "{err}");
    let done = |stage: &str| {
        events
            .iter()
            .find(|e| e["event"] == "done" && e["stage"] == stage)
            .unwrap()
            .clone()
    };
    let ingest = done("ingest");
    assert_eq!(ingest["count"], 12, "{ingest}");
    assert_eq!(ingest["unit"], "rows");
    assert!(ingest["seconds"].as_f64().unwrap() >= 0.0);
    let embed = done("embed reasons");
    assert!(embed["count"].as_u64().unwrap() > 0, "{embed}");
    assert_eq!(embed["count"], embed["total"], "{embed}");
    // Stages that embed along the way count what they embed.
    for stage in ["cluster", "label", "themes"] {
        let d = done(stage);
        assert_eq!(d["unit"], "texts", "{d}");
        assert!(d["count"].is_u64(), "{d}");
        assert!(d["total"].is_null() || d["total"] == d["count"], "{d}");
    }
    assert!(done("rank").get("count").is_none());

    // Not a terminal, no flag: plain timestamped lines, no escapes.
    let r = go("plain", &[]);
    let err = String::from_utf8(r.stderr).unwrap();
    assert!(err.contains("  ingest  done 12 rows in "), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");

    // -q: no summary, no progress, even when a format is asked for.
    let r = go("quiet", &["-q", "--log-format", "json"]);
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{r:?}");
    for f in [
        "contacts.csv",
        "episodes.csv",
        "categories.csv",
        "metrics.json",
    ] {
        let q = fs::read(t.path("quiet").join(f)).unwrap();
        assert!(q == fs::read(t.path("json").join(f)).unwrap(), "{f}");
        assert!(q == fs::read(t.path("plain").join(f)).unwrap(), "{f}");
    }
}

/// On a terminal (a pseudo-terminal from util-linux `script`, as a person
/// at a shell has): one live line per stage, redrawn in place, each ending
/// in its done line; the summary still printed. The files are the same as
/// when nobody watches.
#[test]
fn progress_on_a_terminal_redraws_one_line_per_stage() {
    let script = Path::new("/usr/bin/script");
    if !script.is_file() {
        eprintln!("progress_on_a_terminal_redraws_one_line_per_stage: skipped, no /usr/bin/script");
        return;
    }
    let t = Tmp::new();
    t.write("m.csv", small_month());
    let cmd = format!(
        "{} run m.csv --out tty --no-index --embedder lexical",
        recontact::report::shell_quote(env!("CARGO_BIN_EXE_recontact"))
    );
    let out = std::process::Command::new(script)
        .current_dir(t.0.path())
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{out:?}");
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(
        tty.contains("\r\u{1b}[2K"),
        "lines redrawn in place: {tty:?}"
    );
    for stage in ["ingest", "episodes", "embed reasons", "cluster", "output"] {
        assert!(tty.contains(&format!("  {stage} ")), "{stage}: {tty:?}");
    }
    assert!(tty.contains("done 12 rows in "), "{tty:?}");
    assert!(tty.contains("FCR rate"), "the summary: {tty:?}");
    crate::util::ok_in(
        t.0.path(),
        &[
            "run",
            "m.csv",
            "--out",
            "plain",
            "--no-index",
            "--embedder",
            "lexical",
            "-q",
        ],
    );
    for f in ["contacts.csv", "episodes.csv", "categories.csv"] {
        assert!(
            fs::read(t.path("tty").join(f)).unwrap() == fs::read(t.path("plain").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The report's language: English for an English month; the config's
/// `[run] report_language` over that; the flag over both; anything else a
/// clear error naming the choices.
#[test]
fn report_language_from_the_month_the_config_or_the_flag() {
    let t = Tmp::new();
    t.write("in/month.csv", small_month());
    t.write("he.toml", "[run]\nreport_language = \"he\"\n");
    let (input, config) = (t.s("in"), t.s("he.toml"));
    let run_to = |out: &str, more: &[&str]| {
        let out = t.s(out);
        let mut args = vec!["run", &input, "--out", &out, "--embedder", "lexical", "-q"];
        args.extend_from_slice(more);
        run(&args)
    };
    let page = |dir: &str| fs::read_to_string(t.path(dir).join("report.html")).unwrap();
    assert!(run_to("en", &[]).status.success());
    assert!(page("en").starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(run_to("he", &["--config", &config]).status.success());
    assert!(page("he").starts_with("<!DOCTYPE html>\n<html lang=\"he\" dir=\"rtl\">"));
    assert_eq!(metrics(&t.path("he"))["settings"]["report_language"], "he");
    let tw = run_to("tw", &["--config", &config, "--report-language", "zh-HK"]);
    assert!(tw.status.success());
    assert!(page("tw").starts_with("<!DOCTYPE html>\n<html lang=\"zh-TW\">"));
    // Next month, with --previous and no choice made: last month's
    // language, not a flip with the month's script.
    t.write(
        "next/month.csv",
        small_month().replace("2026-10-", "2026-11-"),
    );
    let next = run(&[
        "run",
        &t.s("next"),
        "--out",
        &t.s("nov"),
        "--embedder",
        "lexical",
        "-q",
        "--previous",
        &t.s("he"),
    ]);
    assert!(
        next.status.success(),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    assert!(page("nov").starts_with("<!DOCTYPE html>\n<html lang=\"he\" dir=\"rtl\">"));
    let bad = run_to("x", &["--report-language", "fr"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("zh-CN") && err.contains("he"), "{err}");
}
