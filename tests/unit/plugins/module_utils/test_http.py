"""Properties of what the HTTP layer makes of a server's words: a quote that holds a secret, or its first
characters, is withheld whole, and a next-page link never chooses the host."""

import json
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._http import (
    BODY_QUOTE_LENGTH,
    quote_body,
    rebase_link,
)
from ansible_collections.backupops.jobs.plugins.module_utils._egress import WITHHELD, Secrets, printable
from hostile import first_characters

pytestmark = pytest.mark.fuzz

SECRETS = st.text(alphabet=st.characters(codec='utf-8', exclude_characters='x*.'), min_size=8, max_size=40).filter(
    lambda secret: secret.strip())
ENCODINGS = [lambda s: s, lambda s: quote(s, safe=''), quote, quote_plus, lambda s: json.dumps(s)[1:-1],
             lambda s: json.dumps(s, ensure_ascii=False)[1:-1]]


@settings(max_examples=200, deadline=None)
@given(secret=SECRETS, encoding=st.sampled_from(ENCODINGS), at=st.integers(min_value=0, max_value=BODY_QUOTE_LENGTH + 10))
# White space runs read as one: the first 8 raw characters of this one are 5 as read, and once were not sought.
@example(secret='0: \r\r\r\u0800\u0800\u0800\U00010000', encoding=ENCODINGS[1], at=143)
def test_a_quote_never_shows_a_secret_or_its_first_characters_in_any_encoding(secret, encoding, at):
    quoted = quote_body('x' * at + encoding(secret.strip()) + 'x' * 50, Secrets([secret + '\n']))
    assert len(quoted) <= BODY_QUOTE_LENGTH
    # Withheld whole, or showing less of the secret than its first characters, however it was encoded.
    first = printable(' '.join(encoding(first_characters(secret.strip())).split()))
    assert quoted == WITHHELD or first not in quoted, quoted


@settings(max_examples=300, deadline=None)
@given(link=st.one_of(st.text(max_size=60), st.builds(lambda scheme, host, path: '%s://%s/%s' % (scheme, host, path),
                                                      st.sampled_from(['http', 'https', 'HTTPS', 'ftp', '']),
                                                      st.text(max_size=20), st.text(max_size=30))))
def test_a_next_page_link_is_asked_of_the_configured_origin_under_its_path_or_refused(link):
    try:
        url = rebase_link(link, 'https://vb365.example.com:4443/v8', 'url')
    except UnexpectedResponseError as error:
        assert 'not followed' in error.msg
        return
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ('https', 'vb365.example.com:4443')
    assert parts.path.startswith('/v8/') and '/../' not in parts.path + '/'


@pytest.mark.parametrize('link, path', [
    ('https://172.28.1.46:4443/v5/JobSessions?offset=30', '/v5/JobSessions?offset=30'),
    ('//evil.example/v5/JobSessions', '/v5/JobSessions'),
    ('https://vb365.example.com:4443\\@evil.example/v5/Jobs', '/v5/Jobs'),
    ('JobSessions?offset=2', '/v5/JobSessions?offset=2'),
])
def test_links_that_name_any_host_are_asked_of_the_configured_one(link, path):
    assert rebase_link(link, 'https://vb365.example.com:4443/v5', 'url') == 'https://vb365.example.com:4443' + path
