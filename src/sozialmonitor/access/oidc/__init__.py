"""Sign-in through OpenID Connect (authorization code with PKCE, state and nonce).

``settings``: what the portal is configured with; ``provider``: discovery, keys and
the token request; ``id_token``: the checks of the ID token and its second factor;
``login``: the started sign-ins (state, nonce, verifier) in the database;
``linking``: which local account an ID token signs in; ``flow``: the two steps.
"""
