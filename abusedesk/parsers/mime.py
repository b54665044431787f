"""A safe view of a mail: decoded headers, text parts and attachments.

Every notice is attacker-controlled, so this layer is defensive first:
- sizes, MIME depth and part counts are capped by ParseContext, and what is
  beyond a cap is skipped with a warning instead of being parsed;
- header values are decoded here (RFC 2047, any charset, unknown charsets
  fall back to UTF-8 with replacement) instead of by the stdlib header
  classes, which raise or get slow on absurd values;
- text is decoded with the declared charset when Python knows it as a text
  codec, else UTF-8 with replacement, so invalid bytes never raise;
- HTML is turned into plain text with html.parser, script/style dropped,
  link targets kept (phishing reports put the URL in the href); it is never
  rendered.

The stdlib `email` package (policy=default) does the MIME splitting; it is
tolerant of broken structure and records defects instead of raising.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.headerregistry
import email.policy
import email.utils
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import pdf
from .base import ParseContext, ParseError

# A header line longer than this is truncated before anything looks at it:
# real headers are short, and long ones are how header parsers get slow.
MAX_HEADER_VALUE = 8 * 1024
MAX_HEADERS = 500
# Decoded text kept per part and per mail; the extractors are linear, but the
# pipeline has no use for more than this.
MAX_PART_TEXT = 4 * 1024 * 1024
MAX_HTML_INPUT = 1024 * 1024

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]{0,4096})\?=")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\udc80-\udcff]")
# A letter or digit: a plain part without one is a placeholder ("."), not the notice.
_WORD = re.compile(r"[^\W_]")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text without ever raising: the declared charset if it is a
    real text codec, else UTF-8 with replacement characters."""
    if charset:
        name = charset.strip().strip("\"'").lower()
        if name in ("unknown-8bit", "x-unknown", "unknown"):
            name = ""
        if name:
            try:
                info = codecs.lookup(name)
                # Only text encodings: 'rot13', 'zlib', 'base64' ... are not charsets.
                if getattr(info, "_is_text_encoding", True):
                    return data.decode(info.name, errors="replace")
            except (LookupError, ValueError, TypeError, UnicodeError, OverflowError):
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Mostly Latin-1/Windows-1252 in old mail; cp1252 maps nearly all bytes.
        return data.decode("cp1252", errors="replace")


def decode_header_value(raw: str) -> str:
    """Decode RFC 2047 encoded words and unfold, tolerant of every error."""
    if len(raw) > MAX_HEADER_VALUE:
        raw = raw[:MAX_HEADER_VALUE]
    if _SURROGATE.search(raw):
        # Raw 8-bit bytes in a header (not RFC 2047), as many authorities' and mailbox providers'
        # systems send: the stdlib hands them over as surrogate escapes, which no database and no
        # JSON encoder accepts. They are UTF-8 nearly always, else Windows-1252 (decode_bytes).
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"), None)
    # Unfold: CRLF + whitespace is a continuation (header-folding tricks end here).
    value = re.sub(r"\r?\n[ \t]*", " ", raw)
    if "=?" in value:

        def _word(m: re.Match) -> str:
            charset, enc, text = m.group(1), m.group(2).lower(), m.group(3)
            charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
            try:
                if enc == "b":
                    payload = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
                else:
                    payload = binascii.a2b_qp(text.replace("_", " ").encode("ascii", "replace"), header=True)
            except (binascii.Error, ValueError):
                return m.group(0)
            return decode_bytes(payload, charset)

        # Adjacent encoded words are joined without the whitespace between them.
        value = re.sub(r"(\?=)[ \t]+(?==\?)", r"\1", value)
        value = _ENCODED_WORD.sub(_word, value)
    # A decoded header must not smuggle new lines or control characters.
    value = _CONTROL.sub(" ", value).replace("\r", " ").replace("\n", " ")
    return value.strip()


_HTML_SPACE = re.compile(r"\s+")


