"""Verifies a client assertion with PyJWT against a JWKS file, as a platform would.

Usage: verify_assertion.py TOKEN JWKS_FILE CLIENT_ID AUDIENCE DEPLOYMENT_ID

Exits non-zero, saying why, unless the token's kid is in the JWKS, its RS256 signature verifies,
iss = sub = CLIENT_ID, aud = AUDIENCE, it has a jti, lives five minutes, and carries the
deployment id claim.
"""

import json
import sys

import jwt


def main():
    token, jwks_file, client_id, audience, deployment_id = sys.argv[1:]
    with open(jwks_file, encoding="utf-8") as f:
        jwks = jwt.PyJWKSet.from_dict(json.load(f))
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwks[kid]
    claims = jwt.decode(
        token,
        key=key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer=client_id,
        options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]},
    )
    assert claims["sub"] == client_id, claims
    assert claims["exp"] - claims["iat"] == 300, claims
    assert claims["jti"], claims
    claim = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    assert claims.get(claim) == deployment_id, claims
    print("ok", kid)


if __name__ == "__main__":
    main()
