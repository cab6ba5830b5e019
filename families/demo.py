"""Fictional families demo data, called by pupils.demo.seed after the pupils exist."""

from __future__ import annotations

import random

from accounts.models import User
from pupils.models import Pupil


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User]) -> None:
    return None
