"""Fit the text model and its calibration from labelled records (deterministic: fixed folds, fixed
seeds, records in id order).

Heads: track, area, petition kind (petitions only) and category over the taxonomy's (area,
category) pairs. Records without a category (during relabelling) or without a track (a bureau's
history file) train only the heads they have labels for. The taxonomy's own names train the
category head as weak examples, so every category of the file can be predicted; the keyword lexicon
(classifier/lexicon.yaml) adds the words citizens use, as weak examples of their own weight.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from services.router.classifier import text as text_preparation
from services.router.classifier.classifier import GrievanceText, prepare
from services.router.classifier.combine import fit_calibration, log_loss, posterior, rule_matrix
from services.router.classifier.features import TfidfFeatures
from services.router.classifier.hierarchy import Hierarchy
from services.router.classifier.labels import AREAS, KINDS, TRACKS
from services.router.classifier.lexicon import Lexicon, load_lexicon
from services.router.classifier.model import ARTIFACT_FORMAT, Calibration, FloatArray, LinearHead, TextModel
from services.router.classifier.rules import RuleBook
from services.router.classifier.taxonomy import Taxonomy, category_label, load_taxonomy, split_label
from services.router.training.corpus import LabelledRecord
from services.router.training.jobs import DEFAULT_FOLDS

SEED = 0
TEMPERATURES = (0.04, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0, 1.25, 1.5, 2.0)
BLENDS = tuple(round(0.1 * i, 1) for i in range(11))
# Below this many records with a category, the category head's temperature is fitted on the
# areas its probabilities sum to (every record has an area) instead of on categories.
MIN_CATEGORY_ROWS = 100
HEADS = ("track", "area", "kind", "category")


@dataclass(frozen=True)
class TrainingOptions:
    c_track: float = 1.0
    c_area: float = 1.0
    c_kind: float = 1.0
    c_category: float = 1.0
    min_df: int = 2
    # Unigrams and bigrams: as accurate as 1-3-grams in cross-validation on the training split
    # (track 0.94/0.94, area 0.81/0.81) with half the features and a faster transform.
    orders: tuple[int, ...] = (1, 2)
    class_weight: str | None = "balanced"
    # Weight of one taxonomy name example against one written record, and whether the names also
    # train the area head: in the style-shifted evaluation (area accuracy with styles / writer e /
    # writer f held out) 1 → 0.772/0.632/0.599, 6 → 0.784/0.635/0.632, 6 with the area head →
    # 0.793/0.702/0.734, 12 with it → 0.818/0.743/0.748, 24 → 0.818/0.733/0.748 (and slower).
    weak_weight: float = 12.0
    weak_in_area_head: bool = True
    # Weight of one lexicon example (a word, or a category's words together); the lexicon's
    # examples train the heads the taxonomy's names train. Chosen on the held-out styles / writers
    # e, f, g (area accuracy): none 0.818/0.743/0.748/0.914, 1 → 0.849/0.800/0.822/0.936,
    # 3 → 0.846/0.803/0.824/0.932, 6 → 0.852/0.810/0.822/0.923: a plateau, 3 is its middle.
    lexicon_weight: float = 3.0
    # Folds of the out-of-fold predictions the calibration is fitted on. Three gave the same
    # accuracy as five on the random split and on every style-shifted split (docs/router.md,
    # Combination and calibration) in two thirds of the time: four fits instead of six.
    folds: int = DEFAULT_FOLDS


@dataclass(frozen=True)
class Prepared:
    """Model texts and per-head labels of the training records ("" where a record has none)."""

    texts: list[str]
    labels: dict[str, list[str]]
    weak_texts: list[str]
    weak_labels: list[str]
    weak_weights: list[float]


def weak_examples(taxonomy: Taxonomy) -> tuple[list[str], list[str]]:
    """The taxonomy's names as short texts of their category: ``电力供应`` → 城乡建设/城市建设和市政管理."""
    texts: list[str] = []
    labels: list[str] = []
    for (area, category), items in taxonomy.items.items():
        label = category_label(area, category)
        named = [item for item in items if item != "其他"]
        texts.append(f"{category}。{'、'.join(named)}" if category != "其他" else f"{area}。其他")
        labels.append(label)
        for item in named:
            texts.append(item)
            labels.append(label)
    return texts, labels


