"""Registry acceptance items 3 and 4 (access and the management API): Harbor projects, users,
members with Harbor's five roles, robot accounts, the Docker token flow (`/service/token`,
Bearer JWTs) and the `/api/v2.0` projects/repositories/artifacts/tags/members/robots endpoints,
driven over HTTPS (TLS verified against the engine CA) with http.client and the unmodified
skopeo."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support" / "images"))

import ocilayout  # noqa: E402
from skopeo import Skopeo  # noqa: E402

PASSWORD = "Passw0rd!x"
ROLES = {"projectAdmin": 1, "developer": 2, "guest": 3, "maintainer": 4, "limitedGuest": 5}


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def error_code(self) -> str:
        return self.json()["errors"][0]["code"]


class Harbor:
    """HTTPS requests to the registry listener, with or without credentials."""

    def __init__(self, engine):
        self.engine = engine
        url = urlsplit(engine.registry)
        self.host, self.port = url.hostname, url.port
        self.context = ssl.create_default_context(cafile=engine.ca_file)
        self.admin = engine.registry_admin()

    def request(self, method: str, path: str, auth: tuple[str, str] | None = None,
                body=None, headers: dict | None = None, bearer: str | None = None) -> Response:
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                                 timeout=30)
        all_headers = dict(headers or {})
        if auth:
            all_headers["Authorization"] = "Basic " + base64.b64encode(
                f"{auth[0]}:{auth[1]}".encode()).decode()
        if bearer:
            all_headers["Authorization"] = "Bearer " + bearer
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def api(self, method: str, path: str, auth="admin", **kw) -> Response:
        return self.request(method, "/api/v2.0" + path,
                            auth=self.admin if auth == "admin" else auth, **kw)

    def create_project(self, name: str, public: bool = False, auth="admin") -> int:
        r = self.api("POST", "/projects", auth=auth,
                     body={"project_name": name, "metadata": {"public": str(public).lower()}})
        assert r.status == 201, (r.status, r.body)
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def create_user(self, name: str) -> int:
        r = self.api("POST", "/users", body={"username": name, "email": f"{name}@example.com",
                                             "realname": name, "password": PASSWORD})
        assert r.status == 201, (r.status, r.body)
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def token(self, scope: str, auth=None) -> dict:
        query = urlencode({"service": "harbor-registry", "scope": scope})
        r = self.request("GET", f"/service/token?{query}", auth=auth)
        assert r.status == 200, (r.status, r.body)
        return r.json()


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def ok(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0


@pytest.fixture(scope="module")
def harbor(engine) -> Harbor:
    return Harbor(engine)


@pytest.fixture(scope="module")
def skopeo(engine, tmp_path_factory) -> Skopeo:
    return Skopeo(engine, tmp_path_factory.mktemp("skopeo"), check=False)


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> ocilayout.LayoutInfo:
    image = ocilayout.Image(layers=[ocilayout.random_layer(4096, seed=11)],
                            config=ocilayout.ImageConfig(cmd=["true"]))
    return ocilayout.write_layout(tmp_path_factory.mktemp("layout") / "img", "v1", image)


@pytest.fixture(scope="module")
def secret(harbor, skopeo, layout) -> str:
    """A private project `secret` holding secret/app:v1 (pushed by the administrator)."""
    harbor.create_project("secret", public=False)
    assert ok(skopeo.push(layout, "secret/app:v1", harbor.admin))
    return "secret"


# -- the token flow ------------------------------------------------------------------------------

def test_anonymous_v2_check_gets_a_bearer_challenge(harbor, engine):
    r = harbor.request("GET", "/v2/")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == (
        f'Bearer realm="https://{engine.registry_host}/service/token",service="harbor-registry"')
    assert harbor.request("GET", "/v2/", auth=harbor.admin).status == 200, "Basic still works"


def test_private_project_refuses_anonymous_pulls_until_a_token_grants_them(harbor, engine,
                                                                           secret):
    r = harbor.request("GET", "/v2/secret/app/manifests/v1")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == (
        f'Bearer realm="https://{engine.registry_host}/service/token",'
        f'service="harbor-registry",scope="repository:secret/app:pull"')
    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"

    anonymous = harbor.token("repository:secret/app:pull")
    assert set(anonymous) >= {"token", "access_token", "expires_in", "issued_at"}
    assert jwt_claims(anonymous["token"])["access"] == []
    denied = harbor.request("GET", "/v2/secret/app/manifests/v1", bearer=anonymous["token"])
    assert denied.status == 401

    granted = harbor.token("repository:secret/app:pull,push", auth=harbor.admin)
    claims = jwt_claims(granted["token"])
    assert claims["aud"] == "harbor-registry" and claims["sub"] == harbor.admin[0]
    assert claims["access"] == [{"type": "repository", "name": "secret/app",
                                 "actions": ["pull", "push"]}]
    assert granted["expires_in"] == 1800
    pulled = harbor.request("GET", "/v2/secret/app/manifests/v1", bearer=granted["token"],
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert pulled.status == 200
    # The token is for that repository only, and a forged one is refused.
    assert harbor.request("GET", "/v2/library/other/tags/list",
                          bearer=granted["token"]).status == 401
    forged = granted["token"][:-4] + ("AAAA" if not granted["token"].endswith("AAAA") else "BBBB")
    assert harbor.request("GET", "/v2/secret/app/manifests/v1", bearer=forged).status == 401
    wrong = harbor.request("GET", "/service/token?service=harbor-registry",
                           auth=("admin", "wrong"))
    assert wrong.status == 401


def test_skopeo_pulls_public_projects_anonymously_and_private_ones_with_credentials(
        harbor, skopeo, layout, secret):
    assert ok(skopeo.push(layout, "library/tool:v1", harbor.admin))
    public = skopeo.inspect("library/tool:v1", None)
    assert ok(public), public.stderr
    assert ocilayout.sha256(public.stdout.encode()) == layout.manifest_digest
    private = skopeo.inspect("secret/app:v1", None)
    assert not ok(private)
    assert "unauthorized" in private.stderr.lower() or "authentication" in private.stderr.lower()
    assert ok(skopeo.inspect("secret/app:v1", harbor.admin))


def test_pushing_to_a_missing_project_is_refused(harbor, skopeo, layout):
    result = skopeo.push(layout, "nowhere/app:v1", harbor.admin)
    assert not ok(result)
    # With Basic credentials straight on /v2/: 403 DENIED, as Harbor.
    r = harbor.request("POST", "/v2/nowhere/app/blobs/uploads/", auth=harbor.admin)
    assert r.status == 403
    assert r.json()["errors"][0]["code"] == "DENIED"


# -- roles --------------------------------------------------------------------------------------

def test_each_role_pushes_pulls_and_deletes_as_harbor_allows(harbor, skopeo, layout, secret):
    expected = {  # role: (push, pull, delete)
        "limitedGuest": (False, True, False),
        "guest": (False, True, False),
        "developer": (True, True, False),
        "maintainer": (True, True, True),
        "projectAdmin": (True, True, True),
    }
    for role, (push, pull, delete) in expected.items():
        name = f"u-{role.lower()}"
        user_id = harbor.create_user(name)
        r = harbor.api("POST", f"/projects/{secret}/members",
                       body={"role_id": ROLES[role], "member_user": {"user_id": user_id}})
        assert r.status == 201, r.body
        creds = (name, PASSWORD)
        repo = f"{secret}/by-{role.lower()}"
        pushed = skopeo.push(layout, f"{repo}:v1", creds)
        assert ok(pushed) == push, (role, pushed.stderr)
        if not push:  # something to pull and delete
            assert ok(skopeo.push(layout, f"{repo}:v1", harbor.admin))
        assert ok(skopeo.inspect(f"{repo}:v1", creds)) == pull, role
        deleted = skopeo.delete(f"{repo}:v1", creds)
        assert ok(deleted) == delete, (role, deleted.stderr)
        # The API applies the same table: artifact deletion needs maintainer or more.
        api = harbor.api("DELETE", f"/projects/{secret}/repositories/by-{role.lower()}/"
                                   f"artifacts/{layout.manifest_digest}", auth=creds)
        assert api.status == (404 if delete else 403), (role, api.status, api.body)
        members = harbor.api("GET", f"/projects/{secret}/members", auth=creds)
        assert members.status == (403 if role == "limitedGuest" else 200), role
    outsider = harbor.create_user("outsider")
    assert outsider > 0
    assert not ok(skopeo.inspect(f"{secret}/app:v1", ("outsider", PASSWORD)))


# -- robots -------------------------------------------------------------------------------------

def test_a_project_robot_pushes_with_its_secret(harbor, skopeo, layout, secret):
    r = harbor.api("POST", "/robots", body={
        "name": "ci", "description": "pushes builds", "duration": -1, "level": "project",
        "permissions": [{"kind": "project", "namespace": secret, "access": [
            {"resource": "repository", "action": "push"},
            {"resource": "repository", "action": "pull"}]}]})
    assert r.status == 201, r.body
    robot = r.json()
    assert robot["name"] == f"robot${secret}+ci"
    assert len(robot["secret"]) == 32 and robot["expires_at"] == -1
    creds = (robot["name"], robot["secret"])
    assert ok(skopeo.push(layout, f"{secret}/robot-built:v1", creds))
    assert ok(skopeo.inspect(f"{secret}/robot-built:v1", creds))
    assert not ok(skopeo.push(layout, "library/robot-built:v1", creds)), "only its project"
    assert not ok(skopeo.delete(f"{secret}/robot-built:v1", creds)), "no delete permission"

    shown = harbor.api("GET", f"/robots/{robot['id']}").json()
    assert "secret" not in shown
    assert shown["permissions"][0]["access"][0] == {"resource": "repository", "action": "push",
                                                    "effect": "allow"}
    listed = harbor.api("GET", f"/projects/{secret}/robots")
    assert [x["name"] for x in listed.json()] == [robot["name"]]
    assert listed.headers["X-Total-Count"] == "1"

    # A refreshed secret replaces the old one; a disabled robot cannot log in.
    fresh = harbor.api("PATCH", f"/robots/{robot['id']}", body={}).json()["secret"]
    assert not ok(skopeo.inspect(f"{secret}/robot-built:v1", creds))
    assert ok(skopeo.inspect(f"{secret}/robot-built:v1", (robot["name"], fresh)))
    disabled = dict(shown, disable=True)
    assert harbor.api("PUT", f"/robots/{robot['id']}", body=disabled).status == 200
    assert not ok(skopeo.inspect(f"{secret}/robot-built:v1", (robot["name"], fresh)))
    assert harbor.api("DELETE", f"/robots/{robot['id']}").status == 200
    assert harbor.api("GET", f"/robots/{robot['id']}").status == 404


def test_system_robots_are_for_administrators(harbor):
    harbor.create_user("plain")
    body = {"name": "sys", "level": "system", "duration": 30, "permissions": [
        {"kind": "project", "namespace": "*", "access": [{"resource": "repository",
                                                          "action": "pull"}]}]}
    assert harbor.api("POST", "/robots", auth=("plain", PASSWORD), body=body).status == 403
    r = harbor.api("POST", "/robots", body=body)
    assert r.status == 201
    assert r.json()["name"] == "robot$sys"
    listed = harbor.api("GET", "/robots?q=" + quote("Level=system")).json()
    assert [x["name"] for x in listed] == ["robot$sys"]


# -- the management API -------------------------------------------------------------------------

def test_health_systeminfo_and_current_user(harbor):
    health = harbor.api("GET", "/health", auth=None)
    assert health.status == 200 and health.json()["status"] == "healthy"
    info = harbor.api("GET", "/systeminfo", auth=None).json()
    assert info["auth_mode"] == "db_auth"
    me = harbor.api("GET", "/users/current").json()
    assert me["username"] == harbor.admin[0] and me["sysadmin_flag"] is True
    assert harbor.api("GET", "/users/current", auth=None).status == 401
    bad = harbor.api("GET", "/users", auth=(harbor.admin[0], "nope"))
    assert bad.status == 401 and bad.error_code() == "UNAUTHORIZED"
    weak = harbor.api("POST", "/users", body={"username": "weak", "password": "short"})
    assert weak.status == 400 and weak.error_code() == "BAD_REQUEST"


def test_request_ids_are_echoed_or_assigned(harbor):
    r = harbor.api("GET", "/health", auth=None, headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    assert len(harbor.api("GET", "/health", auth=None).headers["X-Request-Id"]) == 36


def test_projects_list_with_paging_and_queries(harbor):
    for i in range(3):
        harbor.create_project(f"page-{i}", public=(i == 0))
    r = harbor.api("GET", "/projects?" + urlencode({"q": "name=~page-", "page_size": 2}))
    assert r.status == 200
    assert r.headers["X-Total-Count"] == "3"
    assert [p["name"] for p in r.json()] == ["page-0", "page-1"]
    assert 'rel="next"' in r.headers["Link"] and "page=2" in r.headers["Link"]
    second = harbor.api("GET", "/projects?" + urlencode({"q": "name=~page-", "page_size": 2,
                                                         "page": 2}))
    assert [p["name"] for p in second.json()] == ["page-2"]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    either = harbor.api("GET", "/projects?" + urlencode({"q": "name={page-0 page-2}"})).json()
    assert [p["name"] for p in either] == ["page-0", "page-2"]
    public = harbor.api("GET", "/projects?" + urlencode({"public": "true", "name": "page"}))
    assert [p["name"] for p in public.json()] == ["page-0"]
    assert public.json()[0]["metadata"] == {"public": "true"}
    bad = harbor.api("GET", "/projects?" + urlencode({"q": "name=[a"}))
    assert bad.status == 400 and bad.error_code() == "BAD_REQUEST"
    # Anonymous callers see public projects only.
    names = [p["name"] for p in harbor.api("GET", "/projects?page_size=100", auth=None).json()]
    assert "library" in names and "page-0" in names and "page-1" not in names
    assert harbor.api("GET", "/projects?page_size=101").status == 400


def test_project_get_head_update_delete(harbor, skopeo, layout):
    project_id = harbor.create_project("crud")
    by_name = harbor.api("GET", "/projects/crud").json()
    assert by_name["project_id"] == project_id and by_name["metadata"]["public"] == "false"
    assert harbor.api("GET", f"/projects/{project_id}").json()["name"] == "crud"
    assert harbor.api("GET", f"/projects/{project_id}",
                      headers={"X-Is-Resource-Name": "true"}).status == 404
    assert harbor.api("HEAD", "/projects?project_name=crud").status == 200
    assert harbor.api("HEAD", "/projects?project_name=absent").status == 404
    again = harbor.api("POST", "/projects", body={"project_name": "crud"})
    assert again.status == 409 and again.error_code() == "CONFLICT"
    assert harbor.api("POST", "/projects", body={"project_name": "Bad Name"}).status == 400
    assert harbor.api("GET", "/projects/crud", auth=None).status == 401
    assert harbor.api("PUT", "/projects/crud", body={"metadata": {"public": "true"}}).status == 200
    assert harbor.api("GET", "/projects/crud", auth=None).json()["metadata"]["public"] == "true"
    assert ok(skopeo.push(layout, "crud/app:v1", harbor.admin))
    refused = harbor.api("DELETE", "/projects/crud")
    assert refused.status == 412 and refused.error_code() == "PRECONDITION"
    assert harbor.api("DELETE", "/projects/crud/repositories/app").status == 200
    assert harbor.api("DELETE", "/projects/crud").status == 200
    missing = harbor.api("GET", "/projects/crud")
    assert missing.status == 404
    assert missing.json() == {"errors": [{"code": "NOT_FOUND",
                                          "message": "project crud not found"}]}


def test_members_list_create_update_delete(harbor):
    harbor.create_project("team-a")
    user_id = harbor.create_user("member-one")
    created = harbor.api("POST", "/projects/team-a/members",
                         body={"role_id": 3, "member_user": {"username": "member-one"}})
    assert created.status == 201
    member_id = int(created.headers["Location"].rsplit("/", 1)[1])
    listed = harbor.api("GET", "/projects/team-a/members")
    assert listed.headers["X-Total-Count"] == "2", "the creator is the project admin"
    entry = [m for m in listed.json() if m["entity_name"] == "member-one"][0]
    assert entry == {"id": member_id, "project_id": entry["project_id"],
                     "entity_name": "member-one", "role_name": "guest", "role_id": 3,
                     "entity_id": user_id, "entity_type": "u"}
    dup = harbor.api("POST", "/projects/team-a/members",
                     body={"role_id": 2, "member_user": {"username": "member-one"}})
    assert dup.status == 409
    assert harbor.api("POST", "/projects/team-a/members",
                      body={"role_id": 9, "member_user": {"username": "member-one"}}).status == 400
    creds = ("member-one", PASSWORD)
    assert harbor.api("GET", "/projects/team-a", auth=creds).json()["current_user_role_id"] == 3
    assert harbor.api("PUT", f"/projects/team-a/members/{member_id}", auth=creds,
                      body={"role_id": 1}).status == 403, "guests cannot promote themselves"
    assert harbor.api("PUT", f"/projects/team-a/members/{member_id}",
                      body={"role_id": 4}).status == 200
    assert harbor.api("GET", f"/projects/team-a/members/{member_id}").json()["role_name"] == \
        "maintainer"
    assert harbor.api("DELETE", f"/projects/team-a/members/{member_id}").status == 200
    assert harbor.api("GET", "/projects/team-a", auth=creds).status == 403


def test_repositories_artifacts_and_tags(harbor, skopeo, layout):
    harbor.create_project("apps")
    assert ok(skopeo.push(layout, "apps/team/web:v1", harbor.admin))
    assert ok(skopeo.push(layout, "apps/db:v1", harbor.admin))
    repos = harbor.api("GET", "/projects/apps/repositories")
    assert repos.headers["X-Total-Count"] == "2"
    assert [r["name"] for r in repos.json()] == ["apps/db", "apps/team/web"]
    assert repos.json()[1]["artifact_count"] == 1
    fuzzy = harbor.api("GET", "/projects/apps/repositories?" + urlencode({"q": "name=~web"}))
    assert [r["name"] for r in fuzzy.json()] == ["apps/team/web"]
    encoded = "team%252Fweb"  # Harbor's double-encoded "team/web"
    one = harbor.api("GET", f"/projects/apps/repositories/{encoded}")
    assert one.status == 200 and one.json()["name"] == "apps/team/web"
    base = f"/projects/apps/repositories/{encoded}/artifacts"

    artifacts = harbor.api("GET", base)
    assert artifacts.headers["X-Total-Count"] == "1"
    artifact = artifacts.json()[0]
    assert artifact["digest"] == layout.manifest_digest
    assert artifact["type"] == "IMAGE"
    assert [t["name"] for t in artifact["tags"]] == ["v1"]
    assert artifact["size"] > 4096
    assert harbor.api("GET", f"{base}/v1").json()["digest"] == layout.manifest_digest
    by_digest = harbor.api("GET", f"{base}/{layout.manifest_digest}")
    assert by_digest.status == 200 and by_digest.json()["id"] == artifact["id"]
    assert harbor.api("GET", f"{base}/nope").status == 404

    # Tags: create, list with q=, delete only the tag.
    assert harbor.api("POST", f"{base}/v1/tags", body={"name": "stable"}).status == 201
    assert harbor.api("POST", f"{base}/v1/tags", body={"name": "stable"}).status == 409
    tags = harbor.api("GET", f"{base}/{layout.manifest_digest}/tags")
    assert sorted(t["name"] for t in tags.json()) == ["stable", "v1"]
    assert tags.headers["X-Total-Count"] == "2"
    only = harbor.api("GET", f"{base}/v1/tags?" + urlencode({"q": "name=stable"}))
    assert [t["name"] for t in only.json()] == ["stable"]
    tagged = harbor.api("GET", base + "?" + urlencode({"q": "tags=stable"}))
    assert tagged.headers["X-Total-Count"] == "1"
    assert skopeo.inspect("apps/team/web:stable", harbor.admin).returncode == 0
    assert harbor.api("DELETE", f"{base}/v1/tags/v1").status == 200
    assert harbor.api("DELETE", f"{base}/stable/tags/v1").status == 404
    assert skopeo.inspect("apps/team/web:v1", harbor.admin).returncode != 0
    assert skopeo.inspect("apps/team/web:stable", harbor.admin).returncode == 0

    # Deleting the artifact removes it and its tags; the repository disappears with it.
    assert harbor.api("DELETE", f"{base}/stable").status == 200
    assert harbor.api("GET", base).headers["X-Total-Count"] == "0"
    assert harbor.api("GET", f"/projects/apps/repositories/{encoded}").status == 404
    assert [r["name"] for r in harbor.api("GET", "/projects/apps/repositories").json()] == \
        ["apps/db"]
    # Private project: anonymous callers are told to authenticate.
    assert harbor.api("GET", "/projects/apps/repositories", auth=None).status == 401
    assert harbor.api("GET", "/no/such/api").status == 404
    assert harbor.api("PATCH", "/projects").status == 405


def test_all_repositories_as_each_caller_sees_them(harbor, skopeo, layout, secret):
    """GET /repositories: administrators see every project's repositories, members their
    projects' and the public ones, robots their permission list's and the public ones,
    anonymous callers the public ones; newest first, with q= and paging."""
    harbor.create_project("vis-pub", public=True)
    harbor.create_project("vis-priv")
    harbor.create_project("vis-other")
    for name in ["vis-pub/app:v1", "vis-priv/app:v1", "vis-other/app:v1"]:
        assert ok(skopeo.push(layout, name, harbor.admin))
    harbor.create_user("visitor")
    assert harbor.api("POST", "/projects/vis-priv/members",
                      body={"role_id": ROLES["guest"],
                            "member_user": {"username": "visitor"}}).status == 201
    robot = harbor.api("POST", "/robots", body={
        "name": "lister", "duration": -1, "level": "project",
        "permissions": [{"kind": "project", "namespace": "vis-other", "access": [
            {"resource": "repository", "action": "pull"}]}]}).json()

    def names(auth, query="name=~vis-", **params) -> list[str]:
        r = harbor.api("GET", "/repositories?" + urlencode({"q": query, **params}), auth=auth)
        assert r.status == 200, (r.status, r.body)
        return [x["name"] for x in r.json()]

    assert names("admin") == ["vis-other/app", "vis-priv/app", "vis-pub/app"]
    assert names(("visitor", PASSWORD)) == ["vis-priv/app", "vis-pub/app"]
    assert names((robot["name"], robot["secret"])) == ["vis-other/app", "vis-pub/app"]
    assert names(None) == ["vis-pub/app"]
    everything = harbor.api("GET", "/repositories?page_size=100").json()
    assert {"vis-pub/app", "vis-priv/app", "vis-other/app", f"{secret}/app"} <= \
        {x["name"] for x in everything}

    page = harbor.api("GET", "/repositories?" + urlencode({"q": "name=~vis-", "page": 2,
                                                           "page_size": 1}))
    assert page.headers["X-Total-Count"] == "3"
    assert [x["name"] for x in page.json()] == ["vis-priv/app"]
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    one = page.json()[0]
    assert one["project_id"] == harbor.api(
        "GET", "/projects/vis-priv", headers={"X-Is-Resource-Name": "true"}).json()["project_id"]
    assert one["artifact_count"] == 1
    assert names("admin", sort="name") == ["vis-other/app", "vis-priv/app", "vis-pub/app"]
    assert names("admin", sort="-name") == ["vis-pub/app", "vis-priv/app", "vis-other/app"]
    assert harbor.api("GET", "/repositories?page_size=101").status == 400

