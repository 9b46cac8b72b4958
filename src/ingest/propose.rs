//! `recontact init`'s guesses: which header of an export holds each
//! contract column (the names Zendesk, Salesforce Service Cloud, Genesys,
//! Five9, Freshdesk, Udesk, 智齿 and similar exports use, in English,
//! Chinese and Hebrew), the date format when the times are not ISO, and the
//! time zone when the data says it. The result is a commented
//! `recontact.toml` that `recontact run` reads.
//!
//! The name lists are written here: no maintained crate maps contact-centre
//! exports, and each vendor's headers are documented only in its own help.

use chrono_tz::Tz;

use super::{Peek, COLUMNS};
use crate::text::{dominant_script, to_simplified, Script};
use crate::time::parse_timestamp_as;

/// Known headers of each contract column, most specific first, normalised
/// (see [`norm`]). A header is taken once, by the first column that wants
/// it, in contract order: so in a comment-level export "Comment ID" is the
/// contact and "Ticket ID" the ticket, while a ticket-level export's
/// "Ticket ID" is the contact. Salesforce's "Contact" is the customer.
#[rustfmt::skip]
const KNOWN: &[(&str, &[&str])] = &[
    ("contact_id", &[
        "commentid", "messageid", "interactionid", "conversationid", "sessionid", "callid",
        "chatid", "activityid", "emailid", "casenumber", "caseid", "ticketid", "ticketnumber",
        "ticketno", "caseno", "id", "会话id", "会话编号", "通话id", "消息id", "记录id", "工单id", "工单编号",
        "工单号", "會話id", "會話編號", "工單編號", "工單號", "案件編號", "מזההפנייה", "מספרפנייה", "מזהה",
        "מספרקריאה",
        // Amazon Connect's contact is the interaction; Salesforce's is
        // the customer: last, after a case number would have matched.
        "contactid",
    ]),
    ("customer_id", &[
        "customerid", "customerno", "customernumber", "contactid", "requesterid", "requester",
        "requesteremail", "contact", "contactname", "contactemail", "accountid",
        "accountnumber", "userid", "memberid", "visitorid", "callerid", "ani", "customerphone",
        "phonenumber", "phone", "email", "customeremail", "customer", "from", "客户id", "客户编号",
        "客户号", "客户", "用户id", "用户编号", "访客id", "会员id", "会员号", "手机号", "手机号码", "电话", "客戶id", "客戶編號",
        "客戶", "用戶id", "會員編號", "手機號碼", "電話", "מזההלקוח", "מספרלקוח", "לקוח", "טלפון", "תז",
    ]),
    ("started_at", &[
        "startedat", "createdat", "created", "createddate", "datecreated", "creationdate",
        "createdtime", "datetimeopened", "openeddate", "opened", "starttime", "startdate",
        "conversationstart", "callstart", "sessionstart", "interactionstart", "receivedat",
        "sentat", "timestamp", "datetime", "date", "time", "创建时间", "开始时间", "会话开始时间", "接入时间",
        "来电时间", "发起时间", "时间", "日期", "建立時間", "建立日期", "開始時間", "創建時間", "來電時間", "時間", "תאריךפתיחה",
        "תאריךיצירה", "זמןהתחלה", "מועדפתיחה", "תאריך",
    ]),
    ("text", &[
        "text", "transcript", "conversation", "body", "description", "comment", "comments",
        "message", "content", "messages", "notes", "note", "details", "chattranscript",
        "casedescription", "subject", "内容", "会话内容", "聊天记录", "对话内容", "问题描述", "描述", "留言", "备注",
        "內容", "會話內容", "對話內容", "聊天記錄", "問題描述", "備註", "תוכן", "תיאור", "הודעה", "תמליל", "פירוט",
        "הערות",
    ]),
    ("channel", &[
        "channel", "via", "origin", "caseorigin", "source", "mediatype", "channeltype", "媒体类型",
        "渠道", "来源", "接入渠道", "通路", "來源", "管道", "ערוץ", "מקור",
    ]),
    ("direction", &[
        "direction", "calldirection", "calltype", "方向", "呼叫方向", "呼叫類型", "כיוון",
    ]),
    ("ticket_id", &[
        "ticketid", "ticketnumber", "ticketno", "ticketref", "ticketreference", "casenumber",
        "caseid", "caseref", "casereference", "工单号", "工单编号", "工单id", "工單號", "工單編號", "מספרקריאה",
    ]),
    ("agent_id", &[
        "agentid", "agent", "agentname", "assignee", "assigneeid", "assigneename", "owner",
        "ownerid", "caseowner", "handledby", "客服", "客服id", "客服工号", "坐席", "坐席工号", "处理人", "负责人",
        "客服人員", "專員", "處理人", "נציג", "שםנציג", "מזההנציג",
    ]),
    ("team", &[
        "team", "group", "groupname", "assigneegroup", "skill", "department", "技能组", "组别", "部门",
        "技能組", "組別", "部門", "צוות", "מחלקה",
    ]),
    ("queue", &[
        "queue", "queuename", "campaign", "队列", "隊列", "תור",
    ]),
    ("reason_code", &[
        "reasoncode", "reason", "disposition", "contactreason", "casereason", "type",
        "tickettype", "category", "wrapup", "wrapupcode", "分类", "问题类型", "问题分类", "工单类型", "分類",
        "問題類型", "סיבה", "סיבתפנייה", "קטגוריה",
    ]),
    ("transferred", &[
        "transferred", "transfer", "istransferred", "转接", "是否转接", "轉接", "הועבר",
    ]),
    ("escalated", &[
        "escalated", "isescalated", "escalation", "升级", "是否升级", "升級", "הוסלם",
    ]),
    ("reopened", &[
        "reopened", "isreopened", "reopens", "重开", "重新打开", "重開", "נפתחמחדש",
    ]),
    ("survey_resolved", &[
        "surveyresolved", "resolved", "issueresolved", "fcr", "firstcontactresolution", "是否解决",
        "问题是否解决", "已解决", "是否解決", "問題是否解決", "נפתר", "האםנפתר",
    ]),
    ("csat", &[
        "csat", "satisfaction", "satisfactionscore", "satisfactionrating", "rating", "满意度",
        "满意度评价", "滿意度", "שביעותרצון", "דירוג",
    ]),
    ("segment", &[
        "segment", "tier", "customertier", "customersegment", "plan", "客户等级", "会员等级", "客戶等級",
        "會員等級", "סגמנט", "פלח",
    ]),
];

