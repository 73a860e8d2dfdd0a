# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks and conversions of option values that the argument spec cannot express.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Each failure is an OptionError whose message names the option, the value and what is accepted.
"""

import ipaddress
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp

RELATIVE_AGE = re.compile(r'^(\d+(?:\.\d+)?)\s*([smhdw])$')
AGE_UNITS = {'s': 'seconds', 'm': 'minutes', 'h': 'hours', 'd': 'days', 'w': 'weeks'}
GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
# The user:password@ part of a URL, found without parsing it, since a URL that does not parse is quoted.
USERINFO = re.compile(r'^\s*[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@')
HOST_LABEL = re.compile(r'^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$')
TIME_FORMATS = "an ISO 8601 time such as 2026-11-24T06:00:00Z (no zone means UTC) or an age such as 30m, 24h, 7d, 2w"


def parse_time_option(option, value, now):
    """A point in time from ISO 8601 or from an age before ``now``; None stays None."""
    if value is None:
        return None
    text = str(value).strip()
    match = RELATIVE_AGE.match(text.lower())
    if match:
        amount, unit = match.groups()
        try:
            return now - timedelta(**{AGE_UNITS[unit]: float(amount)})
        except OverflowError:
            raise OptionError('%s: %r reaches back before year 1; give a shorter age, or %s'
                              % (option, value, TIME_FORMATS), option=option, value=value)
    parsed = parse_timestamp(text)
    if parsed is None:
        raise OptionError('%s: cannot read %r as a time; give %s' % (option, value, TIME_FORMATS),
                          option=option, value=value)
    return parsed


def time_window(params, now, start_option='start_time', finish_option='finish_time'):
    """The (start, finish) pair of a query, checked for order."""
    start = parse_time_option(start_option, params.get(start_option), now)
    finish = parse_time_option(finish_option, params.get(finish_option), now)
    if start is not None and finish is not None and finish < start:
        raise OptionError('%s (%s) is before %s (%s); the window must run forward in time'
                          % (finish_option, params.get(finish_option), start_option, params.get(start_option)),
                          option=finish_option, value=params.get(finish_option))
    return start, finish


def check_guid(option, value):
    if value is None:
        return None
    if not GUID.match(str(value).strip()):
        raise OptionError('%s: %r is not a GUID; give 32 hex digits as 8-4-4-4-12, '
                          'e.g. 69cb1ecc-f8e8-439b-8077-a4b7fd45e87f' % (option, value), option=option, value=value)
    return str(value).strip().lower()


def url_password(value):
    """The password (or user) written into a URL, in the forms it may be printed in; empty when there is none."""
    match = USERINFO.match(str(value))
    if not match:
        return []
    userinfo = match.group(1)
    return [userinfo, userinfo.split(':', 1)[-1], unquote(userinfo.split(':', 1)[-1])]


def _valid_host(host):
    """A DNS name (international ones too) of labels of 1 to 63 letters, digits, - or _, or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode('idna').decode('ascii')
    except UnicodeError:  # an empty label or one over 63 characters
        return False
    return len(ascii_host) <= 253 and all(HOST_LABEL.match(label) for label in ascii_host.rstrip('.').split('.'))


def check_url(option, value, warn, root_only=True):
    """An http(s) URL; with ``root_only``, a service root such as https://graph-us.avepointonlineservices.com.

    Returned without a trailing slash, so paths can be appended. A URL with a user or password in it is
    refused without being quoted: the credentials have options of their own.
    """
    if USERINFO.match(str(value)):
        raise OptionError('%s: the URL holds a user name or password (user:password@host); give the credentials in '
                          'their own options, which keep them out of the logs, and the URL without them (the value is '
                          'not shown)' % option, option=option)
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (parts is None or parts.scheme not in ('https', 'http') or not parts.hostname or not port_ok
            or not _valid_host(parts.hostname)):
        raise OptionError('%s: %r is not a usable URL; give the service root with its scheme, e.g. '
                          'https://host or https://host:port' % (option, value), option=option, value=value)
    if root_only and (parts.path not in ('', '/') or parts.query or parts.fragment):
        raise OptionError('%s: %r has a path, query or fragment; give only scheme, host and port, e.g. %s://%s'
                          % (option, value, parts.scheme, parts.netloc), option=option, value=value)
    if parts.scheme == 'http':
        warn('%s uses plain http://: credentials and tokens cross the network unencrypted' % option)
    return text.rstrip('/') if not root_only else '%s://%s' % (parts.scheme, parts.netloc)


def check_range(option, value, low, high):
    if value is None:
        return None
    if isinstance(value, bool) or not low <= value <= high:  # ansible-core lets a bool through as an int
        raise OptionError('%s: %s is out of range; give a whole number from %s to %s' % (option, value, low, high),
                          option=option, value=value)
    return value
