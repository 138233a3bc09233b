"""slack/manifest.yaml asks Slack for what the bot handles, and for nothing it does not."""

from pathlib import Path

import yaml

from assistant.interfaces.slack_app import SLASH_COMMAND
from assistant.interfaces.slack_http import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parent.parent / "slack" / "manifest.yaml"


def test_manifest_matches_the_bot():
    m = yaml.safe_load(MANIFEST.read_text())
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert scopes == {"app_mentions:read", "chat:write", "im:history", "im:read",
                      "channels:history", "groups:history", "commands"}
    events = m["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {"app_mention", "message.im"}
    assert m["settings"]["interactivity"]["is_enabled"] is True
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    for url in (events["request_url"], m["settings"]["interactivity"]["request_url"],
                command["url"]):
        assert url.endswith(EVENTS_PATH)
