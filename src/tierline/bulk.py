"""Reading and writing rows of one model in plain SQL, for the batch actions and hot paths (alert
intake's payloads and groups, `issues.actions.do_update_issues`). Call from inside an action's
transaction when writing.

`update_rows` sends one UPDATE per row in a single executemany: the ORM's `bulk_update` builds a
CASE per field and row, whose compiling costs more than the writes themselves. Each field's values
are prepared by a function picked once per call: a value the database takes as it is (a string
for a text field, an int for an integer field...) is passed through, and a value repeated over the
rows (the batch's time, a status) is prepared once.

`insert_rows` is `bulk_create` for rows whose ids are not needed back, without its compiling.

`read_rows` is `Model.objects.raw` without its per-query set-up: the columns' converters are
looked up once per model, column list and connection, not on every query.
"""

import weakref
from collections.abc import Callable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Fields that may return a value of this exact type unchanged (a sample value is tried on the
# connection too: PostgreSQL's backend wraps integers, for one). A foreign key is its target's.
_TAKEN_AS_IT_IS = ((models.BooleanField, bool, True), (models.AutoField, int, 7), (models.BigAutoField, int, 7),
                   (models.IntegerField, int, 7), (models.CharField, str, "x"), (models.TextField, str, "x"))
_PREPARING = ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def _taken_as_it_is(field: models.Field) -> type | None:
    own = field.target_field if type(field) is models.ForeignKey else field
    for base, kind, sample in _TAKEN_AS_IT_IS:
        if isinstance(own, base):
            if any(getattr(type(own), name) is not getattr(base, name) for name in _PREPARING):
                return None
            prepared = field.get_db_prep_save(sample, connection)
            return kind if type(prepared) is kind and prepared == sample else None
    return None


def _preparer(field: models.Field) -> Callable:
    kind = _taken_as_it_is(field)
    prepare, prepared = field.get_db_prep_save, {}

    def prep(value):
        if value is None or type(value) is kind:
            return value
        try:
            key = (type(value), value)
            if key not in prepared:
                prepared[key] = prepare(value, connection)
            return prepared[key]
        except TypeError:  # not hashable (a JSON list or dict): prepared each time
            return prepare(value, connection)

    return prep


def update_rows(rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write the fields `names` of saved model instances `rows` (all of one model)."""
    if not rows or not names:
        return
    meta = rows[0]._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)}"
           f" WHERE {quote(meta.pk.column)} = %s")
    columns = [(f.attname, _preparer(f)) for f in fields]
    values = [[prep(getattr(row, attname)) for attname, prep in columns] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def insert_rows(rows: Sequence[models.Model]) -> None:
    """Insert new model instances `rows` (all of one model) in a single executemany, without reading
    their ids back (they stay unset): for rows nothing else in the transaction refers to, such as
    timeline entries. Like `bulk_create`, it sends no signals."""
    if not rows:
        return
    meta = rows[0]._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(rows[0], f.attname) is None)]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
           f" VALUES ({', '.join(['%s'] * len(fields))})")
    plain_read = models.Field.pre_save
    columns = [(f, f.attname, type(f).pre_save is plain_read, _preparer(f)) for f in fields]
    values = [[prep(getattr(row, attname) if plain else field.pre_save(row, True))
               for field, attname, plain, prep in columns] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def column_list(model: type[models.Model], alias: str = "") -> str:
    """The model's columns, quoted, for a `read_rows` query that reads whole rows of one table
    (`*` would also bring columns the model does not know); `alias` names the table in a join."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)


_plans: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def read_rows(model: type[models.Model], sql: str, params: Sequence) -> list[models.Model]:
    """The instances of `model` that `sql` selects: columns of the model's table fill its fields
    (all of them, or some, the others deferred like `raw`'s), any other column is set as an
    attribute of that name."""
    database = connections[DEFAULT_DB_ALIAS]  # the thread's own, which keeps its plans
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    plans = _plans.setdefault(database, {})
    plan = plans.get((model, columns))
    if plan is None:
        plan = plans[model, columns] = _plan(model, columns, database)
    field_names, field_positions, extra_positions, converters = plan
    found = []
    for row in rows:
        if converters:
            row = list(row)
            for position, expression, functions in converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, database)
                row[position] = value
        instance = model.from_db(DEFAULT_DB_ALIAS, field_names, [row[i] for i in field_positions])
        for name, position in extra_positions:
            setattr(instance, name, row[position])
        found.append(instance)
    return found


def _plan(model: type[models.Model], columns: tuple[str, ...], database):
    by_column = {field.column: field for field in model._meta.concrete_fields}
    if model._meta.pk.column not in columns:
        raise ValueError(f"read_rows needs the primary key column of {model.__name__}")
    field_names, field_positions, extra_positions, converters = [], [], [], []
    if len(set(columns)) != len(columns):
        raise ValueError(f"read_rows needs distinct column names, not {columns}")
    for position, column in enumerate(columns):
        field = by_column.get(column)
        if field is None:
            extra_positions.append((column, position))
            continue
        field_names.append(field.attname)
        field_positions.append(position)
        expression = field.get_col(model._meta.db_table)
        functions = database.ops.get_db_converters(expression) + field.get_db_converters(database)
        if functions:
            converters.append((position, expression, functions))
    # from_db takes the values in the order of the model's fields (a subset: the others deferred).
    order = {field.attname: n for n, field in enumerate(model._meta.concrete_fields)}
    pairs = sorted(zip(field_names, field_positions, strict=True), key=lambda pair: order[pair[0]])
    return [name for name, _ in pairs], [position for _, position in pairs], extra_positions, converters
