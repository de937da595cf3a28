"""Dates in the reader's language, as CLDR writes them (issue 23): the builtin filters, the pages, an
e-mail, the period report's PDF and the workbooks' date cells; never ISO nor an English month name on a
page read in another language. Django's own formats (``lcamp/formats``) follow CLDR as far as they can."""

import datetime
import io
import re
import subprocess

import pytest
from babel import dates as babel_dates
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation
from openpyxl import load_workbook

import tests.reporting.conftest
from registers import l10n
from tests.factories import AllianceMemberFactory, MoUFactory, OrganisationFactory
from tests.i18n.test_visible_text import visible_text

LANGUAGES = ["en", "es", "eu", "fr", "it", "sv", "fi"]
# An English month's name, or its abbreviation after a day ("15 Jan"; "Jan Mayen" is an island's name).
ENGLISH_MONTH = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
                           r"|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b")
ISO_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")
DAY = datetime.date(2025, 8, 31)
MOMENT = datetime.datetime(2025, 8, 31, 9, 5)

# The reporting tests' project, its eight indicators, records and history, and its first period.
project = tests.reporting.conftest.project
lcamp_indicators = tests.reporting.conftest.lcamp_indicators
period_data = tests.reporting.conftest.period_data
period = tests.reporting.conftest.period


def no_english_or_iso_date(text):
    assert not ISO_DATE.search(text), ISO_DATE.search(text).group(0)
    assert not ENGLISH_MONTH.search(text), ENGLISH_MONTH.search(text).group(0)


# --- The filters are CLDR's ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_filters_write_cldrs_dates_in_each_language(language):
    locale = l10n.LOCALES[language]
    template = Template("{{ d|short_date }}|{{ d|long_date }}|{{ d|month_year }}|{{ d|short_month_year }}|"
                        "{{ t|short_datetime }}|{{ t|long_datetime }}")
    with translation.override(language):
        shown = template.render(Context({"d": DAY, "t": MOMENT})).split("|")
    time = babel_dates.format_time(MOMENT.time(), "short", locale=locale)
    assert shown[0] == babel_dates.format_date(DAY, "medium", locale=locale)
    assert shown[1] == babel_dates.format_date(DAY, "long", locale=locale)
    assert shown[2] == babel_dates.format_skeleton("yMMMM", DAY, locale=locale)
    assert shown[3] == babel_dates.format_skeleton("yMMM", DAY, locale=locale)
    assert shown[4] == babel_dates.get_datetime_format("medium", locale=locale).format(time, shown[0])
    assert shown[5] == babel_dates.get_datetime_format("long", locale=locale).format(time, shown[1])


@pytest.mark.parametrize(("language", "short", "long"), [
    ("en", "31 Aug 2025", "31 August 2025"),  # en_IE: day first, as the consortium writes
    ("es", "31 ago 2025", "31 de agosto de 2025"),
    ("eu", "2025(e)ko abu. 31(a)", "2025(e)ko abuztuaren 31(a)"),
    ("fr", "31 août 2025", "31 août 2025"),
    ("it", "31 ago 2025", "31 agosto 2025"),
    ("sv", "31 aug. 2025", "31 augusti 2025"),
    ("fi", "31.8.2025", "31. elokuuta 2025"),
])
def test_the_filters_give_what_a_reader_of_the_language_expects(language, short, long):
    assert l10n.short_date(DAY, language) == short
    assert l10n.long_date(DAY, language) == long


def test_an_empty_date_is_empty_and_an_unknown_language_reads_english():
    assert Template("{{ d|short_date|default:'—' }}").render(Context({"d": None})) == "—"
    assert l10n.long_datetime("") == ""
    assert l10n.short_date(DAY, "xx") == "31 Aug 2025"
    assert l10n.excel_date_format("xx") == l10n.excel_date_format("en")


