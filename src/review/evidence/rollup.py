"""Rollups: the heavy aggregations, written once as SQL and run by DuckDB or Apache Spark.

SQL is the shared language of the engines (DESIGN.md section 5). Each rollup in ROLLUPS is one
definition in DuckDB's dialect: DuckDB (embedded, the default) runs it as written; for Spark SQL
sqlglot translates it (`to_spark_sql`). Where sqlglot's translation would change the answer, the
Spark dialect below says what to write instead, so both engines give the same numbers
(tests/test_engines.py runs every rollup on both and compares them).

Inputs are tables by name: pandas frames, or Parquet files or folders (a folder may be
partitioned, `force=.../year=...`), or for Spark a URI its executors read (`s3a://...`). The rollups read the review period's tables as
`review.evidence.metrics.period.slice_period` makes them: the canonical columns plus the local-time
columns (`*_local`, naive Europe/London wall clock), `response_minutes` and `is_staffed`, which
are defined once there, so the SQL needs no timezone support. Outputs are pandas frames.

Parameters are named (`$target` in the SQL) and bound by the engine, never pasted into the text.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from review.runner import timings
from review.errors import ReviewError
from review.paths import PACKAGE_DIR

if TYPE_CHECKING:  # the config imports nothing from here; only for the type hints
    from review.config import SparkSettings

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"


def _response_times(keys: list[str], sets: str) -> str:
    """P3's response-time rollup over the grouping sets `sets` of the key columns `keys` (NULL in
    a key column means "all"), in the key columns' order, the totals first."""
    return _RESPONSE.format(keys=", ".join(keys), sets=sets, order=", ".join(f"{k} NULLS FIRST" for k in keys))


_RESPONSE = """
        SELECT {keys}, contacts_count, needing_response_count, answered_count,
               answered_in_target_count,
               quantiles[1] AS response_median_minutes,
               quantiles[2] AS response_p90_minutes
        FROM (
            SELECT {keys},
                   count(*)                                              AS contacts_count,
                   count(*) FILTER (WHERE needs_response)                AS needing_response_count,
                   count(response_minutes)                               AS answered_count,
                   count(*) FILTER (WHERE needs_response AND response_minutes <= $target)
                                                                         AS answered_in_target_count,
                   -- the median and the 90th percentile from one sort of the values
                   quantile_cont(response_minutes, [0.5, 0.9])           AS quantiles
            FROM contacts
            GROUP BY GROUPING SETS ({sets})
        )
        ORDER BY {order}
    """

