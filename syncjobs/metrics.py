"""Prometheus metrics: in-process timings, and DB-derived gauges read at scrape time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

DURATION_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"))
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, float("inf"))


class Metrics:
    """One registry per app (no module-level state), scraped at GET /metrics.

    Under `serve --workers N` the counters live in prometheus_client's
    multiprocess files (PROMETHEUS_MULTIPROC_DIR, set by `serve`), so a scrape
    answered by any worker sums every worker's counts.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._gauges: list[Collector] = []
        self.finished = Counter(
            "syncjobs_executions_finished", "executions ended by this process, by status",
            ["status"], registry=self.registry)
        self.duration = Histogram(
            "syncjobs_execution_duration_seconds", "execution duration, queued or started to end",
            buckets=DURATION_BUCKETS, registry=self.registry)
        self.records = Counter(
            "syncjobs_records_synced", "records written to destinations",
            registry=self.registry)
        self.lag = Histogram(
            "syncjobs_scheduler_lag_seconds", "scheduled slot to execution start",
            buckets=LAG_BUCKETS, registry=self.registry)
        self.step = Histogram(
            "syncjobs_step_duration_seconds", "duration of sync-job steps", ["step"],
            buckets=DURATION_BUCKETS, registry=self.registry)

    def ended(self, status: str, duration_ms: int | None) -> None:
        self.finished.labels(status).inc()
        if duration_ms is not None:
            self.duration.observe(duration_ms / 1000)

    def watch(self, read: Callable[[], dict[str, Any]]) -> None:
        """Gauges computed when scraped: `read()` returns {status: count, queue_depth: n}."""
        gauges = _DbGauges(read)
        self._gauges.append(gauges)
        self.registry.register(gauges)

    def render(self) -> bytes:
        shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not shared:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=shared)  # type: ignore[no-untyped-call]
        for gauges in self._gauges:
            registry.register(gauges)
        return generate_latest(registry)


class _DbGauges(Collector):
    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            values = self._read()
        except Exception:  # a scrape must not fail because the DB is down
            return
        by_status = GaugeMetricFamily(
            "syncjobs_executions", "executions in the metadata DB, by status", labels=["status"])
        for status, count in sorted(values.get("executions", {}).items()):
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily("syncjobs_active_runs", "executions queued or running",
                                value=values.get("active", 0))
        if "queue_depth" in values:
            yield GaugeMetricFamily("syncjobs_engine_queue_depth",
                                    "work items waiting in the embedded engine's queue",
                                    value=values["queue_depth"])
