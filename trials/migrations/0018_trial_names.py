"""Store what names each trial, in the form search ranking reads it (trials/naming.py).

A search ranks up to RESULT_LIMIT trials by their names; reading them from two short columns
saves unpacking three JSON lists (and PostgreSQL picking each trial's own MeSH terms out of
its list) for every one of them. The rows stored before are filled here, in batches by id.
"""

from django.db import migrations, models

from trials.naming import NAMING_FIELDS, names_of

BATCH = 2000
FIELDS = sorted(NAMING_FIELDS)


def write_names(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    table = schema_editor.quote_name(Trial._meta.db_table)
    sql = f"UPDATE {table} SET own_names = %s, filed_names = %s WHERE id = %s"  # noqa: S608
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                Trial.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *FIELDS)[:BATCH]
            )
            if not rows:
                return
            names = (names_of(dict(zip(FIELDS, values, strict=True))) for _, *values in rows)
            cursor.executemany(
                sql,
                [
                    (written["own_names"], written["filed_names"], row[0])
                    for row, written in zip(rows, names, strict=True)
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
        migrations.RunPython(write_names, migrations.RunPython.noop),
    ]
