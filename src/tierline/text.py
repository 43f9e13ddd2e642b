"""Checks of the text an action is about to store, shared by every app's actions: the same words for
the same problem everywhere, and no NUL character reaches the database (PostgreSQL text cannot hold
one)."""


def text_problems(fields: dict, limits: dict[str, int]) -> dict[str, str]:
    """What is wrong with each field named in `limits` that `fields` holds (None is left to the caller):
    not text, a NUL character, or longer than its limit."""
    problems = {}
    for name, limit in limits.items():
        text = fields.get(name)
        if text is None:
            continue
        if not isinstance(text, str):
            problems[name] = "must be text"
        elif "\x00" in text:
            problems[name] = "must not contain NUL characters"
        elif len(text) > limit:
            problems[name] = f"at most {limit} characters"
    return problems


def title_problems(fields: dict, limit: int) -> dict[str, str]:
    """A title is one line with single spaces (tidied in place in `fields`), required and at most `limit`
    characters."""
    if "title" not in fields:
        return {}
    title = fields["title"] or ""
    if not isinstance(title, str) or "\x00" in title:
        return text_problems({"title": title}, {"title": limit})
    fields["title"] = " ".join(title.split())
    if not fields["title"]:
        return {"title": "required"}
    return text_problems(fields, {"title": limit})
