"""Writes for users, teams and API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput

from .models import ApiToken, Role, Team, TokenScope, User

TOKEN_PREFIX = "tl_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_user(*, email: str, role: str, name: str = "", password: str | None = None,
                   password_hash: str | None = None, organization=None, actor=None) -> User:
    """`password_hash` takes an already hashed password (imports from another system)."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("Invalid email address", {"email": "not an email address"})
    if role not in Role.values:
        raise InvalidInput("Unknown role", {"role": f"one of {', '.join(Role.values)}"})
    if role == Role.CUSTOMER and organization is None:
        raise InvalidInput("A customer belongs to an organization", {"organization": "required for customers"})
    if role != Role.CUSTOMER and organization is not None:
        raise InvalidInput("Only customers belong to an organization", {"organization": "staff have none"})
    if User.objects.filter(email=email).exists():
        raise InvalidInput("A user with this email exists", {"email": "already taken"})
    user = User.objects.create_user(
        email, password, name=name, role=role, organization=organization,
        is_superuser=(role == Role.ADMIN),
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    if role == Role.CUSTOMER:
        from tierline.customers.actions import do_ensure_contact_for_user

        do_ensure_contact_for_user(user)
    do_record_audit(action=AuditAction.USER_CREATED, actor=actor, organization=organization, target=user,
                    data={"email": user.email, "role": role})
    return user


@transaction.atomic
def do_update_user(user: User, *, role: str | None = None, name: str | None = None,
                   is_active: bool | None = None, password: str | None = None, actor=None) -> User:
    changes = {}
    if role is not None and role != user.role:
        changes["role"] = [user.role, role]
    if is_active is not None and is_active != user.is_active:
        changes["is_active"] = [user.is_active, is_active]
    if password:
        changes["password"] = "changed"
    if role is not None:
        if role not in Role.values:
            raise InvalidInput("Unknown role", {"role": f"one of {', '.join(Role.values)}"})
        if (role == Role.CUSTOMER) != (user.organization_id is not None):
            raise InvalidInput("Customers and staff cannot swap roles", {"role": "changes customer/staff kind"})
        user.role = role
        user.is_superuser = role == Role.ADMIN
    if name is not None:
        user.name = name
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    if password:
        user.set_password(password)
    user.save()
    if changes:
        do_record_audit(action=AuditAction.USER_CHANGED, actor=actor, organization=user.organization,
                        target=user, data=changes)
    return user


@transaction.atomic
def do_create_team(*, name: str, tier: int, slug: str = "", members=()) -> Team:
    if not 1 <= tier <= 5:
        raise InvalidInput("Tier is 1 to 5", {"tier": "between 1 and 5"})
    slug = slug or slugify(name)
    if Team.objects.filter(slug=slug).exists() or Team.objects.filter(name__iexact=name).exists():
        raise InvalidInput("A team with this name exists", {"name": "already taken"})
    team = Team.objects.create(name=name, slug=slug, tier=tier)
    if members:
        do_set_team_members(team, members)
    return team


@transaction.atomic
def do_update_team(team: Team, *, name: str, slug: str, tier: int) -> Team:
    if not 1 <= tier <= 5:
        raise InvalidInput("Tier is 1 to 5", {"tier": "between 1 and 5"})
    team.name, team.slug, team.tier = name, slug or slugify(name), tier
    team.save(update_fields=["name", "slug", "tier"])
    return team


@transaction.atomic
def do_set_team_members(team: Team, members, *, actor=None) -> Team:
    members = list(members)
    if any(m.is_customer for m in members):
        raise InvalidInput("Customers cannot join teams", {"members": "staff only"})
    before = set(team.members.values_list("pk", flat=True)) if team.pk else set()
    team.members.set(members)
    after = {m.pk for m in members}
    if before != after:
        do_record_audit(action=AuditAction.TEAM_MEMBERS_CHANGED, actor=actor, target=team,
                        data={"added": sorted(after - before), "removed": sorted(before - after)})
    return team


@transaction.atomic
def do_create_api_token(user: User, *, name: str = "personal", scope: str = TokenScope.WRITE,
                        actor=None) -> tuple[ApiToken, str]:
    """Returns the token row and its secret; the secret is never stored and cannot be shown again."""
    if scope not in TokenScope.values:
        raise InvalidInput("Unknown scope", {"scope": f"one of {', '.join(TokenScope.values)}"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "personal", prefix=secret[:10], token_hash=hash_token(secret), scope=scope
    )
    do_record_audit(action=AuditAction.TOKEN_CREATED, actor=actor, organization=user.organization, target=token,
                    target_id=token.prefix, data={"user": user.email, "name": token.name, "scope": scope})
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, actor=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        do_record_audit(action=AuditAction.TOKEN_REVOKED, actor=actor, organization=token.user.organization,
                        target=token, target_id=token.prefix, data={"user": token.user.email})
    return token


# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def do_record_token_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
