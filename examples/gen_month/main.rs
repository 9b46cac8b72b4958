//! Deterministic generator of one month of contact-centre contacts built from real
//! public utterances, with the true episode / FCR answer alongside.
//!
//! ```text
//! cargo run --release --example gen_month -- --contacts 4000 --seed 42 --out data/sample
//!     [--shared ../shared/data] [--repeat-window-hours 168] [--truth FILE]
//! ```
//!
//! # Sources
//! Customer utterances are real, labelled rows: BANKING77 `banking77/train.csv` for English
//! (77 intents, CC BY 4.0, Casanueva et al. 2020) and MASSIVE 1.1
//! `massive_zh_he/{zh-CN,he-IL}.labelled.jsonl` for Chinese and Hebrew (60 intents, CC BY 4.0,
//! © Amazon.com Inc. or its affiliates). The intent is the issue's *category*. Everything
//! around the utterance (greetings, identity checks, agent replies, repeat cues, e-mail
//! signatures) is templated here.
//!
//! # Simulation (`--month`, default 2026-10: 2026-10-01T00:00:00Z .. 2026-11-01T00:00:00Z, one `ChaCha8Rng` per seed)
//! * Customers (language fixed: en ≈85%, zh ≈8%, he ≈7%; `--language-mix`) have 1–4 issues, each with a
//!   different category; a second issue often starts within a few days of the first, so the
//!   same customer has *unrelated* contacts inside the repeat window (separate episodes).
//! * An issue's first inbound contact falls at a random time weighted to local business
//!   hours (London / Shanghai / Jerusalem, incl. the Israeli Sun–Thu week). It is resolved
//!   at first contact with p = 0.81, or 0.42 for ~10% "hot" categories (≈0.75 overall; in
//!   English one more category has an incident: 5× as frequent from the 19th and hot);
//!   otherwise 1–3 repeat inbound contacts follow, gaps log-normal (median 1.5 days, ≈15%
//!   beyond 7 days). A repeat uses a different utterance of the same intent and, with
//!   p ≈ 0.4, an explicit repeat cue ("still not fixed", "我上次打过电话了", "אני פונה שוב",
//!   ...). Customers may switch channel between contacts.
//! * Tickets: e-mails and ticket notes always carry one, phone ≈50%, chat ≈30%. A repeat
//!   reuses the issue's current ticket with p ≈ 0.6 (same ticket ⇒ same episode, any gap).
//! * Transfers (≈8% of contacts): `transferred=true`, then 1–12 minutes later a continuation
//!   contact (same customer/issue/channel/ticket, another agent and team). One contact in
//!   the sense of the contract, never a repeat.
//! * Outbound follow-ups (≈6% of issues): agent-initiated, 0.5–3 days after a contact,
//!   usually with the ticket. Reopened (≈4% of episodes, on a ticketed repeat), escalated
//!   (≈5% of contacts), surveys (≈35% of episodes answer `survey_resolved` on their last
//!   contact: the truth "no later inbound contact for this issue", flipped with p = 0.12),
//!   CSAT, segments (retail; vip, sensitive, media rare), agents `A001..` in teams/queues,
//!   reason codes (coarse, noisy), anonymous contacts (≈3%: customer id blank, `anonymous`,
//!   `unknown` or `0`; each its own single-contact issue).
//! * Issues start until the month end; contacts at/after the next month's 1st are censored: not
//!   written, but they count in the truth (e.g. for `episode_fcr`).
//!
//! # Output (in `--out DIR`; rows of every file sorted by started_at, then contact_id)
//! * `calls.csv` — English phone calls, contract headers, `started_at` like `2026-10-03T09:14:27Z`.
//! * `chats.jsonl` — English chat + app messages, contract keys; JSON booleans, csat a number.
//! * `crm_tickets.csv` — English e-mails (channel `Email`) and ticket notes (channel `Social`)
//!   with the CRM's own headers (`Case No`, `Customer No`, `Created` naive UTC
//!   `YYYY-MM-DD HH:MM:SS`, `Body`, `Owner`, `Disposition`, Y/N flags, `Inbound`/`Outbound`,
//!   `Yes`/`No` survey) and `recontact.toml` mapping them (`[columns] contract = "CRM header"`).
//! * `zh_hotline.csv` — Chinese phone / chat / wechat-note contacts, `+08:00` offsets
//!   (`--traditional`: written in Traditional Chinese, Taiwan usage).
//! * `he_chats.jsonl` — Hebrew chat + app, `+03:00`/`+02:00` (Asia/Jerusalem), every value a string.
//!
//! Contact ids `C0000001..` are unique across files and increase with time; customers `U000123`.
//!
//! # Truth (`--truth FILE`, default `DIR/../<DIRNAME>.truth.csv`; never inside DIR)
//! One row per *written* contact:
//! `contact_id,customer_id,episode_id,issue_id,category,language,is_repeat,episode_fcr,episode_first_started_at,episode_censored`
//! * `episode_id` — the true episode: within one issue, a contact joins the episode of the
//!   previous contact when the gap to it is ≤ the repeat window (any direction) or when it
//!   shares a ticket id with the episode (any gap); transfer continuations belong to their
//!   episode; contacts of *different* issues are never in the same episode; anonymous
//!   contacts are singletons. (The generator only reuses the *current* episode's ticket,
//!   so "connected components" and "sequential, ticket first" readings agree.)
//! * `is_repeat` — an inbound contact that is not the episode's first inbound contact and
//!   not a transfer continuation.
//! * `episode_fcr` — with full knowledge (censored contacts included): exactly one
//!   customer-initiated inbound contact (continuations and outbound don't count), none
//!   reopened, transferred or escalated, and the survey answer is not `no`.
//! * `episode_first_started_at` — RFC 3339 UTC; `episode_censored` — the episode has
//!   contacts after the month end (so the data alone cannot show its full outcome).
//!
//! Summary statistics go to stderr at the end of a run.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use clap::Parser;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

mod realistic;

#[derive(Parser, Debug)]
#[command(about = "Generate one simulated month of contact-centre contacts plus the truth file")]
struct Args {
    /// Approximate number of contacts to write (censored ones are not counted).
    #[arg(long, default_value_t = 4000)]
    contacts: usize,
    /// RNG seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output folder for the contact files (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Folder with the public data (banking77/, massive_zh_he/).
    #[arg(long, default_value = "../shared/data")]
    shared: PathBuf,
    /// Repeat window in hours used for the true episodes.
    #[arg(long, default_value_t = 168)]
    repeat_window_hours: i64,
    /// Truth file (default: DIR/../<DIRNAME>.truth.csv).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Seed of the category distribution (weights, hot categories, the
    /// incident) apart from the simulation's: two months with the same
    /// --dist-seed and different --seed come from the same distribution
    /// (a month-over-month pair). Default: drawn from --seed's stream as
    /// before.
    #[arg(long)]
    dist_seed: Option<u64>,
    /// Planted change: multiply a category's frequency, `INTENT=FACTOR`
    /// (e.g. `card_arrival=3`; `=0` removes it). Repeatable.
    #[arg(long = "scale", value_name = "INTENT=FACTOR")]
    scale: Vec<String>,
    /// The calendar month simulated, `YYYY-MM` (a month-over-month pair is
    /// two consecutive months). The incident starts on the 19th.
    #[arg(long, default_value = "2026-10")]
    month: String,
    /// The English utterance set: `banking77` (77 banking intents), `clinc150`
    /// (150 intents over 10 domains, train + val in-scope) or `massive`
    /// (MASSIVE en-US, 60 intents). Chinese and Hebrew are always MASSIVE.
    #[arg(long, default_value = "banking77")]
    english: String,
    /// Make the month look like a real export: every customer writes in their
    /// own way (openers, a personal context they keep mentioning, sign-offs,
    /// typos, emoji, the brand's handle), contacts quote order numbers,
    /// amounts and links, repeats sometimes paste the first message again,
    /// and some customers send a thanks-only contact after a reply (part of
    /// that episode, not a repeat). See `realistic.rs`.
    #[arg(long)]
    realistic: bool,
    /// Write the Chinese contacts in Traditional Chinese as used in Taiwan
    /// (MASSIVE zh-CN and the Chinese templates converted with OpenCC's
    /// s2tw tables: 客戶 / 客服, 還是, 帳戶 ...), for testing a zh-TW centre.
    #[arg(long)]
    traditional: bool,
    /// Customers' languages as weights `EN,ZH,HE` (e.g. `0,1,0` for a
    /// Chinese-only month).
    #[arg(long, default_value = "0.85,0.08,0.07")]
    language_mix: String,
}

// ---------------------------------------------------------------- constants / knobs

const P_ISSUES: [f64; 4] = [0.72, 0.18, 0.07, 0.03];
const P_SECOND_ISSUE_CLOSE: f64 = 0.25;
const P_RESOLVE_NORMAL: f64 = 0.81;
const P_RESOLVE_HOT: f64 = 0.42;
const HOT_SHARE: f64 = 0.10;
const P_REPEATS: [f64; 3] = [0.6, 0.3, 0.1];
const GAP_MEDIAN_DAYS: f64 = 1.5;
const GAP_SIGMA: f64 = 1.487; // P(gap > 7 d) ≈ 0.15
const P_SAME_CHANNEL: f64 = 0.6;
const P_REUSE_TICKET: f64 = 0.6;
const P_CUE: f64 = 0.4;
const P_REOPEN_ON_REUSE: f64 = 0.36;
const P_TRANSFER: [f64; 2] = [0.06, 0.15]; // [resolved-first issue, unresolved issue]
const P_ESCALATE: [f64; 2] = [0.035, 0.095];
const P_OUTBOUND: f64 = 0.068;
const P_SURVEY: f64 = 0.39;
const SURVEY_NOISE: f64 = 0.12;
const P_CSAT: f64 = 0.25;
const P_ANON: f64 = 0.03;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    En = 0,
    Zh = 1,
    He = 2,
}

impl Lang {
    fn code(self) -> &'static str {
        ["en", "zh", "he"][self as usize]
    }
    fn tz(self) -> Tz {
        match self {
            Lang::En => chrono_tz::Europe::London,
            Lang::Zh => chrono_tz::Asia::Shanghai,
            Lang::He => chrono_tz::Asia::Jerusalem,
        }
    }
    fn from_idx(i: usize) -> Lang {
        [Lang::En, Lang::Zh, Lang::He][i]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Channel {
    Phone,
    Chat,
    App,
    Email,
    Note,
}

impl Channel {
    fn p_ticket(self) -> f64 {
        match self {
            Channel::Phone => 0.5,
            Channel::Chat | Channel::App => 0.3,
            Channel::Email | Channel::Note => 1.0,
        }
    }
    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Channel::Phone, _) => "phone",
            (Channel::Chat, _) => "chat",
            (Channel::App, _) => "app",
            (Channel::Email, _) => "Email",
            (Channel::Note, Lang::Zh) => "wechat",
            (Channel::Note, _) => "Social",
        }
    }
}