class _TextFromHTML(HTMLParser):
    """Collect the visible text of an HTML document, and link targets."""

    _SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "object"}
    _BLOCK = {"p", "div", "br", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_depth = 0
        self.in_pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip_depth += 1
            return
        if tag in self._BLOCK:
            self.out.append("\n")
        if tag == "pre":
            self.in_pre += 1
        if tag == "a" and not self.skip_depth:
            for name, value in attrs:
                if name == "href" and value and not value.lower().startswith(("mailto:", "javascript:", "#")):
                    # Kept beside the link text: the URL is often only in the href.
                    self.out.append(f" <{value.strip()[:2048]}> ")

    def handle_startendtag(self, tag, attrs):
        if tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)
        if tag in self._SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip_depth:
            # Source line breaks are only spaces in HTML (except in <pre>).
            self.out.append(data if self.in_pre else _HTML_SPACE.sub(" ", data))


_SKIPPED_BLOCK = re.compile(r"<(script|style|noscript|template)\b", re.IGNORECASE)
_TAG_OR_LT = re.compile(r"<[^<>]{0,4096}>|<")


def _defuse_html(html: str) -> str:
    """Remove comments, script/style blocks and processing instructions with
    forward-only searches, and escape every `<` that does not open a complete
    tag. html.parser then never meets an unterminated construct, which is
    what makes it quadratic on hostile input (CPython before 3.13.4)."""
    out: list[str] = []
    pos, n = 0, len(html)
    while pos < n:
        lt = html.find("<", pos)
        if lt == -1:
            out.append(html[pos:])
            break
        out.append(html[pos:lt])
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            pos = n if end == -1 else end + 3  # an unterminated comment hides the rest
            continue
        if html.startswith(("<![", "<?"), lt):
            end = html.find(">", lt + 2)
            pos = n if end == -1 else end + 1
            continue
        block = _SKIPPED_BLOCK.match(html, lt)
        if block:
            closing = re.compile(rf"</{block.group(1)}\s*>", re.IGNORECASE).search(html, block.end())
            pos = n if closing is None else closing.end()
            continue
        tag = _TAG_OR_LT.match(html, lt)
        if tag.group(0) == "<":
            out.append(" ")  # a stray '<' means nothing in text; an entity would cost a callback each
            pos = lt + 1
        else:
            out.append(tag.group(0))
            pos = tag.end()
    return "".join(out)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body (never rendered, script/style dropped)."""
    parser = _TextFromHTML()
    try:
        parser.feed(_defuse_html(html[:MAX_HTML_INPUT]))
        parser.close()
    except Exception:  # html.parser is lenient; this guards against the unexpected
        pass
    text = "".join(parser.out)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(slots=True)
class Part:
    """One leaf of the MIME tree (or an attached message, see `message`)."""

    content_type: str  # lower case, e.g. "text/plain"
    filename: str | None
    payload: bytes  # transfer encoding removed
    charset: str | None = None
    depth: int = 0
    params: dict = field(default_factory=dict)
    message: Mail | None = None  # set for message/rfc822 (and other message/*)
    _text: str | None = None

    @property
    def is_text(self) -> bool:
        return self.content_type.startswith("text/") or self.content_type in (
            "message/feedback-report",
            "message/delivery-status",
            "application/json",
            "application/xml",
            "application/x-yaml",
            "application/yaml",
        )

    @property
    def text(self) -> str:
        """Decoded text of the part (HTML converted to plain text)."""
        if self._text is None:
            raw = decode_bytes(self.payload[:MAX_PART_TEXT], self.charset)
            if self.content_type == "text/html":
                raw = html_to_text(raw)
            self._text = raw
        return self._text

    @property
    def raw_text(self) -> str:
        """Decoded text without HTML conversion (for XML/JSON attachments)."""
        return decode_bytes(self.payload[:MAX_PART_TEXT], self.charset)


@dataclass(slots=True)
class Mail:
    """A parsed mail: decoded headers, leaf parts in document order."""

    headers: list[tuple[str, str]]  # (lower-case name, decoded value), in order
    parts: list[Part]
    defects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    content_type: str = "text/plain"
    params: dict = field(default_factory=dict)
    has_headers: bool = True

    def header(self, name: str, default: str = "") -> str:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def subject(self) -> str:
        return self.header("subject")

    @property
    def from_address(self) -> tuple[str, str]:
        """(display name, address) of From (or Sender), lower-cased address."""
        raw = (self.header("from") or self.header("sender"))[:998]
        try:
            name, addr = email.utils.parseaddr(raw)
        except Exception:  # nested-comment bombs recurse in the stdlib address parser
            name, addr = "", ""
        if "@" not in addr:
            m = re.search(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,10}", raw)
            addr = m.group(0) if m else addr
        return name.strip()[:200], addr.strip().lower()

    def text_parts(self, include_attachments: bool = False) -> list[Part]:
        """Readable text parts, attached messages excluded. Inline parts first;
        a text/html part is skipped when a text/plain alternative with text
        exists (an empty plain part, or one of blanks and punctuation such as
        a lone ".", is a mailer's placeholder: the notice is in the HTML)."""
        out = []
        has_plain = any(p.content_type == "text/plain" and not p.filename and _WORD.search(p.text or "")
                        for p in self.parts)
        for p in self.parts:
            if p.message is not None or not p.content_type.startswith("text/"):
                continue
            if p.filename and not include_attachments:
                continue
            if p.content_type == "text/html" and has_plain and not p.filename:
                continue
            out.append(p)
        return out

    @property
    def body_text(self) -> str:
        """The human-readable body: the inline text parts joined."""
        return "\n\n".join(p.text for p in self.text_parts())[:MAX_PART_TEXT]

    def attachments(self) -> list[Part]:
        return [p for p in self.parts if p.filename or p.message is not None]

    def document_text(self) -> str:
        """The text of the PDF attachments (parsers.pdf, within its limits), for the parsers of
        notices that come as a letter: authorities' orders and demands. Read once per mail."""
        texts = []
        for part in self.parts:
            if part.message is None and pdf.is_pdf(part.content_type, part.filename, part.payload):
                if part._text is None:
                    part._text, warning = pdf.text_of(part.payload)
                    if warning and warning not in self.warnings:
                        self.warnings.append(f"{part.filename or 'attachment'}: {warning}")
                texts.append(part._text)
        return "\n\n".join(t for t in texts if t.strip())

    def all_text(self, limit: int = MAX_PART_TEXT) -> str:
        """Body, text attachments and attached messages' text, for scanning."""
        chunks: list[str] = []
        size = 0
        for p in self.parts:
            if p.message is not None:
                t = p.message.header_block() + "\n" + p.message.all_text(limit - size)
            elif p.is_text:
                t = p.text
            else:
                continue
            chunks.append(t)
            size += len(t)
            if size >= limit:
                break
        return "\n\n".join(chunks)[:limit]

    def header_block(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.headers)


class _Budget:
    """Part counter shared by a whole tree (nested messages included)."""

    def __init__(self, context: ParseContext):
        self.context = context
        self.max_parts = context.max_mime_parts
        self.max_depth = context.max_mime_depth
        self.parts = 0
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


_PARAM = re.compile(r';\s*([A-Za-z0-9_.\-]{1,64}(?:\*\d{0,3})?\*?)\s*=\s*("(?:[^"\\]|\\.){0,4096}"|[^;\s]{0,4096})')


def header_params(raw: str) -> dict[str, str]:
    """Parameters of a Content-Type/Content-Disposition value, parsed by a
    linear regex on the (already size-capped) raw value; RFC 2231 continuations
    and charset'lang'%XX values included. Names are lower case."""
    plain: dict[str, str] = {}
    pieces: dict[str, dict[int, tuple[bool, str]]] = {}
    for m in _PARAM.finditer(re.sub(r"\r?\n[ \t]*", " ", raw)):
        name, value = m.group(1).lower(), m.group(2)
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if "*" in name:
            base, _, rest = name.partition("*")
            index = int(rest.rstrip("*") or 0)
            pieces.setdefault(base, {})[index] = (name.endswith("*"), value)
        else:
            plain.setdefault(name, value)
    for base, chunks in pieces.items():
        charset, buf = None, b""
        for i in sorted(chunks)[:64]:
            encoded, value = chunks[i]
            if encoded:
                if i == 0 and value.count("'") >= 2:
                    charset, _, value = value.split("'", 2)
                buf += urllib.parse.unquote_to_bytes(value)
            else:
                buf += value.encode("utf-8", "replace")
        plain[base] = decode_bytes(buf, charset or "utf-8")
    return {k: decode_header_value(v) for k, v in plain.items()}


def _params(msg: email.message.Message, header: str = "content-type") -> dict[str, str]:
    return header_params(_raw_header(msg, header))


def _content_type(msg: email.message.Message) -> str:
    raw = _raw_header(msg, "content-type")
    if not raw:
        return "text/plain"
    ctype = raw.split(";", 1)[0].strip().lower()
    if ctype.count("/") != 1 or len(ctype) > 128:
        return "text/plain"
    return ctype


def _raw_header(msg: email.message.Message, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name:
            return str(value)[:MAX_HEADER_VALUE]
    return ""


def _filename(msg: email.message.Message) -> str | None:
    name = _params(msg, "content-disposition").get("filename") or _params(msg).get("name")
    if not name:
        return None
    # Only the last path component: it is a label, never a path.
    name = re.split(r"[\\/]", name)[-1].strip()
    return name[:255] or None


def _decoded_payload(msg: email.message.Message) -> bytes:
    try:
        payload = msg.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = msg.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return payload


def _headers(msg: email.message.Message, budget: _Budget) -> list[tuple[str, str]]:
    out = []
    for i, (key, value) in enumerate(msg.raw_items()):
        if i >= MAX_HEADERS:
            budget.warn(f"more than {MAX_HEADERS} headers; the rest ignored")
            break
        out.append((str(key).strip().lower()[:128], decode_header_value(str(value))))
    return out


def _walk(msg: email.message.Message, depth: int, budget: _Budget, out: list[Part]) -> None:
    if depth > budget.max_depth:
        budget.warn(f"MIME nesting deeper than {budget.max_depth}; inner parts ignored")
        return
    ctype = _content_type(msg)
    if msg.is_multipart() and not ctype.startswith("message/"):
        children = msg.get_payload()
        if not isinstance(children, list):
            return
        for child in children:
            if budget.parts >= budget.max_parts:
                budget.warn(f"more than {budget.max_parts} MIME parts; the rest ignored")
                return
            _walk(child, depth + 1, budget, out)
        return
    budget.parts += 1
    part = Part(
        content_type=ctype,
        filename=_filename(msg),
        payload=b"",
        charset=_params(msg).get("charset"),
        params=_params(msg),
        depth=depth,
    )
    if ctype.startswith("message/") and msg.is_multipart():
        inner = msg.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if inner_msg is not None:
            if ctype in ("message/rfc822", "message/global"):
                cte = _raw_header(msg, "content-transfer-encoding").strip().lower()
                if cte in ("base64", "quoted-printable") and not inner_msg.keys():
                    # Not allowed by RFC 2046 but sent anyway: decode, then parse.
                    body = inner_msg.get_payload()
                    body = body.encode("ascii", "replace") if isinstance(body, str) else b""
                    try:
                        decoded = base64.b64decode(body) if cte == "base64" else binascii.a2b_qp(body)
                        inner_msg = _stdlib_parse(decoded, budget)
                    except (binascii.Error, ValueError):
                        pass
                part.message = _to_mail(inner_msg, depth + 1, budget)
                part.payload = b""
            else:
                # message/feedback-report, message/delivery-status, ...: the stdlib
                # parses the fields as headers; give them back as field text.
                blocks = inner if isinstance(inner, list) else [inner_msg]
                lines = []
                for block in blocks[:20]:
                    for key, value in block.raw_items():
                        lines.append(f"{key}: {str(value)[:MAX_HEADER_VALUE]}")
                    rest = block.get_payload()
                    if isinstance(rest, str) and rest.strip():
                        lines.append(rest)
                    lines.append("")
                part.payload = "\n".join(lines).encode("utf-8", "replace")
                part.charset = "utf-8"
        out.append(part)
        return
    part.payload = _decoded_payload(msg)
    if ctype in ("text/rfc822-headers", "message/rfc822-headers"):
        part.message = _to_mail(
            _stdlib_parse(part.payload[:MAX_PART_TEXT], budget),
            depth + 1,
            budget,
        )
    out.append(part)


def _to_mail(msg: email.message.Message, depth: int, budget: _Budget) -> Mail:
    parts: list[Part] = []
    ctype = _content_type(msg)
    params = _params(msg)
    if "report-type" in params:
        params["report-type"] = params["report-type"].lower()
    _walk(msg, depth, budget, parts)
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])][:20]
    has_headers = bool(msg.keys())
    return Mail(
        headers=_headers(msg, budget),
        parts=parts,
        defects=defects,
        warnings=budget.warnings,
        content_type=ctype,
        params=params,
        has_headers=has_headers,
    )


