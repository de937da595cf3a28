"""Security hardening: headers and CSP, login throttling, production settings, uploads.

The permission matrix of every URL is in test_permission_matrix.py.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models

from registers.storage import PrivateStorage

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "tracker.example.org",
    "LCAMP_IGNORE_DOTENV": "1",
    "LOG_FORMAT": "json",
}


def _run(code_or_args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_overrides)
    args = code_or_args if isinstance(code_or_args, list) else [sys.executable, "-c", code_or_args]
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)


# --- Headers and the Content Security Policy ------------------------------------------


def assert_security_headers(response):
    csp = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/health/", "/no-such-page/", "/accounts/password_reset/"])
def test_pages_carry_csp_and_the_other_security_headers(client, path):
    assert_security_headers(client.get(path))


@pytest.mark.django_db
def test_a_logged_in_page_carries_them_too(manager_client):
    response = manager_client.get("/accounts/profile/")
    assert response.status_code == 200
    assert_security_headers(response)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _template_files():
    roots = [BASE_DIR / "templates", *(Path(app.path) / "templates" for app in apps.get_app_configs())]
    ours = [root for root in roots if root.is_dir() and root.is_relative_to(BASE_DIR) and ".venv" not in root.parts]
    return sorted({p for root in ours for p in root.rglob("*.html")})


def test_no_template_needs_inline_script_or_event_handlers():
    """CSP forbids inline script: data goes to scripts as JSON (json_script) or data- attributes."""
    offenders = []
    for path in _template_files():
        text = path.read_text()
        # {{ value|json_script:"id" }} renders <script type="application/json">: data, not code.
        for match in INLINE_SCRIPT.finditer(text):
            if 'type="application/json"' not in match.group(0) and "application/ld+json" not in match.group(0):
                offenders.append(f"{path.relative_to(BASE_DIR)}: {match.group(0)}")
        offenders += [f"{path.relative_to(BASE_DIR)}: {m.group(0)}" for m in EVENT_HANDLER.finditer(text)]
        if "javascript:" in text.lower():
            offenders.append(f"{path.relative_to(BASE_DIR)}: javascript: URL")
    assert offenders == []


# --- Login throttling and sessions -------------------------------------------------------


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, manager_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "manager", "password": "pass-word-123"})
    assert response.status_code in (403, 429)
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock_and_the_right_password_still_works(client, manager_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "manager", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager_user.pk)


@pytest.mark.django_db
def test_a_locked_username_does_not_lock_another_user(client, manager_user, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "staff", "password": "pass-word-123"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_test_clients_login_works_and_a_locked_user_is_still_refused_on_the_login_page(client, manager_user,
                                                                                           settings):
    # Client.login() authenticates without a request: nothing to throttle by, but it must not crash.
    assert client.login(username="manager", password="pass-word-123")
    assert not client.login(username="manager", password="wrong")
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "manager", "password": "pass-word-123"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429)


def test_sessions_expire():
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


# --- Production settings -------------------------------------------------------------------


def test_production_settings_pass_check_deploy():
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_debug_off_without_a_secret_stops_start_up_with_one_line_naming_it(missing, how):
    env = dict(PRODUCTION_ENV)
    if how == "empty":
        env[missing] = "  "
        drop = ()
    else:
        del env[missing]
        drop = (missing,)
    result = _run([sys.executable, "manage.py", "check"], env, drop=drop)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{missing} must be set when DEBUG=0")


def test_gunicorn_also_stops_with_the_one_line_message():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = _run([gunicorn, "-c", "gunicorn.conf.py", "-b", "127.0.0.1:0", "lcamp.wsgi"], env, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("SECRET_KEY must be set when DEBUG=0")
    assert "Traceback" not in result.stderr


def test_under_debug_off_pages_send_hsts_and_secure_cookies():
    code = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
r = Client().get('/accounts/login/', secure=True, HTTP_HOST='tracker.example.org')
print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security', ''),
                  'csrf': r.cookies['csrftoken']['secure'] if 'csrftoken' in r.cookies else None}))
from django.conf import settings
print(json.dumps({'session_secure': settings.SESSION_COOKIE_SECURE, 'redirect': settings.SECURE_SSL_REDIRECT}))
plain = Client().get('/accounts/login/', HTTP_HOST='tracker.example.org')
print(json.dumps({'plain': plain.status_code, 'location': plain.get('Location', '')}))
"""
    env = dict(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="lcamp.settings", LCAMP_TESTING="1", LOG_LEVEL="ERROR")
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    import json

    page, flags, plain = (json.loads(line) for line in result.stdout.strip().splitlines()[-3:])
    assert page["status"] == 200
    assert "max-age=31536000" in page["hsts"] and "includeSubDomains" in page["hsts"]
    assert page["csrf"] is True
    assert flags == {"session_secure": True, "redirect": True}
    assert plain["plain"] == 301 and plain["location"].startswith("https://")


# --- Uploaded files ------------------------------------------------------------------------------


def _file_fields():
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def test_every_uploaded_file_goes_to_private_storage():
    fields = _file_fields()
    assert fields, "expected the MoU document and report evidence fields"
    public = [f"{model.__name__}.{field.name}" for model, field in fields if not isinstance(field.storage, PrivateStorage)]
    assert public == []


def test_private_storage_is_outside_every_served_directory_and_has_no_url(settings):
    private = Path(django_settings.PRIVATE_MEDIA_ROOT).resolve()
    dirs = [d[1] if isinstance(d, tuple) else d for d in django_settings.STATICFILES_DIRS]
    for served in [Path(django_settings.STATIC_ROOT), *map(Path, dirs)]:
        assert not private.is_relative_to(served.resolve())
    with pytest.raises(ValueError):
        PrivateStorage().url("mous/x.pdf")
    assert django_settings.FILE_UPLOAD_PERMISSIONS & 0o111 == 0


@pytest.mark.django_db
def test_uploaded_files_are_not_served_by_any_url(client, admin_client, settings, tmp_path):
    storage = PrivateStorage()
    name = storage.save("mous/evidence.pdf", __import__("io").BytesIO(b"%PDF-1.4 secret"))
    assert oct(os.stat(storage.path(name)).st_mode & 0o777) == oct(0o640)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "evidence.pdf").write_bytes(b"%PDF-1.4 secret")
    for path in [f"/media/{name}", "/media/evidence.pdf", f"/private/{name}", f"/static/../private/{name}"]:
        for who in (client, admin_client):
            response = who.get(path)
            assert response.status_code in (302, 404), path
            assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