ROLLUPS: dict[str, str] = {
    # P1: one row per account and month of publication.
    "posts_by_account_month": """
        SELECT account_id,
               date_trunc('month', published_local)      AS month,
               count(*)                                  AS posts_count,
               sum(impressions)                          AS impressions_count,
               sum(reach)                                AS reach_count,
               sum(engagements)                          AS engagements_count,
               sum(CASE WHEN impressions IS NOT NULL AND engagements IS NOT NULL
                        THEN impressions END)            AS rated_impressions_count,
               sum(CASE WHEN impressions IS NOT NULL AND engagements IS NOT NULL
                        THEN engagements END)            AS rated_engagements_count
        FROM posts
        GROUP BY ALL
        ORDER BY account_id, month
    """,
    # P3: response times for each account (is_staffed NULL), and in and out of staffed hours and
    # in all (account_id NULL; is_staffed NULL is the grand total). Quantiles are exact and
    # interpolate linearly between the two nearest values (as pandas' quantile does) on both engines.
    "response_by_account": _response_times(["account_id", "is_staffed"], "(account_id), (is_staffed), ()"),
    # P3: the same for the desk as a whole alone (the like-for-like comparison's values): each
    # grouping set sorts the year's response times again (size L: half the CPU of the one above).
    "response_overall": _response_times(["is_staffed"], "(is_staffed), ()"),
    # P3: response times by the platform of the account a message went to (messages to accounts
    # missing from the register are left out, as a pandas group-by on platform leaves them).
    "response_by_platform": """
        SELECT platform, contacts_count, needing_response_count, answered_in_target_count,
               quantiles[1] AS response_median_minutes,
               quantiles[2] AS response_p90_minutes,
               staffed_median_minutes, unstaffed_median_minutes
        FROM (
            SELECT a.platform,
                   count(*)                                              AS contacts_count,
                   count(*) FILTER (WHERE c.needs_response)              AS needing_response_count,
                   count(*) FILTER (WHERE c.response_minutes <= $target) AS answered_in_target_count,
                   quantile_cont(c.response_minutes, [0.5, 0.9])         AS quantiles,
                   median(c.response_minutes) FILTER (WHERE c.is_staffed)
                                                                         AS staffed_median_minutes,
                   median(c.response_minutes) FILTER (WHERE NOT c.is_staffed)
                                                                         AS unstaffed_median_minutes
            FROM contacts AS c
            JOIN accounts AS a ON c.account_id = a.account_id
            GROUP BY a.platform
        )
        ORDER BY platform
    """,
    # P3: inbound messages by platform and kind.
    "contacts_by_platform_kind": """
        SELECT a.platform, c.kind, count(*) AS contacts_count
        FROM contacts AS c
        JOIN accounts AS a ON c.account_id = a.account_id
        GROUP BY a.platform, c.kind
        ORDER BY a.platform, c.kind
    """,
    # P3: what came of inbound messages (NULL: still open).
    "contacts_by_outcome": """
        SELECT outcome, count(*) AS contacts_count
        FROM contacts
        GROUP BY outcome
        ORDER BY outcome NULLS LAST
    """,
    # P3: the hour-of-week profile of inbound messages (weekday: Monday = 0).
    "contacts_by_weekday_hour": """
        SELECT isodow(received_local) - 1 AS weekday,
               hour(received_local)       AS hour,
               count(*)                   AS contacts_count
        FROM contacts
        GROUP BY ALL
        ORDER BY weekday, hour
    """,
    # P2: each critical incident's response, from its declaration: minutes to the first post,
    # posts in the first $first_hours hours, all posts, their impressions and reach. Posts before
    # the declaration (routine posts tagged to the incident later) are not a response. Minutes
    # come from whole microseconds, so both engines round the same way.
    "critical_incident_timeline": """
        SELECT p.critical_incident_id,
               CAST(min(date_diff('microsecond', ci.declared_at, p.published_at)) AS DOUBLE) / 60000000
                                                                     AS first_post_minutes,
               count(*) FILTER (WHERE date_diff('microsecond', ci.declared_at, p.published_at)
                                      <= $first_hours * 3600000000)  AS posts_first_hours_count,
               count(*)                                              AS posts_count,
               sum(p.impressions)                                    AS impressions_count,
               sum(p.reach)                                          AS reach_count
        FROM posts AS p
        JOIN critical_incidents AS ci ON p.critical_incident_id = ci.critical_incident_id
        WHERE p.published_at >= ci.declared_at
        GROUP BY p.critical_incident_id
        ORDER BY p.critical_incident_id
    """,
}


# --- the Spark dialect: sqlglot's, with the fixes our rollups need ----------------------------------


def _spark_dialect():
    """sqlglot's Spark dialect with two translations corrected.

    - `quantile_cont(x, q)` becomes Spark's exact `percentile(x, q)`: sqlglot writes
      `PERCENTILE_CONT(x, q)`, which Spark rejects, and its WITHIN GROUP form becomes the
      approximate `percentile_approx`. Both engines interpolate linearly, so they agree exactly.
    - `isodow(ts)` becomes `extract(DAYOFWEEK_ISO FROM ts)` (Monday 1 ... Sunday 7): sqlglot's
      `(dayofweek(ts) % 7) + 1` assumes a Sunday-0 `dayofweek`; Spark's counts Sunday as 1.
    """
    from sqlglot import exp
    from sqlglot.dialects.spark import Spark

    class _Generator(Spark.Generator):
        TRANSFORMS = {
            **Spark.Generator.TRANSFORMS,
            exp.PercentileCont: lambda self, e: self.func("PERCENTILE", e.this, e.expression),
            exp.DayOfWeekIso: lambda self, e: f"EXTRACT(DAYOFWEEK_ISO FROM {self.sql(e, 'this')})",
        }

    class ReviewSpark(Spark):
        Generator = _Generator

    return ReviewSpark


def to_spark_sql(sql: str) -> str:
    """The same query in Spark SQL. Named parameters `$name` become Spark's `:name`."""
    import sqlglot
    from sqlglot.errors import ParseError

    try:
        statements = sqlglot.transpile(sql, read="duckdb", write=_spark_dialect())
    except ParseError as exc:
        raise ReviewError(f"SQL error: {_first_lines(str(exc))}") from None
    if len(statements) != 1:
        raise ReviewError(f"SQL error: expected one statement, got {len(statements)}")
    return statements[0]


