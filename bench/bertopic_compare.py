#!/usr/bin/env python3
"""BERTopic side by side with recontact on the same texts (bench/bertopic.sh).

Texts: every row of OUT_DIR/episodes.csv with a non-empty contact_reason
(the reason text recontact extracted and clustered). True label: the truth
`category` of the episode's first_contact_id. Groupings scored:

- recontact themes (theme_id) and categories (category_id): empty = not
  assigned, each its own singleton;
- BERTopic topics, fitted here on the same texts with the same embedding
  model (default: the repo's models/all-MiniLM-L6-v2, read from disk) and
  BERTopic's defaults (UMAP + HDBSCAN, min_topic_size 10), UMAP's
  random_state fixed; topic -1 (outliers) = not assigned, singletons.

Scores: NMI (scikit-learn, arithmetic) and ARI over every text (unassigned
as singletons, as `recontact cluster-eval` counts them), the same over the
assigned texts only (as `recontact eval` scores categories), the number of
groups (singletons/outliers excluded), the unassigned share and the purity
of the largest group; overall and per truth `language`. Prints a markdown
table; --json FILE also writes the figures.
"""

import argparse
import collections
import csv
import json
import os
import sys
import time

T_START = time.perf_counter()
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_texts(out_dir, truth_csv):
    truth = {}
    with open(truth_csv, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            truth[r["contact_id"]] = r
    rows, missing = [], 0
    with open(os.path.join(out_dir, "episodes.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            text = (r.get("contact_reason") or "").strip()
            if not text:
                continue
            t = truth.get(r["first_contact_id"])
            if t is None:
                missing += 1
                continue
            rows.append({
                "episode_id": r["episode_id"],
                "first_contact_id": r["first_contact_id"],
                "text": text,
                "theme": r.get("theme_id") or None,
                "category": r.get("category_id") or None,
                "label": t["category"],
                "language": t.get("language") or "?",
                "true_fcr": t.get("episode_fcr"),
            })
    return rows, missing


def load_embedder(path):
    from sentence_transformers import SentenceTransformer

    if os.path.isfile(os.path.join(path, "modules.json")):
        try:
            return SentenceTransformer(path, device="cpu"), "sentence-transformers folder"
        except Exception as e:  # a folder with a partial sentence-transformers layout
            print(f"note: loading {path} as a sentence-transformers folder failed ({e}); "
                  "building Transformer + mean Pooling + Normalize", file=sys.stderr)
    from sentence_transformers import models

    word = models.Transformer(path)
    dim = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pool = models.Pooling(dim(), pooling_mode="mean")
    return (SentenceTransformer(modules=[word, pool, models.Normalize()], device="cpu"),
            "Transformer + mean Pooling + Normalize")


def run_bertopic(texts, model_dir, seed, min_topic_size, batch_size):
    t0 = time.perf_counter()
    import bertopic
    import sentence_transformers  # noqa: F401 (torch, transformers)
    from bertopic import BERTopic
    from umap import UMAP

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder, how = load_embedder(model_dir)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    emb = embedder.encode(texts, batch_size=batch_size, show_progress_bar=False,
                          convert_to_numpy=True)
    t_embed = time.perf_counter() - t0
    # BERTopic's default UMAP, with random_state fixed (this makes UMAP
    # single-threaded, as its docs say).
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                      low_memory=False, random_state=seed)
    topic_model = BERTopic(embedding_model=embedder, umap_model=umap_model,
                           min_topic_size=min_topic_size)
    t0 = time.perf_counter()
    topics, _ = topic_model.fit_transform(texts, embeddings=emb)
    t_fit = time.perf_counter() - t0
    info = {
        "bertopic_version": bertopic.__version__,
        "model": model_dir,
        "model_loaded_as": how,
        "embedding_dim": int(emb.shape[1]),
        "seed": seed,
        "min_topic_size": min_topic_size,
        "import_secs": round(t_import, 2),
        "load_secs": round(t_load, 2),
        "embed_secs": round(t_embed, 2),
        "fit_secs": round(t_fit, 2),
        "wall_secs": round(t_load + t_embed + t_fit, 2),
    }
    try:
        import torch
        info["torch_version"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    try:
        import sentence_transformers
        info["sentence_transformers_version"] = sentence_transformers.__version__
    except ImportError:
        pass
    return [None if t == -1 else f"T{t}" for t in topics], info


def score(groups, labels):
    """groups: group id or None (unassigned) per text; labels: true label."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    n = len(groups)
    if n == 0:
        return None
    ids, nxt, pred = {}, 0, []
    for g in groups:
        if g is None:  # each unassigned text is its own singleton
            pred.append(f"\0singleton{nxt}")
            nxt += 1
        else:
            pred.append(g)
    assigned = [(g, l) for g, l in zip(groups, labels) if g is not None]
    sizes = collections.Counter(g for g, _ in assigned)
    out = {
        "texts": n,
        "true_labels": len(set(labels)),
        "nmi": normalized_mutual_info_score(labels, pred, average_method="arithmetic"),
        "ari": adjusted_rand_score(labels, pred),
        "groups": len(sizes),
        "unassigned_share": (n - len(assigned)) / n,
        "largest_group": None,
        "largest_group_size": 0,
        "largest_group_purity": None,
        "nmi_assigned": None,
        "ari_assigned": None,
    }
    if assigned:
        big, size = min(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
        top = collections.Counter(l for g, l in assigned if g == big).most_common(1)[0][1]
        out.update(largest_group=big, largest_group_size=size,
                   largest_group_purity=top / size)
        a_pred, a_lab = [g for g, _ in assigned], [l for _, l in assigned]
        out["nmi_assigned"] = normalized_mutual_info_score(a_lab, a_pred, average_method="arithmetic")
        out["ari_assigned"] = adjusted_rand_score(a_lab, a_pred)
    for k in ("nmi", "ari", "unassigned_share", "largest_group_purity", "nmi_assigned", "ari_assigned"):
        if out[k] is not None:
            out[k] = round(float(out[k]), 4)
    return out


def fmt(x, pct=False):
    if x is None:
        return "–"
    if pct:
        return f"{100 * x:.1f}%"
    return f"{x:.4f}" if isinstance(x, float) else str(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="output folder of `recontact run`")
    ap.add_argument("truth_csv", help="the generator's truth CSV")
    ap.add_argument("--model", default=os.path.join(REPO, "models", "all-MiniLM-L6-v2"),
                    help="sentence-embedding model folder (default: the repo's models/all-MiniLM-L6-v2)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--seed", type=int, default=42, help="UMAP random_state (default 42)")
    ap.add_argument("--min-topic-size", type=int, default=10, help="BERTopic min_topic_size (default 10, its default)")
    ap.add_argument("--batch-size", type=int, default=32, help="embedding batch size (default 32, encode()'s default)")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.model, "config.json")):
        sys.exit(f"{args.model}: no model here (config.json missing); run scripts/fetch-model.sh or pass --model DIR")
    rows, missing = read_texts(args.out_dir, args.truth_csv)
    if not rows:
        sys.exit(f"{args.out_dir}/episodes.csv: no episode with a contact_reason found in the truth")
    if missing:
        print(f"note: {missing} episodes with a reason have a first contact not in the truth; skipped",
              file=sys.stderr)
    texts = [r["text"] for r in rows]
    print(f"BERTopic on {len(texts)} reasons ...", file=sys.stderr)
    topics, info = run_bertopic(texts, args.model, args.seed, args.min_topic_size, args.batch_size)
    for r, t in zip(rows, topics):
        r["topic"] = t

    methods = [("recontact themes", "theme"), ("recontact categories", "category"),
               (f"BERTopic {info['bertopic_version']}", "topic")]
    langs = collections.Counter(r["language"] for r in rows)
    subsets = [("all", rows)] + [(l, [r for r in rows if r["language"] == l])
                                 for l, _ in langs.most_common()]
    results = []
    for sub, rs in subsets:
        labels = [r["label"] for r in rs]
        for name, key in methods:
            s = score([r[key] for r in rs], labels)
            results.append({"grouping": name, "language": sub, **s})

    true_fcr = collections.Counter(r["true_fcr"] for r in rows)
    print(f"### BERTopic vs recontact on the same {len(rows)} reasons ({args.out_dir})\n")
    print(f"Texts: episodes.csv rows with a contact_reason; true label = truth category of the first contact "
          f"({len({r['label'] for r in rows})} labels; {true_fcr.get('true', 0)} of these episodes are truly FCR). "
          f"Unassigned / outliers count as singletons in NMI/ARI; 'assigned' columns score assigned texts only. "
          f"Singletons inflate NMI (a subset left wholly unassigned still scores high NMI, ARI 0): read NMI with "
          f"the unassigned share and ARI.\n")
    print("| grouping | lang | texts | true labels | NMI | ARI | groups | unassigned | largest group purity (size) | NMI assigned | ARI assigned |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        pur = "–" if r["largest_group_purity"] is None else f"{r['largest_group_purity']:.4f} ({r['largest_group_size']})"
        print(f"| {r['grouping']} | {r['language']} | {r['texts']} | {r['true_labels']} | {fmt(r['nmi'])} | "
              f"{fmt(r['ari'])} | {r['groups']} | {fmt(r['unassigned_share'], pct=True)} | {pur} | "
              f"{fmt(r['nmi_assigned'])} | {fmt(r['ari_assigned'])} |")
    print(f"\nBERTopic {info['bertopic_version']} (sentence-transformers {info.get('sentence_transformers_version', '?')}, "
          f"torch {info.get('torch_version', '?')}, {info.get('torch_threads', '?')} threads): model {info['model']} "
          f"({info['model_loaded_as']}, dim {info['embedding_dim']}), UMAP random_state {info['seed']}, "
          f"min_topic_size {info['min_topic_size']}; wall {info['wall_secs']:.1f} s = load {info['load_secs']:.1f} s "
          f"+ embed {info['embed_secs']:.1f} s + fit {info['fit_secs']:.1f} s (UMAP + HDBSCAN + c-TF-IDF, "
          f"numba JIT included), imports {info['import_secs']:.1f} s not counted; "
          f"script total {time.perf_counter() - T_START:.1f} s. all-MiniLM-L6-v2 is English-only: "
          f"zh/he texts get poor embeddings here (recontact with this model sends zh/he reasons to its lexical embedder, per script, instead).")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"out_dir": args.out_dir, "truth": args.truth_csv, "texts": len(rows),
                       "skipped_not_in_truth": missing, "languages": dict(langs),
                       "bertopic": info, "results": results}, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
