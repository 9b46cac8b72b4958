//! `recontact sample`: a stratified, reproducible sample for quality review.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::index::ContactIndex;
use crate::sample::{self, SampleOptions, Size};
use crate::search;

/// Draw episodes for quality review: per category (default 20 each) or a
/// total split over categories in proportion to their size, each category
/// split further by channel and team. The same seed gives the same sample.
///
/// Writes a CSV with one row per episode: ids, category, every contact of
/// the episode in time order with its text (PII masked) so the reviewer
/// sees the repeat chain, and empty reviewer_verdict / reviewer_note
/// columns to fill in.
///
/// Examples:
///   recontact sample out/sample --out review.csv
///   recontact sample out/sample --total 200 --seed 7 --out review.csv
///   recontact sample out/sample --category CAT-0002 --per-category 50
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output folder of `recontact run` (it holds index/).
    pub dir: PathBuf,
    /// Episodes per category (all of a smaller category).
    #[arg(long, conflicts_with = "total")]
    pub per_category: Option<usize>,
    /// Episodes in all, allocated in proportion to category size (at least
    /// one per category when there are enough).
    #[arg(long)]
    pub total: Option<usize>,
    /// Seed of the draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Only these categories (id, name or unique part of a name); repeatable.
    #[arg(long)]
    pub category: Vec<String>,
    /// Draw from episodes resolved on first contact too (default: only
    /// non-FCR episodes).
    #[arg(long)]
    pub include_fcr: bool,
    /// Write the CSV here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let ix = ContactIndex::open(&args.dir)?;
    let opts = SampleOptions {
        size: match args.total {
            Some(n) => Size::Total(n),
            None => Size::PerCategory(args.per_category.unwrap_or(20)),
        },
        seed: args.seed,
        categories: args
            .category
            .iter()
            .map(|c| search::resolve_category(&ix.meta, c))
            .collect::<Result<_>>()?,
        include_fcr: args.include_fcr,
    };
    let s = sample::draw(&ix, &opts)?;
    match &args.out {
        Some(path) => {
            // Write beside the target, then rename: never half a file.
            let tmp = path.with_extension("csv.tmp");
            let f = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            sample::write_csv(&s, std::io::BufWriter::new(f))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => sample::write_csv(&s, std::io::stdout().lock())?,
    }
    let mut err = std::io::stderr().lock();
    let drawn: usize = s.allocation.iter().map(|a| a.drawn).sum();
    let total: usize = s.allocation.iter().map(|a| a.episodes).sum();
    writeln!(
        err,
        "sampled {drawn} of {total} episodes in {} categories (seed {})",
        s.allocation.len(),
        args.seed
    )?;
    for a in &s.allocation {
        writeln!(
            err,
            "  {:<16} {:>5} of {}",
            a.category_id, a.drawn, a.episodes
        )?;
    }
    Ok(())
}