# --- running SQL ------------------------------------------------------------------------------------

Source = pd.DataFrame | Path | str  # or a review.evidence.metrics.period.ParquetSlice (a period of a Parquet table)


def run_sql(
    sql: str,
    tables: Mapping[str, Source],
    params: dict | None = None,
    engine: str | None = None,
    spark: SparkSettings | None = None,
    typed: bool = False,
) -> pd.DataFrame:
    """Run one query (DuckDB dialect) over the tables by name; the result as a pandas frame.

    A table is a pandas frame, or the path of a Parquet file or of a folder of Parquet files
    (partition folders such as `force=X/year=2025` become columns), or for Spark only a URI
    (`s3a://bucket/store/contacts`, `file:///shared/...`) read by its executors. `engine` is "duckdb"
    (the default) or "spark"; `spark` says where Spark runs (`local[*]` unless set).
    Bad SQL raises a ReviewError naming the engine and what it could not understand.
    `typed` (for analysts): integer results stay integers, nullable Int64 where some are
    missing, where the engines' own conversion turns a sum or a column with gaps into floats.
    """
    engine = check_engine(engine or DEFAULT_ENGINE)
    if engine == "duckdb":
        return _run_duckdb(sql, tables, params or {}, typed)
    return _run_spark(sql, tables, params or {}, spark, typed)


def run_rollup(
    name: str,
    params: dict | None = None,
    *,
    engine: str | None = None,
    spark: SparkSettings | None = None,
    **tables: Source,
) -> pd.DataFrame:
    """Run one named rollup over the given tables (each registered under its keyword name)."""
    if name not in ROLLUPS:
        raise KeyError(f"no rollup {name!r}; the rollups are {', '.join(ROLLUPS)}")
    # timed for `make bench` (review.runner.timings): a no-op outside a run's stage
    return timings.timed("rollup", run_sql, ROLLUPS[name], tables, params, engine, spark)


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ReviewError(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    return engine


def _run_duckdb(sql: str, tables: Mapping[str, Source], params: dict, typed: bool = False) -> pd.DataFrame:
    with duckdb.connect() as con:
        for name, source in tables.items():
            if isinstance(source, pd.DataFrame):
                con.register(name, source)
            elif hasattr(source, "sql"):  # a ParquetSlice: read in place, never whole
                con.execute(f'CREATE TEMP VIEW "{name}" AS {source.sql}')
            elif _is_uri(source):
                raise ReviewError(f"table {name}: {source} is a URI, which the spark engine reads (on a cluster); "
                                  "DuckDB reads files on this machine: give their path")
            else:
                path = Path(source)
                pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
                con.read_parquet(pattern, hive_partitioning=path.is_dir()).create_view(name)
        try:
            # Only the parameters the query names: DuckDB refuses unused ones.
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            if typed:
                relation = con.sql(sql, params=used or None)
                return pd.DataFrame() if relation is None else _integers_kept(relation.to_arrow_table())
            return con.execute(sql, used).df()
        except duckdb.Error as exc:
            raise ReviewError(f"SQL error (duckdb): {_first_lines(str(exc))}") from None


def _integers_kept(table) -> pd.DataFrame:
    """An Arrow result as pandas with integers kept: DuckDB's sums of integers (HUGEINT, which
    Arrow holds as a decimal of scale 0) become int64, and an integer column with gaps becomes
    nullable Int64 rather than float64. A sum too large for int64 is an error, never rounded."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type) and field.type.scale == 0:
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_integer(field.type) and table.column(field.name).null_count:
            frame[field.name] = table.select([field.name]).to_pandas(types_mapper=lambda t: pd.Int64Dtype())[field.name]
    return frame


def _run_spark(sql: str, tables: Mapping[str, Source], params: dict, settings: SparkSettings | None,
               typed: bool = False) -> pd.DataFrame:
    from pyspark.errors import PySparkException

    spark_sql = to_spark_sql(sql)
    session = spark_session(settings)
    with _quiet_pandas_warnings():
        names = []
        try:
            for name, source in tables.items():
                if hasattr(source, "sql"):  # a ParquetSlice: Spark takes the period as a frame
                    source = source.frame()
                frame = (
                    session.createDataFrame(source) if isinstance(source, pd.DataFrame)
                    # a URI (s3a://, hdfs://, file://...): Spark's executors read it themselves
                    else session.read.parquet(source) if _is_uri(source)
                    else _read_parquet_spark(session, Path(source))
                )
                frame.createOrReplaceTempView(name)
                names.append(name)
            used = {k: v for k, v in params.items() if f":{k}" in spark_sql}
            result = session.sql(spark_sql, args=used or None)
            frame = _like_duckdb(result.toPandas())
            # Spark Connect hangs the query's plan metrics on the frame (attrs), which pyarrow
            # cannot write to Parquet; a DuckDB result carries none.
            frame.attrs = {}
            if typed:  # Spark's integers with gaps arrive as floats
                from pyspark.sql.types import IntegralType

                for field in result.schema.fields:
                    if isinstance(field.dataType, IntegralType) and frame[field.name].isna().any():
                        frame[field.name] = frame[field.name].astype("Int64")
            return frame
        except PySparkException as exc:
            raise ReviewError(f"SQL error (spark): {_first_lines(str(exc))}") from None
        finally:
            for name in names:
                session.catalog.dropTempView(name)


def _is_uri(source) -> bool:
    """A table given as a URI for Spark's file systems (`s3a://bucket/store/contacts`, `hdfs://...`,
    `file:///shared/store/contacts`), not a path on this machine."""
    return isinstance(source, str) and "://" in source


def _read_parquet_spark(session, path: Path):
    """A Parquet file or folder as a Spark frame.

    Spark reads timestamps in micro- or milliseconds only; pandas writes nanoseconds (as the
    canonical tables are). Such files are read through Arrow on the driver, timestamps cast to
    microseconds (an error, not a silent truncation, if any value has finer precision). Data
    meant for a cluster should be written with microsecond timestamps and is read by Spark itself.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning="hive" if path.is_dir() else None)
    nanos = [f.name for f in dataset.schema if pa.types.is_timestamp(f.type) and f.type.unit == "ns"]
    if not nanos:
        return session.read.parquet(str(path))
    table = dataset.to_table()
    for name in nanos:
        column = table.schema.field(name)
        table = table.set_column(
            table.schema.get_field_index(name), name, table[name].cast(pa.timestamp("us", column.type.tz))
        )
    return session.createDataFrame(table)


