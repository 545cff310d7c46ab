"""S3Endpoint: Ditto uri + address, s3:// URLs, endpoint overrides, http.path / http.query."""

from __future__ import annotations

import pytest

from mapper.errors import ConfigError
from mapper.publish.endpoint import S3Endpoint

SEED_URI = "https://my-bucket.s3.eu-central-1.amazonaws.com:443"
SEED_KEY = "com.acme:coffee-brewer:things:twin:events:modified:42"


def test_ditto_s3_connection_uri():
    endpoint = S3Endpoint.from_ditto_uri(SEED_URI, target_address="PUT:/")
    assert (endpoint.scheme, endpoint.host, endpoint.port, endpoint.method) == (
        "https",
        "my-bucket.s3.eu-central-1.amazonaws.com",
        443,
        "PUT",
    )
    assert endpoint.host_header == "my-bucket.s3.eu-central-1.amazonaws.com"
    assert endpoint.address == "my-bucket.s3.eu-central-1.amazonaws.com:443"
    target = endpoint.target({"http.path": SEED_KEY})
    assert (target.key, target.path, target.query) == (
        SEED_KEY,
        "/com.acme%3Acoffee-brewer%3Athings%3Atwin%3Aevents%3Amodified%3A42",
        "",
    )


def test_http_path_replaces_the_whole_uri_path_and_address_path():
    endpoint = S3Endpoint.from_ditto_uri("http://sink.local:8080/base/", target_address="POST:/in?x")
    assert endpoint.target({}).path == "/base/in%3Fx"  # no http.path: uri path (trailing / dropped) + address
    assert endpoint.target({"http.path": "other"}).path == "/other"
    assert endpoint.target({"http.path": "/other", "http.query": "a=1"}).query == "a=1"
    assert endpoint.host_header == "sink.local:8080"
    assert endpoint.method == "POST"


def test_uri_query_is_kept_until_http_query_replaces_it():
    endpoint = S3Endpoint.from_ditto_uri("http://h/p?fixed=1")
    assert endpoint.target({"http.path": "k"}).query == "fixed=1"
    assert endpoint.target({"http.path": "k", "http.query": "x=2"}).query == "x=2"


def test_endpoint_override_goes_path_style_with_the_bucket_from_the_host():
    endpoint = S3Endpoint.from_ditto_uri(SEED_URI, endpoint_url="http://127.0.0.1:5000")
    assert (endpoint.scheme, endpoint.host, endpoint.port) == ("http", "127.0.0.1", 5000)
    target = endpoint.target({"http.path": "a b"})
    assert (target.key, target.path) == ("a b", "/my-bucket/a%20b")
    dotted = S3Endpoint.from_ditto_uri(
        "https://my.dotted.bucket.s3.us-east-1.amazonaws.com", endpoint_url="http://localhost:9000/"
    )
    assert dotted.target({"http.path": "k"}).path == "/my.dotted.bucket/k"
    legacy = S3Endpoint.from_ditto_uri("https://b1.s3-eu-west-1.amazonaws.com", endpoint_url="http://h")
    assert legacy.target({"http.path": "k"}).path == "/b1/k"


def test_endpoint_override_of_a_non_s3_host_keeps_the_path():
    endpoint = S3Endpoint.from_ditto_uri(
        "https://sink.example/upload", target_address="PUT:/x", endpoint_url="http://127.0.0.1:1234"
    )
    assert endpoint.target({}).path == "/upload/x"


def test_s3_url():
    endpoint = S3Endpoint.from_s3_url("s3://archive-bucket/events", region="eu-central-1")
    assert endpoint.host == "archive-bucket.s3.eu-central-1.amazonaws.com" and endpoint.port == 443
    target = endpoint.target({"http.path": SEED_KEY})
    assert target.key == "events/" + SEED_KEY
    assert target.path == "/events/" + SEED_KEY.replace(":", "%3A")
    bare = S3Endpoint.from_s3_url("s3://archive-bucket", region="eu-central-1")
    assert bare.target({"http.path": "k"}).key == "k"
    slash = S3Endpoint.from_s3_url("s3://archive-bucket/events/", region="eu-central-1")
    assert slash.target({"http.path": "k"}).key == "events/k"


