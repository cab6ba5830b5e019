"""Reading a record id from a query string or form field that nobody validated."""

import re

_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True) and within a bigint


def parse_id(value: object) -> int | None:
    """The id in `value`, or None when it is missing or not a plain positive whole number."""
    text = str(value) if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None
