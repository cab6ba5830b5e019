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
    base = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "weakening", [{"SECRET_KEY": "django-insecure-dev-only"}, {"DEBUG": "True"}, {"SECURE": "False"}]
)
def test_check_deploy_catches_a_weakened_setting(weakening):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION | weakening)
    assert result.returncode != 0


def test_a_bad_boolean_setting_fails_loudly():
    result = _manage("check", env=PRODUCTION | {"DEBUG": "yes"})
    assert result.returncode != 0
    assert "DEBUG='yes': use True or False" in result.stderr


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with only `env` on top of the machine's own environment."""
    base = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))",
        ],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "pru_cases.settings"} | env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("key", [None, "", "django-insecure-dev-only"])
def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(key):
    env = (
        PRODUCTION | {"SECRET_KEY": key}
        if key is not None
        else {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    )
    result = _settings_import(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_with_a_secret_key_of_its_own():
    result = _settings_import(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(PRODUCTION["SECRET_KEY"]))


def test_a_developer_machine_starts_without_a_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"} | {"DEBUG": "True"}
    assert _settings_import(env).returncode == 0
