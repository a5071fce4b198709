"""The public files: 360Giving JSON and CSV, OCDS, and the annual report per funding stream."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import HTMLResponse

from services.publication import giving360, ocds
from services.publication.deps import AsOf, RegisterDep, SettingsDep
from services.publication.register import Register
from services.publication.report import AnnualReport, annual_report, report_csv, report_html

router = APIRouter(tags=["open data"])
CSV = "text/csv; charset=utf-8"


def _published(register: Register) -> datetime:
    """The package date: when its newest fact happened (stable for the same history)."""
    moments = [a.last_modified for a in register.awards.values()]
    return max(moments, default=datetime(2000, 1, 1, tzinfo=UTC))


@router.get("/360giving.json")
async def giving_json(register: RegisterDep, settings: SettingsDep) -> dict[str, Any]:
    """Every grant award as a 360Giving 1.4 grant package (no grants yet: an empty package)."""
    return giving360.package(register, settings.publisher_prefix, _published(register))


@router.get("/360giving.csv", response_class=Response, responses={200: {"content": {CSV: {}}}})
async def giving_csv(register: RegisterDep, settings: SettingsDep) -> Response:
    """Every grant award in the 360Giving flat CSV layout (no grants yet: the header only)."""
    body = giving360.csv_text(register, settings.publisher_prefix)
    return Response(body, media_type=CSV)


@router.get("/ocds.json")
async def ocds_json(
    register: RegisterDep, settings: SettingsDep, as_of: AsOf = None
) -> dict[str, Any]:
    """Every contract as an OCDS 1.1 release package: award, contract, termination.

    No contract yet gives a package without releases (ADR 0052).
    """
    suffix = f"?as_of={as_of.isoformat()}" if as_of else ""
    uri = f"{settings.public_url}/ocds.json{suffix}"
    return ocds.release_package(register, settings.publisher_prefix, uri, _published(register))


def _report(register: Register, fund_id: str) -> AnnualReport:
    report = annual_report(register, fund_id)
    if report is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no award from funding stream {fund_id!r} has been published",
        )
    return report


@router.get(
    "/reports/{fund_id}.csv",
    response_class=Response,
    responses={200: {"content": {CSV: {}}}, 404: {"description": "no awards from that stream"}},
)
async def report_as_csv(fund_id: str, register: RegisterDep) -> Response:
    """The annual report of a funding stream as CSV: a row per project and a total."""
    return Response(report_csv(_report(register, fund_id)), media_type=CSV)


@router.get(
    "/reports/{fund_id}.html",
    response_class=HTMLResponse,
    responses={404: {"description": "no awards from that stream"}},
)
async def report_as_html(fund_id: str, register: RegisterDep, as_of: AsOf = None) -> HTMLResponse:
    """The annual report of a funding stream: totals awarded, projects, aggregated outcomes."""
    day = (as_of or datetime.now(UTC).date()).isoformat()
    return HTMLResponse(report_html(_report(register, fund_id), day))
