"""Articles for the knowledge tests and the role tables."""

from tierline.knowledge.actions import do_create_article


def make_article(title: str = "Export invoices as CSV", body: str = "Open Billing, then Export.", *,
                 visibility: str = "public", status: str = "published", **fields):
    return do_create_article(actor=None, title=title, body=body, visibility=visibility, status=status, **fields)


def make_knowledge_ids() -> dict:
    """A public and an internal published article, as URL parts for the role tables."""
    return {"article_id": make_article().pk, "internal_article": make_article("Runbook", visibility="internal").pk}