def _like_duckdb(frame: pd.DataFrame) -> pd.DataFrame:
    """Spark's result typed as DuckDB's would be, so nothing downstream depends on the engine:
    a true/false column with gaps (a grouping set's "all") is pandas' nullable boolean, not
    objects, and small integers (Spark's INT from hour() or extract()) are int64."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        is_flags = values.dtype == object and values.notna().any()
        if is_flags and values.map(lambda v: v is None or isinstance(v, bool)).all():
            out[column] = values.astype("boolean")
        elif pd.api.types.is_integer_dtype(values.dtype) and values.dtype != "int64":
            out[column] = values.astype("int64")
    return out


def _first_lines(message: str, lines: int = 3) -> str:
    """An engine's message without the Java stack trace."""
    head = message.split("JVM stacktrace:")[0].strip().splitlines()
    return "\n".join(head[:lines])


class _quiet_pandas_warnings(warnings.catch_warnings):
    """PySpark warns on every conversion that it does not yet fully support pandas 3, and uses
    a keyword pandas 3 deprecates; the parity test is what tells us whether the conversions we
    use are right."""

    def __enter__(self):
        super().__enter__()
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated", category=DeprecationWarning)


def pyspark_missing() -> ReviewError:
    """The error for the spark engine without PySpark installed."""
    return ReviewError("the spark engine needs PySpark, an optional extra: pip install 'policy-review[spark]' "
                       "(and Java 17 or later)")


# --- the Spark session ------------------------------------------------------------------------------

_session = None
_session_lock = threading.Lock()
LOG4J_CONFIG = PACKAGE_DIR / "spark-log4j2.properties"  # package data (pyproject.toml)
# Set by a run on a cluster (review.runner.spark_server) in its kernels' environment: the Spark
# Connect server the run started (sc://127.0.0.1:PORT), the one Spark application of the run, and
# the process id of its watchdog (gone: the server has stopped).
REMOTE_ENV = "REVIEW_SPARK_REMOTE"
SERVER_PID_ENV = "REVIEW_SPARK_SERVER_PID"
# How long a kernel waits for the run's Spark Connect server to answer: it starts while the data
# is checked, and registers with the cluster's master before it listens (13 s measured, more when busy).
SERVER_WAIT_S = 180


