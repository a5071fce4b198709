"""Who is calling: roles, the principal a bearer token names, and the guards every service uses.

Tokens are HS256 JWTs shared by all services through one secret (`COMMISSIONING_JWT_SECRET`).
The public feed is unauthenticated and never sees a token.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ISSUER = "commissioning"
AUDIENCE = "commissioning"
DEV_JWT_SECRET = "dev-only-insecure-secret-change-me"
_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("sub", "org", "partnership", "role", "iat", "exp", "iss", "aud")


class Role(StrEnum):
    """What a signed-in user may do; the public feed needs no role."""

    COMMISSIONER = "commissioner"
    PARTNER = "partner"
    ASSESSOR = "assessor"
    APPLICANT = "applicant"  # providers bidding for funding sign in as applicants too
    AUDITOR = "auditor"


class Principal(BaseModel):
    """The authenticated caller, as named by a verified token."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(min_length=1)
    # org-id.guide form, e.g. GB-CHC-1234567: list prefix, register, identifier on that register.
    organisation_id: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9]+-\S+$")
    partnership_id: str = Field(min_length=1)
    role: Role


class InvalidTokenError(Exception):
    """The bearer token cannot be trusted: malformed, expired, badly signed or incomplete."""


class AuthSettings(BaseSettings):
    """Token settings; production must set COMMISSIONING_JWT_SECRET."""

    model_config = SettingsConfigDict(env_prefix="COMMISSIONING_")

    # repr=False keeps the secret out of logged settings; 32 bytes is RFC 7518's floor for HS256.
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32, repr=False)


@lru_cache
def get_auth_settings() -> AuthSettings:
    """Read the auth settings once; tests replace this through app.dependency_overrides."""
    return AuthSettings()


def _timestamp(moment: datetime | None) -> int:
    if moment is None:
        return int(datetime.now(UTC).timestamp())
    # A naive datetime would silently be read as the host's local time.
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(moment.timestamp())


def mint_token(
    principal: Principal,
    *,
    secret: str,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """Sign a token naming the principal, valid for `ttl` from `now`."""
    issued_at = _timestamp(now)
    claims = {
        "sub": principal.user_id,
        "org": principal.organisation_id,
        "partnership": principal.partnership_id,
        "role": principal.role.value,
        "iat": issued_at,
        "exp": issued_at + int(ttl.total_seconds()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def decode_token(token: str, *, secret: str, now: datetime | None = None) -> Principal:
    """Verify the token's signature, issuer, audience and expiry and return its principal."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # PyJWT reads the wall clock itself, so expiry is checked below against `now`.
            options={"require": list(_REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError as error:
        raise InvalidTokenError("token has a bad signature (altered, or another secret)") from error
    except jwt.MissingRequiredClaimError as error:
        raise InvalidTokenError(f"token is missing the {error.claim!r} claim") from error
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"token is invalid: {error}") from error

    expires = claims["exp"]
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise InvalidTokenError("token 'exp' claim is not a timestamp")
    if expires <= _timestamp(now):
        expired_at = datetime.fromtimestamp(expires, UTC).isoformat()
        raise InvalidTokenError(f"token expired at {expired_at}")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise InvalidTokenError(f"token has unknown role {claims['role']!r}") from None
    try:
        return Principal(
            user_id=claims["sub"],
            organisation_id=claims["org"],
            partnership_id=claims["partnership"],
            role=role,
        )
    except ValidationError as error:
        raise InvalidTokenError(f"token claims are malformed: {error}") from error


# Declared so OpenAPI shows the scheme; auto_error=False so the 401 below can say what is wrong.
_bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT")

AuthSettingsDep = Annotated[AuthSettings, Depends(get_auth_settings)]


async def current_principal(
    request: Request,
    settings: AuthSettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)],
) -> Principal:
    """Authenticate the request's `Authorization: Bearer <jwt>` header or answer 401."""
    if credentials is None:
        if "Authorization" not in request.headers:
            raise _unauthenticated("missing Authorization header")
        raise _unauthenticated("Authorization header must be 'Bearer <token>'")
    try:
        return decode_token(credentials.credentials, secret=settings.jwt_secret)
    except InvalidTokenError as error:
        raise _unauthenticated(str(error), challenge='Bearer error="invalid_token"') from error


def _unauthenticated(detail: str, challenge: str = "Bearer") -> HTTPException:
    # RFC 6750 §3: a 401 must name the scheme; error="invalid_token" only when one was sent.
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """Build a dependency that returns the principal if it holds one of `roles`, else 403."""
    if not roles:
        raise ValueError("require_roles needs at least one role")  # else nobody could ever pass

    async def principal_with_role(request: Request, principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role} may not {request.method} {request.url.path}, "
                f"needs one of: {', '.join(roles)}",
            )
        return principal

    return principal_with_role


def require_partnership(principal: Principal, partnership_id: str) -> None:
    """Answer 403 unless the principal belongs to `partnership_id`; no role is exempt."""
    if principal.partnership_id != partnership_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"{principal.role} of partnership {principal.partnership_id} "
            f"may not access partnership {partnership_id}",
        )