fn channel_weights(lang: Lang) -> &'static [(Channel, f64)] {
    match lang {
        Lang::En => &[
            (Channel::Phone, 0.45),
            (Channel::Chat, 0.24),
            (Channel::App, 0.09),
            (Channel::Email, 0.15),
            (Channel::Note, 0.07),
        ],
        Lang::Zh => &[
            (Channel::Phone, 0.55),
            (Channel::Chat, 0.35),
            (Channel::Note, 0.10),
        ],
        Lang::He => &[(Channel::Chat, 0.75), (Channel::App, 0.25)],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OutFile {
    Calls = 0,
    Chats = 1,
    Crm = 2,
    Zh = 3,
    He = 4,
}

const FILE_NAMES: [&str; 5] = [
    "calls.csv",
    "chats.jsonl",
    "crm_tickets.csv",
    "zh_hotline.csv",
    "he_chats.jsonl",
];

fn out_file(lang: Lang, ch: Channel) -> OutFile {
    match (lang, ch) {
        (Lang::Zh, _) => OutFile::Zh,
        (Lang::He, _) => OutFile::He,
        (Lang::En, Channel::Phone) => OutFile::Calls,
        (Lang::En, Channel::Chat | Channel::App) => OutFile::Chats,
        (Lang::En, _) => OutFile::Crm,
    }
}

// ---------------------------------------------------------------- utterance pools

struct Pool {
    cats: Vec<String>,
    reason: Vec<String>,
    team: Vec<usize>,
    utts: Vec<String>,
    by_cat: Vec<Vec<u32>>,
    p_resolve: Vec<f64>,
    hot: Vec<bool>,
    cum_before: Vec<f64>,
    cum_after: Vec<f64>,
    w_before: Vec<f64>,
    w_after: Vec<f64>,
    incident: Option<usize>,
}

impl Pool {
    fn build(
        lang: Lang,
        rows: Vec<(String, String, String)>,
        rng: &mut ChaCha8Rng,
    ) -> Result<Pool> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut cats = Vec::new();
        let mut reason = Vec::new();
        let mut by_cat: Vec<Vec<u32>> = Vec::new();
        let mut utts = Vec::with_capacity(rows.len());
        // Sorted category order so the pool does not depend on file order.
        let mut names: Vec<&String> = rows.iter().map(|r| &r.1).collect();
        names.sort();
        names.dedup();
        for n in names {
            index.insert(n.clone(), cats.len());
            cats.push(n.clone());
            by_cat.push(Vec::new());
            reason.push(String::new());
        }
        for (text, cat, extra) in rows {
            let text = text.trim().to_string();
            if text.is_empty() {
                continue;
            }
            let c = index[&cat];
            if reason[c].is_empty() {
                reason[c] = if lang == Lang::En && extra.is_empty() {
                    en_reason_code(&cat).to_string()
                } else {
                    extra.to_uppercase()
                };
            }
            by_cat[c].push(utts.len() as u32);
            utts.push(text);
        }
        if cats.is_empty() {
            bail!("no utterances for {}", lang.code());
        }
        let team: Vec<usize> = cats
            .iter()
            .map(|c| match lang {
                Lang::En => en_team(c),
                Lang::Zh => TEAM_ZH_HOTLINE,
                Lang::He => TEAM_HE_CHAT,
            })
            .collect();
        let mut hot = vec![false; cats.len()];
        let mut p_resolve = vec![P_RESOLVE_NORMAL; cats.len()];
        let mut w = vec![0.0; cats.len()];
        for c in 0..cats.len() {
            // natural frequency x a log-normal popularity factor
            w[c] = (by_cat[c].len() as f64).sqrt() * (0.7 * normal(rng)).exp();
        }
        let n_hot = ((cats.len() as f64 * HOT_SHARE).round() as usize).max(1);
        let mut perm: Vec<usize> = (0..cats.len()).collect();
        perm.shuffle(rng);
        for &c in &perm[..n_hot] {
            hot[c] = true;
            p_resolve[c] = P_RESOLVE_HOT;
        }
        let mut incident = None;
        let mut w_after = w.clone();
        if lang == Lang::En {
            let c = perm[n_hot];
            incident = Some(c);
            hot[c] = true;
            p_resolve[c] = P_RESOLVE_HOT;
            let mean = w.iter().sum::<f64>() / w.len() as f64;
            w_after[c] = w[c].max(mean) * 5.0;
        }
        Ok(Pool {
            cats,
            reason,
            team,
            utts,
            by_cat,
            p_resolve,
            hot,
            cum_before: cumulative(&w),
            cum_after: cumulative(&w_after),
            w_before: w,
            w_after,
            incident,
        })
    }

    /// Adds the thanks-only category (never drawn as an issue's category;
    /// `--realistic` adds its contacts on its own).
    fn add_thanks(&mut self, lang: Lang) -> usize {
        let c = self.cats.len();
        self.cats.push(realistic::THANKS_CATEGORY.to_string());
        self.reason.push(String::new());
        self.team.push(match lang {
            Lang::En => TEAM_GENERAL,
            Lang::Zh => TEAM_ZH_HOTLINE,
            Lang::He => TEAM_HE_CHAT,
        });
        let mut ids = Vec::new();
        for t in realistic::thanks(lang) {
            ids.push(self.utts.len() as u32);
            self.utts.push(t.to_string());
        }
        self.by_cat.push(ids);
        self.p_resolve.push(1.0);
        self.hot.push(false);
        self.w_before.push(0.0);
        self.w_after.push(0.0);
        self.cum_before = cumulative(&self.w_before);
        self.cum_after = cumulative(&self.w_after);
        c
    }

    /// Multiplies a category's frequency (a planted change); false when the
    /// pool has no such category.
    fn scale(&mut self, cat: &str, factor: f64) -> bool {
        let Some(c) = self.cats.iter().position(|x| x == cat) else {
            return false;
        };
        self.w_before[c] *= factor;
        self.w_after[c] *= factor;
        self.cum_before = cumulative(&self.w_before);
        self.cum_after = cumulative(&self.w_after);
        true
    }

    fn pick_cat(&self, rng: &mut ChaCha8Rng, after_incident: bool) -> usize {
        let cum = if after_incident {
            &self.cum_after
        } else {
            &self.cum_before
        };
        pick_cum(cum, rng)
    }

    /// A random utterance of `cat`, different from `avoid` when possible.
    fn pick_utt(&self, rng: &mut ChaCha8Rng, cat: usize, avoid: &[u32]) -> u32 {
        let list = &self.by_cat[cat];
        let mut u = list[rng.gen_range(0..list.len())];
        for _ in 0..8 {
            if !avoid
                .iter()
                .any(|&a| a == u || self.utts[a as usize] == self.utts[u as usize])
            {
                break;
            }
            u = list[rng.gen_range(0..list.len())];
        }
        u
    }
}

fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

fn pick_cum(cum: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let x = rng.gen::<f64>() * cum[cum.len() - 1];
    cum.partition_point(|&c| c <= x).min(cum.len() - 1)
}

