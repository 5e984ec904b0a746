"""``python -m services.router.classify``: the same command as ``python -m services.router.cli.classify``,
under the name the router's first versions gave it (issue 9 and older scripts use it)."""

import runpy

if __name__ == "__main__":
    runpy.run_module("services.router.cli.classify", run_name="__main__", alter_sys=True)
