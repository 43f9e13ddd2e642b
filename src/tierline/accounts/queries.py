"""Reads for users, teams and tokens."""

from .actions import TOKEN_PREFIX, hash_token
from .models import ApiToken, Team, User


def find_user_by_token(secret: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None for a wrong, revoked or inactive one."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    # token_hash is unique: one row or none, without the ORDER BY that .first() would add.
    tokens = ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret), revoked_at=None,
                                                            user__is_active=True)[:1]
    token = next(iter(tokens), None)
    return (token.user, token) if token else None


def list_staff_users():
    return User.objects.exclude(role="customer").filter(is_active=True).order_by("name", "email")


def list_teams():
    return Team.objects.all().order_by("tier", "name")
