"""Runs AWS CLI (v1) commands for the test scripts, one per request, in one
warm Python process: the CLI's start (Python, botocore and the service
models) costs a second of CPU per command otherwise, and the scripts run
hundreds of them.

A request is one JSON line on stdin: {"args": [...], "env": {...},
"dir": "..."}; the answer one JSON line on stdout: {"code": N, "stdout":
"...", "stderr": "..."}. Each command gets a new CLI driver (a new botocore
session) with exactly the request's environment, as a new process would.
"""
import contextlib
import io
import json
import os
import sys
import traceback

from awscli.clidriver import create_clidriver

# Importing awscli adds its own data directory to AWS_DATA_PATH, which a
# process running aws would have too.
AWS_DATA_PATH = os.environ.get("AWS_DATA_PATH", "")


def run(req):
    os.environ.clear()
    os.environ["AWS_DATA_PATH"] = AWS_DATA_PATH
    os.environ.update(req["env"])
    os.chdir(req["dir"])
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = create_clidriver().main(req["args"])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except Exception:
                traceback.print_exc()
                code = 255
    finally:
        sys.stdin = stdin
    out.flush()
    err.flush()
    return {
        "code": code or 0,
        "stdout": out_bytes.getvalue().decode("utf-8", "replace"),
        "stderr": err_bytes.getvalue().decode("utf-8", "replace"),
    }


def main():
    answers = sys.stdout
    for line in sys.stdin:
        answers.write(json.dumps(run(json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
