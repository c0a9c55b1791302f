"""TOTP (RFC 6238) against the RFC's published test vectors; window and replay."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pytest

from sozialmonitor.access import totp

RFC_KEY = b"12345678901234567890"
"""RFC 6238 appendix B, SHA-1 seed."""
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
SECRET = base64.b32encode(RFC_KEY).decode().rstrip("=")


@pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
def test_rfc6238_sha1_vectors(unix_time: int, expected: str) -> None:
    assert totp.code_at(RFC_KEY, unix_time, digits=8) == expected


@pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
def test_six_digits_are_the_last_six_of_the_vector(
    unix_time: int, expected: str
) -> None:
    assert totp.code_at(totp.key_of(SECRET), unix_time) == expected[-6:]


def test_one_step_either_side_is_accepted_two_are_not() -> None:
    t = 1234567890
    step = totp.step_of(t)
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.code_for_step(RFC_KEY, step + offset)
        found = totp.matching_step(SECRET, code, t, last_step=None)
        assert (found == step + offset) is accepted, offset


def test_a_used_step_and_earlier_ones_are_refused() -> None:
    t = 1234567890
    step = totp.step_of(t)
    code = totp.code_at(RFC_KEY, t)
    assert totp.matching_step(SECRET, code, t, last_step=step - 1) == step
    assert totp.matching_step(SECRET, code, t, last_step=step) is None
    earlier = totp.code_for_step(RFC_KEY, step - 1)
    assert totp.matching_step(SECRET, earlier, t, last_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp.matching_step(SECRET, code, 59, last_step=None) is None


def test_new_secret_is_160_bits_and_in_the_provisioning_uri() -> None:
    secret = totp.new_secret()
    assert len(totp.key_of(secret)) == 20
    assert secret != totp.new_secret()
    uri = urlparse(totp.provisioning_uri(secret, "anna"))
    assert (uri.scheme, uri.netloc, uri.path) == (
        "otpauth",
        "totp",
        "/Sozialmonitor:anna",
    )
    query = parse_qs(uri.query)
    assert query["secret"] == [secret]
    assert query["digits"] == ["6"] and query["period"] == ["30"]
    assert query["algorithm"] == ["SHA1"] and query["issuer"] == ["Sozialmonitor"]
