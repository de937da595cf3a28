"""The check of an uploaded PDF's content for active parts, run before the file is stored.

Reviewers open the documents partners upload. A PDF may carry JavaScript (``/JS``, the
``/JavaScript`` name tree, an ``/OpenAction`` or ``/AA`` action, an annotation's action),
programs it launches (``/Launch``), files inside it (``/EmbeddedFile``), an XFA form (which
holds scripts), Flash or other media (``/RichMedia``, renditions), or send data away
(``/SubmitForm``, ``/ImportData``); a PDF/HTML polyglot is also a web page. None of these
belongs in a signed MoU or in evidence, and "print it to PDF again" removes them, so such files
are refused.

The document is read with pypdf, a maintained parser, the way a reader reads it:

- every object, whether the cross-reference table lists it or only its ``N G obj`` header in
  the file says it is there (a reader repairing the file finds those too), and every object
  inside an object stream;
- every stream decoded through its whole filter chain (ASCIIHex, ASCII85, LZW, Flate,
  RunLength, with predictors), and its decoded bytes searched for the same names and for HTML
  (an XFA ``<script>``); images are not decoded (pixels run nothing; a scan's pixels would be
  hundreds of megabytes);
- names compared once decoded (``/J#61vaScript`` is ``/JavaScript``), in the parsed objects and
  in the raw and decoded bytes, so that an object the parser cannot reach is still seen.

Everything is bounded, so that a hostile file costs little: the decoded bytes per stream and
in all (a decompression bomb is refused once the bound is reached, never inflated), the
number of objects, the nesting depth, and the time.
"""

import io
import logging
import re
import time
import zlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from pypdf import PdfReader, apply_configuration, filters
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject, read_object

logger = logging.getLogger(__name__)

# Names that are active wherever they appear, as a key or a value.
FORBIDDEN_NAMES = frozenset({
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "XFA",
    "RichMedia", "RichMediaContent", "RichMediaExecute",
})
# Action types (the /S of an action dictionary, ISO 32000-2, Table 201) that run, play or send
# something. /S has other meanings elsewhere (structure types, page labels, groups), none of them
# one of these names.
FORBIDDEN_ACTIONS = frozenset({"GoToE", "ImportData", "SubmitForm", "Sound", "Movie", "Rendition"})
# Filters of images: the chain is not decoded further (see above).
IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"})

MAX_STREAM_BYTES = 16 * 1024 * 1024     # decoded bytes of one stream
MAX_DECODED_BYTES = 48 * 1024 * 1024    # decoded bytes of all the streams
MAX_OBJECTS = 50_000
MAX_DEPTH = 64                          # nesting of arrays and dictionaries
MAX_SECONDS = 5.0

NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")
HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s>/]", re.IGNORECASE)
FORBIDDEN_NAME_BYTES = frozenset(name.encode() for name in FORBIDDEN_NAMES)


def _active_content(what):
    return ValidationError(
        gettext("This PDF contains active content (%(what)s) that a reader would run when a reviewer opens it. "
                "Print it to PDF again (Print, then \"Save as PDF\" or \"Microsoft Print to PDF\") and upload "
                "that file.") % {"what": what},
        code="pdf_active_content")


