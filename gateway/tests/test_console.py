"""The web console (issue 12): served at /console/ by the gateway with a CSP of its own
origin, needing no token for its static files, and with no asset from another host
(CONTRACT "Reports, forms and the console")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.console import STATIC

ASSETS = sorted(p for p in STATIC.rglob("*") if p.is_file())
URL = re.compile(rb"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", re.IGNORECASE)


def test_the_console_page_is_served_without_a_token_and_with_a_same_origin_policy(client):
    response = client.get("/console/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert b'<script type="module" src="js/app.js">' in response.data


def test_the_bare_path_leads_to_the_console(client):
    response = client.get("/console")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/console/")


@pytest.mark.parametrize("asset", ASSETS, ids=lambda p: str(p.relative_to(STATIC)))
def test_each_asset_is_served_with_its_type_and_the_policy(client, asset: Path):
    response = client.get(f"/console/{asset.relative_to(STATIC).as_posix()}")
    assert response.status_code == 200
    assert response.data == asset.read_bytes()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    expected = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
    assert response.mimetype == expected[asset.suffix]


def test_no_asset_names_another_host():
    assert ASSETS, "the console has no files"
    offenders = [str(p.relative_to(STATIC)) for p in ASSETS if URL.search(p.read_bytes())]
    assert offenders == []


def test_the_check_for_other_hosts_finds_one():
    # the pattern of test_no_asset_names_another_host does see a CDN reference
    assert URL.search(b'<script src="https://cdn.example.com/x.js">')
    assert URL.search(b"import x from '//cdn.example.com/x.js'")
    assert not URL.search(b'import * as api from "./api.js";')


def test_scripts_are_modules_of_the_console_only(client):
    html = client.get("/console/").data.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith(("js/", "style.css", "data:", "#")), src


@pytest.mark.parametrize(
    "path", ["/console/missing.js", "/console/../app.py", "/console/%2e%2e/app.py"]
)
def test_anything_else_under_the_console_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_api_still_wants_a_token(client):
    assert client.get("/api/v1/complaints").status_code == 401
