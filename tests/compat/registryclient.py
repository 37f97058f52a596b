"""A small client for the engine's OCI registry (python3 `requests`, TLS verified against the
engine CA), for tests that need exact control of each request: the conformance harness, crash
tests. Paths may be relative (`/v2/...`) or absolute; Locations the registry returns are used
as they are, as the spec asks of clients."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def with_query(location: str, **params: str) -> str:
    """`location` with `params` added to its query (keeping what it already carries)."""
    parts = urlsplit(location)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def relative(location: str) -> str:
    """The path and query of a Location, as reggie's GetRelativeLocation gives it."""
    parts = urlsplit(location)
    return urlunsplit(("", "", parts.path, parts.query, ""))


class RegistryClient:
    def __init__(self, base: str, ca_file: str, auth: tuple[str, str] | None,
                 timeout: float = 60.0):
        self.base = base.rstrip("/")
        self.ca_file = ca_file
        self.session = requests.Session()
        self.session.auth = auth
        self.timeout = timeout

    def url(self, path: str) -> str:
        return urljoin(self.base + "/", path)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        # Per request: a session-wide `verify` loses to REQUESTS_CA_BUNDLE in the environment.
        kwargs.setdefault("verify", self.ca_file)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def head(self, path: str, **kw) -> requests.Response:
        return self.request("HEAD", path, **kw)

    def put(self, path: str, **kw) -> requests.Response:
        return self.request("PUT", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.request("DELETE", path, **kw)

    # -- the push flows every test needs -----------------------------------------------------
    def upload_blob(self, repository: str, data: bytes) -> str:
        """POST then PUT ?digest= (monolithic); returns the digest, asserting 201."""
        started = self.post(f"/v2/{repository}/blobs/uploads/")
        assert started.status_code == 202, (started.status_code, started.text)
        digest = digest_of(data)
        done = self.put(with_query(relative(started.headers["Location"]), digest=digest),
                        data=data, headers={"Content-Type": "application/octet-stream"})
        assert done.status_code == 201, (done.status_code, done.text)
        return digest

    def ensure_project(self, name: str, public: bool = False) -> None:
        """Creates the Harbor project `name` (the first component of repository names) unless
        it exists: pushes to a repository whose project is missing are refused."""
        if self.head(f"/api/v2.0/projects?project_name={name}").status_code == 200:
            return
        created = self.post("/api/v2.0/projects",
                            json={"project_name": name, "metadata": {"public": str(public).lower()}})
        assert created.status_code == 201, (created.status_code, created.text)

    def put_manifest(self, repository: str, reference: str, body: bytes,
                     media_type: str = OCI_MANIFEST) -> requests.Response:
        return self.put(f"/v2/{repository}/manifests/{reference}", data=body,
                        headers={"Content-Type": media_type})


def error_codes(response: requests.Response) -> list[str]:
    """The codes of an OCI error body, or [] when the body is not one."""
    try:
        return [e["code"] for e in json.loads(response.content)["errors"]]
    except (ValueError, KeyError, TypeError):
        return []
