"""A breakdown reads as text: no two parts share a label, and its heading keeps the label's capitals."""

import datetime

import pytest

from indicators.dashboard import BreakdownDimension, breakdown_dimensions
from indicators.models import Snapshot
from indicators.registry import registry
from indicators.rollup import backfill
from registers.display import distinct_labels, in_sentence
from tests.factories import ObservatoryFactory, OrganisationFactory, RegionFactory, SkillGapFactory


def test_distinct_labels_qualify_only_the_clashing_names():
    labels = distinct_labels({1: ["Skills observatory — País Vasco", "País Vasco", "Tknika"],
                              2: ["Skills observatory — País Vasco", "País Vasco", "Ikaslan"],
                              3: ["Skills observatory — Lombardia", "Lombardia", "AFOL"],
                              4: ["Twin", "Same", "Same"], 5: ["Twin", "Same", "Same"]})
    # The region is already in the name: the host tells them apart. Names that never clash stay bare.
    assert labels[1] == "Skills observatory — País Vasco (Tknika)"
    assert labels[2] == "Skills observatory — País Vasco (Ikaslan)"
    assert labels[3] == "Skills observatory — Lombardia"
    # When the names run out, the key does.
    assert labels[4] == "Twin (Same, Same, #4)" and labels[5] == "Twin (Same, Same, #5)"
    assert len(set(labels.values())) == len(labels)


def test_distinct_labels_add_the_region_first():
    labels = distinct_labels({1: ["Observatory", "País Vasco", "Tknika"], 2: ["Observatory", "Lombardia", "AFOL"]})
    assert labels == {1: "Observatory (País Vasco)", 2: "Observatory (Lombardia)"}


@pytest.mark.parametrize(("label", "expected"), [("EQF level", "EQF level"), ("NACE section (first letter)",
                                                  "NACE section (first letter)"), ("Country", "country"),
                                                 ("Responsible organisation", "responsible organisation"), ("", "")])
def test_a_dimension_heading_keeps_the_capitals_of_an_acronym(label, expected):
    assert in_sentence(label) == expected
    assert BreakdownDimension("x", label, False).label_in_sentence == expected


@pytest.mark.django_db
def test_two_observatories_of_one_name_are_two_labels_in_the_breakdown(lcamp_indicators):
    basque = RegionFactory()
    name = "Advanced manufacturing skills observatory — País Vasco"
    for host in ("Tknika", "Ikaslan"):
        observatory = ObservatoryFactory(name=name, region=basque, host_organisation=OrganisationFactory(name=host))
        SkillGapFactory(observatory=observatory)
    lombardy = ObservatoryFactory(name="Osservatorio", region=RegionFactory(code="ITC4", name="Lombardia",
                                                                           country="IT"))
    SkillGapFactory(observatory=lombardy)
    backfill(start=datetime.date(2024, 5, 1), end=datetime.date(2024, 6, 30))
    snapshot = Snapshot.objects.filter(indicator=lcamp_indicators["skill-gaps"]).latest("date")
    measure = registry.for_indicator(lcamp_indicators["skill-gaps"])
    by_observatory = next(d for d in breakdown_dimensions(snapshot, measure) if d.name == "observatory")
    labels = sorted(part.label for part in by_observatory.parts)
    assert labels == ["Advanced manufacturing skills observatory — País Vasco (Ikaslan)",
                      "Advanced manufacturing skills observatory — País Vasco (Tknika)", "Osservatorio"]
