"""Task 999 end to end through the scripts: generate, train, evaluate, visualise."""

import json

from common.checkpoint import save_checkpoint
from hnet.model import HNetGRU
from tests.script_runner import run_script as run


def test_quick_pipeline_beats_an_untrained_model(tmp_path):
    dirs = [f"data_dir={tmp_path}/hnet", f"model_dir={tmp_path}/models", f"run_dir={tmp_path}/runs"]
    run("generate_hnet_data.py", "999", "--set", *dirs)
    out = run("train_hnet.py", "999", "it", "--device", "cpu", "--set", *dirs)
    assert "best epoch" in out
    run_dir = tmp_path / "runs" / "999_it"
    for name in ("config.json", "last.pt", "best.pt", "metrics.jsonl", "metrics.json", "curves.png"):
        assert (run_dir / name).is_file(), name
    model = tmp_path / "models" / "hnet_model.pt"

    trained = json.loads(run("evaluate_hnet.py", "--checkpoint", str(model), "--seed", "11", "--device", "cpu"))
    save_checkpoint(tmp_path / "untrained.pt", HNetGRU(), config={"task_id": "999"}, epoch=0)
    untrained = json.loads(run("evaluate_hnet.py", "--checkpoint", str(tmp_path / "untrained.pt"), "--seed", "11",
                               "--device", "cpu"))
    assert trained["n"] == untrained["n"] == 4050
    assert trained["exact_acc"] > untrained["exact_acc"] + 0.2
    assert trained["pos_f1"] > untrained["pos_f1"] + 0.2
    assert set(trained["per_case"]) == {f"{r},{p}" for r in range(3) for p in range(3)}

    png = run("visualize_hnet.py", "--checkpoint", str(model), "--n", "4", "--out", str(tmp_path / "assoc.png"))
    assert (tmp_path / "assoc.png").stat().st_size > 10_000, png
