"""Completeness of each translation (issue 23): every page of the permission matrix, the period report's
PDF and an e-mail of each kind, read in es, eu, fr, it, sv and fi, show none of the interface's own English
and no date in ISO or English form.

What counts as English is taken from the catalogue, not from a hand-kept list: for language L, the msgids
whose msgstr differs (their phrases of two words or more, and their words that no msgstr of L uses), plus
the msgids L has not translated yet (the translators' to-do, reported apart), plus a short list of English
known to be built in code outside the catalogue (``CODE_ENGLISH``). What people typed (names, titles,
notes, codes: every text column of the fixture's records) is removed from the page first: it is data, in
whatever language its author wrote it.

Pages: every GET route of the URL resolver (``SKIPPED`` says which are left out, and why), its arguments
filled from the fixture's records, opened by each role, then the same-site links those pages show (two
levels, one URL per route and role) so that pages reached only by a link are read too. A page counts when
it answers 200 with HTML; ``MINIMUM_PAGES`` pins how many each role reads, so the test cannot shrink
silently.
"""

import datetime
import html
import os
import re
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
ROLES = ("admin", "coordinator", "partner_editor", "partner_viewer", "staff", "anonymous")
PROJECT_APPS = ("accounts", "organisations", "registers", "indicators", "alliance", "observatories", "training",
                "reporting")

# Routes not read as pages, by URL name (or namespace prefix), with the reason.
SKIPPED = {
    "admin:": "Django's admin: its own catalogue, not the interface's",
    "api-": "the API and its schema answer JSON/YAML; API docs are Swagger/Redoc's own pages",
    "health": "a JSON health check",
    "logout": "a POST that signs out",
    "account_logout": "a POST that signs out",
    "set-language": "a POST that switches the language",
    "registers-pick": "a picker's JSON",
    "registers-job-status": "a job's progress as JSON",
    "registers-job-download": "a download (a file), read by its own tests",
    "indicators:version": "the dashboard's version as JSON",
    "indicators:refresh": "a POST that queues a roll-up",
    "mfa_download_recovery_codes": "a text file download",
    "openid_connect_login": "redirects to the identity provider",
    "openid_connect_callback": "needs the provider's state",
    "account_confirm_email": "needs a key e-mailed by allauth (allauth is used for sign-in only)",
    "account_reset_password_from_key": "redirects to Django's password reset (read as password_reset_confirm)",
    "mfa_authenticate": "needs a half-finished sign-in in the session",
    "mfa_reauthenticate": "needs a second factor",
    "mfa_activate_totp": "needs a fresh sign-in (allauth's reauthentication)",
    "mfa_deactivate_totp": "needs an enrolled authenticator",
    "mfa_view_recovery_codes": "needs an enrolled authenticator",
    "mfa_generate_recovery_codes": "needs an enrolled authenticator",
    "account_confirm_login_code": "needs a login code e-mailed in a sign-in",
    "socialaccount_signup": "needs a provider's sign-in in the session",
    "account_signup": "sign-up is closed (accounts are invited)",
    "account_reauthenticate": "allauth's reauthentication, reached only from a sensitive action",
    "?": "allauth's unnamed legacy routes (social/…), aliases of the named 3rdparty/… ones",
}
# Downloads (a file, not a page) end in these; the PDF report is read by test_the_period_report_pdf.
DOWNLOAD = re.compile(r"(-export-csv|-export-xlsx|-import-template|-template|-document|-evidence|-report-pdf"
                      r"|-report-xlsx|-narratives-docx|export-csv|export-xlsx)$")

# Pages read per role (200, HTML) across seeds and links: a floor, so a broken resolver walk or fixture
# cannot make the test pass by reading nothing.
MINIMUM_PAGES = {"admin": 95, "coordinator": 95, "staff": 42, "partner_editor": 58, "partner_viewer": 35,
                 "anonymous": 6}

