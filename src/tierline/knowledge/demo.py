"""Demo knowledge base: public how-to articles, an internal runbook, one article turned from a
resolved demo issue (edited and published), one draft, and some anonymous suggestion and
deflection counts, all through the actions. Called at the end of `tierline demo`'s seed."""

import random
from datetime import datetime

from tierline.accounts.models import User
from tierline.issues.models import DONE_STATUSES, Component, Issue

from .actions import (
    do_create_article,
    do_draft_article_from_issue,
    do_record_deflection,
    do_record_suggestion_open,
    do_update_article,
)

# title, component, visibility, status, body (Markdown)
ARTICLES = [
    ("Set up single sign-on (SAML)", "Authentication", "public", "published",
     "Tierline signs your people in through your identity provider.\n\n## Steps\n\n"
     "1. In your identity provider, add a **SAML 2.0** app.\n2. Paste the *ACS URL* from **Settings > Security**.\n"
     "3. Upload the provider's certificate and choose **Test sign-in**.\n\n"
     "If the browser loops back to the sign-in page, check that the clock of the identity provider is right."),
    ("Export more than 10,000 rows", "Reporting", "public", "published",
     "CSV exports from a report stop at 10,000 rows. For more, use the API's `GET /v2/exports` endpoint, "
     "which pages through every row:\n\n- ask for an export,\n- follow `next` until it is empty."),
    ("Verify webhook signatures after a key rotation", "Public API", "public", "published",
     "Each delivery carries an `X-Signature` header: the HMAC-SHA256 of the body with your signing key.\n\n"
     "After a **rotation**, both keys sign for 24 hours: accept either until your endpoint has the new one."),
    ("Why you may hit the rate limit early", "Public API", "public", "published",
     "The quota counts requests **per organization**, not per key: every integration shares it. "
     "Spread batch jobs over the minute, and read `Retry-After` on a `429`."),
    ("Restart a stuck Salesforce sync", "Integrations", "internal", "published",
     "Support only. When the nightly sync stops with `INVALID_FIELD`:\n\n1. Ask the customer which field "
     "they renamed.\n2. Map it again under **Integrations > Salesforce**.\n3. Run the sync from the desk."),
    ("Push notifications arrive late on Android", "Mobile app", "public", "draft",
     "(Draft) Battery savers hold notifications back. Steps for the common phone makers to follow."),
]


def seed_knowledge(*, rng: random.Random, now: datetime) -> None:
    author = User.objects.filter(role="support_t2").order_by("id").first()
    components = {c.name: c for c in Component.objects.all()}
    articles = [do_create_article(actor=author, title=title, body=body, visibility=visibility, status=status,
                                  component=components.get(component), at=now)
                for title, component, visibility, status, body in ARTICLES]
    resolved = (Issue.objects.filter(title="Invoice shows wrong VAT rate", status__in=DONE_STATUSES)
                .order_by("-resolved_at").first())
    if resolved is not None:
        draft = do_draft_article_from_issue(resolved, actor=author, at=now)
        articles.append(do_update_article(
            draft, actor=author, at=now, visibility="public", status="published",
            title="Invoices with the wrong VAT rate",
            body=draft.body.replace("## Question", "## When this happens", 1)))
    for article in articles:
        if article.is_public:
            opens = rng.randint(3, 40)
            for _ in range(opens):
                do_record_suggestion_open(article)
            for _ in range(rng.randint(0, opens // 2)):
                do_record_deflection(article)
