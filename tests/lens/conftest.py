"""The committed lens model, read once for the whole lens test run."""

import pytest

from lens.transformer import Model, default_model


@pytest.fixture(scope="session")
def model() -> Model:
    return default_model()
