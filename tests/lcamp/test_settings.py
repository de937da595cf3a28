import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD = {"DEBUG": "0", "SECRET_KEY": "x" * 60 + "-production-key-for-tests-0123456789",
        "ALLOWED_HOSTS": "lcamp.example.org", "LCAMP_IGNORE_DOTENV": "1"}


def manage(*args, **env_vars):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_vars)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = dict(PROD)
    env.pop(missing)
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG=0" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
