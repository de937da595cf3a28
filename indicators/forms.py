"""The interim targets (milestones) of an indicator, edited by a coordinator on one page."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from registers.widgets import decorate_widgets

from .models import Indicator, Milestone


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["date", "value", "label", "is_assumed"]
        help_texts = {"label": _("E.g. the report it is due for (M18)."), "value": _("The value expected on the date.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decorate_widgets(self)


MilestoneFormSet = inlineformset_factory(Indicator, Milestone, form=MilestoneForm, extra=1, can_delete=True,
                                         max_num=24, validate_max=True)
