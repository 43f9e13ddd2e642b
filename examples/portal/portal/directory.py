"""The portal's users. Most belong to a few groups; Tyrell Biotech syncs its whole research
directory into the portal, so its people carry hundreds of groups each, and their identity tokens
grow past 8,000 characters."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    organization: str  # the customer's slug, as Tierline knows it
    groups: tuple[str, ...]


_TYRELL_LABS = ("genomics", "proteomics", "imaging", "bioinformatics", "clinical-trials", "assay-development")


def _research_groups(person: str) -> tuple[str, ...]:
    return tuple(f"tyrell-research-{lab}-project-{n:03d}-members" for lab in _TYRELL_LABS for n in range(60)) + (
        f"tyrell-people-{person}",)


USERS = {u.username: u for u in (
    User("dana", "Dana Whitfield", "dana@northwind.example", "northwind-logistics",
         ("northwind-staff", "portal-users")),
    User("omar", "Omar Haddad", "omar@northwind.example", "northwind-logistics",
         ("northwind-staff", "billing-admins")),
    User("lena", "Lena Park", "lena@globex.example", "globex-health", ("globex-ops", "portal-users", "globex-eu")),
    User("priya", "Priya Raman", "priya@tyrell.example", "tyrell-biotech", _research_groups("priya")),
    User("tom", "Tom Becker", "tom@tyrell.example", "tyrell-biotech", _research_groups("tom")),
    User("ines", "Ines Duarte", "ines@tyrell.example", "tyrell-biotech", ("tyrell-admins", "portal-users")),
)}


def find_user(username: str) -> User | None:
    return USERS.get((username or "").strip().lower())
