"""Lease owners whose process died on this host are recognised; others never are."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from syncjobs.liveness import dead_here, owner_id


def test_a_finished_process_is_dead_here() -> None:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    assert dead_here(f"{socket.gethostname()}:{child.stdout.strip()}:0")


def test_live_self_and_foreign_owners_are_not_dead() -> None:
    assert not dead_here(owner_id("x"))  # this very process
    assert not dead_here(f"{socket.gethostname()}:1:x")  # pid 1 is alive
    assert not dead_here(f"another-host:{os.getpid() + 100000}:x")  # cannot tell: not judged
    assert not dead_here("garbage")
