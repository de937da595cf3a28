
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def lead_is_the_coordinator(apps, schema_editor):
    """The coordinating consortium partner leads the Alliance (its membership register is the coordinator's)."""
    Organisation = apps.get_model(*settings.ORGANISATION_MODEL.split("."))
    lead = Organisation.objects.filter(is_consortium_partner=True, is_coordinator=True).order_by("pk").first()
    if lead is not None:
        apps.get_model("indicators", "Project").objects.filter(lead_organisation=None).update(lead_organisation=lead)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0001_initial'),
        ('organisations', '0002_search_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='lead_organisation',
            field=models.ForeignKey(blank=True, help_text="The organisation responsible for the Alliance's membership register.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='Alliance lead'),
        ),
        migrations.AddField(
            model_name='project',
            name='partners_see_dashboard',
            field=models.BooleanField(default=False, help_text='Partner editors and viewers may read the progress dashboard (read-only).', verbose_name='partners see the dashboard'),
        ),
        migrations.RunPython(lead_is_the_coordinator, migrations.RunPython.noop),
    ]
