"""Keep the derived scope right whatever path changes the parties (services, admin, shell);
and the partnership's own signals, sent once the change is committed, for whoever must be told
(notifications connect to them)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from organisations.models import Organisation

from .models import Partnership, Party

# An organisation left a partnership: ``party`` (its left_on set), with the ``reason`` it gave
# (may be empty). Sent after the commit, once.
party_left = Signal()
# Events other apps (notifications) listen to, sent once the change is committed.
#: The coordinators withdrew an invitation sent by e-mail to an organisation not on the
#: platform. Arguments: ``invitation`` (a PartnerInvitation), ``actor``.
partner_invitation_withdrawn = Signal()
# The level agreed together, proposed outside a review (``partnerships.services.proposals``);
# each is sent after commit, with the proposal (a ``LevelProposal``) as a keyword argument.
level_proposed = Signal()  # proposal: the other parties are asked to confirm it
level_proposal_answered = Signal()  # proposal, party, accepted: one party confirmed or refused
level_agreed = Signal()  # proposal: every other party confirmed; its level is the agreed one


@receiver([post_save, post_delete], sender=Party, dispatch_uid="party_changes_scope")
def party_changed(sender, instance: Party, **kwargs) -> None:
    from partnerships.services.agreements import agreement_parties_changed
    from partnerships.services.partnerships import partnership_refresh_scope
    from partnerships.services.proposals import level_proposal_parties_changed

    if kwargs.get("raw") or isinstance(kwargs.get("origin"), Partnership):
        return  # fixtures load derived values as they are; a deleted partnership needs none
    actor = getattr(instance, "_history_user", None)
    partnership_refresh_scope(instance.partnership, actor)
    agreement_parties_changed(instance.partnership, actor)  # a submitted version may be due
    level_proposal_parties_changed(instance.partnership)  # a pending proposal may be agreed


@receiver(pre_save, sender=Organisation, dispatch_uid="organisation_remember_system")
def organisation_saving(sender, instance: Organisation, **kwargs) -> None:
    if instance.pk is None:
        instance._system_changed = False
        return
    previous = list(Organisation.objects.filter(pk=instance.pk).values_list("parent_id", flat=True))
    instance._system_changed = not previous or previous[0] != instance.parent_id


@receiver(post_save, sender=Organisation, dispatch_uid="organisation_system_changes_scope")
def organisation_changed(sender, instance: Organisation, created: bool, **kwargs) -> None:
    """A change of system moves the organisation and all its units: recompute their scopes."""
    from partnerships.services.partnerships import partnership_refresh_scope

    if created or kwargs.get("raw") or not getattr(instance, "_system_changed", False):
        return
    organisation_ids = {instance.pk}
    frontier = {instance.pk}
    while frontier:
        frontier = (
            set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - organisation_ids
        )
        organisation_ids |= frontier
    actor = getattr(instance, "_history_user", None)
    for partnership in Partnership.objects.filter(
        parties__organisation_id__in=organisation_ids
    ).distinct():
        partnership_refresh_scope(partnership, actor)