fn pick_w<T: Copy>(items: &[(T, f64)], rng: &mut ChaCha8Rng) -> T {
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut x = rng.gen::<f64>() * total;
    for &(v, w) in items {
        if x < w {
            return v;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

fn pick_idx(p: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let mut x = rng.gen::<f64>() * p.iter().sum::<f64>();
    for (i, &w) in p.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    p.len() - 1
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn en_team(cat: &str) -> usize {
    let c = cat.to_lowercase();
    let has = |ks: &[&str]| ks.iter().any(|k| c.contains(k));
    if has(&["top_up", "topping_up"]) {
        TEAM_PAYMENTS
    } else if has(&[
        "fee",
        "charge",
        "exchange",
        "refund",
        "twice",
        "statement",
        "fiat",
        "currenc",
    ]) {
        TEAM_BILLING
    } else if has(&["transfer", "direct_debit", "receiving_money", "beneficiary"]) {
        TEAM_PAYMENTS
    } else if has(&[
        "card",
        "pin",
        "atm",
        "cash",
        "contactless",
        "apple_pay",
        "visa",
        "passcode",
    ]) {
        TEAM_CARDS
    } else {
        TEAM_GENERAL
    }
}

fn en_reason_code(cat: &str) -> &'static str {
    let c = cat.to_lowercase();
    let has = |ks: &[&str]| ks.iter().any(|k| c.contains(k));
    if has(&["top_up", "topping_up"]) {
        "TOPUP"
    } else if has(&["transfer", "receiving_money", "beneficiary", "direct_debit"]) {
        "TRANSFER"
    } else if has(&["refund"]) {
        "REFUND"
    } else if has(&["exchange", "currenc", "fiat"]) {
        "FX"
    } else if has(&["fee", "charge", "twice", "statement"]) {
        "FEES_CHARGES"
    } else if has(&["declined", "not_recognised", "pending", "reverted"]) {
        "PAYMENT_STATUS"
    } else if has(&[
        "lost",
        "stolen",
        "compromised",
        "swallowed",
        "pin",
        "passcode",
    ]) {
        "SECURITY"
    } else if has(&["identity", "verify", "source_of_funds"]) {
        "KYC"
    } else if has(&[
        "arrival",
        "delivery",
        "order_physical",
        "get_physical",
        "spare",
        "linking",
        "activate",
    ]) {
        "CARD_ORDER"
    } else if has(&["card", "contactless", "atm", "cash", "apple_pay", "visa"]) {
        "CARD_USAGE"
    } else {
        "ACCOUNT"
    }
}

fn load_banking77(shared: &Path) -> Result<Vec<(String, String, String)>> {
    let path = shared.join("banking77/train.csv");
    let mut rd = csv::Reader::from_path(&path).with_context(|| format!("{}", path.display()))?;
    let mut rows = Vec::new();
    for rec in rd.records() {
        let rec = rec?;
        rows.push((rec[0].to_string(), rec[1].to_string(), String::new()));
    }
    Ok(rows)
}

/// CLINC150's in-scope train and val rows; the extra field is the intent's domain.
fn load_clinc150(shared: &Path) -> Result<Vec<(String, String, String)>> {
    let path = shared.join("clinc150/data_full.json");
    let data: HashMap<String, Vec<(String, String)>> = serde_json::from_reader(BufReader::new(
        File::open(&path).with_context(|| format!("{}", path.display()))?,
    ))?;
    let path = shared.join("clinc150/domains.json");
    let domains: HashMap<String, Vec<String>> = serde_json::from_reader(BufReader::new(
        File::open(&path).with_context(|| format!("{}", path.display()))?,
    ))?;
    let domain_of: HashMap<&str, &str> = domains
        .iter()
        .flat_map(|(d, intents)| intents.iter().map(move |i| (i.as_str(), d.as_str())))
        .collect();
    let mut rows = Vec::new();
    for part in ["train", "val"] {
        for (text, intent) in data.get(part).map(Vec::as_slice).unwrap_or(&[]) {
            let domain = domain_of.get(intent.as_str()).copied().unwrap_or("other");
            rows.push((text.clone(), intent.clone(), domain.to_string()));
        }
    }
    Ok(rows)
}

#[derive(Deserialize)]
struct MassiveRow {
    intent: String,
    scenario: String,
    utt: String,
}

fn load_massive(shared: &Path, locale: &str) -> Result<Vec<(String, String, String)>> {
    let path = shared.join(format!("massive_zh_he/{locale}.labelled.jsonl"));
    let f = File::open(&path).with_context(|| format!("{}", path.display()))?;
    let mut rows = Vec::new();
    for line in BufReader::new(f).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let r: MassiveRow = serde_json::from_str(&line)?;
        rows.push((r.utt, r.intent, r.scenario));
    }
    Ok(rows)
}

// ---------------------------------------------------------------- teams and agents

const TEAM_BILLING: usize = 0;
const TEAM_CARDS: usize = 1;
const TEAM_PAYMENTS: usize = 2;
const TEAM_GENERAL: usize = 3;
const TEAM_ZH_HOTLINE: usize = 4;
const TEAM_ZH_ONLINE: usize = 5;
const TEAM_ZH_BACKOFFICE: usize = 6;
const TEAM_HE_CHAT: usize = 7;
const TEAM_HE_TIER2: usize = 8;

const TEAMS: [(&str, f64); 9] = [
    ("billing", 0.2125),
    ("cards", 0.2125),
    ("payments", 0.2125),
    ("general", 0.2125),
    ("华东热线", 0.045),
    ("在线客服", 0.035),
    ("后台支持", 0.01),
    ("צוות צ'אט", 0.06),
    ("תמיכה מתקדמת", 0.01),
];

const EN_TEAM_SPOKEN: [&str; 4] = ["billing", "cards", "payments", "general enquiries"];

struct Teams {
    first: Vec<u32>,
    size: Vec<u32>,
}

impl Teams {
    fn new(n_contacts: usize) -> Teams {
        let mut first = Vec::new();
        let mut size = Vec::new();
        let mut next = 1u32;
        for &(_, share) in TEAMS.iter() {
            let n = ((n_contacts as f64 * share / 120.0).round() as u32).max(4);
            first.push(next);
            size.push(n);
            next += n;
        }
        Teams { first, size }
    }
    fn agent(&self, team: usize, rng: &mut ChaCha8Rng) -> u32 {
        self.first[team] + rng.gen_range(0..self.size[team])
    }
}

fn queue_name(lang: Lang, team: usize, ch: Channel, segment: u8) -> &'static str {
    if segment == 1 && lang == Lang::En {
        return "PRIORITY";
    }
    match lang {
        Lang::En => {
            const Q: [[&str; 3]; 4] = [
                ["BILLING-VOICE", "BILLING-DIGITAL", "BILLING-EMAIL"],
                ["CARDS-VOICE", "CARDS-DIGITAL", "CARDS-EMAIL"],
                ["PAYMENTS-VOICE", "PAYMENTS-DIGITAL", "PAYMENTS-EMAIL"],
                ["GENERAL-VOICE", "GENERAL-DIGITAL", "GENERAL-EMAIL"],
            ];
            let k = match ch {
                Channel::Phone => 0,
                Channel::Chat | Channel::App => 1,
                Channel::Email | Channel::Note => 2,
            };
            Q[team.min(3)][k]
        }
        Lang::Zh => match ch {
            Channel::Phone => "ZH-VOICE",
            Channel::Note => "ZH-WECHAT",
            _ => "ZH-ONLINE",
        },
        Lang::He => "HE-CHAT",
    }
}

// ---------------------------------------------------------------- simulation records

const SEGMENTS: [(u8, f64); 4] = [(0, 0.93), (1, 0.04), (2, 0.02), (3, 0.01)];
const SEGMENT_NAMES: [&str; 4] = ["retail", "vip", "sensitive", "media"];

struct Customer {
    lang: Lang,
    segment: u8,
    account: u32,
    first: u16,
    last: u16,
    phone: u32,
    sig: u8,
}

const ANON_IDS: [&str; 4] = ["", "anonymous", "unknown", "0"];

struct Issue {
    /// customer index, or `u32::MAX` for anonymous
    customer: u32,
    anon: u8,
    cat: u16,
    /// contacts of this issue: `contacts[c0..c1]`
    c0: u32,
    c1: u32,
}

#[derive(Clone)]
struct Contact {
    t: i64,
    issue: u32,
    lang: Lang,
    channel: Channel,
    outbound: bool,
    continuation: bool,
    /// `--realistic`: a thanks-only contact inside the issue's episode; like
    /// a continuation, not customer effort and not a repeat.
    courtesy: bool,
    ticket: u32,
    agent: u32,
    team: u8,
    next_team: u8,
    transferred: bool,
    escalated: bool,
    reopened: bool,
    /// 0 none, 1 yes, 2 no
    survey: u8,
    csat: u8,
    utt: u32,
    cue: bool,
    /// 0 = first inbound of the issue, k = k-th repeat
    repeat_no: u8,
    gap_h: u32,
    /// the issue is resolved after this contact (no later inbound contact)
    resolves: bool,
    episode: u32,
    is_repeat: bool,
    reason_noise: u8,
}

struct Episode {
    first_t: i64,
    fcr: bool,
    censored: bool,
    n_emitted: u32,
    ticket_bridged: bool,
    later_of_issue: bool,
}

struct Sim<'a> {
    rng: ChaCha8Rng,
    pools: &'a [Pool; 3],
    teams: &'a Teams,
    start: i64,
    end: i64,
    incident_from: i64,
    window: i64,
    customers: Vec<Customer>,
    issues: Vec<Issue>,
    contacts: Vec<Contact>,
    next_ticket: u32,
    /// `--language-mix`: en, zh, he weights.
    p_lang: [f64; 3],
    /// `--realistic`: its own stream, so months without it stay as they were.
    realistic: Option<ChaCha8Rng>,
}

impl<'a> Sim<'a> {
    fn hour_weight(lang: Lang, t: i64) -> f64 {
        let local = lang.tz().timestamp_opt(t, 0).unwrap();
        const HW: [f64; 24] = [
            0.04, 0.03, 0.02, 0.02, 0.03, 0.05, 0.12, 0.35, 0.75, 1.0, 1.0, 1.0, 0.95, 0.9, 1.0,
            1.0, 0.95, 0.85, 0.7, 0.55, 0.45, 0.35, 0.22, 0.1,
        ];
        let dw = match (lang, local.weekday()) {
            (Lang::He, Weekday::Fri) => 0.4,
            (Lang::He, Weekday::Sat) => 0.12,
            (Lang::He, _) => 1.0,
            (Lang::Zh, Weekday::Sat | Weekday::Sun) => 0.6,
            (_, Weekday::Sat) => 0.5,
            (_, Weekday::Sun) => 0.3,
            _ => 1.0,
        };
        HW[local.hour() as usize] * dw
    }

    fn business_time(&mut self, lang: Lang, lo: i64, hi: i64) -> i64 {
        let mut t = lo;
        for _ in 0..64 {
            t = self.rng.gen_range(lo..hi);
            if self.rng.gen::<f64>() < Self::hour_weight(lang, t) {
                return t;
            }
        }
        t
    }

    /// Push a night-time timestamp forward to the next local morning (mostly).
    fn daytime_after(&mut self, lang: Lang, t: i64) -> i64 {
        let local = lang.tz().timestamp_opt(t, 0).unwrap();
        let h = local.hour() as i64;
        if (7..22).contains(&h) || self.rng.gen::<f64>() < 0.1 {
            return t;
        }
        let hours = (24 + 8 - h) % 24;
        t + hours * 3600 - local.minute() as i64 * 60 + self.rng.gen_range(0..3 * 3600)
    }

    fn new_ticket(&mut self) -> u32 {
        self.next_ticket += 1;
        self.next_ticket
    }

    fn pick_channel(&mut self, lang: Lang) -> Channel {
        pick_w(channel_weights(lang), &mut self.rng)
    }

    fn base_team(&self, lang: Lang, cat: usize, ch: Channel) -> usize {
        match lang {
            Lang::En => self.pools[0].team[cat],
            Lang::Zh => {
                if ch == Channel::Phone {
                    TEAM_ZH_HOTLINE
                } else {
                    TEAM_ZH_ONLINE
                }
            }
            Lang::He => TEAM_HE_CHAT,
        }
    }

    fn other_team(&mut self, lang: Lang, team: usize) -> usize {
        match lang {
            Lang::En => {
                let mut t = self.rng.gen_range(0..3);
                if t >= team {
                    t += 1;
                }
                t
            }
            Lang::Zh => TEAM_ZH_BACKOFFICE,
            Lang::He => TEAM_HE_TIER2,
        }
    }

    fn blank_contact(&self, t: i64, issue: u32, lang: Lang, channel: Channel) -> Contact {
        Contact {
            t,
            issue,
            lang,
            channel,
            outbound: false,
            continuation: false,
            courtesy: false,
            ticket: 0,
            agent: 0,
            team: 0,
            next_team: 0,
            transferred: false,
            escalated: false,
            reopened: false,
            survey: 0,
            csat: 0,
            utt: 0,
            cue: false,
            repeat_no: 0,
            gap_h: 0,
            resolves: false,
            episode: 0,
            is_repeat: false,
            reason_noise: 0,
        }
    }

    fn reason_noise(&mut self) -> u8 {
        let x: f64 = self.rng.gen();
        if x < 0.05 {
            2 // blank
        } else if x < 0.20 {
            1 // generic code
        } else {
            0
        }
    }

    fn new_customer(&mut self) -> u32 {
        let lang = Lang::from_idx(pick_idx(&self.p_lang, &mut self.rng));
        let c = Customer {
            lang,
            segment: pick_w(&SEGMENTS, &mut self.rng),
            account: self.rng.gen_range(10_000_000..100_000_000),
            first: self.rng.gen_range(0..FIRST_NAMES.len() as u16),
            last: self.rng.gen_range(0..LAST_NAMES.len() as u16),
            phone: self.rng.gen_range(0..1000),
            sig: self.rng.gen_range(0..4),
        };
        self.customers.push(c);
        (self.customers.len() - 1) as u32
    }

    /// Simulate one customer with all their issues; returns the contacts written.
    fn customer(&mut self) -> usize {
        let cust = self.new_customer();
        let lang = self.customers[cust as usize].lang;
        let n_issues = 1 + pick_idx(&P_ISSUES, &mut self.rng);
        let mut cats: Vec<usize> = Vec::new();
        let mut prev_start: Option<i64> = None;
        let mut emitted = 0;
        for _ in 0..n_issues {
            let start = match prev_start {
                Some(p) if self.rng.gen::<f64>() < P_SECOND_ISSUE_CLOSE => {
                    let t = p + self.rng.gen_range(2 * 3600..6 * 86400);
                    if t >= self.end {
                        self.business_time(lang, self.start, self.end)
                    } else {
                        self.daytime_after(lang, t)
                    }
                }
                _ => self.business_time(lang, self.start, self.end),
            };
            prev_start = Some(start);
            let pool = &self.pools[lang as usize];
            let mut cat = pool.pick_cat(&mut self.rng, start >= self.incident_from);
            for _ in 0..50 {
                if !cats.contains(&cat) {
                    break;
                }
                cat = pool.pick_cat(&mut self.rng, start >= self.incident_from);
            }
            cats.push(cat);
            emitted += self.issue(cust, lang, cat, start);
        }
        emitted + self.thanks(lang)
    }

