"""/users/me and /teams."""

from ninja import Router

from tierline.errors import PermissionDenied
from tierline.schemas import ERRORS

from .permissions import has_perm
from .queries import list_teams
from .schemas import MeOut, TeamOut, user_ref

router = Router(tags=["people"])


@router.get("/users/me", response={200: MeOut, **ERRORS})
def get_me(request):
    user = request.auth
    return {
        "id": user.pk, "email": user.email, "name": user.name, "role": user.role,
        "organization_id": user.organization_id, "teams": [t.slug for t in user.teams.all()],
    }


@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def get_teams(request):
    if not has_perm(request.auth, "team.view"):
        raise PermissionDenied("Only staff can see teams")
    teams = list_teams().prefetch_related("members", "components")
    return [
        {"id": t.pk, "name": t.name, "slug": t.slug, "tier": t.tier,
         "members": [user_ref(m) for m in t.members.all()],
         "components": [c.slug for c in t.components.all()]}
        for t in teams
    ]
