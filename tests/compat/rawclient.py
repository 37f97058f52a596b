"""A small HTTPS client for the engine (admin client certificate), used where a test needs
exact control of requests: concurrent write load and watch streams read event by event."""

from __future__ import annotations

import http.client
import json
import ssl
from pathlib import Path
from urllib.parse import urlparse


class RawClient:
    def __init__(self, api: str, data_dir: Path, timeout: float = 30.0):
        url = urlparse(api)
        self.host, self.port = url.hostname, url.port
        pki = Path(data_dir) / "pki"
        self.ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self.ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self.timeout = timeout
        self.conn: http.client.HTTPSConnection | None = None

    def _connection(self) -> http.client.HTTPSConnection:
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                                    timeout=self.timeout)
        return self.conn

    def request(self, method: str, path: str, body: dict | None = None,
                content_type: str = "application/json") -> tuple[int, dict]:
        conn = self._connection()
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        except Exception:
            self.close()
            raise
        return resp.status, json.loads(payload) if payload else {}

    def watch(self, path: str) -> "WatchStream":
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                           timeout=self.timeout)
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise AssertionError(f"watch {path}: HTTP {resp.status} {resp.read()[:300]!r}")
        return WatchStream(conn, resp)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class WatchStream:
    def __init__(self, conn, resp):
        self.conn, self.resp = conn, resp

    def next_event(self) -> dict | None:
        """The next event, or None at a clean end of stream. Blocks up to the client timeout."""
        line = self.resp.readline()
        if not line:
            return None
        return json.loads(line)

    def close(self) -> None:
        self.conn.close()
