"""DuckDB's side of vigie-bench: load v1 JSON Lines, compute every counted figure.

Run by `cargo run --release -p vigie-bench` (not meant to be run by hand, though it can):

    python3 duckdb_figures.py --jsonl FILE --year 2024 --runs 7 --threads 2 \
        --shares 11=183,24=35,...

With `--views FILE` (a JSON list of `{year, region, kind, legal_status, origin, from,
to}`, as the dashboard benchmark writes it), it computes the figures of each view instead:
the same figures of its year and the year before, over the incidents of its region,
structure type, legal status, origin and months (`null` admits everything), and prints
the time of each run of each view.

It times `read_json` of the file into an in-memory table (DuckDB's load), then, apart,
adding the columns Vigie's import stores beside each declaration: its Paris year, month
and deposit slot (`timezone('Europe/Paris', ...)`, French public holidays from a table).
Both engines' figures read those stored columns, neither converts a time at a query. It
then computes the same aggregates as Vigie's figures 1, 3-16 and 18-21
(schemas/observatory.md) for the year and the year before, in SQL, from the loaded table
at every run: the single-valued dimensions in one pass with GROUPING SETS, multi-valued
fields with `unnest`, figure 7's index in exact integers. One warm-up run, then `--runs`
timed runs. Progress goes to stderr; stdout gets one JSON object: version, load and
columns times, lines, the time of each run, peak memory and every figure's rows
`[key, count, previous]` in the contract's order, for the benchmark to check against
Vigie's.

With `--persist PATH` it only times loading the file (and the same columns) into a
database file, checkpointed, then removed: a run of its own, whose memory is not counted
in the figures' run.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import time

import duckdb

REGIONS = [
    "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
    "01", "02", "03", "04", "06", "975", "977", "978", "984", "986", "987", "988",
]
METROPOLITAN = REGIONS[:13]
TYPES = [
    "es_public", "es_prive", "espic", "esms", "ehpad", "lab", "radiotherapy",
    "army_hospital", "grades", "provider", "other",
]
LEGAL_STATUSES = ["public", "private_for_profit", "private_non_profit"]
SLOTS = ["ho_jo", "jo_1800_1829", "jo_1830_1959", "jo_2000_0859", "jno"]
STATES = ["resolved", "resolving", "needs_cert", "unknown"]
DATA_IMPACTS = ["unavailable", "disclosed", "altered", "destroyed", "none"]
DATA_KINDS = ["health_personal", "personal_other", "technical_sensitive", "confidential"]
DANGERS = ["none", "potential", "actual"]
ORIGINS = ["malicious", "non_malicious", "out_of_scope"]
MALICIOUS = [
    "ransomware", "si_compromise", "account_compromise", "credential_theft", "phishing",
    "vuln_exploitation", "brute_force", "data_leak", "malware", "ddos", "defacement",
    "other_malicious",
]
NON_MALICIOUS = [
    "infra_failure", "telecom_loss", "app_bug", "power_outage", "equipment_failure",
    "faulty_update", "other_non_malicious",
]
REACHES = ["multi_server", "single_server", "workstation", "provider"]
SIDES = ["provider", "local"]

# Every field of the v1 schema, typed, so that nothing depends on sampling.
COLUMNS = {
    "ref": "VARCHAR",
    "declared_at": "TIMESTAMPTZ",
    "detected_at": "TIMESTAMPTZ",
    "channel": "VARCHAR",
    "structure": "STRUCT(finess VARCHAR, name VARCHAR, \"type\" VARCHAR, "
    "legal_status VARCHAR, region VARCHAR, ose BOOLEAN, ght VARCHAR)",
    "state_at_declaration": "VARCHAR",
    "support_requested": "BOOLEAN",
    "care_impact": "VARCHAR",
    "degraded_hours": "DOUBLE",
    "data_impact": "VARCHAR[]",
    "data_kind": "VARCHAR[]",
    "patient_danger": "VARCHAR",
    "title": "VARCHAR",
    "description": "VARCHAR",
    "qualification": "STRUCT(origin VARCHAR, categories VARCHAR[], ransomware_reach VARCHAR, "
    "infra_side VARCHAR, out_of_scope_reason VARCHAR, event VARCHAR)",
    "technical_support": "BOOLEAN",
    "false_positive": "BOOLEAN",
    "complements_requested": "BOOLEAN",
    "complements_received": "BOOLEAN",
}


def log(message):
    """Prints a progress message on stderr."""
    print(f"[duckdb] {message}", file=sys.stderr, flush=True)


def sql_string(text):
    """Quotes a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def easter_sunday(year):
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def holidays(first, last):
    """The 11 French public holidays of the Code du travail, years first..last."""
    days = []
    for year in range(first, last + 1):
        for month, day in [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]:
            days.append(datetime.date(year, month, day))
        easter = easter_sunday(year)
        for offset in (1, 39, 50):
            days.append(easter + datetime.timedelta(days=offset))
    return days


