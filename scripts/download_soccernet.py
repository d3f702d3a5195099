"""Download the videos and label files of a SoccerNet split with the SoccerNet package's own downloader.

    python3 scripts/download_soccernet.py --split valid --dry-run            # the files it would request
    python3 scripts/download_soccernet.py --split train --quality 224p 720p --out /data/SoccerNet
    python3 scripts/download_soccernet.py --split valid --source EXRCSDrive --password "$SOCCERNET_NDA"

Games: SoccerNet.utils.getListGames(split, task) (shipped inside the package, offline); --list spotting
is the 500 SoccerNet-v2 games (Labels-v2.json), spotting-ball the ball action spotting games
(Labels-ball.json). Videos need the SoccerNet NDA: with --source HuggingFace (the package's default) a
Hugging Face account granted access (`huggingface-cli login`), with --source EXRCSDrive the NDA
password (--password, or $SOCCERNET_PASSWORD). Files already on disk are not requested again.
--dry-run prints the (game, file) list and downloads nothing. Without a network the download fails
with one line naming the cause.
"""

import os
import sys
from pathlib import Path

from common.cli import report_errors
from configs.headernet import GAME_LISTS, SPLITS


def _parser():
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=SPLITS, required=True, nargs="+", help="one or more SoccerNet splits")
    ap.add_argument("--list", dest="game_list", choices=GAME_LISTS, default="spotting", help="which SoccerNet game list")
    ap.add_argument("--quality", choices=("224p", "720p"), nargs="+", default=["224p"], help="video versions to fetch")
    ap.add_argument("--no-labels", action="store_true", help="videos only")
    ap.add_argument("--out", "--local-dir", dest="local_dir",
                   default="data/SoccerNet", help="dataset root (league/season/game/...; --local-dir: SoccerNet's name)")
    ap.add_argument("--source", choices=("HuggingFace", "EXRCSDrive"), default="HuggingFace")
    ap.add_argument("--password", help="NDA password for --source EXRCSDrive (default: $SOCCERNET_PASSWORD)")
    ap.add_argument("--dry-run", action="store_true", help="list the files that would be requested, download nothing")
    return ap


def plan(args) -> list[tuple[str, str, str]]:
    """(split, game, file) still missing under --out."""
    from headernet.splits import download_plan

    return [(s, g, f) for s in args.split for g, f in download_plan(s, args.game_list, tuple(args.quality),
                                                                     not args.no_labels, args.local_dir)]


def download(args, todo: list[tuple[str, str, str]]) -> None:
    """Ask SoccerNetDownloader for the missing files, one call per split; network trouble -> ValueError, one line."""
    from SoccerNet.Downloader import SoccerNetDownloader

    password = args.password or os.environ.get("SOCCERNET_PASSWORD")
    if args.source == "EXRCSDrive" and not password:
        raise ValueError("--source EXRCSDrive needs the SoccerNet NDA password (--password or $SOCCERNET_PASSWORD); "
                         "request it at https://www.soccer-net.org/data")
    downloader = SoccerNetDownloader(LocalDirectory=str(args.local_dir))
    downloader.password = password  # set on the object (the original's script set it before creating it)
    for split in args.split:
        files = sorted({f for s, _, f in todo if s == split})
        if not files:
            continue
        try:
            downloader.downloadGames(files=files, split=[split], task=args.game_list, source=args.source)
        except Exception as err:  # the downloader raises whatever its HTTP stack raises
            raise ValueError(f"download of split {split} failed ({type(err).__name__}: {str(err).splitlines()[0][:300]}); "
                             "it needs a network connection and SoccerNet NDA access (see --help)") from err


def main(argv=None) -> int:
    args = _parser().parse_args(argv)

    def run() -> None:
        todo = plan(args)
        games = {(s, g) for s, g, _ in todo}
        print(f"{len(todo)} files of {len(games)} games to request under {args.local_dir} "
              f"(splits {', '.join(args.split)}, list {args.game_list}, source {args.source})")
        if args.dry_run:
            for s, g, f in todo:
                print(f"{s}\t{g}/{f}")
            return
        if todo:
            Path(args.local_dir).mkdir(parents=True, exist_ok=True)
            download(args, todo)
            left = plan(args)
            print(f"done: {len(todo) - len(left)} of {len(todo)} files now on disk")
            if left:
                raise ValueError(f"{len(left)} files still missing after the download, e.g. {left[0][1]}/{left[0][2]}")

    return report_errors(run)


if __name__ == "__main__":
    sys.exit(main())
