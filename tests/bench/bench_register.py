"""Register benchmark: bulk load and search at scale, each beside a raw-sqlite3 floor from the same run.

    .venv/bin/python tests/bench/bench_register.py [--households N] [--dir DIR] [--queries 20] [--repeat 5]

1. Generates N synthetic households in memory (own deterministic generator; not timed).
2. Ours: `bulk_load` of all N into a fresh register (setup_commune first), timed as one call.
3. Floor: a second fresh register (same migrations, same commune setup), and raw `sqlite3` executemany of
   exactly the rows our load wrote (read back from our database beforehand, so the values are identical),
   on a connection with the same pragmas, one transaction, the same batch size. Two floors are printed:
   household + member rows only (the target's floor), and a strict one that also writes the FTS rows and
   the audit rows our load writes.
4. Search: typical queries through `SearchService.search(HouseholdFilter(text=q), limit=50)` against a bare
   sqlite3 query on the same file doing the same work (FTS MATCH, count, first 50 rows by head_sort).

It reports and never gates: the exit status is 0 even when a target is missed (FAIL is printed).
Not collected by pytest (tests/bench is in norecursedirs).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event

from povcase.domain.facts import HousingFacts
from povcase.paths import database_path
from povcase.services import bulk
from povcase.services.base import Actor, Role
from povcase.services.bulk import BulkHousehold, bulk_load
from povcase.services.dto import HouseholdInput, MemberInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter, match_expression

COMMUNE_CODE = "29461"  # Xã Trà Cú, Vĩnh Long
HAMLETS = ("Ấp Chợ", "Ấp Đại Mong", "Ấp Sóc Chà", "Ấp Xoài Xiêm", "Ấp Vàm Buôn", "Ấp Ba Cụm",
           "Ấp Cà Hom", "Ấp Giồng Lớn")
ACTOR = Actor("Thạch Thị Lan", Role.OFFICER)
PAGE = 50
LOAD_TARGET = 2.0
SEARCH_MS_TARGET = 50.0
SEARCH_RATIO_TARGET = 3.0

# --- a small deterministic generator ---------------------------------------------------------------
# Family names with rough frequencies (Kinh names, and Khmer family names common in Trà Cú).
_FAMILY = (("Nguyễn", 36), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Phan", 4), ("Võ", 4),
           ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Thạch", 6),
           ("Sơn", 3), ("Kim", 2), ("Danh", 2), ("Lâm", 1), ("Triệu", 1))
_KHMER_FAMILIES = frozenset({"Thạch", "Sơn", "Kim", "Danh", "Lâm", "Triệu"})
_MIDDLE = {"male": ("Văn", "Văn", "Văn", "Hữu", "Minh", "Quốc", "Đức", "Thanh", "Công", "Hoàng"),
           "female": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh", "Bích", "Hồng")}
_GIVEN = {"male": ("Đức", "Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Phong", "Long", "Sơn", "Hải", "Thắng",
                   "Tâm", "Quang", "Khang", "Bảo", "Phúc", "Tài", "Lộc", "Thành", "Hiếu", "Trung", "Việt",
                   "Cường", "Sang", "Rinh", "Sóc"),
          "female": ("Mai", "Hoa", "Lan", "Hương", "Thảo", "Linh", "Trang", "Ngọc", "Hạnh", "Nhung",
                     "Huyền", "Thủy", "Yến", "Vy", "Loan", "Hằng", "Phương", "Dung", "Xuân", "Nga",
                     "Tuyết", "Diệp", "Oanh", "Sa", "Phol")}
_PLACES = ("084",) * 17 + ("079", "094", "086")  # mostly Trà Vinh births
_EMPLOYMENT = ("wage_with_contract", "wage_without_contract", "self_employed", "self_employed",
               "unemployed", "not_working")
_QUALIFICATION = ("none", "primary", "primary", "lower_secondary", "lower_secondary", "upper_secondary",
                  "vocational", "college", "university")
_QUALITY = ("durable", "semi_durable", "semi_durable", "non_durable")
_AREAS = (12.0, 18.0, 24.0, 30.0, 36.0, 48.0, 60.0, 80.0)
_CHILDREN = (0, 1, 1, 2, 2, 2, 3, 3, 3, 4)


class Generator:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.families = [name for name, weight in _FAMILY for _ in range(weight)]
        self.serials: dict[str, int] = {}

    def id_number(self, sex: str, birth: date) -> str:
        gene = (0 if birth.year < 2000 else 2) + (0 if sex == "male" else 1)
        prefix = f"{self.rng.choice(_PLACES)}{gene}{birth.year % 100:02d}"
        serial = self.serials.get(prefix, self.rng.randrange(0, 400_000)) + 1
        self.serials[prefix] = serial
        return f"{prefix}{serial:06d}"

    def person(self, family: str, sex: str, year: int, relation: str) -> MemberInput:
        rng = self.rng
        year = min(year, self.today.year - 1)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        name = f"{family} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
        age = self.today.year - year
        adult = age >= 15
        return MemberInput(
            full_name=name, relation=relation, sex=sex, birth_date=birth,
            id_number=self.id_number(sex, birth) if adult and rng.random() < 0.95 else None,
            ethnicity="Khmer" if family in _KHMER_FAMILIES else "Kinh",
            in_school=(6 <= age <= 17) if age < 25 else False,
            qualification=rng.choice(_QUALIFICATION) if adult else None,
            employment=rng.choice(_EMPLOYMENT) if 15 <= age <= 65 else None,
            has_health_insurance=rng.random() < 0.85,
            stunted_or_underweight=(rng.random() < 0.08) if age < 16 else None)

    def household(self, hamlet_uuid: str, hamlet_name: str, code: str) -> HouseholdInput:
        rng = self.rng
        family = rng.choice(self.families)
        head_sex = "male" if rng.random() < 0.75 else "female"
        head_year = rng.randint(1945, 1995)
        members = [self.person(family, head_sex, head_year, "head")]
        father_family = family if head_sex == "male" else None
        mother_year = head_year if head_sex == "female" else None
        if rng.random() < 0.8:
            spouse_sex = "female" if head_sex == "male" else "male"
            spouse_family = rng.choice(self.families)
            spouse_year = max(1940, head_year + rng.randint(-6, 6))
            members.append(self.person(spouse_family, spouse_sex, spouse_year, "spouse"))
            if spouse_sex == "male":
                father_family = spouse_family
            else:
                mother_year = spouse_year
        child_family = father_family or family
        base = mother_year or head_year
        for _ in range(rng.choice(_CHILDREN)):
            year = rng.randint(max(base + 18, 1965), base + 42)
            members.append(self.person(child_family, rng.choice(("male", "female")), year, "child"))
        if rng.random() < 0.12:
            members.append(self.person(family, rng.choice(("male", "female")),
                                       max(1925, head_year - rng.randint(20, 32)), "parent"))
        housing = HousingFacts(area_m2=rng.choice(_AREAS), quality=rng.choice(_QUALITY),  # type: ignore[arg-type]
                               safe_water=rng.random() < 0.85, hygienic_latrine=rng.random() < 0.7,
                               uses_telecom=rng.random() < 0.9, has_information_device=rng.random() < 0.9,
                               hears_loudspeaker=rng.random() < 0.6, waste_treated=rng.random() < 0.5)
        phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else ""
        return HouseholdInput(
            hamlet_uuid=hamlet_uuid, members=tuple(members),
            address=f"Tổ {rng.randint(1, 12)}, {hamlet_name}, xã Trà Cú", area="rural",
            ethnicity_group="Khmer" if family in _KHMER_FAMILIES else "Kinh", phone=phone,
            housing=housing, code=code)


def generate(n: int, hamlets: Sequence[tuple[str, str, int]], seed: int = 20261122,
             today: date | None = None) -> list[BulkHousehold]:
    """N households over the hamlets (uuid, name, position), codes 29461-HH-NNNNN per hamlet."""
    gen = Generator(seed, today or date.today())
    weights = [3, 5, 4, 2, 3, 2, 1, 2][:len(hamlets)] or [1]
    picks = gen.rng.choices(range(len(hamlets)), weights=weights, k=n)
    seq = [0] * len(hamlets)
    out = []
    for i in picks:
        uuid, name, position = hamlets[i]
        seq[i] += 1
        out.append(BulkHousehold(gen.household(uuid, name, f"{COMMUNE_CODE}-{position:02d}-{seq[i]:05d}")))
    return out


# --- registers ---------------------------------------------------------------------------------------
def fresh_register(home: Path) -> Register:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    reg = Register.open(home)
    reg.communes.setup_commune(ACTOR, COMMUNE_CODE, [(h, "ap") for h in HAMLETS], ACTOR.name,
                               "UBND tỉnh Vĩnh Long")
    return reg


def hamlet_triples(reg: Register) -> list[tuple[str, str, int]]:
    return [(h.uuid, h.name, h.position) for h in reg.communes.hamlets(COMMUNE_CODE)]


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


# What our load writes: bulk.py's column lists (fallback: the table's columns less what it leaves alone).
def written_columns(conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    h_cols = getattr(bulk, "_H_COLS", None) or tuple(c for c in table_columns(conn, "household")
                                                      if c != "deleted_at")
    m_cols = getattr(bulk, "_M_COLS", None) or tuple(c for c in table_columns(conn, "member")
                                                      if c not in ("id", "deleted_at"))
    return tuple(h_cols), tuple(m_cols)


_AUDIT_COLS = ("at", "actor", "role", "action", "record_type", "record_uuid", "field", "old", "new", "note")


class Rows:
    """The rows our load wrote, read back as prebuilt tuples and cut into our batches."""

    def __init__(self, db_path: Path, load_id: str) -> None:
        conn = sqlite3.connect(db_path)
        try:
            self.h_cols, self.m_cols = written_columns(conn)
            self.households = conn.execute(
                f"SELECT {','.join(self.h_cols)} FROM household ORDER BY id").fetchall()
            self.members = conn.execute(f"SELECT {','.join(self.m_cols)} FROM member ORDER BY id").fetchall()
            self.member_hids = [r[0] for r in conn.execute("SELECT household_id FROM member ORDER BY id")]
            self.search = conn.execute("SELECT rowid, text FROM household_search ORDER BY rowid").fetchall()
            audit = conn.execute(f"SELECT {','.join(_AUDIT_COLS)} FROM audit_log WHERE note = ? ORDER BY id",
                                 (f"bulk load {load_id}",)).fetchall()
        finally:
            conn.close()
        self.audit = [r for r in audit if r[4] == "household"]
        self.audit_final = [r for r in audit if r[4] != "household"]
        assert len(self.search) == len(self.households), "search rows != households"

    def batches(self, size: int) -> list[tuple[slice, slice]]:
        """(household slice, member slice) per batch of `size` households, as bulk_load cuts them."""
        hid_index = self.h_cols.index("id")
        out, m_start = [], 0
        for start in range(0, len(self.households), size):
            stop = min(start + size, len(self.households))
            last_hid = self.households[stop - 1][hid_index]
            m_stop = m_start
            while m_stop < len(self.member_hids) and self.member_hids[m_stop] <= last_hid:
                m_stop += 1
            out.append((slice(start, stop), slice(m_start, m_stop)))
            m_start = m_stop
        return out


def insert_sql(table: str, cols: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"


def floor_load(reg: Register, rows: Rows, batches: list[tuple[slice, slice]], strict: bool) -> float:
    """Raw executemany of the same rows, same pragmas (Database.raw_connection), one transaction."""
    h_sql, m_sql = insert_sql("household", rows.h_cols), insert_sql("member", rows.m_cols)
    s_sql = "INSERT INTO household_search(rowid, text) VALUES (?, ?)"
    a_sql = insert_sql("audit_log", _AUDIT_COLS)
    t0 = time.perf_counter()
    conn = reg.db.raw_connection()
    try:
        conn.execute("BEGIN IMMEDIATE")
        for hs, ms in batches:
            conn.executemany(h_sql, rows.households[hs])
            conn.executemany(m_sql, rows.members[ms])
            if strict:
                conn.executemany(s_sql, rows.search[hs])
                conn.executemany(a_sql, rows.audit[hs])
        if strict:
            conn.executemany(a_sql, rows.audit_final)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return time.perf_counter() - t0


def table_counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("household", "member", "household_search", "audit_log")}
    finally:
        conn.close()


# --- search ------------------------------------------------------------------------------------------
# The floor counts in the FTS index alone: it holds exactly the live households (bulk load and reindex keep
# it so; bench_search checks that against a join on every query). The page joins for the list columns.
FLOOR_COUNT = "SELECT count(*) FROM household_search WHERE household_search MATCH ?"
JOINED_COUNT = ("SELECT count(*) FROM household_search s JOIN household h ON h.id = s.rowid"
                " WHERE household_search MATCH ? AND h.deleted_at IS NULL")
FLOOR_PAGE = ("SELECT h.id, h.uuid, h.code, h.head_name, m.name, h.members_count, h.status, h.status_year,"
              " h.score_b, h.deprived, h.last_assessed_on, h.ethnicity_group"
              " FROM household_search s JOIN household h ON h.id = s.rowid JOIN hamlet m ON m.id = h.hamlet_id"
              " WHERE household_search MATCH ? AND h.deleted_at IS NULL"
              f" ORDER BY h.head_sort, h.id LIMIT {PAGE}")


def pick_queries(items: Sequence[BulkHousehold]) -> list[str]:
    """20 typical queries; the code and ID number ones taken from the generated register."""
    h = items[len(items) // 2].household
    adult = next((m for b in items[len(items) // 3:] for m in b.household.members if m.id_number), None)
    code = h.code or f"{COMMUNE_CODE}-01-00001"
    return [
        "nguyen van duc",        # full name, no diacritics
        "Nguyễn Văn Đức",        # full name with diacritics
        "tran thi mai",
        "Phạm Thị Thảo",
        "huon",                  # partial given name (Hương)
        "tuye",                  # partial given name (Tuyết)
        "nguyen",                # common family name: many hits
        "Trần",
        "thach",                 # Khmer family name
        code,                    # a household code
        code[:-1],               # prefix of a code
        adult.id_number if adult and adult.id_number else "084080000001",  # an ID number
        "Ấp Đại Mong",           # a hamlet
        "soc cha",               # a hamlet without diacritics
        "duc dai mong",          # given name + hamlet
        "nguyen hoa",            # family + given name
        "van tam",
        "le thi lan",
        "Thạch Thị Sa",
        "zzyzx quokka",          # no hits
    ]


def capture_sql(reg: Register, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements (and parameters) the service sends to SQLite for one call."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(reg.db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(reg.db.engine, "before_cursor_execute", listener)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]


def bench_search(reg: Register, queries: Sequence[str], repeat: int) -> list[dict[str, Any]]:
    conn = reg.db.raw_connection()
    results = []
    try:
        for q in queries:
            f = HouseholdFilter(text=q)
            match = match_expression(q)

            def ours(f: HouseholdFilter = f) -> Any:
                return reg.search.search(f, limit=PAGE)

            def floor(match: str | None = match) -> tuple[int, list[Any]]:
                total = conn.execute(FLOOR_COUNT, (match,)).fetchone()[0]
                return total, conn.execute(FLOOR_PAGE, (match,)).fetchall()

            statements = capture_sql(reg, ours)

            def same_sql(statements: list[tuple[str, Any]] = statements) -> list[Any]:
                return [conn.execute(s, p).fetchall() for s, p in statements]

            if match is None:
                raise SystemExit(f"query {q!r} has no search words")
            page = ours()  # warm-up (and the answer to check)
            f_total, f_rows = floor()
            same_sql()
            joined = conn.execute(JOINED_COUNT, (match,)).fetchone()[0]
            if not page.total == f_total == joined or [r.id for r in page.rows] != [r[0] for r in f_rows]:
                print(f"  WARNING: {q!r}: ours {page.total} hits, floor {f_total}, live joined {joined}: "
                      "results differ")
            t_ours, t_floor, t_same = [], [], []
            for _ in range(repeat):  # interleaved, so drift hits both alike
                for fn, sink in ((ours, t_ours), (floor, t_floor), (same_sql, t_same)):
                    t0 = time.perf_counter()
                    fn()
                    sink.append((time.perf_counter() - t0) * 1000)
            results.append({"query": q, "hits": page.total, "ours": statistics.median(t_ours),
                            "floor": statistics.median(t_floor), "same": statistics.median(t_same)})
    finally:
        conn.close()
    return results


# --- report ------------------------------------------------------------------------------------------
def machine_context(work: Path) -> list[str]:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [f"python {platform.python_version()} ({platform.python_implementation()}), "
            f"sqlite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}",
            f"{platform.platform()}, {os.cpu_count()} cores{mem}",
            f"work dir {work}"]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--households", type=int, default=300_000)
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a new temp dir)")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per search query (median)")
    ap.add_argument("--load-repeat", type=int, default=1, help="bulk loads of each kind (median)")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    args = ap.parse_args(argv)
    n = args.households
    work = Path(tempfile.mkdtemp(prefix="povcase-bench-", dir=args.dir))
    print(f"povcase register benchmark: {n:,} households")
    for line in machine_context(work):
        print("  " + line)
    sys.stdout.flush()
    try:
        return run(args, n, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, n: int, work: Path) -> int:
    ours_times, floor_times, strict_times = [], [], []
    rows: Rows | None = None
    batches: list[tuple[slice, slice]] = []
    reg: Register | None = None
    queries: list[str] = []
    items_count = members_count = 0
    for attempt in range(max(1, args.load_repeat)):
        home = work / ("ours" if attempt == 0 else f"ours-{attempt}")
        r = fresh_register(home)
        t0 = time.perf_counter()
        items = generate(n, hamlet_triples(r))
        gen_s = time.perf_counter() - t0
        if attempt == 0:
            members_count = sum(len(b.household.members) for b in items)
            items_count = len(items)
            print(f"\ngenerated {items_count:,} households, {members_count:,} members "
                  f"({members_count / items_count:.2f} each) in {gen_s:.1f} s (not timed)")
            queries = pick_queries(items)[:args.queries]
        t0 = time.perf_counter()
        result = bulk_load(r.db, ACTOR, COMMUNE_CODE, items)
        ours_times.append(time.perf_counter() - t0)
        del items
        print(f"  ours   #{attempt + 1}: bulk_load {ours_times[-1]:8.2f} s")
        if attempt == 0:
            reg = r
            t0 = time.perf_counter()
            rows = Rows(database_path(home), result.load_id)
            batches = rows.batches(bulk.BATCH)
            print(f"  (read back our rows as floor tuples in {time.perf_counter() - t0:.1f} s, not timed)")
        else:
            r.close()
            shutil.rmtree(home, ignore_errors=True)
        assert rows is not None
        for strict, sink, label in ((False, floor_times, "floor "), (True, strict_times, "strict")):
            fhome = work / f"floor-{attempt}-{label.strip()}"
            freg = fresh_register(fhome)
            sink.append(floor_load(freg, rows, batches, strict))
            print(f"  {label} #{attempt + 1}: executemany {sink[-1]:8.2f} s")
            if attempt == 0 and strict:
                mine, theirs = table_counts(database_path(home)), table_counts(database_path(fhome))
                if mine != theirs:
                    print(f"  WARNING: row counts differ: ours {mine}, strict floor {theirs}")
            freg.close()
            shutil.rmtree(fhome, ignore_errors=True)
        sys.stdout.flush()
    assert reg is not None and rows is not None
    del rows

    ours_s, floor_s, strict_s = (statistics.median(t) for t in (ours_times, floor_times, strict_times))
    load_ratio, strict_ratio = ours_s / floor_s, ours_s / strict_s
    print(f"\nBULK LOAD  {items_count:,} households, {members_count:,} members, batch {bulk.BATCH}, "
          f"WAL + synchronous=NORMAL, one transaction (median of {len(ours_times)})")
    print(f"  ours   bulk_load (validate, derive, sort keys, FTS + audit rows, insert)  {ours_s:8.2f} s  "
          f"{items_count / ours_s:9,.0f} households/s")
    print(f"  floor  raw executemany: household + member rows only                    {floor_s:8.2f} s  "
          f"ratio {load_ratio:5.2f}x  {verdict(load_ratio < LOAD_TARGET)} (target < {LOAD_TARGET:.0f}x)")
    print(f"  strict raw executemany: household + member + FTS + audit rows           {strict_s:8.2f} s  "
          f"ratio {strict_ratio:5.2f}x  ({verdict(strict_ratio < LOAD_TARGET)} against the same target)")

    print(f"\nSEARCH  SearchService.search(HouseholdFilter(text=q), limit={PAGE}) vs bare sqlite3, "
          f"median of {args.repeat} runs after a warm-up")
    print("  floor = count(*) of the FTS MATCH (the index holds exactly the live households) + the first "
          f"{PAGE} rows:\n          FTS MATCH joined to household and hamlet, ORDER BY head_sort, id, same 12 columns")
    print("  'same SQL' = the exact statements our service sent, replayed on a raw sqlite3 connection")
    results = bench_search(reg, queries, args.repeat)
    width = max(len(r["query"]) for r in results)
    print(f"  {'query':<{width}}  {'hits':>7}  {'ours ms':>8}  {'floor ms':>8}  {'ratio':>6}  {'same SQL ms':>11}")
    for r in results:
        print(f"  {r['query']:<{width}}  {r['hits']:>7,}  {r['ours']:>8.2f}  {r['floor']:>8.2f}  "
              f"{r['ours'] / r['floor']:>5.1f}x  {r['same']:>11.2f}")
    ours_med = statistics.median(r["ours"] for r in results)
    floor_med = statistics.median(r["floor"] for r in results)
    ratio_med = statistics.median(r["ours"] / r["floor"] for r in results)
    worst = max(results, key=lambda r: r["ours"])
    print(f"  median ours {ours_med:.2f} ms, median floor {floor_med:.2f} ms, median ratio {ratio_med:.2f}x "
          f"(ratio of medians {ours_med / floor_med:.2f}x); slowest: {worst['query']!r} {worst['ours']:.1f} ms")
    search_ok = ours_med < SEARCH_MS_TARGET and ratio_med < SEARCH_RATIO_TARGET
    load_ok = load_ratio < LOAD_TARGET

    print(f"\nSUMMARY  N={items_count:,}")
    print(f"  load   {ours_s:.2f} s vs floor {floor_s:.2f} s = {load_ratio:.2f}x (strict floor {strict_s:.2f} s = "
          f"{strict_ratio:.2f}x)  target < {LOAD_TARGET:.0f}x: {verdict(load_ok)}")
    print(f"  search median {ours_med:.2f} ms (target < {SEARCH_MS_TARGET:.0f} ms: "
          f"{verdict(ours_med < SEARCH_MS_TARGET)}), median ratio {ratio_med:.2f}x (target < "
          f"{SEARCH_RATIO_TARGET:.0f}x: {verdict(ratio_med < SEARCH_RATIO_TARGET)})")
    print(f"  overall: {verdict(load_ok and search_ok)}")
    reg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
