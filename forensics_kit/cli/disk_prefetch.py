"""``fklab disk prefetch``: Windows prefetch files inside an image, read with libscca.

With a PATH, one file: executable, hash, run count, last run times, volumes and the files
the program loaded (``sccainfo`` prints the same). Without one, every ``.pf`` in
``\\Windows\\Prefetch``, one line each, as an examiner first lists the folder.
"""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import _open, group, open_options
from forensics_kit.cli.output import emit_object, emit_records


@group.command("prefetch")
@click.argument("image", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("path", required=False)
@click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`.")
@json_option
@open_options
def prefetch_cmd(image, path, partition, as_json) -> None:
    """Prefetch files (.pf): program, run count, last run times, volume, files it loaded."""
    from forensics_kit.cli.error_text import shown
    from forensics_kit.errors import EvidenceError
    from forensics_kit.windows import prefetch_files, read_prefetch

    with _open(image) as img:
        if path:
            info = read_prefetch(img, path, partition=partition)
        else:
            found = prefetch_files(img, partition)
    if path:
        record = info.to_dict()
        if as_json:
            emit_object(record, True)
            return
        volumes = record.pop("volumes")
        files = record.pop("files")
        record["last_run_times"] = ", ".join(record["last_run_times"])
        del record["last_run"]
        emit_object(record, False, title=path)
        emit_records(volumes, [("device_path", "Device path"), ("serial", "Volume serial"),
                               ("created", "Volume created (UTC)")], False)
        emit_records(({"n": n, "file": f} for n, f in enumerate(files, 1)), [("n", "#"), ("file", "File loaded")],
                     False)
        return
    rows = []
    for where, pf in found:
        if isinstance(pf, EvidenceError):
            rows.append({"path": where, "executable": None, "run_count": None, "last_run": None,
                         "error": shown(pf.problem)})
        else:
            rows.append({"path": where, "executable": pf.executable, "run_count": pf.run_count,
                         "last_run": pf.last_run, "error": None})
    emit_records(rows, [("executable", "Executable"), ("run_count", "Run count"), ("last_run", "Last run (UTC)"),
                        ("path", "Prefetch file"), ("error", "Error")], as_json)
