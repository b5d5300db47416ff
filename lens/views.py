"""The "Logit evolution" lab: the page, and its figures' data as JSON for the page's script."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from lens.corpus import normalise
from lens.logit_lens import (
    TEXT_LIMIT,
    LensInputError,
    check_stage,
    last_position,
    logit_lens,
)
from lens.samples import SAMPLE_TEXTS

SAMPLES = {sample.slug: sample for sample in SAMPLE_TEXTS}
DEFAULT_SAMPLE = SAMPLE_TEXTS[0]
CUSTOM = "custom"  # the picker's "Your own text" choice
WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
MAX_DIGITS = 9  # no text or model comes near; longer numbers are refused before int() sees them
# The data depends only on the query string and the committed weights.
DATA_MAX_AGE = 3600


@dataclass(frozen=True)
class LabQuery:
    """What a request asks for, as sent: the form shows it again when it cannot be read."""

    sample: str  # a sample's slug, CUSTOM, or an unknown name from the query string
    text: str
    position: str
    stage: str


def read_query(params: QueryDict) -> LabQuery:
    """The sample, text, position and stage of a request (no sample and no text: the default).

    A chosen sample wins over the text box, except when the form showed that very sample
    (``shown``) and the learner edited its text: then the edit is what they want read.
    """
    sample, text = params.get("sample", ""), params.get("text")
    if sample in SAMPLES:
        chosen = SAMPLES[sample].text
        if text is not None and params.get("shown") == sample and normalise(text) != chosen:
            sample = CUSTOM
        else:
            text = chosen
    elif not sample and text is None:
        sample, text = DEFAULT_SAMPLE.slug, DEFAULT_SAMPLE.text
    elif not sample:
        sample = CUSTOM
    return LabQuery(sample, text or "", params.get("position", ""), params.get("stage", ""))


def read_index(raw: str, name: str) -> int | None:
    """A whole number typed in the query string, None when left empty, or a clear error."""
    raw = raw.strip()
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw):
        raise LensInputError(f"The {name} must be a whole number such as 3, not “{shorten(raw)}”.")
    if len(raw.lstrip("-")) > MAX_DIGITS:
        raise LensInputError(f"The {name} {shorten(raw)} is far out of range.")
    return int(raw)


def check_sample(sample: str) -> None:
    """Refuse a sample name that is not in the picker."""
    if sample != CUSTOM and sample not in SAMPLES:
        raise LensInputError(
            f"There is no sample text called “{shorten(sample)}”. "
            "Pick one from the list, or type your own text."
        )


def shorten(raw: str, limit: int = 24) -> str:
    """Hostile input echoed in a message, cut to a readable length."""
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


@require_safe
def logit_evolution(request: HttpRequest) -> HttpResponse:
    """The lab page: figures drawn by the page's script; tables and a plain form without it."""
    query = read_query(request.GET)
    context = {
        "query": query,
        "samples": SAMPLE_TEXTS,
        "custom": CUSTOM,
        "limit": TEXT_LIMIT,
        "sample_texts": {sample.slug: sample.text for sample in SAMPLE_TEXTS},
    }
    try:
        check_sample(query.sample)
        position = read_index(query.position, "position")
        if position is None:
            position = last_position(query.text)
        result = logit_lens(query.text, position=position)
        stage = read_index(query.stage, "stage")
        n_stages = len(result["stages"])
        stage = n_stages - 1 if stage is None else check_stage(stage, n_stages)
    except LensInputError as error:
        context["error"] = str(error)
        context["lab"] = {"result": None, "error": str(error), "sample": query.sample}
        return render(request, "lens/logit_evolution.html", context, status=400)

    entry = result["positions"][0]
    context |= {
        "result": result,
        "entry": entry,
        "position": position,
        "stage": stage,
        "stage_info": result["stages"][stage],
        "last_token": len(result["tokens"]) - 1,
        "last_stage": len(result["stages"]) - 1,
        "tokens": token_strip(query, result, position, stage),
        "score_rows": score_rows(result, entry),
        "histogram": histogram_rows(result, entry, stage),
        "lab": {
            "result": result,
            "error": None,
            "sample": query.sample,
            "position": position,
            "stage": stage,
        },
    }
    return render(request, "lens/logit_evolution.html", context)


@require_safe
@gzip_page  # a text's data for every position is ~340 KiB of JSON, ~10x smaller gzipped
def logit_evolution_data(request: HttpRequest) -> JsonResponse:
    """The three figures' data as JSON: every position, or only ``position``; errors as 400."""
    query = read_query(request.GET)
    try:
        check_sample(query.sample)
        result = logit_lens(query.text, position=read_index(query.position, "position"))
    except LensInputError as error:
        return JsonResponse({"error": str(error)}, status=400)
    response = JsonResponse(
        result, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    response["Cache-Control"] = f"public, max-age={DATA_MAX_AGE}"
    return response


def token_strip(query: LabQuery, result: dict, position: int, stage: int) -> list[dict]:
    """Each token with a link that selects it, and where it stands relative to ``position``."""
    params = {"sample": query.sample, "shown": query.sample, "stage": stage}
    if query.sample == CUSTOM:
        params["text"] = result["text"]
    strip = []
    for index, token in enumerate(result["tokens"]):
        if index < position:
            role = "seen"
        elif index == position:
            role = "current"
        else:
            role = "next" if index == position + 1 else "unseen"
        href = "?" + urlencode({**params, "position": index})
        strip.append({"index": index, "text": token["text"], "role": role, "href": href})
    return strip


def score_rows(result: dict, entry: dict) -> list[dict]:
    """The table beside the first two figures: each top token's score and rank at each stage."""
    following = entry["position"] + 1
    next_id = result["tokens"][following]["id"] if following < len(result["tokens"]) else None
    return [
        {
            "rank": k + 1,
            "token": top["token"],
            "probability": f"{top['probabilities'][-1]:.3f}",
            "is_next": top["id"] == next_id,
            "cells": [
                {"score": f"{score:.2f}", "rank": rank}
                for score, rank in zip(top["scores"], top["ranks"], strict=True)
            ],
        }
        for k, top in enumerate(entry["top"])
    ]


def histogram_rows(result: dict, entry: dict, stage: int) -> dict:
    """The table behind the histogram at ``stage``: its non-empty bins and the top tokens' z."""
    histogram, edges, vocab = entry["histogram"], result["bin_edges"], result["vocab"]
    bins = [
        {
            "range": bin_range(edges, b),
            "count": count,
            "examples": [vocab[t] for t in histogram["examples"][stage][b]],
        }
        for b, count in enumerate(histogram["counts"][stage])
        if count
    ]
    top = [
        {"token": top["token"], "z": f"{z:.2f}"}
        for top, z in zip(entry["top"], histogram["top_z"][stage], strict=True)
    ]
    return {
        "bins": bins,
        "top": top,
        "mean": f"{histogram['mean'][stage]:.2f}",
        "std": f"{histogram['std'][stage]:.2f}",
    }


def bin_range(edges: list[float], b: int) -> str:
    """A bin's z-scores in words; the end bins also hold everything beyond them."""
    if b == 0:
        return f"below {edges[1]:.1f}"
    if b == len(edges) - 2:
        return f"{edges[b]:.1f} or more"
    return f"{edges[b]:.1f} to {edges[b + 1]:.1f}"
