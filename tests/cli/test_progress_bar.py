"""Progress on long work: sizes in MiB/GiB, counts without '/None', time left, nothing left behind."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from forensics_kit.cli.common import BYTE_STEPS, amount_text, size_text


def test_sizes_read_as_a_person_reads_them_in_both_languages():
    assert size_text(512) == "512 B"
    assert size_text(3_500_000) == "3.34 MiB"
    assert size_text(2 << 30) == "2.00 GiB"
    assert size_text(1.3e9, "ru") == "1,21 ГиБ"
    assert size_text(150 << 20) == "150 MiB"


def test_byte_steps_show_sizes_and_count_steps_show_numbers():
    assert {"hashing media", "searching", "carving", "reading packets"} <= BYTE_STEPS
    assert amount_text("searching", 1 << 20, 16 << 20) == "1.00 MiB / 16.0 MiB"
    assert amount_text("exporting", 3, 10) == "3 / 10"
    assert amount_text("timeline", 1200, 0) == "1200"  # an unknown total is never shown as None
    assert amount_text("timeline", 1200, None) == "1200"


def test_on_a_terminal_output_still_reaches_a_pipe_and_no_stray_progress_text_is_left(build):
    import json

    folder = build("disk-01", None)
    image = folder / json.loads((folder / "truth.json").read_text())["artefacts"]["usb"]["file"]
    main, child = pty.openpty()  # stderr is a terminal, as a trainee's is
    proc = subprocess.Popen([sys.executable, "-m", "forensics_kit.cli.main", "disk", "timeline", str(image)],
                            stdout=subprocess.PIPE, stderr=child, env={**os.environ, "COLUMNS": "80"})
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(main)
    assert proc.returncode == 0 and out.strip()
    assert b"None" not in seen and b"None" not in out


def test_warnings_are_in_the_trainees_language(build, tmp_path):
    import json

    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    folder = build("disk-01", None)
    image = folder / json.loads((folder / "truth.json").read_text())["artefacts"]["usb"]["file"]
    cut = tmp_path / "cut.dd"
    cut.write_bytes(image.read_bytes()[: image.stat().st_size // 2])  # a short image opens with a warning
    english = CliRunner().invoke(cli, ["disk", "ls", str(cut)])
    russian = CliRunner().invoke(cli, ["--lang", "ru", "disk", "ls", str(cut)])
    assert "warning: " in english.stderr and "missing" in english.stderr
    assert "предупреждение: " in russian.stderr and "warning:" not in russian.stderr
