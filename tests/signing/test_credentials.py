"""Credential providers: static keys, botocore's chain (env, profiles), refresh, failures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from botocore.credentials import RefreshableCredentials

from mapper.errors import CredentialsError
from mapper.signing import (
    AwsCredentials,
    AwsSigningParameters,
    BotocoreCredentialProvider,
    ChainCredentialProvider,
    CredentialProvider,
    SigV4Signer,
    StaticCredentialProvider,
    credential_provider_for,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_static_provider_returns_its_credentials() -> None:
    credentials = AwsCredentials("AKIASTATIC", "static-secret")
    provider = StaticCredentialProvider(credentials)
    assert isinstance(provider, CredentialProvider)
    assert provider.get() is credentials


@pytest.mark.parametrize(("access_key", "secret_key"), [("", "s"), ("AK", "")])
def test_empty_keys_are_rejected(access_key: str, secret_key: str) -> None:
    with pytest.raises(CredentialsError, match="empty"):
        AwsCredentials(access_key, secret_key)


def test_provider_for_parameters_with_keys_is_static_and_carries_the_token() -> None:
    params = AwsSigningParameters(
        region="r", service="s3", accessKey="AKIAP", secretKey="sk", sessionToken="tok"
    )
    provider = credential_provider_for(params)
    assert isinstance(provider, StaticCredentialProvider)
    assert provider.get() == AwsCredentials("AKIAP", "sk", "tok")


def test_provider_for_parameters_without_keys_is_the_chain() -> None:
    assert isinstance(
        credential_provider_for(AwsSigningParameters(region="r", service="s3")), ChainCredentialProvider
    )


def test_chain_reads_environment_variables(isolated_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    provider = ChainCredentialProvider()
    assert provider.get() == AwsCredentials("AKIAFROMENV", "env-secret", None)
    assert provider.get() is provider.get()  # unchanged credentials: the same object, no rebuilding


def test_chain_session_token_from_env_is_sent_and_signed(
    isolated_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIATEMP")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "temp-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "temp-token")
    signer = SigV4Signer(region="eu-central-1", service="s3", credentials=ChainCredentialProvider())
    added = signer.sign("PUT", "b.s3.eu-central-1.amazonaws.com", "/k", "", {}, b"x", now=NOW)
    assert added["x-amz-security-token"] == "temp-token"
    assert "x-amz-security-token" in added["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert "Credential=ASIATEMP/20240501/eu-central-1/s3/aws4_request" in added["authorization"]


def test_chain_reads_a_profile_from_the_shared_credentials_file(
    isolated_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    credentials_file = tmp_path / "credentials"
    credentials_file.write_text(
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n\n"
        "[archiver]\naws_access_key_id = AKIAARCHIVER\naws_secret_access_key = archiver-secret\n"
        "aws_session_token = archiver-token\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.setenv("AWS_PROFILE", "archiver")
    assert ChainCredentialProvider().get() == AwsCredentials(
        "AKIAARCHIVER", "archiver-secret", "archiver-token"
    )
    # an explicit profile wins over AWS_PROFILE
    assert ChainCredentialProvider(profile="default").get() == AwsCredentials("AKIADEFAULT", "default-secret")


def test_no_credentials_anywhere_is_a_helpful_credentials_error(isolated_aws_env: None) -> None:
    with pytest.raises(CredentialsError) as info:
        ChainCredentialProvider().get()
    message = str(info.value)
    assert "no AWS credentials found" in message
    assert "accessKey" in message and "AWS_ACCESS_KEY_ID" in message


def test_unknown_profile_is_a_credentials_error(isolated_aws_env: None) -> None:
    with pytest.raises(CredentialsError, match="profile 'nope'"):
        ChainCredentialProvider(profile="nope").get()


def _metadata(access_key: str, expires_in: timedelta) -> dict[str, str]:
    return {
        "access_key": access_key,
        "secret_key": f"secret-of-{access_key}",
        "token": f"token-of-{access_key}",
        "expiry_time": (datetime.now(timezone.utc) + expires_in).isoformat(),
    }


def test_refreshable_credentials_are_refreshed_before_expiry() -> None:
    refreshes: list[str] = []

    def refresh() -> dict[str, str]:
        refreshes.append("called")
        return _metadata(f"ASIAREFRESHED{len(refreshes)}", timedelta(hours=1))

    # expires in 2 minutes: inside botocore's mandatory refresh window, so the next use refreshes
    botocore_credentials = RefreshableCredentials.create_from_metadata(
        _metadata("ASIAINITIAL", timedelta(minutes=2)), refresh_using=refresh, method="test"
    )
    provider = BotocoreCredentialProvider(botocore_credentials, source="test")
    first = provider.get()
    assert first == AwsCredentials("ASIAREFRESHED1", "secret-of-ASIAREFRESHED1", "token-of-ASIAREFRESHED1")
    assert provider.get() is first  # fresh for an hour: no further refresh, same object
    assert refreshes == ["called"]

    signer = SigV4Signer(region="eu-central-1", service="s3", credentials=provider)
    added = signer.sign("PUT", "h", "/k", "", {}, b"", now=NOW)
    assert "Credential=ASIAREFRESHED1/" in added["authorization"]
    assert added["x-amz-security-token"] == "token-of-ASIAREFRESHED1"


def test_failed_mandatory_refresh_is_a_credentials_error() -> None:
    def refresh() -> dict[str, str]:
        raise RuntimeError("sts unreachable")

    botocore_credentials = RefreshableCredentials.create_from_metadata(
        _metadata("ASIAOLD", timedelta(minutes=-1)), refresh_using=refresh, method="test"
    )
    with pytest.raises(
        CredentialsError, match=r"could not refresh AWS credentials from test.*sts unreachable"
    ):
        BotocoreCredentialProvider(botocore_credentials, source="test").get()


def test_provider_reprs_hide_secrets(isolated_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value")
    chain = ChainCredentialProvider()
    chain.get()
    static = StaticCredentialProvider(AwsCredentials("AKIAS", "static-secret-value", "tok-value"))
    for text in (repr(chain), repr(static), repr(static.get())):
        assert "secret-value" not in text and "tok-value" not in text


@pytest.mark.parametrize(
    ("access_key", "secret_key", "token", "fragment"),
    [
        ("AKIA\r\nX-Injected: 1", "s", None, "access key id"),
        ("アクセス", "s", None, "access key id"),
        ("AKIA", "bad\ud800SECRETPART", None, "lone surrogate"),
        ("AKIA", "s", "TOKENPART\nX-Injected: 1", "session token"),
        ("AKIA", "s", "TOKENPART with spaces", "session token"),
    ],
)
def test_credentials_that_cannot_be_sent_are_credentials_errors(
    access_key: str, secret_key: str, token: str | None, fragment: str
) -> None:
    # whatever the source (parameters, environment, profile, STS), credentials that would break
    # the request are refused with a CredentialsError instead of a bare ValueError from http.client
    with pytest.raises(CredentialsError, match=fragment) as info:
        AwsCredentials(access_key, secret_key, token)
    assert "SECRETPART" not in str(info.value) and "TOKENPART" not in str(info.value)


def test_chain_credentials_with_a_broken_access_key_are_a_credentials_error(
    isolated_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA BROKEN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    with pytest.raises(CredentialsError, match="access key id 'AKIA BROKEN'"):
        ChainCredentialProvider().get()
