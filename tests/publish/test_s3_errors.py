"""Parsing S3 XML error bodies."""

from __future__ import annotations

from mapper.publish.s3_errors import parse_s3_error


def test_s3_error_document():
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>'
        b"<Message>The request signature we calculated does not match the signature you provided.</Message>"
        b"<StringToSign>AWS4-HMAC-SHA256...</StringToSign><RequestId>X</RequestId></Error>"
    )
    parsed = parse_s3_error(body)
    assert parsed.code == "SignatureDoesNotMatch"
    assert parsed.message == "The request signature we calculated does not match the signature you provided."


def test_namespaced_error_document():
    body = b'<Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>NoSuchBucket</Code></Error>'
    assert parse_s3_error(body) == parse_s3_error(b"<Error><Code>NoSuchBucket</Code></Error>")
    assert parse_s3_error(body).code == "NoSuchBucket" and parse_s3_error(body).message is None


def test_non_xml_and_empty_bodies():
    assert parse_s3_error(b"").code is None and parse_s3_error(b"").message is None
    assert parse_s3_error(b"Bad Gateway").message == "Bad Gateway"
    assert parse_s3_error(b"<html><body>502</body></html>").message == "<html><body>502</body></html>"
    assert parse_s3_error(b"<broken").message == "<broken"
    long = parse_s3_error(b"x" * 1000).message
    assert long is not None and len(long) == 203 and long.endswith("...")
