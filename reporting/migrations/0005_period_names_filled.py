"""The periods' names into their English column (the one django-modeltranslation reads first), and the three
periods ``seed_lcamp`` created in the seven languages, as the seed now writes them.

The seeded names are copied here rather than imported from ``lcamp.reference``: a migration keeps the data of
its day, and the reporting floor does not import the project's shell. A translation an administrator typed is
never overwritten; a period named otherwise gets only its English column.
"""

from django.db import migrations

SEEDED = {
    "Interim report M1–M18": {
        "es": "Informe intermedio M1–M18", "eu": "Tarteko txostena M1–M18", "fr": "Rapport intermédiaire M1–M18",
        "it": "Relazione intermedia M1–M18", "sv": "Delrapport M1–M18", "fi": "Väliraportti M1–M18"},
    "Interim report M19–M36": {
        "es": "Informe intermedio M19–M36", "eu": "Tarteko txostena M19–M36", "fr": "Rapport intermédiaire M19–M36",
        "it": "Relazione intermedia M19–M36", "sv": "Delrapport M19–M36", "fi": "Väliraportti M19–M36"},
    "Final report M37–M48": {
        "es": "Informe final M37–M48", "eu": "Azken txostena M37–M48", "fr": "Rapport final M37–M48",
        "it": "Relazione finale M37–M48", "sv": "Slutrapport M37–M48", "fi": "Loppuraportti M37–M48"},
}


def fill(apps, schema_editor):
    for model_name in ("ReportingPeriod", "HistoricalReportingPeriod"):
        model = apps.get_model("reporting", model_name)
        for row in model.objects.all().iterator():
            changed = []
            if not row.name_en:
                row.name_en = row.name
                changed.append("name_en")
            for language, text in SEEDED.get(row.name_en, {}).items():
                if not getattr(row, f"name_{language}"):
                    setattr(row, f"name_{language}", text)
                    changed.append(f"name_{language}")
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_period_name_translations")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
