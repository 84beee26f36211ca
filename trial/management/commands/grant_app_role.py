from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from trial.audit import history_models


class Command(BaseCommand):
    help = (
        "PostgreSQL, run as the tables' owner after migrate: let ROLE read and write rows and "
        "nothing more. ROLE gets SELECT/INSERT/UPDATE/DELETE on the tables (SELECT/INSERT only on "
        "history tables: the audit trail is append-only by privilege, not only by trigger) and the "
        "sequences; it owns nothing, so it cannot ALTER, DISABLE TRIGGER or TRUNCATE, and as a "
        "non-superuser it cannot change session_replication_role."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's database role (it must exist).")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("database roles are PostgreSQL's: nothing to do on SQLite")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, rolname FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"no database role {role!r}: create it first (README)")
            if found[0]:
                raise CommandError(f"{role!r} is a superuser: the application needs a plain role")
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
            if owner == role:
                raise CommandError("run this as the tables' owner, not as the application role")
            name = sql.Identifier(role)
            history = {m._meta.db_table for m in history_models()}
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
            tables = [t for (t,) in cursor.fetchall()]
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
            for table in tables:
                rights = "SELECT, INSERT" if table in history else "SELECT, INSERT, UPDATE, DELETE"
                cursor.execute(
                    sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), name)
                )
                cursor.execute(
                    sql.SQL("GRANT " + rights + " ON {} TO {}").format(sql.Identifier(table), name)
                )
            cursor.execute(
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name)
            )
        self.stdout.write(
            f"{role}: rows of {len(tables)} tables ({len(history)} history tables append-only); "
            "no ownership, no TRUNCATE"
        )
