"""Dependency vulnerability audit of the installed environment against PyPI's advisory data only.

    python deploy/local/audit_dependencies.py

Runs ``pip-audit --vulnerability-service pypi`` on every installed distribution (the project itself,
installed editable, is skipped) and reads its JSON report:

- a known vulnerability: listed with its fixed versions; exit 1 (this blocks landing);
- a registry that does not answer is asked again (three tries) before anything is concluded;
- a package the registry could not answer for (unreachable, or no per-version record): the audit
  is incomplete, which is never reported as a pass: exit 2 with every unaudited package named,
  unless GRIEVANCE_AUDIT_INCOMPLETE=warn, which prints the same list as a warning and exits 0.

Some PyPI mirrors serve only the per-project JSON (``/pypi/<name>/json``), not the per-version
one pip-audit asks for; for a package installed at the project's latest release the per-project
record carries that release's vulnerabilities, so those packages are still audited from it.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PYPI_JSON = "https://pypi.org/pypi/{name}/json"
TIMEOUT_S = 30
ATTEMPTS = 3


def run_pip_audit() -> dict[str, Any] | None:
    """pip-audit's JSON report, or None when it could not produce one (registry unreachable)."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--vulnerability-service",
        "pypi",
        "--local",
        "--skip-editable",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        str(TIMEOUT_S),
    ]
    # A blip of the registry is retried; an outage that outlasts the retries is reported, not passed.
    for attempt in range(ATTEMPTS):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.stdout.strip().startswith("{"):
            report: dict[str, Any] = json.loads(result.stdout)
            return report
        print(result.stderr.strip(), file=sys.stderr)
        time.sleep(10 * (attempt + 1))
    return None


def latest_release_record(name: str) -> dict[str, Any] | None:
    for attempt in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(PYPI_JSON.format(name=name), timeout=TIMEOUT_S) as response:  # noqa: S310
                record: dict[str, Any] = json.load(response)
                return record
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
        except (urllib.error.URLError, TimeoutError, ValueError):
            pass
        time.sleep(2 * (attempt + 1))
    return None


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def audit_one(dep: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the package with its vulnerabilities, or None) and why it stays unaudited (or None)."""
    name = dep["name"]
    version = dep.get("version") or installed_version(name)
    record = latest_release_record(name)
    if record is None or version is None or record["info"]["version"] != version:
        latest = record["info"]["version"] if record else "registry did not answer"
        return None, f"{name} {version} (latest {latest}; no per-version record of {version} reachable)"
    vulns = [
        {"id": v.get("id"), "fix_versions": v.get("fixed_in", [])}
        for v in record.get("vulnerabilities", [])
        if not v.get("withdrawn")
    ]
    return ({"name": name, "version": version, "vulns": vulns} if vulns else None), None


def audit_skipped(skipped: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Audit skipped packages from the per-project record; (found vulnerable, still unaudited)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(audit_one, skipped))
    return [v for v, _ in results if v], [u for _, u in results if u]


def main() -> int:
    report = run_pip_audit()
    if report is None:
        return incomplete(["every package: pip-audit could not reach the registry"])
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    # The project itself is installed editable: its code is what the tests check, not a download.
    skipped = [d for d in deps if "skip_reason" in d and "editable" not in d["skip_reason"]]
    more_vulnerable, unaudited = audit_skipped(skipped)
    vulnerable += more_vulnerable
    audited = len(deps) - len(unaudited) - (len([d for d in deps if "skip_reason" in d]) - len(skipped))
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        print(f"dependency audit: {len(vulnerable)} vulnerable of {audited} audited packages", file=sys.stderr)
        return 1
    if unaudited:
        return incomplete(unaudited, audited=audited)
    print(f"dependency audit: no known vulnerabilities in {audited} packages")
    return 0


def incomplete(unaudited: list[str], *, audited: int = 0) -> int:
    lines = "\n".join(f"  - {u}" for u in unaudited)
    message = f"dependency audit INCOMPLETE: {len(unaudited)} packages not audited ({audited} audited, clean):\n{lines}"
    if os.environ.get("GRIEVANCE_AUDIT_INCOMPLETE") == "warn":
        print(f"WARNING {message}\n(GRIEVANCE_AUDIT_INCOMPLETE=warn: not failing)", file=sys.stderr)
        return 0
    print(f"ERROR {message}\n(set GRIEVANCE_AUDIT_INCOMPLETE=warn to land during a registry outage)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
