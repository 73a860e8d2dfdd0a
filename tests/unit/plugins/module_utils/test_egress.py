"""The one way out (_egress): no secret of the run leaves in any encoding a server may echo it in, anywhere in any
JSON shape, keys included; text that holds none is left as it is; a server's text is shown as data."""

import base64
import html
import json
import re
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._egress import (
    LONGEST_CHECKED,
    PREFIX_LENGTH,
    QUOTE_LIMIT,
    WITHHELD,
    Secrets,
    printable,
)
from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._module import VB365_ARGUMENT_SPEC, mask_secrets
from hostile import first_characters

pytestmark = pytest.mark.fuzz

# Secrets as people and identity services make them: letters, digits, punctuation, non-ASCII letters.
SECRET_ALPHABET = st.characters(codec='utf-8', categories=('L', 'N', 'P', 'S'))
SECRETS = st.text(alphabet=SECRET_ALPHABET, min_size=PREFIX_LENGTH, max_size=40)


def lower_hex_percent(text):
    """.NET's HttpUtility.UrlEncode: form encoding with lower-case hex."""
    return re.sub('%[0-9A-F]{2}', lambda match: match.group(0).lower(), quote_plus(text))


def every_character_escaped(text):
    return ''.join('\\u%04X' % ord(c) if ord(c) < 0x10000 else json.dumps(c)[1:-1] for c in text)


ENCODINGS = {
    'as sent': lambda text: text,
    'upper case': str.upper,
    'percent': lambda text: quote(text, safe=''),
    'form': quote_plus,
    'percent, lower-case hex': lower_hex_percent,
    'html': html.escape,
    'xml decimal references': lambda text: ''.join('&#%d;' % ord(character) for character in text),
    'xml hex references': lambda text: ''.join('&#x%x;' % ord(character) for character in text),
    'json ascii': lambda text: json.dumps(text)[1:-1],
    'json utf-8': lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    # System.Text.Json escapes +, <, >, & and ' as \u002B ...; a body cut short is no JSON to parse.
    'json, every character escaped, cut short': lambda text: every_character_escaped(text) + '\\u00',
    'utf-8 read as latin-1': lambda text: text.encode('utf-8').decode('latin-1'),
    'percent inside json': lambda text: json.dumps(quote_plus(text))[1:-1],
}


def placed(draw, secret_text):
    """A JSON value with ``secret_text`` somewhere in it: a value or a key, inside text, at any depth."""
    around = draw(st.tuples(st.text('abc 123:/', max_size=20), st.text('abc 123:/', max_size=20)))
    text = around[0] + secret_text + around[1]
    shape = draw(st.sampled_from(['value', 'key', 'list item', 'nested key', 'number key']))
    if shape == 'value':
        return {'message': text, 'ok': 'fine'}
    if shape == 'key':
        return {text: 1, 'ok': 'fine'}
    if shape == 'list item':
        return {'items': ['fine', text, 3]}
    if shape == 'nested key':
        return {'statistics': {'inner': [{text: {'x': 1}}]}}
    return [{'a': {'b': text}}]


@settings(max_examples=400, deadline=None)
@given(data=st.data(), secret=SECRETS, encoding=st.sampled_from(sorted(ENCODINGS)),
       cut=st.booleans())
def test_no_secret_in_any_encoding_anywhere_in_any_json_shape_leaves(data, secret, encoding, cut):
    echoed = ENCODINGS[encoding](secret)
    if cut:  # a quote that ends inside the secret, after its first characters
        echoed = ENCODINGS[encoding](first_characters(secret))
    value = placed(data.draw, echoed)
    out = json.dumps(Secrets([secret]).withhold(value), ensure_ascii=False)
    # What stands in for a withheld text is the collection's own words, not the server's.
    assert echoed not in re.sub(r'withheld_key_\d+', '', out.replace(WITHHELD, ''))


@settings(max_examples=200, deadline=None)
@given(secret=st.one_of(st.integers(min_value=10 ** 6, max_value=10 ** 12), st.lists(SECRETS, min_size=1, max_size=3),
                        st.dictionaries(st.text(max_size=5), SECRETS, min_size=1, max_size=3)))
def test_a_secret_of_any_type_is_sought_as_each_of_its_texts(secret):
    texts = [str(secret)] if isinstance(secret, int) else list(secret.values() if isinstance(secret, dict) else secret)
    secrets = Secrets([secret])
    for text in texts:
        assert secrets.withhold({'message': 'it said %s' % text}) == {'message': WITHHELD}


