//! Query latency on a run's contact index: a fixed set of queries (words,
//! phrases, Chinese and Hebrew words, field queries, and the same with the
//! filters quality teams use), each run several times through
//! `recontact::search::search` exactly as `recontact search` runs it
//! (top 20 with snippets). Prints p50/p99 per query kind.
//!
//!   cargo run --release --example query_bench -- OUT_DIR [--repeat 20]

use std::time::Instant;

use anyhow::{Context, Result};
use recontact::index::ContactIndex;
use recontact::search::{self, Filters};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .context("usage: query_bench OUT_DIR [--repeat N]")?;
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20);
    let t = Instant::now();
    let ix = ContactIndex::open(std::path::Path::new(dir))?;
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let from = search::parse_when(&ix.meta.data_start[..10], ix.timezone, false)?;
    let to = from + 7 * 86_400;
    let first_category = ix.meta.categories.first().map(|c| c.category_id.clone());
    let queries = [
        "card",
        "refund",
        "\"top up\"",
        "card arrived",
        "exchange rate OR fee",
        "customer:refund",
        "agent:transfer",
        "退款",
        "闹钟",
        "כרטיס",
        "channel:chat AND card",
        "*",
    ];
    let plain = Filters::default();
    let filtered = Filters {
        non_fcr: true,
        channels: vec!["chat".into(), "phone".into()],
        from: Some(from),
        to: Some(to),
        categories: first_category.into_iter().collect(),
        ..Filters::default()
    };
    let repeat_only = Filters {
        non_fcr: true,
        repeat_only: true,
        ..Filters::default()
    };
    println!(
        "index {dir}: {} contacts, opened in {open_ms:.1} ms; {} queries × {repeat}",
        ix.meta.contacts,
        queries.len()
    );
    println!("| kind | queries | runs | p50 ms | p99 ms | max ms | mean hits |");
    println!("|---|---|---|---|---|---|---|");
    for (kind, filters) in [
        ("plain", &plain),
        (
            "filtered (non-FCR, category, 2 channels, 7 days)",
            &filtered,
        ),
        ("non-FCR repeats", &repeat_only),
    ] {
        let mut times = Vec::new();
        let mut hits = 0usize;
        // One untimed pass: the first touch of each file is disk, not search.
        for q in queries {
            search::search(&ix, q, filters, 20)?;
        }
        for _ in 0..repeat {
            for q in queries {
                let t = Instant::now();
                let found = search::search(&ix, q, filters, 20)?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                hits += found.total;
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {kind} | {} | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
            queries.len(),
            times.len(),
            percentile(&times, 50.0),
            percentile(&times, 99.0),
            times.last().copied().unwrap_or(f64::NAN),
            hits as f64 / times.len().max(1) as f64
        );
    }
    Ok(())
}