# Names, codes and words shared with English that a page in any language may show.
ALLOWED_WORDS = {
    "lcamp", "tracker", "earlall", "erasmus", "mou", "mous", "pdf", "csv", "xlsx", "docx", "eqf", "ects", "api",
    "nace", "esco", "isco", "isced", "nuts", "elm", "url", "uri", "ok", "id", "totp", "email", "mail", "sso",
    "oidc", "openid", "json", "ical", "svg", "png", "html", "excel", "word", "markdown", "plotly", "cedefop",
    "europass", "tknika", "ideko", "demo", "admin", "english", "svenska", "euskara", "español", "français",
    "italiano", "suomi",
}
# Words a language's own text shares with English that our catalogue happens not to use: allauth's
# catalogues write "Social Network" in Italian and "réseau social" in French.
ALLOWED_BY_LANGUAGE = {"it": {"social", "network"}, "fr": {"social"}}
# English built in code outside the catalogue, searched for besides the catalogue's (regular expressions):
# each was seen on a page or in an e-mail before; keep the list short (a fixed one may stay as a guard).
CODE_ENGLISH = [
    r"(?<=· )(?:created|changed|deleted)\b",   # the history's verbs (simple_history's change types)
    r"\(\s*\)\s+since\b",                     # "(ES) since 1 March": a membership's title
    r"\bDefine a reported indicator\b",
    r"\bImport organisations or members\b",
    r"\bNo match\b", r"\bType to filter\b",     # the pickers' scripts
    r"\bReported value:",                       # the reminders' waiting items
]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A month's English name, or its abbreviation next to a number ("1 Sep 2022", "Feb 2024"): "Jan" alone is
# also a name (Svalbard och Jan Mayen).
ENGLISH_MONTHS = re.compile(r"\b(?:January|February|March|April|June|July|August|September|October|November"
                            r"|December)\b|(?<=\d )(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
                            r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?= \d)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}|<[^>]+>|\[[^\]]*\]\([^)]*\)")


# --- What English is ------------------------------------------------------------------------------

@cache
def _catalogue(language):
    return polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))


def _is_translated(entry):
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    return bool(entry.msgstr) if not entry.msgid_plural else all(entry.msgstr_plural.values())


def _fragments(text):
    """The pieces of a msgid between its placeholders and tags, stripped of edge punctuation."""
    for piece in PLACEHOLDER.split(text):
        for line in piece.splitlines():
            line = line.strip(" \t.,:;!?()\"'«»“”—–-…/")
            if re.search(r"[A-Za-z]{2,}", line):
                yield line


def _words(text):
    return set(re.findall(r"[A-Za-z]{3,}", text.lower()))


@cache
def english_of(language):
    """``(untranslated, phrases, words)`` for ``language``: fragments of the msgids it has not translated,
    fragments of two words or more of those it has (and whose translation differs), and the msgids' words
    that none of its translations uses."""
    entries = [e for e in _catalogue(language) if not e.obsolete]
    translations = "\n".join(text for e in entries if _is_translated(e)
                             for text in [e.msgstr, *e.msgstr_plural.values()])
    used = {word.lower() for word in re.findall(r"\w{3,}", translations)} | _cldr_words(language)
    untranslated, phrases, words = set(), set(), set()
    for entry in entries:
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            if not _is_translated(entry):
                untranslated |= {f for f in _fragments(msgid) if len(f) >= 3}
                continue
            if entry.msgstr == entry.msgid:
                continue
            phrases |= {f for f in _fragments(msgid) if len(f.split()) >= 2 and f not in translations}
            words |= _words(PLACEHOLDER.sub(" ", msgid))
    return untranslated, phrases, words - used - ALLOWED_WORDS - ALLOWED_BY_LANGUAGE.get(language, set())


def _cldr_words(language):
    """The language's month and day names as CLDR writes them in dates (Italian "ago", "set": not English)."""
    from babel.dates import get_day_names, get_month_names

    from registers import l10n

    locale = l10n.locale_name(language)
    names = set()
    for width in ("abbreviated", "wide"):
        for context in ("format", "stand-alone"):
            names |= set(get_month_names(width, context, locale).values())
            names |= set(get_day_names(width, context, locale).values())
    return {word.lower() for name in names for word in re.findall(r"\w{3,}", name)}


# --- What people typed --------------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField)  # SlugField, EmailField, URLField are CharFields


