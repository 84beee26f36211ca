from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from trial.authentication import demo_bypass
from trial.demo import DEMO_PASSWORD, DEMO_USERS


def demo_modules():
    """Each installed project app's `demo` module, in INSTALLED_APPS order (trial first)."""
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.demo"
        if app_config.name in settings.PROJECT_APPS and find_spec(name) is not None:
            yield import_module(name)


class Command(BaseCommand):
    help = (
        "Load the demo study NCT05734898 (site, placeholder dose levels, one user per role, "
        "demo subjects). Idempotent: running it again creates nothing new and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-passwords",
            action="store_true",
            help="Give new demo users the printed demo password even when DEBUG is off.",
        )

    def handle(self, *args, **options):
        set_passwords = settings.DEBUG or options["demo_passwords"]
        context = {"set_passwords": set_passwords}
        created = []
        with transaction.atomic():
            for module in demo_modules():
                created += module.seed_demo(context=context)
        if created:
            self.stdout.write(f"Created: {', '.join(created)}")
        else:
            self.stdout.write("Demo study already loaded: nothing to create.")
        study, site = context["study"], context["site"]
        self.stdout.write(f"Study {study.registry_id}, site {site.code} {site.name}")
        if not set_passwords:
            self.stdout.write(
                "Demo users have no password (DEBUG is off): set one with "
                "`manage.py changepassword USER`, or use --demo-passwords."
            )
            return
        self.stdout.write(self.style.SUCCESS("Demo logins (http://127.0.0.1:8000/admin/):"))
        for spec in DEMO_USERS:
            role = spec.role or "superuser (admin)"
            self.stdout.write(f"  {spec.username:<15} {DEMO_PASSWORD:<18} {role}")
        self.stdout.write("  (passwords are set when a demo user is first created)")
        if demo_bypass():
            self.stdout.write(
                "Two-factor sign-in: the demo lets these users in with the password alone "
                "(OTP_DEMO_BYPASS, DEBUG only); each can set up an authenticator app from "
                '"Sign-in and API tokens". Production asks every user for it.'
            )
        else:
            self.stdout.write(
                "Two-factor sign-in: each user sets up an authenticator app at first sign-in."
            )
