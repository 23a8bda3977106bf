"""Retry backoff: Inngest's schedule plus up to 30 s of jitter, scaled for tests."""

from __future__ import annotations

import random

# Seconds before retry n (0-based); the last value repeats.
SCHEDULE = (15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200)
MAX_JITTER = 30.0


def backoff_seconds(attempt: int, scale: float = 1.0, rng: random.Random | None = None) -> float:
    """Delay before the retry that follows failed attempt `attempt` (0-based)."""
    base = SCHEDULE[min(max(attempt, 0), len(SCHEDULE) - 1)]
    jitter = (rng or random).random() * MAX_JITTER
    return (base + jitter) * scale
