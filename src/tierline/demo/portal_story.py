"""The live-debugging story's demo data: Tyrell Biotech's researchers, whose portal profiles list
hundreds of groups, cannot sign in to the example portal (examples/portal). Seeded here: the
people the portal knows, the agent token the portal's agent uses (its secret in the data
directory, for `tierline run` to hand to the portal), and Priya's email "cannot sign in", taken in
through the mail intake like any other. The README's walk-through goes on from there."""

import os
from email.message import EmailMessage

from django.conf import settings

from tierline.customers.actions import do_create_contact
from tierline.customers.models import Contact, Organization
from tierline.intake.actions import do_process_message, do_receive_message
from tierline.intake.models import InboundKind
from tierline.probes.actions import do_create_agent_token

ORGANIZATION = "Tyrell Biotech"  # slug tyrell-biotech, as the portal's agent reports ctx.organization
PEOPLE = [("priya@tyrell.example", "Priya Raman"), ("tom@tyrell.example", "Tom Becker"),
          ("ines@tyrell.example", "Ines Duarte")]
SUBJECT = "Cannot sign in to the portal"
BODY = """Hello,

since this morning I cannot sign in to the portal. After I enter my password the page keeps
reloading and Chrome ends with "ERR_TOO_MANY_REDIRECTS". My colleague Tom has the same problem;
Ines signs in fine from the same office. We cleared cookies and tried Firefox: same thing.

Priya Raman
Tyrell Biotech, Research IT
"""


def customer_email(sender: str = PEOPLE[0][0], subject: str = SUBJECT, body: str = BODY) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, settings.INTAKE_ADDRESSES[0], subject
    message.set_content(body)
    return message.as_bytes()


def write_agent_token(secret: str) -> None:
    """Only the portal's process reads it: the file is the owner's alone."""
    path = settings.DEMO_AGENT_TOKEN_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        f.write(secret + "\n")


def seed_portal_story(*, organization: Organization | None = None) -> None:
    organization = organization or Organization.objects.get(name=ORGANIZATION)
    for email, name in PEOPLE:
        if not Contact.objects.filter(email=email).exists():
            do_create_contact(email=email, name=name, organization=organization)
    _, secret = do_create_agent_token(service="portal", name="demo portal", actor=None)
    write_agent_token(secret)
    # Processed now rather than by the worker, so the demo opens with the issue in the queue.
    do_process_message(do_receive_message(kind=InboundKind.EMAIL, source="demo", raw=customer_email()))
