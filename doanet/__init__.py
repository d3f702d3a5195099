"""DOAnet: multi-source sound localisation and tracking on FOA / 4-microphone recordings, trained with the
differentiable tracking losses dMOTP and dMOTA through a frozen HNet (Adavanne et al., WASPAA 2021).

* data: ``synth`` (a synthetic TAU-NIGENS 2020 set in its on-disk format), ``sounds``, ``augment`` (ov2
  mixtures), ``labels`` (metadata -> per-slot tracks), ``features`` (log-mel + intensity vectors or
  GCC-PHAT), ``extraction`` (batch extraction, staleness records, normalisation), ``data`` (windows);
* the method: ``model`` (the CRNN), ``losses`` (dMOTP / dMOTA through the HNet, MSE, PIT), ``metrics``
  (the original's LE / LR / LP / LF / MOTA / IDS and standard CLEAR-MOT), ``reference`` (slow references);
* running it: ``train`` (the loop), ``distributed`` (DDP), ``experiments`` (the paper's comparison),
  ``inference`` (load a trained model, predict a recording's tracks), ``plots``.
"""
