"""Settings read from the environment, as a deployment sets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_with(**env) -> dict:
    """The settings a fresh process reads from these environment variables."""
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("SECURE_")}
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x", **env})
    result = subprocess.run(
        [sys.executable, "-c", code], env=base, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_https_turns_on_hsts_but_not_subdomains_or_preload():
    values = settings_with(SITE_URL="https://trials.example.org")
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


def test_subdomains_and_preload_are_each_a_choice_of_their_own():
    values = settings_with(
        SITE_URL="https://trials.example.org", SECURE_HSTS_INCLUDE_SUBDOMAINS="true"
    )
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    values = settings_with(SITE_URL="https://trials.example.org", SECURE_HSTS_PRELOAD="true")
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False


def test_a_page_cache_lifetime_under_a_second_stops_the_site_at_start_up():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "PAGE_CACHE_SECONDS": "0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PAGE_CACHE_SECONDS must be at least 1" in result.stderr
