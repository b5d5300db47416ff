"""The "Logit evolution" lab: the page, and its figures' data as JSON for the page's script."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from lens.corpus import normalise
from lens.logit_lens import (
    EXAMPLES_PER_BIN,
    TEXT_LIMIT,
    LensInputError,
    check_stage,
    one_position,
)
from lens.samples import SAMPLE_TEXTS
from lens.selectors import lens_json_gzip, lens_result
from techtree import limits

SAMPLES = {sample.slug: sample for sample in SAMPLE_TEXTS}
DEFAULT_SAMPLE = SAMPLE_TEXTS[0]
CUSTOM = "custom"  # the picker's "Your own text" choice
WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
MAX_DIGITS = 9  # no text or model comes near; longer numbers are refused before int() sees them
# The data depends only on the query string and the committed weights.
DATA_MAX_AGE = 3600
# Both lab URLs count against one budget per client and minute (settings).
LIMIT_WINDOW = 60
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def within_limit(request: HttpRequest) -> bool:
    """Count this request against the client's lab budget, shared by every worker."""
    return limits.hit(
        "lab", limits.address_key(request), settings.LAB_REQUESTS_PER_MINUTE, LIMIT_WINDOW
    )


def too_many_message() -> str:
    return (
        f"The lab reads at most {settings.LAB_REQUESTS_PER_MINUTE} texts a minute for each "
        "visitor. Wait a minute and try again."
    )


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
    if not within_limit(request):
        return refuse(request, context, query, too_many_message(), status=429)
    try:
        check_sample(query.sample)
        position = read_index(query.position, "position")
        stage = read_index(query.stage, "stage")
        every = lens_result(query.text)
        if position is None:
            position = len(every["tokens"]) - 1
        result = one_position(every, position)
        n_stages = len(result["stages"])
        stage = n_stages - 1 if stage is None else check_stage(stage, n_stages)
    except LensInputError as error:
        return refuse(request, context, query, str(error), status=400)

    context |= {
        "result": result,
        "entry": entry_of(result),
        "position": position,
        "stage": stage,
        "stage_info": result["stages"][stage],
        "last_token": len(result["tokens"]) - 1,
        "last_stage": len(result["stages"]) - 1,
        "tokens": token_strip(query, result, position, stage),
        "unknown_chars": [char for _, char in result["unknown"]],
        "score_rows": score_rows(result),
        "histogram": histogram_rows(result, stage),
        "lab": {
            "result": result,
            "error": None,
            "sample": query.sample,
            "position": position,
            "stage": stage,
        },
    }
    return render(request, "lens/logit_evolution.html", context)


def refuse(
    request: HttpRequest, context: dict, query: LabQuery, message: str, *, status: int
) -> HttpResponse:
    """The page with the form and a clear message instead of results."""
    context["error"] = message
    context["lab"] = {"result": None, "error": message, "sample": query.sample}
    response = render(request, "lens/logit_evolution.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(LIMIT_WINDOW)
    return response


@require_safe
def logit_evolution_data(request: HttpRequest) -> HttpResponse:
    """The three figures' data as JSON: every position, or only ``position``; errors as 400.

    A client's requests are counted (429 with Retry-After past the limit). Every position's
    data is sent as the cache holds it, gzipped, unless the client does not take gzip (the
    site's GZipMiddleware compresses the rest and leaves an encoded response alone).
    """
    if not within_limit(request):
        response = JsonResponse({"error": too_many_message()}, status=429)
        response["Retry-After"] = str(LIMIT_WINDOW)
        return response
    query = read_query(request.GET)
    try:
        check_sample(query.sample)
        position = read_index(query.position, "position")
        body = lens_json_gzip(query.text)
        if position is not None:
            result = one_position(lens_result(query.text), position)
    except LensInputError as error:
        return JsonResponse({"error": str(error)}, status=400)
    if position is not None:
        response = JsonResponse(
            result, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
        )
    elif ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(body, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(body), content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = f"public, max-age={DATA_MAX_AGE}"
    return response


def entry_of(result: dict) -> dict:
    """The one position of a one-position result, as the template reads it."""
    position, tokens, vocab = result["positions"][0], result["tokens"], result["vocab"]
    return {
        "position": position,
        "token": vocab[tokens[position]],
        "next_token": vocab[tokens[position + 1]] if position + 1 < len(tokens) else None,
    }


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
        strip.append({"index": index, "text": result["vocab"][token], "role": role, "href": href})
    return strip


def score_rows(result: dict) -> list[dict]:
    """The table beside the first two figures: each top token's score and rank at each stage."""
    following = result["positions"][0] + 1
    tokens, vocab = result["tokens"], result["vocab"]
    next_id = tokens[following] if following < len(tokens) else None
    return [
        {
            "rank": k + 1,
            "token": vocab[token],
            "probability": f"{probability:.3f}",
            "is_next": token == next_id,
            "cells": [
                {"score": f"{score:.2f}", "rank": rank}
                for score, rank in zip(scores, ranks, strict=True)
            ],
        }
        for k, (token, scores, ranks, probability) in enumerate(
            zip(
                result["top"][0],
                result["scores"][0],
                result["ranks"][0],
                result["probability"][0],
                strict=True,
            )
        )
    ]


def histogram_rows(result: dict, stage: int) -> dict:
    """The table behind the histogram at ``stage``: its non-empty bins and the top tokens' z."""
    edges, vocab, counts = result["bin_edges"], result["vocab"], result["counts"][0]
    examples = iter(result["examples"][0])
    shown = [
        [next(examples) for _ in range(min(count, EXAMPLES_PER_BIN))]
        for row in counts
        for count in row
    ]
    n_bins = len(edges) - 1
    bins = [
        {
            "range": bin_range(edges, b),
            "count": count,
            "examples": [vocab[t] for t in shown[stage * n_bins + b]],
        }
        for b, count in enumerate(counts[stage])
        if count
    ]
    top = [
        {"token": vocab[token], "z": f"{z:.2f}"}
        for token, z in zip(result["top"][0], result["top_z"][0][stage], strict=True)
    ]
    return {
        "bins": bins,
        "top": top,
        "mean": f"{result['mean'][0][stage]:.2f}",
        "std": f"{result['std'][0][stage]:.2f}",
    }


def bin_range(edges: list[float], b: int) -> str:
    """A bin's z-scores in words; the end bins also hold everything beyond them."""
    if b == 0:
        return f"below {edges[1]:.1f}"
    if b == len(edges) - 2:
        return f"{edges[b]:.1f} or more"
    return f"{edges[b]:.1f} to {edges[b + 1]:.1f}"
