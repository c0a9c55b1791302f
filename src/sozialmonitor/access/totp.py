"""Time-based one-time passwords (RFC 6238): HMAC-SHA-1, 30-second steps, 6 digits.

A code is accepted for the current step and one step either side (clock drift), and
never twice: the caller stores the step a code was accepted for, and a code of that
step or an earlier one is refused (replay).

Examples
--------
>>> code_at(b"12345678901234567890", 59, digits=8)  # RFC 6238, appendix B
'94287082'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
"""Steps accepted either side of the current one."""
ISSUER = "Sozialmonitor"
SECRET_BYTES = 20
"""160 bits, the HMAC-SHA-1 key length RFC 4226 recommends."""


def new_secret() -> str:
    """A random key, base32 without padding (as authenticator apps take it)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def key_of(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def step_of(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_for_step(key: bytes, step: int, *, digits: int = DIGITS) -> str:
    """HOTP (RFC 4226) of the step counter."""
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(key: bytes, unix_time: float, *, digits: int = DIGITS) -> str:
    """The code valid at ``unix_time``."""
    return code_for_step(key, step_of(unix_time), digits=digits)


def matching_step(
    secret: str, code: str, unix_time: float, *, last_step: int | None
) -> int | None:
    """The step ``code`` belongs to (current ±``WINDOW``), or None when it is wrong
    or its step is not after ``last_step`` (a replay)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = key_of(secret)
    now_step = step_of(unix_time)
    found = None
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        # Compare every candidate, in constant time, whatever matched.
        if hmac.compare_digest(code_for_step(key, step), code):
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def provisioning_uri(secret: str, account_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as text or QR code)."""
    label = quote(f"{ISSUER}:{account_name}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
