#!/usr/bin/env python3
"""Guided-taxonomy benchmark helper (bench/taxonomy.sh). Stdlib only.

  taxonomy_eval.py taxonomy TRUTH SHARED N_EN N_ML MONTH_FILES... > tax.toml
  taxonomy_eval.py eval TRUTH T1=OUT1 [T2=OUT2 ...]           > markdown

Scores by recontact's own episodes: each categorised episode gets the true
intent of its first contact, so linking errors count against the taxonomy as
they would for a user.
"""
import collections
import csv
import json
import sys

N_PHRASES = 5


def key(intent):
    # the taxonomy id; recomputed in `eval` to map taxonomy_key back to the intent
    return "-".join("".join(c if c.isalnum() else " " for c in intent.lower()).split())


def read_truth(path):
    contacts, episodes = {}, {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            contacts[r["contact_id"]] = (r["category"], r["language"])
            episodes[r["episode_id"]] = (r["category"], r["language"], r["episode_fcr"])
    return contacts, episodes


def month_text(files):
    # every field of every contact, to keep example phrases out of the month
    parts = []
    for p in files:
        with open(p, newline="", encoding="utf-8") as f:
            if p.endswith(".csv"):
                parts.extend(x for row in csv.reader(f) for x in row)
            else:
                parts.extend(str(v) for line in f if line.strip() for v in json.loads(line).values())
    return "\n".join(parts)


def taxonomy(truth, shared, n_en, n_ml, files):
    _, episodes = read_truth(truth)
    # pick the intents that matter most to a root-cause review: most true non-FCR episodes
    nonfcr = collections.Counter((c, l) for c, l, fcr in episodes.values() if fcr == "false")
    en = [c for (c, l), _ in sorted(nonfcr.items(), key=lambda kv: (-kv[1], kv[0])) if l == "en"][:n_en]
    ml = collections.Counter()
    for (c, l), n in nonfcr.items():
        if l != "en":
            ml[c] += n
    ml = [c for c, _ in sorted(ml.items(), key=lambda kv: (-kv[1], kv[0]))][:n_ml]

    # gen_month draws English from banking77 train.csv, so examples come from test.csv
    phrases = collections.defaultdict(list)
    with open(f"{shared}/banking77/test.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["category"] in en and len(phrases[r["category"]]) < N_PHRASES:
                phrases[r["category"]].append(r["text"].strip())
    # ...but it draws MASSIVE from every partition: no held-out split exists, so
    # take the first utterances (file order) that do not occur in this month
    text = month_text(files)
    for loc in ("zh-CN", "he-IL"):
        taken = collections.Counter()
        with open(f"{shared}/massive_zh_he/{loc}.labelled.jsonl", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line) if line.strip() else None
                u = r and r["utt"].strip()
                if u and r["intent"] in ml and taken[r["intent"]] < N_PHRASES and u not in text \
                        and u not in phrases[r["intent"]]:
                    taken[r["intent"]] += 1
                    phrases[r["intent"]].append(u)
    for c in en + ml:
        print("[[category]]")
        print(f'id = "{key(c)}"')
        print(f"name = {json.dumps(c, ensure_ascii=False)}")
        print(f"examples = {json.dumps(phrases[c], ensure_ascii=False)}\n")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def evaluate(truth, runs):
    contacts, _ = read_truth(truth)
    by_key = {key(c): c for c, _ in contacts.values()}
    table = collections.OrderedDict()  # (intent, lang) -> {T: (assigned, tp, denom)}
    confusions, summary = {}, {}
    for t, out in runs:
        known = {r["category_id"]: by_key[r["taxonomy_key"]]
                 for r in read_csv(f"{out}/categories.csv") if r["taxonomy_key"]}
        ncat = len(read_csv(f"{out}/categories.csv"))
        eps = []  # (assigned known intent or None, true intent, lang) per categorised episode
        for r in read_csv(f"{out}/episodes.csv"):
            if r["category_id"] and r["first_contact_id"] in contacts:
                c, l = contacts[r["first_contact_id"]]
                eps.append((known.get(r["category_id"]), c, l))
        ml = {k for k in known.values() if any(c == k and l != "en" for _, c, l in eps)}
        cell = collections.defaultdict(lambda: [0, 0, 0])
        conf = collections.defaultdict(collections.Counter)
        for k, c, l in eps:
            if k is not None:
                row = (k, l if k in ml else "en")
                cell[row][0] += 1
                cell[row][1] += c == k
                if c != k:
                    conf[k][c] += 1
            if c in known.values():
                cell[(c, l if c in ml else "en")][2] += 1
        for row in sorted(cell, key=lambda r: (r[0] in ml, r)):
            table.setdefault(row, {})[t] = cell[row]
        confusions[t] = conf
        summary[t] = (len(eps), sum(k is not None for k, _, _ in eps), ncat)

    ts = [t for t, _ in runs]
    pr = lambda a, b: f"{a / b:.2f}" if b else "–"
    print("| known category (true intent) | lang | " + " | ".join(f"T={t} n / P / R" for t in ts) + " |")
    print("|---|---|" + "---|" * len(ts))
    for (k, l), cells in table.items():
        cols = []
        for t in ts:
            a, tp, d = cells.get(t, (0, 0, 0))
            cols.append(f"{a} / {pr(tp, a)} / {pr(tp, d)}")
        print(f"| {k} | {l} | " + " | ".join(cols) + " |")
    for name, langs in (("micro, English", {"en"}), ("micro, zh", {"zh"}), ("micro, he", {"he"}),
                        ("micro, zh+he", {"zh", "he"})):
        cols = []
        for t in ts:
            a = tp = d = 0
            for (k, l), cells in table.items():
                if l in langs and t in cells:
                    a, tp, d = a + cells[t][0], tp + cells[t][1], d + cells[t][2]
            p, r = (tp / a if a else 0), (tp / d if d else 0)
            cols.append(f"{a} / {pr(tp, a)} / {pr(tp, d)} / F1 {2 * p * r / (p + r) if p + r else 0:.2f}")
        print(f"| **{name}** | | " + " | ".join(cols) + " |")
    print()
    for t in ts:
        n, k, ncat = summary[t]
        print(f"T={t}: {k} of {n} categorised episodes ({k / max(n, 1):.0%}) in known categories; {ncat} categories in all")
    # what the low threshold pulls in: the near-synonym intents are the story here
    t = ts[0]
    print(f"\nmost frequent wrong true intents per known category at T={t}:")
    for k, c in sorted(confusions[t].items()):
        print(f"  {k}: " + ", ".join(f"{i} {n}" for i, n in c.most_common(4)))


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "taxonomy":
        taxonomy(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "eval":
        evaluate(sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]])
    else:
        sys.exit(__doc__)
