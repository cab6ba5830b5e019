"""Reading settings from the environment: every helper fails loudly on a bad value."""

import os

from django.core.exceptions import ImproperlyConfigured


def envstr(name: str, default: str) -> str:
    return os.getenv(name, default)


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name}={value!r}: use True or False")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: use a whole number") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]
