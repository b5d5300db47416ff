"""manage.py create_demo_users: a demo learner and a demo author, created once."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

DEMO_LEARNER = ("learner", "softmax-learner-2026")
DEMO_AUTHOR = ("author", "softmax-author-2026")
AUTHORED_APPS = ("techtree", "lessons", "quizzes", "exercise_templates", "authoring")


class Command(BaseCommand):
    help = (
        "Create a demo learner and a demo author (staff in the 'Authors' group, allowed to edit "
        "concepts, lessons and problems) if they do not exist yet, and print how to log in. "
        "Existing accounts and their passwords are left alone."
    )

    def handle(self, *args, **options) -> None:
        authors, _ = Group.objects.get_or_create(name="Authors")
        authors.permissions.set(
            Permission.objects.filter(content_type__app_label__in=AUTHORED_APPS)
        )
        for (username, password), staff in ((DEMO_LEARNER, False), (DEMO_AUTHOR, True)):
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": staff}
            )
            if created:
                user.set_password(password)
                user.save()
                if staff:
                    user.groups.add(authors)
                note = f"password {password}"
            else:
                note = "already existed; password unchanged"
            role = "author (admin at /admin/)" if staff else "learner"
            self.stdout.write(f"Demo {role}: username {username}, {note}")
