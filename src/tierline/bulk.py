"""Writing many rows of one model in one statement, for the batch actions (alert intake's
groups, `issues.actions.do_update_issues`). Call from inside an action's transaction.

`update_rows` sends one UPDATE per row in a single executemany: the ORM's `bulk_update` builds a
CASE per field and row, whose compiling costs more than the writes themselves.
"""

from collections.abc import Sequence

from django.db import connection, models


def update_rows(rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write the fields `names` of saved model instances `rows` (all of one model)."""
    if not rows or not names:
        return
    meta = rows[0]._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)}"
           f" WHERE {quote(meta.pk.column)} = %s")
    values = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
