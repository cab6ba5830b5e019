"""The load benchmark behind `make bench`.

Loads a large fictional data set into its own database, serves the app with gunicorn, drives each page with
wrk from a separate process at a fixed concurrency, and prints p50/p95 per page, each page's p95 as a multiple
of the trivial signed-in page's p95, the queries each page makes, and its in-process server time.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"bench: the server did not answer {url} within {seconds:.0f}s")


def drive(url: str, *, cookie: str, seconds: int, connections: int) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "scripts" / "wrk_report.lua"),
        url,
    ]
    output = subprocess.run(
        command, env=os.environ | {"BENCH_COOKIE": cookie}, check=True, text=True, capture_output=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=15, help="how long wrk drives each page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2)
    parser.add_argument("--database", default="pru_bench")
    parser.add_argument("--write", type=Path, help="also write the figures as Markdown to this file")
    args = parser.parse_args()

    env = os.environ | {
        "DATABASE_URL": f"postgres://postgres:postgres@127.0.0.1:5432/{args.database}",
        "DEBUG": "False",
        "SECURE": "False",
        "STATIC_MANIFEST": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # The benchmark signs in with force_login, without a second factor.
        "MFA_REQUIRED_ROLES": "",
        "MFA_REQUIRED_FOR_EVERYONE": "False",
        # DEBUG is off, so the settings need a key: one for this run, shared by the cookies and the server.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }
    subprocess.run([str(ROOT / "scripts" / "ensure-database.sh")], env=env, check=True)
    manage("migrate", "--no-input", "-v0", env=env)
    started = time.monotonic()
    print(manage("seed_demo", "--pupils", str(args.pupils), "--if-empty", env=env, capture=True).strip())
    seed_seconds = time.monotonic() - started

    plan = json.loads(manage("bench_plan", "--user", "dsl", env=env, capture=True).strip().splitlines()[-1])
    passes = [("Each page on its own (every view renders)", drive_pages(env, plan, args))]
    load = " / ".join(f"{n:.2f}" for n in os.getloadavg())
    lines = [
        (
            f"Data set: seed_demo --pupils {args.pupils} (seeded in {seed_seconds:.0f}s if it was empty); "
            f"wrk {args.connections} connections for {args.seconds}s per page; gunicorn {args.workers} workers; "
            f"{os.cpu_count()} cores; load average at the end {load} (1/5/15 min). {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
        ),
    ]
    for title, rows in passes:
        lines += ["", f"{title}:", "", *table(rows, args.seconds)]
    if any(row["errors"] or row["bad_status"] for _title, rows in passes for row in rows):
        lines += ["", "Errors: wrk timeouts (over 10 s) or socket errors, and answers other than 2xx/3xx."]
    lines += ["", "Server ms: one request in-process (manage.py bench_plan), median of 15."]
    if plan.get("pdf_ms") is not None:
        lines += ["", f"Action-plan PDF (the longest open plan): median {plan['pdf_ms']:.0f} ms to render, in-process."]
    if plan["missing"]:
        lines += ["", "Not measured (no such page in this build): " + ", ".join(plan["missing"]) + "."]
    report = "\n".join(lines)
    print(report)
    if args.write:
        args.write.write_text("# Benchmarks\n\nMade by `make bench`.\n\n" + report + "\n")


def drive_pages(env: dict[str, str], plan: dict, args: argparse.Namespace) -> list[dict]:
    """Serve the app with gunicorn in `env` and drive each planned page: a 2-second warm-up, then the measured run."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "pru_cases.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        for page in plan["pages"]:
            drive(base + page["path"], cookie=page["cookie"], seconds=2, connections=args.connections)
            figures = drive(
                base + page["path"], cookie=page["cookie"], seconds=args.seconds, connections=args.connections
            )
            rows.append(page | figures)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def table(rows: list[dict], seconds: int) -> list[str]:
    baseline = rows[0]["p95_ms"]
    lines = [
        "| page | p50 ms | p95 ms | p95 / baseline p95 | requests/s | errors | queries | server ms (one request) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p95_ms'] / baseline:.2f} | "
            f"{row['requests'] / seconds:.0f} | {row['errors'] + row['bad_status']} | {row['queries']} | "
            f"{row['server_ms']:.1f} |"
        )
    return lines


if __name__ == "__main__":
    main()
