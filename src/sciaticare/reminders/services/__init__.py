"""Every write of the reminders app, one module per subject (re-exports nothing):

- ``delivery``: `deliver`, the one way a reminder is sent, by the channels the person chose,
  outside their quiet hours, once.
- ``preferences``: the person's channels per kind and quiet hours.
- ``devices``: push subscriptions, added and removed.
- ``replies``: STOP and START from a text message reply.
- ``erasure``: what deleting an account erases here.
"""
