"""Reading a record id from a query string or form field that nobody validated."""

import re

_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True) and within a bigint
# Every id column is a Postgres bigint: a larger number can name no record, and writing it (the access log keeps
# the id asked for) would overflow.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id in `value`, or None when it is missing or not a plain positive whole number."""
    text = str(value) if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None


def is_storable_id(value: int) -> bool:
    """Whether `value` fits the bigint id columns."""
    return 0 <= value <= MAX_ID