def spark_conf(settings: SparkSettings) -> dict[str, str]:
    """The Spark settings of review's driver: in this process (local mode, or a cluster from
    `review sql`), or the run's Spark Connect server (review.runner.spark_server). No web UI,
    only errors logged; the session time zone is UTC, so the naive local-time columns keep their
    wall-clock values through Spark. The config's `spark.conf` comes last and wins."""
    conf = {
        "spark.app.name": "policy-review",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        # Spark makes its warehouse folder in the working folder (the notebooks') otherwise.
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "policy-review-spark-warehouse"),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J_CONFIG}",
    }
    if settings.master.startswith("local"):
        conf |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    return conf | dict(settings.conf)


def spark_session(settings: SparkSettings | None = None):
    """The process's Spark session, started on first use with the config's settings.

    In a run on a cluster (REMOTE_ENV set) it is a Spark Connect session on the run's server, so
    every notebook shares one Spark application; otherwise a session of its own, in this process
    (spark_conf). A session already running is reused as it is (Spark cannot change its master
    once started).
    """
    global _session
    with _session_lock:
        if _session is not None and _alive(_session):
            return _session
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise pyspark_missing() from None
        from review.config import SparkSettings

        settings = settings or SparkSettings()
        remote = os.environ.get(REMOTE_ENV)
        if remote:
            _session = _connect(SparkSession, remote, settings)
        else:
            _session = _start(SparkSession, settings)
        # A failed query is reported by review itself (the SQL error, without the Java stack
        # trace); PySpark would also log it, as JSON with the whole trace, on stderr.
        from pyspark.logger import PySparkLogger

        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
        return _session


def _start(SparkSession, settings: SparkSettings):
    """A Spark driver in this process."""
    builder = SparkSession.builder.master(settings.master)
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, or a cluster that cannot be reached
        raise ReviewError(
            f"Spark could not start (master {settings.master}): {_first_lines(str(exc), 2)}. "
            "Spark needs Java 17 or later; scripts/setup.sh installs it."
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _connect(SparkSession, remote: str, settings: SparkSettings):
    """A Spark Connect session on the run's server, once it answers. The server was started with
    spark_conf; the session's own SQL settings are set again here, as a session may change them."""
    _wait_for_server(remote, settings.master)
    builder = SparkSession.builder.remote(remote)
    for key, value in spark_conf(settings).items():
        if key.startswith("spark.sql.") and key != "spark.sql.warehouse.dir":  # static: the server's
            builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except ImportError as exc:  # the connect client's packages (grpcio, ...): the spark extra
        raise ReviewError(f"the spark engine on a cluster needs Spark Connect's client: {exc}; "
                          "pip install 'policy-review[spark]'") from None
    except Exception as exc:
        raise ReviewError(
            f"Spark Connect server {remote} (master {settings.master}) refused the session: {_first_lines(str(exc), 2)}"
        ) from None


def _wait_for_server(remote: str, master: str, timeout: float | None = None) -> None:
    """Until the server at `remote` (sc://HOST:PORT) accepts connections; a ReviewError naming the
    master if it has stopped (its watchdog, SERVER_PID_ENV, is gone) or does not answer in time."""
    address = remote.removeprefix("sc://").split("/")[0]
    host, _, port = address.rpartition(":")
    watchdog = os.environ.get(SERVER_PID_ENV)
    deadline = time.monotonic() + (SERVER_WAIT_S if timeout is None else timeout)
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            return
        except OSError:
            pass
        if watchdog and not _process_alive(int(watchdog)):
            raise ReviewError(f"the Spark Connect server this run started for master {master} ({remote}) "
                              "stopped before it answered: the run's message says why")
        if time.monotonic() > deadline:
            raise ReviewError(f"the Spark Connect server for master {master} did not answer at {remote} "
                              f"within {SERVER_WAIT_S if timeout is None else timeout:.0f} s")
        time.sleep(0.25)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: the id was reused, ours is gone
        return False
    return True


def _alive(session) -> bool:
    """Whether a session can still run queries. A Spark Connect session has no SparkContext."""
    if type(session).__module__.startswith("pyspark.sql.connect"):
        return not session.is_stopped
    return session.sparkContext._jsc is not None


def stop_spark() -> None:
    """Stop the process's Spark session, if one was started (a Spark Connect session is closed;
    the run stops its server)."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.stop()
            _session = None
