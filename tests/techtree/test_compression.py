"""Pages and JSON go out gzipped to browsers that accept it; everything else is unchanged."""

import gzip

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_gzip_is_in_the_middleware_once():
    assert settings.MIDDLEWARE.count("django.middleware.gzip.GZipMiddleware") == 1


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