def load(con, path):
    """Reads the JSON Lines file into the table `incidents`; returns its row count."""
    columns = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in COLUMNS.items()) + "}"
    con.execute(
        f"CREATE OR REPLACE TABLE incidents AS SELECT * FROM read_json({sql_string(path)}, "
        f"format = 'newline_delimited', columns = {columns})"
    )
    return con.execute("SELECT count(*) FROM incidents").fetchone()[0]


# The French public holidays of the years any declaration may fall in (figure 4's slots).
HOLIDAY_YEARS = (1970, 2100)


def paris_columns(con):
    """Adds to `incidents` the columns Vigie's import stores beside each declaration: its
    Paris year, its Paris month and its deposit slot (figure 4: working days of the Code du
    travail, weekends and public holidays `jno`), so that the figures of both engines read
    the same precomputed columns instead of DuckDB converting every row at every query."""
    con.execute("CREATE OR REPLACE TABLE holidays (day DATE PRIMARY KEY)")
    con.executemany("INSERT INTO holidays VALUES (?)", [[d] for d in sorted(set(holidays(*HOLIDAY_YEARS)))])
    con.execute("ALTER TABLE incidents ADD COLUMN local_year SMALLINT")
    con.execute("ALTER TABLE incidents ADD COLUMN local_month TINYINT")
    con.execute("ALTER TABLE incidents ADD COLUMN deposit_slot VARCHAR")
    lt = "timezone('Europe/Paris', declared_at)"
    con.execute(
        f"""UPDATE incidents SET
            local_year = year({lt}), local_month = month({lt}),
            deposit_slot = CASE
                WHEN isodow({lt}) >= 6 OR CAST({lt} AS DATE) IN (SELECT day FROM holidays)
                    THEN 'jno'
                WHEN hour({lt}) BETWEEN 9 AND 17 THEN 'ho_jo'
                WHEN hour({lt}) = 18 AND minute({lt}) < 30 THEN 'jo_1800_1829'
                WHEN hour({lt}) IN (18, 19) THEN 'jo_1830_1959'
                ELSE 'jo_2000_0859'
            END"""
    )