# --- Django's own formats (the admin, allauth, a date left unfiltered) -----------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_djangos_formats_are_never_iso_nor_english_outside_english(language):
    with translation.override(language):
        shown = [formats.date_format(DAY, name) for name in
                 ("DATE_FORMAT", "SHORT_DATE_FORMAT", "MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT")]
        shown += [formats.date_format(MOMENT, name) for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")]
    for text in shown:
        assert not ISO_DATE.search(text), text
        if language != "en":
            assert not ENGLISH_MONTH.search(text), text


@pytest.mark.parametrize(("language", "short_date", "date"), [
    ("en", "31 Aug 2025", "31 August 2025"),
    ("es", "31 ago 2025", "31 de agosto de 2025"),  # not Django's "31/08/2025" nor title-cased "Ago"
    ("eu", "2025(e)ko abu. 31(a)", "2025(e)ko abu. 31(a)"),  # year first, not Django's ISO short date
    ("fr", "31/08/2025", "31 août 2025"),
    ("it", "31 ago 2025", "31 ago 2025"),  # CLDR's lower-case month, not Django's "Agosto"
    ("sv", "31 augusti 2025", "31 augusti 2025"),  # not Django's ISO short date
    ("fi", "31.8.2025", "31. elokuuta 2025"),
])
def test_djangos_formats_follow_cldr(language, short_date, date):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(DAY, "DATE_FORMAT") == date


@pytest.mark.parametrize(("language", "number"), [
    ("en", "12,345.5"), ("es", "12.345,5"), ("eu", "12.345,5"), ("fr", "12\u202f345,5"), ("it", "12.345,5"),
    ("sv", "12\xa0345,5"), ("fi", "12\xa0345,5"),
])
def test_djangos_number_format_groups_digits_as_cldr(language, number):
    with translation.override(language):
        assert formats.number_format(12345.5, 1, force_grouping=True) == number
    assert l10n.decimal(12345.5, language) == number


# --- The Excel number format of a date cell ----------------------------------------------------------------


@pytest.mark.parametrize(("language", "date_format", "datetime_format"), [
    ("en", "[$-1809]d mmm yyyy", '[$-1809]d mmm yyyy", "hh:mm'),
    ("es", "[$-C0A]d mmm yyyy", '[$-C0A]d mmm yyyy", "h:mm'),
    ("eu", '[$-42D]yyyy"(e)ko "mmm d"(a)"', '[$-42D]yyyy"(e)ko "mmm d"(a) ("hh:mm")"'),
    ("sv", "[$-41D]d mmm yyyy", "[$-41D]d mmm yyyy hh:mm"),
    ("fi", "[$-40B]d.m.yyyy", "[$-40B]d.m.yyyy h.mm"),
])
def test_the_excel_formats_come_from_cldrs_patterns(language, date_format, datetime_format):
    assert l10n.excel_date_format(language) == date_format
    assert l10n.excel_datetime_format(language) == datetime_format


def test_a_cldr_pattern_keeps_its_quoted_text_and_apostrophes_in_excel():
    assert l10n._excel_pattern("d 'de' MMMM 'de' y") == 'd" de "mmmm" de "yyyy'
    assert l10n._excel_pattern("h 'o''clock' a") == 'h" o\'clock "AM/PM'
    assert l10n._excel_pattern("EEEE d.M.y") == "dddd d.m.yyyy"
    assert l10n._excel_pattern("d 'quote\"' y") == 'd" quote "yyyy'  # a double quote would end Excel's text


# --- Pages ------------------------------------------------------------------------------------------------


def _reading(client, language):
    client.post(reverse("set-language"), {"language": language})
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "eu", "sv", "fi"])
def test_the_member_list_and_a_members_page_show_cldr_dates(manager_client, language):
    member = AllianceMemberFactory(organisation=OrganisationFactory(name="Ikaslan", country="ES"),
                                   joined_on=datetime.date(2023, 1, 15))
    client = _reading(manager_client, language)
    listed = visible_text(client.get(reverse("alliance:member-list")))
    assert l10n.short_date(member.joined_on, language) in listed
    no_english_or_iso_date(listed)
    page = visible_text(client.get(reverse("alliance:member-detail", args=[member.pk])))
    assert l10n.long_date(member.joined_on, language) in page  # the record's facts
    no_english_or_iso_date(page)  # its history's times included


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "eu", "sv", "fi"])
def test_the_mou_page_shows_cldr_dates(manager_client, language):
    mou = MoUFactory(signed_on=datetime.date(2024, 3, 1))
    page = visible_text(_reading(manager_client, language).get(reverse("alliance:mou-detail", args=[mou.pk])))
    assert l10n.long_date(mou.signed_on, language) in page
    no_english_or_iso_date(page)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "eu", "sv", "fi"])
def test_the_period_list_shows_cldr_dates(staff_client, project, language):
    from reporting.models import ReportingPeriod

    ReportingPeriod.objects.create(project=project, name="M1–M18", start_on=datetime.date(2022, 9, 1),
                                   end_on=datetime.date(2024, 2, 29))
    page = visible_text(_reading(staff_client, language).get(reverse("reporting:period-list")))
    assert l10n.short_date(datetime.date(2022, 9, 1), language) in page
    assert l10n.short_date(datetime.date(2024, 2, 29), language) in page
    no_english_or_iso_date(page)


