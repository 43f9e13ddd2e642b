"""Similar issues: a full-text index of every issue's title and description, ranked by BM25 on
SQLite (FTS5, over the query's distinctive words) and by ts_rank on PostgreSQL. No heavy
dependencies; the index lives in the database next to the issues.

The index catches up by itself: before a lookup, issues changed since the last indexed change are
(re)indexed, so no write path has to remember to call it.

`closeness` puts a match on a 0-1 scale that does not depend on the database (its score over the
issue's own score for the same query); `link_new_near_duplicates` uses it to link a new issue to
the problem of a near-duplicate (TIERLINE_PROBLEM_AUTOLINK_PERCENT, off by default).
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction

from tierline.issues.models import Issue

from .models import SimilarityIndexMark

TABLE = "intake_issue_text"
VOCABULARY = "intake_issue_words"
# Words in more than this share of issues only add work to a lookup, not ranking power.
COMMON_WORD_SHARE = 0.05
LOOKUP_TERMS = 16
# Candidates scored per lookup, as a share of the issues (the rarest words always count, at least
# MIN_TERMS of them): BM25 over an OR of words costs what their posting lists hold. PostgreSQL
# reads each candidate's row from the table to rank it (EXPLAIN ANALYZE: one heap page per
# candidate, most of a lookup's time), so it scores fewer.
POSTINGS_SHARE = {"sqlite": 0.05, "postgresql": 0.02}
MIN_POSTINGS = 2000
MIN_TERMS = 3
# PostgreSQL: re-read the index's word statistics after indexing this many issues at once.
ANALYZE_AFTER = 1000
_WORD_RE = re.compile(r"[a-z][a-z0-9]{2,30}")
# Words that say nothing about which problem this is.
_STOPWORDS_TEXT = (
    "the and for with that this from have has had was were are not but you your our can cannot when what"
    " which there their they them then than into onto also only just very will would should could been being"
    " does did doing done its any all some more most other such each after before over under again why how"
    " who whom where while about above below between both few own same too nor off hello thanks thank please"
    " regards issue problem error errors getting get got see seen using use"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
MAX_QUERY_TERMS = 24
DESCRIPTION_CHARS = 2000


@dataclass(frozen=True)
class SimilarIssue:
    issue: Issue
    score: float


def query_terms(text: str) -> list[str]:
    """Distinct words in order of appearance, stop words dropped, so the title's words lead."""
    words = [w for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS]
    return list(dict.fromkeys(words))[:MAX_QUERY_TERMS]


def search_document(title: str, description: str) -> tuple[str, str]:
    """The words of a title and a description as the index stores them (the knowledge base's too)."""
    return (" ".join(_WORD_RE.findall(title.lower())),
            " ".join(_WORD_RE.findall(description[:DESCRIPTION_CHARS].lower())))


def create_index(apps=None, schema_editor=None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Words as written (no stemming), so the vocabulary table answers "how many issues
            # use this word?" for the words of a query.
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, "
                           "tokenize='unicode61 remove_diacritics 2')")
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab({TABLE}, 'row')")
        else:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (issue_id bigint PRIMARY KEY, doc tsvector NOT NULL)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_doc ON {TABLE} USING gin(doc)")


def rebuild_index(apps=None, schema_editor=None) -> None:
    """Drop and recreate the index table; the next lookup indexes every issue again."""
    drop_index()
    create_index()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_similarityindexmark")


