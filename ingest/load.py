"""File -> Document: the manual page cleaned of site chrome, with its structure and provenance.

Public API: ``SUPPORTED``, ``iter_files(paths)``, ``load_document(path)``. Bad input of any kind
raises ``LoadError(path, reason)`` and nothing else, so a batch can report it and go on.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import LoadError
from core.types import Document
from ingest.structure import BadInput, RawPage, finish

SUPPORTED = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf"}
FORMAT_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".pdf": "pdf",
}
SKIP_DIRS = {"rules"}  # corpus/rules/ holds the billing rules (YAML), not manual pages
DEFAULT_TIMEOUT_S = 120.0


def iter_files(paths: list[Path]) -> list[Path]:
    """Files to load: folders expanded recursively (sorted; hidden entries, rules/ and
    unsupported extensions skipped), files kept as given. No duplicates."""
    out: list[Path] = []
    for given in paths:
        given = Path(given)
        if given.is_dir():
            out.extend(_walk_folder(given))
        else:
            out.append(given)
    return list(dict.fromkeys(out))


def _walk_folder(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED:
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def load_document(
    path: Path, max_bytes: int = 20_000_000, *, timeout_s: float | None = DEFAULT_TIMEOUT_S
) -> Document:
    """Read and clean one page. Raises LoadError (only) for anything wrong with the file.

    ``timeout_s`` bounds parsing time (enforced in the main thread, via SIGALRM).
    """
    path = Path(path)
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(
            str(path),
            f"unsupported file type '{path.suffix or '(none)'}'; "
            f"supported: {', '.join(sorted(SUPPORTED))}",
        )
    data = _read(path, max_bytes)
    try:
        with _time_limit(timeout_s):
            page = _parser(fmt)(data)
            if not page.url and not page.meta.get("url"):
                page.url = sidecar_url(path)
            return finish(page, path)
    except BadInput as e:
        raise LoadError(str(path), e.reason) from None
    except _Timeout:
        raise LoadError(
            str(path), f"took longer than {timeout_s:g} s to parse; the file may be malformed"
        ) from None
    except RecursionError:
        raise LoadError(str(path), "is nested too deeply to parse") from None
    except MemoryError:
        raise LoadError(str(path), "needs too much memory to parse; split it") from None
    except Exception as e:  # a parser bug must not stop the batch; keep the cause chained
        raise LoadError(
            str(path), f"could not be parsed as {fmt} ({type(e).__name__}: {e})"[:500]
        ) from e


def sidecar_url(path: Path) -> str | None:
    """The page URL from ``<file>.url`` beside it (an Internet Shortcut, ``URL=...``, or a
    bare URL), for formats that carry none themselves (PDF); written by ``ingest sync``."""
    try:
        text = path.with_name(path.name + ".url").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text[:4096].splitlines():
        line = line.strip()
        if line.lower().startswith("url="):
            line = line[4:].strip()
        if line.lower().startswith(("http://", "https://")):
            return line
    return None


def _parser(fmt: str) -> Callable[[bytes], RawPage]:
    if fmt == "text":
        from ingest.formats.text import parse_text

        return parse_text
    if fmt == "markdown":
        from ingest.formats.markdown import parse_markdown

        return parse_markdown
    if fmt == "html":
        from ingest.formats.html import parse_html

        return parse_html
    from ingest.formats.pdf import parse_pdf

    return parse_pdf


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise LoadError(str(path), "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(str(path), "is not a regular file (a device, pipe or socket?)")
        if st.st_size > max_bytes:
            raise LoadError(str(path), _too_big(st.st_size, max_bytes))
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except LoadError:
        raise
    except FileNotFoundError:
        raise LoadError(str(path), "does not exist") from None
    except PermissionError:
        raise LoadError(str(path), "cannot be read: permission denied") from None
    except OSError as e:
        raise LoadError(str(path), f"cannot be read ({e.strerror or e})") from None
    if len(data) > max_bytes:
        raise LoadError(str(path), _too_big(len(data), max_bytes))
    if not data.strip():
        raise LoadError(str(path), "is empty")
    return data


def _too_big(size: int, limit: int) -> str:
    return (f"is {size:,} bytes, over the {limit:,}-byte limit (PMA_LIMITS__MAX_UPLOAD_BYTES); "
            "split the page or raise the limit")


class _Timeout(BaseException):
    """Raised by the alarm; BaseException so parsers' ``except Exception`` cannot swallow it."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    usable = (
        seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # leave someone else's timer alone
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
