"""common.cli: --checkpoint with deprecated aliases that say so."""

import argparse

import pytest

from common.cli import add_checkpoint_arg


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
