"""Trackers (association of candidates over frames) registered into MODELS."""
from .reid_association_tracker import ReIDAssociationTracker, TargetState
from .tracklet_table import TrackletTable, Tracklets

__all__ = [
    'ReIDAssociationTracker', 'TargetState', 'TrackletTable', 'Tracklets'
]
