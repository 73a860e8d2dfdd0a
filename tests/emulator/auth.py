"""Answers shared by every emulated endpoint: JSON errors, bearer-token checks, and the query as the
server reads it."""

import time

from flask import jsonify, request


def error(status, message, **extra):
    body = dict(message=message, **extra)
    return jsonify(body), status


def bearer(state, scope):
    """The token record of the request, or a Flask error response (401 or 403)."""
    header = request.headers.get('Authorization', '')
    if not header.startswith('Bearer '):
        return None, error(401, 'Authorization: Bearer token required')
    with state.lock:
        token = state.tokens.get(header[len('Bearer '):])
    if token is None or token['expires'] < time.time():
        return None, error(401, 'The access token is invalid or has expired')
    if scope not in token.get('scopes', ()):
        return None, error(403, 'The access token lacks the scope %s' % scope)
    return token, None


def query_args(state):
    """The request's query parameters, less those the emulator was told to ignore (``--ignore-filters``): a
    server that drops filters answers as if they had not been sent."""
    return dict((key, value) for key, value in request.args.items() if key.lower() not in state.ignored_filters)
