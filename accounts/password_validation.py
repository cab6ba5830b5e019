"""Password checks beyond Django's own (AUTH_PASSWORD_VALIDATORS): words anyone could guess here, common passwords
dressed up with digits or symbols, and passwords that are a repeat or a run of keys (ASVS 6.2.11, 6.2.12)."""

from __future__ import annotations

import re
from itertools import pairwise

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from accounts.models import Agency, Site

# Always guessable here, whatever the deployment is called.
FIXED_WORDS = ("pru", "safeguarding", "safeguard", "pupil", "referral", "cases")

# Digits and symbols people use for letters: "s4feguard1ng", "m1llbr00k".
_LEET = [str.maketrans("013457@$!", "oieastasi"), str.maketrans("013457@$!", "oleastasl")]
_WORD = re.compile(r"[a-z0-9]+")
# Keys that follow each other: the alphabet, digits (0 after 9) and the keyboard rows.
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm")


def _variants(text: str) -> set[str]:
    lowered = text.lower()
    return {lowered, *(lowered.translate(table) for table in _LEET)}


def _words(*names: str, shortest: int = 3) -> set[str]:
    """The words of `names` (and each name run together), lower case, at least `shortest` characters."""
    found = set()
    for name in names:
        parts = _WORD.findall((name or "").lower())
        found.update(part for part in parts if len(part) >= shortest)
        joined = "".join(parts)
        if len(joined) >= shortest:
            found.add(joined)
    return found


def context_words(user=None) -> set[str]:
    """What someone guessing a password here would try first: the organisation's name, the centres' names and
    codes, the PRU's own agency name, the person's username and names, and the words of the trade."""

    names = [settings.ORGANISATION_NAME]
    for name, code in Site.objects.values_list("name", "code"):
        names += [name, code]
    names += list(Agency.objects.filter(kind=Agency.Kind.PRU).values_list("name", flat=True))
    if user is not None:
        email = getattr(user, "email", "") or ""
        names += [
            getattr(user, "username", "") or "",
            getattr(user, "first_name", "") or "",
            getattr(user, "last_name", "") or "",
            email.split("@")[0],
        ]
    return _words(*names) | set(FIXED_WORDS)


class ContextWordsValidator:
    """Refuses a password that is mostly words anyone could guess here ("millbrook-pru-2026", "safeguarding2026"):
    once those words, separators and symbols are taken out, fewer than `min_own_characters` remain."""

    def __init__(self, min_own_characters: int = 8):
        self.min_own_characters = min_own_characters

    def validate(self, password: str, user=None) -> None:
        words = sorted(context_words(user), key=len, reverse=True)
        for text in _variants(password):
            remainder = text
            for word in words:
                remainder = remainder.replace(word, " ")
            if remainder != text and len(re.sub(r"[^a-z0-9]", "", remainder)) < self.min_own_characters:
                raise ValidationError(
                    "This password is mostly words anyone could guess here: the organisation's or a centre's name, "
                    "your own name or username, or words like “safeguarding” or “PRU”. "
                    f"Add at least {self.min_own_characters} characters of your own.",
                    code="password_context_words",
                )

    def get_help_text(self) -> str:
        return (
            "Your password can't be mostly the organisation's or a centre's name, your name or username, "
            "or words like “safeguarding”."
        )


class PatternPasswordValidator:
    """Refuses passwords that are one character or a short pattern repeated ("aaaaaaaaaaaa", "abcabcabcabc") or a
    run of keys ("abcdefghijkl", "123456789012", "qwertyuiopas"), allowing `max_breaks` places where the run
    restarts."""

    def __init__(self, min_distinct: int = 5, max_breaks: int = 1):
        self.min_distinct = min_distinct
        self.max_breaks = max_breaks

    @staticmethod
    def _follows(a: str, b: str) -> bool:
        if a == b:
            return True
        return any(a + b in run or b + a in run for run in _RUNS)

    def validate(self, password: str, user=None) -> None:
        text = password.lower()
        breaks = sum(1 for a, b in pairwise(text) if not self._follows(a, b))
        if len(set(text)) < self.min_distinct or re.fullmatch(r"(.+?)\1+", text) or breaks <= self.max_breaks:
            raise ValidationError(
                "This password is a repeat or a run of keys (like “aaaaaaaaaaaa” or “123456789012”), "
                "which is among the first things guessed.",
                code="password_pattern",
            )

    def get_help_text(self) -> str:
        return "Your password can't be a repeated character or pattern, or a run of keys such as “abcdef” or “123456”."


class CommonPasswordVariantsValidator(CommonPasswordValidator):
    """Django's list of 20,000 common passwords (taken from breached password sets), also checked with the
    digits and symbols people add at either end, and digits used for letters, taken off: "Password2026!",
    "dr4gon123456"."""

    def validate(self, password: str, user=None) -> None:
        text = password.lower().strip()
        core = re.sub(r"^[^a-z]+|[^a-z]+$", "", text)
        for candidate in {text, *_variants(core)}:
            if candidate in self.passwords:
                raise ValidationError(
                    "This password is a common password with a few characters added: it is among the first "
                    "things guessed.",
                    code="password_too_common",
                )

    def get_help_text(self) -> str:
        return "Your password can't be a commonly used password, even with digits or symbols added."
