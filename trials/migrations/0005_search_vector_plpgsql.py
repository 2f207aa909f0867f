"""The search vector's function in PL/pgSQL: the same expression, over twice as fast per row.

A LANGUAGE sql function that takes the whole row is not inlined, and PostgreSQL sets up its
query afresh on every call; PL/pgSQL keeps the plan. Every trial the importer inserts goes
through this function (via the trigger of migration 0003), so it sets the import's pace.
"""

from django.db import migrations


EXPRESSION = """
        setweight(to_tsvector('english', concat_ws(' ', t.headline, t.brief_title, t.acronym,
            t.nct_id, t.condition_names, trials_json_words(t.registrant_conditions),
            trials_json_words(t.mesh_terms))), 'A')
        || setweight(to_tsvector('english', concat_ws(' ', trials_json_words(t.interventions),
            trials_json_words(t.keywords))), 'B')
        || setweight(to_tsvector('english', concat_ws(' ', t.official_title, t.sponsor)), 'C')
        || setweight(to_tsvector('english', concat_ws(' ', t.plain_summary,
            t.registry_summary)), 'D')
"""

PLPGSQL = f"""
CREATE OR REPLACE FUNCTION trials_trial_search_vector_of(t trials_trial) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN {EXPRESSION};
END
$$;
"""

SQL = f"""
CREATE OR REPLACE FUNCTION trials_trial_search_vector_of(t trials_trial) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT {EXPRESSION}
$$;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("trials", "0004_trial_source_hash"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(PLPGSQL), on_postgresql(SQL)),
    ]