def lexicon_examples(lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """Each word of the lexicon as a text of its category, then each category's words together and
    each item's words together (``停电、断电、供电…``), in the file's order: deterministic."""
    texts: list[str] = []
    labels: list[str] = []
    for label, words in lexicon.categories.items():
        for word in words:
            texts.append(word)
            labels.append(label)
        texts.append("、".join(words))
        labels.append(label)
    for (label, _), words in lexicon.items.items():
        texts.append("、".join(words))
        labels.append(label)
    return texts, labels


def prepare_records(
    records: Sequence[LabelledRecord], taxonomy: Taxonomy, options: TrainingOptions = TrainingOptions()
) -> Prepared:
    texts = [prepare(GrievanceText(r.title, r.text))[1] for r in records]
    labels = {
        "track": [r.track.value if r.track else "" for r in records],
        "area": [r.area.value for r in records],
        "kind": [r.petition_kind.value if r.petition_kind else "" for r in records],
        "category": [category_label(r.area.value, r.category) if r.category else "" for r in records],
    }
    weak_texts, weak_labels = weak_examples(taxonomy)
    weights = [options.weak_weight] * len(weak_texts)
    if options.lexicon_weight > 0:
        lexicon_texts, lexicon_labels = lexicon_examples(load_lexicon())
        weak_texts += lexicon_texts
        weak_labels += lexicon_labels
        weights += [options.lexicon_weight] * len(lexicon_texts)
    return Prepared(texts, labels, weak_texts, weak_labels, weights)


def fit_head(
    features: sparse.csr_matrix,
    labels: Sequence[str],
    c: float,
    class_weight: str | None,
    sample_weight: Sequence[float] | None = None,
) -> LinearHead:
    # A linear SVM: as accurate as logistic regression on this corpus and ten times faster to fit;
    # its margins become probabilities through the fitted temperature (combine.py).
    classifier = LinearSVC(C=c, class_weight=class_weight, random_state=SEED, max_iter=10000)
    classifier.fit(features, labels, sample_weight=None if sample_weight is None else np.asarray(sample_weight))
    coef = np.asarray(classifier.coef_, dtype=np.float32)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    classes = tuple(str(c) for c in classifier.classes_)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: make it symmetric
        coef = np.vstack([-coef[0] / 2, coef[0] / 2]).astype(np.float32)
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return LinearHead(classes, coef, intercept)


def _fit_heads(
    data: Prepared, rows: Sequence[int], options: TrainingOptions
) -> tuple[TfidfFeatures, dict[str, LinearHead]]:
    """Features and the four heads from the given training rows (plus the weak examples)."""
    texts = [data.texts[i] for i in rows]
    features = TfidfFeatures.fit(texts + data.weak_texts, min_df=options.min_df, orders=options.orders)
    matrix = features.transform(texts)
    c = {"track": options.c_track, "area": options.c_area, "kind": options.c_kind}
    heads: dict[str, LinearHead] = {}
    for head in ("track", "kind"):
        labelled = [j for j, i in enumerate(rows) if data.labels[head][i]]
        heads[head] = fit_head(
            matrix[labelled], [data.labels[head][rows[j]] for j in labelled], c[head], options.class_weight
        )
    weak = features.transform(data.weak_texts)
    area_weak = options.weak_in_area_head
    heads["area"] = fit_head(
        sparse.vstack([matrix, weak]).tocsr() if area_weak else matrix,
        [data.labels["area"][i] for i in rows] + ([split_label(w)[0] for w in data.weak_labels] if area_weak else []),
        options.c_area,
        options.class_weight,
        [1.0] * len(rows) + data.weak_weights if area_weak else None,
    )
    labelled = [j for j, i in enumerate(rows) if data.labels["category"][i]]
    # No class weights here: a category known only from its names must not outvote written records.
    heads["category"] = fit_head(
        sparse.vstack([matrix[labelled], weak]).tocsr(),
        [data.labels["category"][rows[j]] for j in labelled] + data.weak_labels,
        options.c_category,
        None,
        [1.0] * len(labelled) + data.weak_weights,
    )
    return features, heads


def _strata(areas: Sequence[str], folds: int) -> list[str]:
    counts = {label: areas.count(label) for label in set(areas)}
    # classes with fewer members than folds cannot be stratified: fold them into one stratum
    stratum = [label if counts[label] >= folds else "_rare" for label in areas]
    if 0 < stratum.count("_rare") < folds:  # too few even together: they join the largest class
        largest = max(sorted(counts), key=lambda label: counts[label])
        stratum = [largest if label == "_rare" else label for label in stratum]
    return stratum


def _fold_logits(
    data: Prepared,
    fit_rows: list[int],
    val_rows: list[int],
    labels_of: dict[str, Sequence[str]],
    options: TrainingOptions,
) -> dict[str, FloatArray]:
    features, heads = _fit_heads(data, fit_rows, options)
    val = features.transform([data.texts[i] for i in val_rows])
    return {head: heads[head].logits_for(val, labels, missing_margin=4.0) for head, labels in labels_of.items()}


def _fit_all(
    data: Prepared, hierarchy: Hierarchy, options: TrainingOptions, jobs: int
) -> tuple[dict[str, FloatArray], TfidfFeatures, dict[str, LinearHead]]:
    """Logits of every record from the models of the folds that did not see it (folds stratified
    by area), and the features and heads fitted on every record.

    The fits (the folds' and the final one) are independent, each seeded alike, so they run in
    ``jobs`` processes (not threads: liblinear keeps its random generator in a global) with the
    same results as one by one; the final fit goes first, being the largest.
    """
    n = len(data.texts)
    labels_of: dict[str, Sequence[str]] = {"track": TRACKS, "area": AREAS, "kind": KINDS, "category": hierarchy.labels}
    folds = StratifiedKFold(n_splits=options.folds, shuffle=True, random_state=SEED)
    strata = _strata(data.labels["area"], options.folds)
    splits = [(fit.tolist(), val.tolist()) for fit, val in folds.split(np.zeros(n), strata)]
    every = delayed(_fit_heads)(data, list(range(n)), options)
    fold_fits = [delayed(_fold_logits)(data, fit, val, labels_of, options) for fit, val in splits]
    (features, heads), *fold_logits = Parallel(n_jobs=min(jobs, len(splits) + 1))([every, *fold_fits])
    logits = {head: np.zeros((n, len(labels))) for head, labels in labels_of.items()}
    for (_, val), found in zip(splits, fold_logits, strict=True):
        for head in labels_of:
            logits[head][val] = found[head]
    return logits, features, heads


def fit_text_model(
    records: Sequence[LabelledRecord],
    options: TrainingOptions = TrainingOptions(),
    rules: RuleBook | None = None,
    *,
    jobs: int = 1,
) -> TextModel:
    """Features and heads on all ``records``; calibration and the area blend from out-of-fold
    predictions. ``jobs`` processes share the fits (the model is the same for any number)."""
    rules = rules or RuleBook.load()
    records = sorted(records, key=lambda r: r.id)  # the folds and the SVMs depend on the order
    taxonomy = load_taxonomy()
    hierarchy = Hierarchy(taxonomy)
    data = prepare_records(records, taxonomy, options)
    hits = rules.evaluate_many([prepare(GrievanceText(r.title, r.text))[0] for r in records])
    oof, features, heads = _fit_all(data, hierarchy, options, jobs)
    calibration: dict[str, Calibration] = {}
    for head, labels in (("track", TRACKS), ("area", AREAS), ("kind", KINDS)):
        rows = [i for i, label in enumerate(data.labels[head]) if label]
        effect = "petition_kind" if head == "kind" else head
        rule_scores = rule_matrix([hits[i] for i in rows], labels, effect)
        truth = [labels.index(data.labels[head][i]) for i in rows]
        calibration[head] = fit_calibration(oof[head][rows], rule_scores, truth)
    area_p = posterior(oof["area"], rule_matrix(hits, AREAS, "area"), calibration["area"])
    calibration["category"], blend = _fit_hierarchy(oof["category"], area_p, data, hierarchy)
    meta = {
        "records": len(records),
        "features": features.size,
        "options": asdict(options),
        "train_ids": sorted(r.id for r in records),
        "area_blend": blend,
        "categories_labelled": sum(1 for label in data.labels["category"] if label),
        "model_version": model_version(records, options, rules),
    }
    return TextModel(features, heads, calibration, meta)


def _fit_hierarchy(
    category_logits: FloatArray, area_p: FloatArray, data: Prepared, hierarchy: Hierarchy
) -> tuple[Calibration, float]:
    """The category head's temperature and the blend λ, both for the lowest out-of-fold log-loss."""
    area_truth = [AREAS.index(label) for label in data.labels["area"]]
    rows = [i for i, label in enumerate(data.labels["category"]) if label]
    zeros = np.zeros_like(category_logits)
    best: tuple[float, float] | None = None
    for temperature in TEMPERATURES:
        p = posterior(category_logits, zeros, Calibration(temperature, 0.0))
        if len(rows) >= MIN_CATEGORY_ROWS:
            loss = log_loss(p[rows], [hierarchy.labels.index(data.labels["category"][i]) for i in rows])
        else:
            loss = log_loss(p @ hierarchy.aggregate, area_truth)
        if best is None or loss < best[0] - 1e-12:
            best = (loss, temperature)
    assert best is not None
    category_p = posterior(category_logits, zeros, Calibration(best[1], 0.0))
    losses = [(log_loss(hierarchy.area_probabilities(area_p, category_p, b), area_truth), b) for b in BLENDS]
    blend = min(losses)[1]
    return Calibration(best[1], 0.0), blend


def model_version(records: Sequence[LabelledRecord], options: TrainingOptions, rules: RuleBook) -> str:
    """``YYYYMMDD-`` and a short hash of the training data, the parameters, the rules and the text
    preparation's revision: same inputs, same hash. The rules count because the calibration is
    fitted with their weights: a model trained under other rules is another model, even on the
    same corpus; so is one trained on texts prepared otherwise."""
    header = f"format {ARTIFACT_FORMAT}\npreparation {text_preparation.PREPARATION_REVISION}\n"
    digest = hashlib.sha256(f"{header}{json.dumps(asdict(options), sort_keys=True)}\n".encode())
    digest.update(rules.fingerprint().encode())
    if options.lexicon_weight > 0:  # the words are training data too
        digest.update(json.dumps(load_lexicon().categories, ensure_ascii=False, sort_keys=True).encode())
    for r in sorted(records, key=lambda r: r.id):
        fields = (r.id, r.title, r.text, r.track, r.petition_kind, r.area, r.category, r.item)
        digest.update(("\t".join(str(f) for f in fields) + "\n").encode())
    return f"{datetime.now(UTC):%Y%m%d}-{digest.hexdigest()[:10]}"