/// A header as compared: lower case, letters and digits only ("Date/Time
/// Opened" → "datetimeopened", "客户 ID" → "客户id").
fn norm(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What `recontact init` proposes for one export.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// Contract column → the export's header, in contract order.
    pub columns: Vec<(&'static str, String)>,
    /// Required columns no header was found for.
    pub missing: Vec<&'static str>,
    /// Headers no contract column takes.
    pub unused: Vec<String>,
    /// `--date-format`, when the times are not read without one.
    pub date_format: Option<String>,
    /// Why (or why none, or which to choose).
    pub date_note: String,
    /// The formats that read every time, when more than one does and they
    /// disagree (day first or month first): the user chooses.
    pub date_choices: Vec<String>,
    /// `--timezone`, when the data says it.
    pub timezone: Option<String>,
    pub timezone_note: String,
    pub encoding: Option<String>,
    pub sheet: Option<String>,
    pub rows_seen: usize,
}

/// Formats tried for times that are not ISO, RFC 3339 or epoch: day first
/// and month first side by side, so an export whose days are all ≤ 12 is
/// found ambiguous rather than guessed.
const DATE_FORMATS: &[&str] = &[
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%m-%d-%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
];

pub fn propose(peek: &Peek) -> Proposal {
    let mut p = Proposal {
        encoding: peek.encoding.clone(),
        sheet: peek.sheet.clone(),
        rows_seen: peek.rows.len(),
        ..Proposal::default()
    };
    let normed: Vec<String> = peek.header.iter().map(|h| norm(h)).collect();
    let mut taken = vec![false; peek.header.len()];
    // The contract's own names first (any case), as `run` reads them.
    let mut found: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| {
            let i = peek
                .header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(c.name))?;
            taken[i] = true;
            Some(i)
        })
        .collect();
    for (k, c) in COLUMNS.iter().enumerate() {
        if found[k].is_some() {
            continue;
        }
        let known = KNOWN
            .iter()
            .find(|(name, _)| *name == c.name)
            .map_or(&[][..], |(_, k)| *k);
        found[k] = known.iter().find_map(|want| {
            let i = (0..normed.len()).find(|&i| !taken[i] && normed[i] == *want)?;
            taken[i] = true;
            Some(i)
        });
    }
    for (k, c) in COLUMNS.iter().enumerate() {
        match found[k] {
            Some(i) => p.columns.push((c.name, peek.header[i].clone())),
            None if c.required => p.missing.push(c.name),
            None => {}
        }
    }
    p.unused = peek
        .header
        .iter()
        .zip(&taken)
        .filter(|(h, t)| !**t && !h.is_empty())
        .map(|(h, _)| h.clone())
        .collect();

    let column = |name: &str| -> Vec<&str> {
        let Some(i) = COLUMNS
            .iter()
            .position(|c| c.name == name)
            .and_then(|k| found[k])
        else {
            return Vec::new();
        };
        peek.rows
            .iter()
            .filter_map(|r| r.get(i).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .collect()
    };
    let times = column("started_at");
    let texts = column("text");
    dates(&times, &mut p);
    let format = p.date_format.clone();
    zone(&times, &texts, format.as_deref(), &mut p);
    p
}

