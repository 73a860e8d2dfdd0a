# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Connection and authentication options of the Veeam Backup for Microsoft 365 modules.
    DOCUMENTATION = r'''
options:
  url:
    description:
      - Root URL of the VB365 REST API, scheme, host and port only, for example
        V(https://vb365.example.com:4443) (4443 is the product's default port).
      - The REST service must be enabled in the VB365 console (General Options > REST API).
      - If not set, the environment variable E(VB365_URL) is used.
    type: str
  api_version:
    description:
      - The REST API version to use. There is no negotiation; pick the newest the server has -
        V(v5) for VB365 5, V(v6) for 6, V(v7) for 7, V(v8) for 8.
      - The number alone, in any case and as YAML's integer too, is read the same - V(8), V(v8) and V(V8) are V(v8);
        another value fails with the list.
      - If not set, the environment variable E(VB365_API_VERSION) is used.
    type: str
    default: v8
  username:
    description:
      - User allowed to use the REST API, such as C(DOMAIN\\user) or C(user@domain).
      - If not set, the environment variable E(VB365_USERNAME) is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(VB365_PASSWORD) is used.
    type: str
  access_token:
    description:
      - A bearer token obtained beforehand; no login is made and nothing is logged out.
      - If not set, the environment variable E(VB365_ACCESS_TOKEN) is used.
    type: str
  validate_certs:
    description:
      - Check the server's TLS certificate. VB365 makes a self-signed one by default; give it (or the CA
        of a proper one) in O(ca_path) rather than setting this to V(false). The module warns when it is
        V(false).
      - If not set, the environment variable E(VB365_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the certificates to trust, such as the server's self-signed certificate.
      - If not set, the environment variable E(VB365_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and, separately, for each whole answer (headers and body, however
        slowly the server sends them), from 1 to 3600. An answer is also refused past 64 MiB (decompressed).
      - If not set, the environment variable E(VB365_TIMEOUT) is used.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request after a connection error or an HTTP 429, 500, 502, 503 or 504,
        from 0 to 10, with exponential back-off and jitter, honouring C(Retry-After) within O(retry_max_wait).
      - If not set, the environment variable E(VB365_RETRIES) is used.
    type: int
    default: 3
  retry_max_wait:
    description:
      - The most seconds one request may spend waiting between its retries, from 0 to 3600. A wait
        that would pass it - a long C(Retry-After) from a throttling API included - ends the retries at
        once with the last answer, and a warning says so; the task then fails with the API's status.
      - If not set, the environment variable E(VB365_RETRY_MAX_WAIT) is used.
    type: int
    default: 120
  page_size:
    description:
      - Records asked for per request (the API's C(limit)), from 1 to 10000, the API's maximum.
      - With C(summary_only=true) (a listing module's option) at most 1000 sessions are asked for per request, as the
        sessions are summarised and let go, so that memory holds only the few pages in flight, a few megabytes.
    type: int
    default: 10000
notes:
  - The module logs in with the password grant (on v7 and v8 with C(disable_antiforgery_token), as
    every non-browser client must), renews the token with the refresh token before it expires or once
    after a 401, and logs out at the end on v7 and v8. Tokens never appear in its output.
requirements:
  - requests >= 2.25
'''
