//! Clustering quality and speed on labelled public intent data.
//!
//! ```text
//! cargo run --release --example cluster_bench -- --data banking77|clinc150|clinc150-oos|massive-zh|massive-he
//!     --embedder candle|lexical [--method auto|...] [--dump-only]
//! ```
//!
//! Embeddings are cached under `target/cluster-cache/` (raw little-endian
//! f32, `n` and `dim` in an 8-byte header) so clustering can be iterated on
//! without re-embedding.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use recontact::embed::{CandleEmbedder, Embedder, LexicalEmbedder};

const DATA: &str = "../shared/data";

struct Args {
    data: String,
    embedder: String,
    dump_only: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        data: "banking77".into(),
        embedder: "candle".into(),
        dump_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = val()?,
            "--embedder" => a.embedder = val()?,
            "--dump-only" => a.dump_only = true,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

/// Texts and their gold label names.
fn load(data: &str) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    match data {
        "banking77" => {
            let path = format!("{DATA}/banking77/train.csv");
            let mut r = csv::Reader::from_path(&path).with_context(|| format!("cannot read {path}"))?;
            for rec in r.records() {
                let rec = rec.with_context(|| format!("{path}: bad row"))?;
                texts.push(rec.get(0).unwrap_or_default().to_string());
                labels.push(rec.get(1).unwrap_or_default().to_string());
            }
        }
        "clinc150" | "clinc150-oos" => {
            let path = format!("{DATA}/clinc150/data_full.json");
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            let mut splits = vec!["train"];
            if data == "clinc150-oos" {
                splits.push("oos_train");
                splits.push("oos_val");
                splits.push("oos_test");
            }
            for s in splits {
                for row in v[s].as_array().with_context(|| format!("{path}: no {s}"))? {
                    texts.push(row[0].as_str().unwrap_or_default().to_string());
                    labels.push(row[1].as_str().unwrap_or_default().to_string());
                }
            }
        }
        "union" => {
            // Every labelled English row: banking77 train + test and all
            // in-scope clinc150 splits (227 labels), for scale checks.
            for part in ["banking77", "banking77-test", "clinc150-all"] {
                let (t, l) = load(part)?;
                texts.extend(t);
                labels.extend(l);
            }
        }
        "banking77-test" => {
            let path = format!("{DATA}/banking77/test.csv");
            let mut r = csv::Reader::from_path(&path).with_context(|| format!("cannot read {path}"))?;
            for rec in r.records() {
                let rec = rec.with_context(|| format!("{path}: bad row"))?;
                texts.push(rec.get(0).unwrap_or_default().to_string());
                labels.push(rec.get(1).unwrap_or_default().to_string());
            }
        }
        "clinc150-all" => {
            let path = format!("{DATA}/clinc150/data_full.json");
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            for s in ["train", "val", "test"] {
                for row in v[s].as_array().with_context(|| format!("{path}: no {s}"))? {
                    texts.push(row[0].as_str().unwrap_or_default().to_string());
                    labels.push(row[1].as_str().unwrap_or_default().to_string());
                }
            }
        }
        "massive-zh" | "massive-he" => {
            let loc = if data == "massive-zh" { "zh-CN" } else { "he-IL" };
            let path = format!("{DATA}/massive_zh_he/{loc}.labelled.jsonl");
            for line in std::fs::read_to_string(&path)?.lines() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line)?;
                texts.push(v["utt"].as_str().unwrap_or_default().to_string());
                labels.push(v["intent"].as_str().unwrap_or_default().to_string());
            }
        }
        other => anyhow::bail!("unknown data set {other}"),
    }
    Ok((texts, labels))
}

fn cache_path(data: &str, embedder: &str) -> PathBuf {
    PathBuf::from(format!("target/cluster-cache/{data}.{embedder}.f32"))
}

fn read_cache(path: &Path, n: usize) -> anyhow::Result<Option<Vec<Vec<f32>>>> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    anyhow::ensure!(buf.len() >= 8, "short cache file");
    let rows = u32::from_le_bytes(buf[0..4].try_into()?) as usize;
    let dim = u32::from_le_bytes(buf[4..8].try_into()?) as usize;
    if rows != n || buf.len() != 8 + rows * dim * 4 {
        return Ok(None);
    }
    let floats: Vec<f32> = buf[8..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Some(floats.chunks(dim.max(1)).map(<[f32]>::to_vec).collect()))
}

fn write_cache(path: &Path, v: &[Vec<f32>]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let dim = v.first().map_or(0, Vec::len);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&(v.len() as u32).to_le_bytes())?;
    f.write_all(&(dim as u32).to_le_bytes())?;
    for row in v {
        for x in row {
            f.write_all(&x.to_le_bytes())?;
        }
    }
    f.flush()?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let a = parse_args()?;
    let (texts, label_names) = load(&a.data)?;
    let path = cache_path(&a.data, &a.embedder);
    let t = Instant::now();
    let vectors = match read_cache(&path, texts.len())? {
        Some(v) => v,
        None => {
            let e: Box<dyn Embedder> = match a.embedder.as_str() {
                "candle" => Box::new(CandleEmbedder::load(&recontact::embed::default_model_dir())?),
                "lexical" => Box::new(LexicalEmbedder::default()),
                other => anyhow::bail!("unknown embedder {other}"),
            };
            let v = e.embed(&texts)?;
            write_cache(&path, &v)?;
            v
        }
    };
    println!("{} texts embedded/loaded in {:.1} s", vectors.len(), t.elapsed().as_secs_f64());
    let mut names: Vec<&String> = label_names.iter().collect();
    names.sort();
    names.dedup();
    let truth: Vec<usize> = label_names
        .iter()
        .map(|l| names.binary_search(&l).unwrap_or(0))
        .collect();
    let lpath = path.with_extension("labels");
    std::fs::write(&lpath, truth.iter().map(|x| format!("{x}\n")).collect::<String>())?;
    if a.dump_only {
        return Ok(());
    }
    Ok(())
}
