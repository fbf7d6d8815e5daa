"""The profile rules and the key-figure ranking on small networks built by hand, shaped
like the research's key figures (design.md, "Key figures and profiles")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.network.interactions import Origin
from bot.network.key_figures import (
    KeyFigure,
    Profile,
    Window,
    find_key_figures,
    network,
    reason,
)
from storage import Database
from storage.models import Person
from storage.school_settings import SchoolConfig, school_config, set_school_config
from tests.conftest import NOW
from tests.keyfigures.conftest import BENEFITS, DAY, FOCUS, OUTCOMES, PROCESS, Net

WINDOW = Window.ending(NOW, 12)


async def research_school(db: Database) -> Net:
    """anouk: super-sharer (3 of 4 colleagues both ways; focus, process, benefits).
    sanne: interactor (2 of 5 both ways; only results). dirk: sender (5 colleagues, all
    one way out). rita: receiver (3 colleagues who tell her; she tells nobody)."""
    net = await Net(db).people(
        "anouk", "sanne", "dirk", "rita", *(f"c{n:02d}" for n in range(1, 17))
    )
    await net.both("anouk", ["c01", "c02", "c03"], knowledge=FOCUS | PROCESS | BENEFITS)
    await net.edges([("anouk", "c04")], knowledge=OUTCOMES)
    await net.both("sanne", ["c05", "c06"], knowledge=OUTCOMES)
    await net.edges([("sanne", "c07")], knowledge=OUTCOMES)
    await net.edges([("c08", "sanne"), ("c09", "sanne")])
    await net.edges([("dirk", f"c{n:02d}") for n in range(10, 15)], knowledge=OUTCOMES)
    await net.edges([("c15", "rita"), ("c16", "rita"), ("c01", "rita")])
    return net


async def key_figures(net: Net, window: Window = WINDOW, **kw: bool) -> list[KeyFigure]:
    async with net.db.session() as session:
        config = await school_config(session, net.school_id)
        return await find_key_figures(session, net.school_id, window, config, **kw)


async def profiles(net: Net) -> dict[str, Profile | None]:
    async with net.db.session() as session:
        config = await school_config(session, net.school_id)
        found = await network(session, net.school_id, WINDOW, config)
    names = {v: k for k, v in net.ids.items()}
    return {names[p]: place.profile for p, place in found.places.items()}


async def test_the_research_profiles_are_found(db: Database) -> None:
    net = await research_school(db)
    found = await profiles(net)
    assert found["anouk"] is Profile.SUPER_SHARER
    assert found["sanne"] is Profile.INTERACTOR_BASIC
    assert found["dirk"] is Profile.SENDER
    assert found["rita"] is Profile.RECEIVER
    # Colleagues with one two-way tie are r = 1 but shared nothing: interactors.
    assert found["c05"] is Profile.INTERACTOR_BASIC


@pytest.mark.parametrize("from_contacts", [True, False])
async def test_key_figures_are_ranked_by_degree_then_reciprocal_ties(
    db: Database, from_contacts: bool
) -> None:
    net = await research_school(db)
    figures = await key_figures(net, from_contacts=from_contacts)
    # sanne and dirk both reach 5 colleagues; sanne has 2 two-way ties, dirk none.
    assert [(k.handle, k.place.metrics.degree, k.profile) for k in figures] == [
        ("sanne", 5, Profile.INTERACTOR_BASIC),
        ("dirk", 5, Profile.SENDER),
        ("anouk", 4, Profile.SUPER_SHARER),
    ]
    anouk = figures[2].place.metrics
    assert (anouk.out_ties, anouk.in_ties, anouk.reciprocal_ties, anouk.interactions) == (
        4,
        3,
        3,
        7,
    )


async def test_the_reason_says_why(db: Database) -> None:
    net = await research_school(db)
    _, dirk, anouk = await key_figures(net)
    assert reason("en", anouk.place, 12) == (
        "4 colleagues, 3 reciprocal; shared focus, process, results, benefits in the last 12 weeks"
    )
    assert reason("en", dirk.place, 12).endswith("in the last 12 weeks; 5 out, 0 in")
    assert reason("nl", dirk.place, 12).startswith("5 collega's, 0 wederzijds; deelde resultaten")


async def test_an_interactor_is_advanced_by_what_or_how_they_share(db: Database) -> None:
    net = await research_school(db)
    # Focus as well as process and results makes sanne advanced...
    await net.edges([("sanne", "c05")], knowledge=FOCUS | PROCESS)
    assert (await profiles(net))["sanne"] is Profile.INTERACTOR_ADVANCED
    dirk_like = await Net(db, tenant="kinds").people("kim", "a", "b", "c")
    # ...and so does sharing through three kinds of activity, whatever the types.
    await dirk_like.both("kim", ["a"])
    await dirk_like.edges([("kim", "b")], origin=Origin.MENTION)
    await dirk_like.edges([("kim", "c")], origin=Origin.THREAD_REPLY)
    figures = await key_figures(dirk_like)
    kim = next(k for k in figures if k.handle == "kim")
    assert kim.profile is Profile.INTERACTOR_ADVANCED
    assert kim.place.activities.kinds == 3
    assert "3 activity kinds (conversations, channel posts, question threads)" in reason(
        "en", kim.place, 12
    )


async def test_a_super_sharer_needs_focus_process_and_benefits(db: Database) -> None:
    net = await Net(db).people("anouk", "a", "b")
    await net.both("anouk", ["a", "b"], knowledge=FOCUS | PROCESS | OUTCOMES)
    assert (await profiles(net))["anouk"] is Profile.INTERACTOR_ADVANCED
    await net.edges([("anouk", "a")], knowledge=BENEFITS)
    assert (await profiles(net))["anouk"] is Profile.SUPER_SHARER


async def test_reciprocity_exactly_at_the_threshold_counts(db: Database) -> None:
    # 3 of 10 colleagues both ways: r = 0.3, which is an interactor, not a sender.
    net = await Net(db).people("ida", *(f"p{n}" for n in range(10)))
    await net.both("ida", ["p0", "p1", "p2"])
    await net.edges([("ida", f"p{n}") for n in range(3, 10)])
    assert (await profiles(net))["ida"] is Profile.INTERACTOR_BASIC


async def test_ties_are_broken_by_interactions_then_name(db: Database) -> None:
    net = await Net(db).people("bob", "amy", "cas", "x1", "x2", "y1", "y2", "z1", "z2")
    # Each reaches two colleagues one way; cas talks most, amy and bob equally.
    await net.edges([("bob", "x1"), ("bob", "x2"), ("amy", "y1"), ("amy", "y2")])
    await net.edges([("cas", "z1"), ("cas", "z2")], times=3)
    figures = await key_figures(net)
    assert [k.handle for k in figures] == ["cas", "amy", "bob"]
    assert [k.place.metrics.interactions for k in figures] == [6, 2, 2]


async def test_people_level_with_the_last_key_figure_are_weighed_too(db: Database) -> None:
    # Five people tie on degree and reciprocal ties; the one with most interactions
    # is ranked above the rest although the database returns them in id order.
    net = await Net(db).people("a1", "a2", "a3", "a4", "a5", "t1", "t2")
    for person in ("a1", "a2", "a3", "a4", "a5"):
        await net.edges([(person, "t1"), (person, "t2")], times=2 if person == "a5" else 1)
    figures = await key_figures(net)
    # t1 and t2 each have 5 colleagues; then a5 (4 interactions) before a1 and a2.
    assert [k.handle for k in figures] == ["t1", "t2", "a5"]


async def test_an_empty_window_has_no_key_figures(db: Database) -> None:
    net = await Net(db).people("a", "b")
    assert await key_figures(net) == []
    await net.edges([("a", "b")], at=NOW - timedelta(weeks=13))
    assert await key_figures(net) == []
    assert (await profiles(net)) == {}
    assert len(await key_figures(net, Window.ending(NOW, 14))) == 2


async def test_thresholds_and_counts_are_the_schools_own(db: Database) -> None:
    net = await research_school(db)
    async with db.session() as session:
        await set_school_config(
            session,
            net.school_id,
            {
                "super_sharer_reciprocity": "0.8",
                "key_figures": "4",
                "interactor_activity_kinds": "1",
            },
        )
    figures = await key_figures(net)
    assert [k.handle for k in figures] == ["sanne", "dirk", "anouk", "rita"]
    by_handle = {k.handle: k.profile for k in figures}
    # r = 0.75 is below the school's 0.8; one activity kind now makes an advanced one.
    assert by_handle["anouk"] is Profile.INTERACTOR_ADVANCED
    assert by_handle["sanne"] is Profile.INTERACTOR_ADVANCED
    async with db.session() as session:
        await set_school_config(session, net.school_id, {"window_weeks": "1"})
        config = await school_config(session, net.school_id)
    assert config == SchoolConfig(
        window_weeks=1, key_figures=4, super_sharer_reciprocity=0.8, interactor_activity_kinds=1
    )


async def test_opted_out_people_are_neither_key_figures_nor_counted(db: Database) -> None:
    net = await research_school(db)
    await net.edges([("c10", "sanne")])
    async with db.session() as session:
        for handle in ("sanne", "c10"):
            person = await session.get(Person, net.ids[handle])
            assert person is not None
            person.opted_out_at = NOW - DAY
    figures = await key_figures(net)
    assert [k.handle for k in figures] == ["anouk", "dirk", "rita"]
    # dirk's tie to c10 left with c10.
    assert figures[1].place.metrics.degree == 4
    assert figures[1].place.metrics.interactions == 4
