#!/usr/bin/env python3
"""Generates N synthetic Kensa records (JSONL) for whole-process benchmarks.

Deterministic for a seed. The mix is what an export from a platform looks like: mostly logins
and activity, some payouts and messages, one profile per subject. Usage:

    python3 bench/gen_records.py N SUBJECTS OUT.jsonl [SEED]
"""
import json
import random
import sys

def main():
    n = int(sys.argv[1]); subjects = int(sys.argv[2]); out = sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    rnd = random.Random(seed)
    base = 1788220800  # 2026-09-01T00:00:00Z
    with open(out, "w") as f:
        w = f.write
        for s in range(subjects):
            w(json.dumps({"kind": "subject", "subject_id": f"s{s}", "source": "freelance_platform",
                          "display_name": f"Person {s}", "claimed_country": "US",
                          "claimed_timezone": "America/New_York"}, separators=(",", ":")) + "\n")
        for i in range(n - subjects):
            s = rnd.randrange(subjects)
            t = base + rnd.randrange(60 * 86400)
            at = "%04d-%02d-%02dT%02d:%02d:%02dZ" % tm(t)
            r = rnd.random()
            if r < 0.55:
                rec = {"kind": "login", "subject_id": f"s{s}", "at": at,
                       "ip": "%d.%d.%d.%d" % (73, (s >> 8) & 255, s & 255, rnd.randrange(1, 255)),
                       "success": True, "device_id": f"d{s}"}
            elif r < 0.95:
                rec = {"kind": "activity", "subject_id": f"s{s}", "at": at, "activity": "commit"}
            elif r < 0.98:
                rec = {"kind": "message", "subject_id": f"s{s}", "at": at, "direction": "from_subject",
                       "text": "Pushed the fix, please review."}
            else:
                rec = {"kind": "payout", "subject_id": f"s{s}", "at": at, "amount": 250.0,
                       "currency": "USD", "account_id": f"a{s}"}
            w(json.dumps(rec, separators=(",", ":")) + "\n")

def tm(t):
    import time
    g = time.gmtime(t)
    return (g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec)

if __name__ == "__main__":
    main()
