from django.contrib import admin

from sciaticare.records.models import HomeCareAdvice, NoteTemplate

# Session notes and amendments are deliberately absent: every read of a clinical record goes
# through records.selectors (access check + audit), and no admin path may edit one.
admin.site.register(HomeCareAdvice)
admin.site.register(NoteTemplate)