@pytest.mark.django_db
def test_a_refused_date_is_written_in_the_readers_language(manager_client):
    client = _reading(manager_client, "es")
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15), left_on=datetime.date(2024, 1, 1))
    response = client.post(reverse("alliance:member-withdraw", args=[member.pk]),
                           {"left_on": "2024-06-30", "version": member.version})
    assert "1 ene 2024" in visible_text(response)


# --- An e-mail, the PDF report, the workbooks --------------------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_in_spanish_shows_the_periods_end_as_cldr_writes_it(lcamp_indicators, project, manager_user):
    import time_machine
    from django.core.management import call_command

    from reporting.models import ReportingPeriod

    ReportingPeriod.objects.create(project=project, name="M1–M18", start_on=datetime.date(2022, 9, 1),
                                   end_on=datetime.date(2024, 2, 29))
    manager_user.language = "es"
    manager_user.save(update_fields=["language"])
    with time_machine.travel(datetime.datetime(2024, 1, 30, 12, tzinfo=datetime.UTC), tick=False):
        call_command("reminders", stdout=io.StringIO())
    email = next(m for m in mail.outbox if m.to == [manager_user.email])
    assert "29 de febrero de 2024" in email.body and "29 de febrero de 2024" in email.alternatives[0][0]
    no_english_or_iso_date(email.body)


def _pdftotext(content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.django_db
def test_the_period_report_in_spanish_writes_cldr_dates(staff_client, period_data, period, tmp_path):
    client = _reading(staff_client, "es")
    text = _pdftotext(client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content, tmp_path)
    text = re.sub(r"\s+", " ", text)
    assert "1 de septiembre de 2022" in text and "29 de febrero de 2024" in text  # the period, long dates
    assert "15 ene 2023" in text  # a counted record's date in the annex, CLDR's medium date
    no_english_or_iso_date(text)


@pytest.mark.django_db
def test_the_reports_date_cells_are_dates_formatted_for_the_readers_language(staff_client, period_data, period):
    formats_by_language = {}
    for language in ("es", "fi"):
        content = _reading(staff_client, language).get(reverse("reporting:period-report-xlsx",
                                                               args=[period.pk])).content
        history = load_workbook(io.BytesIO(content)).worksheets[1]  # "History", in the reader's language
        dates = [row[1] for row in history.iter_rows(min_row=2)]
        assert dates and all(cell.is_date for cell in dates)
        formats_by_language[language] = {cell.number_format for cell in dates}
    assert formats_by_language == {"es": {l10n.excel_date_format("es")}, "fi": {l10n.excel_date_format("fi")}}


@pytest.mark.django_db
def test_a_registers_xlsx_has_date_cells_and_its_csv_iso_dates(manager_client):
    AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    client = _reading(manager_client, "fi")
    sheet = load_workbook(io.BytesIO(client.get(reverse("alliance:member-export-xlsx")).content)).active
    header = [cell.value for cell in sheet[1]]
    joined = sheet.cell(row=2, column=next(i for i, name in enumerate(header, start=1) if "joined" in name.lower()))
    assert joined.is_date and joined.value.date() == datetime.date(2023, 1, 15)
    assert joined.number_format == "[$-40B]d.m.yyyy"
    csv = b"".join(client.get(reverse("alliance:member-export-csv")).streaming_content).decode("utf-8-sig")
    assert "2023-01-15" in csv  # a machine's file: ISO, as the import reads it


@pytest.mark.django_db
def test_the_indicators_workbook_formats_its_dates_for_the_readers_language(staff_client, period_data):
    content = _reading(staff_client, "es").get(reverse("indicators:export-xlsx")).content
    workbook = load_workbook(io.BytesIO(content))
    history = [row[1] for row in workbook.worksheets[1].iter_rows(min_row=2)]  # "Historial"
    assert history and {cell.number_format for cell in history} == {l10n.excel_date_format("es")}


@pytest.mark.django_db
def test_an_export_job_writes_the_dates_of_the_language_it_was_asked_in(manager_client, settings,
                                                                         django_capture_on_commit_callbacks):
    from registers.models import Job

    settings.EXPORT_ASYNC_ROWS = 1
    for day in (1, 2):
        AllianceMemberFactory(joined_on=datetime.date(2023, 1, day))
    client = _reading(manager_client, "fi")
    with django_capture_on_commit_callbacks() as queued:
        client.get(reverse("alliance:member-export-xlsx"))
    with translation.override("en"):  # a worker's language is not the request's
        for task in queued:
            task()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    sheet = load_workbook(io.BytesIO(job.file.open("rb").read())).active
    header = [cell.value for cell in sheet[1]]
    column = next(i for i, name in enumerate(header) if "joined" in name.lower())
    joined = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert len(joined) == 2 and {cell.number_format for cell in joined} == {"[$-40B]d.m.yyyy"}
