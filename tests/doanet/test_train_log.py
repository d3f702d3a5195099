"""DOAnet's lines of the one run log (common.run.MetricsLog): flat keys from an epoch's history entry."""

from doanet.train import metrics_record, plot_run_curves

ENTRY = {"epoch": 3, "train": {"loss": 1.5, "dMOTP": 0.2, "dMOTA": 0.4}, "val_loss": 1.7,
         "val": {"LE": 21.0, "MOTA": 50.0, "IDS": 4, "LR": 80.0, "LP": 70.0, "LF": 74.7},
         "val_clear_mot": {"MOTA": 0.1, "MOTP": 11.0, "IDSW": 3, "F": 0.5, "recall": 0.6}, "time_s": 12.0}


def test_record_has_the_shared_keys_and_flattens_the_metrics():
    record = metrics_record(ENTRY, step=360, wall_s=36.0, lr=1e-3)
    assert record["epoch"] == 3 and record["step"] == 360 and record["wall_s"] == 36.0 and record["lr"] == 1e-3
    assert record["train_loss"] == 1.5 and record["train_dMOTP"] == 0.2 and record["val_loss"] == 1.7
    assert record["val_LE"] == 21.0 and record["val_IDS"] == 4 and record["val_clear_mot_MOTP"] == 11.0
    assert "lr" not in metrics_record(ENTRY, step=360, wall_s=36.0)  # rebuilt from an old checkpoint: unknown


def test_curves_png_from_records(tmp_path):
    records = [metrics_record({**ENTRY, "epoch": e}, e * 120, e * 12.0) for e in (1, 2, 3)]
    out = plot_run_curves(records, tmp_path / "curves.png")
    assert out.stat().st_size > 1000
