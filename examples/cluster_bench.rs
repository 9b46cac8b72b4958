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
use recontact::cluster::{ari, cluster_with, nmi, ClusterParams, GraphOptions, Method};
use recontact::embed::{CandleEmbedder, Embedder, LexicalEmbedder};

const DATA: &str = "../shared/data";

struct Args {
    data: String,
    embedder: String,
    methods: Vec<String>,
    dump_only: bool,
    scale: Option<usize>,
    sample: Option<usize>,
    seed: u64,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        data: "banking77".into(),
        embedder: "candle".into(),
        methods: vec!["leiden".into()],
        dump_only: false,
        scale: None,
        sample: None,
        seed: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = val()?,
            "--embedder" => a.embedder = val()?,
            "--method" => a.methods = val()?.split(',').map(str::to_string).collect(),
            "--dump-only" => a.dump_only = true,
            "--scale" => a.scale = Some(val()?.parse().context("--scale")?),
            "--sample" => a.sample = Some(val()?.parse().context("--sample")?),
            "--seed" => a.seed = val()?.parse().context("--seed")?,
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
            let mut r =
                csv::Reader::from_path(&path).with_context(|| format!("cannot read {path}"))?;
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
            let mut r =
                csv::Reader::from_path(&path).with_context(|| format!("cannot read {path}"))?;
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
            let loc = if data == "massive-zh" {
                "zh-CN"
            } else {
                "he-IL"
            };
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
    Ok(Some(
        floats.chunks(dim.max(1)).map(<[f32]>::to_vec).collect(),
    ))
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

/// Parses `name[:a[:b...]]` into a method; numbers default sensibly:
/// `leiden|louvain[:k (0 = automatic)[:resolution[:exact_limit[:nprobe[:max_graph_nodes[:max_conductance[:merge_cut]]]]]]]`,
/// `kmeans-merge[:points_per_micro[:threshold]]`, `kmeans[:k]` (default: the true k).
fn parse_method(spec: &str, true_k: usize) -> anyhow::Result<Method> {
    let mut parts = spec.split(':');
    let name = parts.next().unwrap_or_default();
    let nums: Vec<f64> = parts
        .map(|x| {
            x.parse::<f64>()
                .with_context(|| format!("bad number in {spec:?}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let num = |i: usize, d: f64| nums.get(i).copied().unwrap_or(d);
    Ok(match name {
        "leiden" | "louvain" => {
            let Method::Leiden {
                graph,
                resolution,
                iterations,
                max_conductance,
                merge_cut,
                ..
            } = Method::default()
            else {
                anyhow::bail!("default method is not Leiden");
            };
            Method::Leiden {
                graph: GraphOptions {
                    k: Some(num(0, 0.0) as usize).filter(|&k| k > 0).or(graph.k),
                    exact_limit: num(2, graph.exact_limit as f64) as usize,
                    nprobe: num(3, graph.nprobe as f64) as usize,
                    max_graph_nodes: num(4, graph.max_graph_nodes as f64) as usize,
                },
                resolution: num(1, resolution),
                refine: name == "leiden",
                iterations,
                max_conductance: num(5, max_conductance),
                merge_cut: num(6, merge_cut),
            }
        }
        "kmeans-merge" => Method::KMeansMerge {
            points_per_micro: num(0, 20.0) as usize,
            threshold: num(1, 0.5),
        },
        "kmeans" => Method::KMeans {
            k: num(0, true_k as f64) as usize,
        },
        other => anyhow::bail!("unknown method {other}"),
    })
}

/// Loads (or embeds and caches) one data set's vectors and gold labels.
fn vectors_for(data: &str, embedder: &str) -> anyhow::Result<(Vec<Vec<f32>>, Vec<usize>)> {
    let (texts, label_names) = load(data)?;
    let path = cache_path(data, embedder);
    let vectors = match read_cache(&path, texts.len())? {
        Some(v) => v,
        None => {
            let e: Box<dyn Embedder> = match embedder {
                "candle" => Box::new(CandleEmbedder::load(&recontact::embed::default_model_dir())?),
                "lexical" => Box::new(LexicalEmbedder::default()),
                other => anyhow::bail!("unknown embedder {other}"),
            };
            let t = Instant::now();
            let v = e.embed(&texts)?;
            println!(
                "embedded {} texts in {:.1} s",
                v.len(),
                t.elapsed().as_secs_f64()
            );
            write_cache(&path, &v)?;
            v
        }
    };
    let mut names: Vec<&String> = label_names.iter().collect();
    names.sort();
    names.dedup();
    let truth: Vec<usize> = label_names
        .iter()
        .map(|l| names.binary_search(&l).unwrap_or(0))
        .collect();
    let lpath = path.with_extension("labels");
    std::fs::write(
        &lpath,
        truth.iter().map(|x| format!("{x}\n")).collect::<String>(),
    )?;
    Ok((vectors, truth))
}

/// `n` vectors for timing: the union and clinc150 (with out-of-scope) sets,
/// then noise-perturbed, re-normalised copies of them.
/// Each copy keeps its source's gold label (the out-of-scope rows share one
/// extra label), so quality can be checked at scale too.
fn synthesize(n: usize, embedder: &str, seed: u64) -> anyhow::Result<(Vec<Vec<f32>>, Vec<usize>)> {
    let (mut base, mut base_truth) = vectors_for("union", embedder)?;
    let oos_label = base_truth.iter().max().map_or(0, |m| m + 1);
    let (oos, _) = vectors_for("clinc150-oos", embedder)?;
    let n_oos = oos.len().saturating_sub(15_000);
    base.extend(oos.into_iter().skip(15_000));
    base_truth.extend(std::iter::repeat_n(oos_label, n_oos));
    let mut out: Vec<Vec<f32>> = base.iter().take(n).cloned().collect();
    let mut truth: Vec<usize> = base_truth.iter().take(n).copied().collect();
    let mut state = seed ^ 0x2545_F491_4F6C_DD1D;
    let mut gauss = move || {
        // Sum of 4 uniforms, centred: close enough to normal for jitter.
        let mut s = 0.0f32;
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s += (state >> 40) as f32 / (1u64 << 24) as f32;
        }
        (s - 2.0) * 1.732
    };
    let mut i = 0;
    while out.len() < n {
        let src = &base[i % base.len()];
        let sigma = 0.35 / (src.len() as f32).sqrt();
        let mut v: Vec<f32> = src.iter().map(|x| x + sigma * gauss()).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm.max(1e-12));
        out.push(v);
        truth.push(base_truth[i % base.len()]);
        i += 1;
    }
    Ok((out, truth))
}

/// Labels with each uncategorised text as its own singleton (an honest
/// NMI/ARI over every text).
fn with_singletons(c: &recontact::cluster::Clustering) -> Vec<usize> {
    let mut next = c.n_categories;
    c.cluster_of
        .iter()
        .map(|l| {
            l.unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// FNV-1a over the labels, to compare runs (thread counts, seeds).
fn digest(labels: &[Option<usize>]) -> u64 {
    labels.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, l| {
        (h ^ l.map_or(u64::MAX, |x| x as u64)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

fn fmt_times(times: &[(&str, f64)]) -> String {
    times
        .iter()
        .map(|(s, t)| format!("{s} {t:.2}s"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() -> anyhow::Result<()> {
    let a = parse_args()?;
    let params = ClusterParams {
        seed: a.seed,
        ..Default::default()
    };
    println!("{} rayon threads", rayon::current_num_threads());
    if let Some(n) = a.scale {
        let (vectors, truth) = synthesize(n, &a.embedder, a.seed)?;
        for m in &a.methods {
            let method = parse_method(m, 0)?;
            let t = Instant::now();
            let (c, times) = cluster_with(&vectors, &params, &method)?;
            let un = c.cluster_of.iter().filter(|l| l.is_none()).count();
            let pred = with_singletons(&c);
            println!(
                "scale n={n} {m}: labels {:016x}, NMI {:.4} ARI {:.4} (vs source labels), {} categories, {:.2}% unassigned, total {:.1}s ({})",
                digest(&c.cluster_of),
                nmi(&pred, &truth),
                ari(&pred, &truth),
                c.n_categories,
                100.0 * un as f64 / n as f64,
                t.elapsed().as_secs_f64(),
                fmt_times(&times)
            );
        }
        return Ok(());
    }
    let (mut vectors, mut truth) = vectors_for(&a.data, &a.embedder)?;
    if a.dump_only {
        return Ok(());
    }
    if let Some(m) = a.sample {
        // A seeded random subset (Fisher–Yates with an xorshift generator).
        let mut idx: Vec<usize> = (0..vectors.len()).collect();
        let mut state = a.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for i in (1..idx.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            idx.swap(i, (state % (i as u64 + 1)) as usize);
        }
        idx.truncate(m);
        idx.sort_unstable();
        vectors = idx.iter().map(|&i| vectors[i].clone()).collect();
        truth = idx.iter().map(|&i| truth[i]).collect();
    }
    let true_k = truth.iter().max().map_or(0, |m| m + 1);
    println!(
        "{}: {} texts, {} labels, embedder {}",
        a.data,
        vectors.len(),
        true_k,
        a.embedder
    );
    for m in &a.methods {
        let method = parse_method(m, true_k)?;
        let t = Instant::now();
        let (c, times) = cluster_with(&vectors, &params, &method)?;
        let secs = t.elapsed().as_secs_f64();
        let pred = with_singletons(&c);
        let un = c.cluster_of.iter().filter(|l| l.is_none()).count();
        let digest = digest(&c.cluster_of);
        println!(
            "{:<28} labels {digest:016x}  NMI {:.4}  ARI {:.4}  categories {:>4}  unassigned {:>5.2}%  {:.2}s ({})",
            m,
            nmi(&pred, &truth),
            ari(&pred, &truth),
            c.n_categories,
            100.0 * un as f64 / vectors.len().max(1) as f64,
            secs,
            fmt_times(&times)
        );
    }
    Ok(())
}
