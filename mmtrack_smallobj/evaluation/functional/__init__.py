"""Pure-numpy evaluation functions; no mmengine or torch in this package."""
from .absence import (ABSENCE_METRICS, AbsenceTuning, LongTermFrames,
                      absence_candidates, load_long_term_frames,
                      long_term_sweep, tune_absent_threshold)
from .ao_sr import AO_POOLED, average_overlap
from .boxes import (aligned_iou, aligned_iou_got10k, aligned_iou_mmdet,
                    box_centers, box_sizes, clip_boxes_got10k,
                    points_in_boxes, valid_box_mask, xywh_to_xyxy,
                    xyxy_to_xywh)
from .candidate_recall import (CANDIDATE_FILE_SUFFIX, CandidateVideo,
                               candidate_file_path, candidate_recall,
                               first_hit_ranks, read_candidate_file,
                               write_candidate_file)
from .embedding_separation import (PROJECTIONS, EmbeddingSeparation,
                                   PairStats, embedding_separation,
                                   format_separation_table, pca_2d,
                                   project_2d, rank_auc)
from .evaluate import (CORE_METRICS, LT_METRICS, evaluate_results,
                       evaluate_videos)
from .file_io import (EvaluationInputError, read_box_file, read_flag_file,
                      read_score_file, write_result_files, write_strict_json,
                      write_text_atomic, write_zip_atomic)
from .frame_scores import CONVENTIONS, FrameScores, VideoData, score_video
from .layouts import (DATASET_FORMATS, VideoAnnotation, attach_results,
                      load_annotations, read_cover_levels)
from .long_term import (antiuav_state_accuracy, determine_thresholds,
                        oxuva_max_gm, oxuva_metrics, vot_lt_curves,
                        vot_lt_metrics)
from .mot_identities import (IdentityFrame, MOTIdentities,
                             load_mot_identities)
from .ope import (OPE_THRESHOLDS, PRECISION_INDEX, grouped_threshold_counts,
                  ope_curves, ope_metrics)
from .overlap_loss import OVERLAP_LOSS_PARTS, overlap_loss
from .point_accuracy import point_accuracy, point_hits
from .report import (BREAKDOWN_LABELS, format_absence_table,
                     format_candidate_recall_table, format_metrics_table)
from .submission import (SUBMISSION_BENCHMARKS, SubmissionError,
                         SubmissionVideo, encode_submission,
                         normalize_benchmark, submission_path,
                         write_submission)
from .submission_readers import read_submission, read_submission_files
from .size_bins import (DEFAULT_SIZE_EDGES, assign_size_bins,
                        check_size_edges, size_bin_labels)
from .visibility_bins import (COVER_BIN_LABELS, MAX_COVER_LEVEL,
                              assign_cover_bins, first_invalid_cover_level)

__all__ = [
    'ABSENCE_METRICS', 'AbsenceTuning', 'LongTermFrames',
    'absence_candidates', 'load_long_term_frames', 'long_term_sweep',
    'tune_absent_threshold', 'AO_POOLED', 'average_overlap', 'aligned_iou',
    'aligned_iou_got10k', 'aligned_iou_mmdet', 'box_centers', 'box_sizes',
    'clip_boxes_got10k', 'points_in_boxes', 'valid_box_mask',
    'xywh_to_xyxy', 'xyxy_to_xywh', 'CANDIDATE_FILE_SUFFIX',
    'CandidateVideo', 'candidate_file_path', 'candidate_recall',
    'first_hit_ranks', 'read_candidate_file', 'write_candidate_file',
    'PROJECTIONS', 'EmbeddingSeparation', 'PairStats', 'embedding_separation',
    'format_separation_table', 'pca_2d', 'project_2d', 'rank_auc',
    'IdentityFrame', 'MOTIdentities', 'load_mot_identities',
    'CORE_METRICS', 'LT_METRICS',
    'evaluate_results', 'evaluate_videos', 'EvaluationInputError',
    'read_box_file', 'read_flag_file', 'read_score_file',
    'write_result_files', 'write_strict_json', 'write_text_atomic',
    'write_zip_atomic', 'CONVENTIONS', 'FrameScores', 'VideoData',
    'score_video', 'DATASET_FORMATS', 'VideoAnnotation', 'attach_results',
    'load_annotations', 'read_cover_levels', 'antiuav_state_accuracy',
    'determine_thresholds',
    'oxuva_max_gm', 'oxuva_metrics', 'vot_lt_curves', 'vot_lt_metrics',
    'OPE_THRESHOLDS', 'PRECISION_INDEX', 'grouped_threshold_counts',
    'ope_curves', 'ope_metrics', 'OVERLAP_LOSS_PARTS', 'overlap_loss',
    'point_accuracy', 'point_hits',
    'BREAKDOWN_LABELS', 'format_absence_table',
    'format_candidate_recall_table', 'format_metrics_table',
    'DEFAULT_SIZE_EDGES',
    'assign_size_bins', 'check_size_edges', 'size_bin_labels',
    'SUBMISSION_BENCHMARKS', 'SubmissionError', 'SubmissionVideo',
    'encode_submission', 'normalize_benchmark', 'submission_path',
    'write_submission', 'read_submission', 'read_submission_files',
    'COVER_BIN_LABELS', 'MAX_COVER_LEVEL', 'assign_cover_bins',
    'first_invalid_cover_level'
]
