"""``python -m services.intake.keys``: the same command as ``python -m services.intake.cli.keys``,
under the name it had before the one-layout change (issue 11's runbooks use it)."""

import runpy

if __name__ == "__main__":
    runpy.run_module("services.intake.cli.keys", run_name="__main__", alter_sys=True)
