"""Append-only history tables: on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE on every
history table. A maintenance session may lift it (`SET edc.audit_maintenance = 'on'`): the test
runner's flush of transactional tests needs it; nothing in the application sets it."""

from django.db import connection as default_connection

FUNCTION = """
CREATE OR REPLACE FUNCTION edc_history_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('edc.audit_maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def history_tables() -> list[str]:
    from trial.audit import history_models

    return sorted(m._meta.db_table for m in history_models())


def install_history_triggers(connection=default_connection) -> int:
    if connection.vendor != "postgresql":
        return 0
    tables = history_tables()
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        existing = set(connection.introspection.table_names(cursor))
        for table in tables:
            if table not in existing:
                continue
            cursor.execute(f'DROP TRIGGER IF EXISTS edc_append_only_rows ON "{table}"')
            cursor.execute(f'DROP TRIGGER IF EXISTS edc_append_only_truncate ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER edc_append_only_rows BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION edc_history_append_only()"
            )
            cursor.execute(
                f'CREATE TRIGGER edc_append_only_truncate BEFORE TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION edc_history_append_only()"
            )
    return len(tables)


def install_history_triggers_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    install_history_triggers(connections[using])
