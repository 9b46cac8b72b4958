//! Root causes from text as real exports have it (issue 13): handles, URLs,
//! HTML entities, sign-offs, emoji, an agent template pasted under every
//! topic, and customers who only say thanks. Lexical embedder, so no model
//! is needed.

use std::fs;

use crate::util::{arg, ok, report_json, rows};

/// Four issues, 15 customers each (a first contact and a repeat, one
/// ticket), 24 of the first contacts with the same agent template under
/// them, and 8 customers who only thank.
fn social_month() -> String {
    let mut s = String::from("contact_id,customer_id,ticket_id,started_at,text,channel\n");
    let topics: [[&str; 3]; 4] = [
        [
            "my card payment was declined at the shop",
            "card declined again when paying at the till",
            "why is my card payment declined in shops",
        ],
        [
            "the refund for my order has not arrived",
            "still no refund for the returned order",
            "refund for order not received yet",
        ],
        [
            "I was charged £32.19 twice for one order &amp; nobody replied",
            "charged twice for the same order, £32.19 each &amp; no reply",
            "double charge of £32.19 on my order &amp; no answer",
        ],
        [
            "the app crashes when I log in since the update",
            "app keeps crashing at login after the update",
            "since the update the app crashes on login",
        ],
    ];
    let mut id = 0;
    let mut row = |s: &mut String, cust: &str, ticket: &str, day: u32, hour: u32, text: &str| {
        id += 1;
        s.push_str(&format!(
            "c{id:04},{cust},{ticket},2026-10-{day:02}T{hour:02}:00:00Z,\"{}\",social\n",
            text.replace('"', "\"\"")
        ));
    };
    for (k, variants) in topics.iter().enumerate() {
        for u in 0..15 {
            let cust = format!("U{k}{u:02}");
            let ticket = format!("T{k}{u:02}");
            let day = 1 + (u as u32 % 25);
            let mut first = format!(
                "@NorthwindBank {} (order {}) https://t.co/x{k}{u}Zq ^JK",
                variants[u % 3],
                40_000 + 97 * (k * 15 + u)
            );
            if u % 5 < 2 {
                first.push_str("\nCase passed to specialist team for review.");
            }
            row(&mut s, &cust, &ticket, day, 9, &first);
            row(
                &mut s,
                &cust,
                &ticket,
                day,
                15,
                &format!("@NorthwindBank still waiting, {}", variants[(u + 1) % 3]),
            );
        }
    }
    for u in 0..8 {
        let cust = format!("W{u}");
        let ticket = format!("TW{u}");
        row(
            &mut s,
            &cust,
            &ticket,
            3 + u,
            10,
            "@NorthwindBank Thanks so much! 🙏",
        );
        row(
            &mut s,
            &cust,
            &ticket,
            3 + u,
            12,
            "@NorthwindBank thank you again, great help",
        );
    }
    s
}

/// Runs `month` (a CSV) in `dir` with the lexical embedder; the output folder.
fn run_month(dir: &std::path::Path, month: &str) -> std::path::PathBuf {
    let input = dir.join("month.csv");
    fs::write(&input, month).unwrap();
    let out = dir.join("out");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--period-end",
        "2026-11-15T00:00:00Z",
        "--no-index",
    ]);
    out
}

