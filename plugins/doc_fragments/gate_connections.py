# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The connections of a module that reads several vendors in one run: each vendor's options nested under its
    # name. A copy of the avepoint and vb365 fragments' options (fragments are literals); a unit test keeps it true.
    DOCUMENTATION = r'''
options:
  avepoint:
    description:
      - The connection options of the AvePoint Graph API, as the AvePoint modules take them.
    type: dict
    suboptions:
      api_url:
        description:
          - Root URL of the AvePoint Graph API of the tenant's data centre, scheme and host only,
            for example V(https://graph-us.avepointonlineservices.com).
          - Give O(avepoint.api_url) or O(avepoint.region), not both.
          - If not set, the environment variable E(AVEPOINT_API_URL) is used.
        type: str
      region:
        description:
          - Data-centre code of the tenant, as AvePoint Online Services shows it under Organization profile.
            Picks O(avepoint.api_url) and, for V(gov), V(aos2) and V(fedramp), the token URL of that environment.
          - Give O(avepoint.api_url) or O(avepoint.region), not both.
          - If not set, the environment variable E(AVEPOINT_REGION) is used.
        type: str
        choices: [au, aos2, ca, ch, de, fedramp, fr, gcp-au, gcp-jp, gcp-kr, gcp-us, gcp-we, gov, jp, kr, ne, qa,
                  sg, uae, uk, us, we, za]
      identity_url:
        description:
          - Token URL of the AvePoint identity service.
          - Defaults to V(https://identity.avepointonlineservices.com/connect/token), the URL of every
            commercial data centre; O(avepoint.region=gov), O(avepoint.region=aos2) and O(avepoint.region=fedramp) pick their own, and so
            does O(avepoint.api_url) set to one of their Graph API roots. An O(avepoint.api_url) on another host uses the commercial
            identity service, with a warning that says so.
          - If not set, the environment variable E(AVEPOINT_IDENTITY_URL) is used.
        type: str
      client_id:
        description:
          - Application (client) ID of the app registration in AvePoint Online Services > Administration >
            App registrations.
          - Required unless O(avepoint.access_token) is given.
          - If not set, the environment variable E(AVEPOINT_CLIENT_ID) is used.
        type: str
      client_secret:
        description:
          - Client secret of the app registration.
          - Give O(avepoint.client_secret), or O(avepoint.certificate_path) with O(avepoint.private_key_path), not both.
          - If not set, the environment variable E(AVEPOINT_CLIENT_SECRET) is used.
        type: str
      certificate_path:
        description:
          - PEM file with the certificate uploaded to the app registration. The module signs an RS256 client
            assertion with O(avepoint.private_key_path) instead of sending a secret (AvePoint recommends this).
          - Needs the Python library C(cryptography).
          - If not set, the environment variable E(AVEPOINT_CERTIFICATE_PATH) is used.
        type: path
      private_key_path:
        description:
          - PEM file with the unencrypted RSA private key of O(avepoint.certificate_path).
          - If not set, the environment variable E(AVEPOINT_PRIVATE_KEY_PATH) is used.
        type: path
      access_token:
        description:
          - A bearer token obtained beforehand. The module then makes no token request and ignores
            O(avepoint.client_id), O(avepoint.client_secret) and the certificate; a refused token fails the task.
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
            the module warns when jobs were left out.
          - Leave it unset for a backup gate, which should see every job of its window.
        type: int
  vb365:
    description:
      - The connection options of the VB365 REST API, as M(backupops.jobs.job_session_info) takes them.
    type: dict
    suboptions:
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
          - If not set, the environment variable E(VB365_API_VERSION) is used.
        type: str
        choices: [v5, v6, v7, v8]
        default: v8
      username:
        description:
          - User allowed to use the REST API, such as C(DOMAIN\\user) or C(user@domain).
          - If not set, the environment variable E(VB365_USERNAME) is used.
        type: str
      password:
        description:
          - Password of O(vb365.username).
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
            of a proper one) in O(vb365.ca_path) rather than setting this to V(false). The module warns when it is
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
            from 0 to 10, with exponential back-off and jitter, honouring C(Retry-After) within O(vb365.retry_max_wait).
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
        type: int
        default: 10000
requirements:
  - requests >= 2.25
  - cryptography >= 3.4 (for O(avepoint.certificate_path) only)
'''
