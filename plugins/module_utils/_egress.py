# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way out: what the collection emits passes through here before a person or a tool reads it.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A server's text is data, never markup or a terminal command: ``printable`` shows control characters and
bidirectional overrides as escapes and cuts a quote to a bound, on a character boundary.

No secret leaves: ``Secrets`` knows the run's secrets, whatever their type and wherever they came from, and
``withhold`` is the filter every result, message, warning and event passes through. It looks in keys as well as
values, reads each text as a server may have encoded it (percent-encoding in any case, HTML and XML references,
JSON escapes, UTF-8 read as Latin-1, any letter case), and withholds a text that holds a secret, or the first
characters of one, whole: masking inside a text would have to know every encoding, and the next one gets through.
"""

import base64
import html
import json
import re
import threading
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote, quote_plus, unquote, unquote_plus

# How much of a server's text a message quotes: enough to read an error, never a whole page.
QUOTE_LIMIT = 300
# How much of a record's ID a message quotes: real IDs (GUIDs, AvePoint's job IDs) are well within it.
ID_LIMIT = 100
CUT_MARK = '...'
# C0 and C1 controls (ESC starts a terminal's escape sequences, CR rewrites a line) and the Unicode marks that
# reorder text (RLO shows "exe.txt" for "txt.exe"); tab and newline are kept where a text may span lines.
_CONTROLS = '\x00-\x08\x0b-\x1f\x7f-\x9f'
_BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069'
# Half of a character beyond the first plane, alone: no encoder writes it, and a terminal shows garbage.
_SURROGATES = '\ud800-\udfff'
# Characters that show as nothing, which can hide inside a secret or a name.
_INVISIBLE = '\u200b-\u200d\u2060-\u2064\ufeff'
_UNSAFE = _CONTROLS + _BIDI + _SURROGATES + _INVISIBLE
_UNSAFE_IN_LINES = re.compile('[%s]' % _UNSAFE)
_UNSAFE_IN_A_LINE = re.compile('[\t\n%s]' % _UNSAFE)


def _escape(match):
    character = match.group(0)
    return {'\t': ' ', '\n': ' '}.get(character) or '\\u%04x' % ord(character)


def printable(text, limit=None, lines=False):
    """``text`` (any value, as text) with every control character and bidirectional mark shown as a ``\\uXXXX``
    escape, so it cannot move a terminal's cursor, erase a line or reorder what is read; newlines and tabs stay
    only with ``lines``, else they become spaces. With ``limit``, at most that many characters, cut on a character
    boundary and marked with '...'."""
    text = text if isinstance(text, str) else str(text)
    text = (_UNSAFE_IN_LINES if lines else _UNSAFE_IN_A_LINE).sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = text[:max(0, limit - len(CUT_MARK))] + CUT_MARK
    return text


# What a text that held a secret becomes: it is withheld whole, since masking inside it cannot know every encoding.
WITHHELD = '(withheld: it held a secret of this run)'
WITHHELD_KEY = 'withheld_key_%d'
# A quote that ends inside a secret shows its first characters; from this many on, that is a leak too.
PREFIX_LENGTH = 8
# A secret shorter than this (a test password "p") would withhold every text that has its letters: it is looked for
# as a whole text only.
SHORTEST_SOUGHT_INSIDE = 6
_JSON_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
# printable's own escapes, wherever they stand (after a backslash of the text too).
_UNICODE_ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})')
_JSON_SIMPLE = {'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
# A run that may be base64 (a Basic Authorization header echoed back).
_BASE64_RUN = re.compile(r'[A-Za-z0-9+/]{12,}={0,2}')
# Characters that start an encoding a server may echo a secret in; a text without any is read as it is.
_ENCODED = re.compile(r'[%&\\+\x80-\xff]')
_MEMO_SIZE = 4096
# The longest text read for secrets: reading it in every encoding costs about 2 s a megabyte, so a longer one (a
# server's, since the collection writes none) is withheld unread.
LONGEST_CHECKED = 256 * 1024


def _json_unescape(text):
    def decode(match):
        escape = match.group(1)
        return chr(int(escape[1:], 16)) if escape[0] == 'u' else _JSON_SIMPLE[escape]
    decoded = _JSON_ESCAPE.sub(decode, text)
    # A character beyond the first plane is escaped as two surrogates (\\ud800\\udc00), which make one again.
    return decoded.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace')


def _unescape_character(match):
    return chr(int(match.group(1), 16))


def _utf8_read_as_single_bytes(text):
    """UTF-8 that a server read as Latin-1 or Windows-1252 (mojibake: 'Ã¤' for 'ä'), read back as UTF-8."""
    decoded = set()
    for codec in ('latin-1', 'cp1252'):
        try:
            # Characters the codec lacks (a server's own '✗' beside the mojibake) are left out, not fatal.
            decoded.add(text.encode(codec, 'ignore').decode('utf-8', 'ignore'))
        except UnicodeError:
            continue
    return decoded


def _readings(text):
    """Every way ``text`` may be read once the encodings a server echoes in are undone: percent-encoding (any case,
    + as space or not), HTML and XML character references, JSON escapes (of a body cut short too), and UTF-8 read
    as single bytes; each case-folded, twice over for an encoding inside another."""
    readings = {text}
    if _ENCODED.search(text):
        for _depth in range(2):
            for reading in list(readings):
                readings.update((unquote(reading), unquote_plus(reading), html.unescape(reading),
                                 _json_unescape(reading), _UNICODE_ESCAPE.sub(_unescape_character, reading)))
                if any('\x80' <= character <= '\xff' for character in reading):
                    readings.update(_utf8_read_as_single_bytes(reading))
    if _BASE64_RUN.search(text):
        # A header echoed back: Basic base64("user:password") holds the password at no fixed offset.
        readings.add(_BASE64_RUN.sub(_base64_decoded, text))
    # Invisible characters (a word joiner, a zero-width space) inside a secret, and compatibility forms (full-width
    # letters, decomposed accents) read as what they show.
    readings.update([_visible(reading) for reading in readings])
    return set(_canonical(reading) for reading in readings)


def _visible(text):
    return ''.join(character for character in unicodedata.normalize('NFKC', text)
                   if unicodedata.category(character) != 'Cf')


def _base64_decoded(match):
    run = match.group(0)
    try:
        return base64.b64decode(run + '=' * (-len(run) % 4)).decode('utf-8')
    except (ValueError, UnicodeError):
        return run


def _canonical(text):
    """Case-folded, each run of white space one space: a quote is flattened onto one line."""
    return ' '.join(text.casefold().split())


def scalar_texts(value):
    """The texts of a secret given as any value: a string, a number, the items of a list, the values of a mapping."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [text for item in value for text in scalar_texts(item)]
    return [str(value)]


