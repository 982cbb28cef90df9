"""Loads a registration bundle's pylti1p3.json in pylti1.3 and signs as a pylti1.3 tool would.

Usage: pylti1p3_loads.py BUNDLE_DIR ISSUER CLIENT_ID KID PASSPHRASE DEPLOYMENT_ID...

Exits non-zero, saying why, when pylti1.3 does not find the registration and every deployment,
when the kid pylti1.3 signs with is not KID, or when a client assertion signed the way pylti1.3
signs one does not verify against the bundle's jwks.json.
"""

import json
import os
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization
from pylti1p3.tool_config import ToolConfJsonFile


def main():
    bundle, iss, client_id, kid, passphrase, *deployments = sys.argv[1:]
    conf = ToolConfJsonFile(os.path.join(bundle, "pylti1p3.json"))

    registration = conf.find_registration_by_params(iss, client_id)
    assert registration is not None, "pylti1.3 found no registration"
    assert registration.get_client_id() == client_id, registration.get_client_id()
    for deployment_id in deployments:
        found = conf.find_deployment_by_params(iss, deployment_id, client_id)
        assert found is not None, f"pylti1.3 found no deployment {deployment_id}"
    assert conf.find_deployment_by_params(iss, "not-a-deployment", client_id) is None

    # The kid pylti1.3 puts in its tokens' headers is the one the tool publishes.
    assert registration.get_kid() == kid, (registration.get_kid(), kid)
    published = json.load(open(os.path.join(bundle, "jwks.json")))
    assert kid in [k["kid"] for k in published["keys"]], published

    # A client assertion as pylti1.3's ServiceConnector makes one (the private key in the bundle
    # is encrypted: the tool's server decrypts it once), verified with the published key.
    private = serialization.load_pem_private_key(
        registration.get_tool_private_key().encode(), password=passphrase.encode()
    )
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": registration.get_auth_audience() or registration.get_auth_token_url(),
        "iat": now,
        "exp": now + 60,
        "jti": "e2e",
    }
    token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": registration.get_kid()})
    header = jwt.get_unverified_header(token)
    key = next(k for k in published["keys"] if k["kid"] == header["kid"])
    decoded = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=claims["aud"]
    )
    assert decoded["iss"] == client_id
    print("ok")


if __name__ == "__main__":
    main()
