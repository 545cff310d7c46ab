"""AwsSigningParameters: Ditto's aws4-hmac-sha256 credential parameters."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mapper.signing import AwsSigningParameters, PayloadHashMode

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def ditto_s3_parameters(**overrides: object) -> dict[str, object]:
    """The parameters of Ditto's documented S3 connection."""
    params: dict[str, object] = {
        "region": "eu-central-1",
        "service": "s3",
        "accessKey": "AKIAEXAMPLE",
        "secretKey": SECRET,
        "doubleEncode": False,
        "canonicalHeaders": ["host", "x-amz-date"],
        "xAmzContentSha256": "INCLUDED",
    }
    params.update(overrides)
    return params


def test_ditto_s3_connection_parameters_parse() -> None:
    params = AwsSigningParameters.model_validate(ditto_s3_parameters())
    assert params.region == "eu-central-1"
    assert params.service == "s3"
    assert params.access_key == "AKIAEXAMPLE"
    assert params.secret_key is not None and params.secret_key.get_secret_value() == SECRET
    assert params.double_encode is False
    assert params.canonical_headers == ("host", "x-amz-date")
    assert params.x_amz_content_sha256 is PayloadHashMode.INCLUDED


def test_defaults_are_dittos() -> None:
    params = AwsSigningParameters.model_validate({"region": "us-east-1", "service": "iam"})
    assert params.double_encode is True
    assert params.canonical_headers == ("host",)
    assert params.x_amz_content_sha256 is PayloadHashMode.EXCLUDED
    assert params.access_key is None and params.secret_key is None and params.session_token is None


def test_snake_case_names_are_accepted_too() -> None:
    params = AwsSigningParameters(
        region="r", service="s3", access_key="AK", secret_key="sk", double_encode=False
    )
    assert params.access_key == "AK" and params.double_encode is False


@pytest.mark.parametrize("value", ["included", "Included", " INCLUDED ", "iNcLuDeD"])
def test_x_amz_content_sha256_is_case_insensitive(value: str) -> None:
    params = AwsSigningParameters.model_validate(ditto_s3_parameters(xAmzContentSha256=value))
    assert params.x_amz_content_sha256 is PayloadHashMode.INCLUDED


@pytest.mark.parametrize("value", ["SIGNED", "", 1, None, ["INCLUDED"]])
def test_bad_x_amz_content_sha256_lists_the_valid_values(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        AwsSigningParameters.model_validate(ditto_s3_parameters(xAmzContentSha256=value))
    message = str(info.value)
    assert "xAmzContentSha256" in message
    for valid in ("INCLUDED", "EXCLUDED", "UNSIGNED"):
        assert valid in message


def test_canonical_headers_are_trimmed_lowercased_deduplicated_sorted() -> None:
    params = AwsSigningParameters.model_validate(
        ditto_s3_parameters(
            canonicalHeaders=[" X-Amz-Date", "Host ", "host", "", "  ", "Content-Type", "x-amz-date"]
        )
    )
    assert params.canonical_headers == ("content-type", "host", "x-amz-date")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("host", "must be a list"),
        (["host", 3], "must be strings"),
        (["bad header"], "not a valid HTTP header name"),
        (["host:"], "not a valid HTTP header name"),
        (["Authorization"], "the signer produces it"),
    ],
)
def test_bad_canonical_headers_are_rejected_clearly(value: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        AwsSigningParameters.model_validate(ditto_s3_parameters(canonicalHeaders=value))


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("false", False), ("FALSE", False), (True, True)]
)
def test_double_encode_accepts_booleans_and_boolean_strings(value: object, expected: bool) -> None:
    params = AwsSigningParameters.model_validate(ditto_s3_parameters(doubleEncode=value))
    assert params.double_encode is expected


@pytest.mark.parametrize("value", ["yes", "1", 1, 0, None, ""])
def test_double_encode_rejects_other_values(value: object) -> None:
    with pytest.raises(ValidationError, match="doubleEncode"):
        AwsSigningParameters.model_validate(ditto_s3_parameters(doubleEncode=value))


def test_unknown_parameters_are_rejected_so_typos_surface() -> None:
    with pytest.raises(ValidationError) as info:
        AwsSigningParameters.model_validate(ditto_s3_parameters(doubleEncoding=False))
    assert "doubleEncoding" in str(info.value)


@pytest.mark.parametrize("missing", ["region", "service"])
def test_region_and_service_are_required(missing: str) -> None:
    params = ditto_s3_parameters()
    del params[missing]
    with pytest.raises(ValidationError, match=missing):
        AwsSigningParameters.model_validate(params)


