"""Logs a person can read: machine identifiers are not member data.

A generated set of the identifiers our logs carry — Slack event, channel, user, team, bot and app
ids and message timestamps, hex ids and digests, git shas (full and short), uuids, ULIDs and
other request ids, our own ids ("fb-35120030e5", "doc-3f9a1c2b44", "sync-20250301T120000"),
hashed folder and file names in paths ("venv-3f9a1c2b44/lib/...", pip's cache, "model-<hash>.onnx",
lease files), Chroma collection names, hosts and ports, pids, timings, timestamps and log levels —
written into the log lines they appear in, half of the lines with a member's identifier added.

Three figures (issue 16), each gated at 99 %:

- **kept**: machine identifiers that come out of ``redact`` verbatim;
- **precision**: redacted spans that cover a member identifier, of all spans redacted (a span
  that takes only a machine identifier or a log word is a false positive);
- **recall**: member identifiers with no alphanumeric character left.

A generated set is fine here because machine identifiers are not member data: nothing is tuned on
a person's message. Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid
from dataclasses import dataclass, field

from core.redact import find_identifiers, redact
from evals.phi import covered_mask, is_removed

SLACK_CHARS = string.ascii_uppercase + string.digits
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _slack_id(r: random.Random, prefix: str) -> str:
    return prefix + "0" + "".join(r.choice(SLACK_CHARS) for _ in range(r.randint(7, 9)))


def _hex(r: random.Random, n: int) -> str:
    return hashlib.sha256(str(r.random()).encode()).hexdigest()[:n]


def _timestamp(r: random.Random) -> str:
    y, mo, d = r.randint(2024, 2026), r.randint(1, 12), r.randint(1, 28)
    h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
    return r.choice([
        f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d},{r.randint(0, 999):03d}",  # logging
        f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{r.randint(0, 999999):06d}+00:00",
        f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
        f"{d:02d}/{MONTHS[mo - 1]}/{y}:{h:02d}:{mi:02d}:{s:02d} +0000",  # an access log
    ])


def machine_ids(r: random.Random) -> dict[str, str]:
    """One identifier of each family (the log lines below place them)."""
    ts = f"{r.randint(1_600_000_000, 1_900_000_000)}.{r.randint(0, 999_999):06d}"
    h10, h16, h40 = _hex(r, 10), _hex(r, 16), _hex(r, 40)
    stamp = f"2025{r.randint(1, 12):02d}{r.randint(1, 28):02d}T{r.randint(0, 235959):06d}"
    return {
        "time": _timestamp(r),
        "level": r.choice(LEVELS),
        "event": _slack_id(r, "Ev"),
        "channel": _slack_id(r, r.choice("CGD")),
        "user": _slack_id(r, r.choice("UW")),
        "team": _slack_id(r, "T"),
        "bot": _slack_id(r, "B"),
        "app": _slack_id(r, "A"),
        "ts": ts,
        "hex": _hex(r, r.choice([12, 16, 20, 32])),
        "uuid": str(uuid.UUID(int=r.getrandbits(128), version=4)),
        "uuid_hex": uuid.UUID(int=r.getrandbits(128), version=4).hex,
        "sha": hashlib.sha256(str(r.random()).encode()).hexdigest(),
        "git": h40,
        "git_short": _hex(r, r.choice([7, 8, 9, 10])),
        "ulid": "01" + "".join(r.choice(CROCKFORD) for _ in range(24)),
        "feedback": f"fb-{h10}",
        "doc": f"doc-{_hex(r, 10)}",
        "sync": f"sync-{stamp}.json",
        "venv": f"/work/main/.venv-{h10}/lib/python3.11/site-packages/chromadb/api.py",
        "pip": f"/root/.cache/pip/http-v2/{h40[0]}/{h40[1]}/{h40[2]}/{h40[3]}/{h40[4]}/{h40}",
        "wheel": f"/root/.cache/pip/wheels/{h16[:2]}/{h16[2:4]}/{h40}/"
                 f"llama_cpp_python-0.3.{r.randint(1, 20)}-cp311-cp311-linux_x86_64.whl",
        "index": f"/work/main/.index/provider_manual__g{r.randint(1, 99)}/{_hex(r, 20)}/data.bin",
        "collection": f"provider_manual__g{r.randint(1, 9999)}",
        "onnx": f"/work/main/var/onnx/all-MiniLM-L6-v2-{h16}.onnx",
        "hf": f"~/.cache/huggingface/hub/models--sentence-transformers/snapshots/{h40}/",
        "lease": f"g{r.randint(1, 99)}.{_hex(r, 12)}.lease",
        "request": f"req_{_hex(r, 12)}",
        "host": f"127.0.0.1:{r.randint(1024, 65535)}",
        "pid": str(r.randint(1000, 4_000_000)),
        "port": str(r.randint(1024, 65535)),
        "ms": str(r.randint(1, 99_999)),
    }


LINES = [
    ("{time} {level} assistant.interfaces.slack: event {event} in channel {channel} from {user} "
     "ts {ts}"),
    "{time} DEBUG slack_bolt: team {team} app {app} bot {bot} thread_ts {ts}",
    "{time} {level} assistant.pipeline: answer {hex} request {uuid} took {ms} ms",
    "{time} INFO assistant.audit: question_hash {sha} answer {uuid_hex}",
    "{time} WARNING httpx: x-request-id: {ulid} retry 1",
    "{time} INFO evals.feedback_import: candidate {feedback} from {doc}",
    "{time} {level} ingest.sync: wrote {sync}",
    "{time} ERROR core.store: ImportError in {venv} line 12",
    "{time} INFO core.store: opened {index} collection {collection}",
    "{time} INFO core.onnx_runtime: loaded {onnx}",
    "{time} INFO sentence_transformers: cache {hf}",
    "{time} {level} core.leases: holding {lease} pid {pid}",
    "{time} INFO uvicorn: worker {pid} on port {port}, {request}",
    "{time} INFO uvicorn.access: {host} - \"POST /slack/events HTTP/1.1\" 200",
    "{time} {level} ingest: built at commit {git_short} (sha {git}) in {ms} ms",
    "Using cached {wheel}",
    "{time} DEBUG pip: cache hit {pip}",
    "[{time}] {level} chromadb: collection {collection} on {host} pid {pid}",
]

MEMBER = [  # (text added to a line, the member identifiers in it)
    ("question: is member CIN 91234567A covered", ["91234567A"]),
    ("question: mbr id R0012345601 still active", ["R0012345601"]),
    ("question: pt Maria Lopez needs a pump", ["Maria Lopez"]),
    ("question: ssn 123-45-6789 on file", ["123-45-6789"]),
    ("question: pt cell 916-555-0134", ["916-555-0134"]),
    ("question: dob 3/14/1988", ["3/14/1988"]),
    ("question: acct/MRN 448812 denied", ["448812"]),
    ("question: email maria.lopez88@yahoo.com", ["maria.lopez88@yahoo.com"]),
    ("question: lives at 1420 Elm St Apt 3, Fresno", ["1420 Elm St Apt 3, Fresno"]),
    ("question: BIC 91234568A21903 for baby nguyen", ["91234568A21903", "nguyen"]),
]


@dataclass
class Line:
    text: str
    machine: list[str]
    member: list[str] = field(default_factory=list)


def generated_lines(n: int, seed: int = 16, with_member: float = 0.5) -> list[Line]:
    """n log lines, each template in turn; a share of them with a member's identifier added."""
    r = random.Random(seed)
    out = []
    for k in range(n):
        ids = machine_ids(r)
        template = LINES[k % len(LINES)]
        line = Line(template.format(**ids), [ids[f] for f in ids if "{" + f + "}" in template])
        if r.random() < with_member:
            extra, idents = MEMBER[r.randrange(len(MEMBER))]
            line.text = f"{line.text} {extra}" if r.random() < 0.5 else f"{extra} | {line.text}"
            line.member.extend(idents)
        out.append(line)
    return out