@settings(max_examples=300, deadline=None)
@given(secret=st.text(alphabet='QWERTZ!#', min_size=PREFIX_LENGTH, max_size=20),
       value=st.recursive(st.one_of(st.text(alphabet='abcdefghijklmnop 0123456789:/.-_%&;\\+', max_size=40),
                                    st.integers(), st.booleans(), st.none()),
                          lambda children: st.one_of(st.lists(children, max_size=4),
                                                     st.dictionaries(st.text('abcdef_', max_size=8), children,
                                                                     max_size=4)),
                          max_leaves=20))
def test_text_that_holds_no_secret_is_left_as_it_is(secret, value):
    assume(not any(character.lower() in 'qwertz' for character in json.dumps(value)))
    assert Secrets([secret]).withhold(value) == value


def test_a_short_secret_is_withheld_only_where_it_is_the_whole_text():
    secrets = Secrets(['p', 42])
    assert secrets.withhold({'password': 'p', 'msg': 'no server given: set url', 'port': 42, 'n': 420}) == \
        {'password': WITHHELD, 'msg': 'no server given: set url', 'port': WITHHELD, 'n': 420}


def test_printable_shows_terminal_escapes_and_bidi_marks_as_text_and_cuts_on_a_character():
    painted = 'x\x1b[2K\x1b[1A\rBACKUP GATE PASSED \u202eexe.txt'
    shown = printable(painted)
    assert '\x1b' not in shown and '\r' not in shown and '\u202e' not in shown
    assert shown == 'x\\u001b[2K\\u001b[1A\\u000dBACKUP GATE PASSED \\u202eexe.txt'
    long = '\U0001f600' * (QUOTE_LIMIT * 2)
    assert printable(long, QUOTE_LIMIT) == '\U0001f600' * (QUOTE_LIMIT - 3) + '...'
    assert printable('a\nb', lines=True) == 'a\nb' and printable('a\nb') == 'a b'


def test_a_quote_is_bounded_printable_and_withheld_when_it_shows_a_secrets_first_characters():
    secrets = Secrets(['Zq8~Xy+Abc/D\u00e4=secret'])
    assert secrets.quote('error \x1b[2K ' + 'y' * 1000) == printable('error \x1b[2K ' + 'y' * 1000, QUOTE_LIMIT)
    assert secrets.quote('x' * (QUOTE_LIMIT - 12) + 'Zq8~Xy+Abc/D') == WITHHELD


@pytest.mark.parametrize('password', [20261206123, ['list-Secret-1234', 'list-Secret-5678'], {'a': 'map-Secret-1234'}])
def test_a_no_log_option_that_is_no_string_is_a_secret_in_each_of_its_texts(password):
    """A VB365 password written as a YAML number, a client secret given as a list or a mapping: each text in it."""
    caller = Context()
    mask_secrets(caller, VB365_ARGUMENT_SPEC, dict(url='https://vb365.example.com', username='admin', password=password))
    texts = [str(password)] if isinstance(password, int) else list(
        password.values() if isinstance(password, dict) else password)
    assert all(caller.secrets.held_in('echoed: %s' % text) for text in texts)
    assert not caller.secrets.held_in('https://vb365.example.com admin')


def test_a_password_that_starts_with_a_word_does_not_withhold_the_message_that_names_the_word():
    secrets = Secrets(['Password123!', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'])
    message = 'POST /v8/token refused the user name or password: The user name or password is incorrect.'
    assert secrets.withhold(message) == message
    assert secrets.withhold('a JWT eyJhbGciOiJSUzI1NiJ9 of another issuer') != WITHHELD
    assert secrets.withhold('it said Password123') == WITHHELD


@pytest.mark.parametrize('echo', [
    'Basic ' + base64.b64encode(b'vbadmin:Xy7-pass-word-42').decode(),  # an Authorization header
    'Xy7-p\u2060ass-word-42',  # a word joiner inside
    'Xy7-pass-word-\uff14\uff12',  # full-width digits
    'Fehler \u2717: ' + 'K\u00f6-Sommer-2024-x'.encode('utf-8').decode('latin-1'),  # mojibake beside a non-Latin-1 sign
])
def test_echoes_in_other_shapes_are_withheld(echo):
    secrets = Secrets(['Xy7-pass-word-42', 'K\u00f6-Sommer-2024-x'])
    assert secrets.withhold({'message': 'the server said: %s' % echo}) == {'message': WITHHELD}


def test_odd_values_neither_crash_nor_overwrite():
    secrets = Secrets(['r\ud800efresh-token-1234'])
    assert secrets.withhold('x' * (LONGEST_CHECKED + 1)) == WITHHELD
    held = {'withheld_key_2': 'real data', 'r\ud800efresh-token-1234': 'x'}
    assert sorted(secrets.withhold(held).values()) == ['real data', 'x']
    assert printable('j\ud800') == 'j\\ud800' and printable('a\u200bb') == 'a\\u200bb'