class _SafeHeaderRegistry(email.headerregistry.HeaderRegistry):
    """The stdlib's header classes, fed at most MAX_HEADER_VALUE characters;
    a value they cannot parse (a recursion bomb of nested comments, say) is
    replaced by an empty one instead of failing the whole mail. Our own code
    reads the raw values through decode_header_value anyway."""

    # The stdlib re-parses Content-Type each time the feed parser asks for
    # it, and builds a new header class on every call; header objects are
    # immutable, so both are cached (bounded) - this doubles parse speed.
    _CACHE_SIZE = 4096

    def __init__(self):
        super().__init__()
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def __getitem__(self, name):
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name, value):
        value = value[:MAX_HEADER_VALUE]
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            try:
                header = super().__call__(name, value)
            except Exception:
                header = super().__call__(name, "")
            if len(self._parsed) >= self._CACHE_SIZE:
                self._parsed.clear()
            self._parsed[key] = header
        return header


POLICY = email.policy.default.clone(header_factory=_SafeHeaderRegistry())

# Counting boundary declarations before parsing bounds the work of the
# stdlib parser itself: nesting needs one boundary per level.
_BOUNDARY_DECL = re.compile(rb"boundary\s*=", re.IGNORECASE)
_BOUNDARY_VALUE = re.compile(rb"""boundary\s*=\s*"?([^";\r\n]{1,200})""", re.IGNORECASE)


