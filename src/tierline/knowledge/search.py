"""Which published articles match a text: the article index, read with the similar-issue search's
tokenizer and scoring (`tierline.intake.similar`: its words and stop words, BM25 weighting titles
three to one on SQLite's FTS5, ts_rank over title (A) and body (B) on PostgreSQL), so "similar"
means one thing for issues and articles.

Articles are few and written only through `actions.py`, which indexes each one as it saves it; a
lookup filters by status and visibility in the same statement. While a customer types, the last
word counts as a prefix ("expo" finds "export").
"""

import re

from django.db import connection

from tierline.intake.similar import pg_lexemes, query_terms, search_document

from .models import Article, ArticleStatus, Visibility

TABLE = "knowledge_article_text"
ARTICLE_TABLE = "knowledge_article"
_TYPED_WORD = re.compile(r"[a-z][a-z0-9]{2,30}")  # what the issue index's tokenizer calls a word


def create_index(apps=None, schema_editor=None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, "
                           "tokenize='unicode61 remove_diacritics 2')")
        else:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (article_id bigint PRIMARY KEY, doc tsvector NOT NULL)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_doc ON {TABLE} USING gin(doc)")


def drop_index(apps=None, schema_editor=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def index_article(article: Article) -> None:
    title, body = search_document(article.title, article.body)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [article.pk])
            cursor.execute(f"INSERT INTO {TABLE} (rowid, title, body) VALUES (%s, %s, %s)", [article.pk, title, body])
        else:
            cursor.execute(
                f"INSERT INTO {TABLE} (article_id, doc) VALUES (%s, setweight(to_tsvector('english', %s), 'A')"
                " || setweight(to_tsvector('english', %s), 'B'))"
                " ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc", [article.pk, title, body])


def _partial_word(text: str) -> str:
    """The word being typed (the text does not end in a space), when it is long enough to mean something."""
    if not text or text[-1].isspace():
        return ""
    last = text.lower().split()[-1] if text.split() else ""
    return last if _TYPED_WORD.fullmatch(last) else ""


def _shown(visibilities) -> tuple[str, list]:
    placeholders = ", ".join(["%s"] * len(visibilities))
    return (f"SELECT id FROM {ARTICLE_TABLE} WHERE status = %s AND visibility IN ({placeholders})",
            [ArticleStatus.PUBLISHED, *visibilities])


def rank_articles(text: str, *, visibilities=(Visibility.PUBLIC,), limit: int = 5) -> list[tuple[int, float]]:
    """Published article ids of these visibilities most like `text`, best first, with a score."""
    terms = query_terms(text)
    partial = _partial_word(text)
    if partial in terms:
        terms.remove(partial)
    if not terms and not partial:
        return []
    shown_sql, shown_params = _shown(list(visibilities))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " OR ".join([*(f'"{t}"' for t in terms), *([f'"{partial}"*'] if partial else [])])
            # `+rowid`: a plain filter; FTS5 would otherwise run the MATCH once per listed id (bench/knowledge.py).
            cursor.execute(f"SELECT rowid, -bm25({TABLE}, 3.0, 1.0) FROM {TABLE} WHERE {TABLE} MATCH %s"
                           f" AND +rowid IN ({shown_sql}) ORDER BY bm25({TABLE}, 3.0, 1.0) LIMIT %s",
                           [match, *shown_params, limit])
        else:
            lexemes = pg_lexemes(cursor, terms) if terms else []
            # The typed word as a prefix, raw ("expo") and stemmed ("azure" is stored as "azur").
            typed = dict.fromkeys([partial, *pg_lexemes(cursor, [partial])]) if partial else {}
            query = " | ".join([*lexemes, *(f"{p}:*" for p in typed)])
            if not query:
                return []
            cursor.execute(f"SELECT article_id, ts_rank(doc, q) AS score FROM {TABLE}, to_tsquery('simple', %s) q"
                           f" WHERE doc @@ q AND article_id IN ({shown_sql}) ORDER BY score DESC, article_id"
                           " LIMIT %s", [query, *shown_params, limit])
        return [(int(i), float(s)) for i, s in cursor.fetchall()]


def suggest_articles(text: str, *, include_internal: bool = False, limit: int = 5) -> list[Article]:
    """Published articles for `text`: public ones, and internal ones too for staff."""
    visibilities = (Visibility.PUBLIC, Visibility.INTERNAL) if include_internal else (Visibility.PUBLIC,)
    ranked = rank_articles(text, visibilities=visibilities, limit=limit)
    if not ranked:
        return []
    by_id = Article.objects.in_bulk([i for i, _ in ranked])
    return [by_id[i] for i, _ in ranked if i in by_id]
