# Two commands for a newcomer: `make demo` and `make test`. Both create .venv and install the pinned
# stack on first use (about 3 minutes and 6 GB), then reuse it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# two cores oversubscribe easily: one thread per process
THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
DEVICE ?= auto

.PHONY: install demo demo-hnet demo-doanet-shipped demo-doanet-data demo-doanet-train demo-auralnav demo-headernet test lint bench

$(STAMP): requirements.txt requirements-train-detector.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements-train-detector.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## demo: the quick_test pipeline of every system (CUDA when available; DEVICE=cpu to force the CPU)
demo: demo-hnet demo-doanet-shipped demo-doanet-data demo-doanet-train demo-auralnav demo-headernet
	@echo
	@echo "demo done. Outputs:"
	@echo "  HNet    data/hnet_quick/ (data), data/models_quick/hnet_model.pt, data/runs/hnet/999_demo/,"
	@echo "          data/demo/hnet_eval.json, data/demo/hnet_associations.png"
	@echo "  DOAnet  data/tau_synth_quick/ (synthetic TAU-NIGENS, FOA + MIC), data/tau_synth_quick_aug/,"
	@echo "          data/feat_label_quick/ (features, labels, normalisation), data/demo/doanet_foa_features.png,"
	@echo "          data/models_quick/999_demo_foa_dev_split1_{model.pt,metrics.json,curves.png}, data/demo/doanet_output/;"
	@echo "          the shipped model's tracks on a fresh recording: data/demo/doanet_shipped/synth_seed1_ov2.png"
	@echo "  AuralNav data/demo/auralnav_task8/ (the shipped agent next to random, oracle, hand-coded: eval.json, trajectories.png),"
	@echo "          data/demo/auralnav_task13_14m/trajectories.png (the task-13 agent in a 14 m room it never saw),"
	@echo "          data/runs/auralnav/separator_999.pt(.json), 999_demo/ (learning_curve.png, episodes.csv, best.pt),"
	@echo "          999_999_demo_best_random_oracle_seed0/ (its evaluation)"
	@echo "  HeaderNet data/soccernet_synth_quick/ (synthetic games), data/header_cache_quick/ (random-init build),"
	@echo "          data/header_cache_quick_gt/ (ground-truth boxes) and its contact_sheet.png / .txt"

demo-hnet: $(STAMP)
	$(THREADS) $(BIN)/python scripts/generate_hnet_data.py 999
	$(THREADS) $(BIN)/python scripts/train_hnet.py 999 demo --fresh --device $(DEVICE)
	$(THREADS) $(BIN)/python scripts/evaluate_hnet.py --checkpoint data/models_quick/hnet_model.pt \
		--device $(DEVICE) --out data/demo/hnet_eval.json > /dev/null
	@$(BIN)/python -c "import json; r = json.load(open('data/demo/hnet_eval.json')); \
		print('HNet quick_test on a fresh test split: exact_acc %.4f pos_f1 %.4f weighted_f1 %.4f' % (r['exact_acc'], r['pos_f1'], r['weighted_f1']))"
	$(THREADS) $(BIN)/python scripts/visualize_hnet.py --checkpoint data/models_quick/hnet_model.pt \
		--device $(DEVICE) --out data/demo/hnet_associations.png

demo-doanet-data: $(STAMP)
	$(THREADS) $(BIN)/python scripts/make_synthetic_tau.py 999
	$(THREADS) $(BIN)/python scripts/augment_files.py 999 --out data/tau_synth_quick_aug
	$(THREADS) $(BIN)/python scripts/batch_feature_extraction.py 999 --set dataset=foa
	$(THREADS) $(BIN)/python scripts/batch_feature_extraction.py 999 --set dataset=mic
	$(THREADS) $(BIN)/python scripts/plot_doanet_features.py 999 --name fold1_room1_mix002_ov2 --out data/demo/doanet_foa_features.png

demo-doanet-train: demo-doanet-data
	$(THREADS) $(BIN)/python scripts/train_doanet.py 999 demo --fresh --device $(DEVICE)
	$(THREADS) $(BIN)/python scripts/visualize_doanet_output.py 999 --checkpoint data/models_quick/999_demo_foa_dev_split1_model.pt \
		--files 2 --out data/demo/doanet_output --device $(DEVICE)

