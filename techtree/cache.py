"""The shared caches: the database cache with an atomic `incr` and `add`, and Redis with
fewer clients.

Django's DatabaseCache implements `incr` as a read followed by a write: two workers that
read 7 at the same moment both write 8, and a rate limit of 20 lets 25 through. Its `add`
over an expired entry is a read then a write too: two workers that both find last window's
counter expired both write 0, and the second resets the count the first has started. Here
each read and its write happen in one transaction that locks the row first (SELECT ... FOR
UPDATE on PostgreSQL; on SQLite a no-op UPDATE takes the database's write lock before the
read). The entry keeps its expiry: a counter's window is not stretched by the hits it counts.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.db import IntegrityError, connections, models, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache, whose `incr` and `add` are atomic across processes."""

    def incr(self, key, delta: int = 1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        connection, db = self._connection()
        quote = connection.ops.quote_name
        with transaction.atomic(using=db), connection.cursor() as cursor:
            row = self._locked_row(connection, cursor, key, quote("value"), quote("expires"))
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))
            value += delta
            cursor.execute(
                f"UPDATE {quote(self._table)} SET {quote('value')} = %s "
                f"WHERE {quote('cache_key')} = %s",
                [self._encode(value), key],
            )
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        connection, db = self._connection()
        quote = connection.ops.quote_name
        table = quote(self._table)
        with connection.cursor() as cursor:  # Django culls before it writes, outside the lock
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                self._cull(db, cursor, now().replace(microsecond=0), count)
        expires = connection.ops.adapt_datetimefield_value(self._expiry(timeout))
        encoded = self._encode(value)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            row = self._locked_row(connection, cursor, key, quote("expires"))
            if row is not None and not self._expired(connection, row[0]):
                return False
            if row is not None:
                cursor.execute(
                    f"UPDATE {table} SET {quote('value')} = %s, {quote('expires')} = %s "
                    f"WHERE {quote('cache_key')} = %s",
                    [encoded, expires, key],
                )
                return True
            try:
                with transaction.atomic(using=db):  # another worker may insert it first
                    cursor.execute(
                        f"INSERT INTO {table} ({quote('cache_key')}, {quote('value')}, "
                        f"{quote('expires')}) VALUES (%s, %s, %s)",
                        [key, encoded, expires],
                    )
            except IntegrityError:
                return False
        return True

    def _connection(self):
        db = router.db_for_write(self.cache_model_class)
        return connections[db], db

    def _locked_row(self, connection, cursor, key: str, *columns: str):
        """The entry's `columns`, its row locked until the transaction ends (None if absent)."""
        quote = connection.ops.quote_name
        table, cache_key = quote(self._table), quote("cache_key")
        row_lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        if not row_lock:  # SQLite: hold the write lock from here to the commit
            cursor.execute(
                f"UPDATE {table} SET {cache_key} = {cache_key} WHERE {cache_key} = %s", [key]
            )
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {cache_key} = %s{row_lock}", [key]
        )
        return cursor.fetchone()

    def _encode(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _expiry(self, timeout) -> datetime:
        """When an entry set now with `timeout` expires, to the second, as Django stores it."""
        seconds = self.get_backend_timeout(timeout)
        if seconds is None:
            return datetime.max.replace(microsecond=0)
        zone = UTC if settings.USE_TZ else None
        return datetime.fromtimestamp(seconds, tz=zone).replace(microsecond=0)

    @staticmethod
    def _expired(connection, expires) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires < now()


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool.

    Django wraps the pool in a new `redis.Redis` for every cache call; building it took
    about 170 of a read's 350 microseconds here, and a concept page reads the cache three
    times. redis-py's client borrows a connection from the pool for each command, so one
    client serves every call (and thread) its pool does.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache through `RedisCacheClient` above."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
