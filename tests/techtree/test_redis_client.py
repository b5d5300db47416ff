"""The Redis cache keeps one client per connection pool instead of one per call.

Building a `redis.Redis` connects nothing, so the reuse is checked without a server; the
round trip through a real server (and from many threads) runs when REDIS_URL is set.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from techtree.cache import RedisCache, RedisCacheClient

PRIMARY, REPLICA = "redis://127.0.0.1:1/0", "redis://127.0.0.1:2/0"


def test_each_pool_is_wrapped_in_one_client():
    client = RedisCacheClient([PRIMARY, REPLICA])
    writer = client.get_client(write=True)
    reader = client.get_client()
    assert writer is client.get_client("any key", write=True)
    assert reader is client.get_client()
    assert writer is not reader  # writes go to the primary, reads to the replica
    assert writer.connection_pool.connection_kwargs["port"] == 1
    assert reader.connection_pool.connection_kwargs["port"] == 2


def test_the_cache_uses_that_client():
    cache = RedisCache(PRIMARY, {})
    assert isinstance(cache._cache, RedisCacheClient)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set (CI sets it)")
def test_one_client_serves_many_threads():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "redis-client-test"})
    cache.clear()

    def round_trip(n: int) -> int:
        cache.set(f"n{n}", n * n)
        return cache.get(f"n{n}")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(round_trip, range(200))) == [n * n for n in range(200)]
    assert cache.incr("n3", 1) == 10
    cache.clear()
