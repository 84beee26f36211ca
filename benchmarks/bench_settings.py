"""The production settings, plus the load benchmark's bare view (benchmarks.bench_urls)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
