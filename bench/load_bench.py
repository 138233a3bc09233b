"""Load on the running interfaces, from this (second) process on 127.0.0.1.

Starts the Gradio page (python app.py) and the Slack bot in HTTP mode (python -m assistant slack)
as their own processes over one index and one data folder, with a local fake Slack Web API in
this process. Then sends questions from worker threads, bounded in count and in time: through
gradio_client to /chat (each worker is one browser session, so its conversation grows), and as
signed app_mention events to the bot (latency = until the threaded reply reaches the fake Slack).
Every few answers get a thumbs-up: /feedback on the page, the feedback button's block_actions on
Slack. Both servers append to the same feedback file.

Prints p50/p95/max latency and errors per interface, and whether every feedback sent is a line of
the feedback file (none lost, none corrupt). Exit code 1 on any error or lost feedback.
Usage: python -m bench.load_bench [--requests 200] [--workers 8] [--seconds 60] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import free_port, http_status, stop_process
from evals.metrics import percentile

SECRET = "bench-signing-secret-0123456789"
CHANNEL = "C0LOAD001"
REP = "UREP0LOAD"
FEEDBACK_EVERY = 4  # one answer in this many gets a thumbs-up
START_TIMEOUT_S = 300
REQUEST_TIMEOUT_S = 120
QUESTIONS = [
    "Who can provide lactation education and support services?",
    "Can an IBCLC bill Medi-Cal directly?",
    "our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
    "What types of breast pumps can members obtain?",
    "Who can write a prescription for lactation DME?",
    "Up to what age can providers refer a member's infant to lactation services?",
    "Can a medical assistant without a certification bill for lactation support?",
    "How can a provider request the breastfeeding promotion toolkit?",
    "Is a hospital-grade breast pump a rental, and does it need prior authorization?",
    "What is the timely filing limit for lactation claims?",  # refused: not in the manual
    # pasted member details: answered from the manual, never logged
    "Patient Maria Lopez CIN 91234567A DOB 01/02/1990 - can our NP bill lactation support?",
    "member id R0123456789 wants a breast pump, who can prescribe it?",
]


# ---------------------------------------------------------------------------- results
@dataclass
class Tally:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    feedback_sent: int = 0
    not_run: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:300])

    def summary(self, wall: float) -> dict:
        lat = sorted(self.latencies)
        return {
            "requests": len(lat) + len(self.errors), "ok": len(lat), "errors": len(self.errors),
            "not_run": self.not_run, "p50_ms": _ms(_pct(lat, 50)), "p95_ms": _ms(_pct(lat, 95)),
            "max_ms": _ms(lat[-1] if lat else None),
            "mean_ms": _ms(statistics.fmean(lat) if lat else None),
            "per_second": round(len(lat) / wall, 2) if wall else None,
            "feedback_sent": self.feedback_sent, "error_samples": self.errors[:5],
        }


def _pct(values: list[float], p: float) -> float | None:
    return percentile(values, p) if values else None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# ---------------------------------------------------------------------------- servers
class Server:
    """A server process with its own log file, ready when ``ready_url`` answers 200."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], ready_url: str,
                 log_path: Path):
        self.name, self.argv, self.env, self.ready_url = name, argv, env, ready_url
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            if http_status(self.ready_url) == 200:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        stop_process(self.proc, timeout=15)
        if self.proc is not None:
            self._log.close()


