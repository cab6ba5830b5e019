#!/usr/bin/env bash
# Creates the database named in DATABASE_URL if it does not exist yet.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python - <<'PY'
import os
import sys

import dj_database_url
import psycopg
from psycopg import sql

config = dj_database_url.parse(os.environ["DATABASE_URL"])
params = dict(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"], password=config["PASSWORD"] or None)
try:
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"==> Created database {config['NAME']}")
except psycopg.OperationalError as error:
    sys.exit(f"pru_cases: cannot reach PostgreSQL for {config['NAME']}: {error}".strip())
PY
