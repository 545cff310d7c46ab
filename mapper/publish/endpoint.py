"""Where a publish request goes: scheme, host, port, method, and how a message's headers become a path.

Three ways to describe the destination, one model:

- :meth:`S3Endpoint.from_ditto_uri` — a Ditto http-push connection: ``uri`` plus a target address
  ``METHOD:path``. The mapped ``http.path`` header replaces the whole URI path, ``http.query`` the query
  (Ditto's rule). With ``endpoint_url`` (moto, MinIO, a local sink) requests go path-style to that
  host instead: ``/BUCKET/KEY``, the bucket taken from a virtual-hosted S3 uri host.
- :meth:`S3Endpoint.from_s3_url` — ``s3://BUCKET[/PREFIX]`` plus a region; key = PREFIX/ + mapped key.

Paths are handled as *text* (the object key) until the last moment and encoded exactly once with
:func:`~mapper.signing.sigv4.encode_s3_path`, so what is signed is byte for byte what is sent. A
``%`` in ``http.path`` is therefore a literal ``%`` in the key (sent as ``%25``), not an escape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mapper.errors import ConfigError, InvalidKeyError, PublishError
from mapper.publish.keys import check_key
from mapper.signing.sigv4 import encode_s3_path

METHODS = ("PUT", "POST", "PATCH", "GET", "DELETE")
PATH_HEADER = "http.path"
QUERY_HEADER = "http.query"
_DEFAULT_PORTS = {"http": 80, "https": 443}

# <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>..., <bucket>.s3.dualstack.<region>..., .com.cn
_VIRTUAL_HOSTED = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9.-]+)?\.amazonaws\.com(?:\.cn)?$")
# Bucket naming rules (the subset that matters for building a URL): 3-63 of a-z 0-9 . -
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# http.client refuses control characters and spaces in the request target; say so before it does.
_UNSENDABLE_QUERY = re.compile(r"[\x00-\x20\x7f#]")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f]")
# What may stand in the Host header: DNS names (underscores occur in practice), IPv4, and IPv6
# literals (urlsplit strips the brackets; '%' starts a zone id).
_HOST = re.compile(r"^(?:[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?)$")


@dataclass(frozen=True, slots=True)
class RequestTarget:
    """One message's request line parts: the object key, the encoded path, the raw query."""

    key: str
    path: str
    query: str


