"""Join the index, skipped and failed lists of a sharded HeaderNet build into the unsharded files.

    python3 scripts/generate_positive_negative_dataset.py --out data/hc --shard 1/2   # machine 1
    python3 scripts/generate_positive_negative_dataset.py --out data/hc --shard 2/2   # machine 2
    python3 scripts/merge_header_shards.py --out data/hc

The shards write into one folder (a shared file system, or copy them together first).
"""

import argparse
import sys

from common.cli import report_errors
from headernet.cache import merge_shards


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", "--output-dir", dest="output_dir",
                   required=True, help="the folder the shards wrote into (--output-dir: the old name)")
    ap.add_argument("--output-name", default="train_cache_header.csv", help="the index name the shards were given")
    args = ap.parse_args(argv)
    return report_errors(lambda: print(merge_shards(args.output_dir, args.output_name)))


if __name__ == "__main__":
    sys.exit(main())
