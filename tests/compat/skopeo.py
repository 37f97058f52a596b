"""The unmodified skopeo (Debian's 1.9) against the engine's registry, as the registry tests
drive it: TLS verified against the engine CA (a --cert-dir holding only ca.crt), an
accept-anything signature policy and an auth file of the test's own (never the user's).
Credentials default to the registry administrator from DATA/registry-admin; pass a
(user, password) pair for someone else, or None for an anonymous call."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

SKOPEO = "/usr/bin/skopeo"
ADMIN = "admin"  # the default credentials: the registry administrator


class Skopeo:
    def __init__(self, engine, work: Path, check: bool = True):
        """`check`: whether a failing skopeo raises by default (tests of refusals turn it off
        and look at the exit status and stderr themselves)."""
        self.engine = engine
        self.check = check
        self.certs = work / "certs.d"
        self.certs.mkdir(parents=True, exist_ok=True)
        (self.certs / "ca.crt").write_bytes(Path(engine.ca_file).read_bytes())
        self.policy = work / "policy.json"
        self.policy.write_text('{"default":[{"type":"insecureAcceptAnything"}]}')
        self.auth_file = work / "auth.json"
        user, password = engine.registry_admin()
        self.creds = f"{user}:{password}"

    def run(self, *args: str, check: bool | None = None) -> subprocess.CompletedProcess:
        env = {"REGISTRY_AUTH_FILE": str(self.auth_file), "PATH": "/usr/bin:/bin",
               "HOME": str(self.certs.parent)}
        result = subprocess.run([SKOPEO, "--policy", str(self.policy), *args],
                                capture_output=True, text=True, timeout=120, env=env)
        if (self.check if check is None else check) and result.returncode != 0:
            raise AssertionError(f"skopeo {' '.join(args)} exited {result.returncode}\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def ref(self, name: str) -> str:
        return f"docker://{self.engine.registry_host}/{name}"

    def _creds(self, flag: str, creds) -> list[str]:
        if creds is None:
            return []
        if creds == ADMIN:
            return [flag, self.creds]
        return [flag, f"{creds[0]}:{creds[1]}"]

    def push(self, layout, name: str, creds=ADMIN, check: bool | None = None):
        return self.run("copy", "--dest-cert-dir", str(self.certs),
                        *self._creds("--dest-creds", creds), layout.reference, self.ref(name),
                        check=check)

    def pull(self, name: str, dest: Path, creds=ADMIN, check: bool | None = None):
        return self.run("copy", "--src-cert-dir", str(self.certs),
                        *self._creds("--src-creds", creds), self.ref(name),
                        f"oci:{dest}:pulled", check=check)

    def inspect(self, name: str, creds=ADMIN, check: bool | None = None):
        return self.run("inspect", "--raw", "--cert-dir", str(self.certs),
                        *self._creds("--creds", creds), self.ref(name), check=check)

    def delete(self, name: str, creds=ADMIN, check: bool | None = None):
        return self.run("delete", "--cert-dir", str(self.certs), *self._creds("--creds", creds),
                        self.ref(name), check=check)

    def tags(self, name: str, creds=ADMIN) -> list[str]:
        out = self.run("list-tags", "--cert-dir", str(self.certs),
                       *self._creds("--creds", creds), self.ref(name), check=True)
        return sorted(json.loads(out.stdout)["Tags"] or [])