    /// `--realistic`: sometimes a thanks-only contact after one of the
    /// customer's last issue's contacts, on a written channel: a courtesy
    /// contact of that issue (in its episode, not a repeat).
    fn thanks(&mut self, lang: Lang) -> usize {
        let Some(rng) = self.realistic.as_mut() else {
            return 0;
        };
        if rng.gen::<f64>() >= realistic::P_THANKS {
            return 0;
        }
        let Some(last) = self.issues.last() else {
            return 0;
        };
        let (c0, c1) = (last.c0 as usize, last.c1 as usize);
        if c1 != self.contacts.len() {
            return 0;
        }
        let after = &self.contacts[rng.gen_range(c0..c1)];
        let t = after.t + rng.gen_range(300..8 * 3600);
        let ch = match after.channel {
            Channel::Phone => Channel::Chat,
            ch => ch,
        };
        let pool = &self.pools[lang as usize];
        let cat = pool.cats.len() - 1;
        let list = &pool.by_cat[cat];
        let utt = list[rng.gen_range(0..list.len())];
        let issue = self.issues.len() as u32 - 1;
        let mut c = self.blank_contact(t, issue, lang, ch);
        c.utt = utt;
        c.courtesy = true;
        // Its own thread (no ticket), so only the repeat window ties it.
        let team = self.base_team(lang, cat, ch);
        c.team = team as u8;
        c.agent = self.teams.agent(team, &mut self.rng);
        c.reason_noise = self.reason_noise();
        self.contacts.push(c);
        self.contacts[c0..=c1].sort_by_key(|c| c.t);
        let c1 = c1 + 1;
        let last_inbound = self.contacts[c0..c1]
            .iter()
            .filter(|c| !c.outbound && !c.continuation && !c.courtesy)
            .map(|c| c.t)
            .max();
        for c in &mut self.contacts[c0..c1] {
            if c.courtesy {
                c.resolves = last_inbound.is_none_or(|l| c.t > l);
            }
        }
        if let Some(last) = self.issues.last_mut() {
            last.c1 = c1 as u32;
        }
        usize::from(t < self.end)
    }

    fn anonymous(&mut self) {
        let lang = Lang::from_idx(pick_idx(&self.p_lang, &mut self.rng));
        let t = self.business_time(lang, self.start, self.end);
        let pool = &self.pools[lang as usize];
        let cat = pool.pick_cat(&mut self.rng, t >= self.incident_from);
        let utt = pool.pick_utt(&mut self.rng, cat, &[]);
        let ch = self.pick_channel(lang);
        let issue = self.issues.len() as u32;
        let c0 = self.contacts.len() as u32;
        let mut c = self.blank_contact(t, issue, lang, ch);
        c.utt = utt;
        c.resolves = true;
        if ch.p_ticket() >= 1.0 {
            c.ticket = self.new_ticket();
        }
        let team = self.base_team(lang, cat, ch);
        c.team = team as u8;
        c.agent = self.teams.agent(team, &mut self.rng);
        c.reason_noise = self.reason_noise();
        if self.rng.gen::<f64>() < P_CSAT {
            c.csat = csat(&mut self.rng, true);
        }
        self.contacts.push(c);
        self.issues.push(Issue {
            customer: u32::MAX,
            anon: self.rng.gen_range(0..ANON_IDS.len() as u8),
            cat: cat as u16,
            c0,
            c1: c0 + 1,
        });
    }

    fn issue(&mut self, cust: u32, lang: Lang, cat: usize, start: i64) -> usize {
        let issue = self.issues.len() as u32;
        let c0 = self.contacts.len();
        let pool = &self.pools[lang as usize];
        let resolved_first = self.rng.gen::<f64>() < pool.p_resolve[cat];
        let n_inbound = if resolved_first {
            1
        } else {
            2 + pick_idx(&P_REPEATS, &mut self.rng)
        };
        let unresolved = usize::from(!resolved_first);
        let mut t = start;
        let mut ch = self.pick_channel(lang);
        let mut current_ticket = 0u32;
        let mut used: Vec<u32> = Vec::new();
        let mut inbound_idx: Vec<usize> = Vec::new();
        for k in 0..n_inbound {
            let mut gap_h = 0;
            let prev_t = t;
            if k > 0 {
                let gap_days = (GAP_MEDIAN_DAYS * (GAP_SIGMA * normal(&mut self.rng)).exp())
                    .max(20.0 / 1440.0);
                t = self.daytime_after(lang, t + (gap_days * 86400.0) as i64);
                gap_h = ((t - prev_t) / 3600) as u32;
                if self.rng.gen::<f64>() >= P_SAME_CHANNEL {
                    ch = self.pick_channel(lang);
                }
            }
            let mut c = self.blank_contact(t, issue, lang, ch);
            c.repeat_no = k as u8;
            c.gap_h = gap_h;
            c.resolves = k + 1 == n_inbound;
            // ticket
            if k > 0 && current_ticket != 0 && self.rng.gen::<f64>() < P_REUSE_TICKET {
                c.ticket = current_ticket;
                if self.rng.gen::<f64>() < P_REOPEN_ON_REUSE {
                    c.reopened = true;
                }
            } else {
                if k > 0 && t - prev_t > self.window {
                    // a new true episode starts here: older tickets are not referenced again
                    current_ticket = 0;
                }
                if self.rng.gen::<f64>() < ch.p_ticket() {
                    c.ticket = self.new_ticket();
                    current_ticket = c.ticket;
                }
            }
            c.cue =
                k > 0 && (self.rng.gen::<f64>() < P_CUE || (c.reopened && self.rng.gen::<bool>()));
            let pool = &self.pools[lang as usize];
            c.utt = pool.pick_utt(&mut self.rng, cat, &used);
            if let (Some(r), Some(&first)) = (self.realistic.as_mut(), used.first()) {
                // Customers paste their first message again.
                if r.gen::<f64>() < realistic::P_PASTE_AGAIN {
                    c.utt = first;
                }
            }
            used.push(c.utt);
            let team = self.base_team(lang, cat, ch);
            c.team = team as u8;
            c.agent = self.teams.agent(team, &mut self.rng);
            c.reason_noise = self.reason_noise();
            c.escalated = self.rng.gen::<f64>() < P_ESCALATE[unresolved];
            c.transferred = self.rng.gen::<f64>() < P_TRANSFER[unresolved];
            if c.transferred {
                c.next_team = self.other_team(lang, team) as u8;
                c.escalated = false;
            }
            if self.rng.gen::<f64>() < P_CSAT && !c.transferred {
                c.csat = csat(&mut self.rng, c.resolves);
            }
            let transferred = c.transferred;
            let resolves = c.resolves;
            let next_team = c.next_team as usize;
            let ticket = c.ticket;
            let utt = c.utt;
            c.resolves = if transferred { false } else { resolves };
            inbound_idx.push(self.contacts.len());
            self.contacts.push(c);
            if transferred {
                let tc = t + self.rng.gen_range(60..=720);
                let mut d = self.blank_contact(tc, issue, lang, ch);
                d.continuation = true;
                d.repeat_no = k as u8;
                d.ticket = ticket;
                d.team = next_team as u8;
                d.agent = self.teams.agent(next_team, &mut self.rng);
                d.utt = if self.rng.gen::<bool>() {
                    utt
                } else {
                    let pool = &self.pools[lang as usize];
                    pool.pick_utt(&mut self.rng, cat, &used)
                };
                d.resolves = resolves;
                d.reason_noise = self.reason_noise();
                d.escalated = self.rng.gen::<f64>() < P_ESCALATE[unresolved];
                if self.rng.gen::<f64>() < P_CSAT {
                    d.csat = csat(&mut self.rng, resolves);
                }
                self.contacts.push(d);
            }
        }
        // outbound follow-up
        if self.rng.gen::<f64>() < P_OUTBOUND {
            let k = inbound_idx[self.rng.gen_range(0..inbound_idx.len())];
            let base = self.contacts[k].clone();
            let after = self.rng.gen_range(43_200..=3 * 86_400);
            let tt = self.daytime_after(lang, base.t + after);
            let och = match lang {
                Lang::En => {
                    if self.rng.gen::<f64>() < 0.7 {
                        Channel::Phone
                    } else {
                        Channel::Email
                    }
                }
                Lang::Zh => Channel::Phone,
                Lang::He => base.channel,
            };
            let mut o = self.blank_contact(tt, issue, lang, och);
            o.outbound = true;
            o.utt = base.utt;
            let mut tk = if self.rng.gen::<f64>() < 0.85 {
                base.ticket
            } else {
                0
            };
            if tk == 0 && och == Channel::Email {
                tk = if base.ticket != 0 {
                    base.ticket
                } else {
                    self.new_ticket()
                };
            }
            o.ticket = tk;
            let team = self.base_team(lang, cat, och);
            o.team = team as u8;
            o.agent = self.teams.agent(team, &mut self.rng);
            o.reason_noise = self.reason_noise();
            self.contacts.push(o);
        }
        let c1 = self.contacts.len();
        // order the issue's contacts by time; mark `resolves` for outbound by look-ahead
        self.contacts[c0..c1].sort_by_key(|c| c.t);
        for i in c0..c1 {
            if self.contacts[i].outbound {
                let t = self.contacts[i].t;
                self.contacts[i].resolves = !self.contacts[c0..c1]
                    .iter()
                    .any(|c| !c.outbound && !c.continuation && !c.courtesy && c.t > t);
            }
        }
        self.issues.push(Issue {
            customer: cust,
            anon: 0,
            cat: cat as u16,
            c0: c0 as u32,
            c1: c1 as u32,
        });
        self.contacts[c0..c1]
            .iter()
            .filter(|c| c.t < self.end)
            .count()
    }
}

fn csat(rng: &mut ChaCha8Rng, good: bool) -> u8 {
    let p: [f64; 5] = if good {
        [0.03, 0.05, 0.12, 0.35, 0.45]
    } else {
        [0.30, 0.30, 0.22, 0.12, 0.06]
    };
    1 + pick_idx(&p, rng) as u8
}

// ---------------------------------------------------------------- truth: episodes

fn find(p: &mut [usize], mut x: usize) -> usize {
    while p[x] != x {
        p[x] = p[p[x]];
        x = p[x];
    }
    x
}

