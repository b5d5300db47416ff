"""Figures: valid, deterministic, accessible SVG; strict request parsing; example figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlsplit

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import figures
from lessons.examples import Example
from lessons.figures import FigureError, FigureSpec

SVG = "{http://www.w3.org/2000/svg}"
LOGITS = (2.0, 1.0, 0.5)


def softmax_reference(logits, temperature=1.0) -> list[float]:
    """Softmax in 40-digit arithmetic, independent of the engine."""
    with mpmath.workdps(40):
        weights = [mpmath.exp(mpmath.mpf(z) / mpmath.mpf(temperature)) for z in logits]
        total = mpmath.fsum(weights)
        return [float(w / total) for w in weights]


def shown_numbers(text: str) -> list[str]:
    """The probabilities as the alt text writes them: 0.63 or <0.01."""
    return re.findall(r"<0\.01|\d+\.\d\d\b", text)


def assert_shown(shown: list[str], expected: list[float]) -> None:
    assert len(shown) == len(expected)
    for text, value in zip(shown, expected, strict=True):
        if text == "<0.01":
            assert 0 < value < 0.005
        else:
            assert abs(float(text) - value) <= 0.005 + 1e-12, (text, value)


def example(key: str, **inputs) -> Example:
    return Example(
        key=key, seed=7, statement="", steps=(), result="", insight="", inputs=dict(inputs)
    )


# --- rendering -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(figures.KINDS))
def rendered(request) -> tuple[FigureSpec, figures.RenderedFigure]:
    spec = FigureSpec(request.param, LOGITS, 1.0)
    return spec, figures.render(spec)


def test_each_kind_is_an_svg_document_titled_with_its_alt_text(rendered):
    spec, figure = rendered
    root = ET.fromstring(figure.svg.encode())
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("480", "300")
    title = root[0]
    assert title.tag == f"{SVG}title"
    assert title.text == figure.alt == spec.alt


def test_svg_is_safe_inside_an_img_under_a_strict_csp(rendered):
    _, figure = rendered
    for element in ET.fromstring(figure.svg.encode()).iter():
        assert not element.tag.endswith(("script", "foreignObject"))
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name.endswith("href"):
                assert value.startswith("#"), value  # only references inside the document


def test_text_stays_text(rendered):
    _, figure = rendered
    texts = [e.text for e in ET.fromstring(figure.svg.encode()).iter(f"{SVG}text")]
    assert texts, "svg.fonttype 'none' keeps labels as <text>"


@pytest.mark.parametrize("kind", sorted(figures.KINDS))
def test_same_spec_gives_the_same_bytes_and_other_logits_other_bytes(kind):
    first = figures.render(FigureSpec(kind, LOGITS, 1.0)).svg
    assert figures.render(FigureSpec(kind, LOGITS, 1.0)).svg == first
    assert figures.render(FigureSpec(kind, (2.0, 1.0, 0.4), 1.0)).svg != first


@pytest.mark.parametrize("kind", sorted(figures.KINDS))
@pytest.mark.parametrize(
    ("logits", "temperature"),
    [
        ((0.0, 0.0), 1.0),
        ((1e4, -1e4), 0.05),
        (tuple(float(i) for i in range(-6, 6)), 20.0),
        ((-3.0, -1.0, -2.5, -0.25), 0.7),
    ],
)
def test_extreme_but_valid_specs_render(kind, logits, temperature):
    figure = figures.render(FigureSpec(kind, logits, temperature))
    assert ET.fromstring(figure.svg.encode()).tag == f"{SVG}svg"


def test_concurrent_renders_give_the_same_bytes():
    specs = [FigureSpec(kind, LOGITS, t) for kind in sorted(figures.KINDS) for t in (0.5, 1.0)]
    serial = [figures.render(spec).svg for spec in specs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda spec: figures.render(spec).svg, specs))
    assert parallel == serial


def test_titles_in_the_svg_are_escaped():
    svg = figures._with_title('<svg width="1pt" height="2pt">\n</svg>', 'a < b & "c"')
    assert ET.fromstring(svg)[0].text == 'a < b & "c"'


# --- alt text agrees with an independent computation -----------------------------------------


def test_probabilities_alt_text():
    alt = FigureSpec("probabilities", LOGITS).alt
    assert alt == ("Bar chart of softmax probabilities for logits (2, 1, 0.5): 0.63, 0.23, 0.14.")


@pytest.mark.parametrize(
    ("logits", "temperature"),
    [
        (LOGITS, 1.0),
        ((3.5, -1.25, 0.0, 2.0, 7.0), 0.5),
        ((0.1, 0.2), 20.0),
        ((1e4, 9999.0, -1e4, 0.0), 1.0),
        (tuple(float(i) for i in range(12)), 0.7),
    ],
)
def test_probabilities_alt_numbers_match_reference(logits, temperature):
    alt = FigureSpec("probabilities", logits, temperature).alt
    values = alt.split(":", 1)[1]
    assert_shown(shown_numbers(values), softmax_reference(logits, temperature))


def test_temperature_alt_lists_each_temperature_and_matches_reference():
    spec = FigureSpec("temperature", (3.0, 1.0, 0.2, -1.0), 0.7)
    alt = spec.alt
    for temperature in (0.5, 0.7, 1.0, 2.0, 5.0):
        label = f"T = {temperature:g}: "
        assert label in alt
        series = alt.split(label, 1)[1].split(";", 1)[0]
        assert_shown(shown_numbers(series), softmax_reference(spec.logits, temperature))


def test_temperature_figure_does_not_show_two_series_that_read_the_same():
    alt = FigureSpec("temperature", LOGITS, 1.0000001).alt
    assert alt.count("T = 1:") == 1
    assert "temperatures 0.5, 1, 2, 5." in alt


def test_amplification_alt_shows_exponentials_sum_and_probabilities():
    alt = FigureSpec("amplification", LOGITS).alt
    exponentials = [mpmath.exp(z - max(LOGITS)) for z in LOGITS]
    total = float(mpmath.fsum(exponentials))
    tail = alt.split("minus the largest:", 1)[1]
    shown = shown_numbers(tail)
    assert_shown(shown[:3], [float(e) for e in exponentials])
    assert f"sum {total:.4g}" in alt
    assert_shown(shown[3:], softmax_reference(LOGITS))


def test_alt_is_in_the_rendered_figure():
    spec = FigureSpec("probabilities", LOGITS, 2.0)
    assert figures.render(spec).alt == spec.alt
    assert "temperature 2" in spec.alt


def test_captions_are_short_sentences():
    for kind in figures.KINDS:
        caption = FigureSpec(kind, LOGITS).caption
        assert caption.endswith(".") and len(caption) < 100


# --- keys and URLs ---------------------------------------------------------------------------


def test_url_is_canonical():
    assert FigureSpec("probabilities", LOGITS).url == (
        "/figures/probabilities.svg?logits=2,1,0.5&t=1"
    )
    assert FigureSpec("temperature", (-0.0, 1e-05, 0.1), 0.05).url == (
        "/figures/temperature.svg?logits=0,1e-05,0.1&t=0.05"
    )


def test_cache_key_is_short_safe_and_follows_the_numbers():
    key = FigureSpec("probabilities", LOGITS).cache_key()
    assert re.fullmatch(r"fig:v\d+:[0-9a-f]{32}", key)
    assert key == FigureSpec("probabilities", (2, 1, 0.5), 1).cache_key()
    assert FigureSpec("probabilities", (0.0, 1.0)).cache_key() == (
        FigureSpec("probabilities", (-0.0, 1.0)).cache_key()
    )
    others = {
        FigureSpec("temperature", LOGITS).cache_key(),
        FigureSpec("probabilities", LOGITS, 0.5).cache_key(),
        FigureSpec("probabilities", (2.0, 1.0, 0.5000001)).cache_key(),
    }
    assert key not in others and len(others) == 3


def test_cache_key_includes_the_drawing_version(monkeypatch):
    spec = FigureSpec("probabilities", LOGITS)
    before = spec.cache_key()
    monkeypatch.setattr(figures, "VERSION", figures.VERSION + 1)
    assert spec.cache_key() != before


finite_logits = st.lists(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(sorted(figures.KINDS)),
    logits=finite_logits,
    temperature=st.floats(min_value=0.05, max_value=20),
)
def test_url_parses_back_to_the_same_spec(kind, logits, temperature):
    spec = FigureSpec(kind, tuple(logits), temperature)
    address = urlsplit(spec.url)
    assert address.path == f"/figures/{kind}.svg"
    again = figures.parse_request(kind, dict(parse_qsl(address.query)))
    assert again == spec
    assert again.cache_key() == spec.cache_key()


# --- parsing requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "logits", "temperature"),
    [
        ({"logits": "2,1,0.5"}, (2.0, 1.0, 0.5), 1.0),
        ({"logits": "2,1,0.5", "t": "0.5"}, (2.0, 1.0, 0.5), 0.5),
        ({"logits": " -1.5 , +2 ,.25,3. ", "t": "20"}, (-1.5, 2.0, 0.25, 3.0), 20.0),
        ({"logits": "1e-3,-1E2", "t": "5e-2"}, (0.001, -100.0), 0.05),
        ({"logits": "10000,-10000"}, (1e4, -1e4), 1.0),
        ({"logits": ",".join(["0"] * 12)}, (0.0,) * 12, 1.0),
        ({"logits": "1,2", "utm_source": "x"}, (1.0, 2.0), 1.0),  # other keys are ignored
    ],
)
def test_parse_request_accepts(params, logits, temperature):
    spec = figures.parse_request("probabilities", params)
    assert spec == FigureSpec("probabilities", logits, temperature)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("histogram", {"logits": "1,2"}, "Unknown figure kind 'histogram'"),
        ("", {"logits": "1,2"}, "choose one of amplification, probabilities, temperature"),
        ("probabilities", {}, "Give the logits"),
        ("probabilities", {"logits": ""}, "Give the logits"),
        ("probabilities", {"logits": "  "}, "Give the logits"),
        ("probabilities", {"logits": "1,abc"}, "Logit 2 ('abc') is not a number"),
        ("probabilities", {"logits": "1,,2"}, "Logit 2 ('') is not a number"),
        ("probabilities", {"logits": "1;2"}, "Logit 1 ('1;2') is not a number"),
        ("probabilities", {"logits": "1,0x10"}, "is not a number"),
        ("probabilities", {"logits": "1,1_000"}, "is not a number"),
        ("probabilities", {"logits": "1,\u0661"}, "is not a number"),  # Arabic-Indic one
        ("probabilities", {"logits": "1,nan"}, "Logit 2 ('nan') is not a finite number"),
        ("probabilities", {"logits": "-inf,1"}, "Logit 1 ('-inf') is not a finite number"),
        ("probabilities", {"logits": "1,Infinity"}, "is not a finite number"),
        ("probabilities", {"logits": "1,1e999"}, "Logit 2 is not a finite number"),
        ("probabilities", {"logits": "1"}, "between 2 and 12 logits; got 1"),
        ("probabilities", {"logits": ",".join(["1"] * 13)}, "between 2 and 12 logits; got 13"),
        ("probabilities", {"logits": "1,10000.5"}, "between -10000 and 10000; logit 2 is"),
        ("probabilities", {"logits": "1,2", "t": "abc"}, "t ('abc') is not a number"),
        ("probabilities", {"logits": "1,2", "t": ""}, "t ('') is not a number"),
        ("probabilities", {"logits": "1,2", "t": "nan"}, "t ('nan') is not a finite number"),
        ("probabilities", {"logits": "1,2", "t": "0"}, "from 0.05 to 20; got 0"),
        ("probabilities", {"logits": "1,2", "t": "0.049"}, "from 0.05 to 20; got 0.049"),
        ("probabilities", {"logits": "1,2", "t": "20.5"}, "from 0.05 to 20; got 20.5"),
        ("probabilities", {"logits": "1,2", "t": "-1"}, "from 0.05 to 20; got -1"),
        ("probabilities", {"logits": "1," * 300 + "1"}, "query string is too long"),
        ("probabilities", {"logits": "1,2", "x": "y" * 600}, "query string is too long"),
    ],
)
def test_parse_request_rejects_with_a_clear_message(kind, params, message):
    with pytest.raises(FigureError, match=re.escape(message)):
        figures.parse_request(kind, params)


def test_long_bad_tokens_are_shortened_in_the_message():
    with pytest.raises(FigureError) as error:
        figures.parse_request("probabilities", {"logits": "1," + "x" * 200})
    assert len(str(error.value)) < 120


def test_figure_error_is_a_value_error():
    assert issubclass(FigureError, ValueError)


@pytest.mark.parametrize(
    ("logits", "temperature", "message"),
    [
        ((1.0, float("nan")), 1.0, "not a finite number"),
        ((1.0, True), 1.0, "Logit 2 is not a number"),
        ((1.0, "2"), 1.0, "Logit 2 is not a number"),
        ("12", 1.0, "list of numbers"),
        ((1.0, 2.0), float("inf"), "temperature t must be a number"),
        ((1.0, 2.0), "1", "temperature t must be a number"),
    ],
)
def test_specs_built_directly_are_checked_too(logits, temperature, message):
    with pytest.raises(FigureError, match=message):
        FigureSpec("probabilities", logits, temperature)


number_like = st.text(alphabet="0123456789.,+-eE naIfy_x", max_size=60)
short_text = st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    kind=st.one_of(st.sampled_from(sorted(figures.KINDS)), st.text(max_size=12)),
    params=st.dictionaries(
        st.one_of(st.sampled_from(["logits", "t"]), st.text(max_size=8)),
        st.one_of(number_like, short_text),
        max_size=4,
    ),
)
def test_any_request_gives_a_spec_or_a_figure_error(kind, params):
    try:
        spec = figures.parse_request(kind, params)
    except FigureError as error:
        assert str(error)
        return
    assert spec.kind == kind
    assert 2 <= len(spec.logits) <= 12
    assert all(abs(z) <= 1e4 for z in spec.logits)
    assert 0.05 <= spec.temperature <= 20


# --- figures for worked examples -------------------------------------------------------------


def test_softmax_probabilities_example_gets_bars_and_amplification():
    specs = figures.specs_for_example(example("softmax_probabilities", logits=[2, 1, 0.5]))
    assert [s.kind for s in specs] == ["probabilities", "amplification"]
    assert all(s.logits == LOGITS and s.temperature == 1.0 for s in specs)


def test_temperature_example_gets_its_temperature_and_the_comparison():
    specs = figures.specs_for_example(
        example("softmax_temperature", logits=[1.5, -0.5, 0.25], temperature=0.5)
    )
    assert [s.kind for s in specs] == ["probabilities", "temperature"]
    assert all(s.temperature == 0.5 for s in specs)
    assert "at temperature 0.5" in specs[0].alt


def test_other_example_with_logits_gets_the_bars_only():
    specs = figures.specs_for_example(example("cross_entropy", logits=(0.1, 0.2), target=1))
    assert [s.kind for s in specs] == ["probabilities"]


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"probabilities": [0.5, 0.5]},
        {"logits": [[1, 2], [3, 4]]},  # a batch: not one vector
        {"logits": [1.0]},
        {"logits": list(range(13))},
        {"logits": [1.0, float("nan")]},
        {"logits": [1.0, 2e4]},
        {"logits": "1,2"},
        {"logits": [1, "2"]},
        {"logits": None},
        {"logits": [1.0, 2.0], "temperature": 0.0},
        {"logits": [1.0, 2.0], "temperature": "hot"},
    ],
)
def test_examples_without_a_usable_logit_vector_get_no_figures(inputs):
    assert figures.specs_for_example(example("softmax_temperature", **inputs)) == []


def test_specs_for_example_never_raises_on_odd_objects():
    assert figures.specs_for_example(object()) == []
    assert figures.specs_for_example(None) == []
