"""A small exercise template written as an author would, and a broken variant of it."""

VALID = r"""key = "two-logit-softmax"
title = "Softmax of two logits"
difficulty = "easy"
kind = "number"
answer_format = "one number, 3 decimals"
constraints = ["distinct(z)"]
statement = "The logits are $\\mathbf{z} = {{ z }}$. Give the first class's probability."
hints = ["Divide $e^{z_1}$ by $e^{z_1} + e^{z_2}$."]
solution = "$p_1 = {{ p[0] | 3 }}$."
insight = "Only the difference of the two logits matters."
answer = "p[0]"

[draw]
z = { vector = 2, integers = [-3, 3] }

[let]
p = "softmax(z)"

[[steps]]
title = "Exponentiate and normalise"
formula = "p_1 = \\frac{e^{ {{ z[0] }} }}{e^{ {{ z[0] }} } + e^{ {{ z[1] }} }} = {{ p[0] | 3 }}"
explanation = "Softmax divides each exponential by their sum."

[[mistakes]]
answer = "p[1]"
message = "That is the second class's probability."
"""

# Fails only at the seeds that draw k = 2: z has two entries, z[0] and z[1].
BROKEN = VALID.replace("z = { vector = 2", "k = { integer = [0, 2] }\nz = { vector = 2").replace(
    'solution = "$p_1', 'solution = "Logit {{ z[k] }}; $p_1'
)


def load_small_tree(*slugs: str):
    """Load these demo concepts and everything they stand on, nothing else (faster than the
    whole demo tree, and independent of concepts being written elsewhere)."""
    from techtree.content import read_folder
    from techtree.loading import load_concepts
    from tests.conftest import CONTENT

    sources = {source.slug: source for source in read_folder(CONTENT)}
    wanted, todo = set(), list(slugs)
    while todo:
        slug = todo.pop()
        if slug not in wanted:
            wanted.add(slug)
            todo.extend(sources[slug].prerequisites)
    return load_concepts([sources[slug] for slug in sorted(wanted)])