@dataclass
class Figures:
    kept: int = 0
    machine: int = 0
    true_spans: int = 0
    spans: int = 0
    removed: int = 0
    member: int = 0
    lost: list[tuple[str, str]] = field(default_factory=list)
    false_spans: list[tuple[str, str]] = field(default_factory=list)
    leaked: list[tuple[str, str]] = field(default_factory=list)

    def rate(self, num: int, den: int) -> float:
        return num / den if den else 1.0


def score(lines: list[Line]) -> Figures:
    fig = Figures()
    for line in lines:
        spans = find_identifiers(line.text)
        out = redact(line.text)
        for ident in line.machine:
            fig.machine += 1
            if ident in out:
                fig.kept += 1
            else:
                fig.lost.append((ident, out))
        member_at = [(s, s + len(i)) for i in line.member
                     for s in _find_all(line.text, i)]
        for kind, s, e in spans:
            fig.spans += 1
            if any(s < b and e > a for a, b in member_at):
                fig.true_spans += 1
            else:
                fig.false_spans.append((line.text[s:e], line.text))
        mask = covered_mask(len(line.text), spans)
        for ident in line.member:
            fig.member += 1
            if is_removed(line.text, ident, mask):
                fig.removed += 1
            else:
                fig.leaked.append((ident, out))
    return fig


def _find_all(text: str, item: str) -> list[int]:
    out, pos = [], text.find(item)
    while pos >= 0:
        out.append(pos)
        pos = text.find(item, pos + 1)
    return out


def test_machine_identifiers_kept_and_precision_and_recall_on_generated_log_lines():
    fig = score(generated_lines(1800))
    kept = fig.rate(fig.kept, fig.machine)
    precision = fig.rate(fig.true_spans, fig.spans)
    recall = fig.rate(fig.removed, fig.member)
    print(f"\nmachine identifiers kept: {fig.kept}/{fig.machine} = {kept:.2%}"
          f"\nprecision of redacted spans: {fig.true_spans}/{fig.spans} = {precision:.2%}"
          f"\nrecall of member identifiers: {fig.removed}/{fig.member} = {recall:.2%}")
    for label, misses in (("lost", fig.lost), ("false span", fig.false_spans),
                          ("leaked", fig.leaked)):
        for a, b in misses[:5]:
            print(f"  {label}: {a!r} in {b!r}")
    assert fig.machine >= 5000 and fig.member >= 800
    assert kept >= 0.99, fig.lost[:10]
    assert precision >= 0.99, fig.false_spans[:10]
    assert recall >= 0.99, fig.leaked[:10]


def test_member_data_next_to_machine_identifiers_is_still_removed():
    for line in generated_lines(400, seed=17, with_member=1.0):
        out = redact(line.text)
        assert all(i not in out for i in line.member), (line.text, out)
        assert all(i in out for i in line.machine), (line.text, out)


def test_member_labels_joined_to_a_number_are_still_member_data():
    # "fb-..." is ours; a member label joined the same way is not
    for text, ident in (("pt mbr-99887766 termed", "99887766"),
                        ("cin-91234567a on file", "91234567a"),
                        ("home-9165550134 is her number", "9165550134"),
                        ("acct-1234567 balance", "1234567")):
        assert ident not in redact(text), text
    assert find_identifiers("feedback fb-3512003051 and fb-35120030e5") == []
