"""Every process of the site holds NumPy's BLAS to settings.BLAS_THREADS threads."""

from django.conf import settings
from threadpoolctl import threadpool_info


def test_blas_uses_one_thread_per_process():
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas, "NumPy's BLAS is loaded once Django is set up"
    assert settings.BLAS_THREADS == 1
    assert {lib["num_threads"] for lib in blas} == {1}
