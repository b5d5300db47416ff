"""Which of the site's domain colours a domain gets: computed here, and only here.

Templates use it through the ``domain_class`` filter; the tree map's JavaScript receives
the same number in its JSON data (``domain_index``) instead of recomputing a hash.
"""

import zlib

DOMAIN_COLOURS = 8  # --domain-0 .. --domain-7 in site.css


def domain_index(domain: str) -> int:
    """A stable palette index for a domain name (CRC-32 of its UTF-8 bytes, modulo 8)."""
    return zlib.crc32(domain.encode()) % DOMAIN_COLOURS