@pytest.mark.parametrize(("field", "value"), [("region", ""), ("service", ""), ("region", " eu-central-1")])
def test_region_and_service_must_be_clean(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        AwsSigningParameters.model_validate(ditto_s3_parameters(**{field: value}))


def test_access_key_without_secret_is_an_error() -> None:
    params = ditto_s3_parameters()
    del params["secretKey"]
    with pytest.raises(ValidationError, match="'accessKey' is set but 'secretKey' is not"):
        AwsSigningParameters.model_validate(params)


def test_secret_without_access_key_is_an_error() -> None:
    params = ditto_s3_parameters()
    del params["accessKey"]
    with pytest.raises(ValidationError, match="'secretKey' is set but 'accessKey' is not"):
        AwsSigningParameters.model_validate(params)
    # and the secret itself is not echoed back in the error
    with pytest.raises(ValidationError) as info:
        AwsSigningParameters.model_validate(params)
    assert SECRET not in str(info.value)


def test_session_token_needs_keys() -> None:
    with pytest.raises(ValidationError, match="sessionToken"):
        AwsSigningParameters.model_validate({"region": "r", "service": "s3", "sessionToken": "tok"})


def test_keys_may_be_omitted_for_the_credential_chain() -> None:
    params = AwsSigningParameters.model_validate({"region": "eu-west-1", "service": "s3"})
    assert params.access_key is None


def test_repr_and_dump_hide_secret_and_token() -> None:
    params = AwsSigningParameters.model_validate(ditto_s3_parameters(sessionToken="SESSIONTOKEN123"))
    for text in (repr(params), str(params), params.model_dump_json(), str(params.model_dump())):
        assert SECRET not in text
        assert "SESSIONTOKEN123" not in text
    assert params.session_token is not None and params.session_token.get_secret_value() == "SESSIONTOKEN123"


def test_parameters_are_immutable() -> None:
    params = AwsSigningParameters.model_validate(ditto_s3_parameters())
    with pytest.raises(ValidationError):
        params.region = "us-east-1"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "eu\ncentral-1"),
        ("region", "eu/central-1"),
        ("region", "東京"),
        ("service", "s 3"),
        ("service", "s3\r\nX-Injected: 1"),
    ],
)
def test_region_and_service_must_fit_a_credential_scope(field: str, value: str) -> None:
    # they go into the Authorization header's credential scope: a CR/LF or non-ASCII character
    # would otherwise surface as a bare ValueError / UnicodeEncodeError from http.client
    with pytest.raises(ValidationError, match=rf"{field}[\s\S]*visible ASCII"):
        AwsSigningParameters.model_validate(ditto_s3_parameters(**{field: value}))


@pytest.mark.parametrize(
    "value", ["AKIA\r\nX-Injected: 1", "AKIA EXAMPLE", "AKIA/EXAMPLE", "AK,IA", "アクセス"]
)
def test_access_key_must_be_sendable_in_the_authorization_header(value: str) -> None:
    with pytest.raises(ValidationError, match=r"accessKey[\s\S]*visible ASCII"):
        AwsSigningParameters.model_validate(ditto_s3_parameters(accessKey=value))


def test_unusable_secret_and_token_are_rejected_without_echoing_them() -> None:
    with pytest.raises(ValidationError, match=r"secretKey[\s\S]*lone surrogate") as info:
        AwsSigningParameters.model_validate(ditto_s3_parameters(secretKey="bad\ud800SECRETPART"))
    assert "SECRETPART" not in str(info.value)
    with pytest.raises(ValidationError, match=r"sessionToken[\s\S]*visible ASCII") as info:
        AwsSigningParameters.model_validate(ditto_s3_parameters(sessionToken="TOKENPART\r\nX-Injected: 1"))
    assert "TOKENPART" not in str(info.value)


def test_any_unicode_secret_is_accepted() -> None:
    # the secret only feeds the HMAC (as UTF-8), it is never sent
    params = AwsSigningParameters.model_validate(ditto_s3_parameters(secretKey="pässwört 🔑 /+="))
    assert params.secret_key is not None and params.secret_key.get_secret_value() == "pässwört 🔑 /+="


@pytest.mark.parametrize("secret", [12345678, ["SECRETPART"], "SECRETPART\ud800"])
def test_validation_errors_never_quote_a_rejected_secret(secret: object) -> None:
    with pytest.raises(ValidationError) as info:
        AwsSigningParameters.model_validate(ditto_s3_parameters(secretKey=secret))
    assert "SECRETPART" not in str(info.value) and "12345678" not in str(info.value)
