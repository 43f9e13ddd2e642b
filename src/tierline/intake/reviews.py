"""App-store and Google Play review exports (CSV or JSON) and a generic mention feed, read into
`Review`s: pure functions, no database.

Recognised columns (any case): Google Play's export (`Star Rating`, `Review Title`, `Review Text`,
`Review Submit Date and Time`, `Review Link`, `Package Name`), App Store Connect's (`Rating`,
`Title`, `Review`, `Nickname`, `Date`, `Review ID`), and the mention feed, a JSON list of
`{"id", "source", "author", "text", "url", "sentiment": "negative" | number from -1 to 1, "created_at"}`.
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass


@dataclass
class Review:
    source: str
    external_id: str
    text: str
    title: str = ""
    rating: int | None = None
    sentiment: float | None = None  # -1 (negative) .. 1 (positive)
    author: str = ""
    url: str = ""
    written_at: str = ""

    @property
    def channel(self) -> str:
        return "review" if self.rating is not None else "social"


def _pick(row: dict, *names: str) -> str:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _rating(value: str) -> int | None:
    try:
        rating = int(float(value))
    except (ValueError, OverflowError):  # "n/a", "inf"
        return None
    return rating if 1 <= rating <= 5 else None


def _sentiment(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(-1.0, min(1.0, float(value)))
    return {"negative": -1.0, "neutral": 0.0, "positive": 1.0}.get(str(value).strip().lower())


def _review(row: dict, default_source: str) -> Review | None:
    text = _pick(row, "review text", "review", "text", "body", "content")
    title = _pick(row, "review title", "title")
    if not text and not title:
        return None
    source = _pick(row, "source") or ("google_play" if _pick(row, "package name") else default_source)
    author = _pick(row, "nickname", "author", "reviewer", "user")
    written_at = _pick(row, "review submit date and time", "date", "created_at", "time")
    external_id = _pick(row, "review id", "id", "review link", "url") or hashlib.sha256(
        json.dumps([source, author, written_at, title, text]).encode()).hexdigest()[:40]
    return Review(
        source=source[:50], external_id=external_id[:200], text=text, title=title[:300],
        rating=_rating(_pick(row, "star rating", "rating", "stars")),
        sentiment=_sentiment(row.get("sentiment", "")), author=author[:200],
        url=_pick(row, "review link", "url", "link")[:500], written_at=written_at[:64],
    )


def read_reviews(data: bytes, *, default_source: str = "app_store") -> list[Review]:
    """Reviews from a CSV or JSON export; raises ValueError when it is neither."""
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            payload = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise ValueError(f"not valid JSON: {error}") from None
        rows = payload.get("reviews") or payload.get("items") or [] if isinstance(payload, dict) else payload
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError("JSON must be a list of review objects")
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise ValueError(f"not valid CSV: {error}") from None
        if rows and not any(_review(r, default_source) for r in rows[:50]):
            raise ValueError("no review text column found (Review Text, Review, Text)")
    return [r for r in (_review(row, default_source) for row in rows) if r is not None]


def needs_attention(review: Review, *, max_rating: int = 2) -> bool:
    """A low rating or a negative mention becomes an issue; praise does not."""
    if review.rating is not None:
        return review.rating <= max_rating
    return review.sentiment is not None and review.sentiment < -0.2
