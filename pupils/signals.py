"""Signals the pupils app sends for apps above it.

`pupil_figures_changed` is sent, inside the writer's transaction, by a write that changes what the oversight figures
count for some pupils (their centre, year or level of need, a referral and what follows it). Keyword argument:
`pupil_ids`. The outcomes app connects it in its `AppConfig.ready()` and records a refresh request in the same
transaction, so the request is kept or lost with the write itself.
"""

from django.dispatch import Signal

pupil_figures_changed = Signal()
