"""Inngest's hard limits: break one here and it fails here too, with the limit named."""

from __future__ import annotations

MAX_STEP_OUTPUT_BYTES = 4 * 1024 * 1024
MAX_STEPS_PER_RUN = 1000
MAX_EVENT_BYTES = 512 * 1024


class LimitExceeded(Exception):
    """A run or an event broke one of Inngest's limits."""


def step_output_error(step: str, size: int) -> str:
    return (
        f"step {step!r} returned {size:,} bytes: over Inngest's 4 MB step output limit "
        "(return less data from the step, e.g. store it and return a reference)"
    )


def step_count_error() -> str:
    return (
        f"the run reached Inngest's limit of {MAX_STEPS_PER_RUN:,} steps per run "
        "(split the work into several runs, e.g. with send_event or invoke)"
    )


def event_size_error(name: str, size: int) -> str:
    return (
        f"event {name!r} is {size:,} bytes: over Inngest's 512 KB event size limit "
        "(send ids in the event and load the data in a step)"
    )