def test_s3_url_dotted_bucket_is_path_style_and_override_is_path_style():
    dotted = S3Endpoint.from_s3_url("s3://my.bucket/p", region="us-west-2")
    assert dotted.host == "s3.us-west-2.amazonaws.com"
    assert dotted.target({"http.path": "k"}).path == "/my.bucket/p/k"
    local = S3Endpoint.from_s3_url("s3://b-1/p", region="us-east-1", endpoint_url="http://127.0.0.1:9000")
    assert (local.host, local.port) == ("127.0.0.1", 9000)
    assert local.target({"http.path": "k"}).path == "/b-1/p/k"


def test_ipv6_host():
    endpoint = S3Endpoint.from_ditto_uri("http://[::1]:8080")
    assert endpoint.host == "::1"
    assert endpoint.host_header == "[::1]:8080"
    assert endpoint.address == "[::1]:8080"


@pytest.mark.parametrize(
    ("uri", "address", "message"),
    [
        (SEED_URI, "GO:/", "unknown HTTP method 'GO'"),
        (SEED_URI, "put:/", "unknown HTTP method 'put'"),
        (SEED_URI, "/no-method", "must look like METHOD:path"),
        ("ftp://host", "PUT:/", "must start with http:// or https://"),
        ("https://", "PUT:/", "has no host"),
        ("http://host:99999", "PUT:/", "not a valid URL"),
        # urlsplit would silently drop the CR/LF and connect to "hostx"
        ("http://host\r\nx/", "PUT:/", "whitespace or a control character"),
        ("http://ho st/", "PUT:/", "whitespace or a control character"),
        ("https://b\x00x.s3.amazonaws.com", "PUT:/", "whitespace or a control character"),
        ("https://bücher.example", "PUT:/", "invalid host .*punycode"),
        ("https://a<b>/", "PUT:/", "invalid host"),
    ],
)
def test_bad_connection_config_is_a_config_error(uri, address, message):
    with pytest.raises(ConfigError, match=message):
        S3Endpoint.from_ditto_uri(uri, target_address=address)


def test_user_info_is_refused_and_never_echoed():
    with pytest.raises(ConfigError) as caught:
        S3Endpoint.from_ditto_uri("https://AKIA:TopSecret@bucket.s3.us-east-1.amazonaws.com")
    assert "TopSecret" not in str(caught.value) and "user info" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        S3Endpoint.from_ditto_uri("https://AKIA:TopSecret@host:notaport")
    assert "TopSecret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "region", "message"),
    [
        ("https://bucket/x", "us-east-1", "expected s3://BUCKET"),
        ("s3://", "us-east-1", "expected s3://BUCKET"),
        ("s3://Upper_Case", "us-east-1", "not a valid S3 bucket name"),
        ("s3://ab", "us-east-1", "not a valid S3 bucket name"),
        ("s3://good-bucket", "", "not an AWS region"),
        ("s3://good-bucket", "eu central", "not an AWS region"),
    ],
)
def test_bad_s3_url_is_a_config_error(url, region, message):
    with pytest.raises(ConfigError, match=message):
        S3Endpoint.from_s3_url(url, region=region)


def test_a_control_character_in_the_endpoint_override_is_a_config_error():
    with pytest.raises(ConfigError, match="endpoint_url"):
        S3Endpoint.from_ditto_uri(SEED_URI, endpoint_url="http://127.0.0.1:9000\t/")


@pytest.mark.parametrize("uri", ["https://[::1]:9000", "http://127.0.0.1:5000", "https://my_host.internal"])
def test_ip_literals_and_underscored_names_are_valid_hosts(uri):
    assert S3Endpoint.from_ditto_uri(uri).host in ("::1", "127.0.0.1", "my_host.internal")
