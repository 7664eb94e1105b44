"""A fleet synthesized by two processes gives the same files, in the same order, as one process."""

from __future__ import annotations

import os
import queue

import pytest
import yaml
from support.synthesis import environment

from bench.benchmark import fleet, shipped_environments
from jupyterhub_cdk8s.helper_process import FAN_OUT_MIN, Helper, _work, helper_for
from jupyterhub_cdk8s.synth import manifests


@pytest.fixture(scope="module")
def environments(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet")
    templates = {name: yaml.safe_load(text) for name, text in shipped_environments().items()}
    members = fleet(templates, 6 * len(templates))
    return [environment(yaml.safe_dump(data), folder, name) for name, data in members.items()]


@pytest.mark.output
def test_two_processes_write_what_one_writes(environments):
    alone = manifests(environments)
    shared = manifests(environments, Helper().share)

    assert [(m.path, m.text) for m in shared] == [(m.path, m.text) for m in alone]
    assert len({m.path.split("/")[0] for m in alone}) == len(environments) + 1  # every workload folder, and argocd/


@pytest.mark.output
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a helper is started only with a second core")
def test_a_helper_is_started_only_for_a_fleet():
    with helper_for(FAN_OUT_MIN - 1) as none:
        assert none is None
    with helper_for(FAN_OUT_MIN) as helper:
        assert isinstance(helper, Helper)
    # Never given work, it was told to stop and has exited.
    assert helper._process.exitcode == 0


@pytest.mark.unit
def test_the_helper_answers_each_environment_it_takes_then_none(environments):
    tasks, results = queue.Queue(), queue.Queue()
    for task in [(7, (environments[0], ())), (3, (environments[1], ())), None]:
        tasks.put(task)
    _work(tasks, results)
    messages = [results.get_nowait() for _ in range(results.qsize())]
    assert [message and message[0] for message in messages] == [7, 3, None]
    workload, _argocd, problems = messages[0][1]
    assert workload[0].path.startswith(f"{environments[0].name}/") and workload[0].text and problems == []


@pytest.mark.unit
def test_the_helper_checks_what_it_synthesizes_against_the_api_servers_rules(environments, monkeypatch):
    # The per-object check runs where the environment is synthesized, so a fleet shares it too (output_check.py).
    monkeypatch.setattr("jupyterhub_cdk8s.output_check.object_problems", lambda obj: [("metadata.name", "x", "bad")])
    tasks, results = queue.Queue(), queue.Queue()
    for task in [(0, (environments[0], ())), None]:
        tasks.put(task)
    _work(tasks, results)
    _index, (_workload, _argocd, problems) = results.get_nowait()
    # Reported once (the value is the same everywhere), at its first object, as no setting holds it.
    (problem,) = problems
    assert (problem.file, problem.path) == (environments[0].file, "")
    assert problem.message.endswith(
        "metadata.name 'x', which Kubernetes refuses: it bad (a bug of jupyterhub-cdk8s; please report it)"
    )


@pytest.mark.unit
def test_the_helper_reports_its_failure_instead_of_a_result():
    tasks, results = queue.Queue(), queue.Queue()
    tasks.put((0, ("not an environment", ())))
    _work(tasks, results)
    index, error = results.get_nowait()
    assert index is None and "AttributeError" in error
    assert results.get_nowait() is None