/// Whether every time reads with `format` (`None`: the forms read
/// without one).
fn all_read(times: &[&str], format: Option<&str>) -> bool {
    times
        .iter()
        .all(|t| parse_timestamp_as(t, chrono_tz::UTC, format).is_ok())
}

fn dates(times: &[&str], p: &mut Proposal) {
    if times.is_empty() {
        p.date_note = "no times seen to check".into();
        return;
    }
    if all_read(times, None) {
        p.date_note = "ISO / RFC 3339 / epoch times: read without a format".into();
        return;
    }
    let fits: Vec<&str> = DATE_FORMATS
        .iter()
        .copied()
        .filter(|f| all_read(times, Some(f)))
        .collect();
    // Formats that read every time to the same instants are one answer.
    let instants = |f: &str| -> Vec<i64> {
        times
            .iter()
            .filter_map(|t| parse_timestamp_as(t, chrono_tz::UTC, Some(f)).ok())
            .collect()
    };
    let mut distinct: Vec<&str> = Vec::new();
    for f in fits {
        if !distinct.iter().any(|d| instants(d) == instants(f)) {
            distinct.push(f);
        }
    }
    match distinct.as_slice() {
        [] => {
            p.date_note = format!(
                "no known format reads every time (e.g. '{}'): set date_format (strftime) by hand",
                times[0]
            );
        }
        [one] => {
            p.date_format = Some(one.to_string());
            p.date_note = format!("reads every time seen (e.g. '{}')", times[0]);
        }
        many => {
            p.date_choices = many.iter().map(|f| f.to_string()).collect();
            p.date_note = format!(
                "every day seen is 12 or less, so day first and month first both read '{}': choose one (never guessed)",
                times[0]
            );
        }
    }
}

