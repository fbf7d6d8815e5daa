import os

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.pg_cluster import PostgresCluster, find_postgres_bin

pytestmark = pytest.mark.postgres


async def test_cluster_serves_separate_databases_and_cleans_up() -> None:
    bindir = find_postgres_bin()
    if bindir is None:
        # CI installs PostgreSQL, so there a missing server is a broken setup, not a reason to skip.
        if os.environ.get("CI") == "true":
            pytest.fail("no PostgreSQL server binaries found, and CI=true")
        pytest.skip("no PostgreSQL server binaries found (install Debian's postgresql)")

    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        datadir = cluster.datadir
        assert datadir.is_dir()
        for name in ("plg_one", "plg_two"):
            url = cluster.create_database(name)
            assert url == f"postgresql+asyncpg://plgbot@127.0.0.1:{cluster.port}/{name}"
            engine = create_async_engine(url)
            try:
                async with engine.connect() as conn:
                    assert (await conn.execute(text("select 1"))).scalar_one() == 1
                    current = await conn.execute(text("select current_database()"))
                    assert current.scalar_one() == name
            finally:
                await engine.dispose()
    finally:
        cluster.stop()

    assert not datadir.exists()
    assert cluster.tmpdir is None
