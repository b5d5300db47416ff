"""PURE: short texts for the lab's picker, each within the lens's input limit.

The first three are also the model's reference inputs: training stores PyTorch's outputs for
them in the npz, and a test checks they still tokenize as stored, so rewording one of those
three means running ``manage.py train_model`` again. Add new samples at the end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleText:
    """A titled text the learner can pick instead of typing one."""

    slug: str
    title: str
    text: str


SAMPLE_TEXTS: tuple[SampleText, ...] = (
    SampleText(
        slug="softmax",
        title="Softmax",
        text=(
            "The softmax turns a list of scores into probabilities. A larger score gets a "
            "larger share, and every share is positive, so the probabilities add up to one."
        ),
    ),
    SampleText(
        slug="attention",
        title="Attention",
        text=(
            "Each token asks a question with its query vector. The keys of the earlier tokens "
            "answer, and the values they carry are mixed in proportion to the match."
        ),
    ),
    SampleText(
        slug="training",
        title="Training loop",
        text=(
            "We compute the loss on a batch, take the gradient of the loss with respect to "
            "every weight, and move each weight a small step against its gradient."
        ),
    ),
    SampleText(
        slug="definition",
        title="A cynical definition",
        text=(
            "MODEL, n.  A machine that is certain of the next word and modest about "
            "everything else. It has read more than any man and understood as much."
        ),
    ),
    SampleText(
        slug="market",
        title="The market",
        text=(
            "On Saturday morning the market opened early. The baker sold his bread before "
            "the sun was high, and the fishermen were home by noon."
        ),
    ),
    SampleText(
        slug="letter",
        title="A short letter",
        text=(
            "Dear friend, I write to you from a small house by the sea. The weather has "
            "been kind to us, and the children are well. Yours, as ever, A."
        ),
    ),
    SampleText(
        slug="numbers",
        title="Counting",
        text="one, two, three, four, five, six, seven, eight, nine, ten. 1, 2, 3, 4, 5, 6, 7",
    ),
)
