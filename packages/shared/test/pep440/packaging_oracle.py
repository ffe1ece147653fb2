"""Batch oracle: what packaging.version.Version makes of each string.

Reads a JSON list of strings on stdin; writes {"tool": packaging's version, "results": [...]}
with, per string, either
{"valid": false, "error": <exception type>} or the parsed fields plus "rank": the position of
its equivalence class when all valid inputs are sorted, so equal versions share a rank.
Numbers travel as strings because JSON numbers lose precision above 2**53 in JavaScript.
"""

import json
import sys

import packaging
from packaging.version import InvalidVersion, Version


def fields(v: Version) -> dict:
    return {
        "valid": True,
        "normalized": str(v),
        "epoch": str(v.epoch),
        "release": [str(n) for n in v.release],
        "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
        "post": None if v.post is None else str(v.post),
        "dev": None if v.dev is None else str(v.dev),
        # A tagged list, since "1" and 1 must stay apart.
        "local": None
        if v._local is None
        else [["int", str(s)] if isinstance(s, int) else ["str", s] for s in v._local],
        "public": v.public,
        "base": v.base_version,
        "isPrerelease": v.is_prerelease,
        "isPostrelease": v.is_postrelease,
        "isDevrelease": v.is_devrelease,
    }


def main() -> None:
    texts = json.load(sys.stdin)
    results = []
    parsed = []
    for i, text in enumerate(texts):
        try:
            v = Version(text)
        # ValueError too: int() refuses more than 4300 digits and packaging lets that through.
        except (InvalidVersion, ValueError) as e:
            results.append({"valid": False, "error": type(e).__name__})
            continue
        results.append(fields(v))
        parsed.append((v, i))
    parsed.sort(key=lambda p: p[0])
    rank = -1
    previous = None
    for v, i in parsed:
        if previous is None or v != previous:
            rank += 1
            previous = v
        results[i]["rank"] = rank
    json.dump({"tool": packaging.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
