"""A byte-level scan of a PDF for active content, run before the file is stored.

Reviewers open the documents partners upload. A PDF may carry JavaScript (``/JavaScript``,
``/JS``), actions run when it opens (``/OpenAction``) or programs it launches (``/Launch``);
a PDF/HTML polyglot is also a web page. None of these belongs in a signed MoU or in
evidence, and "print it to PDF again" removes them, so such files are refused.

Names are read as PDF names (``/J#61vaScript`` is ``/JavaScript``), in the file and inside
its Flate-compressed streams (object streams hide dictionaries there). Decompression is
bounded (``MAX_INFLATED_BYTES`` in all), so a small file cannot expand into gigabytes.
"""

import re
import zlib

from django.core.exceptions import ValidationError

ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"OpenAction", b"Launch"})
MAX_INFLATED_BYTES = 64 * 1024 * 1024
NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM = re.compile(rb"stream\r?\n")
HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s>/]", re.IGNORECASE)

ACTIVE_CONTENT = ("This PDF contains active content ({what}) that a reader would run when a reviewer opens it. "
                  "Print it to PDF again (Print, then \"Save as PDF\" or \"Microsoft Print to PDF\") and upload "
                  "that file.")
TOO_LARGE_INFLATED = ("This PDF expands to more than {limit} MB when read, more than a signed document needs. "
                      "Print it to PDF again and upload that file.")


def _active_names(data):
    found = set()
    for match in NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in ACTIVE_NAMES:
            found.add(name.decode())
    return found


def _inflated_streams(data):
    """The decompressed content of each Flate stream in ``data`` (others are skipped), within the bound."""
    budget = MAX_INFLATED_BYTES
    position = 0
    while True:
        match = STREAM.search(data, position)
        if not match:
            return
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        position = end
        raw = data[start:end]
        if not raw[:1] or raw[0] & 0x0F != 8:
            continue  # Not a zlib stream (CMF byte: method 8, deflate): an image, a font, plain text.
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(raw, budget + 1)
        except zlib.error:
            continue
        if len(inflated) > budget or inflater.unconsumed_tail:
            raise ValidationError(TOO_LARGE_INFLATED.format(limit=MAX_INFLATED_BYTES // (1024 * 1024)),
                                  code="pdf_too_large_inflated")
        budget -= len(inflated)
        yield inflated


def check_active_content(data):
    """Raise ValidationError ("print it to PDF again") if the PDF bytes ``data`` carry active content."""
    if HTML.search(data):
        raise ValidationError(ACTIVE_CONTENT.format(what="it is also a web page"), code="pdf_active_content")
    found = _active_names(data)
    if not found:
        for inflated in _inflated_streams(data):
            found |= _active_names(inflated)
            if found:
                break
    if found:
        raise ValidationError(ACTIVE_CONTENT.format(what=", ".join("/" + name for name in sorted(found))),
                              code="pdf_active_content")
