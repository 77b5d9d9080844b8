"""Where a py-spy profile's time went: ``python -m benchmarks.profile_summary FILE [N]``.

FILE holds collapsed stacks (``py-spy record --format raw``; see ``harness.profile``). Prints the N (default 25)
functions with the most samples on the stack (inclusive) and the most samples at the top (self), as shares.
"""
from __future__ import annotations

import sys
from collections import Counter


def summarise(path: str, top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(path) as handle:
        for line in handle:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            frames = stack.split(";")
            total += samples
            for frame in set(frames):
                inclusive[frame] += samples
            own[frames[-1]] += samples
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- {title}")
        lines += [f"{count / total:6.1%}  {frame}" for frame, count in counter.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25))
