"""Offline validation of an ELM JSON-LD document against the official context and SHACL shapes.

The official files are kept with the tests in ``tests/training/elm/`` (see its README for their
source and licence).
"""

import copy
import functools
import json
import re
from pathlib import Path

import pyshacl
import rdflib
from pyld import jsonld
from rdflib.namespace import RDF, SH

ELM_CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"


ELM_DIR = Path(__file__).resolve().parent / "elm"


def elm_file(name):
    return ELM_DIR / name


def offline_document_loader(url, options=None):
    """A pyld document loader that serves the ELM context from the local copy and fetches nothing."""
    if url.rstrip("/").replace("https://", "http://") != ELM_CONTEXT_URL:
        raise jsonld.JsonLdError(f"Offline loader: no local copy of {url}", "jsonld.LoadDocumentError",
                                 {"url": url}, code="loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": copy.deepcopy(_context())}


@functools.cache
def _context():
    return json.loads(elm_file("edc-ap-context.jsonld").read_text(encoding="utf-8"))


def expand(document):
    return jsonld.expand(document, {"documentLoader": offline_document_loader})


def node_objects(expanded):
    """Every node object of an expanded document (dicts that are not value objects)."""
    found = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict) and "@value" not in value:
            found.append(value)
            for key, item in value.items():
                if not key.startswith("@"):
                    walk(item)

    walk(expanded)
    return found


def compact_keys(document):
    """Every property key of the compact document (language-map keys excluded)."""
    language_terms = {term for term, definition in _context()["@context"].items()
                      if isinstance(definition, dict) and definition.get("@container") == "@language"}
    keys = set()

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key.startswith("@") or key in ("id", "type"):
                    continue
                keys.add(key)
                if key not in language_terms:
                    walk(item)

    walk(document)
    return keys


# The shapes' URL patterns are Java regular expressions; Python's re cannot compile three of them.
_JAVA_TO_PYTHON = [
    (r"^(?i)", r"(?i)^"),
    (r"[[A-Fa-f0-9]\:\.]", r"[A-Fa-f0-9:.]"),
    (r"[%[\p{L}\p{Nl}\p{Nd}]]", r"[%\w]"),
]


@functools.cache
def shapes_graph():
    shapes = rdflib.Graph().parse(elm_file("loq-constraints.ttl"), format="turtle")
    for subject, predicate, pattern in list(shapes.triples((None, SH.pattern, None))):
        text = str(pattern)
        for java, python in _JAVA_TO_PYTHON:
            text = text.replace(java, python)
        if text != str(pattern):
            re.compile(text)
            shapes.remove((subject, predicate, pattern))
            shapes.add((subject, predicate, rdflib.Literal(text)))
    return shapes


def to_graph(expanded):
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads", "documentLoader": offline_document_loader})
    return rdflib.Graph().parse(data=nquads, format="nt")


def targeted_nodes(graph):
    """Nodes that an active shape targets: 0 would make "0 violations" meaningless."""
    shapes = shapes_graph()
    classes = {cls for shape, cls in shapes.subject_objects(SH.targetClass)
               if (shape, SH.deactivated, rdflib.Literal(True)) not in shapes}
    return {node for cls in classes for node in graph.subjects(RDF.type, cls)}


def violations(graph):
    """The SHACL violations of the graph, as readable lines."""
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes_graph(), ont_graph=None, inference="none",
                                     abort_on_first=False, allow_infos=True, allow_warnings=True,
                                     meta_shacl=False, advanced=False, do_owl_imports=False)
    lines = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) == SH.Violation:
            lines.append(f"{results.value(result, SH.focusNode)} {results.value(result, SH.resultPath)}: "
                         f"{results.value(result, SH.resultMessage)}")
    return sorted(lines)
