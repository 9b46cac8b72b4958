//! Inputs shared by the integration tests.

/// 3 recurring reasons (coupon, refund in Chinese, card in Hebrew), each
/// customer calling twice; plus one-off resolved contacts.
pub fn month() -> String {
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
