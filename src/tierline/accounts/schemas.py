from pydantic import BaseModel


class UserRef(BaseModel):
    id: int
    name: str
    email: str


class TeamOut(BaseModel):
    id: int
    name: str
    slug: str
    tier: int
    members: list[UserRef]
    components: list[str]


class MeOut(BaseModel):
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
