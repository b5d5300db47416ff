from django.apps import AppConfig
from django.conf import settings


class LensConfig(AppConfig):
    name = "lens"

    def ready(self) -> None:
        """Hold NumPy's BLAS to ``settings.BLAS_THREADS`` threads in every process of the site.

        OpenBLAS starts one thread per core; under gunicorn every worker then spreads one small
        matrix product over both cores, doubling the CPU the lab uses and, on a busy machine,
        its time (``bench/lens.py`` measures both). One thread per worker is the right size.
        """
        import numpy  # noqa: F401 - loads OpenBLAS, so there is a library to limit
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=settings.BLAS_THREADS, user_api="blas")
