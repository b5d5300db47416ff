"""Pages and JSON go out gzipped to browsers that accept it; everything else is unchanged."""

import gzip

import pytest
from django.conf import settings
from zlib_ng import gzip_ng

pytestmark = pytest.mark.django_db


def test_gzip_is_in_the_middleware_once():
    gzips = [m for m in settings.MIDDLEWARE if m.endswith("GZipMiddleware")]
    assert gzips == ["techtree.middleware.GZipMiddleware"]


@pytest.mark.parametrize("level", [2, 6])
def test_pages_are_compressed_at_the_configured_level(client, demo_tree, settings, level):
    settings.GZIP_LEVEL = level
    page = "/concepts/softmax-and-logits/"
    plain = client.get(page).content
    packed = client.get(page, headers={"accept-encoding": "gzip"}).content
    html = gzip.decompress(packed)
    assert html.count(b"<article") == plain.count(b"<article") > 10  # the same page
    at_level = len(gzip_ng.compress(html, compresslevel=level, mtime=0))  # zlib-ng's
    assert 0 <= len(packed) - at_level <= 101  # the level's size plus the random padding


def test_the_padding_is_random_and_the_stream_still_reads():
    from techtree.middleware import compress

    body = b"<p>the same page</p>" * 100
    packed = {compress(body, level=1, max_random_bytes=100) for _ in range(12)}
    assert len({len(p) for p in packed}) > 1
    assert all(gzip.decompress(p) == body for p in packed)


def test_the_tree_page_is_compressed_for_a_browser_that_accepts_gzip(client, demo_tree):
    plain = client.get("/")
    packed = client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "<html" in html
    assert len(packed.content) * 4 < len(plain.content)


def test_a_page_with_a_csrf_token_differs_in_length_between_responses(client, demo_tree):
    # BREACH guesses a secret from compressed lengths; Django pads each gzip stream with
    # random bytes and masks the CSRF token afresh, so equal pages do not give equal sizes.
    sizes = {
        len(client.get("/accounts/login/", headers={"accept-encoding": "gzip"}).content)
        for _ in range(8)
    }
    assert len(sizes) > 1
