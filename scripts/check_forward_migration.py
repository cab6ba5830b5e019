"""Check that a database made by an earlier release migrates forward with every row and every history event kept.

1. Exports the base commit (MIGRATION_BASE, default: main before the concern log and the outcomes left the pupils app)
   into a temporary directory, builds a fresh database with its migrations and fills it with its own `seed_demo`.
2. Copies every table into a schema of its own in the same database (the whole table is the sample).
3. Migrates that database with this checkout's migrations.
4. Compares: each row of the copy is still there, column for column, and no table has fewer rows
   (content types only relabelled, django_migrations only grown; columns a later release adds are not compared), the
   same kinds of trigger are on the same tables, an update of a moved model still writes one history event, a
   delete is still refused, and `makemigrations --check` finds nothing to do.

Run by `make check-migrations` (and so by `make test`). Uses the database server in DATABASE_URL, with a database of
its own named <name>_migration_check, dropped at the start of each run and at the end of a passing one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get("MIGRATION_BASE", "beef869")
PUPILS = int(os.environ.get("MIGRATION_CHECK_PUPILS", "40"))
# Models that moved out of the pupils app: (new app label, model names as content types spell them).
MOVED = {
    "concerns": {"concern", "concernevent"},
    "outcomes": {
        *(
            f"{name}{suffix}"
            for name in (
                "sdqresponse",
                "attendancecode",
                "attendanceimport",
                "attendancemark",
                "attendanceweek",
                "readingtest",
                "passsurvey",
                "exclusion",
                "destinationfollowup",
                "familyfeedback",
            )
            for suffix in ("", "event")
        ),
        "oversightrefresh",
        "oversightreferral",
        "oversightreferralday",
        "oversightreferralmonth",
        "oversightsdq",
        "oversightattendance",
        "oversightattendancewindow",
        "oversightattendancetotal",
        "oversightreading",
        "oversightexclusion",
        "oversightdestination",
        "oversightfeedback",
    },
}
# Tables a migration is expected to change: compared on their own terms below.
OWN_TERMS = {"django_migrations", "django_content_type"}
KEPT = "before_migration"  # the schema holding a copy of every table as the base left it


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str) -> None:
    sys.exit(f"check-migrations: FAILED: {message}")


def manage(tree: Path, *args: str, env: dict[str, str]) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        fail(f"manage.py {' '.join(args)} in {tree}:\n{result.stdout}\n{result.stderr}")
    say(f"manage.py {' '.join(args)} ({tree.name}): {time.monotonic() - started:.0f}s")


def export_base(into: Path) -> Path:
    archive = into / "base.tar"
    with open(archive, "wb") as out:
        result = subprocess.run(["git", "archive", BASE], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        fail(f"cannot export {BASE} (a git clone with that commit is needed): {result.stderr.decode().strip()}")
    tree = into / "base"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    (tree / "static" / "vendor").mkdir(parents=True, exist_ok=True)  # the settings expect it; no page is served
    return tree


def tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    ).fetchall()
    return [name for (name,) in rows]


def count(conn: psycopg.Connection, table: str, schema: str = "public") -> int:
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))).fetchone()[0]


def columns(conn: psycopg.Connection, table: str) -> list[str]:
    query = "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
    return [name for (name,) in conn.execute(query + " ORDER BY ordinal_position", [table])]


def keep_copy(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Copy every table into the schema KEPT (the whole table is the sample); returns each table's columns."""
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(KEPT)))
    kept = {}
    for name in tables(conn):
        if name not in OWN_TERMS:
            copy = sql.SQL("CREATE TABLE {} AS TABLE {}").format(sql.Identifier(KEPT, name), sql.Identifier(name))
            conn.execute(copy)
            kept[name] = columns(conn, name)
    return kept


def rows_missing(conn: psycopg.Connection, table: str, kept_columns: list[str]) -> int:
    """Rows of the copy that the migrated table no longer holds, compared on the columns the copy has (a column a
    later migration adds does not count as a change; one it drops or fills differently does)."""
    row = sql.SQL("ROW({})::text").format(sql.SQL(", ").join(sql.Identifier(c) for c in kept_columns))
    query = sql.SQL("SELECT count(*) FROM (SELECT {row} FROM {kept} EXCEPT ALL SELECT {row} FROM {table}) missing")
    query = query.format(row=row, kept=sql.Identifier(KEPT, table), table=sql.Identifier(table))
    return conn.execute(query).fetchone()[0]


def content_types(conn: psycopg.Connection) -> dict[int, tuple[str, str]]:
    return {pk: (app, model) for pk, app, model in conn.execute("SELECT id, app_label, model FROM django_content_type")}


