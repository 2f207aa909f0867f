"""Search finds a trial by the headline patients read on its card: the one written from the
registry's facts (generated_headline) weighs A, as the editors' headline and the titles do.

The same function as migration 0005 with that one column added, and the trigger of migration
0003 watching it too, so every import that rewrites a headline re-weighs the trial.
"""

from django.db import migrations

COLUMNS = """{row}.headline, {row}.brief_title, {row}.acronym, {row}.nct_id, {row}.condition_names,
         {row}.registrant_conditions, {row}.mesh_terms, {row}.interventions, {row}.keywords,
         {row}.official_title, {row}.sponsor, {row}.plain_summary, {row}.registry_summary"""


def expression(headlines: str) -> str:
    return f"""
        setweight(to_tsvector('english', concat_ws(' ', {headlines}, t.brief_title, t.acronym,
            t.nct_id, t.condition_names, trials_json_words(t.registrant_conditions),
            trials_json_words(t.mesh_terms))), 'A')
        || setweight(to_tsvector('english', concat_ws(' ', trials_json_words(t.interventions),
            trials_json_words(t.keywords))), 'B')
        || setweight(to_tsvector('english', concat_ws(' ', t.official_title, t.sponsor)), 'C')
        || setweight(to_tsvector('english', concat_ws(' ', t.plain_summary,
            t.registry_summary)), 'D')
"""


def sql(headlines: str, watched: str, refresh: str) -> str:
    old, new = COLUMNS.format(row="OLD"), COLUMNS.format(row="NEW")
    return f"""
CREATE OR REPLACE FUNCTION trials_trial_search_vector_of(t trials_trial) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN {expression(headlines)};
END
$$;

DROP TRIGGER IF EXISTS trials_trial_search_vector_change ON trials_trial;
CREATE TRIGGER trials_trial_search_vector_change BEFORE UPDATE ON trials_trial
    FOR EACH ROW WHEN (
        ({old}{watched.format(row="OLD")})
        IS DISTINCT FROM
        ({new}{watched.format(row="NEW")})
        OR NEW.search_vector IS NULL
    )
    EXECUTE FUNCTION trials_trial_search_vector_update();

UPDATE trials_trial t SET search_vector = trials_trial_search_vector_of(t)
    WHERE {refresh};
"""


FORWARD = sql(
    "t.headline, t.generated_headline", ", {row}.generated_headline", "t.generated_headline <> ''"
)
BACKWARD = sql("t.headline", "", "t.generated_headline <> ''")


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statements)

    return run


class Migration(migrations.Migration):
    dependencies = [("trials", "0013_trial_why_stopped")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
