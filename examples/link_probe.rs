//! Same-issue probe (a bench tool): the similarity of one customer's contact
//! pairs under several texts, to compare what separates same-issue pairs
//! best. Input from `bench/link_pairs.py`; columns: whole linking reason,
//! cleaned reason, shared clauses, best sentence pair, the remainders
//! (`apart`), clause-mean vectors.
//!
//! ```text
//! cargo run --release --example link_probe -- TEXTS.jsonl PAIRS.csv OUT.csv
//! ```
use std::collections::HashMap;
use std::io::{BufRead, Write};

use recontact::embed::{CandleEmbedder, Embedder};
use recontact::text::reason::{contact_reason, linking_reason};

fn sentences(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in s.chars() {
        cur.push(ch);
        if matches!(
            ch,
            '.' | '!' | '?' | '。' | '！' | '？' | ',' | '，' | ';' | '；' | '\n'
        ) {
            let t = cur.trim().to_string();
            if t.chars().any(|c| c.is_alphanumeric()) {
                out.push(t);
            }
            cur.clear();
        }
    }
    let t = cur.trim().to_string();
    if t.chars().any(|c| c.is_alphanumeric()) {
        out.push(t);
    }
    out
}

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let [_, texts_path, pairs_path, out_path] = a.as_slice() else {
        anyhow::bail!("usage: link_probe TEXTS.jsonl PAIRS.csv OUT.csv");
    };
    let e = CandleEmbedder::load(&recontact::embed::default_model_dir())?;
    let mut ids = Vec::new();
    let mut raw = Vec::new();
    for l in std::io::BufReader::new(std::fs::File::open(texts_path)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&l?)?;
        ids.push(v["id"].as_str().unwrap().to_string());
        raw.push(v["text"].as_str().unwrap().to_string());
    }
    let idx: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let full: Vec<String> = raw.iter().map(|t| linking_reason(t)).collect();
    let clean: Vec<String> = raw
        .iter()
        .map(|t| contact_reason(t).replace('\n', " "))
        .collect();
    let sents: Vec<Vec<String>> = full.iter().map(|t| sentences(t)).collect();
    // every distinct sentence embedded once
    let mut sent_ix: HashMap<String, usize> = HashMap::new();
    let mut sent_list: Vec<String> = Vec::new();
    for ss in &sents {
        for s in ss {
            sent_ix.entry(s.clone()).or_insert_with(|| {
                sent_list.push(s.clone());
                sent_list.len() - 1
            });
        }
    }
    eprintln!(
        "embedding {} + {} + {} texts",
        full.len(),
        clean.len(),
        sent_list.len()
    );
    let vf = e.embed(&full)?;
    let vc = e.embed(&clean)?;
    let vs = e.embed(&sent_list)?;
    let cos = recontact::embed::cosine;
    let mut rdr = csv::Reader::from_path(pairs_path)?;
    let dim = vs[0].len();
    let mean = |cl: &[&String]| -> Vec<f32> {
        let mut v = vec![0f32; dim];
        for c in cl {
            let w = (c.chars().count() as f32).sqrt();
            for (a, b) in v.iter_mut().zip(&vs[sent_ix[*c]]) {
                *a += w * b;
            }
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        v.iter().map(|x| x / n).collect()
    };
    let mut rest_texts: Vec<(usize, String, String)> = Vec::new();
    let mut rows = Vec::new();
    let mut cm: Vec<(f32, f32)> = Vec::new();
    for (k, r) in rdr.records().enumerate() {
        let r = r?;
        let (i, j) = (idx[&r[0]], idx[&r[1]]);
        let same = r[2].to_string();
        let lang = r[3].to_string();
        let sf = cos(&vf[i], &vf[j]);
        let sc = cos(&vc[i], &vc[j]);
        // sentence max over pairs of *different* sentences; identical ones noted
        let (ka, kb): (Vec<String>, Vec<String>) = (
            sents[i].iter().map(|s| key(s)).collect(),
            sents[j].iter().map(|s| key(s)).collect(),
        );
        let shared = ka.iter().filter(|x| kb.contains(x)).count();
        let mut smax = 0f32;
        for (x, kx) in sents[i].iter().zip(&ka) {
            for (y, ky) in sents[j].iter().zip(&kb) {
                if kx == ky {
                    continue;
                }
                smax = smax.max(cos(&vs[sent_ix[x]], &vs[sent_ix[y]]));
            }
        }
        let ra: Vec<&String> = sents[i]
            .iter()
            .zip(&ka)
            .filter(|(_, k)| !kb.contains(k))
            .map(|(s, _)| s)
            .collect();
        let rb: Vec<&String> = sents[j]
            .iter()
            .zip(&kb)
            .filter(|(_, k)| !ka.contains(k))
            .map(|(s, _)| s)
            .collect();
        if shared > 0 && !ra.is_empty() && !rb.is_empty() {
            rest_texts.push((
                k,
                ra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
                rb.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
            ));
        }
        let all_a: Vec<&String> = sents[i].iter().collect();
        let all_b: Vec<&String> = sents[j].iter().collect();
        let cmf = if all_a.is_empty() || all_b.is_empty() {
            0.0
        } else {
            cos(&mean(&all_a), &mean(&all_b))
        };
        let cmr = if ra.is_empty() || rb.is_empty() || shared == 0 {
            cmf
        } else {
            cos(&mean(&ra), &mean(&rb))
        };
        cm.push((cmf, cmr));
        rows.push((
            r[0].to_string(),
            r[1].to_string(),
            same,
            lang,
            sf,
            sc,
            shared,
            smax,
            ra.is_empty() || rb.is_empty(),
        ));
    }
    let la: Vec<String> = rest_texts.iter().map(|x| x.1.clone()).collect();
    let lb: Vec<String> = rest_texts.iter().map(|x| x.2.clone()).collect();
    let va = e.embed(&la)?;
    let vb = e.embed(&lb)?;
    let mut rest = vec![f32::NAN; rows.len()];
    for (n, (k, _, _)) in rest_texts.iter().enumerate() {
        rest[*k] = cos(&va[n], &vb[n]);
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    writeln!(
        w,
        "a,b,same,lang,full,clean,shared,sentmax,rest_empty,rest,cmf,cmr"
    )?;
    for (k, r) in rows.iter().enumerate() {
        writeln!(
            w,
            "{},{},{},{},{:.4},{:.4},{},{:.4},{},{:.4},{:.4},{:.4}",
            r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, rest[k], cm[k].0, cm[k].1
        )?;
    }
    // dump the texts for reading
    let mut t = std::io::BufWriter::new(std::fs::File::create(format!("{out_path}.texts.tsv"))?);
    for (i, id) in ids.iter().enumerate() {
        writeln!(
            t,
            "{}\t{}\t{}",
            id,
            full[i].replace('\t', " "),
            clean[i].replace('\t', " ")
        )?;
    }
    Ok(())
}
