"""Agency authentication: API keys, and JWTs verified against a JWKS served over HTTP."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from catalog.authority import of_province
from infra.keys import hash_api_key
from infra.problems import ProblemError
from services.ingest.auth import (
    AgencyCredentials,
    AgencyRegistry,
    Authenticator,
    JwtVerifier,
)

KEY = "ioc_test-key-for-so-y-te"
REGISTRY = AgencyRegistry(
    {
        "so-y-te": AgencyCredentials(api_keys_sha256=(hash_api_key(KEY),)),
        "so-tu-phap": AgencyCredentials(
            sources=("/agencies/so-tu-phap/", "urn:vn:stp"), oauth_clients=("stp-mot-cua",)
        ),
    },
    of_province("quang-ngai"),
)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """An identity provider's JWKS endpoint on loopback."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": "k1", "use": "sig"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    base = {
        "iss": "https://idp.test",
        "aud": "ioc-ingest",
        "exp": time.time() + 60,
        "client_id": "stp-mot-cua",
    }
    return jwt.encode(base | claims, key, algorithm="RS256", headers={"kid": "k1"})


async def test_api_key_identifies_its_agency_and_default_source_prefix() -> None:
    principal = await Authenticator(REGISTRY, None).principal({"x-api-key": KEY})
    assert principal.agency == "so-y-te"
    assert principal.owns("/agencies/so-y-te/mot-cua")
    assert principal.owns("/agencies/so-y-te")
    assert not principal.owns("/agencies/so-y-te-gia/x")
    assert not principal.owns("/agencies/so-tu-phap/mot-cua")


async def test_unknown_key_and_no_credentials_are_401() -> None:
    authenticator = Authenticator(REGISTRY, None)
    for headers in ({"x-api-key": "wrong"}, {}, {"authorization": "Basic abc"}):
        with pytest.raises(ProblemError) as error:
            await authenticator.principal(headers)
        assert error.value.problem.status == 401
        assert "WWW-Authenticate" in error.value.problem.headers


async def test_valid_jwt_maps_its_client_to_the_agency(
    signing_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    authenticator = Authenticator(REGISTRY, JwtVerifier(jwks_url, "https://idp.test", "ioc-ingest"))
    principal = await authenticator.principal({"authorization": f"Bearer {token(signing_key)}"})
    assert principal.agency == "so-tu-phap"
    assert principal.owns("urn:vn:stp")


@pytest.mark.parametrize(
    "claims",
    [{"aud": "another-api"}, {"iss": "https://evil.test"}, {"exp": time.time() - 10}],
    ids=["audience", "issuer", "expired"],
)
async def test_jwt_with_wrong_claims_is_401(
    signing_key: rsa.RSAPrivateKey, jwks_url: str, claims: dict[str, object]
) -> None:
    authenticator = Authenticator(REGISTRY, JwtVerifier(jwks_url, "https://idp.test", "ioc-ingest"))
    with pytest.raises(ProblemError) as error:
        await authenticator.principal({"authorization": f"Bearer {token(signing_key, **claims)}"})
    assert error.value.problem.status == 401


async def test_jwt_signed_by_another_key_is_401(jwks_url: str) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    authenticator = Authenticator(REGISTRY, JwtVerifier(jwks_url, "https://idp.test", "ioc-ingest"))
    with pytest.raises(ProblemError) as error:
        await authenticator.principal({"authorization": f"Bearer {token(stranger)}"})
    assert error.value.problem.status == 401


async def test_jwt_of_an_unknown_client_is_403(
    signing_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    authenticator = Authenticator(REGISTRY, JwtVerifier(jwks_url, "https://idp.test", "ioc-ingest"))
    bearer = token(signing_key, client_id="someone-else")
    with pytest.raises(ProblemError) as error:
        await authenticator.principal({"authorization": f"Bearer {bearer}"})
    assert error.value.problem.status == 403
