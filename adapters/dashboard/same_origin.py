"""Refusing cross-site posts to the dashboard (login CSRF).

A page on another site can make a visitor's browser POST a sign-in link of the
attacker's own: without this check the visitor would be signed in as the attacker and
take what they see for their own school's dashboard. The SameSite cookie does not help
there, since the post carries no cookie; it is the response that sets one. Browsers
say where a post comes from (``Sec-Fetch-Site``, ``Origin``), and a page on another
site cannot change either; a client that sends neither (curl, an old browser) cannot
be made to post by another site either, so it passes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

# "none": the person started the request themselves (typed it, a bookmark).
_OWN_FETCHES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lowercase and without the scheme's default
    port, as browsers write ``Origin``; None for ``null`` or anything that is no URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_cross_site(request: Request, public_url: str) -> bool:
    """Whether a state-changing request came from a page that is not the dashboard's.

    The dashboard's own origin is the request's (its scheme and ``Host``) or the public
    URL's: behind an HTTPS reverse proxy the server itself may see plain http, while
    the browser posts from the public ``https://`` address the sign-in link names."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in _OWN_FETCHES:
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = {origin_of(str(request.url)), origin_of(public_url)} - {None}
    # "Origin: null" (a sandboxed frame, a data: URL, some redirects) is no origin of ours.
    return origin_of(origin) not in own
