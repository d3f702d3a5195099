"""The Hungarian network (HNetGRU): a small GRU + attention model that predicts the association
matrix of a DOA distance matrix, trained on synthetic data (Adavanne, Politis, Virtanen, WASPAA 2021)."""

from hnet.model import AttentionLayer, HNetGRU

__all__ = ["AttentionLayer", "HNetGRU"]
