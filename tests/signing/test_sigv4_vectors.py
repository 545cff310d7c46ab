"""Published SigV4 test vectors: exact signatures from Ditto, the AWS SigV4 suite and the S3 docs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mapper.signing import AwsCredentials, PayloadHashMode, SigV4Signer, StaticCredentialProvider

SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def static(access_key: str, secret_key: str) -> StaticCredentialProvider:
    return StaticCredentialProvider(AwsCredentials(access_key, secret_key))


def signature_of(headers: dict[str, str]) -> str:
    return headers["authorization"].rsplit("Signature=", 1)[1]


# --- Ditto's AwsRequestSigningTest ----------------------------------------------------------------

DITTO_TIME = datetime(2012, 2, 15, tzinfo=timezone.utc)


def ditto_signer() -> SigV4Signer:
    return SigV4Signer(
        region="us-east-1",
        service="iam",
        credentials=static("MyAccessKeyId", SUITE_SECRET),
        canonical_headers=["host", "x-amz-date"],
    )


def test_ditto_signing_key() -> None:
    key = ditto_signer().signing_key("20120215", SUITE_SECRET)
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        (
            b"The quick brown fox jumped over the lazy dog",
            "eda3fcc970a1d0cd3a3c3b8e7c80e876eec16d3b44459ce3e48fffd8226e4dca",
        ),
        (b"", "230756d9a8acdfa5fac97c3d598799e40735714e847111a949f25704cc52d0b5"),
    ],
)
def test_ditto_request_signing(body: bytes, signature: str) -> None:
    added = ditto_signer().sign(
        "POST", "www.example.com", "/p/a/t/h", "parameter=value", {}, body, now=DITTO_TIME
    )
    assert signature_of(added) == signature
    assert added["x-amz-date"] == "20120215T000000Z"
    assert added["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=MyAccessKeyId/20120215/us-east-1/iam/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    assert "x-amz-content-sha256" not in added  # EXCLUDED: hash signed, header not sent


# --- AWS SigV4 test suite (botocore tests/unit/auth/aws4_testsuite, aws-c-auth) ----------------------

SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)


def suite_signer(**options: object) -> SigV4Signer:
    return SigV4Signer(
        region="us-east-1", service="service", credentials=static("AKIDEXAMPLE", SUITE_SECRET), **options
    )


@pytest.mark.parametrize(
    ("case", "path", "signature"),
    [
        ("get-vanilla", "/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("get-utf8", "/%E1%88%B4", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        (
            "get-space",
            "/example%20space/",
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
        ),
        (
            "get-slash-dot-slash-unnormalized",
            "/./",
            "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145",
        ),
    ],
)
def test_aws_suite_get_cases_unnormalized(case: str, path: str, signature: str) -> None:
    # the S3 flavour (doubleEncode=false): the wire path is the canonical URI, not normalised
    added = suite_signer(double_encode=False).sign(
        "GET", "example.amazonaws.com", path, "", {}, b"", now=SUITE_TIME
    )
    assert signature_of(added) == signature, case
    assert "SignedHeaders=host;x-amz-date," in added["authorization"]
    assert "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request," in added["authorization"]
    assert added["x-amz-date"] == "20150830T123600Z"


def test_aws_suite_get_vanilla_double_encoded() -> None:
    added = suite_signer(double_encode=True).sign(
        "GET", "example.amazonaws.com", "/", "", {}, b"", now=SUITE_TIME
    )
    assert signature_of(added) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"


def test_aws_suite_post_x_www_form_urlencoded() -> None:
    signer = suite_signer(canonical_headers=["host", "content-type"])
    added = signer.sign(
        "POST",
        "example.amazonaws.com",
        "/",
        "",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"Param1=value1",
        now=SUITE_TIME,
    )
    assert signature_of(added) == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
    assert "SignedHeaders=content-type;host;x-amz-date," in added["authorization"]


# --- AWS S3 documentation: sig-v4-header-based-auth, GET Object ------------------------------------


def test_s3_docs_get_object_with_range() -> None:
    signer = SigV4Signer(
        region="us-east-1",
        service="s3",
        credentials=static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        double_encode=False,
        canonical_headers=["host", "range"],
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )
    added = signer.sign(
        "GET",
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        "",
        {"Range": "bytes=0-9"},
        b"",
        now=datetime(2013, 5, 24, tzinfo=timezone.utc),
    )
    assert added == {
        "x-amz-date": "20130524T000000Z",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "authorization": "AWS4-HMAC-SHA256 "
        "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    }
