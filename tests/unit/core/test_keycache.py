"""The per-process memory of which workspace an API key opens."""

from __future__ import annotations

import time

from syncjobs.store.keycache import MAX_ENTRIES, KeyCache
from syncjobs.store.workspaces import hash_key


def test_a_found_key_is_remembered_for_ttl_seconds_only() -> None:
    cache = KeyCache(ttl=0.2)
    one = hash_key("sjk_one")
    assert cache.get(one) is None  # never seen: ask the database
    cache.put(one, "ws_a")
    assert cache.get(one) == "ws_a"
    assert cache.get(hash_key("sjk_two")) is None  # another key is not taken for it
    time.sleep(0.25)
    assert cache.get(one) is None  # a key removed from the DB stops working by then


def test_keys_are_kept_as_digests_and_the_memory_is_bounded() -> None:
    cache = KeyCache()
    cache.put(hash_key("sjk_secret-value"), "ws_a")
    assert list(cache._found) == [hash_key("sjk_secret-value")]  # the digest only
    for n in range(MAX_ENTRIES + 5):
        cache.put(hash_key(f"sjk_{n}"), "ws_a")
    assert len(cache._found) <= MAX_ENTRIES
