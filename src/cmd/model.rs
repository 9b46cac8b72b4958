//! `recontact model`: model-folder tools (for now: `import`, for the
//! optional rust-bert embedder).

use std::path::PathBuf;

use anyhow::Result;

/// Model-folder tools.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: ModelCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ModelCommand {
    Import(ImportArgs),
}

/// Convert a Hugging Face sentence-transformers folder into rust-bert's
/// layout, for the rust-bert embedder (needs a binary built with
/// `--features rust-bert`; see docs/rust-bert.md).
///
/// Reads SRC_DIR's config.json, model.safetensors, modules.json, pooling
/// (and dense) module folders, sentence_bert_config.json and tokenizer files
/// (vocab.txt, or tokenizer.json for BERT); writes DEST_DIR/rust_model.ot
/// (libtorch weights, renamed as rust-bert expects) beside copies of the
/// files rust-bert's loader opens. No Python needed.
///
/// Example: recontact model import models/all-MiniLM-L6-v2 target/rust-bert-model
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// Hugging Face sentence-transformers model folder.
    pub src_dir: PathBuf,
    /// Output folder (created if missing; files in it are overwritten).
    pub dest_dir: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        ModelCommand::Import(a) => import(a),
    }
}

#[cfg(feature = "rust-bert")]
fn import(a: ImportArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let report = crate::embed::import_model(&a.src_dir, &a.dest_dir)?;
    println!(
        "imported {} ({}, {} tensors) into {} in {:.1}s:",
        a.src_dir.display(),
        report.model_type,
        report.tensors,
        a.dest_dir.display(),
        started.elapsed().as_secs_f64()
    );
    for f in &report.files {
        println!("  {}", f.display());
    }
    Ok(())
}

#[cfg(not(feature = "rust-bert"))]
fn import(a: ImportArgs) -> Result<()> {
    let _ = a;
    anyhow::bail!(
        "`recontact model import` needs the rust-bert embedder, and this binary was built \
         without `--features rust-bert` (rebuild with `cargo build --release --features \
         rust-bert` against libtorch; see docs/rust-bert.md)"
    )
}
