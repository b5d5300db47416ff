"""Problems whose Python generator became an exercise template of the same concept.

The generator is gone from the registry, so such a row could no longer be built. Where the
concept's template is already stored (its file was loaded after the change), the row is
pointed at it and keeps its attempts and progress, unless the template already has its own
row; otherwise the row is removed, and the next `load_content` places the template afresh.
"""

from django.db import migrations

# generator key -> the key of the template that replaced it, in the same concept's file
NOW_TEMPLATES = {
    "exp_sum_to_product": "sums-become-products",
    "log_of_ratio": "a-difference-of-logs",
    "sequence_log_likelihood": "the-log-of-a-tiny-probability",
    "dot_product": "a-query-key-dot-product",
    "most_aligned_key": "the-best-matching-key",
    "cosine_similarity": "cosine-similarity",
    "missing_probability": "the-missing-probability",
    "valid_distribution": "which-is-a-distribution",
    "expected_draw_count": "how-often-will-it-come-up",
    "distribution_entropy": "entropy-of-a-distribution",
    "slope_of_quadratic": "the-slope-at-a-point",
    "chain_rule_softplus": "the-chain-rule-for-softplus",
    "gradient_descent_step": "one-step-of-gradient-descent",
    "sigmoid_symmetry": "the-sigmoids-mirror",
    "logistic_regression_probability": "a-logistic-regression-probability",
    "logistic_bias_for_probability": "choosing-the-bias",
    "cross_entropy_from_probability": "the-surprise-at-the-true-class",
    "cross_entropy_from_logits": "cross-entropy-from-the-logits",
    "cross_entropy_highest_loss": "which-prediction-costs-most",
    "cross_entropy_soft_target": "cross-entropy-with-a-smoothed-target",
    "gradient_true_class_entry": "the-gradient-at-the-true-class",
    "gradient_missing_entry": "the-gradient-entries-add-up-to-zero",
    "gradient_step_on_logits": "a-gradient-step-on-the-logits",
    "logsumexp_bounds": "where-log-sum-exp-lies",
    "logsumexp_value": "log-sum-exp-by-hand",
    "logsumexp_huge": "log-sum-exp-of-huge-logits",
    "log_softmax_underflow": "a-log-probability-that-cannot-be-a-probability",
    "float32_exp_overflow": "which-exponential-overflows",
    "float32_spacing": "the-gap-between-floats",
    "residual_stream_update": "the-residual-stream-through-a-block",
    "layer_norm_vector": "layer-normalisation",
}


def point_at_templates(apps, schema_editor):
    Problem = apps.get_model("quizzes", "Problem")
    ExerciseTemplate = apps.get_model("exercise_templates", "ExerciseTemplate")
    for problem in Problem.objects.filter(generator__in=NOW_TEMPLATES, template__isnull=True):
        template = ExerciseTemplate.objects.filter(
            concept_id=problem.concept_id, key=NOW_TEMPLATES[problem.generator]
        ).first()
        if template is None or Problem.objects.filter(template=template).exists():
            problem.delete()
            continue
        problem.template, problem.generator = template, ""
        problem.save(update_fields=["template", "generator"])


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0006_concept_progress_placed"),
        ("exercise_templates", "0002_spec_keeps_key_order"),
    ]

    operations = [migrations.RunPython(point_at_templates, migrations.RunPython.noop)]
