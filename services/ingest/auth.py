"""Who is calling: agencies authenticate with an OAuth2 client-credentials JWT (verified against
the configured JWKS) or, without an identity provider, an API key stored only as its SHA-256
(sent as `X-API-Key` or `Authorization: Bearer`). An agency may publish only events whose
`source` it owns, about what its authority covers (catalog/authority.py)."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import jwt
import yaml
from pydantic import BaseModel, ConfigDict, Field

from catalog import ReferenceDataError
from catalog.authority import Authority
from infra.keys import hash_api_key
from infra.problems import Problem, ProblemError, unauthorized

JWT_ALGORITHMS = ["RS256", "RS384", "PS256", "ES256", "ES384", "EdDSA"]


class AgencyCredentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...] = Field(
        default=(), description="Source prefixes it owns; default `/agencies/<code>/`."
    )
    api_keys_sha256: tuple[str, ...] = ()
    oauth_clients: tuple[str, ...] = ()


class AgencyRegistryFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    agencies: dict[str, AgencyCredentials]


@dataclass(frozen=True)
class Principal:
    agency: str
    source_prefixes: tuple[str, ...]
    authority: Authority

    def owns(self, source: str) -> bool:
        if dot_segments(source):
            return False
        return any(source == p.rstrip("/") or source.startswith(p) for p in self.source_prefixes)


def dot_segments(source: str) -> bool:
    """Whether the source has `.` or `..` segments (percent-encoded too): a resolver would read
    `/agencies/a/../b/x` as b's, so it is owned by nobody, whatever it starts with."""
    path = source.split("?", 1)[0].split("#", 1)[0]
    return any(segment in (".", "..") for segment in unquote(path).split("/"))


class AgencyRegistry:
    def __init__(
        self, agencies: Mapping[str, AgencyCredentials], authorities: Mapping[str, Authority]
    ) -> None:
        if unknown := sorted(set(agencies) - set(authorities)):
            raise ReferenceDataError(f"credentials for agencies the province lacks: {unknown}")
        self._principals = {
            code: Principal(code, creds.sources or (f"/agencies/{code}/",), authorities[code])
            for code, creds in agencies.items()
        }
        self._by_key_hash = {
            h.lower(): code for code, creds in agencies.items() for h in creds.api_keys_sha256
        }
        self._by_client = {c: code for code, creds in agencies.items() for c in creds.oauth_clients}

    @classmethod
    def from_file(cls, path: Path, authorities: Mapping[str, Authority]) -> "AgencyRegistry":
        document = AgencyRegistryFile.model_validate(yaml.safe_load(path.read_text("utf-8")))
        return cls(document.agencies, authorities)

    def by_api_key(self, key: str) -> Principal | None:
        # Looked up by digest: timing reveals nothing an attacker can steer toward a stored key.
        code = self._by_key_hash.get(hash_api_key(key))
        return self._principals[code] if code else None

    def by_oauth_client(self, client_id: str) -> Principal | None:
        code = self._by_client.get(client_id)
        return self._principals[code] if code else None


class JwtVerifier:
    """Verifies bearer JWTs: signature from the JWKS (cached), issuer, audience, expiry."""

    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)
        self._issuer, self._audience = issuer, audience

    async def client_id(self, token: str) -> str:
        try:
            # The JWKS fetch on a cache miss is blocking I/O: keep it off the event loop.
            key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=JWT_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWKClientConnectionError as e:
            raise ProblemError(
                Problem(
                    "unavailable",
                    "Identity provider unreachable",
                    503,
                    str(e),
                    headers={"Retry-After": "5"},
                )
            ) from e
        except (jwt.PyJWTError, jwt.PyJWKClientError) as e:
            raise unauthorized(f"invalid bearer token: {e}") from e
        client = claims.get("client_id") or claims.get("azp")
        if not isinstance(client, str):
            raise unauthorized("the token names no client (client_id or azp claim)")
        return client


class Authenticator:
    def __init__(self, registry: AgencyRegistry, jwt_verifier: JwtVerifier | None) -> None:
        self._registry, self._jwt = registry, jwt_verifier

    async def principal(self, headers: Mapping[str, str]) -> Principal:
        if api_key := headers.get("x-api-key"):
            if principal := self._registry.by_api_key(api_key):
                return principal
            raise unauthorized("unknown API key")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token and "." not in token:  # a key, not a JWT
            if principal := self._registry.by_api_key(token):
                return principal
            raise unauthorized("unknown API key")
        if scheme.lower() == "bearer" and token:
            if self._jwt is None:
                raise unauthorized("JWTs are not enabled on this server; send an API key")
            client = await self._jwt.client_id(token)
            if principal := self._registry.by_oauth_client(client):
                return principal
            raise ProblemError(
                Problem("forbidden", "Forbidden", 403, f"client {client!r} is not a known agency")
            )
        raise unauthorized("send an OAuth2 bearer token or an API key (Bearer or X-API-Key)")