def _too_large():
    return ValidationError(
        gettext("This PDF expands to more than %(limit)s MB when read (or one of its parts to more than "
                "%(part)s MB), more than a signed document needs. Print it to PDF again and upload that file.")
        % {"limit": MAX_DECODED_BYTES // (1024 * 1024), "part": MAX_STREAM_BYTES // (1024 * 1024)},
        code="pdf_too_large_inflated")


def _too_complex():
    return ValidationError(
        gettext("This PDF is too complex to be checked (more than %(objects)s objects, or parts nested too "
                "deeply). Print it to PDF again and upload that file.") % {"objects": f"{MAX_OBJECTS:,}"},
        code="pdf_too_complex")


def _unreadable():
    return ValidationError(
        gettext("This PDF cannot be read (it is damaged, or encrypted with a password). "
                "Print it to PDF again and upload that file."),
        code="pdf_unreadable")


def check_active_content(data):
    """Raise ValidationError ("print it to PDF again") if the PDF bytes ``data`` carry active content,
    expand beyond the bounds, or cannot be read."""
    _Scan(data).run()


class _Scan:
    def __init__(self, data):
        self.data = data
        self.budget = MAX_DECODED_BYTES
        self.deadline = time.monotonic() + MAX_SECONDS
        self.objects = 0

    def run(self):
        self.check_bytes(self.data)
        # pypdf's own bounds, for what it decodes itself (object and cross-reference streams).
        with apply_configuration(
            zlib_maximum_output_length=MAX_STREAM_BYTES, lzw_maximum_output_length=MAX_STREAM_BYTES,
            run_length_maximum_output_length=MAX_STREAM_BYTES, brotli_maximum_output_length=MAX_STREAM_BYTES,
            jbig2_maximum_output_length=MAX_STREAM_BYTES, zlib_maximum_recovery_input_length=256 * 1024,
            stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES, image_maximum_buffer_size=MAX_STREAM_BYTES,
            array_maximum_element_count=MAX_OBJECTS, dictionary_maximum_element_count=MAX_OBJECTS,
            jbig2dec_binary=None,
        ):
            try:
                for obj in self.every_object():
                    self.check_object(obj)
            except ValidationError:
                raise
            except RecursionError:
                raise _too_complex() from None
            except LimitReachedError:
                raise _too_large() from None
            except Exception as error:  # noqa: BLE001 - any parser error means a file this check cannot read
                logger.info("PDF refused as unreadable: %r", error)
                raise _unreadable() from None

    # --- bytes ---------------------------------------------------------------------------

    def check_bytes(self, data):
        """The raw file, or a decoded stream: HTML, and the forbidden names wherever they stand."""
        if HTML.search(data):
            what = gettext("it is also a web page") if data is self.data else gettext("a script inside")
            raise _active_content(what)
        if b"/" not in data:
            return
        for match in NAME.finditer(data):
            name = match.group(1)
            if b"#" in name:
                name = HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
            if name in FORBIDDEN_NAME_BYTES:
                raise _active_content("/" + name.decode())

    # --- objects -------------------------------------------------------------------------

    def tick(self):
        self.objects += 1
        if self.objects > MAX_OBJECTS or time.monotonic() > self.deadline:
            raise _too_complex()

    def every_object(self) -> Iterator[object]:
        """Each object of the document once: those at an ``N G obj`` header in the file, those the
        cross-reference table places elsewhere (those inside object streams are read with their stream)."""
        try:
            reader = PdfReader(io.BytesIO(self.data), strict=False, xref_stream_maximum_entries=MAX_OBJECTS)
        except PdfReadError:
            # No usable startxref: a pointer to 0 makes pypdf rebuild the table from the object
            # headers, as readers do with such a file.
            reader = PdfReader(io.BytesIO(self.data + b"\nstartxref\n0\n%%EOF\n"), strict=False,
                               xref_stream_maximum_entries=MAX_OBJECTS)
        self.reader = reader
        if reader.is_encrypted and not self.decrypt(reader):
            raise _unreadable()
        stream = reader.stream
        seen = set()
        for match in OBJECT_HEADER.finditer(self.data):
            self.tick()
            number, generation = int(match.group(1)), int(match.group(2))
            seen.add(match.start())
            stream.seek(match.end())
            try:
                obj = read_object(_skip_whitespace(stream), reader)
            except LimitReachedError:
                raise
            except Exception:  # noqa: BLE001, S112 - a broken object: readers skip it; its bytes were searched above
                continue
            if reader._encryption is not None:
                obj = reader._encryption.decrypt_object(obj, number, generation, strict=False)
            yield obj
        for generation, offsets in list(reader.xref.items()):
            for number, offset in list(offsets.items()):
                if offset in seen or reader.xref_free_entry.get(generation, {}).get(number):
                    continue
                self.tick()
                yield reader.get_object(IndirectObject(number, generation, reader))

    def decrypt(self, reader):
        try:
            return bool(reader.decrypt(""))
        except Exception:  # noqa: BLE001 - a cipher pypdf cannot open here, or a password
            return False

    def check_object(self, root):
        pending = [(root, 0)]
        while pending:
            obj, depth = pending.pop()
            if depth > MAX_DEPTH:
                raise _too_complex()
            if isinstance(obj, DictionaryObject):
                for key, value in obj.items():
                    self.check_name(key)
                    if isinstance(value, (DictionaryObject, ArrayObject)):
                        pending.append((value, depth + 1))
                    elif isinstance(value, NameObject):
                        self.check_name(value)
                action = obj.get("/S")
                if isinstance(action, NameObject) and action[1:] in FORBIDDEN_ACTIONS:
                    raise _active_content(gettext("a %(action)s action") % {"action": action})
                if isinstance(obj, StreamObject):
                    self.check_stream(obj)
            elif isinstance(obj, ArrayObject):
                for value in obj:
                    if isinstance(value, (DictionaryObject, ArrayObject)):
                        pending.append((value, depth + 1))
                    elif isinstance(value, NameObject):
                        self.check_name(value)

    def check_name(self, name):
        if name[1:] in FORBIDDEN_NAMES:
            raise _active_content(name)

    # --- streams -------------------------------------------------------------------------

    def check_stream(self, stream):
        if stream.get("/Subtype") == "/Image" and stream.get("/Type") != "/ObjStm":
            return
        decoded = self.decode(stream)
        if decoded is not None:
            self.check_bytes(decoded)
            if stream.get("/Type") == "/ObjStm":
                self.check_packed_objects(stream, decoded)

    def check_packed_objects(self, stream, decoded):
        """The objects inside an object stream, read from its decoded bytes whether or not the
        cross-reference table lists them: a header of (number, offset) pairs, then the objects."""
        first = stream.get("/First")
        if not isinstance(first, int) or not 0 <= first <= len(decoded):
            return  # Readers cannot read it either; its bytes were searched.
        header = bytes(decoded[:first]).split()
        buffer = io.BytesIO(bytes(decoded))
        for offset in header[1::2]:
            self.tick()
            if not offset.isdigit():
                continue
            buffer.seek(first + int(offset))
            try:
                obj = read_object(_skip_whitespace(buffer), self.reader)
            except LimitReachedError:
                raise
            except Exception:  # noqa: BLE001, S112 - as for a broken object in the file
                continue
            self.check_object(obj)

    def decode(self, stream):
        """The stream's bytes through its filter chain up to an image filter, within the bounds;
        None when it cannot be decoded (a damaged font or content stream runs nothing: skipped,
        but a damaged object stream could hide objects from this check: refused)."""
        names = stream.get("/Filter", ())
        names = names.get_object() if hasattr(names, "get_object") else names
        names = list(names) if isinstance(names, ArrayObject) else [names]
        parameters = stream.get("/DecodeParms", ())
        parameters = parameters.get_object() if hasattr(parameters, "get_object") else parameters
        parameters = list(parameters) if isinstance(parameters, ArrayObject) else [parameters] * len(names)
        decoders = {
            "/FlateDecode": filters.FlateDecode, "/Fl": filters.FlateDecode,
            "/LZWDecode": filters.LZWDecode, "/LZW": filters.LZWDecode,
            "/ASCIIHexDecode": filters.ASCIIHexDecode, "/AHx": filters.ASCIIHexDecode,
            "/ASCII85Decode": filters.ASCII85Decode, "/A85": filters.ASCII85Decode,
            "/RunLengthDecode": filters.RunLengthDecode, "/RL": filters.RunLengthDecode,
        }
        data = stream._data
        if len(names) > 16:
            raise _too_complex()
        try:
            for index, name in enumerate(names):
                if name in IMAGE_FILTERS or name == "/Crypt":
                    break
                decoder = decoders.get(name)
                if decoder is None:
                    raise ValueError(f"filter {name}")
                given = parameters[index] if index < len(parameters) else None
                given = given.get_object() if hasattr(given, "get_object") else given
                given = given if isinstance(given, DictionaryObject) else DictionaryObject()
                if decoder is filters.ASCII85Decode and len(data) + 4 * data.count(b"z") > 2 * MAX_STREAM_BYTES:
                    raise _too_large()  # each "z" is four zero bytes
                if decoder is filters.FlateDecode and index == 0 and "/Predictor" not in given:
                    data = _inflate(data)
                elif decoder in (filters.FlateDecode, filters.LZWDecode):
                    data = decoder.decode(data, given)
                else:
                    data = decoder.decode(data)
                if len(data) > MAX_STREAM_BYTES:
                    raise _too_large()
        except ValidationError:
            raise
        except LimitReachedError:
            raise _too_large() from None
        except Exception:  # noqa: BLE001 - see the docstring
            if stream.get("/Type") == "/ObjStm":
                raise _unreadable() from None
            return None
        self.budget -= len(data)
        if self.budget < 0:
            raise _too_large()
        return data


def _inflate(data):
    """Flate-decoded ``data``, refused once it passes ``MAX_STREAM_BYTES`` (never inflated further).

    Decoded a megabyte at a time into one buffer, so that a bomb costs the bound and no more (a
    single ``decompress`` call would hold its output twice while joining it). A damaged stream
    goes to pypdf's decoder, which knows the repairs readers make.
    """
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = data
    try:
        while True:
            chunk = inflater.decompress(pending, 1024 * 1024)
            out += chunk
            if len(out) > MAX_STREAM_BYTES:
                raise _too_large()
            pending = inflater.unconsumed_tail
            if inflater.eof or not (chunk or pending):
                break
    except zlib.error:
        return filters.FlateDecode.decode(data, DictionaryObject())
    return out


def _skip_whitespace(stream):
    while (byte := stream.read(1)) and byte in b" \t\r\n\f\x00":
        pass
    if byte:
        stream.seek(-1, 1)
    return stream
