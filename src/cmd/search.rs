//! `recontact search`: find contacts in a run's index.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Result;

use crate::index::ContactIndex;
use crate::search::{self, Filters, Found, Hit};
use crate::text::terminal_safe;

/// Search every contact of a run: tantivy query syntax plus filters.
///
/// QUERY: words (all must match), "a phrase", AND / OR / NOT, (groups),
/// field:value. Bare words search the contact text; customer:WORD and
/// agent:WORD what one side said; category:WORD category names. Others:
/// channel, team, direction, role, agent_id, queue, ticket_id, segment,
/// customer_id, contact_id, episode_id, category_id, non_fcr_signals,
/// fcr / non_fcr / is_repeat (true|false), started_at:[A TO B].
/// Chinese is matched by words (优惠券), Hebrew and English by words
/// ignoring case; English words match their other forms (refund,
/// refunded). "" or * lists everything the filters let through.
///
/// Examples:
///   recontact search out/sample "top up failed" --non-fcr
///   recontact search out/sample '"top up"' --channel chat --from 2026-10-01 --to 2026-10-07
///   recontact search out/sample 音乐 --format jsonl
///   recontact search out/sample '*' --category CAT-0003 --repeat-only
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output folder of `recontact run` (it holds index/).
    pub dir: PathBuf,
    /// The query.
    pub query: String,
    /// Only contacts of episodes not resolved on first contact.
    #[arg(long)]
    pub non_fcr: bool,
    /// Category id (CAT-0003) or name, or a unique part of a name; repeatable.
    #[arg(long)]
    pub category: Vec<String>,
    /// Channel (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub channel: Vec<String>,
    /// Team (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub team: Vec<String>,
    /// From this date or time, inclusive (2026-10-01, 2026-10-01T14:00;
    /// the run's time zone unless an offset is given).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this date (inclusive for a bare date) or time (exclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Only repeat contacts (the customer's second, third ... about an issue).
    #[arg(long)]
    pub repeat_only: bool,
    /// How many contacts to show (at least 1).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    /// table (for people), csv or jsonl (for tools).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Jsonl,
}

pub fn run(args: Args) -> Result<()> {
    let ix = ContactIndex::open(&args.dir)?;
    let filters = Filters {
        non_fcr: args.non_fcr,
        categories: args
            .category
            .iter()
            .map(|c| search::resolve_category(&ix.meta, c))
            .collect::<Result<_>>()?,
        channels: args.channel.clone(),
        teams: args.team.clone(),
        from: args
            .from
            .as_deref()
            .map(|s| search::parse_when(s, ix.timezone, false))
            .transpose()
            .map_err(|e| e.context("--from"))?,
        to: args
            .to
            .as_deref()
            .map(|s| search::parse_when(s, ix.timezone, true))
            .transpose()
            .map_err(|e| e.context("--to"))?,
        repeat_only: args.repeat_only,
        episode_first_only: false,
    };
    let found = search::search(&ix, &args.query, &filters, args.limit as usize)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Jsonl => {
            for h in &found.hits {
                serde_json::to_writer(&mut out, h)?;
                writeln!(out)?;
            }
        }
        Format::Csv => write_csv(&found, &mut out)?,
        Format::Table => write_table(&found, std::io::stdout().is_terminal(), &mut out)?,
    }
    Ok(())
}

/// The snippet with matches marked: bold on a terminal, «guillemets» else
/// (brackets would read like the PII masks, `[number]`).
fn marked(h: &Hit, ansi: bool) -> String {
    let (open, close) = if ansi {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    let mut s = String::new();
    let mut at = 0;
    // The contact's own text is shown, its control characters never obeyed.
    let shown = |t: &str| terminal_safe(t).into_owned();
    for &(a, b) in &h.highlights {
        s.push_str(&shown(&h.snippet[at..a]));
        s.push_str(open);
        s.push_str(&shown(&h.snippet[a..b]));
        s.push_str(close);
        at = b;
    }
    s.push_str(&shown(&h.snippet[at..]));
    s
}

fn write_csv(found: &Found, out: &mut impl Write) -> Result<()> {
    let mut w = crate::text::SafeCsv::new(csv::Writer::from_writer(out));
    w.write_record([
        "contact_id",
        "started_at",
        "customer_id",
        "episode_id",
        "channel",
        "direction",
        "team",
        "role",
        "fcr",
        "non_fcr_signals",
        "category_id",
        "category",
        "score",
        "snippet",
    ])?;
    for h in &found.hits {
        w.write_record([
            h.contact_id.as_str(),
            &h.started_at,
            &h.customer_id,
            &h.episode_id,
            &h.channel,
            &h.direction,
            &h.team,
            &h.role,
            if h.fcr { "true" } else { "false" },
            &h.non_fcr_signals.join(";"),
            &h.category_id,
            &h.category,
            &format!("{:.3}", h.score),
            &marked(h, false),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_table(found: &Found, ansi: bool, out: &mut impl Write) -> Result<()> {
    if found.hits.is_empty() {
        writeln!(out, "no contact matches")?;
        return Ok(());
    }
    for h in &found.hits {
        let cat = if h.category_id.is_empty() {
            "-".to_string()
        } else {
            format!("{} {}", h.category_id, h.category)
        };
        writeln!(
            out,
            "{}  {}  {:<8} {:<12} {}{}",
            terminal_safe(&h.contact_id),
            h.started_at,
            terminal_safe(&h.channel),
            h.role,
            terminal_safe(&cat),
            if h.fcr { "" } else { "  (not FCR)" }
        )?;
        writeln!(out, "    {}", marked(h, ansi))?;
    }
    writeln!(
        out,
        "\n{} of {} matching contacts shown",
        found.hits.len(),
        found.total
    )?;
    Ok(())
}
