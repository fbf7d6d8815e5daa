"""``my data`` through the real platform stacks. Slack: asked in a PLG channel with
``/plg``, the JSON file arrives in the person's DM (an upload cannot be ephemeral),
never in the channel. Teams: attached to the answer in the personal chat."""

from __future__ import annotations

import base64
import json

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import ANOUK, BRAM, Plgbot, link_plg_channel
from tests.teams.conftest import Teams, fixture


async def test_my_data_from_a_channel_arrives_as_a_file_in_my_dm(
    plgbot: Plgbot, slack: FakeSlack
) -> None:
    await link_plg_channel(plgbot)
    await plgbot.expect(
        "response_url", plgbot.command("told <@U0BRAM002|bram> our focus #focus", user=ANOUK)
    )
    await plgbot.expect("files.completeUploadExternal", plgbot.command("my data", user=ANOUK))
    [upload] = slack.uploads.values()
    assert upload.channel is not None and upload.channel.startswith("D")
    assert upload.filename.startswith("plgbot-my-data-") and upload.filename.endswith(".json")
    assert upload.content is not None
    data = json.loads(upload.content)
    assert data["person"]["platform_user_id"] == ANOUK
    assert [(i["direction"], i["origin"], i["knowledge"]) for i in data["interactions"]] == [
        ("out", "told", ["focus"])
    ]
    # Bram's own export holds the same interaction, seen from his side.
    await plgbot.expect("files.completeUploadExternal", plgbot.command("mijn gegevens", user=BRAM))
    bram = json.loads(list(slack.uploads.values())[-1].content or b"{}")
    assert [(i["direction"], i["origin"]) for i in bram["interactions"]] == [("in", "told")]


async def test_my_data_in_a_teams_personal_chat_is_attached_to_the_answer(teams: Teams) -> None:
    response = await teams.post(fixture("message_personal", text="my data"))
    assert response.status_code == 200, response.text
    [reply] = teams.connector.sent
    [card, attached] = reply.body["attachments"]
    assert attached["contentType"] == "application/json"
    assert attached["name"].startswith("plgbot-my-data-")
    assert "everything plgbot stores about you" in json.dumps(card["content"])
    head, _, encoded = attached["contentUrl"].partition(",")
    assert head == "data:application/json;base64"
    data = json.loads(base64.b64decode(encoded))
    assert data["person"]["display_name"] == "Chantal Bakker"
    assert data["interactions"] == []
