# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way out: what the collection emits passes through here before a person or a tool reads it.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A server's text is data, never markup or a terminal command: ``printable`` shows control characters and
bidirectional overrides as escapes and cuts a quote to a bound, on a character boundary.
"""

import re

# How much of a server's text a message quotes: enough to read an error, never a whole page.
QUOTE_LIMIT = 300
# How much of a record's ID a message quotes: real IDs (GUIDs, AvePoint's job IDs) are well within it.
ID_LIMIT = 100
CUT_MARK = '...'
# C0 and C1 controls (ESC starts a terminal's escape sequences, CR rewrites a line) and the Unicode marks that
# reorder text (RLO shows "exe.txt" for "txt.exe"); tab and newline are kept where a text may span lines.
_CONTROLS = '\x00-\x08\x0b-\x1f\x7f-\x9f'
_BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069'
_UNSAFE_IN_LINES = re.compile('[%s%s]' % (_CONTROLS, _BIDI))
_UNSAFE_IN_A_LINE = re.compile('[\t\n%s%s]' % (_CONTROLS, _BIDI))


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
