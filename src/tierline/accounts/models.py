"""Users and their roles, teams, and personal API tokens."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SUPPORT_T1 = "support_t1", "Support (tier 1)"
    SUPPORT_T2 = "support_t2", "Support (tier 2)"
    OPERATIONS_T3 = "operations_t3", "Operations (tier 3)"
    ENGINEER_T4 = "engineer_t4", "Engineer (tier 4)"
    SENIOR_ENGINEER_T5 = "senior_engineer_t5", "Senior engineer (tier 5)"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.ADMIN, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: a customer's person or a member of the company's staff."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.SUPPORT_T1)
    # Set for customers only: the organization whose issues they may see.
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff_member(self) -> bool:
        return self.role != Role.CUSTOMER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        # Django's admin site asks this; only Tierline admins may enter it.
        return self.is_active and self.role == Role.ADMIN


class Team(models.Model):
    """A group of staff working at one tier, owning product components."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(default=1)
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class TokenScope(models.TextChoices):
    # Each scope includes the ones above it; the user's role still decides what is allowed.
    READ = "read", "Read"  # GET only
    WRITE = "write", "Read and write"  # everything but the admin-only permissions
    ADMIN = "admin", "Admin"  # everything the user's role allows


class ApiToken(models.Model):
    """A personal token for the REST API. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="personal")
    # The first characters of the token, to recognise it in lists without storing it.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.email})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
