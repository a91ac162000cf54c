"""Parse, normalise and validate URLs before anything touches the network.

A strict parser of our own is used rather than ``urllib.parse`` alone, because parsers disagree
on inputs such as ``http://127.0.0.1\\@x.example``: anything ambiguous is refused, and the host
this module returns is exactly the one that is resolved, checked and connected to.
"""

from __future__ import annotations

import contextlib
import encodings.idna
import logging
import re
import unicodedata
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import unquote_to_bytes, urljoin

from core.fetch.addresses import IPAddress, blocked_reason
from core.fetch.outcomes import FetchOutcome, UrlRejected
from core.fetch.policy import FetchPolicy

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_PORT_RE = re.compile(r"^[0-9]{1,5}$")
_LABEL_RE = re.compile(r"^[a-z0-9_\-]{1,63}$")
_PCT_RE = re.compile(r"%[0-9A-Fa-f]{2}")
# Characters kept verbatim in path and query; everything else is percent-encoded as UTF-8.
_PATH_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"
)
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


@dataclass(frozen=True)
class ParsedUrl:
    """A validated URL: what will be resolved, checked, connected to and requested."""

    scheme: str
    host: str  # ASCII hostname, dotted IPv4, or IPv6 without brackets
    ip: IPAddress | None  # set when the host is an IP literal (in any numeric form)
    port: int
    target: str  # path and query, as sent in the request line
    url: str  # the normalised URL

    @property
    def host_header(self) -> str:
        """The ``Host`` header value (and what certificates are checked against, minus port)."""
        host = f"[{self.host}]" if isinstance(self.ip, IPv6Address) else self.host
        return host if DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``, the key for robots.txt and connection reuse."""
        return f"{self.scheme}://{self.host_header}"


def _invalid(message: str) -> UrlRejected:
    return UrlRejected(FetchOutcome.INVALID_URL, message)


def _parse_ipv4_part(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:], 16
        if digits == "":
            return 0
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    allowed = {16: "0123456789abcdefABCDEF", 8: "01234567", 10: "0123456789"}[base]
    if not digits or any(c not in allowed for c in digits):
        return None
    return int(digits, base)


def _ends_in_number(labels: list[str]) -> bool:
    last = labels[-1]
    if last.isascii() and last.isdigit():
        return True
    return last[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in last[2:])


def parse_ipv4(host: str) -> IPv4Address | None:
    """The address a numeric host really is, as browsers and ``inet_aton`` read it.

    Handles decimal, hex and octal parts and short forms: ``127.1``, ``0x7f000001``,
    ``2130706433``, ``0177.0.0.1`` and ``0`` all return an address. Returns None when the host
    does not end in a number (it is a domain name); raises ``UrlRejected`` when it ends in a number
    but is not a valid address.
    """
    labels = host.split(".")
    if not labels or not labels[-1] or not _ends_in_number(labels):
        return None
    if len(labels) > 4:
        raise _invalid(f"host {host!r} looks numeric but is not an IPv4 address")
    parts = [_parse_ipv4_part(p) if p else None for p in labels]
    if any(p is None for p in parts):
        raise _invalid(f"host {host!r} looks numeric but is not an IPv4 address")
    numbers = [p for p in parts if p is not None]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _invalid(f"host {host!r} is out of the IPv4 range")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return IPv4Address(value)


def normalise_host(raw: str) -> tuple[str, IPAddress | None]:
    """Normalise a host (percent-decoding, NFKC/full-width forms, IDNA, case, trailing dot).

    Returns the ASCII host and, for numeric hosts, the IP address it denotes.
    """
    if raw.startswith("["):
        if not raw.endswith("]") or "%" in raw:
            raise _invalid("malformed IPv6 literal (zone ids are not allowed)")
        try:
            ip6 = IPv6Address(raw[1:-1])
        except ValueError:
            raise _invalid(f"malformed IPv6 literal {raw!r}") from None
        return ip6.compressed, ip6
    try:
        host = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid("host is not valid UTF-8 after percent-decoding") from None
    host = unicodedata.normalize("NFKC", host).translate(_DOTS).lower()
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise _invalid("empty host")
    if any(c in "[]" for c in host) and ":" in host:
        raise _invalid("IPv6 literal must be bracketed")
    if any(not c.isalnum() and c not in "-_." for c in host):
        raise _invalid(f"forbidden character in host {host!r}")
    ip4 = parse_ipv4(host)
    if ip4 is not None:
        return str(ip4), ip4
    labels = []
    for label in host.split("."):
        try:
            ascii_label = label if label.isascii() else encodings.idna.ToASCII(label).decode()
        except UnicodeError:
            raise _invalid(f"host label {label!r} is not a valid internationalised name") from None
        ascii_label = ascii_label.lower()
        if not _LABEL_RE.match(ascii_label):
            raise _invalid(f"invalid host label {label!r}")
        labels.append(ascii_label)
    ascii_host = ".".join(labels)
    if len(ascii_host) > 253:
        raise _invalid("host name longer than 253 characters")
    if parse_ipv4(ascii_host) is not None:  # IDNA can turn full-width digits into a number
        raise _invalid(f"host {ascii_host!r} is numeric after IDNA")
    return ascii_host, None


def _encode_target(rest: str) -> str:
    out = []
    i = 0
    while i < len(rest):
        c = rest[i]
        if c == "%" and _PCT_RE.match(rest, i):
            out.append(rest[i : i + 3])
            i += 3
            continue
        if c in _PATH_SAFE:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        i += 1
    target = "".join(out)
    return target if target.startswith("/") else "/" + target


def parse_url(url: str, policy: FetchPolicy) -> ParsedUrl:
    """Parse and validate ``url`` under ``policy`` (no DNS); raises ``UrlRejected``."""
    if not isinstance(url, str):
        raise _invalid("URL must be a string")
    url = url.strip(" \t\r\n\f")
    if not url:
        raise _invalid("empty URL")
    if len(url) > policy.max_url_length:
        raise _invalid(f"URL longer than {policy.max_url_length} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise _invalid("control character in URL")
    match = _SCHEME_RE.match(url)
    if not match:
        raise _invalid("URL has no scheme (expected http:// or https://)")
    scheme = match.group(1).lower()
    if scheme not in DEFAULT_PORTS:
        raise _invalid(f"scheme {scheme!r} is not allowed (only http and https)")
    rest = url[match.end() :]
    if not rest.startswith("//"):
        raise _invalid("URL must have the form scheme://host/...")
    rest = rest[2:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    if "\\" in authority:
        raise _invalid("backslash in URL authority")
    if "@" in authority:
        raise _invalid("credentials (user info) are not allowed in URLs")
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise _invalid("unterminated IPv6 literal")
        raw_host, port_part = authority[: close + 1], authority[close + 1 :]
        if port_part and not port_part.startswith(":"):
            raise _invalid("garbage after IPv6 literal")
        port_text = port_part[1:] if port_part else ""
    else:
        raw_host, _, port_text = authority.partition(":")
        if ":" in port_text:
            raise _invalid("IPv6 literal must be bracketed")
    if port_text:
        if not _PORT_RE.match(port_text) or not 0 < int(port_text) < 65536:
            raise _invalid(f"invalid port {port_text!r}")
        port = int(port_text)
    else:
        port = DEFAULT_PORTS[scheme]
    host, ip = normalise_host(raw_host)
    target = _encode_target(rest.partition("#")[0])
    shown_host = f"[{host}]" if isinstance(ip, IPv6Address) else host
    netloc = shown_host if port == DEFAULT_PORTS[scheme] else f"{shown_host}:{port}"
    normalised = f"{scheme}://{netloc}{target}"
    if len(normalised) > policy.max_url_length:
        raise _invalid(f"normalised URL longer than {policy.max_url_length} characters")
    if port not in policy.allowed_ports:
        allowed = ", ".join(str(p) for p in sorted(policy.allowed_ports))
        raise UrlRejected(
            FetchOutcome.PORT_NOT_ALLOWED, f"port {port} is not allowed (allowed: {allowed})"
        )
    parsed = ParsedUrl(scheme=scheme, host=host, ip=ip, port=port, target=target, url=normalised)
    check_literal_host(parsed, policy)
    return parsed


def check_literal_host(parsed: ParsedUrl, policy: FetchPolicy) -> None:
    """Refuse IP-literal and ``localhost`` hosts that the policy does not admit."""
    allow = policy.allow_private_networks
    if parsed.ip is not None:
        reason = blocked_reason(parsed.ip, allow_private_networks=allow)
        if reason:
            raise UrlRejected(FetchOutcome.BLOCKED_ADDRESS, f"{parsed.ip} is {reason}")
    elif not allow and (parsed.host == "localhost" or parsed.host.endswith(".localhost")):
        raise UrlRejected(FetchOutcome.BLOCKED_ADDRESS, f"{parsed.host} names the local machine")


def validate_url(url: str, policy: FetchPolicy) -> str:
    """The normalised URL, or raise ``UrlRejected(code, message)``; no DNS lookup is made."""
    return parse_url(url, policy).url


def resolve_redirect(base: ParsedUrl, location: str, policy: FetchPolicy) -> ParsedUrl:
    """Parse a ``Location`` header relative to ``base`` and validate the result."""
    location = location.strip(" \t\r\n\f")
    # http.client decodes header bytes as latin-1; servers usually send UTF-8.
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    if not location:
        raise _invalid("redirect without a target")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in location):
        raise _invalid("control character in redirect target")
    return parse_url(urljoin(base.url, location), policy)
