"""A job's S3 outputs are located only where Bedrock puts that job's own, and nowhere wider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.outputs.locations import OutputLocation, is_own_key, locate_outputs

ARN_PREFIX = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/"
JOB_ID = "a1b2c3d4e5f6"
JOB_ARN = f"{ARN_PREFIX}{JOB_ID}"
ALLOWED = frozenset({"eval-results"})


def located(s3_uri: str, job_name: str = "nightly-eval", job_arn: str = JOB_ARN) -> OutputLocation:
    location = locate_outputs(s3_uri, job_name, job_arn, ALLOWED)
    assert isinstance(location, OutputLocation), location
    return location


def kept_because(s3_uri: str, job_name: str = "nightly-eval", job_arn: str = JOB_ARN) -> str:
    reason = locate_outputs(s3_uri, job_name, job_arn, ALLOWED)
    assert isinstance(reason, str), reason
    return reason


@pytest.mark.parametrize(
    ("s3_uri", "prefix"),
    [
        ("s3://eval-results", f"nightly-eval/{JOB_ID}/"),
        ("s3://eval-results/", f"nightly-eval/{JOB_ID}/"),
        ("s3://eval-results/team-a", f"team-a/nightly-eval/{JOB_ID}/"),
        ("s3://eval-results/team-a/", f"team-a/nightly-eval/{JOB_ID}/"),
        ("s3://eval-results/team-a/Q3_runs(v2)", f"team-a/Q3_runs(v2)/nightly-eval/{JOB_ID}/"),
        # A dot inside a segment is an ordinary character; only a whole `.` or `..` moves.
        ("s3://eval-results/v1.2/...x", f"v1.2/...x/nightly-eval/{JOB_ID}/"),
    ],
)
def test_the_prefix_is_the_uris_path_then_the_job_name_then_its_id(s3_uri: str, prefix: str) -> None:
    assert located(s3_uri) == OutputLocation("eval-results", prefix)


def test_a_bucket_not_in_output_buckets_keeps_the_outputs() -> None:
    assert kept_because("s3://other-bucket/team-a/") == "bucket other-bucket is not in outputBuckets"


@pytest.mark.parametrize(
    "s3_uri",
    [
        "",
        "eval-results/team-a",
        "s3:/eval-results/team-a",
        "https://eval-results.s3.amazonaws.com/team-a",
        "S3://eval-results/team-a",
        "s3://Eval-Results/team-a",
        "s3://eval-results//team-a",
        "s3://eval-results/team-a//",
        "s3://eval-results/team a",
        "s3://eval-results/team-a/\n",
        "s3://eval-results/team-a\n",
        "s3://eval-results/tëam",
        "s3://eval-results/team%2Fa",
        "s3://eval-results/team-a?versionId=1",
        "s3://ab",
    ],
)
def test_a_uri_outside_the_apis_pattern_keeps_the_outputs(s3_uri: str) -> None:
    assert "is not an S3 URI the janitor can read" in kept_because(s3_uri)


@pytest.mark.parametrize(
    "s3_uri",
    [
        "s3://eval-results/..",
        "s3://eval-results/../",
        "s3://eval-results/team-a/..",
        "s3://eval-results/team-a/../team-b",
        "s3://eval-results/.",
        "s3://eval-results/team-a/./",
    ],
)
def test_a_path_that_climbs_or_stays_put_keeps_the_outputs(s3_uri: str) -> None:
    # Each matches the API's pattern, so only the segment check stands between it and a prefix
    # that a normalising client would read as the parent folder (every other job's outputs).
    assert "'.' or '..' path segment" in kept_because(s3_uri)


@pytest.mark.parametrize(
    ("job_name", "job_arn"),
    [
        ("Nightly", JOB_ARN),
        ("nightly/eval", JOB_ARN),
        ("-nightly", JOB_ARN),
        ("nightly-", JOB_ARN),
        ("", JOB_ARN),
        ("a" * 64, JOB_ARN),
        ("nightly-eval\n", JOB_ARN),
    ],
)
def test_a_job_name_outside_bedrocks_pattern_keeps_the_outputs(job_name: str, job_arn: str) -> None:
    assert "cannot be part of a key safely" in kept_because("s3://eval-results/team-a", job_name, job_arn)


@pytest.mark.parametrize(
    "job_arn",
    [
        f"{ARN_PREFIX}A1B2C3D4E5F6",
        f"{ARN_PREFIX}a1b2c3d4e5f",
        f"{ARN_PREFIX}a1b2c3d4e5f6/x",
        f"{ARN_PREFIX}..",
        f"{JOB_ARN}\n",
        "arn:aws:bedrock:us-east-1:123456789012:model-evaluation-job/a1b2c3d4e5f6",
        JOB_ID,
    ],
)
def test_an_arn_that_is_not_an_evaluation_jobs_keeps_the_outputs(job_arn: str) -> None:
    assert "is not an evaluation job's ARN" in kept_because("s3://eval-results/team-a", job_arn=job_arn)


def test_only_keys_under_the_jobs_own_folder_are_its_own() -> None:
    location = located("s3://eval-results/team-a/", "run-1")

    assert is_own_key(location, f"team-a/run-1/{JOB_ID}/datasets/Builtin.BoolQ/output.jsonl")
    assert is_own_key(location, f"team-a/run-1/{JOB_ID}/custom_metrics")
    assert not is_own_key(location, "team-a/shared.jsonl")
    assert not is_own_key(location, f"team-a/run-1/{JOB_ID}")
    assert not is_own_key(location, "team-a/run-1/b1b2c3d4e5f6/models/output.jsonl")
    # A job whose name starts like this one's is a sibling, not a child.
    assert not is_own_key(location, f"team-a/run-10/{JOB_ID}/models/output.jsonl")
    assert not is_own_key(location, f"team-b/run-1/{JOB_ID}/models/output.jsonl")


def test_an_id_named_folder_can_nest_another_jobs_outputs_inside_this_jobs() -> None:
    # Job B's s3Uri points inside job A's `<path>/<jobName>/`, and B is named after A's id:
    # B's outputs then lie inside A's prefix, and deleting A's deletes B's. Only an output path
    # nested in another job's own folder can do this, which is why the property test below
    # allows exactly that case.
    a = located("s3://eval-results/team-a", "run-1", f"{ARN_PREFIX}{JOB_ID}")
    b = located("s3://eval-results/team-a/run-1", JOB_ID, f"{ARN_PREFIX}b00000000000")

    assert b.prefix.startswith(a.prefix)
    assert is_own_key(a, f"{b.prefix}models/output.jsonl")


# -- The property -------------------------------------------------------------------------------

BUCKETS = ["eval-results", "team-b.outputs", "scratch-0"]
#: Key segments Bedrock writes under a job's prefix, none of which can be a job id (12 characters
#: of [a-z0-9]): so a key of one job can reach into another's prefix only through its own prefix.
OUTPUT_SUFFIXES = st.lists(
    st.sampled_from(["datasets", "models", "custom_metrics", "Builtin.BoolQ", "output.jsonl", "1.json"]),
    min_size=1,
    max_size=3,
).map("/".join)


@dataclass(frozen=True)
class GeneratedJob:
    s3_uri: str
    bucket: str
    path: str
    name: str
    job_id: str

    @property
    def arn(self) -> str:
        return f"{ARN_PREFIX}{self.job_id}"


@st.composite
def layouts(draw: st.DrawFn) -> list[GeneratedJob]:
    """Jobs whose names, ids, buckets and path segments come from small shared pools, and whose
    output paths are often placed relative to an earlier job's: the same path, inside its
    `<path>/<name>/` folder, or inside its prefix. So shared paths, equal names with different
    ids, names equal to another job's id, and nested output paths all come up often."""
    ids = draw(st.lists(st.from_regex(r"[a-z0-9]{12}", fullmatch=True), min_size=1, max_size=4, unique=True))
    names = draw(
        st.lists(st.from_regex(r"[a-z0-9](-*[a-z0-9]){0,8}", fullmatch=True), min_size=1, max_size=4)
    )
    # A job may be named like an id (both are [a-z0-9]), which is what lets paths nest badly.
    names += draw(st.lists(st.sampled_from(ids), max_size=2))
    # Path segments may be `.`/`..`, which must be refused, and other jobs' names and ids.
    segment = st.one_of(
        st.sampled_from([*names, *ids, ".", "..", "Team_A", "v1.2", "x"]),
        st.from_regex(r"[-!_*'().a-z0-9A-Z]{1,6}", fullmatch=True),
    )
    jobs: list[GeneratedJob] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        extra = draw(st.lists(segment, max_size=3))
        name, job_id = draw(st.sampled_from(names)), draw(st.sampled_from(ids))
        placements = ["fresh", "same", "in-folder", "in-prefix", "named-after-its-id"]
        placement = draw(st.sampled_from(placements)) if jobs else "fresh"
        if placement == "fresh":
            bucket, parts = draw(st.sampled_from(BUCKETS)), extra
        else:
            base = draw(st.sampled_from(jobs))
            bucket, parts = base.bucket, [part for part in base.path.split("/") if part]
            if placement in ("in-folder", "in-prefix"):
                parts += [base.name, *([base.job_id] if placement == "in-prefix" else []), *extra]
            elif placement == "named-after-its-id":
                # Inside the base job's folder, named like its id: this job's outputs land in
                # the base job's prefix although its path does not.
                parts, name = [*parts, base.name], base.job_id
        path = "/".join(parts)
        trailing = draw(st.sampled_from(["", "/"]))
        s3_uri = f"s3://{bucket}/{path}{trailing}" if path else f"s3://{bucket}{trailing}"
        jobs.append(GeneratedJob(s3_uri, bucket, path, name, job_id))
    return jobs


