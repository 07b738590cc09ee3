"""Tracking heads."""
from .point_global_search_head import PointGlobalSearchHead, decode_points
from .reid_embedding_head import ReIDEmbeddingHead
from .siam_rcnn_head import SiamRCNNHead

__all__ = [
    'PointGlobalSearchHead', 'ReIDEmbeddingHead', 'decode_points',
    'SiamRCNNHead'
]
