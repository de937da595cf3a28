"""lcamp/demo.py: one generator a register, small functions, the same records for the same seed."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lcamp import demo
from lcamp.reference import seed_reference_data

SOURCE = Path(demo.__file__)
SYNTHETIC_MODELS = ["organisations.Organisation", "alliance.AllianceMember", "alliance.MoU",
                    "observatories.Observatory", "observatories.SkillGap", "training.MicroCredential",
                    "training.LearningFactory", "training.FactoryExchange", "alliance.CooperationProject",
                    "training.FactoryProduct"]


def test_no_function_of_the_demo_module_is_over_60_lines():
    tree = ast.parse(SOURCE.read_text())
    long = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 60]
    assert long == []


def test_each_register_has_its_synthetic_generator():
    names = {name for name in dir(demo) if name.startswith("_synthetic_")}
    assert {"_synthetic_organisations", "_synthetic_members", "_synthetic_mous", "_synthetic_skill_gaps",
            "_synthetic_micro_credentials", "_synthetic_exchanges", "_synthetic_projects",
            "_synthetic_products"} <= names


def _records():
    """The synthetic records, without ids, timestamps or the run's random name token."""
    out = {}
    for label in SYNTHETIC_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields
                  if f.attname not in ("id", "created_at", "updated_at", "version", "submitted_at")
                  and not f.is_relation]
        out[label] = [tuple(re.sub(r"[0-9a-f]{8}-(\d+)", r"\1", str(v)) for v in row)
                      for row in model.objects.filter(name__startswith="Synthetic") .values_list(*fields)
                      ] if label == "organisations.Organisation" else model.objects.filter(is_demo=True).count()
    return out


@pytest.mark.django_db
def test_synthetic_records_spread_over_the_registers_and_repeat_for_a_seed():
    seed_reference_data()
    counts = demo.create_synthetic_records(400, batch_size=50, seed=11)
    assert counts["organisations"] == 80 and counts["alliance members"] == 80 and counts["MoUs"] == 60
    assert sum(counts.values()) == 400
    first = _records()
    assert all(first[label] for label in SYNTHETIC_MODELS)
    for label in reversed(SYNTHETIC_MODELS):
        apps.get_model(label).objects.filter(is_demo=True).delete()
    assert demo.create_synthetic_records(400, batch_size=50, seed=11) == counts
    assert _records() == first


@pytest.mark.django_db
def test_demo_data_scale_ends_by_analysing_every_table_it_filled():
    with CaptureQueriesContext(connection) as queries:
        call_command("demo_data", scale=200, seed=3, verbosity=0)
    statements = [query["sql"] for query in queries]
    analysed = [sql for sql in statements if sql.startswith("ANALYZE")]
    # Last, once the rows are in: the planner's statistics describe the filled tables, not empty ones.
    assert analysed and statements[-len(analysed):] == analysed
    models = [apps.get_model(label) for label in SYNTHETIC_MODELS]
    throughs = [apps.get_model("training.FactoryExchange").partner_organisations.through,
                apps.get_model("alliance.CooperationProject").participants.through,
                apps.get_model("training.FactoryProduct").factories.through,
                apps.get_model("training.FactoryProduct").collaborating_organisations.through]
    assert analysed == [f"ANALYZE {connection.ops.quote_name(table)}"
                        for table in sorted(model._meta.db_table for model in models + throughs)]
