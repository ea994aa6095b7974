"""The terminals of SPARQL as Oxigraph 0.5 reads them (SPARQL 1.1 Query §19.8, with RDF 1.2's
additions), as regular expressions with possessive quantifiers: a PEG never gives back what a
repetition took.

Oxigraph differs from the W3C grammar in a few places, and these follow Oxigraph: PN_CHARS_BASE
stops at U+FFFD, PN_LOCAL allows one run of dots inside it, an IRI is anything up to the next
``>`` that then parses as an IRI, and ``\\u`` escapes are read only inside strings and IRIs (no
replacement before parsing).
"""

from __future__ import annotations

import re

PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
PN_CHARS_U = "_" + PN_CHARS_BASE
PN_CHARS = r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040" + PN_CHARS_U
HEX = "[0-9A-Fa-f]"
PLX = rf"(?:%{HEX}{HEX}|\\[_~.\-!$&'()*+,;=/?#@%])"
UCHAR = rf"(?:\\u{HEX}{{4}}|\\U{HEX}{{8}})"
ECHAR = r"""(?:\\[tbnrf"'\\])"""

# Whitespace and comments between tokens: Oxigraph's `_` rule.
SPACE = r"(?:[ \t\n\r]|#[^\r\n]*+)*+"
PN_PREFIX = rf"[{PN_CHARS_BASE}][{PN_CHARS}]*+(?:\.++[{PN_CHARS}]++)*+"
PNAME_NS = rf"(?:{PN_PREFIX})?+:"
PN_LOCAL = (
    rf"(?:[{PN_CHARS_U}:0-9]|{PLX})(?:[{PN_CHARS}:]|{PLX})*+(?:\.++(?:[{PN_CHARS}:]|{PLX})++)?+"
)
PNAME_LN = PNAME_NS + PN_LOCAL
BLANK_NODE_LABEL = rf"_:[0-9{PN_CHARS_U}][{PN_CHARS}]*+(?:\.++[{PN_CHARS}]++)*+"
VARNAME = rf"[0-9{PN_CHARS_U}][0-9\u00b7\u0300-\u036f\u203f-\u2040{PN_CHARS_U}]*+"
VAR = rf"[?$]{VARNAME}"
LANGDIR = r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+"
INTEGER = r"[0-9]++"
DECIMAL = r"[0-9]*+\.[0-9]++"
DOUBLE = r"(?>[0-9]++\.[0-9]*+|\.[0-9]++|[0-9]++)[eE][+-]?+[0-9]++"
STRING_LITERAL1 = rf"'(?:[^'\\\n\r]|{ECHAR}|{UCHAR})*+'"
STRING_LITERAL2 = rf'"(?:[^"\\\n\r]|{ECHAR}|{UCHAR})*+"'
STRING_LITERAL_LONG1 = rf"'''(?:(?:''|')?+(?:[^'\\]|{ECHAR}|{UCHAR}))*+'''"
STRING_LITERAL_LONG2 = rf'"""(?:(?:""|")?+(?:[^"\\]|{ECHAR}|{UCHAR}))*+"""'
IRIREF = r"<[^>]*+>"
NIL = r"\([ \t\n\r]*+\)"
ANON = r"\[[ \t\n\r]*+\]"

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.)|$)", re.DOTALL)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# What an IRI may not contain (RFC 3987 §2.2 leaves these out of every production).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


def escapes_are_valid(body: str, allowed: str) -> bool:
    """Whether every ``\\`` escape of ``body`` is one of ``allowed`` or a ``\\u``/``\\U`` escape
    of a Unicode scalar value (Oxigraph's ``unescape_string`` and ``unescape_iriref``)."""
    for match in _ESCAPE.finditer(body):
        if match[3] is not None:
            if match[3] not in allowed:
                return False
            continue
        if match[1] is None and match[2] is None:
            return False  # a backslash at the very end
        code = int(match[1] or match[2], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return False
    return True


def unescape_iri(body: str) -> str:
    """An IRI's text with its ``\\u``/``\\U`` escapes replaced (called once they are valid)."""
    return _ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), body)


def is_iri(text: str, *, relative_allowed: bool) -> bool:
    """Whether ``text`` (unescaped) is an IRI: absolute unless a BASE allows relative ones.

    A close approximation of Oxigraph's ``Iri::parse``; where they differ, Oxigraph refuses the
    query itself, so nothing is executed that this reading did not see.
    """
    if _NOT_IN_IRI.search(text):
        return False
    return relative_allowed or _SCHEME.match(text) is not None
