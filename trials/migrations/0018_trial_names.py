"""Store what names each trial, and what its texts say after "non", in the form search ranking
reads them (trials/naming.py).

A search ranks up to RESULT_LIMIT trials by their names; reading them from short columns saves
unpacking three JSON lists (and PostgreSQL picking each trial's own MeSH terms out of its list)
for every one of them, and reading their long texts again for "non-small cell" and the like. The
rows stored before are filled here, in batches by id.
"""

from django.db import migrations, models

from trials.naming import NAMING_FIELDS, names_of

BATCH = 2000
COLUMNS = ("own_names", "filed_names", "after_non")  # the ones this migration adds


def write_names(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    # The fields the model had then that the names are made from (a later one counts as empty).
    existing = {field.name for field in Trial._meta.get_fields()}
    fields = [name for name in sorted(NAMING_FIELDS) if name in existing]
    table = schema_editor.quote_name(Trial._meta.db_table)
    columns = ", ".join(f"{column} = %s" for column in COLUMNS)
    sql = f"UPDATE {table} SET {columns} WHERE id = %s"  # noqa: S608
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                Trial.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH]
            )
            if not rows:
                return
            written = (names_of(dict(zip(fields, values, strict=True))) for _, *values in rows)
            cursor.executemany(
                sql,
                [
                    (*(names[column] for column in COLUMNS), row[0])
                    for row, names in zip(rows, written, strict=True)
                ],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("trials", "0017_open_trials_search_index")]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="own_names",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="trial",
            name="filed_names",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="trial",
            name="after_non",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(write_names, migrations.RunPython.noop),
    ]
