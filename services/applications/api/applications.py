"""Application routes: submit, list, read, history, screen, assess, decide, withdraw."""

from fastapi import APIRouter, Response, status

from services.applications.api.access import visible_application
from services.applications.api.bodies import (
    ApplicationList,
    ApplicationSummary,
    ApplicationView,
    Decision,
    Declaration,
    History,
    Scores,
    Screening,
    SubmitApplication,
    Withdrawal,
)
from services.applications.api.common import (
    ERRORS,
    Applicant,
    Assessor,
    CaseReader,
    Commissioner,
    Recorded,
    context,
    domain_errors,
    page_of,
    recorded,
    store_of,
)
from services.applications.domain.applications import Draft, Status
from services.applications.domain.decisions import mean_score
from services.applications.domain.errors import ForbiddenError
from services.applications.domain.schemes import assessor_refusal
from services.applications.handlers import applications as commands
from services.applications.handlers.streams import load_round, new_id
from services.applications.queries import ApplicationSort, list_applications
from shared.api import PageDep, RuntimeDep
from shared.auth import Role

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["applications"], responses=ERRORS)


@router.post(
    "/rounds/{round_id}/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
)
async def post_application(
    partnership_id: str,
    round_id: str,
    body: SubmitApplication,
    principal: Applicant,
    runtime: RuntimeDep,
    response: Response,
) -> Recorded:
    """Submit an application of the caller's organisation to an open round."""
    application_id = new_id("app")
    draft = Draft(**{**body.model_dump(), "plan_priorities": tuple(body.plan_priorities)})
    with domain_errors():
        stored = await commands.submit(
            runtime.engine, store_of(runtime), context(principal), application_id, round_id, draft
        )
    response.headers["Location"] = f"/partnerships/{partnership_id}/applications/{application_id}"
    return recorded(application_id, stored)


@router.get("/rounds/{round_id}/applications", response_model=ApplicationList)
async def get_applications(
    partnership_id: str,
    round_id: str,
    principal: CaseReader,
    runtime: RuntimeDep,
    page: PageDep,
    status: Status | None = None,
    organisation_id: str | None = None,
    sort: ApplicationSort = ApplicationSort.SUBMITTED,
) -> ApplicationList:
    """A round's applications the caller may see, filtered, sorted and paged."""
    filters = {"status": status.value if status else None, "organisation_id": organisation_id}
    with domain_errors():
        async with runtime.engine.connect() as conn:
            current = await load_round(conn, store_of(runtime), partnership_id, round_id)
            if principal.role is Role.ASSESSOR and (
                refusal := assessor_refusal(current, principal.user_id)
            ):
                raise ForbiddenError(refusal)
            found = await list_applications(
                conn, principal, round_id, filters, sort, page.limit, page.offset
            )
    return page_of(ApplicationList, ApplicationSummary, found, page)


@router.get("/applications/{application_id}", response_model=ApplicationView)
async def get_application(
    partnership_id: str, application_id: str, principal: CaseReader, runtime: RuntimeDep
) -> ApplicationView:
    """An application as it stands, including why funding blocked it if it did."""
    state, _ = await visible_application(runtime, principal, application_id)
    return ApplicationView(
        **state.submitted.model_dump(exclude={"plan_priorities"}),
        plan_priorities=list(state.submitted.plan_priorities),
        status=state.status,
        failed_rules=list(state.failed_rules),
        scores=len(state.totals),
        mean_score=mean_score(state),
        blocked_reason=state.blocked_reason,
    )


@router.get("/applications/{application_id}/history", response_model=History)
async def get_history(
    partnership_id: str, application_id: str, principal: CaseReader, runtime: RuntimeDep
) -> History:
    """Every event of the application, oldest first."""
    _, envelopes = await visible_application(runtime, principal, application_id)
    return History(application_id=application_id, events=envelopes)


@router.post("/applications/{application_id}/screening", response_model=Recorded)
async def post_screening(
    partnership_id: str,
    application_id: str,
    body: Screening,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Screen a submitted application: eligible, or ineligible naming every failed rule."""
    with domain_errors():
        stored = await commands.screen(
            runtime.engine,
            store_of(runtime),
            context(principal),
            application_id,
            body.other_failures,
        )
    return recorded(application_id, stored)


@router.post("/applications/{application_id}/conflict-declarations", response_model=Recorded)
async def post_declaration(
    partnership_id: str,
    application_id: str,
    body: Declaration,
    principal: Assessor,
    runtime: RuntimeDep,
) -> Recorded:
    """Declare a conflict of interest in the application, or that there is none."""
    await visible_application(runtime, principal, application_id, for_command=True)
    with domain_errors():
        stored = await commands.declare_conflict(
            runtime.engine,
            store_of(runtime),
            context(principal),
            application_id,
            body.has_conflict,
            body.details,
        )
    return recorded(application_id, stored)


@router.post("/applications/{application_id}/scores", response_model=Recorded)
async def post_scores(
    partnership_id: str,
    application_id: str,
    body: Scores,
    principal: Assessor,
    runtime: RuntimeDep,
) -> Recorded:
    """Score the application on every criterion (refused to a conflicted assessor)."""
    await visible_application(runtime, principal, application_id, for_command=True)
    with domain_errors():
        stored = await commands.score(
            runtime.engine,
            store_of(runtime),
            context(principal),
            application_id,
            body.scores,
            body.comment,
        )
    return recorded(application_id, stored)


@router.post("/applications/{application_id}/approval", response_model=Recorded)
async def post_approval(
    partnership_id: str,
    application_id: str,
    body: Decision,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Approve a scored application; funding then awards it (or blocks it, with a reason)."""
    with domain_errors():
        stored = await commands.approve(
            runtime.engine,
            store_of(runtime),
            context(principal),
            application_id,
            body.decision_reference,
            body.reason,
        )
    return recorded(application_id, stored)


@router.post("/applications/{application_id}/rejection", response_model=Recorded)
async def post_rejection(
    partnership_id: str,
    application_id: str,
    body: Decision,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Reject an undecided application with a decision reference and a reason."""
    with domain_errors():
        stored = await commands.reject(
            runtime.engine,
            store_of(runtime),
            context(principal),
            application_id,
            body.decision_reference,
            body.reason,
        )
    return recorded(application_id, stored)


@router.post("/applications/{application_id}/withdrawal", response_model=Recorded)
async def post_withdrawal(
    partnership_id: str,
    application_id: str,
    body: Withdrawal,
    principal: Applicant,
    runtime: RuntimeDep,
) -> Recorded:
    """Withdraw the caller's organisation's undecided application."""
    await visible_application(runtime, principal, application_id)
    with domain_errors():
        stored = await commands.withdraw(
            runtime.engine, store_of(runtime), context(principal), application_id, body.reason
        )
    return recorded(application_id, stored)