/// Splits every issue into true episodes, assigns surveys, FCR and is_repeat.
fn build_episodes(sim: &mut Sim, window: i64) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    for ii in 0..sim.issues.len() {
        let (c0, c1) = (sim.issues[ii].c0 as usize, sim.issues[ii].c1 as usize);
        let n = c1 - c0;
        parent.clear();
        parent.extend(0..n);
        let cs = &mut sim.contacts[c0..c1];
        let mut bridged = vec![false; n];
        for i in 1..n {
            if cs[i].t - cs[i - 1].t <= window {
                let (a, b) = (find(&mut parent, i), find(&mut parent, i - 1));
                parent[a] = b;
            }
            if cs[i].ticket != 0 {
                if let Some(j) = (0..i).find(|&j| cs[j].ticket == cs[i].ticket) {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        bridged[i] = true;
                        parent[a] = b;
                    }
                }
            }
        }
        // components in time order (contacts are sorted by time inside the issue)
        let mut comp_of_root: HashMap<usize, u32> = HashMap::new();
        let mut local_ep = vec![0u32; n];
        let first_ep = episodes.len();
        for i in 0..n {
            let r = find(&mut parent, i);
            let e = *comp_of_root.entry(r).or_insert_with(|| {
                episodes.push(Episode {
                    first_t: cs[i].t,
                    fcr: false,
                    censored: false,
                    n_emitted: 0,
                    ticket_bridged: false,
                    later_of_issue: episodes.len() > first_ep,
                });
                (episodes.len() - 1) as u32
            });
            local_ep[i] = e;
            if bridged[i] {
                episodes[e as usize].ticket_bridged = true;
            }
        }
        let last_inbound_t = cs
            .iter()
            .filter(|c| !c.outbound && !c.continuation && !c.courtesy)
            .map(|c| c.t)
            .max()
            .unwrap_or(i64::MIN);
        for (e, ep) in episodes.iter_mut().enumerate().skip(first_ep) {
            let members: Vec<usize> = (0..n).filter(|&i| local_ep[i] as usize == e).collect();
            let last = *members.last().unwrap();
            // survey on the episode's last contact
            let truly_resolved = cs[last].t >= last_inbound_t;
            let mut survey = 0u8;
            let anonymous = sim.issues[ii].customer == u32::MAX;
            if !anonymous && sim.rng.gen::<f64>() < P_SURVEY {
                let mut yes = truly_resolved;
                if sim.rng.gen::<f64>() < SURVEY_NOISE {
                    yes = !yes;
                }
                survey = if yes { 1 } else { 2 };
            }
            let mut n_in = 0;
            let mut flags = false;
            for &i in &members {
                let c = &cs[i];
                if !c.outbound && !c.continuation && !c.courtesy {
                    n_in += 1;
                }
                flags |= c.reopened || c.transferred || c.escalated;
                if c.t >= sim.end {
                    ep.censored = true;
                } else {
                    ep.n_emitted += 1;
                }
            }
            ep.fcr = n_in == 1 && !flags && survey != 2;
            let mut seen_inbound = false;
            for &i in &members {
                let c = &mut cs[i];
                c.episode = e as u32;
                if !c.outbound && !c.continuation && !c.courtesy {
                    c.is_repeat = seen_inbound;
                    seen_inbound = true;
                }
            }
            cs[last].survey = survey;
        }
    }
    episodes
}

// ---------------------------------------------------------------- text rendering

const FIRST_NAMES: [&str; 24] = [
    "James", "Olivia", "Mohammed", "Amelia", "Oliver", "Isla", "Jack", "Ava", "Harry", "Mia",
    "George", "Sophia", "Noah", "Grace", "Leo", "Lily", "Arthur", "Freya", "Priya", "Daniel",
    "Chloe", "Tomasz", "Aisha", "Ewan",
];
const LAST_NAMES: [&str; 20] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Novak",
];
const AGENT_NAMES_EN: [&str; 16] = [
    "Sam", "Alex", "Jordan", "Chris", "Taylor", "Jamie", "Morgan", "Casey", "Robin", "Charlie",
    "Sasha", "Drew", "Kim", "Lee", "Pat", "Nico",
];
const AGENT_NAMES_HE: [&str; 8] = ["דנה", "יוסי", "מיכל", "אבי", "נועה", "רון", "שירה", "עומר"];

struct Ctx<'a> {
    c: &'a Contact,
    utt: &'a str,
    cust: Option<&'a Customer>,
    ticket: &'a str,
    agent_no: u32,
}

fn join_cue(cue: &str, utt: &str) -> String {
    if cue.is_empty() {
        utt.to_string()
    } else {
        format!("{cue} {utt}")
    }
}

fn starts_with_greeting(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    ["hi", "hello", "hey", "good morning", "good afternoon"]
        .iter()
        .any(|g| l.starts_with(g))
}

fn en_cue(rng: &mut ChaCha8Rng, c: &Contact) -> &'static str {
    if !c.cue {
        return "";
    }
    if c.reopened && rng.gen::<bool>() {
        return pick(
            rng,
            &[
                "You closed my case but the problem is still there.",
                "My case was marked as resolved but it isn't.",
            ],
        );
    }
    let mut opts: Vec<&'static str> = vec![
        "Still not fixed.",
        "This is the second time I'm contacting you about this.",
        "I'm contacting you again about the same problem.",
        "I already reported this and nothing has happened.",
    ];
    if c.repeat_no >= 2 {
        opts.push("This is the third time I'm contacting you!");
    }
    if c.gap_h >= 72 {
        opts.push(if c.channel == Channel::Phone {
            "I called last week about this."
        } else {
            "I wrote to you last week about this."
        });
    }
    if c.gap_h < 36 {
        opts.push("I spoke to one of your colleagues yesterday about this.");
    }
    opts[rng.gen_range(0..opts.len())]
}

fn en_outcome(rng: &mut ChaCha8Rng, c: &Contact, team: &str) -> String {
    if c.transferred {
        format!(
            "This needs our {team} team, I'm going to transfer you now. Please stay on the line."
        )
    } else if c.escalated {
        pick(
            rng,
            &[
                "I'm going to escalate this to our back office team, they will get back to you within 48 hours.",
                "I've escalated this to my supervisor, who will review it today.",
            ],
        )
        .to_string()
    } else if c.resolves {
        pick(
            rng,
            &[
                "I've sorted that out for you now, you should see it updated in the app.",
                "That's all fixed now.",
                "I've updated that on your account, it's done.",
                "Okay, I've explained the steps and that should resolve it for you.",
            ],
        )
        .to_string()
    } else {
        pick(
            rng,
            &[
                "I've raised a request for this, it can take 3 to 5 working days.",
                "I've passed this on to the relevant team, it should be resolved soon.",
                "Please try again in 24 hours and it should work.",
                "I've logged this for you, you'll get an update by email.",
            ],
        )
        .to_string()
    }
}

fn render(rng: &mut ChaCha8Rng, x: &Ctx, out: &mut String) {
    out.clear();
    let c = x.c;
    match c.lang {
        Lang::En => render_en(rng, x, out),
        Lang::Zh => render_zh(rng, x, out),
        Lang::He => render_he(rng, x, out),
    }
}

