"""A real OpenID Connect provider for the tests, served over HTTP on 127.0.0.1.

It does what Keycloak or ADFS do for the authorization code flow with PKCE:
discovery, keys, an authorization endpoint that signs in ``user`` at once (no form)
and a token endpoint that checks the client, the code (once), the redirect URI and
the PKCE verifier, and issues an RS256-signed ID token. Tests change what it says
(``user``, ``claims_override``, ``discovery_override``, ``sign``) to play a provider
that errs or lies.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

CLIENT_ID = "sozialmonitor"
CLIENT_SECRET = "geheim: nur für Tests"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    """An ID token with ``alg: none`` (which must never be accepted)."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


@dataclass
class Grant:
    claims: dict[str, Any]
    redirect_uri: str
    challenge: str


@dataclass
class IdentityProvider:
    """The provider's state; the tests change its fields between requests."""

    key: RSAKey
    other_key: RSAKey
    """A key the provider does not publish (a forged signature)."""
    redirect_uri: str
    issuer: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    """The claims of whoever signs in at the authorization endpoint."""
    claims_override: dict[str, Any] = field(default_factory=dict)
    """Claims put into (or, with value None, taken out of) the next ID tokens."""
    discovery_override: dict[str, Any] = field(default_factory=dict)
    deny: str = ""
    """An error the authorization endpoint answers with (e.g. access_denied)."""
    sign: Callable[[dict[str, Any]], str] | None = None
    """Replaces the normal signing (to send a forged or unsigned token)."""
    auth_method: str = "client_secret_basic"
    interactive: bool = False
    """Show a page with a link back (a browser then leaves the provider's site by a
    click there, as after typing a password), instead of redirecting at once."""
    grants: dict[str, Grant] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    token_requests: int = 0

    # --- endpoints ------------------------------------------------------------

    def discovery(self, _request: Request) -> Response:
        doc = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [self.auth_method],
        }
        doc.update(self.discovery_override)
        return JSONResponse(doc)

    def jwks(self, _request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def authorize(self, request: Request) -> Response:
        q = request.query_params
        if (
            q.get("client_id") != CLIENT_ID
            or q.get("redirect_uri") != self.redirect_uri
        ):
            return Response("unknown client or redirect_uri", status_code=400)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return Response("code flow with PKCE S256 only", status_code=400)
        if "openid" not in q.get("scope", "").split():
            return Response("openid scope missing", status_code=400)
        answer = {"state": q.get("state", "")}
        if self.deny:
            answer["error"] = self.deny
        else:
            code = secrets.token_urlsafe(24)
            claims = dict(self.user)
            if "nonce" in q:
                claims["nonce"] = q["nonce"]
            self.grants[code] = Grant(
                claims=claims,
                redirect_uri=q["redirect_uri"],
                challenge=q.get("code_challenge", ""),
            )
            answer["code"] = code
        back = f"{self.redirect_uri}?{urlencode(answer)}"
        if self.interactive:
            return HTMLResponse(
                '<!doctype html><html lang="de"><title>Provider</title>'
                f'<a id="continue" href="{html.escape(back)}">Weiter</a></html>'
            )
        return RedirectResponse(back, 302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = dict(parse_qsl((await request.body()).decode()))
        if self.auth_method == "client_secret_basic":
            # RFC 6749 2.3.1: id and secret form-encoded, then Basic.
            scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
            pair = base64.b64decode(encoded).decode() if scheme == "Basic" else ":"
            client_id, _, secret = (unquote(p) for p in pair.partition(":"))
            good = (client_id, secret) == (CLIENT_ID, CLIENT_SECRET)
        else:
            good = (form.get("client_id"), form.get("client_secret")) == (
                CLIENT_ID,
                CLIENT_SECRET,
            )
        if not good:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        code = str(form.get("code", ""))
        grant = self.grants.get(code)
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or code in self.used_codes
            or form.get("redirect_uri") != grant.redirect_uri
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        self.used_codes.add(code)
        verifier = str(form.get("code_verifier", ""))
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant.claims),
            }
        )

    # --- tokens -----------------------------------------------------------------

    def id_token(self, user_claims: dict[str, Any]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            **user_claims,
        }
        for name, value in self.claims_override.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        if self.sign is not None:
            return self.sign(claims)
        header = {"alg": "RS256", "kid": self.key.kid}
        return jwt.encode(header, claims, self.key)

    def forged(self, claims: dict[str, Any]) -> str:
        """Signed with a key the provider does not publish, under its key id."""
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.other_key)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


def new_keys() -> tuple[RSAKey, RSAKey]:
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
    other = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
    return key, other


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(
    provider: IdentityProvider, host: str = "127.0.0.1"
) -> Iterator[IdentityProvider]:
    """Serve ``provider`` on a free port of ``host`` for the ``with`` block."""
    sock = socket.socket()
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    provider.issuer = provider.issuer or f"http://{host}:{port}/realms/test"
    # The issuer has a path, as Keycloak's does: the endpoints are below it.
    app = Starlette(routes=[Mount("/realms/test", app=provider.app())])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test provider did not start")
        time.sleep(0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
