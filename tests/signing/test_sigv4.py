"""SigV4Signer behaviour: modes, which headers are signed, canonical forms, caching, errors, secrets."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from mapper.errors import CredentialsError, SigningError
from mapper.signing import (
    AwsCredentials,
    AwsSigningParameters,
    ChainCredentialProvider,
    PayloadHashMode,
    SigV4Signer,
    StaticCredentialProvider,
    encode_s3_path,
)

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN"
NOW = datetime(2024, 5, 1, 12, 30, 15, tzinfo=timezone.utc)
HOST = "bucket.s3.eu-central-1.amazonaws.com"
BODY = b'{"topic":"com.acme/coffee-brewer/things/twin/events/modified","revision":42}'


def s3_signer(mode: PayloadHashMode = PayloadHashMode.INCLUDED, token: str | None = None, **options: object):
    options.setdefault("canonical_headers", ["host", "x-amz-date"])
    options.setdefault("double_encode", False)
    return SigV4Signer(
        region="eu-central-1",
        service="s3",
        credentials=StaticCredentialProvider(AwsCredentials("AKIAEXAMPLE", SECRET, token)),
        payload_hash_mode=mode,
        **options,
    )


def signed_headers_of(added: dict[str, str]) -> list[str]:
    return added["authorization"].split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")


def canonical(signer: SigV4Signer, headers: dict[str, str] | None = None, **kw: object) -> str:
    args = {"method": "PUT", "host": HOST, "path": "/k", "query": "", "headers": headers or {}, "body": BODY}
    args.update(kw)
    return signer.canonical_request(now=NOW, **args)  # type: ignore[arg-type]


# --- payload hash modes -------------------------------------------------------------------------


def test_included_sends_and_signs_the_body_hash() -> None:
    added = s3_signer(PayloadHashMode.INCLUDED).sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    body_hash = hashlib.sha256(BODY).hexdigest()
    assert added["x-amz-content-sha256"] == body_hash
    assert signed_headers_of(added) == ["host", "x-amz-content-sha256", "x-amz-date"]
    assert canonical(s3_signer(PayloadHashMode.INCLUDED)).endswith("\n" + body_hash)


def test_excluded_hashes_the_body_but_sends_no_header() -> None:
    signer = s3_signer(PayloadHashMode.EXCLUDED)
    added = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert "x-amz-content-sha256" not in added
    assert signed_headers_of(added) == ["host", "x-amz-date"]
    assert canonical(signer).endswith("\n" + hashlib.sha256(BODY).hexdigest())


def test_unsigned_uses_the_unsigned_payload_marker() -> None:
    signer = s3_signer(PayloadHashMode.UNSIGNED)
    added = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert added["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-amz-content-sha256" in signed_headers_of(added)
    assert canonical(signer).endswith("\nUNSIGNED-PAYLOAD")


def test_listing_x_amz_content_sha256_with_excluded_still_sends_it() -> None:
    # signing a header that is not sent can never verify; we send whatever we sign
    signer = s3_signer(PayloadHashMode.EXCLUDED, canonical_headers=["host", "x-amz-content-sha256"])
    added = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert added["x-amz-content-sha256"] == hashlib.sha256(BODY).hexdigest()


def test_precomputed_payload_hash_is_used_and_gives_the_same_signature() -> None:
    signer = s3_signer()
    direct = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    given = signer.sign(
        "PUT", HOST, "/k", "", {}, BODY, now=NOW, payload_sha256=hashlib.sha256(BODY).hexdigest()
    )
    assert direct == given


def test_malformed_precomputed_hash_is_rejected() -> None:
    with pytest.raises(SigningError, match="64-character"):
        s3_signer().sign("PUT", HOST, "/k", "", {}, BODY, now=NOW, payload_sha256="abc")


# --- which headers are signed --------------------------------------------------------------------


def test_every_x_amz_header_present_is_signed_beyond_the_configured_ones() -> None:
    headers = {
        "X-Amz-Meta-Revision": "42",
        "x-amz-storage-class": "STANDARD_IA",
        "Content-Type": "application/json",
    }
    added = s3_signer().sign("PUT", HOST, "/k", "", headers, BODY, now=NOW)
    assert signed_headers_of(added) == [
        "host",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-meta-revision",
        "x-amz-storage-class",
    ]
    text = canonical(s3_signer(), headers)
    assert "x-amz-meta-revision:42\n" in text and "x-amz-storage-class:STANDARD_IA\n" in text
    assert "content-type" not in text  # not configured, not x-amz-*: not signed


def test_content_md5_is_signed_when_present() -> None:
    added = s3_signer().sign(
        "PUT", HOST, "/k", "", {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, BODY, now=NOW
    )
    assert "content-md5" in signed_headers_of(added)


def test_configured_header_absent_from_request_is_signed_empty() -> None:
    signer = s3_signer(canonical_headers=["host", "content-type"])
    added = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert signed_headers_of(added) == ["content-type", "host", "x-amz-content-sha256", "x-amz-date"]
    assert "\ncontent-type:\nhost:" in canonical(signer)


def test_header_values_are_trimmed_collapsed_and_repeats_joined() -> None:
    signer = s3_signer(canonical_headers=["host", "content-type", "x-custom"])
    text = canonical(
        signer,
        {"Content-Type": "  application/json ;   charset=utf-8  ", "X-Custom": " a  b ", "x-custom": "c"},
    )
    assert "content-type:application/json ; charset=utf-8\n" in text
    assert "x-custom:a b,c\n" in text


def test_header_names_match_case_insensitively() -> None:
    lower = s3_signer(canonical_headers=["host", "content-type"]).sign(
        "PUT", HOST, "/k", "", {"content-type": "text/plain"}, BODY, now=NOW
    )
    upper = s3_signer(canonical_headers=["Host", "CONTENT-TYPE"]).sign(
        "PUT", HOST, "/k", "", {"CONTENT-TYPE": "text/plain"}, BODY, now=NOW
    )
    assert lower == upper


def test_x_amz_date_is_always_signed_even_when_not_configured() -> None:
    added = s3_signer(PayloadHashMode.EXCLUDED, canonical_headers=["host"]).sign(
        "PUT", HOST, "/", "", {}, b"", now=NOW
    )
    assert signed_headers_of(added) == ["host", "x-amz-date"]


@pytest.mark.parametrize(
    "name", ["Host", "Authorization", "X-Amz-Date", "x-amz-content-sha256", "X-Amz-Security-Token"]
)
def test_headers_the_signer_owns_must_not_be_passed(name: str) -> None:
    with pytest.raises(SigningError, match="the signer sets it"):
        s3_signer().sign("PUT", HOST, "/k", "", {name: "x"}, BODY, now=NOW)


def test_non_string_header_value_is_a_clear_error() -> None:
    with pytest.raises(SigningError, match="non-string value of type int"):
        s3_signer().sign("PUT", HOST, "/k", "", {"x-amz-meta-n": 3}, BODY, now=NOW)  # type: ignore[dict-item]


# --- session tokens ------------------------------------------------------------------------------


def test_session_token_is_sent_and_signed() -> None:
    added = s3_signer(token=TOKEN).sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert added["x-amz-security-token"] == TOKEN
    assert "x-amz-security-token" in signed_headers_of(added)
    assert f"x-amz-security-token:{TOKEN}\n" in canonical(s3_signer(token=TOKEN))


def test_no_token_header_without_session_token() -> None:
    added = s3_signer().sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert set(added) == {"x-amz-date", "x-amz-content-sha256", "authorization"}


# --- canonical URI and query ---------------------------------------------------------------------


def test_s3_mode_uses_the_wire_path_unchanged() -> None:
    path = encode_s3_path("/a//b/./c/../d:e f")
    assert path == "/a//b/./c/../d%3Ae%20f"
    assert canonical(s3_signer(), path=path).split("\n")[1] == path


def test_double_encode_drops_empty_segments_and_encodes_each_segment_twice() -> None:
    signer = s3_signer(double_encode=True)
    assert canonical(signer, path="/a//b%20c/d:e/").split("\n")[1] == "/a/b%2520c/d%253Ae/"
    assert canonical(signer, path="/%E1%88%B4").split("\n")[1] == "/%25E1%2588%25B4"
    assert canonical(signer, path="/").split("\n")[1] == "/"
    assert canonical(signer, path="").split("\n")[1] == "/"


def test_canonical_query_sorts_keys_then_values_and_encodes() -> None:
    text = canonical(s3_signer(), query="b=2&a=z&a=y&flag&x=%7e%2f+&e=a=b")
    assert text.split("\n")[2] == "a=y&a=z&b=2&e=a%3Db&flag=&x=~%2F%2B"


def test_empty_query_is_empty() -> None:
    assert canonical(s3_signer(), query="").split("\n")[2] == ""


def test_host_is_signed_exactly_as_given_including_a_non_default_port() -> None:
    assert "\nhost:127.0.0.1:5000\n" in canonical(s3_signer(), host="127.0.0.1:5000")


@pytest.mark.parametrize("host", ["", " host", "host "])
def test_bad_host_is_rejected(host: str) -> None:
    with pytest.raises(SigningError, match="Host"):
        s3_signer().sign("PUT", host, "/k", "", {}, BODY, now=NOW)


def test_path_must_start_with_slash() -> None:
    with pytest.raises(SigningError, match="must start with '/'"):
        s3_signer().sign("PUT", HOST, "k", "", {}, BODY, now=NOW)


# --- time ----------------------------------------------------------------------------------------


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(SigningError, match="timezone-aware"):
        s3_signer().sign("PUT", HOST, "/k", "", {}, BODY, now=datetime(2024, 1, 1))


def test_non_utc_datetime_is_converted_to_utc() -> None:
    cest = timezone(timedelta(hours=2))
    added = s3_signer().sign("PUT", HOST, "/k", "", {}, BODY, now=NOW.astimezone(cest))
    assert added == s3_signer().sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)


def test_default_time_is_now_in_utc() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    added = s3_signer().sign("PUT", HOST, "/k", "", {}, BODY)
    after = datetime.now(timezone.utc)
    signed_at = datetime.strptime(added["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert before <= signed_at <= after
    assert f"/{signed_at:%Y%m%d}/eu-central-1/s3/aws4_request" in added["authorization"]


def test_signing_key_follows_the_date_and_the_secret() -> None:
    signer = s3_signer()
    day1 = signer.signing_key("20240501", SECRET)
    assert signer.signing_key("20240501", SECRET) is day1  # cached, not re-derived
    assert signer.signing_key("20240502", SECRET) != day1
    assert signer.signing_key("20240502", SECRET + "x") != signer.signing_key("20240502", SECRET)


def test_rotated_credentials_change_the_signature() -> None:
    class Rotating:
        def __init__(self) -> None:
            self.current = AwsCredentials("AKIAONE", "secret-one")

        def get(self) -> AwsCredentials:
            return self.current

    provider = Rotating()
    signer = SigV4Signer(region="eu-central-1", service="s3", credentials=provider)
    first = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    provider.current = AwsCredentials("AKIATWO", "secret-two")
    second = signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)
    assert "Credential=AKIATWO/" in second["authorization"]
    assert first["authorization"].rsplit("=", 1)[1] != second["authorization"].rsplit("=", 1)[1]


# --- construction, secrets -----------------------------------------------------------------------


def test_from_parameters_uses_the_parameters() -> None:
    params = AwsSigningParameters.model_validate(
        {
            "region": "us-east-1",
            "service": "s3",
            "accessKey": "AKIAIOSFODNN7EXAMPLE",
            "secretKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "doubleEncode": "false",
            "canonicalHeaders": ["Range", "host"],
            "xAmzContentSha256": "included",
        }
    )
    added = SigV4Signer.from_parameters(params).sign(
        "GET",
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        "",
        {"Range": "bytes=0-9"},
        b"",
        now=datetime(2013, 5, 24, tzinfo=timezone.utc),
    )
    assert added["authorization"].endswith("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


def test_from_parameters_without_keys_uses_the_chain() -> None:
    signer = SigV4Signer.from_parameters(AwsSigningParameters(region="eu-west-1", service="s3"))
    assert "ChainCredentialProvider" in repr(signer)


def test_from_parameters_accepts_an_explicit_provider() -> None:
    provider = StaticCredentialProvider(AwsCredentials("AKIAOTHER", "other-secret"))
    params = AwsSigningParameters(region="eu-west-1", service="s3", accessKey="AKIAPARAM", secretKey="param")
    added = SigV4Signer.from_parameters(params, provider).sign("PUT", HOST, "/k", "", {}, b"", now=NOW)
    assert "Credential=AKIAOTHER/" in added["authorization"]


def test_reprs_never_show_secrets() -> None:
    credentials = AwsCredentials("AKIAEXAMPLE", SECRET, TOKEN)
    provider = StaticCredentialProvider(credentials)
    signer = SigV4Signer(region="eu-central-1", service="s3", credentials=provider)
    signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)  # fills the key cache
    for text in (repr(credentials), str(credentials), repr(provider), repr(signer), str(signer)):
        assert SECRET not in text and TOKEN not in text
        assert "AKIAEXAMPLE" in text
    assert "session_token='***'" in repr(credentials)


def test_signing_errors_do_not_leak_secrets() -> None:
    signer = s3_signer(token=TOKEN)
    for call in (
        lambda: signer.sign("PUT", "", "/k", "", {}, BODY, now=NOW),
        lambda: signer.sign("PUT", HOST, "/k", "", {"Authorization": "x"}, BODY, now=NOW),
        lambda: signer.sign("PUT", HOST, "/k", "", {}, BODY, now=datetime(2024, 1, 1)),
    ):
        with pytest.raises(SigningError) as info:
            call()
        assert SECRET not in str(info.value) and TOKEN not in str(info.value)


def test_bad_canonical_headers_in_constructor_is_a_signing_error() -> None:
    with pytest.raises(SigningError, match="not a valid HTTP header name"):
        s3_signer(canonical_headers=["host", "bad name"])


def test_chain_failure_surfaces_as_credentials_error_on_sign(isolated_aws_env: None) -> None:
    signer = SigV4Signer(region="eu-central-1", service="s3", credentials=ChainCredentialProvider())
    with pytest.raises(CredentialsError, match="no AWS credentials found"):
        signer.sign("PUT", HOST, "/k", "", {}, BODY, now=NOW)


# --- encode_s3_path ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "wire"),
    [
        ("/plain/key-1_2.3~x", "/plain/key-1_2.3~x"),
        ("/thing:ns:name:42", "/thing%3Ans%3Aname%3A42"),
        (
            "/com.acme:coffee-brewer:things:twin:events:modified:42",
            "/com.acme%3Acoffee-brewer%3Athings%3Atwin%3Aevents%3Amodified%3A42",
        ),
        ("/a b+c$d=e@f&g;h,i?j#k%l", "/a%20b%2Bc%24d%3De%40f%26g%3Bh%2Ci%3Fj%23k%25l"),
        ("/%41", "/%2541"),
        ("/a//b/./c/../", "/a//b/./c/../"),
        ("/ሴ/é/日本", "/%E1%88%B4/%C3%A9/%E6%97%A5%E6%9C%AC"),
        ("/\x00\x7f", "/%00%7F"),
        ("/😀", "/%F0%9F%98%80"),
        ("", ""),
    ],
)
def test_encode_s3_path(raw: str, wire: str) -> None:
    assert encode_s3_path(raw) == wire


def test_encode_s3_path_rejects_lone_surrogates() -> None:
    with pytest.raises(SigningError, match="lone surrogate"):
        encode_s3_path("/bad\ud800key")