fn render_en(rng: &mut ChaCha8Rng, x: &Ctx, out: &mut String) {
    use std::fmt::Write as _;
    let c = x.c;
    let agent = AGENT_NAMES_EN[x.agent_no as usize % AGENT_NAMES_EN.len()];
    let acct = x.cust.map(|u| u.account).unwrap_or(0);
    let team_spoken = EN_TEAM_SPOKEN[(c.next_team as usize).min(3)];
    let my_team = EN_TEAM_SPOKEN[(c.team as usize).min(3)];
    match c.channel {
        Channel::Phone => {
            if c.outbound {
                let _ = writeln!(
                    out,
                    "Agent: Hello, this is {agent} calling from Northwind Bank. I'm calling to follow up on your recent contact with us{}.",
                    if x.ticket.is_empty() { String::new() } else { format!(", reference {}", x.ticket) }
                );
                let _ = writeln!(
                    out,
                    "Customer: {}",
                    pick(
                        rng,
                        &["Oh yes, hi.", "Hello, yes.", "Hi, thanks for calling back."]
                    )
                );
                out.push_str(
                    "Agent: I wanted to check whether everything has been sorted out for you.\n",
                );
                if c.resolves {
                    let _ = writeln!(
                        out,
                        "Customer: {}",
                        pick(
                            rng,
                            &[
                                "Yes, it's all fine now, thanks.",
                                "Yes, that's been sorted."
                            ]
                        )
                    );
                    out.push_str("Agent: Great, I'll close the case then. Have a good day.");
                } else {
                    let _ = writeln!(
                        out,
                        "Customer: {}",
                        pick(
                            rng,
                            &[
                                "Not really, it's still not working.",
                                "No, nothing has changed."
                            ]
                        )
                    );
                    out.push_str("Agent: I'm sorry to hear that, I'll chase it with the team and update you.");
                }
                return;
            }
            if c.continuation {
                let _ = writeln!(out, "Agent: Hi, this is {agent} from the {my_team} team, your call has been transferred to me. How can I help?");
                let _ = writeln!(out, "Customer: Yes, hi. {}", x.utt);
                let _ = writeln!(
                    out,
                    "Agent: Thanks for waiting. {}",
                    en_outcome(rng, c, my_team)
                );
                out.push_str("Customer: Okay, thank you.");
                return;
            }
            let greet = pick(rng, &[
                "Thank you for calling Northwind Bank, this is {A}, how can I help?",
                "Good morning, Northwind Bank, {A} speaking.",
                "Hello, you're through to Northwind Bank, my name is {A}. How can I help you today?",
            ]).replace("{A}", agent);
            let _ = writeln!(out, "Agent: {greet}");
            let verify_first = rng.gen::<f64>() < 0.4;
            let anonymous = x.cust.is_none();
            let verify = |rng: &mut ChaCha8Rng, out: &mut String, lead: &str| {
                let _ = writeln!(
                    out,
                    "Agent: {lead}{}",
                    pick(
                        rng,
                        &[
                            "Can you confirm your account number please?",
                            "Before I go on, can I take your full name and account number?",
                            "For security, can you give me your account number?",
                        ]
                    )
                );
                if anonymous {
                    out.push_str("Customer: I don't have it with me, I just have a quick question.\nAgent: That's fine, I can give you general information.\n");
                    return;
                }
                let _ = writeln!(
                    out,
                    "Customer: {}",
                    pick(
                        rng,
                        &[
                            "Yes, my account number is {N}.",
                            "Sure, it's {N}.",
                            "My account number is {N}.",
                        ]
                    )
                    .replace("{N}", &acct.to_string())
                );
                out.push_str("Agent: Thank you, you're verified.\n");
            };
            if verify_first {
                out.push_str("Customer: Hi, I need some help with my account.\n");
                verify(rng, out, "");
                let _ = writeln!(out, "Agent: How can I help?");
                let cue = en_cue(rng, c);
                let _ = writeln!(out, "Customer: {}", join_cue(cue, x.utt));
            } else {
                let cue = en_cue(rng, c);
                let hi = if starts_with_greeting(x.utt) {
                    ""
                } else {
                    pick(rng, &["Hi, ", "Hello, ", "", "Hi there. "])
                };
                let _ = writeln!(out, "Customer: {hi}{}", join_cue(cue, x.utt));
                let lead = pick(
                    rng,
                    &[
                        "I can look into that for you. ",
                        "Okay, let me check. ",
                        "Sorry to hear that, let me help. ",
                    ],
                );
                verify(rng, out, lead);
            }
            let _ = writeln!(out, "Agent: {}", en_outcome(rng, c, team_spoken));
            if !c.transferred {
                let _ = writeln!(
                    out,
                    "Customer: {}",
                    pick(
                        rng,
                        &[
                            "Okay, thanks for your help.",
                            "Great, thank you.",
                            "Alright, thanks. Bye."
                        ]
                    )
                );
                out.push_str(pick(
                    rng,
                    &[
                        "Agent: You're welcome, have a nice day.",
                        "Agent: Thanks for calling, goodbye.",
                    ],
                ));
            } else {
                out.push_str("Customer: Okay.");
            }
        }
        Channel::Chat | Channel::App => {
            let cu = if c.channel == Channel::App || rng.gen::<f64>() < 0.3 {
                "user"
            } else {
                "customer"
            };
            if c.outbound {
                let _ = writeln!(out, "agent: Hi, this is {agent} from Northwind Bank following up on your recent chat{}. Is everything sorted now?",
                    if x.ticket.is_empty() { String::new() } else { format!(" (ref {})", x.ticket) });
                let _ = write!(
                    out,
                    "{cu}: {}",
                    if c.resolves {
                        "yes all good now thanks"
                    } else {
                        "no, still the same problem"
                    }
                );
                return;
            }
            if c.continuation {
                let _ = writeln!(out, "agent: Hi, I'm {agent} from the {my_team} team, I've picked up your chat from my colleague.");
                let _ = writeln!(out, "{cu}: {}", x.utt);
                let _ = write!(out, "agent: {}", en_outcome(rng, c, my_team));
                return;
            }
            if c.channel == Channel::Chat {
                let _ = writeln!(
                    out,
                    "agent: Hi, you're chatting with {agent}. How can I help?"
                );
            }
            let cue = en_cue(rng, c);
            let _ = writeln!(out, "{cu}: {}", join_cue(cue, x.utt));
            if x.cust.is_some() && rng.gen::<bool>() {
                out.push_str(
                    "agent: Let me check that for you. Can you confirm your account number?\n",
                );
                let _ = writeln!(out, "{cu}: {acct}");
            }
            let _ = write!(out, "agent: {}", en_outcome(rng, c, team_spoken));
            if !c.transferred && rng.gen::<bool>() {
                let _ = write!(
                    out,
                    "\n{cu}: {}",
                    pick(rng, &["thanks", "ok thank you", "great, thanks!"])
                );
            }
        }
        Channel::Email => {
            let (first, last) = x
                .cust
                .map(|u| (FIRST_NAMES[u.first as usize], LAST_NAMES[u.last as usize]))
                .unwrap_or(("", ""));
            if c.outbound {
                let _ = write!(out, "Dear {},\n\nWe are following up on your case {}. Our team has reviewed your request and we wanted to check that everything is now working as expected. Please reply to this e-mail if you need anything else.\n\nKind regards,\n{agent}\nNorthwind Bank Customer Care",
                    if first.is_empty() { "customer" } else { first }, x.ticket);
                return;
            }
            if c.repeat_no > 0 && !x.ticket.is_empty() && rng.gen::<bool>() {
                let _ = writeln!(out, "Subject: Re: [{}] Your request\n", x.ticket);
            }
            let _ = writeln!(
                out,
                "{}\n",
                pick(
                    rng,
                    &[
                        "Hello,",
                        "Hi,",
                        "Dear Northwind Bank,",
                        "To whom it may concern,",
                        "Hi there,"
                    ]
                )
            );
            let cue = en_cue(rng, c);
            let _ = writeln!(out, "{}\n", join_cue(cue, x.utt));
            if first.is_empty() {
                out.push_str("Thanks");
                return;
            }
            let _ = write!(
                out,
                "{}\n{first} {last}",
                pick(
                    rng,
                    &["Thanks,", "Regards,", "Kind regards,", "Many thanks,"]
                )
            );
            let u = x.cust.unwrap();
            if u.sig & 1 == 1 {
                let _ = write!(
                    out,
                    "\n{}.{}{}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    u.account % 100
                );
            }
            if u.sig & 2 == 2 {
                let _ = write!(out, "\nTel: +44 7700 900{:03}", u.phone);
            }
            if u.sig == 0 && rng.gen::<bool>() {
                out.push_str("\n\nSent from my iPhone");
            }
        }
        Channel::Note => {
            if c.continuation {
                let _ = writeln!(
                    out,
                    "Transferred from another team. Customer reports: {}",
                    x.utt
                );
            } else if c.cue {
                let _ = writeln!(
                    out,
                    "{} Customer reports: {}",
                    pick(
                        rng,
                        &[
                            "Repeat contact.",
                            "2nd contact - customer says still not fixed.",
                            "Customer has contacted us before about this.",
                        ]
                    ),
                    x.utt
                );
            } else {
                let _ = writeln!(out, "Customer reports: {}", x.utt);
            }
            out.push_str(if c.transferred {
                "Action: Passed to specialist team."
            } else if c.escalated {
                "Action: Escalated to back office."
            } else if c.resolves {
                pick(
                    rng,
                    &[
                        "Action: Resolved on contact.",
                        "Action: Advised customer, case closed.",
                    ],
                )
            } else {
                pick(
                    rng,
                    &[
                        "Action: Raised with back office, pending.",
                        "Action: Advised customer on next steps.",
                    ],
                )
            });
        }
    }
}

fn render_zh(rng: &mut ChaCha8Rng, x: &Ctx, out: &mut String) {
    use std::fmt::Write as _;
    let c = x.c;
    let gh = 1000 + x.agent_no;
    let acct = x.cust.map(|u| u.account).unwrap_or(0);
    let outcome = |rng: &mut ChaCha8Rng| -> &'static str {
        if c.transferred {
            "这个问题需要专业团队处理，我现在帮您转接，请稍等。"
        } else if c.escalated {
            "我已经把您的问题升级给后台主管处理，48小时内会有人联系您。"
        } else if c.resolves {
            pick(
                rng,
                &[
                    "已经帮您处理好了，您再试一下。",
                    "好的，问题已经解决了。",
                    "已经给您设置好了。",
                ],
            )
        } else {
            pick(
                rng,
                &[
                    "这个问题我已经提交给后台了，请您耐心等待三个工作日。",
                    "我帮您登记了，稍后会有专人跟进。",
                ],
            )
        }
    };
    let cue = |rng: &mut ChaCha8Rng| -> &'static str {
        if !c.cue {
            return "";
        }
        let phone = [
            "我上次打过电话了，",
            "还是没有解决，",
            "这是我再次联系你们了，",
            "第二次来问这个问题了，",
        ];
        let chat = [
            "还是没有解决，",
            "我再次联系你们，",
            "上周已经反映过这个问题了，",
            "第二次来问这个问题了，",
        ];
        if c.channel == Channel::Phone {
            pick(rng, &phone)
        } else {
            pick(rng, &chat)
        }
    };
    match c.channel {
        Channel::Note => {
            if c.cue {
                out.push_str(pick(
                    rng,
                    &["客户表示已经是第二次联系。", "客户称问题还是没有解决。"],
                ));
            }
            let _ = write!(
                out,
                "客户反映：{}。{}",
                x.utt,
                if c.transferred {
                    "已转专业团队。"
                } else if c.escalated {
                    "已升级后台。"
                } else if c.resolves {
                    "当场解决。"
                } else {
                    "已提交后台处理。"
                }
            );
        }
        _ => {
            let cu = if c.channel == Channel::Chat && rng.gen::<bool>() {
                "用户"
            } else {
                "客户"
            };
            if c.outbound {
                let _ = writeln!(out, "客服：您好，我是{gh}号客服，关于您之前反映的问题{}，想回访确认一下是否已经解决？",
                    if x.ticket.is_empty() { String::new() } else { format!("（工单号{}）", x.ticket) });
                let _ = write!(
                    out,
                    "{cu}：{}",
                    if c.resolves {
                        "已经好了，谢谢。"
                    } else {
                        "还没有，问题还在。"
                    }
                );
                return;
            }
            if c.continuation {
                let _ = writeln!(
                    out,
                    "客服：您好，我是后台支持{gh}号，您的问题已经转到我这里，请您再描述一下。"
                );
                let _ = writeln!(out, "{cu}：{}", x.utt);
                let _ = write!(out, "客服：{}", outcome(rng));
                return;
            }
            let _ = writeln!(out, "客服：您好，{gh}号客服为您服务，请问有什么可以帮您？");
            let _ = writeln!(
                out,
                "{cu}：{}{}{}",
                pick(rng, &["你好，", "您好，", ""]),
                cue(rng),
                x.utt
            );
            if x.cust.is_some() && (c.channel == Channel::Phone || rng.gen::<bool>()) {
                out.push_str("客服：好的，请您提供一下账户号码，我帮您核实一下身份。\n");
                let _ = writeln!(out, "{cu}：我的账号是{acct}。");
            }
            let _ = write!(out, "客服：{}", outcome(rng));
            if !c.transferred {
                let _ = write!(
                    out,
                    "\n{cu}：好的，谢谢。\n客服：不客气，祝您生活愉快，再见。"
                );
            }
        }
    }
}

fn render_he(rng: &mut ChaCha8Rng, x: &Ctx, out: &mut String) {
    use std::fmt::Write as _;
    let c = x.c;
    let name = AGENT_NAMES_HE[x.agent_no as usize % AGENT_NAMES_HE.len()];
    let acct = x.cust.map(|u| u.account).unwrap_or(0);
    let outcome = |rng: &mut ChaCha8Rng| -> &'static str {
        if c.transferred {
            "אני מעבירה אותך לנציג בצוות המתאים, רגע בבקשה."
        } else if c.escalated {
            "העברתי את הפנייה למנהלת המשמרת, יחזרו אלייך תוך 48 שעות."
        } else if c.resolves {
            pick(
                rng,
                &[
                    "טיפלתי בזה, הכל אמור לעבוד עכשיו.",
                    "הבעיה נפתרה.",
                    "סידרתי לך את זה.",
                ],
            )
        } else {
            pick(
                rng,
                &[
                    "העברתי את הפנייה לגורם המטפל, נחזור אלייך בהקדם.",
                    "פתחתי בקשה, זה יכול לקחת עד שלושה ימי עסקים.",
                ],
            )
        }
    };
    if c.outbound {
        let _ = writeln!(
            out,
            "נציג: שלום, כאן {name}. חוזרים אלייך בהמשך לפנייתך הקודמת{}. האם הבעיה נפתרה?",
            if x.ticket.is_empty() {
                String::new()
            } else {
                format!(" (פנייה {})", x.ticket)
            }
        );
        let _ = write!(
            out,
            "לקוח: {}",
            if c.resolves {
                "כן, תודה."
            } else {
                "לא, עדיין לא."
            }
        );
        return;
    }
    if c.continuation {
        let _ = writeln!(
            out,
            "נציג: שלום, כאן {name} מהתמיכה המתקדמת. הועברת אלינו, במה מדובר?"
        );
        let _ = writeln!(out, "לקוח: {}", x.utt);
        let _ = write!(out, "נציג: {}", outcome(rng));
        return;
    }
    let cue = if c.cue {
        pick(
            rng,
            &[
                "אני פונה שוב.",
                "עדיין לא טופל.",
                "כבר פניתי אליכם בשבוע שעבר.",
                "זו הפעם השנייה שאני פונה.",
            ],
        )
    } else {
        ""
    };
    if c.channel == Channel::Chat {
        let _ = writeln!(out, "נציג: שלום, כאן {name}, איך אפשר לעזור?");
    }
    let _ = writeln!(out, "לקוח: {}", join_cue(cue, x.utt));
    if x.cust.is_some() && rng.gen::<bool>() {
        out.push_str("נציג: אשמח לעזור. אפשר מספר חשבון לאימות?\n");
        let _ = writeln!(out, "לקוח: {acct}");
    }
    let _ = write!(out, "נציג: {}", outcome(rng));
    if !c.transferred && rng.gen::<bool>() {
        out.push_str("\nלקוח: תודה רבה");
    }
}

