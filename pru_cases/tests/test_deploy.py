import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "False",
    "SECURE": "True",
    "SECRET_KEY": "x7Lq-2vN9pR4sT8wY1zA3bC5dE6fG0hJ_kM2nP4qR6sT8vW0xZ",
    "ALLOWED_HOSTS": "cases.example-pru.org.uk",
    "CSRF_TRUSTED_ORIGINS": "https://cases.example-pru.org.uk",
    "MAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "STATIC_MANIFEST": "True",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test run's own development settings (pytest.ini) must not leak into "production".
    base = {key: value for key, value in os.environ.items() if key not in PRODUCTION and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("weakening", [{"SECRET_KEY": "django-insecure-dev-only"}, {"DEBUG": "True"}, {"SECURE": "False"}])
def test_check_deploy_catches_a_weakened_setting(weakening):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION | weakening)
    assert result.returncode != 0


def test_a_bad_boolean_setting_fails_loudly():
    result = _manage("check", env=PRODUCTION | {"DEBUG": "yes"})
    assert result.returncode != 0
    assert "DEBUG='yes': use True or False" in result.stderr
