from django.db import migrations


def install(apps, schema_editor):
    from monitoring.db import install_history_triggers

    install_history_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    """On PostgreSQL, history tables refuse UPDATE, DELETE and TRUNCATE (see monitoring/db.py)."""

    dependencies = [
        ("monitoring", "0001_queries_sdv_locks_signatures"),
        ("trial", "0003_history_subject_and_hash_chain"),
        ("screening", "0003_history_subject_and_hash_chain"),
        ("dosing", "0002_history_subject_and_hash_chain"),
        ("safety", "0003_history_subject_and_hash_chain"),
        ("followup", "0002_history_subject_and_hash_chain"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