## the shipped DOAnet (data/pretrained/doanet_foa.pt) on a freshly synthesised recording in an unseen room
demo-doanet-shipped: $(STAMP)
	@echo "--- the shipped DOAnet (FOA) on a fresh 30 s synthetic recording, next to the classical FOA localiser"
	$(THREADS) $(BIN)/python scripts/visualize_doanet_output.py --checkpoint data/pretrained/doanet_foa.pt --synth 1 \
		--length-s 30 --out data/demo/doanet_shipped --device $(DEVICE)

demo-auralnav: $(STAMP)
	@echo "--- the shipped AuralNav agent (task 8, separator in the loop, 200 steps) on fresh rooms, next to random, oracle, hand-coded"
	$(THREADS) HF_HUB_OFFLINE=1 $(BIN)/python scripts/evaluate_auralnav.py 8 --agent data/pretrained/auralnav_task8_agent.pt \
		random oracle handcoded --episodes 10 --seed 5000 --out data/demo/auralnav_task8 --device $(DEVICE)
	@echo "--- a room the task-13 agent never saw: a reverberant 14 m shoebox (it trained on 5-12 m); trajectories PNG"
	$(THREADS) HF_HUB_OFFLINE=1 $(BIN)/python scripts/evaluate_auralnav.py 13 --checkpoint data/pretrained/auralnav_task13_agent.pt \
		handcoded oracle --episodes 4 --seed 5000 --set 'room_side_range=(14.0, 14.0)' --out data/demo/auralnav_task13_14m \
		--device $(DEVICE)
	@echo "--- the quick_test pipeline: pretrain a tiny separator, train the agent, evaluate it (task read from the checkpoint)"
	$(THREADS) HF_HUB_OFFLINE=1 $(BIN)/python scripts/pretrain_separator.py 999 --device $(DEVICE)
	$(THREADS) HF_HUB_OFFLINE=1 $(BIN)/python scripts/train_auralnav.py 999 demo --fresh --device $(DEVICE) \
		--set separator_checkpoint=data/runs/auralnav/separator_999.pt
	$(THREADS) $(BIN)/python scripts/evaluate_auralnav.py --agent data/runs/auralnav/999_demo/best.pt random oracle --seed 0 \
		--device $(DEVICE)

demo-headernet: $(STAMP)
	$(THREADS) $(BIN)/python scripts/make_synthetic_soccernet.py --quick
	@echo "--- the shipped models on a fresh hard game: heatmap ball detector -> crops -> header classifier"
	$(THREADS) $(BIN)/python scripts/generate_positive_negative_dataset.py --quick --device $(DEVICE) --no-progress
	$(THREADS) $(BIN)/python scripts/inspect_header_cache.py --quick --checkpoint data/pretrained/header_classifier.pt
	@echo "--- the same samples cropped at the synthetic game's ground-truth boxes instead of a detector"
	$(THREADS) $(BIN)/python scripts/generate_positive_negative_dataset.py --quick --detector ground-truth \
		--out data/header_cache_quick_gt --no-progress
	$(THREADS) $(BIN)/python scripts/inspect_header_cache.py --quick --cache-dir data/header_cache_quick_gt
	@echo "--- quick_test of the header classifier's pipeline: render, build, train, score"
	$(THREADS) $(BIN)/python scripts/train_header_classifier.py --quick --fresh --device $(DEVICE)
	@echo "HeaderNet contact sheets: data/header_cache_quick/contact_sheet.png (detector + classifier scores),"
	@echo "  data/header_cache_quick_gt/contact_sheet.png (ground-truth boxes)"

## test: the whole suite on the CPU (what CI runs)
test: $(STAMP)
	$(THREADS) $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(THREADS) $(BIN)/python benchmarks/bench_hnet.py
	$(THREADS) $(BIN)/python benchmarks/bench_doanet_features.py
	$(THREADS) $(BIN)/python benchmarks/bench_doanet_train.py
	$(THREADS) $(BIN)/python benchmarks/bench_auralnav_env.py
	$(THREADS) HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_auralnav_agent.py
	$(THREADS) $(BIN)/python benchmarks/bench_headernet.py
