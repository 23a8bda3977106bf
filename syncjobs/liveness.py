"""Is the process behind a lease owner id `host:pid[:...]` gone? Only this host can tell."""

from __future__ import annotations

import os
import socket


def owner_id(*parts: object) -> str:
    """`host:pid[:parts...]`, the form `dead_here` understands."""
    return ":".join([socket.gethostname(), str(os.getpid()), *map(str, parts)])


def dead_here(owner: str) -> bool:
    """True when `owner` names a process of this host that no longer exists.

    A lease held by a process killed with SIGKILL can then be taken over at once
    instead of waiting for it to expire; owners on other hosts are never judged.
    """
    host, _, rest = owner.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False