#[test]
fn root_causes_from_real_looking_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_month(dir.path(), &social_month());
    let doc = report_json(&out);
    let rc = &doc["root_causes"];
    // Thanks-only episodes are counted apart, with examples, never ranked.
    assert_eq!(rc["no_problem_stated"]["episodes"], 8, "{rc}");
    assert_eq!(rc["reasons"], 60, "{rc}");
    let ex = rc["no_problem_stated"]["examples"].to_string();
    assert!(ex.contains("Thanks so much"), "{ex}");
    // The template pasted under every topic was learned and stripped.
    let phrases = rc["boilerplate_removed"].to_string();
    assert!(phrases.contains("specialist"), "{phrases}");

    let cats = rows(&out.join("categories.csv"));
    assert!(cats.len() >= 3, "{cats:?}");
    let mut names = std::collections::BTreeSet::new();
    for c in &cats {
        let name = c["label"].to_lowercase();
        for bad in [
            "@",
            "http",
            "t.co",
            "northwind",
            "specialist",
            "order 4",
            "jk",
        ] {
            assert!(!name.contains(bad), "name {name:?} has {bad:?}");
        }
        assert!(!c["keywords"].to_lowercase().contains("northwind"), "{c:?}");
        assert!(names.insert(name.clone()), "name {name:?} repeats");
        let cohesion: f64 = c["cohesion"].parse().unwrap();
        assert!(cohesion > 0.0 && cohesion <= 1.0, "{c:?}");
        // Quotes keep the customer's words: no handle, no URL, numbers and
        // entities as the customer meant them.
        let q = &c["quotes"];
        assert!(!q.contains("@North") && !q.contains("https"), "{q}");
        assert!(!q.contains("&amp;") && !q.contains("32. 19"), "{q}");
        assert!(!q.contains("specialist team"), "{q}");
    }
    let charged = cats
        .iter()
        .find(|c| c["quotes"].contains("£32.19"))
        .expect("a category quoting the double charge as written");
    assert!(charged["quotes"].contains(" & "), "{}", charged["quotes"]);
    // Each name says how many of its episodes say it; a phrase name is
    // said by some of them (a keyword list of no one's words would not be).
    for c in rc["categories"].as_array().unwrap() {
        let said = c["name_said_by"].as_f64().unwrap();
        assert!(said > 0.0 && said <= 1.0, "{c}");
    }

    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("state no problem"), "{md}");
    // Each category's entry says how many of its episodes say its name.
    assert!(md.contains("- **Name:** said by "), "{md}");
    assert!(md.contains("Template phrases"), "{md}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(r#"id="no-problem""#));
    assert!(html.contains("<dt>episodes saying its name</dt>"), "{html}");
}

/// Customers who praise or celebrate (a promotion, the new app, a
/// holiday), in three languages, each twice: set aside as no problem
/// stated with the thanks-only ones, never a reason or a theme. A praise
/// with a complaint in it stays a reason.
#[test]
fn praise_and_celebration_state_no_problem() {
    let mut month = social_month();
    let praise = [
        "@NorthwindBank Loving the new app design, best bank ever! 😍",
        "Happy Halloween @NorthwindBank! The pumpkin card design is awesome 🎃",
        "@NorthwindBank 新的App界面太棒了，点赞",
        "@NorthwindBank האפליקציה החדשה מעולה, כל הכבוד!",
        "Kudos to the branch team in Leeds, superb service today",
        "@NorthwindBank Thanks for the free coffee at the branch!",
    ];
    for (u, text) in praise.iter().enumerate() {
        for (k, hour) in [(0, 10), (1, 14)] {
            month.push_str(&format!(
                "p{u}{k},P{u},TP{u},2026-10-{:02}T{hour}:00:00Z,\"{text}\",social\n",
                5 + u
            ));
        }
    }
    // Praise beside a problem is a reason.
    month.push_str(
        "q1,Q1,TQ1,2026-10-20T09:00:00Z,\"Love the new app but it crashes at login since the update\",social\n\
         q2,Q1,TQ1,2026-10-20T15:00:00Z,\"still crashing at login, love the design though\",social\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = run_month(dir.path(), &month);
    let rc = &report_json(&out)["root_causes"];
    assert_eq!(rc["no_problem_stated"]["episodes"], 8 + 6, "{rc}");
    assert_eq!(rc["reasons"], 60 + 1, "{rc}");
    for c in rows(&out.join("categories.csv")) {
        let name = c["label"].to_lowercase();
        for bad in ["halloween", "design", "kudos", "coffee", "点赞", "מעולה"] {
            assert!(!name.contains(bad), "name {name:?} has {bad:?}");
        }
    }
}

/// A social-media desk answering for two brands: customers write the
/// brand they address into their problem ("my Skyline flight"), so each
/// brand's word sits in its own topics, never throughout the month.
fn two_brand_month() -> String {
    let topics: [(&str, [&str; 3]); 4] = [
        (
            "@Skyline_Air",
            [
                "my Skyline flight was cancelled last night",
                "Skyline cancelled my flight again",
                "flight cancelled by Skyline with no notice",
            ],
        ),
        (
            "@Skyline_Air",
            [
                "Skyline lost my bag on the way to Rome",
                "my bag is lost, Skyline please help",
                "still no bag, Skyline lost it",
            ],
        ),
        (
            "@FreshCartHelp",
            [
                "my FreshCart delivery is late again",
                "FreshCart delivery two hours late",
                "late delivery from FreshCart today",
            ],
        ),
        (
            "@FreshCartHelp",
            [
                "FreshCart charged me for missing items",
                "charged for items FreshCart never sent",
                "missing items but FreshCart charged me",
            ],
        ),
    ];
    twice_each(&topics)
}

/// Each topic's 15 customers writing twice (09:00 and 15:00), in turn
/// with its three wordings, each text after the topic's prefix (a handle,
/// or nothing).
fn twice_each(topics: &[(&str, [&str; 3])]) -> String {
    let mut s = String::from("contact_id,customer_id,started_at,text,channel\n");
    let mut id = 0;
    for (k, (prefix, variants)) in topics.iter().enumerate() {
        for u in 0..15 {
            for (hour, text) in [(9, variants[u % 3]), (15, variants[(u + 1) % 3])] {
                id += 1;
                let text = format!("{prefix} {text}");
                s.push_str(&format!(
                    "c{id:04},U{k}{u:02},2026-10-{:02}T{hour:02}:00:00Z,\"{}\",social\n",
                    1 + u % 25,
                    text.trim()
                ));
            }
        }
    }
    s
}

#[test]
fn the_brands_customers_address_name_no_theme() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_month(dir.path(), &two_brand_month());
    let cats = rows(&out.join("categories.csv"));
    let themes = rows(&out.join("themes.csv"));
    assert!(cats.len() >= 3, "{cats:?}");
    let names: Vec<String> = cats
        .iter()
        .map(|c| c["label"].to_lowercase())
        .chain(themes.iter().map(|t| t["name"].to_lowercase()))
        .collect();
    for name in &names {
        assert!(
            !name.contains("skyline") && !name.contains("freshcart"),
            "a brand names a group: {names:?}"
        );
    }
    // The problems do.
    let all = names.join(" | ");
    for problem in ["cancel", "bag", "late", "charged"] {
        assert!(all.contains(problem), "no name says {problem:?}: {all}");
    }
    // The brand stays a keyword: it tells whom the customers wrote to.
    assert!(
        cats.iter()
            .any(|c| c["keywords"].to_lowercase().contains("skyline")),
        "{cats:?}"
    );
}