def typed_text(language):
    """Every value typed into the fixture's records (longest first): the text columns of the project's
    models, without choices (their labels are the interface's). A translated column (modeltranslation)
    counts in ``language``, and in English where ``language``'s is empty (the page falls back to it)."""
    from modeltranslation.translator import NotRegistered, translator

    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        try:
            translated = set(translator.get_options_for_model(model).all_fields)
        except NotRegistered:
            translated = set()
        columns = [f.name for f in model._meta.concrete_fields
                   if isinstance(f, TEXT_FIELDS) and not f.choices and f.name not in translated
                   and not any(f.name == f"{t}_{code}" for t in translated for code, _ in settings.LANGUAGES)]
        for name in columns:
            values |= set(model._default_manager.values_list(name, flat=True).distinct())
        for name in translated:
            for own, english in model._default_manager.values_list(f"{name}_{language}", f"{name}_en"):
                values.add(own or english)
    pieces = set()
    for value in filter(None, values):
        value = str(value)
        pieces.add(value)
        pieces |= {part.strip() for part in re.split(r"[;\n]", value)}
    # Numbers and codes without a letter are no words (and would cut dates and times apart).
    return sorted((p for p in pieces if len(p) >= 2 and re.search(r"[^\W\d_]", p)), key=len, reverse=True)


def without(text, values):
    """``text`` without each of ``values`` (as whole words)."""
    for value in values:
        if value in text:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    return text


# --- Reading a page ------------------------------------------------------------------------------------

READER_ATTRIBUTES = re.compile(r"""\b(?:title|aria-label|placeholder|alt)\s*=\s*("[^"]*"|'[^']*')""")
BUTTON_VALUE = re.compile(r"""<input\b[^>]*\btype=["']?(?:submit|button|reset)[^>]*>""", re.I)


