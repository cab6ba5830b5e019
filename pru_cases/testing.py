"""Real services for tests: a redis-server of our own and real Celery worker processes.

The machine's shared Redis on 6379 is never stopped or flushed by a test; fault tests start their own
server on a free port and stop it under the app. Workers are separate processes that talk to the test
database, so tests that use them need ``@pytest.mark.django_db(transaction=True)`` (the worker only
sees committed rows).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], object],
    *,
    timeout: float = 30,
    interval: float = 0.1,
    what: str = "",
) -> object:
    """Poll until ``predicate()`` is truthy and return its value; fail the test with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what or predicate}")
        time.sleep(interval)


class RedisServer:
    """A redis-server on a free port that keeps nothing on disk. ``stop()`` and ``start()`` model an outage;
    the port stays the same, so URLs handed out earlier work again after a restart."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> "RedisServer":
        if self.running:
            return self
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (the Makefile installs it)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                return bool(self.client.ping())
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=15, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.running:
            self.process.terminate()
            self.process.wait(timeout=10)


def current_database_url() -> str:
    """The URL of the database this test runs against (pytest-django's test database, not the dev one)."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{params['NAME']}"


class CeleryWorker:
    """``celery worker`` in its own process (solo pool, one task at a time) against the test database."""

    def __init__(self, broker_url: str, log_path: Path, extra_env: dict[str, str], app: str = "pru_cases"):
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path
        env = os.environ.copy()
        env.update(
            DJANGO_SETTINGS_MODULE="pru_cases.settings",
            DATABASE_URL=current_database_url(),
            REDIS_URL=broker_url,
            PYTHONUNBUFFERED="1",
            PRIVATE_FILES_DIR=str(settings.MEDIA_ROOT),
        )
        env.update(extra_env)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool",
            "solo",
        ]
        command += [
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            self.name,
            "-l",
            "INFO",
        ]
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed in stop/kill)
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            timeout=60,
            what="the worker",
        )
        if self.process.poll() is not None:
            pytest.fail(f"the Celery worker exited at start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """A warm shutdown: the worker finishes its current task, then exits."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def kill(self) -> None:
        """What the OOM killer or a pulled plug does: no chance to ack, requeue or clean up."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def private_redis(tmp_path_factory) -> RedisServer:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def celery_worker(tmp_path_factory):
    """Start real workers: ``celery_worker(broker_url, SOME_SETTING="value")``; all are stopped afterwards.
    Extra keyword arguments become the worker's environment (settings read from the environment); ``app`` names
    another Celery app module (a test's wrapper around the production one)."""
    started: list[CeleryWorker] = []
    directory = tmp_path_factory.mktemp("celery")

    def start(broker_url: str, *, app: str = "pru_cases", **extra_env: str) -> CeleryWorker:
        worker = CeleryWorker(broker_url, directory / f"worker-{len(started)}.log", extra_env, app)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=5)
