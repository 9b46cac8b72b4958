//! `recontact history`: the months a `--history` dataset holds.

use std::path::PathBuf;

use anyhow::Result;

use crate::history;

/// Print a history dataset (`recontact run --history DIR`): FCR by month,
/// then each theme's extra contacts month by month, latest month's
/// biggest first (`·`: the theme did not appear). Theme ids carry over
/// from month to month: each run continues the dataset's latest earlier
/// month (or `--previous`).
///
/// Examples:
///   recontact history history/
///   recontact history history/ --months 6 --top 40
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The dataset folder.
    pub dir: PathBuf,
    /// The last N months.
    #[arg(long, default_value_t = 12)]
    pub months: usize,
    /// The N themes with the most extra contacts in the latest month.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

pub fn run(args: Args) -> Result<()> {
    let h = history::read(&args.dir)?;
    print!("{}", history::render(&h, args.months, args.top));
    Ok(())
}
