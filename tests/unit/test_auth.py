"""Bearer tokens, the FastAPI guards built on them, and the mint-token command."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
import pytest
from fastapi import Depends, FastAPI
from httpx import ASGITransport, AsyncClient

from shared.auth import (
    DEV_JWT_SECRET,
    AuthSettings,
    CurrentPrincipal,
    InvalidTokenError,
    Principal,
    Role,
    decode_token,
    get_auth_settings,
    mint_token,
    require_partnership,
    require_roles,
)
from shared.cli import main

SECRET = "unit-test-secret-at-least-32-bytes-long"
NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
COMMISSIONER = Principal(
    user_id="u-ann",
    organisation_id="GB-GOV-PCC-WESTMERCIA",
    partnership_id="west-mercia",
    role=Role.COMMISSIONER,
)


def principal(role: Role, partnership_id: str = "west-mercia") -> Principal:
    return COMMISSIONER.model_copy(update={"role": role, "partnership_id": partnership_id})


def claims_of(token: str) -> dict[str, object]:
    """Read a token's claims without verifying it, to inspect or forge them."""
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def signed(claims: dict[str, object]) -> str:
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_a_minted_token_decodes_to_the_same_principal() -> None:
    token = mint_token(COMMISSIONER, secret=SECRET, now=NOW)

    assert decode_token(token, secret=SECRET, now=NOW + timedelta(hours=7)) == COMMISSIONER


def test_the_token_carries_the_agreed_claims() -> None:
    token = mint_token(COMMISSIONER, secret=SECRET, ttl=timedelta(hours=1), now=NOW)

    assert claims_of(token) == {
        "sub": "u-ann",
        "org": "GB-GOV-PCC-WESTMERCIA",
        "partnership": "west-mercia",
        "role": "commissioner",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
        "iss": "commissioning",
        "aud": "commissioning",
    }


def test_a_token_is_rejected_once_its_ttl_has_passed() -> None:
    token = mint_token(COMMISSIONER, secret=SECRET, ttl=timedelta(hours=8), now=NOW)

    with pytest.raises(InvalidTokenError, match="expired at 2025-04-01T17:00:00"):
        decode_token(token, secret=SECRET, now=NOW + timedelta(hours=8))


def test_a_token_whose_payload_was_altered_is_rejected() -> None:
    header, payload, signature = mint_token(principal(Role.APPLICANT), secret=SECRET).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "commissioner"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(InvalidTokenError, match="bad signature"):
        decode_token(f"{header}.{forged}.{signature}", secret=SECRET)


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    token = mint_token(COMMISSIONER, secret=DEV_JWT_SECRET)

    with pytest.raises(InvalidTokenError, match="bad signature"):
        decode_token(token, secret=SECRET)


@pytest.mark.parametrize("claim", ["sub", "org", "partnership", "role", "iat", "exp", "iss", "aud"])
def test_a_token_missing_a_claim_is_rejected(claim: str) -> None:
    claims = claims_of(mint_token(COMMISSIONER, secret=SECRET))
    del claims[claim]

    with pytest.raises(InvalidTokenError, match=f"missing the '{claim}' claim"):
        decode_token(signed(claims), secret=SECRET)


def test_a_token_with_an_unknown_role_is_rejected() -> None:
    claims = claims_of(mint_token(COMMISSIONER, secret=SECRET))
    claims["role"] = "superuser"

    with pytest.raises(InvalidTokenError, match="unknown role 'superuser'"):
        decode_token(signed(claims), secret=SECRET)


def test_a_naive_now_is_refused_rather_than_read_as_local_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mint_token(COMMISSIONER, secret=SECRET, now=datetime(2025, 4, 1, 9, 0))


def test_require_roles_refuses_to_build_a_guard_nobody_can_pass() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()


