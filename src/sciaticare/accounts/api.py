from ninja import Router, Schema

from sciaticare.accounts.types import AuthedRequest

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    name: str
    roles: list[str]


@router.get("/me", response=MeOut, summary="Who the caller is")
def me(request: AuthedRequest) -> MeOut:
    user = request.user
    return MeOut(
        email=user.email,
        name=user.display_name,
        roles=sorted(role.value for role in user.roles),
    )
