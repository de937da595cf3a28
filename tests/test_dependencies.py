"""Dependencies point one way, down the floors (README, "Layout").

import-linter checks the same contracts in CI (`lint-imports`); these tests keep
them in the suite, follow imports transitively (through any chain of modules) and
look where import lines cannot: at the models' foreign keys.
"""

import grimp
import pytest
from django.apps import apps

# From the top down: a floor may import only the floors after it.
FLOORS = ["bench", "lcamp", "reporting", "training", "observatories", "alliance", "indicators", "organisations",
          "registers", "accounts"]
DOMAIN_APPS = {"training", "observatories", "alliance"}
BELOW_THE_DOMAIN = ["indicators", "organisations", "registers", "accounts"]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*FLOORS, cache_dir=None)


@pytest.mark.parametrize("floor", FLOORS)
def test_a_floor_reaches_no_floor_above_it_even_through_other_modules(graph, floor):
    above = FLOORS[: FLOORS.index(floor)]
    chains = {upper: graph.find_shortest_chain(importer=floor, imported=upper, as_packages=True)
              for upper in above}
    assert {upper: chain for upper, chain in chains.items() if chain} == {}


def test_nothing_imports_the_project_shell_or_the_benchmarks(graph):
    for top in ("lcamp", "bench"):
        importers = {m.split(".")[0] for m in graph.find_downstream_modules(top, as_package=True)}
        assert importers - {top, "bench"} == set(), f"{top} is imported by {importers}"


def test_indicators_reaches_no_domain_app(graph):
    for domain in DOMAIN_APPS:
        assert graph.find_shortest_chain(importer="indicators", imported=domain, as_packages=True) is None


def test_reporting_reaches_no_domain_app(graph):
    for domain in DOMAIN_APPS:
        assert graph.find_shortest_chain(importer="reporting", imported=domain, as_packages=True) is None


def test_the_chain_search_sees_a_transitive_import(graph):
    # The check above is only worth something if grimp follows chains: alliance
    # reaches accounts through registers (alliance.models -> registers.models is direct,
    # registers.access -> accounts.roles is the second step).
    assert graph.find_shortest_chain(importer="alliance", imported="accounts", as_packages=True)


@pytest.mark.parametrize("app_label", [*BELOW_THE_DOMAIN, "reporting"])
def test_no_foreign_key_below_the_domain_or_of_reporting_points_at_a_domain_app(app_label):
    pointing_up = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is not None and field.concrete
        and field.related_model._meta.app_label in DOMAIN_APPS
    ]
    assert pointing_up == []


# The foreign keys that point up, on purpose: the user's organisation (and a submission's), named by the
# string "organisations.Organisation" as Django names its own user model, so that the
# accounts floor imports nothing above it.
NAMED_BY_STRING = {"accounts.User.organisation -> organisations.Organisation",
                   # A partner's submission names the organisation responsible for its record (issue 21).
                   "registers.Submission.organisation -> organisations.Organisation",
                   # The e-mail domain whose people may sign in through an identity provider (issue 24).
                   "accounts.SignInDomain.organisation -> organisations.Organisation"}


@pytest.mark.parametrize("app_label", FLOORS[2:])
def test_a_models_foreign_keys_point_down_or_sideways_only(app_label):
    rank = {label: FLOORS.index(label) for label in FLOORS}
    pointing_up = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is not None
        and rank.get(field.related_model._meta.app_label, len(FLOORS)) < rank[app_label]
    ]
    assert set(pointing_up) - NAMED_BY_STRING == set()
