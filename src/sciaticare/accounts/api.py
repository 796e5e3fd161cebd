from ninja import Field, Router, Schema
from pydantic import ConfigDict

from sciaticare.accounts import services
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.schemas import Problem

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    name: str
    roles: list[str]
    time_zone: str = Field(
        description="IANA name; the person's 'today' (diary, reminders, charts) follows it."
    )


class MeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = Field(
        max_length=64,
        description="An IANA time zone name, e.g. Europe/London. Days already logged keep "
        "their dates.",
    )


def _me(request: AuthedRequest) -> MeOut:
    user = request.user
    return MeOut(
        email=user.email,
        name=user.display_name,
        roles=sorted(role.value for role in user.roles),
        time_zone=user.time_zone,
    )


@router.get("/me", response=MeOut, summary="Who the caller is")
def me(request: AuthedRequest) -> MeOut:
    return _me(request)


@router.patch("/me", response={200: MeOut, 422: Problem}, summary="Change the caller's time zone")
def change_me(request: AuthedRequest, payload: MeIn) -> MeOut:
    services.set_time_zone(user=request.user, time_zone=payload.time_zone)
    return _me(request)