class Secrets:
    """The secrets of one run - options, the environment, issued and refreshed tokens - whatever their type, and
    the one test of every text the collection emits: does it hold one, in any encoding a server may echo it in?"""

    def __init__(self, values=()):
        self._needles = set()
        self._whole = set()
        self._pattern = None
        self._memo = {}
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    def copy(self):
        other = Secrets()
        other._needles, other._whole = set(self._needles), set(self._whole)  # pylint: disable=protected-access
        other._pattern = self._pattern  # pylint: disable=protected-access
        return other

    def __bool__(self):
        return bool(self._needles or self._whole)

    def add(self, value):
        """Remember ``value`` (any type) as a secret of the run; blanks are no secret and are ignored."""
        added, whole = set(), set()
        for text in scalar_texts(value):
            text = text.strip()
            if not text:
                continue
            # Case folding is not undone by upper-casing ('ı'.upper() is 'I'): each case is sought too.
            encoded = base64.b64encode(text.encode('utf-8', 'surrogatepass')).decode('ascii').rstrip('=')
            for form in (text, text.upper(), text.lower(), _visible(text), encoded):
                if len(_canonical(form)) < SHORTEST_SOUGHT_INSIDE:
                    whole.add(_canonical(form))
                    continue
                added.add(_canonical(form))
                # A prefix of letters alone is a word ('Password' of 'Password123!', 'eyJhbGci' of every JWT), which
                # would withhold the failure messages that name it: the first characters sought run on to the first
                # character that is not a letter ('Password1'). They are counted as read: a run of white space is one.
                length = PREFIX_LENGTH
                while length < len(form) and (len(_canonical(form[:length])) < PREFIX_LENGTH
                                              or _canonical(form[:length]).isalpha()):
                    length += 1
                prefix = _canonical(form[:length])
                if length < len(form) and len(prefix) >= SHORTEST_SOUGHT_INSIDE:
                    added.add(prefix)
        with self._lock:
            if not whole <= self._whole:
                self._whole |= whole
                self._memo = {}
            if not added <= self._needles:
                self._needles |= added
                self._pattern = re.compile('|'.join(re.escape(needle) for needle in
                                                    sorted(self._needles, key=len, reverse=True)))
                self._memo = {}

    def held_in(self, text):
        """True when ``text`` holds a secret, or the first characters of one, in any encoding; and for a text too long
        to read in every encoding at a bearable cost, which no API answer needs."""
        pattern, whole = self._pattern, self._whole
        if (pattern is None and not whole) or not text:
            return False
        if len(text) > LONGEST_CHECKED:
            return True
        held = self._memo.get(text)
        if held is None:
            readings = _readings(text)
            held = bool(whole & readings) or (
                pattern is not None and any(pattern.search(reading) for reading in readings))
            if len(text) <= 256:
                if len(self._memo) >= _MEMO_SIZE:
                    self._memo = {}
                self._memo[text] = held
        return held

    def withhold(self, value):
        """``value`` (any JSON-like value) with every text that holds a secret withheld whole, keys included: the
        collection's one filter on its way out. What holds no secret is returned as it is, not copied: a result of
        100,000 records must not be held twice."""
        if isinstance(value, str):
            return WITHHELD if self.held_in(value) else value
        if isinstance(value, Mapping):
            changed = {}
            for number, (key, item) in enumerate(value.items(), 1):
                kept_key = self._withheld_key(value, number) if isinstance(key, str) and self.held_in(key) else key
                kept = self.withhold(item)
                if kept_key is not key or kept is not item:
                    changed[number] = (key, kept_key, kept)
            if not changed:
                return value
            result = {}
            for number, (key, item) in enumerate(value.items(), 1):
                _key, kept_key, kept = changed.get(number, (key, key, item))
                result[kept_key] = kept
            return result
        if isinstance(value, (list, tuple)):
            kept = [self.withhold(item) for item in value]
            return value if all(new is old for new, old in zip(kept, value)) else kept
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.held_in(str(value)):
            return WITHHELD
        return value

    @staticmethod
    def _withheld_key(mapping, number):
        """A name for a withheld key that no key of ``mapping`` has, so no value is overwritten."""
        key = WITHHELD_KEY % number
        while key in mapping:
            key += '_'
        return key

    def quote(self, text, limit=QUOTE_LIMIT):
        """A server's text as a message may quote it: one line, printable, bounded - or withheld whole when what
        would be shown holds a secret."""
        flat = ' '.join(str(text or '').split())
        shown = printable(flat, limit)
        return WITHHELD if self.held_in(shown) else shown


def secret_forms(secret):
    """The forms of a secret that Ansible's own masking (a module's no_log_values: the invocation, the log) looks
    for: as given and stripped, URL-encoded as a form or a path sends it, JSON-escaped (ASCII or not), base64."""
    forms = set()
    for text in (secret, secret.strip()):
        for encoded in (text, quote(text, safe=''), quote(text), quote_plus(text)):
            forms.add(encoded)
            forms.add(json.dumps(encoded)[1:-1])
            forms.add(json.dumps(encoded, ensure_ascii=False)[1:-1])
        forms.add(base64.b64encode(text.encode('utf-8')).decode('ascii').rstrip('='))
    forms.discard('')
    return forms