@settings(max_examples=500)
@given(
    jobs=layouts(),
    allowed=st.sets(st.sampled_from(BUCKETS)),
    suffix=OUTPUT_SUFFIXES,
)
def test_a_located_prefix_is_the_jobs_own_folder_and_never_takes_another_jobs_keys(
    jobs: list[GeneratedJob], allowed: set[str], suffix: str
) -> None:
    """For any layout of jobs, output paths and listed buckets:

    - a job is located exactly when its bucket is listed and its path has no `.`/`..` segment;
    - its prefix is the s3Uri's own path, then its name, then its id, each followed by `/`, so
      strictly longer than the path, and its bucket is a listed one;
    - a key of another job (another name or another id) in the same bucket is never this job's
      own, in particular when the two share one s3Uri path, with one exception: nested output
      paths. When the other job's s3Uri path lies inside this job's `<path>/<name>/` folder,
      its prefix can lie inside this job's prefix (see
      test_an_id_named_folder_can_nest_another_jobs_outputs_inside_this_jobs), and its keys are
      then this job's own, as S3 itself would list them under this job's prefix.
    """
    locations = {job: locate_outputs(job.s3_uri, job.name, job.arn, allowed) for job in jobs}
    for job, location in locations.items():
        climbs = any(segment in (".", "..") for segment in job.path.split("/"))
        assert isinstance(location, OutputLocation) == (job.bucket in allowed and not climbs), location
        if not isinstance(location, OutputLocation):
            continue
        assert location.bucket == job.bucket
        assert location.bucket in allowed
        own_path = f"{job.path}/" if job.path else ""
        assert location.prefix == f"{own_path}{job.name}/{job.job_id}/"
        assert len(location.prefix) > len(job.path)
        assert is_own_key(location, f"{location.prefix}{suffix}")

        for other, other_location in locations.items():
            if (other.name, other.job_id) == (job.name, job.job_id) or other.bucket != job.bucket:
                continue
            other_path = f"{other.path}/" if other.path else ""
            other_key = f"{other_path}{other.name}/{other.job_id}/{suffix}"
            nested = other_path.startswith(f"{own_path}{job.name}/")
            if other.path == job.path:
                assert not is_own_key(location, other_key)
            if not nested:
                assert not is_own_key(location, other_key), (other, location)
            if isinstance(other_location, OutputLocation):
                assert is_own_key(location, other_key) == other_location.prefix.startswith(location.prefix)
