"""A fleet synthesized by two processes gives the same files, in the same order, as one process."""

from __future__ import annotations

import queue

import pytest
import yaml

from bench.benchmark import fleet, shipped_environments
from conftest import environment
from jupyterhub_cdk8s.synth import _work, manifests


@pytest.fixture(scope="module")
def environments(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet")
    templates = {name: yaml.safe_load(text) for name, text in shipped_environments().items()}
    # Enough environments that the worker, ready about a second after the parent, takes some.
    members = fleet(templates, 6 * len(templates))
    return [environment(yaml.safe_dump(data), folder, name) for name, data in members.items()]


def test_two_processes_write_what_one_writes(environments):
    alone = manifests(environments, fan_out=False)
    shared = manifests(environments, fan_out=True)

    assert [(m.path, m.text) for m in shared] == [(m.path, m.text) for m in alone]
    assert len({m.path.split("/")[0] for m in alone}) == len(environments) + 1  # every workload folder, and argocd/


def test_the_worker_answers_each_environment_it_takes_then_none(environments):
    tasks, results = queue.Queue(), queue.Queue()
    for task in [(7, environments[0]), (3, environments[1]), None]:
        tasks.put(task)
    _work(tasks, results)
    messages = [results.get_nowait() for _ in range(results.qsize())]
    assert [message and message[0] for message in messages] == [7, 3, None]
    workload, _argocd = messages[0][1]
    assert workload[0].path.startswith(f"{environments[0].name}/") and workload[0].text


def test_the_worker_reports_its_failure_instead_of_a_result():
    tasks, results = queue.Queue(), queue.Queue()
    tasks.put((0, "not an environment"))
    _work(tasks, results)
    index, error = results.get_nowait()
    assert index is None and "AttributeError" in error
    assert results.empty()
