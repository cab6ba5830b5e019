"""The load benchmark behind `make bench`.

Loads a large fictional data set into its own database and measures each page in-process against its target
(manage.py bench_plan). Then it serves the app with gunicorn on 127.0.0.1 and
- drives each page with wrk from a separate process at a fixed concurrency (every request renders the page), and
- runs a mixed workload: N staff, each with their own session and role, sign in through the real form and work
  for a fixed time (their pupil list, their own pupils' pages, meetings, notifications, the triage queue for the
  DSL and leaders, the dashboard for senior leaders, one request in eight a write).
Both print p50/p95 per page and each page's p95 as a multiple of the trivial signed-in page's p95 in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
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
    parser.add_argument("--staff", type=int, default=12, help="people signed in at once in the mixed workload")
    parser.add_argument("--mixed-seconds", type=int, default=60, help="how long the mixed workload runs")
    parser.add_argument("--mixed-max-requests", type=int, default=20000, help="stop the mixed workload after these")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the mixed workload's choices")
    parser.add_argument("--no-wrk", action="store_true", help="skip the per-page wrk runs")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed workload")
    args = parser.parse_args()

    env = os.environ | {
        "DATABASE_URL": f"postgres://postgres:postgres@127.0.0.1:5432/{args.database}",
        "DEBUG": "False",
        "SECURE": "False",
        "STATIC_MANIFEST": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # No second factor: bench_plan signs in with force_login, and the mixed workload's staff through the
        # password form only (production requires one for the DSL, senior leaders and administrators).
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
    lines = [
        (
            f"Data set: seed_demo --pupils {args.pupils} (seeded in {seed_seconds:.0f}s if it was empty); "
            f"gunicorn {args.workers} workers; {os.cpu_count()} cores; load average before "
            f"{load_average()} (1/5/15 min). {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
        ),
        "",
        "In-process, one request at a time (manage.py bench_plan: median of 15 rounds, each page in turn):",
        "",
        plan["table"],
    ]
    if plan.get("pdf_ms") is not None:
        lines += ["", f"Action-plan PDF (the longest open plan): median {plan['pdf_ms']:.0f} ms to render, in-process."]
    if plan["missing"]:
        lines += ["", "Not measured (no such page in this build): " + ", ".join(plan["missing"]) + "."]
    with serve(env, args) as base:
        if not args.no_wrk:
            rows = drive_pages(base, plan, args)
            lines += ["", f"Each page on its own with wrk, {args.connections} connections for {args.seconds}s:", ""]
            lines += table(rows, args.seconds)
            if any(row["errors"] or row["bad_status"] for row in rows):
                lines += ["", "Errors: wrk timeouts (over 10 s) or socket errors, and answers other than 2xx/3xx."]
        if not args.no_mixed:
            run = mixed_workload(
                args.port,
                staff=args.staff,
                seconds=args.mixed_seconds,
                max_requests=args.mixed_max_requests,
                seed=args.seed,
            )
            lines += ["", f"Mixed workload, {args.staff} staff for {args.mixed_seconds}s:", "", *mixed_table(run)]
            lines += [f"Load average at the end: {load_average()} (1/5/15 min)."]
    report = "\n".join(lines)
    print(report)
    if args.write:
        args.write.write_text("# Benchmarks\n\nMade by `make bench`.\n\n" + report + "\n")


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


@contextlib.contextmanager
def serve(env: dict[str, str], args: argparse.Namespace) -> Iterator[str]:
    """gunicorn on 127.0.0.1 for the duration; yields its base URL."""
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
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def drive_pages(base: str, plan: dict, args: argparse.Namespace) -> list[dict]:
    """Drive each planned page that is a plain GET: a 2-second warm-up, then the measured run."""
    rows = []
    for page in plan["pages"]:
        if page.get("kind", "get") != "get":
            continue  # a save is measured in-process and in the mixed workload, not replayed by wrk
        drive(base + page["path"], cookie=page["cookie"], seconds=2, connections=args.connections)
        figures = drive(base + page["path"], cookie=page["cookie"], seconds=args.seconds, connections=args.connections)
        rows.append(page | figures)
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


# The mixed workload: a team's morning ----------------------------------------------------------------------------

# Who signs in, in this order (the demo cast from demo/seed.py): every role, more hands-on staff than leaders.
STAFF = (
    ("dsl", "dsl"), ("head", "senior_leader"), ("teacher1", "staff"), ("salt", "specialist"),
    ("familyworker", "family_worker"), ("deputy", "senior_leader"), ("dsl2", "dsl"), ("teacher2", "staff"),
    ("camhs", "specialist"), ("pso1", "staff"), ("teacher3", "staff"), ("yjs", "specialist"),
    ("pso2", "staff"), ("earlyhelp", "specialist"), ("edpsych", "specialist"), ("careers", "specialist"),
)  # fmt: skip
DEMO_PASSWORD = "demo-pru-2026"  # demo/seed.py DEMO_PASSWORD: every seeded account's password
WRITE_SHARE = 8  # one request in eight is a write
BASELINE = "trivial page (/ping/)"
PUPIL_LINK = re.compile(r'href="/pupils/(\d+)/"')
MEETING_LINK = re.compile(r'href="/meetings/(\d+)/"')
ACTION_LINK = re.compile(r'href="/meetings/actions/(\d+)/"')
LAST_PAGE = re.compile(r"[?&;]page=(\d+)")
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"|name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One person's browser: a keep-alive connection to 127.0.0.1, their cookies, the last page's CSRF token."""

    def __init__(self, port: int, results: dict[str, list], errors: dict[str, int], lock: threading.Lock):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.results, self.errors, self.lock = results, errors, lock

    def request(self, page: str, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """One timed request, recorded under `page`: status, body and the Location it redirects to."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf}
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.errors[page] = self.errors.get(page, 0) + 1
            return 0, "", ""
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        found = CSRF_IN_PAGE.search(text)
        if found:
            self.csrf = found.group(1) or found.group(2)
        with self.lock:
            self.results.setdefault(page, []).append(elapsed)
            if response.status >= 400:
                self.errors[page] = self.errors.get(page, 0) + 1
        return response.status, text, response.getheader("Location") or ""

    def sign_in(self, username: str, password: str) -> bool:
        """Through the real sign-in form: fetch it (CSRF cookie and token), post it, land on the home page."""
        self.request("sign-in form", "GET", "/account/login/")
        status, _text, location = self.request(
            "sign in", "POST", "/account/login/", {"login": username, "password": password}
        )
        if status != 302 or "/login" in location:
            return False
        status, _text, _location = self.request("home page", "GET", "/")
        return status == 200


class Worker:
    """One member of staff working through the morning: reads, and one request in eight a write."""

    def __init__(self, session: Session, role: str, rng: random.Random):
        self.session, self.role, self.rng = session, role, rng
        self.pupils: list[str] = []
        self.meetings: list[str] = []
        self.actions: list[str] = []
        self.list_pages = 1
        self.turn = 0

    def harvest(self, text: str) -> None:
        self.pupils = sorted(set(self.pupils) | set(PUPIL_LINK.findall(text)))[-400:]
        self.actions = sorted(set(self.actions) | set(ACTION_LINK.findall(text)))[-200:]

    def pupil_list(self) -> None:
        page = self.rng.randint(1, self.list_pages)
        _status, text, _ = self.session.request("pupil list", "GET", f"/pupils/?page={page}")
        self.list_pages = max([self.list_pages, *(int(n) for n in LAST_PAGE.findall(text))])
        self.harvest(text)

    def pupil_page(self) -> None:
        if not self.pupils:
            return self.pupil_list()
        _status, text, _ = self.session.request("pupil page", "GET", f"/pupils/{self.rng.choice(self.pupils)}/")
        self.harvest(text)

    def meeting_pages(self) -> None:
        if not self.meetings or self.rng.random() < 0.3:
            _status, text, _ = self.session.request("meeting list", "GET", "/meetings/")
            self.meetings = MEETING_LINK.findall(text)[:20]
            return
        meeting = self.rng.choice(self.meetings)
        if self.role in ("dsl", "senior_leader"):
            self.session.request("MDT meeting screen", "GET", f"/meetings/{meeting}/screen/")
        else:
            self.session.request("meeting page", "GET", f"/meetings/{meeting}/")

    def write(self) -> None:
        """Log a concern about one of their pupils, or record progress on an action; then the page it redirects to."""
        if self.actions and self.rng.random() < 0.5:
            action = self.rng.choice(self.actions)
            self.session.request("action page", "GET", f"/meetings/actions/{action}/")
            status, _text, location = self.session.request(
                "save: action progress", "POST", f"/meetings/actions/{action}/progress/",
                {"text": "Spoke to the family; next step agreed."},
            )  # fmt: skip
        elif self.pupils:
            pupil = self.rng.choice(self.pupils)
            self.session.request("concern log form", "GET", f"/pupils/concerns/new/?pupil={pupil}")
            status, _text, location = self.session.request(
                "save: log a concern", "POST", "/pupils/concerns/new/",
                {"pupil": pupil, "category": "behaviour", "seen": "Unsettled after break; talked it through.",
                 "occurred_at": ""},
            )  # fmt: skip
        else:
            return self.pupil_list()
        if status == 302 and location.startswith("/"):
            _status, text, _ = self.session.request("page after a save", "GET", location)
            self.harvest(text)

    def step(self) -> None:
        self.turn += 1
        if self.turn % WRITE_SHARE == 0:
            return self.write()
        reads = [
            (self.pupil_page, 4), (self.pupil_list, 2), (self.meeting_pages, 1),
            (lambda: self.session.request("notifications", "GET", "/account/notifications/"), 1),
            (lambda: self.session.request("home page", "GET", "/"), 1),
            (lambda: self.session.request(BASELINE, "GET", "/ping/"), 1),
        ]  # fmt: skip
        if self.role in ("dsl", "senior_leader"):
            reads.append((lambda: self.session.request("triage queue", "GET", "/referrals/triage/"), 1))
        if self.role == "senior_leader":
            reads.append((lambda: self.session.request("oversight dashboard", "GET", "/oversight/"), 1))
        action = self.rng.choices([read for read, _ in reads], weights=[weight for _, weight in reads])[0]
        action()


def mixed_workload(port: int, *, staff: int, seconds: int, max_requests: int, seed: int) -> dict:
    """`staff` people sign in through the form, then each works in their own thread for `seconds`."""
    results: dict[str, list] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    signed_in, failed = [], []
    for index, (username, role) in enumerate((STAFF * (staff // len(STAFF) + 1))[:staff]):
        session = Session(port, results, errors, lock)
        if session.sign_in(username, DEMO_PASSWORD):
            signed_in.append(Worker(session, role, random.Random(seed + index)))
        else:
            failed.append(username)
    if failed:
        sys.exit(f"bench: could not sign in through the form as {', '.join(failed)}")
    for name in ("sign-in form", "sign in", "home page"):  # signing in is not part of the morning's figures
        results.pop(name, None)
        errors.pop(name, None)
    deadline = time.monotonic() + seconds
    budget = [max_requests]

    def work(worker: Worker) -> None:
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            worker.step()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(worker,)) for worker in signed_in]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"results": results, "errors": errors, "seconds": elapsed, "staff": len(signed_in)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def mixed_table(run: dict) -> list[str]:
    results, errors = run["results"], run["errors"]
    baseline = percentile(results[BASELINE], 0.95) if results.get(BASELINE) else None
    total = sum(len(values) for values in results.values())
    lines = [
        "| page | requests | p50 ms | p95 ms | p95 / trivial page p95 | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(results, key=lambda n: (n != BASELINE, n)):
        values = results[name]
        p95 = percentile(values, 0.95)
        ratio = f"{p95 / baseline:.2f}" if baseline else "–"
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 0.5):.1f} | {p95:.1f} | {ratio} | {errors.get(name, 0)} |"
        )
    lines += [
        "",
        (
            f"{run['staff']} staff signed in through the form; {total} requests in {run['seconds']:.0f}s = "
            f"{total / run['seconds']:.1f} requests/s; {sum(errors.values())} errors (4xx/5xx or no answer)."
        ),
    ]
    return lines


if __name__ == "__main__":
    main()
