"""The shared limiter: exact under concurrency, on the database cache and on Redis.

Each concurrent test races 160 hits through 12 threads, each with its own database
connection (on the database cache). Django's own DatabaseCache lets more
than the limit through here (its incr is a read then a write); ours must allow exactly 20.
The Redis variant runs when REDIS_URL is set (CI starts a Redis server) and is skipped
otherwise.
"""

from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from techtree import limits

pytestmark = pytest.mark.django_db(transaction=True)


def redis_caches() -> dict:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    return {"default": {"BACKEND": "techtree.cache.RedisCache", "LOCATION": url}}


def hit_waiting_for_sqlite(scope: str, key: str, limit: int, window: int) -> bool:
    """SQLite's in-memory test database reports locks at once; a file would wait for them.

    A failed incr is rolled back, so trying again never counts a hit twice.
    """
    deadline = time.monotonic() + 60
    while True:
        try:
            return limits.hit(scope, key, limit, window)
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.001, 0.02))


def concurrent_hits(count: int, limit: int, key: str) -> list[bool]:
    """`count` hits raced by 12 threads, each with its own database connection."""

    def one(_: int) -> bool:
        try:
            return hit_waiting_for_sqlite("test", key, limit, 60)
        finally:
            connection.close()

    with ThreadPoolExecutor(12) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {"default": settings.DATABASE_CACHE}  # whatever REDIS_URL says
    call_command("createcachetable")  # the suite may run on Redis (REDIS_URL) otherwise
    cache.clear()
    return cache


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = redis_caches()
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(params=["database", "redis"])
def shared_cache(request):
    return request.getfixturevalue(f"{request.param}_cache")


def test_exactly_the_limit_is_allowed_then_refused(shared_cache):
    assert [limits.hit("test", "ada", 3, 60) for _ in range(5)] == [True] * 3 + [False] * 2
    assert limits.hit("test", "grace", 3, 60)  # another key, another budget
    assert limits.hit("other-scope", "ada", 3, 60)  # another scope too


def test_a_client_is_counted_by_its_key_then_by_its_address(database_cache):
    def hit(key):
        return limits.hit_client("test", key, 2, "10.0.0.1", 3, 60)

    # One session spends its own budget; a refusal there leaves the address's budget alone.
    assert [hit("tab-1") for _ in range(3)] == [True, True, False]
    # A fresh session, or none at all, does not buy a fresh budget: the address holds 3.
    assert [hit("tab-2"), hit(None), hit("tab-3")] == [True, False, False]
    assert limits.hit_client("test", "tab-4", 2, "10.0.0.2", 3, 60)  # another address


def test_160_concurrent_hits_allow_exactly_the_limit(shared_cache):
    assert sum(concurrent_hits(160, 20, "burst")) == 20


def test_add_over_an_expired_entry_waits_for_a_worker_that_holds_it(database_cache):
    # A window's counter outlives the window as an expired row. Django's add() read it
    # without a lock, found it expired and overwrote it, even after another worker had
    # opened the new window and counted in it: on PostgreSQL 62 answers got through a
    # limit of 60. Ours locks the row first, so it sees the other worker's count.
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that waits for locks (PostgreSQL in CI)")
    with time_machine.travel("2026-12-02 12:00:00", tick=False):
        cache.add("counter", 0, timeout=60)  # last window's counter, long expired now
    holding, release = threading.Event(), threading.Event()

    def first_worker() -> bool:
        try:
            with transaction.atomic():
                added = cache.add("counter", 0, timeout=60)
                cache.incr("counter")
                holding.set()
                release.wait(10)
            return added
        finally:
            connection.close()

    def second_worker() -> bool:
        holding.wait(10)
        try:
            return cache.add("counter", 0, timeout=60)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(first_worker), pool.submit(second_worker)
        holding.wait(10)
        time.sleep(0.3)
        assert not second.done()  # waiting for the first worker's row lock
        release.set()
        assert first.result() is True
        assert second.result() is False
    assert cache.get("counter") == 1


def test_add_keeps_a_live_entry_and_replaces_an_expired_one(database_cache):
    with time_machine.travel("2026-12-02 12:00:00", tick=False) as clock:
        assert cache.add("entry", "first", timeout=10)
        assert not cache.add("entry", "second", timeout=10)
        assert cache.get("entry") == "first"
        clock.shift(11)
        assert cache.add("entry", "third", timeout=10)
        assert cache.get("entry") == "third"
        assert cache.add("forever", 1, timeout=None)
        clock.shift(10**8)
        assert not cache.add("forever", 2) and cache.get("forever") == 1


def test_a_locked_database_never_refuses_a_hit_within_the_limit(database_cache):
    # SQLite reports a held write lock as an error; Django's add() swallowed it and the
    # limiter then refused the hit, so a busy SQLite server answered 429 far below the limit.
    assert all(concurrent_hits(160, 1_000_000, "roomy"))


def test_the_window_reopens_after_it_ends(database_cache):
    with time_machine.travel("2026-12-02 12:00:00", tick=False) as clock:
        assert [limits.hit("test", "ada", 2, 60) for _ in range(3)] == [True, True, False]
        clock.shift(59)
        assert not limits.hit("test", "ada", 2, 60)  # still the same window
        clock.shift(2)
        assert limits.hit("test", "ada", 2, 60)


def test_a_window_on_redis_expires_on_the_server(redis_cache):
    assert [limits.hit("test", "ada", 1, 1) for _ in range(2)] == [True, False]
    time.sleep(1.2)
    assert limits.hit("test", "ada", 1, 1)


def test_the_counter_keeps_its_expiry_while_counting(database_cache):
    # Django's own incr re-sets the entry with the default timeout (300 s), stretching the
    # window every time it counts.
    with time_machine.travel("2026-12-02 12:00:00", tick=False) as clock:
        cache.add("counter", 0, timeout=10)
        cache.incr("counter")
        clock.shift(11)
        assert cache.get("counter") is None
        with pytest.raises(ValueError):
            cache.incr("counter")


# --- Client addresses ----------------------------------------------------------------------


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert limits.client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client made up the left entry; the proxy appended the address it saw.
    seen = request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.5")
    assert limits.client_address(seen) == "198.51.100.7"
    assert limits.client_address(request("10.0.0.2")) == "10.0.0.2"
    assert limits.client_address(request("10.0.0.2", "junk")) == "10.0.0.2"


def test_an_untrusted_sender_cannot_pick_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert limits.client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_an_ipv6_client_is_budgeted_by_its_64(settings):
    settings.TRUSTED_PROXIES = []
    one = limits.address_key(request("2001:db8:1:2::1"))
    other = limits.address_key(request("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert limits.address_key(request("::ffff:192.0.2.1")) == "192.0.2.1"


def test_many_other_keys_do_not_cull_a_counter(database_cache):
    # Django culls a third of the database cache past MAX_ENTRIES (300 by default), so
    # fresh keys (new sessions, say) could reset everyone's counters.
    assert [limits.hit("test", "ada", 2, 60) for _ in range(2)] == [True, True]
    for i in range(400):
        cache.set(f"zz-{i}", i)  # sorted after the counter, whose key Django culls first
    assert not limits.hit("test", "ada", 2, 60)
