"""One GET of a web page, bounded: a timeout, a size limit, a declared user agent, redirects to http(s) only.

Every failure is a ``FetchError`` whose text is the reason in one line, for ``URL: message``.
"""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

TIMEOUT = 20.0  # seconds, for the connection and for each read
MAX_BYTES = 5_000_000  # a news page is well under 1 MB; beyond 5 MB it is not an article page
USER_AGENT = "digest/0.1 (news digest builder; one request per article added with digest add)"
_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class FetchError(Exception):
    """The page could not be had; the message says why."""


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    data: bytes
    content_type: str  # "text/html", "text/plain"
    charset: str | None


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but only to http and https (never file:, ftp: or data:)."""

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        target = urllib.parse.urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        scheme = target.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"redirected to a {scheme}: URL ({target}); only http and https are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Page:
    """The page at ``url``; raise FetchError for a bad URL, a network error, an HTTP error, a page too large
    or not a page."""
    if url.split(":", 1)[0].lower() not in ("http", "https"):
        raise FetchError("only http:// and https:// URLs can be fetched")
    opener = urllib.request.build_opener(_HttpOnly())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(_TYPES)})
    try:
        with opener.open(request, timeout=timeout) as response:
            headers: Message = response.headers
            declared = headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the page is {int(declared):,} bytes; the limit is {max_bytes:,}")
            data = response.read(max_bytes + 1)
            final = response.geturl()
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.gaierror):
            raise FetchError("the host name does not resolve") from None
        if isinstance(reason, ssl.SSLError):
            raise FetchError(f"TLS failed: {reason.reason or reason}") from None
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(f"no answer within {timeout:g} s") from None
        raise FetchError(f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} s") from None
    except (ValueError, OSError) as exc:  # a malformed URL, a connection reset mid-body
        raise FetchError(f"cannot fetch: {exc}") from None
    if len(data) > max_bytes:
        raise FetchError(f"the page is larger than the limit of {max_bytes:,} bytes")
    kind = headers.get_content_type()
    if kind not in _TYPES:
        raise FetchError(f"the URL gives {kind}, not a web page")
    return Page(final, data, kind, headers.get_content_charset())
