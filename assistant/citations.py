"""``[n]`` citation markers: the one place that writes, reads, strips and normalises them.

An answer's sentences end with markers ``[n]`` (1-based indexes into the passages the answerer
was given; after verification, into the answer's citations). Everything that parses answer
text goes through here: verification (which claims cite what), the prompt (old markers out of
the history), the LLM answerer (other citation styles rewritten as ``[n]``), the chat page
(markers styled) and the evals (markers out before reading an answer's stance).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MARKER = re.compile(r"\[(\d+)\]")
"""One marker, its number in group 1."""
MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")
"""Markers one after another, with the space before each."""
LEADING_MARKERS = re.compile(r"\s*((?:\[\d+\]\s*)*)")
"""The markers a line starts with (always matches; group 1 holds them)."""
_LISTED = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")  # "[1]", "[1, 2]", "[1; 3]"
_RUN_AND_SPACE = re.compile(r"\s*(?:\[\d+\]\s*)+")

# Other styles models cite in, rewritten as [n] by ``normalise``.
_NUMS = r"\d+(?:\s*(?:,|;|&|and|-|–|to)\s*(?:(?:passage|source)s?\s*)?\d+)*"
_LABEL = r"(?:passages?|sources?|docs?|documents?|refs?|references?|citations?|context)\s*#?\s*"
_FULLWIDTH = re.compile(r"【\s*(\d+)(?:[†:][^】]*)?\s*】")
_FOOTNOTE = re.compile(r"\[\^(\d+)\]")
_SQUARE = re.compile(rf"\[\s*(?:{_LABEL})?({_NUMS})\s*\]", re.IGNORECASE)
_PAREN_LABELLED = re.compile(rf"\s*\(\s*{_LABEL}({_NUMS})\s*\)", re.IGNORECASE)
# A bare "(1)" is a citation only where a sentence or line ends right after it.
_PAREN_BARE = re.compile(rf"(?<=\S)\s*\(\s*({_NUMS})\s*\)(?=\s*(?:[.!?;]|\[|$))", re.MULTILINE)


def marker(n: int) -> str:
    """``[n]``."""
    return f"[{n}]"


def markers(nums: Iterable[int]) -> str:
    """``[1][2]``: each number once, in the order given."""
    return "".join(marker(n) for n in dict.fromkeys(nums))


def numbers(text: str) -> list[int]:
    """The numbers of the markers in ``text``, in order."""
    return [int(n) for n in MARKER.findall(text)]


def strip_markers(text: str) -> str:
    """``text`` without markers (``[1]``, ``[1, 2]``) nor the space before them."""
    return _LISTED.sub("", text)


def remove_runs(text: str, replacement: str = " ") -> str:
    """Every run of markers (and the space around it) replaced by ``replacement``."""
    return _RUN_AND_SPACE.sub(replacement, text)


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """(text, the markers that end it) for each cited stretch of ``text``, split at each run of
    markers; trailing text without markers comes last with ``[]``."""
    out: list[tuple[str, list[int]]] = []
    pos = 0
    for m in MARKER_RUN.finditer(text):
        out.append((text[pos:m.start()], numbers(m.group())))
        pos = m.end()
    if text[pos:].strip():
        out.append((text[pos:], []))
    return out


def replace_markers(text: str, fn: Callable[[int, str], str]) -> str:
    """``text`` with each marker replaced by ``fn(n, marker_as_written)``."""
    return MARKER.sub(lambda m: fn(int(m.group(1)), m.group(0)), text)


def _expand(group: str) -> list[int]:
    """'1, 2' -> [1, 2]; '1-3' -> [1, 2, 3] (short ranges only)."""
    out: list[int] = []
    for piece in re.split(r"\s*(?:,|;|&|\band\b)\s*", group):
        nums = [int(x) for x in re.findall(r"\d+", piece)]
        if len(nums) == 2 and re.search(r"-|–|\bto\b", piece) and 0 <= nums[1] - nums[0] <= 10:
            out.extend(range(nums[0], nums[1] + 1))
        else:
            out.extend(nums)
    return out


def normalise(text: str, n_passages: int) -> str:
    """Rewrite '[1, 2]', '(1)', '[Passage 1]', '【1】', '[^1]', '[1-3]' as '[1][2]...'; markers
    outside 1..n_passages are dropped."""

    def valid(nums: list[int]) -> str:
        return markers(n for n in nums if 1 <= n <= n_passages)

    def bare(m: re.Match) -> str:
        nums = _expand(m.group(1))
        if not nums or not all(1 <= n <= n_passages for n in nums):
            return m.group(0)  # "(2)" that is no citation stays as it was
        return " " + valid(nums)

    text = _FULLWIDTH.sub(lambda m: valid([int(m.group(1))]), text)
    text = _FOOTNOTE.sub(lambda m: valid([int(m.group(1))]), text)
    text = _SQUARE.sub(lambda m: valid(_expand(m.group(1))), text)
    text = _PAREN_LABELLED.sub(lambda m: " " + valid(_expand(m.group(1))), text)
    return _PAREN_BARE.sub(bare, text)
