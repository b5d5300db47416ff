"""One shared rate limiter for every worker: counters in the shared cache, counted atomically.

`hit(scope, key, limit, window)` counts one event for `key` in `scope` and says whether it is
still within `limit` events per `window` seconds. The window opens at the first event and
closes `window` seconds later (a fixed window per key, so a burst can never exceed `limit`
inside one window). Counting is `cache.add` then `cache.incr`, atomic on Redis and on the
project's database cache (`techtree.cache.DatabaseCache`), never in one process's memory.

`client_address(request)` is the address to count a client by: REMOTE_ADDR, or, only when
the request comes from a proxy listed in settings.TRUSTED_PROXIES, the right-most address in
X-Forwarded-For that is not itself a trusted proxy. A client cannot choose its own budget
by sending the header. `address_key` groups an IPv6 client's /64, which one host usually
holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

UNKNOWN = "unknown"
MINUTE = 60
HOUR = 3600


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one event; True while the key has had at most `limit` in its current window."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    name = f"limit:{scope}:{digest}"
    for _ in range(3):
        added = cache.add(name, 0, timeout=window)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr: open a new window
            continue
        if count == 1 and not added:
            # Redis' INCR recreates a key that expired after add() without an expiry.
            cache.touch(name, timeout=window)
        return count <= limit
    return False


def hit_client(
    scope: str, key: str | None, limit: int, address: str, address_limit: int, window: int
) -> bool:
    """Count one event for a client twice: by its own key (a learner or a session), then by
    its address, so fresh sessions or no cookies at all do not buy a fresh budget.

    The own key is counted first and a refusal stops there, so one session hammering away
    spends only its own share of the address's budget. No key (no cookies): the address alone.
    """
    if key is not None and not hit(scope, key, limit, window):
        return False
    return hit(f"{scope}-address", address, address_limit, window)


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR unless it is a trusted proxy that forwarded it."""
    remote = request.META.get("REMOTE_ADDR", "") or UNKNOWN
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(_parse(remote), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        address = _parse(entry)
        if address is None:  # junk where a trusted proxy writes an address: stop there
            return remote
        if not _trusted(address, networks):
            return str(address)
    return remote


def address_key(request: HttpRequest) -> str:
    """The client's address as a budget key: IPv4 whole, IPv6 by its /64."""
    address = client_address(request)
    parsed = _parse(address)
    if parsed is not None and parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    if parsed is not None and parsed.version == 6:
        return str(parsed.ipv4_mapped)
    return address