def base_env(index_dir: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMA_", "SLACK_"))}
    env.update({"PMA_INDEX_DIR": str(index_dir), "PMA_DATA_DIR": str(data_dir),
                "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
                "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"})
    return env


def build_index(env: dict[str, str], index_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "ingest", "--index", str(index_dir), "--quiet"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=START_TIMEOUT_S)


# ---------------------------------------------------------------------------- web load
class WebLoad:
    def __init__(self, url: str, tally: Tally):
        self.url, self.tally = url, tally
        self.local = threading.local()

    def client(self):
        if getattr(self.local, "client", None) is None:
            from gradio_client import Client

            self.local.client = Client(self.url, verbose=False, download_files=False)
        return self.local.client

    def one(self, question: str, give_feedback: bool) -> None:
        from bs4 import BeautifulSoup

        started = time.perf_counter()
        try:
            client = self.client()
            result = client.submit(question, api_name="/chat").result(REQUEST_TIMEOUT_S)
            messages = result[0]
            content = messages[-1]["content"]
            html = content[0]["text"] if isinstance(content, list) else content
            box = BeautifulSoup(html, "html.parser").select_one(".pma-answer")
            if box is None or "pma-error" in (box.get("class") or []):
                raise RuntimeError(f"no answer rendered: {html[:200]}")
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            self.tally.fail(f"web ask: {type(exc).__name__}: {exc}")
            return
        self.tally.ok(time.perf_counter() - started)
        if give_feedback and box.get("data-answer-id"):
            try:
                status = client.submit(len(messages) // 2, "up", "load test", "",
                                       api_name="/feedback").result(REQUEST_TIMEOUT_S)
                if "saved" not in status[0] or "not saved" in status[0]:
                    raise RuntimeError(status[0])
                with self.tally.lock:
                    self.tally.feedback_sent += 1
            except Exception as exc:  # noqa: BLE001
                self.tally.fail(f"web feedback: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------- slack load
def post_signed(url: str, body: str, content_type: str = "application/json") -> int:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


class SlackLoad:
    def __init__(self, events_url: str, fake, tally: Tally):
        self.url, self.fake, self.tally = events_url, fake, tally
        self.ids = itertools.count(1)

    def reply_to(self, ts: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.fake._lock:
                for msg in self.fake.messages.get(CHANNEL, []):
                    if msg.get("thread_ts") == ts and msg.get("bot_id"):
                        return msg
            time.sleep(0.02)
        return None

    def one(self, question: str, give_feedback: bool) -> None:
        from bench.fake_slack import BOT_USER_ID, TEAM_ID

        ts = self.fake.next_ts()
        text = f"<@{BOT_USER_ID}> {question}"
        event = {"type": "app_mention", "user": REP, "text": text, "ts": ts, "channel": CHANNEL,
                 "event_ts": ts}
        body = {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0000001", "event": event,
                "type": "event_callback", "event_id": f"EvLOAD{next(self.ids):06d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
        started = time.perf_counter()
        status = post_signed(self.url, json.dumps(body))
        if status != 200:
            self.tally.fail(f"slack event: HTTP {status}")
            return
        reply = self.reply_to(ts, REQUEST_TIMEOUT_S)
        if reply is None:
            self.tally.fail(f"slack: no reply within {REQUEST_TIMEOUT_S} s")
            return
        if "Something went wrong" in reply.get("text", ""):
            self.tally.fail("slack: the bot answered with its error message")
            return
        self.tally.ok(time.perf_counter() - started)
        if give_feedback:
            self.feedback(reply)

    def feedback(self, posted: dict) -> None:
        from assistant.interfaces.slack_blocks import FEEDBACK_BLOCK_ID, FEEDBACK_UP
        from bench.fake_slack import TEAM_ID

        buttons = [b for b in posted.get("blocks") or [] if b.get("block_id") == FEEDBACK_BLOCK_ID]
        if not buttons:
            return  # a refusal carries no feedback buttons
        answer_id = buttons[0]["elements"][0]["value"]
        payload = {
            "type": "block_actions", "user": {"id": REP}, "api_app_id": "A0000001",
            "team": {"id": TEAM_ID}, "channel": {"id": CHANNEL}, "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": posted["ts"], "channel_id": CHANNEL,
                          "is_ephemeral": False},
            "message": posted, "response_url": self.fake.response_url("load"),
            "actions": [{"action_id": FEEDBACK_UP, "block_id": FEEDBACK_BLOCK_ID,
                         "value": answer_id, "type": "button", "action_ts": str(time.time())}]}
        status = post_signed(self.url, urllib.parse.urlencode({"payload": json.dumps(payload)}),
                             content_type="application/x-www-form-urlencoded")
        if status != 200:
            self.tally.fail(f"slack feedback: HTTP {status}")
            return
        with self.tally.lock:
            self.tally.feedback_sent += 1


# ---------------------------------------------------------------------------- the run
def read_feedback(path: Path) -> tuple[dict[str, int], int]:
    """Feedback lines per interface, and lines that are not valid JSON."""
    counts: dict[str, int] = {}
    corrupt = 0
    if not path.exists():
        return counts, 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            iface = json.loads(line).get("interface", "?")
        except ValueError:
            corrupt += 1
            continue
        counts[iface] = counts.get(iface, 0) + 1
    return counts, corrupt


def drive(jobs: list, workers: int, deadline: float, tallies: dict[str, Tally]) -> None:
    """Run (target, fn, question, feedback) jobs on ``workers`` threads until the deadline."""

    def run(job) -> None:
        target, fn, question, feedback = job
        if time.monotonic() > deadline:
            with tallies[target].lock:
                tallies[target].not_run += 1
            return
        fn(question, feedback)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        list(pool.map(run, jobs))


def run_load(requests: int, workers: int, seconds: float, targets: list[str],
             workdir: Path) -> dict:
    from bench.fake_slack import FakeSlack

    index_dir, data_dir = workdir / "index", workdir / "var"
    env = base_env(index_dir, data_dir)
    t0 = time.perf_counter()
    build_index(env, index_dir)
    servers: dict[str, Server] = {}
    fake = FakeSlack().start()
    try:
        if "web" in targets:
            port = free_port()
            servers["web"] = Server("web", [sys.executable, "app.py"], {
                **env, "PMA_WEB__HOST": "127.0.0.1", "PMA_WEB__PORT": str(port),
                "PMA_WEB__MAX_QUEUE": str(max(64, 2 * workers))},
                f"http://127.0.0.1:{port}/", workdir / "web.log")
        if "slack" in targets:
            port = free_port()
            servers["slack"] = Server("slack", [
                sys.executable, "-m", "assistant", "slack", "--mode", "http", "--port",
                str(port)], {**env, "SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": SECRET,
                             "PMA_SLACK__API_URL": fake.api_url, "PMA_SLACK__HOST": "127.0.0.1"},
                f"http://127.0.0.1:{port}/healthz", workdir / "slack.log")
        for s in servers.values():
            s.start()
        for s in servers.values():
            s.wait_ready()
        startup = time.perf_counter() - t0
        tallies = {name: Tally(name) for name in servers}
        loads = {}
        if "web" in servers:
            loads["web"] = WebLoad(servers["web"].ready_url.rstrip("/"), tallies["web"])
        if "slack" in servers:
            loads["slack"] = SlackLoad(
                servers["slack"].ready_url.replace("/healthz", "/slack/events"), fake,
                tallies["slack"])
        warm = {name: Tally(name) for name in loads}  # one unmeasured question each
        for name, load in loads.items():
            load.tally = warm[name]
            load.one(QUESTIONS[0], False)
            load.tally = tallies[name]
        if any(t.errors for t in warm.values()):
            raise RuntimeError(f"warm-up failed: {[t.errors for t in warm.values()]}")
        jobs = []
        names = list(loads)
        for i in range(requests):
            name = names[i % len(names)]
            jobs.append((name, loads[name].one, QUESTIONS[i % len(QUESTIONS)],
                         (i // len(names)) % FEEDBACK_EVERY == 0))
        started = time.perf_counter()
        drive(jobs, workers, time.monotonic() + seconds, tallies)
        wall = time.perf_counter() - started
        sent = {name: t.feedback_sent for name, t in tallies.items()}
        deadline = time.monotonic() + 15  # Slack records feedback after its ack
        while True:
            recorded, corrupt = read_feedback(data_dir / "feedback.jsonl")
            if all(recorded.get(n, 0) >= sent[n] for n in sent) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        audit = data_dir / "audit.jsonl"
        result = {
            "requests": requests, "workers": workers, "seconds_limit": seconds,
            "startup_s": round(startup, 1), "wall_s": round(wall, 1),
            "targets": {n: t.summary(wall) for n, t in tallies.items()},
            "feedback": {n: {"sent": sent[n], "recorded": recorded.get(n, 0),
                             "lost": sent[n] - recorded.get(n, 0)} for n in sent},
            "feedback_corrupt_lines": corrupt,
            "audit_lines": len(audit.read_text().splitlines()) if audit.exists() else 0,
            "server_exit": {n: s.proc.poll() for n, s in servers.items()},
        }
    finally:
        for s in servers.values():
            s.stop()
        fake.stop()
    return result


def report(result: dict) -> str:
    lines = [(f"load: {result['requests']} requests, {result['workers']} workers, limit "
              f"{result['seconds_limit']:g} s; ran {result['wall_s']} s "
              f"(servers up in {result['startup_s']} s)")]
    lines.append(f"{'':6s} {'ok':>5s} {'errors':>6s} {'not run':>7s} {'p50 ms':>8s} "
                 f"{'p95 ms':>8s} {'max ms':>8s} {'req/s':>6s}  feedback sent/recorded/lost")
    for name, t in result["targets"].items():
        fb = result["feedback"][name]
        lines.append(f"{name:6s} {t['ok']:5d} {t['errors']:6d} {t['not_run']:7d} "
                     f"{t['p50_ms'] or 0:8.1f} {t['p95_ms'] or 0:8.1f} {t['max_ms'] or 0:8.1f} "
                     f"{t['per_second'] or 0:6.2f}  {fb['sent']}/{fb['recorded']}/{fb['lost']}")
        lines += [f"   error: {e}" for e in t["error_samples"]]
    lines.append(f"feedback file: {result['feedback_corrupt_lines']} corrupt lines; audit log: "
                 f"{result['audit_lines']} answers recorded")
    return "\n".join(lines)


def passed(result: dict) -> bool:
    return (all(t["errors"] == 0 for t in result["targets"].values())
            and all(f["lost"] == 0 for f in result["feedback"].values())
            and result["feedback_corrupt_lines"] == 0
            and all(code is None for code in result["server_exit"].values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="questions in all (split "
                        "evenly between the interfaces)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent senders")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="no new question after this many seconds")
    parser.add_argument("--targets", default="web,slack", help="web, slack or web,slack")
    parser.add_argument("--workdir", type=Path, help="keep index, logs and feedback here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="load-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = run_load(args.requests, args.workers, args.seconds, targets, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report(result))
    if args.json:
        print(json.dumps(result))
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main())