/// The time zone: from the texts' script and the offsets the times carry.
/// Times with an offset are read as the instants they are; the zone then
/// only sets the month's and the weeks' boundaries and how times are
/// shown. Times without one are read in it, so it matters more.
fn zone(times: &[&str], texts: &[&str], format: Option<&str>, p: &mut Proposal) {
    let offset = |t: &str| -> Option<i32> {
        let s = t.trim();
        if s.ends_with('Z') || s.ends_with('z') {
            return Some(0);
        }
        let parsed = chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .or_else(|| format.and_then(|f| chrono::DateTime::parse_from_str(s, f).ok()))?;
        Some(parsed.offset().local_minus_utc())
    };
    let offsets: Vec<Option<i32>> = times.iter().map(|t| offset(t)).collect();
    let with_offset = offsets.iter().flatten().count();
    let mut scripts = [0usize; 3];
    let mut traditional = 0usize;
    for t in texts.iter().take(300) {
        match dominant_script(t) {
            Script::Han => {
                scripts[0] += 1;
                if to_simplified(t) != *t {
                    traditional += 1;
                }
            }
            Script::Hebrew => scripts[1] += 1,
            _ => scripts[2] += 1,
        }
    }
    let n = texts.len().clamp(1, 300);
    let hinted: Option<(&str, &str)> = if scripts[0] * 2 > n {
        // Traditional characters in most Chinese texts: Taiwan (Hong Kong
        // centres write them too: change it there).
        if traditional * 2 > scripts[0] {
            Some(("Asia/Taipei", "most texts are in Traditional Chinese"))
        } else {
            Some(("Asia/Shanghai", "most texts are in Simplified Chinese"))
        }
    } else if scripts[1] * 2 > n {
        Some(("Asia/Jerusalem", "most texts are in Hebrew"))
    } else {
        None
    };
    let fits = |zone: &str| -> bool {
        let Ok(tz) = zone.parse::<Tz>() else {
            return false;
        };
        times.iter().zip(&offsets).all(|(t, o)| {
            let Some(o) = o else { return true };
            match parse_timestamp_as(t, chrono_tz::UTC, format) {
                Ok(at) => chrono::DateTime::from_timestamp(at, 0).is_some_and(|d| {
                    use chrono::Offset;
                    d.with_timezone(&tz).offset().fix().local_minus_utc() == *o
                }),
                Err(_) => true,
            }
        })
    };
    match hinted {
        Some((z, why)) if with_offset == 0 => {
            p.timezone = Some(z.into());
            p.timezone_note = format!("{why} and the times carry no offset: they are read in this zone; change it if the centre is elsewhere");
        }
        Some((z, why)) if fits(z) => {
            p.timezone = Some(z.into());
            p.timezone_note = format!("{why} and every offset the times carry is this zone's");
        }
        _ if with_offset > 0 => {
            let mut seen: Vec<i32> = offsets.iter().flatten().copied().collect();
            seen.sort_unstable();
            seen.dedup();
            let shown: Vec<String> = seen.iter().map(|o| offset_text(*o)).collect();
            p.timezone_note = format!(
                "the times carry their offset ({}), so they are read as written; set the centre's zone (IANA, e.g. Europe/London) for the month's and weeks' boundaries",
                shown.join(", ")
            );
        }
        _ => {
            p.timezone_note = "the times carry no offset and nothing says where the centre is: they are read in UTC unless you set its zone (IANA, e.g. Europe/London)".into();
        }
    }
}

