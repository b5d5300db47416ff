"""The lab's sample texts."""

from lens.logit_lens import TEXT_LIMIT, logit_lens
from lens.samples import SAMPLE_TEXTS


def test_samples_are_distinct_and_within_the_limit():
    assert len({s.slug for s in SAMPLE_TEXTS}) == len(SAMPLE_TEXTS) >= 5
    assert all(0 < len(s.text) <= TEXT_LIMIT for s in SAMPLE_TEXTS)


def test_samples_use_only_known_characters(model):
    for sample in SAMPLE_TEXTS:
        assert model.tokenizer.encode_with_spans(sample.text).unknown == []


def test_every_sample_runs_through_the_lens(model):
    for sample in SAMPLE_TEXTS:
        result = logit_lens(sample.text, model=model)
        assert len(result["positions"]) == len(result["tokens"])
