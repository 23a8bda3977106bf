"""Schedules: pure functions over cron text, IANA zones and UTC instants.

No I/O beyond reading the zone database, no web, engine or store imports.
The daylight-saving rule is documented once, in `syncjobs.schedule.fire_times`.
"""

from syncjobs.schedule.cron import describe, inngest_cron, validate_cron
from syncjobs.schedule.fire_times import (
    MAX_COUNT,
    next_fire_times,
    next_run_after,
    slots_between,
)
from syncjobs.schedule.zones import FireTime, to_local, validate_timezone

__all__ = [
    "MAX_COUNT",
    "FireTime",
    "describe",
    "inngest_cron",
    "next_fire_times",
    "next_run_after",
    "slots_between",
    "to_local",
    "validate_cron",
    "validate_timezone",
]