def persisted_load(path, jsonl, threads):
    """Seconds to load the file into a fresh database file and checkpoint it to disk, as a
    store that keeps what it loaded must; the file is removed afterwards."""

    def remove():
        for suffix in ("", ".wal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    remove()
    start = time.perf_counter()
    disk = duckdb.connect(path, config={"threads": threads})
    lines = load(disk, jsonl)
    paris_columns(disk)
    disk.execute("CHECKPOINT")
    disk.close()
    seconds = time.perf_counter() - start
    remove()
    log(f"loaded {lines} lines into {path} and checkpointed it in {seconds:.2f} s")
    return seconds


def setup(con, shares):
    """Reference table: activity shares (figure 7)."""
    con.execute("CREATE OR REPLACE TABLE shares (region VARCHAR, share BIGINT)")
    con.executemany("INSERT INTO shares VALUES (?, ?)", list(shares.items()))


def view_filter(view):
    """SQL condition on `incidents` admitting the rows of a view's filter ("TRUE" for none):
    region, structure type, legal status, origin (leaving out the unqualified) and the Paris
    months from `from` to `to`."""
    if view is None:
        return "TRUE"
    conditions = []
    for key, column in [
        ("region", "structure.region"),
        ("kind", 'structure."type"'),
        ("legal_status", "structure.legal_status"),
        ("origin", "qualification.origin"),
    ]:
        if view.get(key) is not None:
            conditions.append(f"{column} = {sql_string(view[key])}")
    first, last = view.get("from", 1), view.get("to", 12)
    if (first, last) != (1, 12):
        conditions.append(
            f"local_month BETWEEN {int(first)} AND {int(last)}"
        )
    return " AND ".join(conditions) or "TRUE"


def two_years(con, year, where="TRUE"):
    """SQL of the incidents of `year` and the year before (Paris time) that `where` admits,
    with their Paris year `y`, month `m`, deposit slot `slot` (the stored columns, as
    Vigie's) and flat columns."""
    return f"""(
        SELECT
            local_year AS y,
            local_month AS m,
            deposit_slot AS slot,
            structure.finess AS finess,
            structure.region AS region,
            structure."type" AS kind,
            structure.legal_status AS legal_status,
            coalesce(structure.ose, false) AS ose,
            state_at_declaration AS state,
            support_requested,
            care_impact,
            data_impact,
            coalesce(data_kind, []) AS data_kind,
            patient_danger,
            coalesce(qualification.origin, 'unqualified') AS origin,
            coalesce(qualification.categories, []) AS categories,
            qualification.ransomware_reach AS reach,
            qualification.infra_side AS side,
            coalesce(technical_support, false) AS technical_support,
            coalesce(false_positive, false) AS false_positive,
            coalesce(complements_requested, false)
                AND NOT coalesce(complements_received, false) AS unanswered
        FROM incidents
        WHERE local_year IN ({year - 1}, {year}) AND ({where})
)"""


# The dimensions counted in one pass with GROUPING SETS, each with `y`.
DIMENSIONS = ["m", "slot", "state", "region", "kind", "legal_status", "patient_danger", "origin", "q", "reach", "side"]
SETS = [("m",), ("slot",), ("state",), ("region",), ("kind",), ("legal_status",), ("patient_danger",),
        ("origin",), ("origin", "q"), ("origin", "reach"), ("origin", "side")]


def compute(con, year, view=None):
    """Every counted figure of `year` (previous = year - 1) over the incidents a view's
    filter admits (all without one), as [figure, rows]."""
    years = (year, year - 1)
    where = view_filter(view)
    b = two_years(con, year, where)

    def q(sql):
        return con.execute(sql).fetchall()

    def by_year(result):
        """{(y, key...): n} from rows (y, key..., n)."""
        return {tuple(r[:-1]): r[-1] for r in result}

    def rows(keys, counts, lookup=lambda k: k):
        return [[k, counts.get((year, lookup(k)), 0), counts.get((year - 1, lookup(k)), 0)] for k in keys]

    totals = {
        r[0]: r[1:]
        for r in q(
            f"""SELECT y, count(*),
                count(*) FILTER (support_requested),
                count(*) FILTER (technical_support),
                count(*) FILTER (false_positive),
                count(*) FILTER (origin = 'malicious'),
                count(*) FILTER (origin = 'non_malicious'),
                count(*) FILTER (origin = 'out_of_scope'),
                count(*) FILTER (care_impact <> 'none'),
                count(*) FILTER (patient_danger <> 'none'),
                count(*) FILTER (len(data_kind) >= 2),
                count(*) FILTER (technical_support AND false_positive)
            FROM {b} GROUP BY y"""
        )
    }
    structures = {
        r[0]: r[1:]
        for r in q(
            f"""SELECT y, count(*), count(*) FILTER (n > 2), count(*) FILTER (n >= 4),
                count(*) FILTER (ose), count(*) FILTER (unanswered)
            FROM (SELECT y, finess, count(*) AS n, bool_or(ose) AS ose,
                         bool_or(unanswered) AS unanswered
                  FROM {b} GROUP BY y, finess)
            GROUP BY y"""
        )
    }

    def total(y, i):
        return totals.get(y, [0] * 11)[i]

    def structure(y, i):
        return structures.get(y, [0] * 5)[i]

    key_figures = [
        ("declarations", lambda y: total(y, 0)),
        ("structures", lambda y: structure(y, 0)),
        ("support_requested", lambda y: total(y, 1)),
        ("technical_support", lambda y: total(y, 2)),
        ("false_positive", lambda y: total(y, 3)),
        ("malicious", lambda y: total(y, 4)),
        ("non_malicious", lambda y: total(y, 5)),
        ("out_of_scope", lambda y: total(y, 6)),
        ("care_impact", lambda y: total(y, 7)),
        ("patient_danger", lambda y: total(y, 8)),
        ("structures_gt2", lambda y: structure(y, 1)),
        ("structures_ge4", lambda y: structure(y, 2)),
        ("ose_structures", lambda y: structure(y, 3)),
        ("structures_unanswered", lambda y: structure(y, 4)),
    ]
    figures = {1: [[k, f(year), f(year - 1)] for k, f in key_figures]}

    # One pass over the two years for every single-valued dimension.
    grouping_sets = ", ".join("(y, " + ", ".join(s) + ")" for s in SETS)
    dims = {s: {} for s in SETS}
    for row in q(
        f"""SELECT GROUPING_ID({", ".join(DIMENSIONS)}), y, {", ".join(DIMENSIONS)},
                count(*), count(*) FILTER (len(categories) >= 2)
        FROM (SELECT *, (m + 2) // 3 AS q FROM {b})
        GROUP BY GROUPING SETS ({grouping_sets})"""
    ):
        gid, y, values, n, multi = row[0], row[1], row[2:-2], row[-2], row[-1]
        present = tuple(d for i, d in enumerate(DIMENSIONS) if not gid >> (len(DIMENSIONS) - 1 - i) & 1)
        key = tuple(values[DIMENSIONS.index(d)] for d in present)
        dims[present][(y, *key)] = multi if present == ("origin",) else n

    figures[3] = [[f"{m:02}", *[dims[("m",)].get((y, m), 0) for y in years]] for m in range(1, 13)]
    figures[4] = rows(SLOTS, dims[("slot",)])
    figures[5] = rows(STATES, dims[("state",)])
    figures[6] = rows(REGIONS, dims[("region",)])

    index = by_year(
        q(
            f"""WITH d AS (
                SELECT s.region, s.share, ys.y, count(b.y) AS n
                FROM shares s CROSS JOIN (VALUES ({year}), ({year - 1})) AS ys(y)
                LEFT JOIN {b} b ON b.region = s.region AND b.y = ys.y
                GROUP BY ALL),
            top AS (
                SELECT y, arg_max({{'n': n, 's': share}}, n / share) AS best FROM d GROUP BY y)
            SELECT d.y, d.region,
                CASE WHEN top.best.n = 0 THEN 0
                     ELSE (2 * 100 * d.n * top.best.s + d.share * top.best.n)
                          // (2 * d.share * top.best.n)
                END
            FROM d JOIN top USING (y)"""
        )
    )
    figures[7] = rows(METROPOLITAN, index)
    figures[8] = rows(TYPES, dims[("kind",)])
    figures[9] = rows(LEGAL_STATUSES, dims[("legal_status",)])

    def unnested(column, *by):
        keys = "".join(f"{k}, " for k in by)
        return by_year(
            q(f"SELECT y, {keys}k, count(*) FROM (SELECT y, {keys}unnest({column}) AS k FROM {b}) GROUP BY ALL")
        )

    figures[10] = rows(DATA_IMPACTS, unnested("data_impact"))
    figures[11] = rows(DATA_KINDS, unnested("data_kind")) + [["multiple", total(year, 9), total(year - 1, 9)]]
    figures[12] = rows(DANGERS, dims[("patient_danger",)])

    per_year = by_year(
        q(
            f"""SELECT local_year,
                coalesce(qualification.origin, 'unqualified'), count(*)
            FROM incidents WHERE {where} GROUP BY ALL"""
        )
    )
    figures[13] = rows(ORIGINS + ["unqualified"], per_year)
    # The series start at the first year of all the incidents, filtered or not.
    (first_all,) = q("SELECT min(local_year) FROM incidents")[0]
    first_year = min([y for (y, _) in per_year] + [year] + ([first_all] if first_all else []))

    categories = unnested("categories", "origin", "technical_support")
    supported = {}
    by_origin = {}
    for (y, origin, tech, k), n in categories.items():
        by_origin[(y, origin, k)] = by_origin.get((y, origin, k), 0) + n
        if tech:
            supported[(y, k)] = supported.get((y, k), 0) + n

    def of_origin(counts, origin):
        return {(y, *rest): n for (y, o, *rest), n in counts.items() if o == origin}

    multi = of_origin(dims[("origin",)], "malicious")
    figures[14] = (
        rows(MALICIOUS, of_origin(by_origin, "malicious"))
        + [
            [f"ransomware_reach.{r}", *[dims[("origin", "reach")].get((y, "malicious", r), 0) for y in years]]
            for r in REACHES
        ]
        + [["multi_category", multi.get((year,), 0), multi.get((year - 1,), 0)]]
    )

    def series(origin):
        counts = of_origin(per_year, origin)
        return [[str(y), counts.get((y,), 0), 0] for y in range(first_year, year + 1)]

    def by_quarter(origin):
        counts = of_origin(dims[("origin", "q")], origin)
        return [[f"Q{n}", counts.get((year, n), 0), counts.get((year - 1, n), 0)] for n in range(1, 5)]

    figures[15] = series("malicious")
    figures[16] = by_quarter("malicious")
    figures[18] = rows(MALICIOUS + NON_MALICIOUS, supported) + [
        ["false_positive", total(year, 10), total(year - 1, 10)]
    ]
    figures[19] = rows(NON_MALICIOUS, of_origin(by_origin, "non_malicious")) + [
        [f"infra_failure.{s}", *[dims[("origin", "side")].get((y, "non_malicious", s), 0) for y in years]]
        for s in SIDES
    ]
    figures[20] = series("non_malicious")
    figures[21] = by_quarter("non_malicious")
    return [{"figure": n, "rows": figures[n]} for n in sorted(figures)]


def main():
    """Loads, computes warm `--runs` times, prints the JSON summary on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jsonl", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--shares", required=True, help="region=share,... (integers)")
    parser.add_argument("--views", help="JSON file of views to compute instead of the year alone")
    parser.add_argument(
        "--persist",
        help="only time read_json into this database file, checkpointed (removed after)",
    )
    args = parser.parse_args()
    shares = {r: int(s) for r, s in (p.split("=") for p in args.shares.split(","))}

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    if args.persist:
        # A run of its own, so that the memory of the figures' run is theirs alone.
        persisted_s = persisted_load(args.persist, args.jsonl, args.threads)
        print(
            json.dumps(
                {
                    "version": duckdb.__version__,
                    "persisted_load_s": persisted_s,
                    "peak_rss_bytes": peak(),
                }
            )
        )
        return

    con = duckdb.connect(config={"threads": args.threads})
    log(f"DuckDB {duckdb.__version__}, threads={args.threads}: read_json {args.jsonl}")
    start = time.perf_counter()
    lines = load(con, args.jsonl)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    paris_columns(con)
    columns_s = time.perf_counter() - start
    log(
        f"loaded {lines} lines in {load_s:.2f} s, Paris year, month and slot added in "
        f"{columns_s:.2f} s; computing the figures of {args.year}"
    )
    setup(con, shares)
    summary = {
        "version": duckdb.__version__,
        "lines": lines,
        "load_s": load_s,
        "columns_s": columns_s,
    }
    if args.views:
        with open(args.views, encoding="utf-8") as f:
            views = json.load(f)
        results = []
        for n, view in enumerate(views):
            figures = compute(con, view["year"], view)  # warm-up
            runs = []
            for _ in range(args.runs):
                start = time.perf_counter()
                figures = compute(con, view["year"], view)
                runs.append(time.perf_counter() - start)
            results.append({"runs_s": runs, "figures": figures})
            log(f"view {n + 1}/{len(views)}: median {statistics.median(runs):.3f} s")
        print(json.dumps({**summary, "peak_rss_bytes": peak(), "views": results}))
        return
    figures = compute(con, args.year)  # warm-up
    runs = []
    for _ in range(args.runs):
        start = time.perf_counter()
        figures = compute(con, args.year)
        runs.append(time.perf_counter() - start)
    log(f"figures: median {statistics.median(runs):.3f} s over {args.runs} runs")
    print(json.dumps({**summary, "runs_s": runs, "peak_rss_bytes": peak(), "figures": figures}))


if __name__ == "__main__":
    main()