def grants_app() -> AsyncClient:
    """A tiny service: commissioners and auditors read their own partnership's grants."""
    app = FastAPI()
    app.dependency_overrides[get_auth_settings] = lambda: AuthSettings(jwt_secret=SECRET)
    reader = Annotated[Principal, Depends(require_roles(Role.COMMISSIONER, Role.AUDITOR))]

    @app.get("/partnerships/{partnership_id}/grants")
    def list_grants(partnership_id: str, caller: reader) -> dict[str, str]:
        require_partnership(caller, partnership_id)
        return {"reader": caller.user_id}

    @app.get("/me")
    def me(caller: CurrentPrincipal) -> dict[str, str]:
        return {"role": caller.role}

    return AsyncClient(transport=ASGITransport(app=app), base_url="http://grants")


def bearer(who: Principal, *, secret: str = SECRET, now: datetime | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(who, secret=secret, now=now)}"}


ELEVEN_HOURS_AGO = datetime.now(UTC) - timedelta(hours=11)


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({}, 401, "missing Authorization header"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer not-a-jwt"}, 401, "token is invalid"),
        (bearer(COMMISSIONER, secret=DEV_JWT_SECRET), 401, "bad signature"),
        (bearer(COMMISSIONER, now=ELEVEN_HOURS_AGO), 401, "token expired"),
        (
            bearer(principal(Role.APPLICANT)),
            403,
            "role applicant may not GET /partnerships/west-mercia/grants, "
            "needs one of: commissioner, auditor",
        ),
        (
            bearer(principal(Role.AUDITOR, partnership_id="thames-valley")),
            403,
            "auditor of partnership thames-valley may not access partnership west-mercia",
        ),
        (bearer(principal(Role.AUDITOR)), 200, None),
        (bearer(COMMISSIONER), 200, None),
    ],
    ids=[
        "no header",
        "basic auth",
        "garbage token",
        "wrong secret",
        "expired",
        "wrong role",
        "wrong partnership",
        "auditor of the partnership",
        "commissioner of the partnership",
    ],
)
async def test_who_may_read_a_partnerships_grants(
    headers: dict[str, str], status: int, detail: str | None
) -> None:
    async with grants_app() as client:
        response = await client.get("/partnerships/west-mercia/grants", headers=headers)

    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if detail is None:
        assert response.json() == {"reader": "u-ann"}
    else:
        assert detail in response.json()["detail"]


async def test_any_role_passes_a_route_that_only_needs_a_signed_in_user() -> None:
    async with grants_app() as client:
        response = await client.get("/me", headers=bearer(principal(Role.APPLICANT)))

    assert response.status_code == 200
    assert response.json() == {"role": "applicant"}


def test_the_cli_prints_a_token_signed_with_the_configured_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMMISSIONING_JWT_SECRET", SECRET)
    argv = ["mint-token", "--user", "u-bob", "--org", "GB-CHC-1234567"]
    argv += ["--partnership", "west-mercia", "--role", "partner", "--ttl-hours", "1"]

    exit_code = main(argv)

    assert exit_code == 0
    token = capsys.readouterr().out.strip()
    assert decode_token(token, secret=SECRET) == Principal(
        user_id="u-bob",
        organisation_id="GB-CHC-1234567",
        partnership_id="west-mercia",
        role=Role.PARTNER,
    )
    with pytest.raises(InvalidTokenError, match="expired"):
        decode_token(token, secret=SECRET, now=datetime.now(UTC) + timedelta(minutes=61))


def test_the_cli_refuses_an_organisation_id_not_in_org_id_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["mint-token", "--user", "u-bob", "--org", "Barnardos"]
    argv += ["--partnership", "west-mercia", "--role", "partner"]

    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "organisation_id" in captured.err


def test_the_cli_refuses_an_unknown_role(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["mint-token", "--user", "u", "--org", "GB-CHC-1", "--partnership", "p"]

    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--role", "superuser"])

    assert exit_info.value.code == 2
    assert "invalid choice: 'superuser'" in capsys.readouterr().err
