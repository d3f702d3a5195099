"""common.cli: --checkpoint with deprecated aliases that say so."""

import argparse

import pytest

from common.cli import add_checkpoint_arg, checkpoint_task


@pytest.mark.parametrize("flag, warned", [("--checkpoint", False), ("--agent", True)])
def test_checkpoint_and_its_deprecated_alias_store_the_same(flag, warned, capsys):
    ap = argparse.ArgumentParser()
    add_checkpoint_arg(ap, "--agent", dest="agent", nargs="+", default=["oracle"])
    args = ap.parse_args([flag, "a.pt", "random"])
    assert args.agent == ["a.pt", "random"]
    err = capsys.readouterr().err
    assert ("--agent is deprecated; use --checkpoint" in err) == warned


def test_default_when_absent():
    ap = argparse.ArgumentParser()
    add_checkpoint_arg(ap, "--weights", dest="weights")
    assert ap.parse_args([]).weights is None


@pytest.mark.parametrize(("quick", "task_id", "checkpoint", "expected"), [
    (True, "8", {"config": {"task_id": "9"}}, "999"),  # --quick wins
    (False, "8", {"config": {"task_id": "9"}}, "8"),  # then the positional id
    (False, None, {"config": {"task_id": 9}}, "9"),  # then the checkpoint's own task
    (False, None, {"state_dict": {}}, "1"),  # a checkpoint without a config
    (False, None, None, "1"),  # no checkpoint (built-in agents only)
])
def test_checkpoint_task_is_one_rule(quick, task_id, checkpoint, expected):
    args = argparse.Namespace(quick=quick, task_id=task_id, set=["lr=0.1"])
    task, overrides = checkpoint_task(args, checkpoint)
    assert task == expected and overrides == {"lr": 0.1}
