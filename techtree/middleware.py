"""Response headers every page gets, and the gzip level pages are compressed at."""

import gzip
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import gzip as django_gzip
from django.utils.cache import patch_vary_headers
from zlib_ng import gzip_ng


class ContentSecurityPolicyMiddleware:
    """Set a strict Content-Security-Policy: scripts and styles only from our own origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def compress(content: bytes, *, level: int, max_random_bytes: int) -> bytes:
    """Django's `compress_string` at another level and with zlib-ng: gzip, padded with up to
    `max_random_bytes` random bytes in the header's file name (against BREACH)."""
    packed = gzip_ng.compress(content, compresslevel=level, mtime=0)
    header = bytearray(packed[:10])
    header[3] = gzip.FNAME
    name = b"a" * secrets.randbelow(max_random_bytes)
    return bytes(header) + name + b"\x00" + packed[10:]


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's GZipMiddleware, whole responses compressed at `settings.GZIP_LEVEL`.

    For the softmax concept page's 151 KB, zlib-ng (python-zlib-ng) at level 2 takes a
    quarter of the time of zlib at Django's level 6 and sends 16% more (31.8 KB against
    27.4 KB); zlib at level 1, used before, took 0.36 of it for 33.6 KB (bench/compression.py).
    Streamed responses keep Django's own code.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not django_gzip.re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        packed = compress(
            response.content, level=settings.GZIP_LEVEL, max_random_bytes=self.max_random_bytes
        )
        if len(packed) >= len(response.content):
            return response
        response.content = packed
        response.headers["Content-Length"] = str(len(packed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # a weak ETag, as RFC 9110 8.8.1 asks
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
