# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Connection, authentication and paging options of the AvePoint Graph API modules.
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Root URL of the AvePoint Graph API of the tenant's data centre, scheme and host only,
        for example V(https://graph-us.avepointonlineservices.com).
      - Give O(api_url) or O(region), not both.
      - If not set, the environment variable E(AVEPOINT_API_URL) is used.
    type: str
  region:
    description:
      - Data-centre code of the tenant, as AvePoint Online Services shows it under Organization profile.
        Picks O(api_url) and, for V(gov), V(aos2) and V(fedramp), the token URL of that environment.
      - One of V(au), V(aos2), V(ca), V(ch), V(de), V(fedramp), V(fr), V(gcp-au), V(gcp-jp), V(gcp-kr), V(gcp-us),
        V(gcp-we), V(gov), V(jp), V(kr), V(ne), V(qa), V(sg), V(uae), V(uk), V(us), V(we), V(za), in any case
        (V(US) is V(us)); another value fails with the list.
      - Give O(api_url) or O(region), not both.
      - If not set, the environment variable E(AVEPOINT_REGION) is used.
    type: str
  identity_url:
    description:
      - Token URL of the AvePoint identity service.
      - Defaults to V(https://identity.avepointonlineservices.com/connect/token), the URL of every
        commercial data centre; O(region=gov), O(region=aos2) and O(region=fedramp) pick their own, and so
        does O(api_url) set to one of their Graph API roots. An O(api_url) on another host uses the commercial
        identity service, with a warning that says so.
      - If not set, the environment variable E(AVEPOINT_IDENTITY_URL) is used.
    type: str
  client_id:
    description:
      - Application (client) ID of the app registration in AvePoint Online Services > Administration >
        App registrations.
      - Required unless O(access_token) is given.
      - If not set, the environment variable E(AVEPOINT_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - Client secret of the app registration.
      - Give O(client_secret), or O(certificate_path) with O(private_key_path), not both.
      - If not set, the environment variable E(AVEPOINT_CLIENT_SECRET) is used.
    type: str
  certificate_path:
    description:
      - PEM file with the certificate uploaded to the app registration. The module signs an RS256 client
        assertion with O(private_key_path) instead of sending a secret (AvePoint recommends this).
      - Needs the Python library C(cryptography).
      - If not set, the environment variable E(AVEPOINT_CERTIFICATE_PATH) is used.
    type: path
  private_key_path:
    description:
      - PEM file with the unencrypted RSA private key of O(certificate_path).
      - If not set, the environment variable E(AVEPOINT_PRIVATE_KEY_PATH) is used.
    type: path
  access_token:
    description:
      - A bearer token obtained beforehand. The module then makes no token request and ignores
        O(client_id), O(client_secret) and the certificate; a refused token fails the task.
      - If not set, the environment variable E(AVEPOINT_ACCESS_TOKEN) is used.
    type: str
  scope:
    description:
      - Scope (permission) to ask the identity service for. Each module knows the one its API needs,
        in lower case as the app-registration page writes it; set this only if AvePoint changes it.
    type: str
  validate_certs:
    description:
      - Check the TLS certificate of the API and the identity service. Set to V(false) only on a
        trusted network; the module warns when it is.
      - If not set, the environment variable E(AVEPOINT_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM bundle of the CA certificates to trust instead of the system's, for a TLS-inspecting proxy.
      - If not set, the environment variable E(AVEPOINT_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and, separately, for each whole answer (headers and body, however
        slowly the server sends them), from 1 to 3600. An answer is also refused past 64 MiB (decompressed).
      - If not set, the environment variable E(AVEPOINT_TIMEOUT) is used.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request after a connection error or an HTTP 429, 500, 502, 503 or 504,
        from 0 to 10, with exponential back-off and jitter. A C(Retry-After) header is honoured.
        Each retry is reported as a warning.
      - If not set, the environment variable E(AVEPOINT_RETRIES) is used.
    type: int
    default: 3
  retry_max_wait:
    description:
      - The most seconds one request may spend waiting between its retries, from 0 to 3600. A wait
        that would pass it - a long C(Retry-After) from a throttling API included - ends the retries at
        once with the last answer, and a warning says so; the task then fails with the API's status.
      - If not set, the environment variable E(AVEPOINT_RETRY_MAX_WAIT) is used.
    type: int
    default: 120
  page_size:
    description:
      - Jobs asked for per request, from 1 to 100. Every page is read whatever the size; a larger page
        means fewer requests. AvePoint documents no maximum; 100 is the largest this collection relies on.
    type: int
    default: 100
  limit:
    description:
      - Return at most this many jobs, the newest (by start time) first. Without it every job of the
        window is returned.
      - The order of AvePoint's listings is not documented. Paging stops at the limit only while the
        pages have come newest first; otherwise every page is read and the newest are chosen. Either way
        The result's C(limited) says whether jobs were left out; the limit is what was asked for, so it is no warning.
      - Leave it unset for a backup gate, which should see every job of its window.
    type: int
notes:
  - The modules read every page of the listing and never truncate silently. Jobs that appear on two
    pages (new jobs shift the pages during a listing) are returned once; if the API lists fewer jobs
    than the total it reports, the module warns.
  - Every filter sent to the API is checked again on each job that comes back, so a filter the server
    ignores never widens the result - a job that does not match it, or does not say, is dropped with a
    warning naming the filter. An IaaS + PaaS job does not carry its service type; the service of its job
    type is checked instead, so with C(service_type) a job of a type this collection does not know is dropped.
  - A start or finish time of .NET's minimum date (V(0001-01-01T00:00:00), which some servers write for a job
    that has not finished) is returned as null, and such a job's outcome is V(running). A time that does not
    parse is returned as null with a warning.
  - One token is requested per task run and requested again if it expires during the run. Tokens the
    module obtains never appear in its output.
requirements:
  - requests >= 2.25
  - cryptography >= 3.4 (for O(certificate_path) only)
'''
