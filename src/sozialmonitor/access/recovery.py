"""Recovery codes: ten one-time codes per account, for a lost authenticator.

A code has 80 random bits (16 base32 characters, shown in groups of four); only its
SHA-256 is stored — with that many bits a slow hash adds nothing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from sqlalchemy import Connection, delete, insert, update

from sozialmonitor.access.clock import now
from sozialmonitor.store.schema import account_recovery_code

CODE_COUNT = 10


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def replace_codes(conn: Connection, account_id: int) -> tuple[str, ...]:
    """New codes for the account (the old ones stop working); shown once."""
    conn.execute(
        delete(account_recovery_code).where(
            account_recovery_code.c.account_id == account_id
        )
    )
    codes = tuple(new_code() for _ in range(CODE_COUNT))
    conn.execute(
        insert(account_recovery_code),
        [{"account_id": account_id, "code_hash": code_hash(c)} for c in codes],
    )
    return codes


def use_code(conn: Connection, account_id: int, code: str) -> bool:
    """Whether ``code`` is an unused recovery code of the account; it is used up."""
    if len(_normal(code)) != 16:
        return False
    used = conn.execute(
        update(account_recovery_code)
        .where(account_recovery_code.c.account_id == account_id)
        .where(account_recovery_code.c.code_hash == code_hash(code))
        .where(account_recovery_code.c.used_at.is_(None))
        .values(used_at=now())
    )
    return used.rowcount == 1
