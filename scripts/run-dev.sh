#!/usr/bin/env bash
# Starts the web server, a Celery worker and Celery beat; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
mkdir -p var
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A pru_cases worker --loglevel=INFO --concurrency=2 >var/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A pru_cases beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/beat.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn pru_cases.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --access-logfile - >var/web.log 2>&1 &
pids+=($!)

for _ in $(seq 1 40); do curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
.venv/bin/python manage.py seed_demo --logins
cat <<MSG

pru_cases is running at http://127.0.0.1:${PORT}/
Logs: var/web.log, var/worker.log, var/beat.log. Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