// ---------------------------------------------------------------- writers

const CONTRACT_COLS: [&str; 17] = [
    "contact_id",
    "customer_id",
    "started_at",
    "text",
    "channel",
    "direction",
    "ticket_id",
    "agent_id",
    "team",
    "queue",
    "reason_code",
    "transferred",
    "escalated",
    "reopened",
    "survey_resolved",
    "csat",
    "segment",
];

const CRM_COLS: [&str; 17] = [
    "Case No",
    "Customer No",
    "Created",
    "Body",
    "Channel",
    "Direction",
    "Ticket Ref",
    "Owner",
    "Team",
    "Queue",
    "Disposition",
    "Transferred",
    "Escalated",
    "Reopened",
    "Survey Resolved",
    "CSAT",
    "Segment",
];

#[derive(Serialize)]
struct ChatRow<'a> {
    contact_id: &'a str,
    customer_id: &'a str,
    started_at: &'a str,
    text: &'a str,
    channel: &'a str,
    direction: &'a str,
    ticket_id: Option<&'a str>,
    agent_id: &'a str,
    team: &'a str,
    queue: &'a str,
    reason_code: Option<&'a str>,
    transferred: bool,
    escalated: bool,
    reopened: bool,
    survey_resolved: Option<&'a str>,
    csat: Option<u8>,
    segment: &'a str,
}

#[derive(Serialize)]
struct StrRow<'a> {
    contact_id: &'a str,
    customer_id: &'a str,
    started_at: &'a str,
    text: &'a str,
    channel: &'a str,
    direction: &'a str,
    ticket_id: &'a str,
    agent_id: &'a str,
    team: &'a str,
    queue: &'a str,
    reason_code: &'a str,
    transferred: &'a str,
    escalated: &'a str,
    reopened: &'a str,
    survey_resolved: &'a str,
    csat: &'a str,
    segment: &'a str,
}

fn tf(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

fn fmt_utc(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

// ---------------------------------------------------------------- main

fn main() -> Result<()> {
    let args = Args::parse();
    let t0 = Instant::now();
    if args.contacts == 0 {
        bail!("--contacts must be > 0");
    }
    let window = args.repeat_window_hours * 3600;
    let out_dir = args.out.clone();
    std::fs::create_dir_all(&out_dir)?;
    let truth_path = match &args.truth {
        Some(p) => p.clone(),
        None => {
            let abs = std::path::absolute(&out_dir)?;
            let name = abs
                .file_name()
                .context("--out has no folder name")?
                .to_string_lossy()
                .to_string();
            abs.parent()
                .context("--out has no parent")?
                .join(format!("{name}.truth.csv"))
        }
    };

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut dist_rng = args.dist_seed.map(ChaCha8Rng::seed_from_u64);
    let mut pools = {
        let r = dist_rng.as_mut().unwrap_or(&mut rng);
        let english = match args.english.as_str() {
            "banking77" => load_banking77(&args.shared)?,
            "clinc150" => load_clinc150(&args.shared)?,
            "massive" => load_massive(&args.shared, "en-US")?,
            other => bail!("--english {other}: expected banking77, clinc150 or massive"),
        };
        [
            Pool::build(Lang::En, english, r)?,
            Pool::build(Lang::Zh, load_massive(&args.shared, "zh-CN")?, r)?,
            Pool::build(Lang::He, load_massive(&args.shared, "he-IL")?, r)?,
        ]
    };
    for s in &args.scale {
        let (cat, f) = s
            .split_once('=')
            .with_context(|| format!("--scale {s}: expected INTENT=FACTOR"))?;
        let f: f64 = f
            .parse()
            .ok()
            .filter(|f: &f64| *f >= 0.0)
            .with_context(|| format!("--scale {s}: FACTOR must be a number >= 0"))?;
        let mut found = false;
        for p in pools.iter_mut() {
            found |= p.scale(cat, f);
        }
        if !found {
            bail!("--scale {s}: no category {cat}");
        }
    }
    if args.realistic {
        for (p, lang) in pools.iter_mut().zip([Lang::En, Lang::Zh, Lang::He]) {
            p.add_thanks(lang);
        }
    }
    let pools = pools;
    let teams = Teams::new(args.contacts);
    let (year, month) = args
        .month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|(_, m)| (1..=12).contains(m))
        .with_context(|| format!("--month {}: expected YYYY-MM", args.month))?;
    let first_of = |y: i32, m: u32, d: u32| {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .with_context(|| format!("--month {}: not a date", args.month))
            .map(|t| t.timestamp())
    };
    let start = first_of(year, month, 1)?;
    let end = if month == 12 {
        first_of(year + 1, 1, 1)?
    } else {
        first_of(year, month + 1, 1)?
    };
    let incident_from = first_of(year, month, 19)?;
    let p_lang: [f64; 3] = match args
        .language_mix
        .split(',')
        .map(|w| w.trim().parse::<f64>())
        .collect::<std::result::Result<Vec<f64>, _>>()
    {
        Ok(w) if w.len() == 3 && w.iter().all(|x| *x >= 0.0) && w.iter().sum::<f64>() > 0.0 => {
            [w[0], w[1], w[2]]
        }
        _ => bail!(
            "--language-mix {}: expected three weights EN,ZH,HE",
            args.language_mix
        ),
    };
    let mut sim = Sim {
        rng,
        pools: &pools,
        teams: &teams,
        start,
        end,
        incident_from,
        window,
        customers: Vec::new(),
        issues: Vec::new(),
        contacts: Vec::with_capacity(args.contacts + args.contacts / 4),
        next_ticket: 100_000,
        p_lang,
        realistic: args
            .realistic
            .then(|| ChaCha8Rng::seed_from_u64(args.seed ^ 0x4EA1_0000_0000_0001)),
    };

    // ---- simulate
    let n_anon = (args.contacts as f64 * P_ANON).round() as usize;
    let target = args.contacts - n_anon.min(args.contacts);
    let mut emitted = 0usize;
    while emitted < target {
        emitted += sim.customer();
    }
    for _ in 0..n_anon {
        sim.anonymous();
    }
    let episodes = build_episodes(&mut sim, window);
    let t_sim = t0.elapsed();

    // ---- order written contacts by time; ids follow that order
    let mut order: Vec<u32> = (0..sim.contacts.len() as u32)
        .filter(|&i| sim.contacts[i as usize].t < end)
        .collect();
    order.sort_by_key(|&i| (sim.contacts[i as usize].t, i));
    // episode / issue ids in order of first start
    let mut ep_order: Vec<u32> = (0..episodes.len() as u32)
        .filter(|&e| episodes[e as usize].n_emitted > 0)
        .collect();
    ep_order.sort_by_key(|&e| (episodes[e as usize].first_t, e));
    let mut ep_no = vec![0u32; episodes.len()];
    for (k, &e) in ep_order.iter().enumerate() {
        ep_no[e as usize] = k as u32 + 1;
    }
    let mut is_order: Vec<u32> = (0..sim.issues.len() as u32).collect();
    is_order.sort_by_key(|&i| (sim.contacts[sim.issues[i as usize].c0 as usize].t, i));
    let mut issue_no = vec![0u32; sim.issues.len()];
    for (k, &i) in is_order.iter().enumerate() {
        issue_no[i as usize] = k as u32 + 1;
    }
    let cust_width = 6.max(sim.customers.len().to_string().len());

    // ---- write
    let mut csv_calls = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(out_dir.join(FILE_NAMES[0]))?,
    ));
    let mut jl_chats =
        BufWriter::with_capacity(1 << 20, File::create(out_dir.join(FILE_NAMES[1]))?);
    let mut csv_crm = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(out_dir.join(FILE_NAMES[2]))?,
    ));
    let mut csv_zh = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(out_dir.join(FILE_NAMES[3]))?,
    ));
    let mut jl_he = BufWriter::with_capacity(1 << 20, File::create(out_dir.join(FILE_NAMES[4]))?);
    csv_calls.write_record(CONTRACT_COLS)?;
    csv_crm.write_record(CRM_COLS)?;
    csv_zh.write_record(CONTRACT_COLS)?;
    if let Some(parent) = truth_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut truth = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(&truth_path).with_context(|| format!("{}", truth_path.display()))?,
    ));
    truth.write_record([
        "contact_id",
        "customer_id",
        "episode_id",
        "issue_id",
        "category",
        "language",
        "is_repeat",
        "episode_fcr",
        "episode_first_started_at",
        "episode_censored",
    ])?;

    let mut rrng = ChaCha8Rng::seed_from_u64(args.seed ^ 0x5EED_7E47_0000_0001);
    let mut vrng = ChaCha8Rng::seed_from_u64(args.seed ^ 0x4EA1_0000_0000_0002);
    let mut personas: HashMap<u32, realistic::Persona> = HashMap::new();
    let mut text = String::with_capacity(2048);
    let mut per_file = [0usize; 5];
    for (k, &ci) in order.iter().enumerate() {
        let c = &sim.contacts[ci as usize];
        let issue = &sim.issues[c.issue as usize];
        let pool = &pools[c.lang as usize];
        let cust = (issue.customer != u32::MAX).then(|| &sim.customers[issue.customer as usize]);
        let contact_id = format!("C{:07}", k + 1);
        let customer_id = match cust {
            Some(_) => format!("U{:0w$}", issue.customer + 1, w = cust_width),
            None => ANON_IDS[issue.anon as usize].to_string(),
        };
        let ticket = if c.ticket == 0 {
            String::new()
        } else {
            format!("T{:07}", c.ticket)
        };
        let agent_id = format!("A{:03}", c.agent);
        let varied: String;
        let mut utt = pool.utts[c.utt as usize].as_str();
        if args.realistic && !c.outbound {
            // A persona per customer (anonymous contacts: per contact), from
            // its own seed so it does not depend on the writing order.
            let key = if issue.customer == u32::MAX {
                u32::MAX - ci
            } else {
                issue.customer
            };
            let persona = personas.entry(key).or_insert_with(|| {
                let mut prng = ChaCha8Rng::seed_from_u64(
                    args.seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(u64::from(key) + 1),
                );
                realistic::Persona::new(&mut prng, c.lang)
            });
            varied = realistic::vary(&mut vrng, persona, c.lang, c.channel, utt);
            utt = &varied;
        }
        render(
            &mut rrng,
            &Ctx {
                c,
                utt,
                cust,
                ticket: &ticket,
                agent_no: c.agent,
            },
            &mut text,
        );
        if args.traditional && c.lang == Lang::Zh {
            text = hanconv::s2tw(&text);
        }
        let segment = SEGMENT_NAMES[cust.map(|u| u.segment).unwrap_or(0) as usize];
        let team = TEAMS[c.team as usize].0;
        let queue = queue_name(
            c.lang,
            c.team as usize,
            c.channel,
            cust.map(|u| u.segment).unwrap_or(0),
        );
        let reason: &str = match c.reason_noise {
            2 => "",
            1 => {
                if c.lang == Lang::En {
                    "GENERAL_ENQUIRY"
                } else {
                    "OTHER"
                }
            }
            _ => &pool.reason[issue.cat as usize],
        };
        let survey = ["", "yes", "no"][c.survey as usize];
        let csat_s = if c.csat == 0 {
            String::new()
        } else {
            c.csat.to_string()
        };
        let direction = if c.outbound { "outbound" } else { "inbound" };
        let channel = c.channel.label(c.lang);
        let f = out_file(c.lang, c.channel);
        per_file[f as usize] += 1;
        match f {
            OutFile::Calls | OutFile::Zh => {
                let started = if f == OutFile::Zh {
                    Lang::Zh
                        .tz()
                        .timestamp_opt(c.t, 0)
                        .unwrap()
                        .format("%Y-%m-%dT%H:%M:%S%:z")
                        .to_string()
                } else {
                    fmt_utc(c.t)
                };
                let w = if f == OutFile::Zh {
                    &mut csv_zh
                } else {
                    &mut csv_calls
                };
                w.write_record([
                    contact_id.as_str(),
                    &customer_id,
                    &started,
                    &text,
                    channel,
                    direction,
                    &ticket,
                    &agent_id,
                    team,
                    queue,
                    reason,
                    tf(c.transferred),
                    tf(c.escalated),
                    tf(c.reopened),
                    survey,
                    &csat_s,
                    segment,
                ])?;
            }
            OutFile::Crm => {
                let started = DateTime::<Utc>::from_timestamp(c.t, 0)
                    .unwrap()
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string();
                csv_crm.write_record([
                    contact_id.as_str(),
                    &customer_id,
                    &started,
                    &text,
                    channel,
                    if c.outbound { "Outbound" } else { "Inbound" },
                    &ticket,
                    &agent_id,
                    team,
                    queue,
                    reason,
                    yn(c.transferred),
                    yn(c.escalated),
                    yn(c.reopened),
                    ["", "Yes", "No"][c.survey as usize],
                    &csat_s,
                    segment,
                ])?;
            }
            OutFile::Chats => {
                let started = fmt_utc(c.t);
                let row = ChatRow {
                    contact_id: &contact_id,
                    customer_id: &customer_id,
                    started_at: &started,
                    text: &text,
                    channel,
                    direction,
                    ticket_id: (!ticket.is_empty()).then_some(ticket.as_str()),
                    agent_id: &agent_id,
                    team,
                    queue,
                    reason_code: (!reason.is_empty()).then_some(reason),
                    transferred: c.transferred,
                    escalated: c.escalated,
                    reopened: c.reopened,
                    survey_resolved: (!survey.is_empty()).then_some(survey),
                    csat: (c.csat != 0).then_some(c.csat),
                    segment,
                };
                serde_json::to_writer(&mut jl_chats, &row)?;
                jl_chats.write_all(b"\n")?;
            }
            OutFile::He => {
                let started = Lang::He
                    .tz()
                    .timestamp_opt(c.t, 0)
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string();
                let row = StrRow {
                    contact_id: &contact_id,
                    customer_id: &customer_id,
                    started_at: &started,
                    text: &text,
                    channel,
                    direction,
                    ticket_id: &ticket,
                    agent_id: &agent_id,
                    team,
                    queue,
                    reason_code: reason,
                    transferred: tf(c.transferred),
                    escalated: tf(c.escalated),
                    reopened: tf(c.reopened),
                    survey_resolved: survey,
                    csat: &csat_s,
                    segment,
                };
                serde_json::to_writer(&mut jl_he, &row)?;
                jl_he.write_all(b"\n")?;
            }
        }
        let ep = &episodes[c.episode as usize];
        truth.write_record([
            contact_id.as_str(),
            &customer_id,
            &format!("E{:07}", ep_no[c.episode as usize]),
            &format!("I{:07}", issue_no[c.issue as usize]),
            &pool.cats[issue.cat as usize],
            c.lang.code(),
            tf(c.is_repeat),
            tf(ep.fcr),
            &fmt_utc(ep.first_t),
            tf(ep.censored),
        ])?;
    }
    csv_calls.flush()?;
    csv_crm.flush()?;
    csv_zh.flush()?;
    jl_chats.flush()?;
    jl_he.flush()?;
    truth.flush()?;
    std::fs::write(out_dir.join("recontact.toml"), RECONTACT_TOML)?;
    let t_all = t0.elapsed();

    print_stats(&sim, &episodes, &pools, &order, &per_file, window);
    eprintln!(
        "wrote {} contacts to {} (truth: {}) in {:.2}s (simulation {:.2}s)",
        order.len(),
        out_dir.display(),
        truth_path.display(),
        t_all.as_secs_f64(),
        t_sim.as_secs_f64()
    );
    Ok(())
}

