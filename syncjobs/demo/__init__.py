"""The first-run demo: a small REST API served by syncjobs itself, and a job that syncs it."""

from syncjobs.demo.api import router
from syncjobs.demo.setup import DemoInfo, ensure_demo

__all__ = ["DemoInfo", "ensure_demo", "router"]
