"""No floor names a floor above it, not even in a string (DESIGN.md, "Floors").

import-linter and ``tests/test_dependencies.py`` see the imports. A string can cross a floor where
they cannot: a URL namespace (``reverse("alliance:mou-list")``) or a model label
(``"indicators.snapshot"``) in a lower floor ties it to the floor above as surely as an import.
This test reads every string constant of every app module (migrations, tests and docstrings aside)
with ``ast``, the way import-linter reads imports, and the ``{% url %}`` tags of each app's
templates (``templates/<app>/``). A lower floor learns such a name through a registration the floor
above makes in its ``AppConfig.ready()``, as the measures register themselves.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

# From the top down: a floor may name itself and the floors after it. ``reporting`` may be absent.
FLOORS = ["bench", "lcamp", "reporting", "training", "observatories", "alliance", "indicators", "organisations",
          "registers", "accounts"]
# The floors that are URL namespaces (``lcamp`` names the project in cache keys and URNs, not URLs).
NAMESPACES = [floor for floor in FLOORS if floor not in ("bench", "lcamp")]
ROOT = Path(settings.BASE_DIR)
URL_TAG = re.compile(r"""\{%\s*url\s+['"](?P<namespace>\w+):""")


def _model_names(app_label):
    """The lower-case names of ``app_label``'s models (none when the app is not installed)."""
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return set()
    return {model._meta.model_name for model in config.get_models(include_auto_created=True)}


def _docstrings(tree):
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, nodes) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}


def upward_names(source, above):
    """``[(line, text)]``: the string constants of ``source`` that name a floor in ``above``
    by a URL namespace (``"alliance:mou-list"``) or a model label (``"alliance.mou"``)."""
    tree = ast.parse(source)
    skipped = _docstrings(tree)
    namespaces = [floor for floor in above if floor in NAMESPACES]
    namespace = re.compile(rf"\b(?:{'|'.join(namespaces)}):(?=[\w-]|$)") if namespaces else None
    label = re.compile(rf"\b(?P<app>{'|'.join(above)})\.(?P<model>[A-Za-z_]\w*)\b")
    models = {app: _model_names(app) for app in above}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skipped:
            continue
        text = node.value
        if (namespace and namespace.search(text)) or any(m["model"].lower() in models[m["app"]] for m in label.finditer(text)):
            found.append((node.lineno, text))
    return found


def _modules(floor):
    for path in sorted((ROOT / floor).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts or path.name.startswith("test"):
            continue
        yield path


@pytest.mark.parametrize("floor", FLOORS)
def test_no_module_names_a_floor_above_it(floor):
    above = FLOORS[: FLOORS.index(floor)]
    if not above or not (ROOT / floor).is_dir():
        return
    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}"
             for path in _modules(floor) for line, text in upward_names(path.read_text(), above)]
    assert found == []


@pytest.mark.parametrize("floor", FLOORS)
def test_no_template_of_an_app_reverses_a_floor_above_it(floor):
    above = set(FLOORS[: FLOORS.index(floor)]) & set(NAMESPACES)
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for folder in (ROOT / "templates" / floor, ROOT / floor / "templates")
             for path in sorted(folder.rglob("*.html"))
             for match in URL_TAG.finditer(path.read_text()) if match["namespace"] in above]
    assert found == []


def test_the_scan_sees_a_namespace_and_a_model_label_but_not_a_docstring():
    # The checks above are only worth something if the scan finds what it looks for.
    source = '''
"""A docstring may say alliance:mou-list and indicators.snapshot."""
IGNORED = {"indicators.snapshot", "registers.job"}
url = reverse("alliance:mou-list")
key = f"training:{name}"
module = "indicators.generation"
'''
    found = upward_names(source, ["training", "alliance", "indicators"])
    assert [text for _, text in found] == ["indicators.snapshot", "alliance:mou-list", "training:"]
