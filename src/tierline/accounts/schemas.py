from ninja import Schema


class UserRef(Schema):
    id: int
    name: str
    email: str


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    tier: int
    members: list[UserRef]
    components: list[str]


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    organization_id: int | None
    teams: list[str]


def user_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "email": user.email}
