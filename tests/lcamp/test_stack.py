"""The production stack files: docker-compose.yml, .env.example, the entry point, gunicorn.conf.py.

There is no Docker engine here; `docker compose config` runs when the plugin is
installed, and the structure is checked by parsing the YAML either way.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_has_web_worker_beat_postgres_redis_each_with_a_health_check(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert name in services, name
        check = services[name]["healthcheck"]["test"]
        assert check and check[0] in ("CMD", "CMD-SHELL")
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"].startswith("redis:7")


def test_postgres_keeps_its_data_in_a_named_volume(compose):
    volumes = compose["services"]["postgres"]["volumes"]
    assert "postgres_data:/var/lib/postgresql/data" in volumes
    assert "postgres_data" in compose["volumes"]


def test_app_services_share_one_image_read_dotenv_and_start_their_process(compose):
    services = compose["services"]
    for name, command in (("web", "web"), ("worker", "worker"), ("beat", "beat"), ("migrate", "migrate")):
        service = services[name]
        assert service["image"] == "lcamp-tracker:latest"
        assert service["env_file"] == ".env"
        assert service["command"] == [command]
        assert service["environment"]["DEBUG"] == "0"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379/")


def test_migrations_run_once_before_web_worker_and_beat(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    entrypoint = (BASE_DIR / "docker" / "entrypoint.sh").read_text()
    assert "manage.py migrate --noinput" in entrypoint
    assert "collectstatic --noinput" in entrypoint
    assert "gunicorn --config /app/gunicorn.conf.py lcamp.wsgi:application" in entrypoint
    assert "celery -A lcamp worker" in entrypoint and "celery -A lcamp beat" in entrypoint


def test_web_scales_behind_the_proxy_without_a_fixed_host_port(compose):
    web = compose["services"]["web"]
    assert "ports" not in web, "a fixed host port would stop `--scale web=N`"
    proxy = compose["services"]["proxy"]
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (BASE_DIR / "docker" / "Caddyfile").read_text()
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)


def test_env_example_documents_every_variable_compose_requires():
    compose_text = (BASE_DIR / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", compose_text))
    example = (BASE_DIR / ".env.example").read_text()
    defined = set(re.findall(r"^(\w+)=", example, re.MULTILINE))
    assert required <= defined
    # The production secrets settings.py insists on when DEBUG=0.
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= defined
    assert ".env" in (BASE_DIR / ".gitignore").read_text().splitlines()


def test_dockerfile_runs_as_an_unprivileged_user_and_keeps_uploads_private():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "FROM python:3.11" in dockerfile
    ignored = (BASE_DIR / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".git" in ignored


def test_gunicorn_config_preloads_and_runs_several_workers(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    namespace = {}
    exec(compile((BASE_DIR / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["workers"] >= 2
    assert namespace["preload_app"] is True
    assert namespace["bind"].endswith(":8000")


@pytest.mark.skipif(
    not shutil.which("docker")
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="the docker compose plugin is not installed",
)
def test_docker_compose_config_accepts_it(tmp_path):
    # A copy beside an .env made from the example, so that a real .env is never needed.
    shutil.copy(BASE_DIR / "docker-compose.yml", tmp_path)
    example = (BASE_DIR / ".env.example").read_text()
    (tmp_path / ".env").write_text(example.replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=x\n"))
    result = subprocess.run(
        ["docker", "compose", "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