/// A desk that also gets Spanish messages: two English problems and two
/// Spanish ones, each customer writing twice.
fn spanish_month() -> String {
    let topics: [[&str; 3]; 4] = [
        [
            "my card payment was declined at the store",
            "card declined again when I paid",
            "payment declined on my card today",
        ],
        [
            "the app crashes when I open my statement",
            "app crashed again opening the statement",
            "statement screen crashes the app",
        ],
        [
            "el reembolso no ha llegado a mi cuenta y ya pasaron diez días",
            "todavía no me llega el reembolso que me prometieron",
            "ya es la tercera vez que pregunto por el reembolso de mi pedido",
        ],
        [
            "no puedo entrar en la aplicación con mi contraseña",
            "la contraseña no funciona y no puedo entrar",
            "me dice que la contraseña es incorrecta pero es la misma",
        ],
    ];
    let topics: Vec<(&str, [&str; 3])> = topics.into_iter().map(|t| ("", t)).collect();
    twice_each(&topics)
}

#[test]
fn spanish_function_words_name_no_group_and_are_no_keywords() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_month(dir.path(), &spanish_month());
    let cats = rows(&out.join("categories.csv"));
    let themes = rows(&out.join("themes.csv"));
    // Keywords hold no function word; a name may hold one inside a
    // phrase ("pregunto por el reembolso") but never starts or ends with
    // one, nor is one.
    let mut names: Vec<String> = Vec::new();
    let mut keywords: Vec<String> = Vec::new();
    for (name, kw) in cats
        .iter()
        .map(|c| (&c["label"], &c["keywords"]))
        .chain(themes.iter().map(|t| (&t["name"], &t["keywords"])))
    {
        names.push(name.to_lowercase());
        keywords.extend(kw.to_lowercase().split("; ").map(String::from));
    }
    let stops = [
        "el", "la", "lo", "ya", "que", "mi", "me", "es", "en", "de", "por", "con",
    ];
    for k in &keywords {
        for w in k.split_whitespace() {
            assert!(!stops.contains(&w), "keyword {k:?}: {keywords:?}");
        }
    }
    for n in &names {
        let first = n.split_whitespace().next().unwrap_or_default();
        let last = n.split_whitespace().last().unwrap_or_default();
        assert!(
            !stops.contains(&first) && !stops.contains(&last),
            "name {n:?}: {names:?}"
        );
    }
    let words: Vec<&String> = names.iter().chain(&keywords).collect();
    // The Spanish problems are named by their own content words.
    let all = words
        .iter()
        .map(|w| w.as_str())
        .collect::<Vec<_>>()
        .join(" | ");
    for problem in ["reembolso", "contraseña"] {
        assert!(
            all.contains(problem),
            "no name or keyword says {problem:?}: {all}"
        );
    }
}
