"""``make bench``: speed and memory of fklab against the standard tools, as ratios in one run.

Benchmarks are added per area (disk, net, grader); until then this says so plainly.
"""

from __future__ import annotations


def main() -> None:
    print("no benchmarks yet")


if __name__ == "__main__":
    main()
