from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "sciaticare.exercises"
    label = "exercises"