def drop_index(apps=None, schema_editor=None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {VOCABULARY}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def index_issues(rows) -> int:
    """(Re)index (id, title, description) rows."""
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(r[0],) for r in rows])
            cursor.executemany(f"INSERT INTO {TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                               [(r[0], *search_document(r[1], r[2])) for r in rows])
        else:
            cursor.executemany(
                f"INSERT INTO {TABLE} (issue_id, doc) VALUES (%s, setweight(to_tsvector('english', %s), 'A')"
                " || setweight(to_tsvector('english', %s), 'B'))"
                " ON CONFLICT (issue_id) DO UPDATE SET doc = EXCLUDED.doc",
                [(r[0], *search_document(r[1], r[2])) for r in rows],
            )
    return len(rows)


def catch_up(batch: int = 2000) -> int:
    """Index every issue changed since the last run."""
    done = 0
    while True:
        with transaction.atomic():
            mark, _ = SimilarityIndexMark.objects.select_for_update().get_or_create(pk=1)
            changed = Issue.objects.order_by("updated_at", "id")
            if mark.indexed_until is not None:
                changed = changed.filter(updated_at__gte=mark.indexed_until).exclude(
                    updated_at=mark.indexed_until, id__lte=mark.last_id)
            rows = list(changed.values_list("id", "title", "description", "updated_at")[:batch])
            if not rows:
                break
            index_issues((r[0], r[1], r[2]) for r in rows)
            mark.indexed_until, mark.last_id = rows[-1][3], rows[-1][0]
            mark.save(update_fields=["indexed_until", "last_id"])
            done += len(rows)
    if done >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh word statistics for the lookups (_pg_counts)
            cursor.execute(f"ANALYZE {TABLE}")
    return done


def _distinctive(counts: dict[str, int], terms: list[str], total: int, vendor: str) -> list[str]:
    """The query words that tell issues apart: not in most issues, rarest first, and only as many
    as keep the candidates under POSTINGS_SHARE of the issues (BM25 gives common words little
    weight anyway; the words left out would mostly add candidates to score). `counts` holds how
    many issues use each word, as far as the database knows."""
    limit = max(50, int(total * COMMON_WORD_SHARE))
    known = sorted((counts[t], i, t) for i, t in enumerate(terms) if t in counts)
    rare = [(count, t) for count, _, t in known if count <= limit] or [(count, t) for count, _, t in known[:3]]
    budget, chosen, postings = max(MIN_POSTINGS, total * POSTINGS_SHARE[vendor]), [], 0
    for count, term in rare[:LOOKUP_TERMS]:
        if len(chosen) >= MIN_TERMS and postings + count > budget:
            break
        chosen.append(term)
        postings += count
    return chosen


def _rank_sqlite(cursor, terms: list[str], limit: int) -> list:
    placeholders = ", ".join(["%s"] * len(terms))
    cursor.execute(f"SELECT term, doc FROM {VOCABULARY} WHERE term IN ({placeholders})", terms)
    counts = dict(cursor.fetchall())
    # The highest issue id stands in for the number of issues: count(*) on FTS5 reads every row.
    cursor.execute(f"SELECT max(rowid) FROM {TABLE}")
    terms = _distinctive(counts, terms, cursor.fetchone()[0] or 0, "sqlite")
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    cursor.execute(f"SELECT rowid, -bm25({TABLE}, 3.0, 1.0) AS score FROM {TABLE} WHERE {TABLE} MATCH %s"
                   f" ORDER BY bm25({TABLE}, 3.0, 1.0) LIMIT %s", [match, limit])
    return cursor.fetchall()


_pg_word_stats: dict = {"read_at": 0.0, "counts": {}, "rare": 0, "total": 0}
PG_STATS_SECONDS = 60


def _pg_counts(cursor) -> tuple[dict[str, int], int, int]:
    """How many issues use each common lexeme, from the planner's statistics of the index column
    (ANALYZE keeps its most common elements with their frequencies), read once a minute. A
    lexeme not listed is rarer than the rarest listed one."""
    import time

    stats = _pg_word_stats
    if time.monotonic() - stats["read_at"] > PG_STATS_SECONDS:
        cursor.execute("SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
                       " FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname AND s.attname = 'doc'"
                       " WHERE c.relname = %s", [TABLE])
        row = cursor.fetchone() or (None, None, 0)
        elements, freqs, total = row[0] or [], row[1] or [], max(0, int(row[2] or 0))
        stats["counts"] = {e: int(f * total) for e, f in zip(elements, freqs, strict=False)}
        stats["rare"] = int(freqs[len(elements)] * total) if len(freqs) > len(elements) else 0
        stats["total"], stats["read_at"] = total, time.monotonic()
    return stats["counts"], stats["rare"], stats["total"]


# word -> its lexeme under the 'english' configuration ("" for a stop word): the same answer every
# time, so a lookup asks the database only about words it has not seen (a round trip saved).
_pg_lexemes: dict[str, str] = {}
PG_LEXEMES_KEPT = 200_000


def pg_lexemes(cursor, terms: list[str]) -> list[str]:
    """The distinct PostgreSQL 'english' lexemes of the terms, stop words dropped."""
    missing = [t for t in terms if t not in _pg_lexemes]
    if missing:
        if len(_pg_lexemes) + len(missing) > PG_LEXEMES_KEPT:
            _pg_lexemes.clear()
        cursor.execute("SELECT w, array_to_string(tsvector_to_array(to_tsvector('english', w)), ' ')"
                       " FROM unnest(%s::text[]) AS w", [missing])
        for word, lexeme in cursor.fetchall():
            _pg_lexemes[word] = lexeme if lexeme and " " not in lexeme else ""
    return list(dict.fromkeys(_pg_lexemes[t] for t in terms if _pg_lexemes.get(t)))


def _rank_postgresql(cursor, terms: list[str], limit: int) -> list:
    lexemes = pg_lexemes(cursor, terms)
    if not lexemes:
        return []
    common, rare, total = _pg_counts(cursor)
    if total:
        lexemes = _distinctive({lex: common.get(lex, rare) for lex in lexemes}, lexemes, total, "postgresql")
    else:  # no statistics yet (a new index): the first words of the query
        lexemes = lexemes[:LOOKUP_TERMS]
    cursor.execute(
        f"SELECT issue_id, ts_rank(doc, q) AS score FROM {TABLE}, to_tsquery('simple', %s) q"
        " WHERE doc @@ q ORDER BY score DESC, issue_id LIMIT %s", [" | ".join(lexemes), limit])
    return cursor.fetchall()


def rank(text: str, *, exclude_id: int | None = None, limit: int = 10) -> list[tuple[int, float]]:
    """Issue ids most similar to `text`, best first, with a score (higher is more similar)."""
    terms = query_terms(text)
    if not terms:
        return []
    with connection.cursor() as cursor:
        ranker = _rank_sqlite if connection.vendor == "sqlite" else _rank_postgresql
        found = ranker(cursor, terms, limit + 1)
    return [(int(i), float(s)) for i, s in found if i != exclude_id][:limit]


def similar_issues(issue: Issue, *, limit: int = 10, visible=None, fresh: bool = True) -> list[SimilarIssue]:
    """Issues like this one, open and resolved, best first. `visible` narrows the candidates
    (a queryset the caller may see). Without `fresh`, the index is as the worker last left it
    (at most a minute old), which keeps busy pages to a few queries."""
    if fresh:
        catch_up()
    ranked = rank(_query_text(issue), exclude_id=issue.pk, limit=limit * 2)
    candidates = (visible if visible is not None else Issue.objects.all()).filter(pk__in=[i for i, _ in ranked])
    by_id = {i.pk: i for i in candidates}
    return [SimilarIssue(by_id[i], s) for i, s in ranked if i in by_id][:limit]



def _query_text(issue: Issue) -> str:
    return f"{issue.title} {issue.title} {issue.description[:DESCRIPTION_CHARS]}"


def closeness(issue: Issue) -> tuple[int, float] | None:
    """The issue most similar to this one (already indexed) and how close, from 0 to 1: its score
    over the issue's own score for the same query, so an identical text is 1 on any database."""
    ranked = rank(_query_text(issue), limit=5)
    others = [(i, s) for i, s in ranked if i != issue.pk]
    if not others:
        return None
    own = next((s for i, s in ranked if i == issue.pk), ranked[0][1])
    best_id, best = others[0]
    return best_id, (min(1.0, best / own) if own > 0 else 0.0)


def link_new_near_duplicates() -> int:
    """Check the issues created since the last run once each: a best match at least
    PROBLEM_AUTOLINK_PERCENT similar and linked to a problem brings the new issue into it."""
    from django.conf import settings

    from .actions import do_link_near_duplicate

    linked = 0
    with transaction.atomic():
        mark, _ = SimilarityIndexMark.objects.select_for_update().get_or_create(pk=1)
        newest = Issue.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if settings.PROBLEM_AUTOLINK_PERCENT > 0:
            catch_up()
            new_issues = (Issue.objects.filter(id__gt=mark.autolinked_until_id, id__lte=newest)
                          .exclude(problem_links__isnull=False).order_by("id"))
            for issue in new_issues.iterator():
                found = closeness(issue)
                if found is not None and found[1] * 100 >= settings.PROBLEM_AUTOLINK_PERCENT:
                    linked += do_link_near_duplicate(issue, match_id=found[0], similarity=found[1]) is not None
        # Off, the mark still moves: switching it on later applies to issues from then on.
        mark.autolinked_until_id = newest
        mark.save(update_fields=["autolinked_until_id"])
    return linked
