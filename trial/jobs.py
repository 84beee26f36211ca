"""Scheduled jobs: the management commands deploy/yacron.yaml runs, and how each run is kept.

A `ScheduledCommand` is safe to run twice; each run is recorded (`trial.JobRun`: start, end,
ok, summary) and shown to data managers on the dashboard; a failure is logged as an error,
recorded, and exits non-zero so the scheduler retries it and reports it.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from .services import job_run_record

logger = logging.getLogger("edc.jobs")


class ScheduledCommand(BaseCommand):
    """Subclasses implement `run(**options) -> str` (the summary); `job_name` is the command's
    name."""

    job_name = ""

    def run(self, **options) -> str:
        raise NotImplementedError

    def handle(self, *args, **options):
        name = self.job_name or type(self).__module__.rsplit(".", 1)[-1]
        started = timezone.now()
        try:
            summary = self.run(**options)
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            logger.error("scheduled job %s failed: %s", name, message, extra={"job": name})
            self._record(name, started, ok=False, summary=message)
            raise CommandError(message) from exc
        self._record(name, started, ok=True, summary=summary)
        logger.info("scheduled job %s: %s", name, summary, extra={"job": name})
        self.stdout.write(summary)

    @staticmethod
    def _record(name, started, *, ok, summary) -> None:
        try:
            job_run_record(job=name, started_at=started, ok=ok, summary=summary)
        except DatabaseError as exc:  # the database itself may be why the job failed
            logger.error("scheduled job %s: its run could not be recorded: %s", name, exc)
