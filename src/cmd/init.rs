//! `recontact init`: a `recontact.toml` proposed from an export's header.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::ingest::{peek, propose};
use crate::model::Failure;

/// Propose the config for an export: reads its header and first rows (CSV,
/// TSV, JSON Lines, Excel/OpenDocument, Parquet), maps its headers onto the
/// contract columns (the names Zendesk, Salesforce, Genesys, Five9,
/// Freshdesk, Udesk, 智齿 and similar exports use, in English, Chinese and
/// Hebrew), detects the delimiter, the encoding, the date format and the
/// time zone where the data says them, and writes a commented
/// recontact.toml. Every required column it cannot find is listed at once;
/// the file is then written with a line to fill in for each, and the exit
/// code is 3.
///
/// Examples:
///   recontact init exports/cases.csv
///   recontact init calls.xlsx --sheet Calls --out centre/recontact.toml
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The export file.
    pub export: PathBuf,
    /// Where to write the config.
    #[arg(long, short, default_value = "recontact.toml")]
    pub out: PathBuf,
    /// A workbook's sheet [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Replace an existing config file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> Result<()> {
    if args.out.exists() && !args.force {
        bail!(
            "{} exists: pass --force to replace it, or --out another file",
            args.out.display()
        );
    }
    let look = peek(&args.export, args.sheet.as_deref()).context(Failure::InputUnreadable)?;
    let p = propose(&look);
    let export = args.export.display().to_string();
    let text = p.to_toml(&export, &args.out.display().to_string());
    write_new(&args.out, &text)?;

    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{export}: {}{}, {} columns, {} rows looked at",
        look.format,
        look.delimiter
            .map(|d| format!(" (delimiter {:?})", d))
            .unwrap_or_default(),
        look.header.len(),
        look.rows.len()
    )?;
    for (c, h) in &p.columns {
        writeln!(o, "  {c:<16} ← {h}")?;
    }
    if let Some(z) = &p.timezone {
        writeln!(o, "  timezone         {z} ({})", p.timezone_note)?;
    }
    if let Some(f) = &p.date_format {
        writeln!(o, "  date_format      {f}")?;
    }
    if let Some(e) = &p.encoding {
        writeln!(o, "  encoding         {e}")?;
    }
    writeln!(o, "wrote {}", args.out.display())?;
    drop(o);
    if !p.missing.is_empty() {
        // The wrong sheet of a workbook is the likeliest cause.
        let other_sheets = match &look.sheet {
            Some(s) if look.sheets.len() > 1 => format!(
                "; this is sheet '{s}' of {}: choose the export's with --sheet",
                look.sheets.join(", ")
            ),
            _ => String::new(),
        };
        let err = anyhow::anyhow!(
            "{export}: no header found for the required column{} {} (its headers: {}); fill {} in {}{other_sheets}",
            if p.missing.len() > 1 { "s" } else { "" },
            p.missing.join(", "),
            look.header.join(", "),
            if p.missing.len() > 1 { "them" } else { "it" },
            args.out.display()
        );
        return Err(err.context(Failure::InputUnreadable));
    }
    if !p.date_choices.is_empty() {
        bail!(
            "{export}: {}; uncomment one date_format line in {}",
            p.date_note,
            args.out.display()
        );
    }
    println!(
        "next: recontact run {export} --config {}",
        args.out.display()
    );
    Ok(())
}

/// Writes `text` to `path` through a temporary file beside it, so a failed
/// write never leaves half a config.
fn write_new(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let tmp = path.with_extension(format!("toml.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