def triggers(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Table -> the kinds of trigger on it (the name without pgtrigger's per-label hash), sorted."""
    found: dict[str, list[str]] = {}
    for table, name in conn.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger_%' ORDER BY 1, 2"
    ):
        found.setdefault(table, []).append(name.rsplit("_", 1)[0])
    return {table: sorted(kinds) for table, kinds in found.items()}


def events_written_by_an_update(conn: psycopg.Connection, table: str, column: str) -> int:
    """Update one row of `table` and count the history events it wrote; rolled back."""
    with conn.transaction(force_rollback=True):
        row = conn.execute(sql.SQL("SELECT id FROM {} ORDER BY id LIMIT 1").format(sql.Identifier(table))).fetchone()
        if row is None:
            fail(f"{table} is empty after seed_demo: nothing to update")
        events = sql.Identifier(f"{table}event")
        before = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(events)).fetchone()[0]
        conn.execute(
            sql.SQL("UPDATE {} SET {} = {} || ' (checked)' WHERE id = %s").format(
                sql.Identifier(table), sql.Identifier(column), sql.Identifier(column)
            ),
            row,
        )
        return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(events)).fetchone()[0] - before


def delete_is_refused(conn: psycopg.Connection, table: str) -> bool:
    with conn.transaction(force_rollback=True):
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE id = (SELECT min(id) FROM {})").format(
                        sql.Identifier(table), sql.Identifier(table)
                    )
                )
        except psycopg.errors.RaiseException:
            return True
    return False


def main() -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"{config['NAME']}_migration_check"
    server = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"]}
    server["password"] = config["PASSWORD"] or None
    url = f"postgres://{config['USER']}:{config['PASSWORD']}@{config['HOST']}:{config['PORT']}/{name}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "True",
        "SECURE": "False",
        "STATIC_MANIFEST": "False",
        "MFA_REQUIRED_ROLES": "",
        "MFA_REQUIRED_FOR_EVERYONE": "False",
        "MAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    with tempfile.TemporaryDirectory(prefix="pru-migration-check-") as scratch:
        base = export_base(Path(scratch))
        say(f"Building the database at {BASE} with its own migrations and seed_demo --pupils {PUPILS}")
        manage(base, "migrate", "--no-input", "-v0", env=env)
        manage(base, "seed_demo", "--pupils", str(PUPILS), env=env)

    with psycopg.connect(url, autocommit=True) as conn:
        kept, types_before, triggers_before = keep_copy(conn), content_types(conn), triggers(conn)
        applied_before = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]

    say("Migrating it forward with this checkout's migrations")
    manage(ROOT, "migrate", "--no-input", "-v0", env=env)
    manage(ROOT, "makemigrations", "--check", "--dry-run", env=env)

    problems = []
    with psycopg.connect(url, autocommit=True) as conn:
        types_after, triggers_after = content_types(conn), triggers(conn)
        applied_after = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]

        now = set(tables(conn))
        rows = {"before": 0, "after": 0, "history": 0}
        for table, kept_columns in sorted(kept.items()):
            if table not in now:
                problems.append(f"table {table} is gone")
                continue
            lost = sorted(set(kept_columns) - set(columns(conn, table)))
            if lost:
                problems.append(f"table {table} lost its columns {lost}")
                continue
            before, after = count(conn, table, KEPT), count(conn, table)
            missing = rows_missing(conn, table, kept_columns)
            if missing:
                problems.append(f"table {table}: {before} rows before, {after} after, {missing} missing or changed")
            elif after != before:  # a data migration of a later release may add rows; losing one is what counts
                say(f"note: table {table} has {after - before} more rows than before")
            rows["before"] += before
            rows["after"] += after
            rows["history"] += after if table.endswith("event") else 0
        if applied_after <= applied_before:
            problems.append("no migration was applied: is MIGRATION_BASE the commit before the layout change?")

        expected = {}
        for pk, (app, model) in types_before.items():
            moved_to = next((label for label, models in MOVED.items() if app == "pupils" and model in models), None)
            expected[pk] = (moved_to or app, model)
        for pk in sorted(expected.keys() | types_after.keys()):
            if pk in expected and types_after.get(pk) != expected[pk]:
                problems.append(f"content type {pk}: {types_before[pk]} became {types_after.get(pk)}")

        for table, kinds in sorted(triggers_before.items()):
            if triggers_after.get(table) != kinds:
                problems.append(f"triggers on {table}: {kinds} before, {triggers_after.get(table)} after")

        for table, column in (("pupils_concern", "review_note"), ("pupils_sdqresponse", "help_detail")):
            written = events_written_by_an_update(conn, table, column)
            if written != 1:
                problems.append(f"an update of {table} wrote {written} history events, not 1")
        for table in ("pupils_concern", "pupils_sdqresponse", "pupils_pupil"):
            if not delete_is_refused(conn, table):
                problems.append(f"a delete from {table} was not refused")

        say(
            f"{len(kept)} tables compared row by row ({rows['after']:,} rows, {rows['history']:,} in history "
            f"tables); {sum(len(k) for k in triggers_after.values())} triggers on {len(triggers_after)} "
            f"tables; {len(types_after)} content types; {applied_after - applied_before} migrations applied"
        )

    if problems:
        fail("\n  " + "\n  ".join(problems) + f"\n(database {name} kept for a look)")
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    say("check-migrations: passed: every row and every history event kept, triggers in place and firing")


if __name__ == "__main__":
    main()
