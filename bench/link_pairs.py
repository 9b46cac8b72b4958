#!/usr/bin/env python3
"""Same-issue probe, step 1: every pair of one customer's inbound contacts
within 7 days in a generated month, labelled same issue or not by the truth.

    bench/link_pairs.py MONTH TRUTH OUT_PREFIX
    cargo run --release --example link_probe -- OUT_PREFIX.texts.jsonl OUT_PREFIX.pairs.csv SIMS.csv

Writes OUT_PREFIX.texts.jsonl (id, raw text) and OUT_PREFIX.pairs.csv
(a, b, same, lang); link_probe scores each pair under several texts
(whole reason, cleaned reason, sentence max, apart) for comparison.
"""
import csv, json, sys, datetime, itertools
month, truth, out = sys.argv[1], sys.argv[2], sys.argv[3]
tr = {r['contact_id']: r for r in csv.DictReader(open(truth))}
rows = []
def ts(s):
    s = s.replace('Z', '+00:00')
    try: return datetime.datetime.fromisoformat(s).timestamp()
    except: return datetime.datetime.fromisoformat(s + '+00:00').timestamp()
for f, idk, tk, txk, ck, dk in [('calls.csv','contact_id','started_at','text','customer_id','direction'),('zh_hotline.csv','contact_id','started_at','text','customer_id','direction'),('crm_tickets.csv','Case No','Created','Body','Customer No','Direction')]:
    for r in csv.DictReader(open(f'{month}/{f}')):
        rows.append((r[idk], r[ck], ts(r[tk]), r[txk], r[dk].lower()))
for f in ['chats.jsonl','he_chats.jsonl']:
    for l in open(f'{month}/{f}'):
        r = json.loads(l); rows.append((r['contact_id'], r['customer_id'], ts(r['started_at']), r['text'], r['direction'].lower()))
by = {}
for r in rows:
    if r[4] != 'inbound' or r[1] in ('', 'anonymous', 'unknown', '0'): continue
    by.setdefault(r[1], []).append(r)
texts = {}; pairs = []
for c, rs in by.items():
    rs.sort(key=lambda r: r[2])
    for a, b in itertools.combinations(rs, 2):
        if abs(a[2]-b[2]) > 7*86400: continue
        ta, tb = tr[a[0]], tr[b[0]]
        pairs.append((a[0], b[0], int(ta['issue_id']==tb['issue_id']), ta['language']))
        texts[a[0]] = a[3]; texts[b[0]] = b[3]
with open(f'{out}.texts.jsonl','w') as f:
    for k in sorted(texts): f.write(json.dumps({'id':k,'text':texts[k]}, ensure_ascii=False)+'\n')
with open(f'{out}.pairs.csv','w') as f:
    w = csv.writer(f); w.writerow(['a','b','same','lang']); w.writerows(pairs)
print(len(texts), len(pairs), sum(p[2] for p in pairs))
