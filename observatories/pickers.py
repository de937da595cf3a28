"""The observatory and skill gap pickers."""

from accounts import roles
from registers.pickers import Picker

from .models import Observatory, SkillGap

observatories = Picker(key="observatories", model=Observatory, search_fields=("name", "region__name", "region__code"),
                       ordering=("name", "pk"), allowed=roles.may_pick_records)
skill_gaps = Picker(key="skill-gaps", model=SkillGap, search_fields=("title", "esco_skill_label"),
                    ordering=("title", "pk"), allowed=roles.may_pick_records)
