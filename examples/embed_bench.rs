//! Embedding throughput, side by side in one run.
//!
//! ```text
//! cargo run --release --example embed_bench -- [--model DIR] [--csv FILE] [--n 2000]
//!     [--backends fused,candle,candle-par,lexical] [--batch-tokens 1024,2048,4096]
//!     [--batch-sizes 16,32,64] [--repeats 3] [--dump PREFIX]
//! ```
//!
//! Reads the first column (`text`) of a CSV (default: the first 2,000 rows
//! of `../shared/data/banking77/train.csv`), embeds the texts with each
//! configuration and prints texts/s (best of `--repeats`, after a warm-up).
//! `--dump PREFIX` writes each backend's vectors (first configuration only)
//! to `PREFIX.BACKEND.f32` as little-endian f32, row after row, for
//! comparing with sentence-transformers.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use recontact::embed::{Backend, CandleEmbedder, CandleOptions, Embedder, LexicalEmbedder};

struct Args {
    model: PathBuf,
    csv: PathBuf,
    n: usize,
    backends: Vec<String>,
    batch_tokens: Vec<usize>,
    batch_sizes: Vec<usize>,
    repeats: usize,
    dump: Option<PathBuf>,
}

fn list<T: std::str::FromStr>(s: &str) -> anyhow::Result<Vec<T>> {
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<T>()
                .map_err(|_| anyhow::anyhow!("bad list item {x:?}"))
        })
        .collect()
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        model: recontact::embed::default_model_dir(),
        csv: PathBuf::from("../shared/data/banking77/train.csv"),
        n: 2000,
        backends: vec!["fused".into()],
        batch_tokens: vec![CandleOptions::default().batch_tokens],
        batch_sizes: vec![32],
        repeats: 3,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--model" => a.model = PathBuf::from(val()?),
            "--csv" => a.csv = PathBuf::from(val()?),
            "--n" => a.n = val()?.parse().context("--n")?,
            "--backends" => a.backends = val()?.split(',').map(str::to_string).collect(),
            "--batch-tokens" => a.batch_tokens = list(&val()?)?,
            "--batch-sizes" => a.batch_sizes = list(&val()?)?,
            "--repeats" => a.repeats = val()?.parse().context("--repeats")?,
            "--dump" => a.dump = Some(PathBuf::from(val()?)),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

fn read_texts(path: &PathBuf, n: usize) -> anyhow::Result<Vec<String>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for rec in r.records().take(n) {
        let rec = rec.with_context(|| format!("{}: bad CSV row", path.display()))?;
        out.push(rec.get(0).unwrap_or_default().to_string());
    }
    Ok(out)
}

/// CPU seconds (user + system) this process has used so far, from
/// /proc/self/stat (Linux); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0) // USER_HZ is 100 on Linux
}

fn bench(
    label: &str,
    e: &dyn Embedder,
    texts: &[String],
    repeats: usize,
) -> anyhow::Result<Vec<Vec<f32>>> {
    e.embed(&texts[..texts.len().min(64)])?; // warm-up
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut out = Vec::new();
    for _ in 0..repeats.max(1) {
        let c = cpu_seconds();
        let t = Instant::now();
        out = e.embed(texts)?;
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
    }
    // CPU time is less disturbed than wall time when other work shares the
    // machine; texts per CPU-second is reported beside texts/s.
    println!(
        "{label:<44} {:>8.1} texts/s  ({} texts in {:.3} s wall, {:.2} s cpu = {:.1} texts/cpu-s, dim {})",
        texts.len() as f64 / best,
        texts.len(),
        best,
        best_cpu,
        texts.len() as f64 / best_cpu,
        e.dim()
    );
    Ok(out)
}

fn dump(prefix: &Option<PathBuf>, backend: &str, v: &[Vec<f32>]) -> anyhow::Result<()> {
    let Some(prefix) = prefix else {
        return Ok(());
    };
    let path = PathBuf::from(format!("{}.{backend}.f32", prefix.display()));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for row in v {
        for x in row {
            f.write_all(&x.to_le_bytes())?;
        }
    }
    f.flush()?;
    println!("wrote {} vectors to {}", v.len(), path.display());
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let a = parse_args()?;
    let texts = read_texts(&a.csv, a.n)?;
    println!(
        "{} texts from {}; {} rayon threads",
        texts.len(),
        a.csv.display(),
        rayon::current_num_threads()
    );
    for backend in &a.backends {
        match backend.as_str() {
            "fused" => {
                for &bt in &a.batch_tokens {
                    let opts = CandleOptions {
                        batch_tokens: bt,
                        ..Default::default()
                    };
                    let e = CandleEmbedder::load_with(&a.model, opts)?;
                    if bt == a.batch_tokens[0] {
                        let ids = e.tokenize(&texts)?;
                        let tokens: usize = ids.iter().map(Vec::len).sum();
                        println!(
                            "tokens: {tokens} ({:.1} per text)",
                            tokens as f64 / texts.len().max(1) as f64
                        );
                    }
                    let v = bench(
                        &format!("{} fused batch_tokens={bt}", e.name()),
                        &e,
                        &texts,
                        a.repeats,
                    )?;
                    if bt == a.batch_tokens[0] {
                        dump(&a.dump, backend, &v)?;
                    }
                }
            }
            "candle" | "candle-par" => {
                for &bs in &a.batch_sizes {
                    let opts = CandleOptions {
                        backend: Backend::Candle,
                        batch_size: bs,
                        candle_parallel_batches: backend == "candle-par",
                        ..Default::default()
                    };
                    let e = CandleEmbedder::load_with(&a.model, opts)?;
                    let v = bench(
                        &format!("{} {backend} batch_size={bs}", e.name()),
                        &e,
                        &texts,
                        a.repeats,
                    )?;
                    if bs == a.batch_sizes[0] {
                        dump(&a.dump, backend, &v)?;
                    }
                }
            }
            "lexical" => {
                let e = LexicalEmbedder::default();
                let v = bench("lexical", &e, &texts, a.repeats)?;
                dump(&a.dump, backend, &v)?;
            }
            other => anyhow::bail!("unknown backend {other}"),
        }
    }
    Ok(())
}