fn offset_text(secs: i32) -> String {
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A TOML string, quoted and escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl Proposal {
    /// The commented `recontact.toml` for the export `export` (as the user
    /// named it) and the config's own path.
    pub fn to_toml(&self, export: &str, config: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "# recontact.toml for {export}, proposed by `recontact init` from its header\n# and first {} rows. Check each line, then run:\n#   recontact run {export} --config {config}\n\n[columns]\n",
            self.rows_seen
        ));
        s.push_str("# contract column = \"the export's header\"\n");
        let lines: Vec<String> = self
            .columns
            .iter()
            .map(|(c, h)| format!("{c} = {}", quoted(h)))
            .collect();
        let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for ((c, _), line) in self.columns.iter().zip(&lines) {
            let required = COLUMNS.iter().any(|k| k.name == *c && k.required);
            let pad = width + 3 - line.chars().count();
            s.push_str(&format!(
                "{line}{}# {}\n",
                " ".repeat(pad),
                if required { "required" } else { "optional" }
            ));
        }
        for c in &self.missing {
            s.push_str(&format!(
                "# {c} = \"<header>\"   # REQUIRED: no header found for it; name the export's column\n"
            ));
        }
        let optional_missing: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| !c.required && !self.columns.iter().any(|(k, _)| *k == c.name))
            .map(|c| c.name)
            .collect();
        if !optional_missing.is_empty() {
            s.push_str(&format!(
                "# Not found (optional; map them if the export has them): {}\n",
                optional_missing.join(", ")
            ));
        }
        if !self.unused.is_empty() {
            let shown: Vec<String> = self.unused.iter().map(|h| quoted(h)).collect();
            s.push_str(&format!("# Headers not used: {}\n", shown.join(", ")));
        }
        s.push_str("\n[run]\n");
        match &self.timezone {
            Some(z) => s.push_str(&format!(
                "timezone = {}   # {}\n",
                quoted(z),
                self.timezone_note
            )),
            None => s.push_str(&format!(
                "# timezone = \"Europe/London\"   # {}\n",
                self.timezone_note
            )),
        }
        match (&self.date_format, self.date_choices.as_slice()) {
            (Some(f), _) => s.push_str(&format!(
                "date_format = {}   # {}\n",
                quoted(f),
                self.date_note
            )),
            (None, [_, ..]) => {
                s.push_str(&format!("# {}:\n", self.date_note));
                for f in &self.date_choices {
                    s.push_str(&format!("# date_format = {}\n", quoted(f)));
                }
            }
            (None, []) => s.push_str(&format!("# date_format: {}\n", self.date_note)),
        }
        if let Some(e) = &self.encoding {
            s.push_str(&format!(
                "encoding = {}   # the file is not UTF-8\n",
                quoted(e)
            ));
        }
        if let Some(sh) = &self.sheet {
            s.push_str(&format!("sheet = {}\n", quoted(sh)));
        }
        s
    }

    /// Whether `recontact run` can read the export with this config as it
    /// is: every required column found, the times readable.
    pub fn runs(&self) -> bool {
        self.missing.is_empty() && self.date_choices.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek(header: &[&str], rows: &[&[&str]]) -> Peek {
        Peek {
            format: "CSV",
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            ..Peek::default()
        }
    }

    fn mapped(p: &Proposal, c: &str) -> Option<String> {
        p.columns
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, h)| h.clone())
    }

    #[test]
    fn a_salesforce_case_export_maps_its_contact_to_the_customer() {
        let p = propose(&peek(
            &[
                "Case Number",
                "Contact ID",
                "Date/Time Opened",
                "Description",
                "Case Origin",
                "Case Owner",
                "Subject",
                "Status",
            ],
            &[&[
                "00001026",
                "0035g00000AbC",
                "2026-10-03 09:14:00",
                "card declined",
                "Web",
                "Ann",
                "Card",
                "New",
            ]],
        ));
        assert_eq!(mapped(&p, "contact_id").as_deref(), Some("Case Number"));
        assert_eq!(mapped(&p, "customer_id").as_deref(), Some("Contact ID"));
        assert_eq!(
            mapped(&p, "started_at").as_deref(),
            Some("Date/Time Opened")
        );
        assert_eq!(mapped(&p, "text").as_deref(), Some("Description"));
        assert_eq!(mapped(&p, "channel").as_deref(), Some("Case Origin"));
        assert_eq!(mapped(&p, "agent_id").as_deref(), Some("Case Owner"));
        assert!(p.missing.is_empty());
        assert_eq!(p.unused, ["Subject", "Status"]);
        assert!(p.runs());
    }

    #[test]
    fn a_comment_export_keeps_the_ticket_apart_and_chinese_headers_map() {
        let p = propose(&peek(
            &[
                "Comment ID",
                "Ticket ID",
                "Requester ID",
                "Created at",
                "Body",
            ],
            &[],
        ));
        assert_eq!(mapped(&p, "contact_id").as_deref(), Some("Comment ID"));
        assert_eq!(mapped(&p, "ticket_id").as_deref(), Some("Ticket ID"));
        let p = propose(&peek(
            &["会话ID", "客户ID", "开始时间", "会话内容", "渠道", "客服"],
            &[&[
                "1",
                "u1",
                "2026-10-03 09:14:00",
                "退款还没到账",
                "在线",
                "小王",
            ]],
        ));
        assert_eq!(mapped(&p, "contact_id").as_deref(), Some("会话ID"));
        assert_eq!(mapped(&p, "text").as_deref(), Some("会话内容"));
        assert_eq!(mapped(&p, "agent_id").as_deref(), Some("客服"));
        assert_eq!(p.timezone.as_deref(), Some("Asia/Shanghai"));
        let p = propose(&peek(
            &["מספר פנייה", "מספר לקוח", "תאריך פתיחה", "תיאור"],
            &[&["1", "7", "2026-10-03 09:14", "הכרטיס לא הגיע"]],
        ));
        assert!(p.missing.is_empty(), "{p:?}");
        assert_eq!(p.timezone.as_deref(), Some("Asia/Jerusalem"));
    }

    #[test]
    fn every_missing_required_column_is_listed() {
        let p = propose(&peek(&["Ticket ID", "Notes", "Priority"], &[]));
        assert_eq!(p.missing, ["customer_id", "started_at"]);
        assert!(!p.runs());
        let toml = p.to_toml("x.csv", "recontact.toml");
        assert!(
            toml.contains("# customer_id = \"<header>\"   # REQUIRED"),
            "{toml}"
        );
        assert!(
            toml.contains("# started_at = \"<header>\"   # REQUIRED"),
            "{toml}"
        );
    }

    #[test]
    fn dates_are_found_or_left_to_choose() {
        let day_first = propose(&peek(
            &["id", "customer", "created", "text"],
            &[
                &["1", "a", "23/10/2026 09:14", "x"],
                &["2", "b", "03/10/2026 10:00", "y"],
            ],
        ));
        assert_eq!(day_first.date_format.as_deref(), Some("%d/%m/%Y %H:%M"));
        let ambiguous = propose(&peek(
            &["id", "customer", "created", "text"],
            &[
                &["1", "a", "03/10/2026 09:14", "x"],
                &["2", "b", "04/11/2026 10:00", "y"],
            ],
        ));
        assert_eq!(ambiguous.date_format, None);
        assert!(ambiguous
            .date_choices
            .contains(&"%d/%m/%Y %H:%M".to_string()));
        assert!(ambiguous
            .date_choices
            .contains(&"%m/%d/%Y %H:%M".to_string()));
        assert!(!ambiguous.runs());
        let iso = propose(&peek(
            &["contact_id", "customer_id", "started_at", "text"],
            &[&["1", "a", "2026-10-03T09:14:00+08:00", "refund"]],
        ));
        assert_eq!(iso.date_format, None);
        assert!(iso.date_choices.is_empty());
        assert!(
            iso.timezone_note.contains("+08:00"),
            "{}",
            iso.timezone_note
        );
    }

    #[test]
    fn the_toml_reads_back_as_a_config() {
        let p = propose(&peek(
            &["Case No", "Customer \"No\"", "Created", "Body"],
            &[&["1", "a", "2026-10-03 09:14:00", "x"]],
        ));
        let text = p.to_toml("exports/cases.csv", "recontact.toml");
        let v: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(
            v["columns"]["customer_id"].as_str(),
            Some("Customer \"No\"")
        );
        assert_eq!(v["columns"]["contact_id"].as_str(), Some("Case No"));
    }
}
