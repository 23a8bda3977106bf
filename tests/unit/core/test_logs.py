"""Process log lines: JSON for collectors, readable text by default, ids carried along."""

from __future__ import annotations

import json
import logging

import pytest

from syncjobs.logs import configure


@pytest.fixture(autouse=True)
def _restore_root_logger():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_level_and_ids(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "INFO")
    logging.getLogger("syncjobs.test").warning("chunk failed: %s", "timeout",
                                               extra={"job_id": "job_1", "execution_id": "exe_2"})
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["level"] == "warning" and line["message"] == "chunk failed: timeout"
    assert line["job_id"] == "job_1" and line["execution_id"] == "exe_2"
    assert line["logger"] == "syncjobs.test" and line["ts"].endswith("+00:00")


def test_text_lines_are_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure("text", "INFO")
    logging.getLogger("syncjobs.test").info("started", extra={"execution_id": "exe_9"})
    logging.getLogger("syncjobs.test").debug("hidden")
    err = capsys.readouterr().err
    assert "INFO" in err and "started [execution_id=exe_9]" in err and "hidden" not in err
