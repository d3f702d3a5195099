"""SoccerNet's official splits, through the SoccerNet package: which games a split has, which are on disk.

``SoccerNet.utils.getListGames(split, task)`` reads the game lists shipped inside the package (offline):
``task="spotting"`` gives the 500 SoccerNet-v2 games (train 300, valid 100, test 100, challenge 50),
``task="spotting-ball"`` the ball action spotting games. A game is ``league/season/<date - HH-MM Home S - S Away>``,
the folder it lives in under a dataset root. ``select_split`` tells which of a split's games are on disk
with the videos the builder reads, and which are missing and why; ``download_plan`` lists what
``scripts/download_soccernet.py`` would ask ``SoccerNetDownloader`` for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from configs.headernet import GAME_LISTS, SPLITS
from headernet.annotations import canonical_match_name

VIDEO_FILES = {"224p": ("1_224p.mkv", "2_224p.mkv"), "720p": ("1_720p.mkv", "2_720p.mkv")}
LABEL_FILES = {"spotting": "Labels-v2.json", "spotting-ball": "Labels-ball.json"}


def split_games(split: str, task: str = "spotting") -> list[str]:
    """The games (``league/season/game``) of a SoccerNet split, in the package's order."""
    if split not in SPLITS:
        raise ValueError(f"unknown SoccerNet split {split!r}; known: {list(SPLITS)}")
    if task not in GAME_LISTS:
        raise ValueError(f"unknown SoccerNet game list {task!r}; known: {list(GAME_LISTS)}")
    from SoccerNet.utils import getListGames

    return list(getListGames(split, task=task))


@dataclass
class SplitSelection:
    """The games of one split under a dataset root: present (with at least one video of the quality) or missing."""

    split: str
    task: str
    root: Path
    present: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    """(game, why): no folder, or a folder without the videos."""

    @property
    def video_ids(self) -> set[str]:
        """The builder's game ids (``canonical_match_name`` of the folder) of the present games."""
        return {canonical_match_name(Path(g).name) for g in self.present}

    def describe(self, limit: int = 3) -> str:
        total = len(self.present) + len(self.missing)
        text = f"split {self.split} ({self.task}): {len(self.present)} of {total} games on disk under {self.root}"
        if self.missing:
            shown = "; ".join(f"{g} ({why})" for g, why in self.missing[:limit])
            more = f" and {len(self.missing) - limit} more" if len(self.missing) > limit else ""
            text += f", {len(self.missing)} missing: {shown}{more} (all in missing_games.csv)"
        return text


def select_split(root: str | Path, split: str, task: str = "spotting", quality: str = "224p") -> SplitSelection:
    """Which games of ``split`` are under ``root`` with a ``{1,2}_<quality>.mkv`` (or .mp4) video."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"dataset folder {root} does not exist")
    sel = SplitSelection(split, task, root)
    for game in split_games(split, task):
        folder = root / game
        if not folder.is_dir():
            sel.missing.append((game, "no folder"))
        elif not any((folder / f"{h}_{quality}.{ext}").is_file() for h in (1, 2) for ext in ("mkv", "mp4")):
            sel.missing.append((game, f"no 1_{quality} or 2_{quality} video"))
        else:
            sel.present.append(game)
    return sel


def download_plan(split: str, task: str = "spotting", qualities: tuple[str, ...] = ("224p",), labels: bool = True,
                  root: str | Path | None = None) -> list[tuple[str, str]]:
    """(game, file) pairs the downloader would request for ``split``; with ``root``, only those not on disk yet."""
    files = [f for q in qualities for f in VIDEO_FILES[q]] + ([LABEL_FILES[task]] if labels else [])
    plan = [(g, f) for g in split_games(split, task) for f in files]
    if root is not None:
        plan = [(g, f) for g, f in plan if not (Path(root) / g / f).is_file()]
    return plan