def page_text(content):
    """A page's text as a reader sees or hears it: the text between tags (no script, style, template),
    and the attributes read out or shown (title, aria-label, placeholder, alt, a button's value)."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", content, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    attributes = [m.group(1)[1:-1] for m in READER_ATTRIBUTES.finditer(page)]
    for button in BUTTON_VALUE.findall(page):
        attributes += re.findall(r"""\bvalue=["']([^"']*)""", button)
    text = re.sub(r"<[^>]+>", "\n", page)
    return html.unescape(text + "\n" + "\n".join(attributes))


def _snippet(text, start, end):
    return re.sub(r"\s+", " ", text[max(0, start - 40):end + 40]).strip()


def problems(text, language, typed):
    """Each problem as ``(kind, what, snippet)``."""
    text = re.sub(r"\bhttps?://\S+", " ", without(text, typed))  # a link's path is no prose (e-mails)
    untranslated, phrases, words = english_of(language)
    found = []

    def take(kind, needles):
        nonlocal text
        for needle in sorted(needles, key=len, reverse=True):
            if needle not in text:
                continue
            pattern = rf"(?<![\w-]){re.escape(needle)}(?![\w-])"
            for match in re.finditer(pattern, text):
                found.append((kind, needle, _snippet(text, match.start(), match.end())))
            text = re.sub(pattern, " ", text)

    take("untranslated msgid", untranslated)
    take("English phrase not through the catalogue", phrases)
    for pattern in CODE_ENGLISH:
        for match in re.finditer(pattern, text):
            found.append(("English built in code", match.group(), _snippet(text, match.start(), match.end())))
        text = re.sub(pattern, " ", text)
    # Whole words only (not "union" of "Réunion"), and no identifier ("learning_outcomes": a column's name).
    for match in re.finditer(r"(?<!\w)[^\W\d_]{3,}(?!\w)", text):
        if match.group().lower() in words:
            found.append(("English word", match.group(), _snippet(text, match.start(), match.end())))
    for match in ISO_DATE.finditer(text):
        found.append(("ISO date", "YYYY-MM-DD", _snippet(text, match.start(), match.end())))
    for match in ENGLISH_MONTHS.finditer(text):
        found.append(("English month", match.group(), _snippet(text, match.start(), match.end())))
    return found


# --- The fixture: reference data, the demo records, one of each other kind ----------------------------

@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end (each test runs in a
    savepoint inside it): seed_lcamp, demo_data, the demo accounts, a partner viewer, a roll-up, and the
    kinds of records the demo has none of (a reported value, narratives, a job, an invitation)."""
    media = tmp_path_factory.mktemp("media")
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media / "public"),
                                                         PRIVATE_MEDIA_ROOT=str(media / "private"))):
        with transaction.atomic():
            data = _build_site()
            yield data
            transaction.set_rollback(True)


def _build_site():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.models import User
    from alliance.models import MoU
    from indicators.models import Indicator, Report
    from indicators.rollup import backfill, rollup_all
    from organisations.invitations.services import user_invite
    from organisations.models import Organisation
    from reporting import narratives
    from reporting.models import ReportingPeriod

    call_command("seed_lcamp", verbosity=0)
    call_command("demo_data", verbosity=0)
    # Our own people, named so that no name is an English word of the interface ("manager", "staff").
    earlall = Organisation.objects.get(name="EARLALL")
    tknika = Organisation.objects.get(name="TKNIKA")
    mecanic = Organisation.objects.get(name="Mecanic Vallée")
    users = {}
    for role, username, organisation, group in [
            ("admin", "aitor", earlall, None), ("staff", "carla", earlall, "staff"),
            ("coordinator", "berta", tknika, "coordinator"), ("partner_editor", "dario", mecanic, "partner_editor"),
            ("partner_viewer", "elin", mecanic, "partner_viewer")]:
        user = User.objects.create(username=username, email=f"{username}@lcamp.example", organisation=organisation,
                                   is_superuser=role == "admin", is_staff=role == "admin")
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        users[role] = user
    backfill(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    rollup_all(datetime.date(2024, 12, 31))

    own = users["partner_editor"].organisation
    reported = Indicator.objects.filter(source=Indicator.Source.REPORTED).first()
    if reported is None:
        measure = Indicator.objects.first()
        reported = Indicator.objects.create(project=measure.project, pillar=measure.pillar, code="reportatua",
                                            title_en="Xyzzy", source=Indicator.Source.REPORTED, target=10,
                                            target_date=datetime.date(2026, 8, 31))
    report = Report.objects.create(indicator=reported, organisation=own, as_of=datetime.date(2024, 6, 30),
                                   value=5, evidence_url="https://example.org/froga", status=Report.Status.SUBMITTED)
    period = ReportingPeriod.objects.order_by("start_on").first()
    indicator = Indicator.objects.filter(source=Indicator.Source.MEASURE).first()
    narratives.narrative_save(indicator=indicator, period=period, user=users["coordinator"],
                              data={"what_happened": "Lorem ipsum dolor sit amet.", "why": "Consectetur adipiscing.",
                                    "corrective_actions": "Sed do eiusmod.", "next_steps": "Tempor incididunt."})
    mou = MoU.objects.filter(status=MoU.Status.SUBMITTED).order_by("pk").first()
    invited = user_invite(invited_by=users["coordinator"], first_name="Ane", last_name="Uranga",
                          email="ane@lcamp.example", organisation=own)
    return {"invited": invited, "users": users, "report": report, "period": period, "indicator": indicator, "mou": mou,
            "organisation": own, "other_organisation": Organisation.objects.exclude(pk=own.pk).first()}


# --- The pages -----------------------------------------------------------------------------------------

def _routes():
    """``(url name, route, pattern)`` of every route, namespaces joined."""
    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or "?"), prefix + str(pattern.pattern), pattern
    return list(walk(get_resolver().url_patterns))


def skip_reason(name):
    for key, reason in SKIPPED.items():
        if name == key or (key.endswith((":", "-")) and name.startswith(key)):
            return reason
    if DOWNLOAD.search(name):
        return "a download (a file, not a page)"
    return None


# The model whose record a route's ``pk`` names, by the route's name prefix.
PK_MODELS = {
    "organisations:organisation-": "organisations.Organisation", "organisations:region-": "organisations.Region",
    "alliance:mou-": "alliance.MoU", "alliance:member-": "alliance.AllianceMember",
    "alliance:cooperation-project-": "alliance.CooperationProject",
    "observatories:observatory-": "observatories.Observatory", "observatories:skill-gap-": "observatories.SkillGap",
    "training:micro-credential-": "training.MicroCredential", "training:factory-": "training.LearningFactory",
    "training:exchange-": "training.FactoryExchange", "training:product-": "training.FactoryProduct",
    "indicators:report-": "indicators.Report",
}


def _kwargs(name, pattern, site, user):
    """The route's arguments from the fixture, or None when it cannot be filled."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from organisations.invitations.services import make_token

    wanted = set(pattern.pattern.regex.groupindex)
    kwargs = {}
    for key in wanted:
        if key == "pk" and name.startswith(("reporting:period-", "reporting:narrative-", "reporting:partner-")):
            kwargs[key] = site["period"].pk
        elif key == "pk" and name == "reporting:contribution":
            kwargs[key] = site["organisation"].pk
        elif key == "pk" and name.startswith("alliance:mou-"):
            kwargs[key] = site["mou"].pk
        elif key == "pk" and name.startswith("indicators:report-"):
            kwargs[key] = site["report"].pk
        elif key == "pk":
            model = next((m for prefix, m in PK_MODELS.items() if name.startswith(prefix)), None)
            if model is None:
                return None
            record = apps.get_model(model)._default_manager.order_by("pk").first()
            if record is None:
                return None
            kwargs[key] = record.pk
        elif key == "code":
            kwargs[key] = site["indicator"].code
        elif key == "token" and name == "invite-accept":
            kwargs[key] = make_token(site["invited"])
        elif key in ("uidb64", "token") and name == "password_reset_confirm":
            target = site["users"]["partner_viewer"]
            kwargs.update(uidb64=urlsafe_base64_encode(force_bytes(target.pk)),
                          token=default_token_generator.make_token(target))
        elif key == "extension":
            return None
        else:
            return None
    return kwargs


def _route_key(path):
    try:
        match = resolve(path.split("?")[0].split("#")[0])
    except Resolver404:
        return None
    return match.view_name or "?"


def _client(site, role, language):
    client = Client()
    if role != "anonymous":
        client.force_login(site["users"][role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


HREF = re.compile(r"""\bhref=["'](/[^"'#\s]*)""")


# The URLs each role reads, found by the first language's crawl: the other languages read the same ones.
_READ = {}


def read_pages(site, role, language):
    """``{url: page text}`` of the pages ``role`` reads (200, HTML): the routes' pages, then two levels of
    the same-site links they show, one URL per route."""
    client = _client(site, role, language)
    if role in _READ:
        pages = {}
        for url in _READ[role]:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            pages[url] = page_text(response.content.decode())
        return pages
    pages, tried = {}, defaultdict(int)
    covered = set()
    queue = []
    for name, _route, pattern in _routes():
        if skip_reason(name):
            continue
        kwargs = _kwargs(name, pattern, site, site["users"].get(role))
        if kwargs is None:
            continue
        try:
            queue.append(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: BLE001 - a route of an included app whose name is shared (allauth's)
            continue
    for level in range(3):
        found = []
        for url in dict.fromkeys(queue):
            key = _route_key(url)
            if key is None or key in covered or tried[key] >= 3 or skip_reason(key) or url in pages:
                continue
            tried[key] += 1
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            covered.add(key)
            content = response.content.decode()
            pages[url] = page_text(content)
            if level < 2:
                found += [u for u in HREF.findall(html.unescape(content)) if not u.startswith("/static/")]
        queue = found
    _READ[role] = list(pages)
    return pages


def _route_of(where):
    """``role /registers/x/3/`` -> ``role training:x-detail`` (a page's route, to group its problems)."""
    role, _, url = where.partition(" ")
    return f"{role} {_route_key(url) or url}" if url.startswith("/") else where


def _report(found, examples=3):
    """The problems grouped by kind, then by what was found: where (routes and roles), and one snippet."""
    grouped = defaultdict(lambda: defaultdict(list))
    for kind, what, where, snippet in found:
        grouped[kind][what].append((where, snippet))
    lines = [f"{len(found)} problems in {sum(len(w) for w in grouped.values())} strings:"]
    for kind, whats in sorted(grouped.items()):
        lines.append(f"== {kind} ({len(whats)})")
        for what, rows in sorted(whats.items(), key=lambda item: -len(item[1])):
            places = sorted({_route_of(where) for where, _ in rows})
            more = f" +{len(places) - examples} more" if len(places) > examples else ""
            lines.append(f"  {what!r} x{len(rows)} [{'; '.join(places[:examples])}{more}] …{rows[0][1]}…")
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_is_in_the_language(site, language):
    typed = typed_text(language)
    found, counts = [], {}
    for role in ROLES:
        pages = read_pages(site, role, language)
        counts[role] = len(pages)
        for url, text in pages.items():
            found += [(kind, what, f"{role} {url}", snippet) for kind, what, snippet in problems(text, language, typed)]
    assert {role: n for role, n in counts.items() if n < MINIMUM_PAGES[role]} == {}, counts
    assert not found, f"[{language}] " + _report(found)


# --- The period report's PDF ----------------------------------------------------------------------------

# CI installs poppler-utils (.ci/run): there a missing pdftotext fails the test rather than skipping it.
@pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                    reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_period_report_pdf_is_in_the_language(site, language, tmp_path):
    from reporting import report

    with translation.override(language):
        pdf = report.render_pdf(site["period"])
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, check=True,
                          text=True).stdout
    # The PDF breaks lines where the page does, inside a title too: one space between words; pdftotext joins
    # a word broken at its hyphen ("Bruxelles-" "Capitale": "BruxellesCapitale").
    typed = list(typed_text(language))
    typed += [value.replace("-", "") for value in typed if "-" in value]
    found = problems(" ".join(text.split()), language, sorted(set(typed), key=len, reverse=True))
    assert not found, f"[{language}] " + _report([(kind, what, "report.pdf", snippet) for kind, what, snippet in found])


# --- An e-mail of each kind -----------------------------------------------------------------------------

def _emails(site, language):
    """``{kind: message}``: one e-mail of each kind to a person reading ``language``."""
    from accounts.models import User
    from alliance import tasks
    from alliance.models import MoU
    from indicators.models import Snapshot
    from organisations.invitations.services import send_invitation
    from reporting import reminders

    User.objects.filter(pk__in=[u.pk for u in site["users"].values()]).update(language=language)
    for user in site["users"].values():
        user.refresh_from_db()
    mail.outbox = []
    messages = {}

    def sent(kind, run):
        before = len(mail.outbox)
        run()
        assert len(mail.outbox) > before, f"no e-mail of kind {kind}"
        messages[kind] = mail.outbox[before]

    coordinator = site["users"]["coordinator"]
    mou = site["mou"]
    sent("MoU submitted", lambda: tasks.notify_managers_of_submission(mou.pk))
    MoU.objects.filter(pk=mou.pk).update(status=MoU.Status.APPROVED, submitted_by=site["users"]["partner_editor"])
    sent("MoU approved", lambda: tasks.notify_partner_of_decision(mou.pk))
    MoU.objects.filter(pk=mou.pk).update(status=MoU.Status.REJECTED)
    sent("MoU rejected", lambda: tasks.notify_partner_of_decision(mou.pk))
    sent("invitation", lambda: send_invitation(user=site["users"]["partner_viewer"], invited_by=coordinator))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sent("password reset", lambda: client.post(reverse("password_reset"), {"email": coordinator.email}))

    # The reminders, each on a day it is due.
    period = site["period"]
    by_kind = {}
    for day in (period.end_on - datetime.timedelta(days=30), datetime.date.today() + datetime.timedelta(days=30)):
        for reminder in reminders.due(day):
            by_kind.setdefault(reminder.kind, reminder)
    indicator = site["indicator"]
    monday = datetime.date(2025, 1, 6)
    for day, status in ((monday - datetime.timedelta(days=7), Snapshot.Status.ON_TRACK),
                        (monday, Snapshot.Status.AT_RISK)):
        Snapshot.objects.update_or_create(indicator=indicator, date=day, defaults={
            "value": 5, "target": indicator.target, "expected": 8, "progress": Decimal("0.5"), "status": status})
    for reminder in reminders.status_digest(monday):
        by_kind.setdefault(reminder.kind, reminder)
    for kind, reminder in by_kind.items():
        reminder.user = User.objects.get(pk=reminder.user.pk)
        messages[f"reminder {kind}"] = reminders.message(reminder)
    assert set(by_kind) == {"period_due", "review_waiting", "status_digest"}, set(by_kind)
    return messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_email_of_each_kind_is_in_the_language(site, language):
    typed = typed_text(language)
    found = []
    for kind, message in _emails(site, language).items():
        parts = [message.subject, message.body]
        parts += [page_text(content) for content, mimetype in getattr(message, "alternatives", [])
                  if mimetype == "text/html"]
        for part in parts:
            found += [(k, what, f"e-mail {kind}", snippet) for k, what, snippet in problems(part, language, typed)]
    assert not found, f"[{language}] " + _report(found)
