import os

# Two cores oversubscribe easily: one thread per process for every numeric library.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture
def tiny_hnet_params(tmp_path):
    """Task 999 shrunk further, writing under tmp_path."""
    from configs.hnet import get_params

    return get_params(
        "999", sample_range=(20, 30, 90), resolutions=(1, 10, 30), batch_size=64, nb_epochs=2,
        data_dir=str(tmp_path / "hnet"), model_dir=str(tmp_path / "models"), run_dir=str(tmp_path / "runs"),
    )