const RECONTACT_TOML: &str = "\
# Column mapping for crm_tickets.csv (the CRM export's own headers).
# contract column = \"CRM header\". The other files already use the contract names.
# `Created` is a naive timestamp in UTC (the default --timezone).
[columns]
contact_id = \"Case No\"
customer_id = \"Customer No\"
started_at = \"Created\"
text = \"Body\"
channel = \"Channel\"
direction = \"Direction\"
ticket_id = \"Ticket Ref\"
agent_id = \"Owner\"
team = \"Team\"
queue = \"Queue\"
reason_code = \"Disposition\"
transferred = \"Transferred\"
escalated = \"Escalated\"
reopened = \"Reopened\"
survey_resolved = \"Survey Resolved\"
csat = \"CSAT\"
segment = \"Segment\"
";

fn print_stats(
    sim: &Sim,
    episodes: &[Episode],
    pools: &[Pool; 3],
    order: &[u32],
    per_file: &[usize; 5],
    window: i64,
) {
    let end = sim.end;
    let written = |c: &Contact| c.t < end;
    let cs = &sim.contacts;
    let n = order.len();
    let mut by_lang = [0usize; 3];
    let (
        mut transfers,
        mut conts,
        mut outb,
        mut anon,
        mut reop,
        mut esc,
        mut surveys,
        mut rep,
        mut cue,
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    let mut with_ticket = 0;
    for &i in order {
        let c = &cs[i as usize];
        by_lang[c.lang as usize] += 1;
        transfers += usize::from(c.transferred);
        conts += usize::from(c.continuation);
        outb += usize::from(c.outbound);
        anon += usize::from(sim.issues[c.issue as usize].customer == u32::MAX);
        reop += usize::from(c.reopened);
        esc += usize::from(c.escalated);
        surveys += usize::from(c.survey != 0);
        rep += usize::from(c.is_repeat);
        cue += usize::from(c.is_repeat && c.cue);
        with_ticket += usize::from(c.ticket != 0);
    }
    let censored = cs.iter().filter(|c| !written(c)).count();
    let eps: Vec<&Episode> = episodes.iter().filter(|e| e.n_emitted > 0).collect();
    let fcr = eps.iter().filter(|e| e.fcr).count();
    let ep_cens = eps.iter().filter(|e| e.censored).count();
    let bridged = eps.iter().filter(|e| e.ticket_bridged).count();
    let later = eps.iter().filter(|e| e.later_of_issue).count();
    let mut reopened_eps: Vec<u32> = cs
        .iter()
        .filter(|c| c.reopened && episodes[c.episode as usize].n_emitted > 0)
        .map(|c| c.episode)
        .collect();
    reopened_eps.sort_unstable();
    reopened_eps.dedup();
    let ep_reop = reopened_eps.len();
    let multi_contact = eps.iter().filter(|e| e.n_emitted > 1).count();
    // customers with contacts of two different issues inside the window of each other
    let mut cust_contacts: HashMap<u32, Vec<(i64, u32)>> = HashMap::new();
    for &i in order {
        let c = &cs[i as usize];
        let cu = sim.issues[c.issue as usize].customer;
        if cu != u32::MAX {
            cust_contacts.entry(cu).or_default().push((c.t, c.issue));
        }
    }
    let mut cross = 0;
    let mut multi_issue = 0;
    for v in cust_contacts.values_mut() {
        v.sort();
        let mut issues: Vec<u32> = v.iter().map(|x| x.1).collect();
        issues.sort();
        issues.dedup();
        if issues.len() > 1 {
            multi_issue += 1;
        }
        if v.windows(2)
            .any(|w| w[0].1 != w[1].1 && w[1].0 - w[0].0 <= window)
        {
            cross += 1;
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    eprintln!("---- gen_month stats");
    eprintln!(
        "contacts written {n} (censored after month end: {censored}); en {} ({:.1}%), zh {} ({:.1}%), he {} ({:.1}%)",
        by_lang[0], pct(by_lang[0], n), by_lang[1], pct(by_lang[1], n), by_lang[2], pct(by_lang[2], n)
    );
    for (i, name) in FILE_NAMES.iter().enumerate() {
        eprintln!("  {name}: {}", per_file[i]);
    }
    eprintln!(
        "customers {} (with >=2 issues: {multi_issue}; with different issues inside the window: {cross}), issues {}",
        cust_contacts.len(),
        sim.issues.len()
    );
    eprintln!(
        "true episodes (with a written contact) {}: FCR {} = {:.1}%; multi-contact {multi_contact}; censored tail {ep_cens}; later episodes of an issue (gap > window) {later}; joined across a gap only by ticket {bridged}; with a reopened contact {ep_reop} ({:.1}%)",
        eps.len(), fcr, pct(fcr, eps.len()), pct(ep_reop, eps.len())
    );
    eprintln!(
        "repeats {rep} ({:.1}% of contacts; with explicit cue {cue} = {:.1}%), transferred {transfers} ({:.1}%), continuations {conts}, outbound {outb} ({:.1}% of issues), anonymous {anon} ({:.1}%), escalated {esc} ({:.1}%), reopened contacts {reop}, surveys {surveys} ({:.1}% of episodes), with ticket {with_ticket} ({:.1}%)",
        pct(rep, n), pct(cue, rep), pct(transfers, n), pct(outb, sim.issues.len()), pct(anon, n), pct(esc, n), pct(surveys, eps.len()), pct(with_ticket, n)
    );
    let en = &pools[0];
    let hot: Vec<&str> = (0..en.cats.len())
        .filter(|&c| en.hot[c])
        .map(|c| en.cats[c].as_str())
        .collect();
    eprintln!(
        "en hot (low first-contact resolution) categories: {}; incident from the 19th: {}",
        hot.join(", "),
        en.incident.map(|c| en.cats[c].as_str()).unwrap_or("-")
    );
}
