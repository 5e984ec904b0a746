"""A real OpenID Connect provider for tests: node-oidc-provider (tests/support/oidc_provider),
installed from the npm registry with ``npm ci`` on first use and run with Node.js on a free port."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO

import httpx

from tests.support.processes import free_port

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


def install() -> None:
    """``npm ci`` from the committed lock file, once per checkout."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "Node.js and npm are needed for the OIDC provider (deploy/local/bootstrap.sh installs them)"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, capture_output=True)


@asynccontextmanager
async def running_provider(redirect_uri: str) -> AsyncIterator[Provider]:
    await asyncio.to_thread(install)
    port = free_port()
    provider = Provider(
        f"http://127.0.0.1:{port}", "grievance-console", "console-test-client-secret-0123456789", redirect_uri
    )
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret,
        "OIDC_REDIRECT_URI": redirect_uri,
        "NODE_ENV": "test",
    }
    node = shutil.which("node")
    assert node, "Node.js is needed for the OIDC provider"
    # Output to a file, not a pipe nobody drains (a full pipe would stall the provider).
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            node, "provider.mjs", cwd=PROVIDER_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            await _wait_for_discovery(provider.issuer, process, log)
            yield provider
        finally:
            if process.returncode is None:
                process.terminate()
                await asyncio.wait_for(process.wait(), timeout=10)


async def _wait_for_discovery(issuer: str, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                if (await client.get(f"{issuer}/.well-known/openid-configuration")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.returncode is not None:
                log.seek(0)
                raise RuntimeError(f"the OIDC provider exited: {log.read().decode(errors='replace')}")
            await asyncio.sleep(0.1)
    raise TimeoutError("the OIDC provider did not start within 10 s")


async def sign_in_at_provider(authorization_url: str, username: str, redirect_uri: str) -> str:
    """Play the browser at the provider (its login form, then its consent form) and return the URL
    it finally sends the browser to: the console's callback with ``code`` and ``state``."""
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(authorization_url)
        for _ in range(10):
            # Redirects by hand: the last one leaves for the console, which this client cannot reach.
            while response.is_redirect:
                location = str(response.url.join(response.headers["location"]))
                if location.startswith(redirect_uri):
                    return location
                response = await browser.get(location)
            form = FORM.search(response.text)
            assert form, f"no form on the provider's page: {response.text[:500]}"
            action, body = unescape(form.group(1)), form.group(2)
            data = {name: unescape(value) for name, value in HIDDEN.findall(body)}
            if 'name="login"' in body:
                data.update(login=username, password="any password works here")
            response = await browser.post(str(response.url.join(action)), data=data)
    raise AssertionError("the provider never sent the browser back to the console")