@dataclass(frozen=True, slots=True)
class S3Endpoint:
    """A resolved destination. Build it with :meth:`from_ditto_uri` or :meth:`from_s3_url`.

    ``default_path`` (text) is used when a message has no ``http.path``; ``bucket_path``
    (already URL-safe, e.g. ``/my-bucket``) precedes every path when an endpoint override
    forces path-style addressing; ``key_prefix`` precedes every key (``s3://`` prefixes).
    """

    scheme: str
    host: str
    port: int
    method: str = "PUT"
    default_path: str = "/"
    default_query: str = ""
    bucket_path: str = ""
    key_prefix: str = ""

    @property
    def address(self) -> str:
        """``host:port`` as an operator would look for it in a firewall log."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def host_header(self) -> str:
        """The Host header value: the port only when it is not the scheme's default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if _DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"

    def target(self, headers: Mapping[str, str]) -> RequestTarget:
        """Apply Ditto's reserved ``http.path`` / ``http.query`` headers to this endpoint.

        Raises :class:`InvalidKeyError` for a key S3 cannot store, :class:`PublishError` for a
        query that cannot be sent.
        """
        path_text = headers.get(PATH_HEADER)
        if path_text is None:
            path_text = self.default_path
        elif not isinstance(path_text, str):
            raise InvalidKeyError(
                f"the 'http.path' header must be a string, got {type(path_text).__name__}", key=""
            )
        elif not path_text.startswith("/"):
            path_text = "/" + path_text
        key = self.key_prefix + path_text[1:]
        check_key(key)  # before encoding: a key that cannot be stored never reaches the wire
        query = headers.get(QUERY_HEADER)
        if query is None:
            query = self.default_query
        elif not isinstance(query, str):
            raise PublishError(
                f"the 'http.query' header must be a string, got {type(query).__name__}",
                key=key,
                code="InvalidQuery",
            )
        elif _UNSENDABLE_QUERY.search(query) or not query.isascii():
            raise PublishError(
                f"the 'http.query' header {query!r} contains a space, '#', a control or a non-ASCII "
                "character; percent-encode it in the mapping",
                key=key,
                code="InvalidQuery",
            )
        return RequestTarget(key, self.bucket_path + encode_s3_path("/" + key), query)

    @classmethod
    def from_ditto_uri(
        cls, uri: str, *, target_address: str = "PUT:/", endpoint_url: str | None = None
    ) -> S3Endpoint:
        """A Ditto http-push connection's ``uri`` and a target ``address``.

        ``https://BUCKET.s3.REGION.amazonaws.com:443`` + ``PUT:/``: each message's ``http.path``
        is its object key. With ``endpoint_url`` the requests go to that host path-style.
        """
        scheme, host, port, uri_path, query = _split_url(uri, "uri")
        method, sep, address_path = target_address.partition(":")
        if not sep:
            raise ConfigError(
                f"target address {target_address!r} must look like METHOD:path (e.g. 'PUT:/')", path="address"
            )
        if method not in METHODS:
            raise ConfigError(
                f"unknown HTTP method {method!r} in target address {target_address!r}; "
                f"expected one of {', '.join(METHODS)}",
                path="address",
            )
        if not address_path.startswith("/"):
            address_path = "/" + address_path
        # Ditto: URL = uri without its trailing '/' + the address path.
        default_path = unquote(uri_path.rstrip("/")) + unquote(address_path)
        bucket_path = ""
        if endpoint_url is not None:
            virtual = _VIRTUAL_HOSTED.match(host)
            scheme, host, port, override_path, _ = _split_url(endpoint_url, "endpoint_url")
            if virtual:
                bucket_path = override_path.rstrip("/") + "/" + virtual.group("bucket")
            else:
                bucket_path = override_path.rstrip("/")
        return cls(scheme, host, port, method, default_path, query, bucket_path)

    @classmethod
    def from_s3_url(cls, url: str, *, region: str, endpoint_url: str | None = None) -> S3Endpoint:
        """``s3://BUCKET[/PREFIX]`` in ``region``: key = ``PREFIX/`` + the mapped key.

        A non-empty prefix always ends in ``/`` (``s3://b/archive`` and ``s3://b/archive/`` both
        store under ``archive/``). Buckets with dots are addressed path-style on AWS because the
        virtual-hosted name would not match S3's wildcard TLS certificate.
        """
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ConfigError(f"expected s3://BUCKET[/PREFIX], got {url!r}", path="s3_url")
        bucket = parts.netloc
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise ConfigError(
                f"bucket name {bucket!r} is not a valid S3 bucket name (3-63 of a-z 0-9 . -)", path="s3_url"
            )
        prefix = unquote(parts.path.lstrip("/"))
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        if endpoint_url is not None:
            scheme, host, port, override_path, _ = _split_url(endpoint_url, "endpoint_url")
            return cls(scheme, host, port, "PUT", "/", "", override_path.rstrip("/") + "/" + bucket, prefix)
        if not region or not re.match(r"^[a-z0-9-]+$", region):
            raise ConfigError(f"region {region!r} is not an AWS region name", path="region")
        if "." in bucket:
            return cls("https", f"s3.{region}.amazonaws.com", 443, "PUT", "/", "", "/" + bucket, prefix)
        return cls("https", f"{bucket}.s3.{region}.amazonaws.com", 443, "PUT", "/", "", "", prefix)


def _split_url(url: str, field: str) -> tuple[str, str, int, str, str]:
    """scheme, host, port, path, query of an http(s) URL, with a ConfigError naming ``field``."""
    shown = _redact(url)
    if _URL_CONTROL.search(url):
        # urlsplit silently deletes tabs and newlines (WHATWG rule): "h\r\nx" would become "hx"
        raise ConfigError(f"{shown!r} contains whitespace or a control character", path=field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{shown!r} is not a valid URL: {exc}", path=field) from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise ConfigError(f"{shown!r} must start with http:// or https://", path=field)
    if not parts.hostname:
        raise ConfigError(f"{shown!r} has no host", path=field)
    if not _HOST.match(parts.hostname):
        raise ConfigError(
            f"{shown!r} has an invalid host {parts.hostname!r} (ASCII letters, digits, '.', '-', "
            "or an IP address; write international names in punycode)",
            path=field,
        )
    if parts.username or parts.password:
        # Credentials belong in the signing parameters, not in a URL that ends up in logs.
        raise ConfigError(f"{shown!r} must not contain user info (user:password@)", path=field)
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme], parts.path, parts.query


def _redact(url: str) -> str:
    """The URL with any ``user:password@`` replaced, safe to put in an error message."""
    return re.sub(r"//[^/@]*@", "//***@", url, count=1)
