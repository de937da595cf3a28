# LCAMP Tracker: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LCAMP_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# WeasyPrint (the period reports' PDF) needs pango, harfbuzz, fontconfig, glib and a font;
# gettext's msgfmt compiles the translations (locale/*/LC_MESSAGES/django.po) below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       libharfbuzz0b libfontconfig1 libglib2.0-0 fontconfig fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml constraints.tx[t] ./
RUN if [ -f constraints.txt ]; then pip install -c constraints.txt .; else pip install .; fi

RUN groupadd --system app && useradd --system --gid app --home-dir /app app
COPY --chown=app:app . .
RUN LCAMP_IGNORE_DOTENV=1 python manage.py compilemessages -i .venv -i var -i tests >/dev/null
# Uploaded documents live in /app/var/private (a volume): outside STATIC_ROOT and
# never served by a URL; only permission-checked views read them.
RUN mkdir -p /app/var/private /app/staticfiles \
    && chown -R app:app /app/var /app/staticfiles \
    && chmod 0750 /app/var/private \
    && chmod 0755 /app/docker/*.sh

USER app
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
