//! `recontact eval`: scores an output folder against a truth file.

use std::path::PathBuf;

use anyhow::Result;

/// Score a run's output folder against truth: FCR-rate error, B-cubed
/// precision/recall/F1 of episode linking, non-FCR detection F1.
///
/// The truth file has one row per contact with at least contact_id,
/// episode_id and episode_fcr (true/false), as the sample generator writes.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Truth CSV (e.g. data/sample.truth.csv).
    #[arg(long)]
    pub truth: PathBuf,
    /// Output folder of `recontact run`.
    pub dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Score only the contacts the truth's `language` column puts in this
    /// language (e.g. zh): how a language's customers fare in a mixed month.
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    let s = crate::eval::score(&args.dir, &args.truth, args.language.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_else(|| "n/a".into());
    println!("contacts scored        {}", s.contacts_scored);
    if s.contacts_missing_in_output + s.contacts_not_in_truth > 0 {
        println!(
            "  missing in output    {}   not in truth {}",
            s.contacts_missing_in_output, s.contacts_not_in_truth
        );
    }
    println!(
        "FCR rate               predicted {}  true {}  error {}",
        opt(s.predicted_fcr_rate),
        opt(s.true_fcr_rate),
        opt(s.fcr_rate_error)
    );
    println!(
        "episodes               predicted {}  true {}",
        s.predicted_episodes, s.true_episodes
    );
    println!(
        "linking B-cubed        precision {:.4}  recall {:.4}  F1 {:.4}",
        s.bcubed_precision, s.bcubed_recall, s.bcubed_f1
    );
    println!(
        "non-FCR detection      precision {:.4}  recall {:.4}  F1 {:.4}",
        s.non_fcr_precision, s.non_fcr_recall, s.non_fcr_f1
    );
    for (what, c) in [("categories", &s.categories), ("themes", &s.themes)] {
        if let Some(c) = c {
            println!(
                "{what:<22} {} predicted, {} true, over {} truly non-FCR episodes (coverage {:.4})",
                c.predicted_categories, c.true_categories, c.episodes_scored, c.coverage
            );
            println!(
                "  NMI {:.4}  ARI {:.4}  top-10 hits {}/10  #1 purity {:.4}",
                c.nmi, c.ari, c.top10_hits, c.top1_purity
            );
            println!("  NMI with the uncategorised as one group {:.4}", c.nmi_all);
        }
    }
    if let Some(n) = &s.names {
        println!(
            "names said by members  themes {:.4} ({} of {} by < {:.0} %)  categories {:.4} ({} of {})",
            n.themes_said_by,
            n.themes_few_say,
            n.themes,
            crate::eval::FEW_SAY_IT * 100.0,
            n.categories_said_by,
            n.categories_few_say,
            n.categories
        );
    }
    Ok(())
}
