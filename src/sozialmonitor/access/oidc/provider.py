"""The provider, over HTTP: its discovery document, its keys, its token endpoint.

Every request has a timeout and a size limit, follows no redirect, and is made only
to addresses the discovery document of the configured issuer named. What was read is
kept for ``CACHE_SECONDS`` (the keys are read again when a token names a key that is
not among them: the provider has rotated its keys).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.access.oidc.settings import LOOPBACK, OidcSettings

TIMEOUT_SECONDS = 5.0
"""For each request to the provider (connect, send, wait, read)."""
MAX_RESPONSE_BYTES = 256 * 1024
"""A discovery document, a key set or a token response is a few KB."""
CACHE_SECONDS = 3600.0
ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
)
"""Signature algorithms an ID token may use: asymmetric ones, never ``none``, never
an HMAC keyed with the (shared) client secret."""
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True, kw_only=True)
class Discovery:
    """What the portal uses of the provider's discovery document."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    client_auth: str
    """``client_secret_basic`` or ``client_secret_post``, as the provider supports."""
    algorithms: tuple[str, ...]
    """The allowed algorithms the provider signs ID tokens with."""


class Provider:
    """One configured provider, with what was read from it (thread-safe)."""

    def __init__(
        self, settings: OidcSettings, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self._lock = threading.Lock()
        self._discovery: tuple[float, Discovery] | None = None
        self._keys: tuple[float, KeySet] | None = None

    # --- reading -----------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("GET", url, headers={"Accept": "application/json"}) as r,
            ):
                body = _bounded_body(r)
                status = r.status_code
        except httpx.HTTPError as exc:
            raise OidcError(
                Reason.UNAVAILABLE, f"{what}: {type(exc).__name__}"
            ) from None
        if status != 200:
            raise OidcError(Reason.UNAVAILABLE, f"{what}: HTTP {status}")
        return _json_object(body, what)

    def discovery(self) -> Discovery:
        """The provider's endpoints (read at most every ``CACHE_SECONDS``)."""
        with self._lock:
            if (
                self._discovery
                and time.monotonic() - self._discovery[0] < CACHE_SECONDS
            ):
                return self._discovery[1]
        issuer = self.settings.issuer
        doc = self._get_json(f"{issuer}/.well-known/openid-configuration", "discovery")
        found = _discovery_of(doc, issuer)
        with self._lock:
            self._discovery = (time.monotonic(), found)
        return found

    def keys(self, *, fresh: bool = False) -> KeySet:
        """The provider's public keys (read again when ``fresh``)."""
        with self._lock:
            cached = self._keys
        if cached and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        doc = self._get_json(self.discovery().jwks_uri, "jwks")
        try:
            key_set = KeySet.import_key_set(doc)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise OidcError(
                Reason.PROVIDER_ERROR, f"jwks: {type(exc).__name__}"
            ) from None
        with self._lock:
            self._keys = (time.monotonic(), key_set)
        return key_set

    # --- the two requests of a sign-in -------------------------------------------

    def authorization_url(self, *, state: str, nonce: str, verifier: str) -> str:
        """Where the browser goes to sign in at the provider."""
        extra: dict[str, str] = {
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if self.settings.acr:
            extra["acr_values"] = self.settings.acr
        url: str = prepare_grant_uri(
            self.discovery().authorization_endpoint,
            client_id=self.settings.client_id,
            response_type="code",
            redirect_uri=self.settings.redirect_uri,
            scope=" ".join(self.settings.scopes),
            state=state,
            **extra,
        )
        return url

    def exchange(self, code: str, verifier: str) -> str:
        """The ID token for ``code`` (the token request, with the PKCE verifier)."""
        found = self.discovery()
        settings = self.settings
        headers = {"Accept": "application/json"}
        extra: dict[str, str] = {}
        if found.client_auth == "client_secret_post":
            extra = {
                "client_id": settings.client_id,
                "client_secret": settings.client_secret,
            }
        else:  # RFC 6749 2.3.1: both form-encoded, then Basic
            pair = ":".join(
                quote(v, safe="") for v in (settings.client_id, settings.client_secret)
            )
            headers["Authorization"] = "Basic " + base64.b64encode(
                pair.encode()
            ).decode("ascii")
        encoded = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=settings.redirect_uri,
            code_verifier=verifier,
            **extra,
        )
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream(
                    "POST", found.token_endpoint, content=encoded, headers=headers
                ) as r,
            ):
                raw = _bounded_body(r)
                status = r.status_code
        except httpx.HTTPError as exc:
            raise OidcError(
                Reason.UNAVAILABLE, f"token: {type(exc).__name__}"
            ) from None
        doc = _json_object(raw, "token")
        if status != 200 or "error" in doc:
            error = str(doc.get("error", f"HTTP {status}"))[:60]
            raise OidcError(Reason.TOKEN_REFUSED, f"token: {error}")
        id_token = doc.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise OidcError(Reason.INVALID_TOKEN, "token: no id_token")
        return id_token


def _bounded_body(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise OidcError(Reason.PROVIDER_ERROR, "response too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_object(body: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise OidcError(Reason.PROVIDER_ERROR, f"{what}: not JSON") from None
    if not isinstance(doc, dict):
        raise OidcError(Reason.PROVIDER_ERROR, f"{what}: not a JSON object")
    return doc


def _secure_endpoint(url: str) -> bool:
    """An https address (or plain http on this computer), taken as it is."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (
        parts.scheme == "https"
        or (parts.scheme == "http" and parts.hostname in LOOPBACK)
    )


def _discovery_of(doc: dict[str, Any], issuer: str) -> Discovery:
    if doc.get("issuer") != issuer:
        raise OidcError(
            Reason.PROVIDER_ERROR,
            f"discovery: issuer {str(doc.get('issuer'))[:200]!r} is not {issuer!r}",
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = doc.get(name)
        if not isinstance(value, str) or not _secure_endpoint(value):
            raise OidcError(
                Reason.PROVIDER_ERROR, f"discovery: {name} missing or not https"
            )
        endpoints[name] = value
    methods = doc.get("token_endpoint_auth_methods_supported") or [
        "client_secret_basic"
    ]
    client_auth = next((m for m in CLIENT_AUTH_METHODS if m in methods), None)
    if client_auth is None:
        raise OidcError(
            Reason.PROVIDER_ERROR, "discovery: no client_secret_basic or _post"
        )
    challenges = doc.get("code_challenge_methods_supported")
    if challenges is not None and "S256" not in challenges:
        raise OidcError(Reason.PROVIDER_ERROR, "discovery: no PKCE S256")
    offered = doc.get("id_token_signing_alg_values_supported") or ALLOWED_ALGORITHMS
    algorithms = tuple(a for a in ALLOWED_ALGORITHMS if a in offered)
    if not algorithms:
        raise OidcError(Reason.PROVIDER_ERROR, "discovery: no allowed algorithm")
    return Discovery(
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        client_auth=client_auth,
        algorithms=algorithms,
    )
