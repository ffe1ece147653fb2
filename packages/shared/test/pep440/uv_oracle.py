"""Batch oracle: what `uv version --bump ...` does for each (version, bumps) case.

Reads a JSON list of {"version": str, "bumps": [str, ...]} on stdin and writes
{"tool": `uv --version`, "results": [...]} on stdout, with {"ok": true, "out": str} or
{"ok": false, "err": str} per case, in order.

uv only reads a version from a project's pyproject.toml, so each worker thread owns one temp
project directory and rewrites its pyproject.toml per case; `--dry-run` means uv never writes
it or a lockfile, and `--offline --no-sync --no-config` keep it away from the network, the
user's configuration and any environment.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

UV = os.path.join(os.path.dirname(sys.executable), "uv")


def toml_string(value: str) -> str:
    # TOML basic strings reject raw control characters, so escape everything outside
    # printable ASCII; uv then sees exactly the characters of `value`.
    out = ['"']
    for ch in value:
        cp = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp <= 0xFFFF:
            out.append("\\u%04X" % cp)
        else:
            out.append("\\U%08X" % cp)
    out.append('"')
    return "".join(out)


local = threading.local()
root = tempfile.mkdtemp(prefix="pep440-uv-oracle-")
env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
env.update(
    UV_CACHE_DIR=os.path.join(root, "cache"),
    UV_PYTHON_DOWNLOADS="never",
    NO_COLOR="1",
)


def project_dir() -> str:
    if not hasattr(local, "dir"):
        local.dir = tempfile.mkdtemp(dir=root)
    return local.dir


def run(case: dict) -> dict:
    directory = project_dir()
    with open(os.path.join(directory, "pyproject.toml"), "w", encoding="utf-8") as f:
        f.write('[project]\nname = "x"\nversion = %s\n' % toml_string(case["version"]))
    args = [UV, "version", "--dry-run", "--short", "--no-sync", "--offline", "--no-config"]
    for bump in case["bumps"]:
        args += ["--bump", bump]
    proc = subprocess.run(args, cwd=directory, env=env, capture_output=True, text=True)
    if proc.returncode == 0:
        return {"ok": True, "out": proc.stdout.strip()}
    return {"ok": False, "err": proc.stderr.strip()}


def main() -> None:
    cases = json.load(sys.stdin)
    workers = int(os.environ.get("PEP440_ORACLE_WORKERS", "4"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, cases))
    tool = subprocess.run([UV, "--version"], env=env, capture_output=True, text=True, check=True)
    json.dump({"tool": tool.stdout.strip(), "results": results}, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(root, ignore_errors=True)