def _cut_excess_parts(data: bytes, max_parts: int) -> tuple[bytes, bool]:
    """Truncate the mail after the delimiter line that exceeds the part cap:
    the stdlib parser would otherwise build every part before we count."""
    delimiters = {b"\n--" + m.group(1).strip() for m in _BOUNDARY_VALUE.finditer(data, 0, 16 * 1024 * 1024)}
    if not delimiters:
        return data, False
    positions: list[int] = []
    limit = max_parts + 2 * len(delimiters)  # each multipart also has a closing delimiter
    for delimiter in delimiters:
        pos = data.find(delimiter)
        while pos != -1 and len(positions) <= 4 * limit:
            positions.append(pos)
            pos = data.find(delimiter, pos + len(delimiter))
    if len(positions) <= limit:
        return data, False
    positions.sort()
    return data[: positions[limit]], True


def _stdlib_parse(data: bytes, budget: _Budget) -> email.message.Message:
    """The stdlib parser, behind the checks that bound its own work."""
    context = budget.context
    declared = len(_BOUNDARY_DECL.findall(data, 0, min(len(data), 16 * 1024 * 1024)))
    if declared > max(context.max_mime_parts, context.max_mime_depth) * 4:
        raise ParseError(f"malformed MIME: {declared} multipart boundaries declared")
    data, cut = _cut_excess_parts(data, context.max_mime_parts)
    if cut:
        budget.warn(f"more than {context.max_mime_parts} MIME parts; the rest ignored")
    try:
        return email.message_from_bytes(data, policy=POLICY)
    except RecursionError as exc:
        raise ParseError("malformed MIME: nesting too deep") from exc


def parse_mail(data: bytes, context: ParseContext | None = None) -> Mail:
    """Parse raw mail bytes into a Mail. Raises ParseError only for input
    that is over the hard limits; everything else gives a (maybe empty) Mail."""
    context = context or ParseContext()
    if len(data) > context.max_bytes:
        raise ParseError(f"input is {len(data)} bytes, over the limit of {context.max_bytes}")
    budget = _Budget(context)
    msg = _stdlib_parse(data, budget)
    try:
        return _to_mail(msg, 0, budget)
    except RecursionError as exc:
        raise ParseError("malformed MIME: nesting too deep") from exc
