"""Keep the derived scope right whatever path changes the parties (services, admin, shell);
and the partnership's own signals, sent once the change is committed, for whoever must be told
(notifications connect to them)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal, receiver

from organisations.models import Organisation

from .models import (
    Agreement,
    AgreementApproval,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    LevelProposal,
    LevelProposalAnswer,
    Partnership,
    Party,
    Responsibility,
    Review,
)

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


def deleting_a_partnership(origin) -> bool:
    """Whether a delete comes from a partnership's (``origin``: the instance or the query set
    whose ``delete()`` started it): its records go with it and need nothing derived."""
    if isinstance(origin, QuerySet):
        return origin.model is Partnership
    return isinstance(origin, Partnership)


@receiver([post_save, post_delete], sender=Party, dispatch_uid="party_changes_scope")
def party_changed(sender, instance: Party, **kwargs) -> None:
    from partnerships.services.agreements import agreement_parties_changed
    from partnerships.services.partnerships import partnership_refresh_scope
    from partnerships.services.proposals import level_proposal_parties_changed

    if kwargs.get("raw") or deleting_a_partnership(kwargs.get("origin")):
        return  # fixtures load derived values as they are; a deleted partnership needs none
    actor = getattr(instance, "_history_user", None)
    partnership_refresh_scope(instance.partnership, actor)
    agreement_parties_changed(instance.partnership, actor)  # a submitted version may be due
    level_proposal_parties_changed(instance.partnership)  # a pending proposal may be agreed


@receiver(pre_save, sender=Organisation, dispatch_uid="organisation_remember_system")
def organisation_saving(sender, instance: Organisation, **kwargs) -> None:
    if instance.pk is None:
        instance._system_changed = instance._size_changed = False
        return
    previous = list(
        Organisation.objects.filter(pk=instance.pk).values_list("parent_id", "size_band")
    )
    instance._system_changed = not previous or previous[0][0] != instance.parent_id
    instance._size_changed = not previous or previous[0][1] != instance.size_band


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


# --- The read model ------------------------------------------------------------------------
# Every record the current state is derived from: a save or a delete, whatever path made it,
# recomputes the partnership's rows in the same transaction (``services.state``).
def _partnership_of(instance) -> int | None:
    if isinstance(instance, Partnership):
        return instance.pk
    if isinstance(instance, ConcernCheck):
        concern = ConcernCheck.concern.field.get_cached_value(instance, None)
        if concern is not None:  # the services load it to check the writer
            return concern.partnership_id
        return (
            Concern.objects.filter(pk=instance.concern_id)
            .values_list("partnership_id", flat=True)
            .first()
        )
    if isinstance(instance, AgreementApproval):
        return _through(instance, AgreementApproval.agreement, Agreement, instance.agreement_id)
    if isinstance(instance, LevelProposalAnswer):
        return _through(instance, LevelProposalAnswer.proposal, LevelProposal, instance.proposal_id)
    return instance.partnership_id


def _through(instance, relation, model, pk: int) -> int | None:
    """The partnership of the record ``instance`` points to (``relation``), from the record
    when it is loaded, else in one query (None when it is gone)."""
    record = relation.field.get_cached_value(instance, None)
    if record is not None:
        return record.partnership_id
    return model.objects.filter(pk=pk).values_list("partnership_id", flat=True).first()


def read_model_source_changed(sender, instance, **kwargs) -> None:
    from partnerships.services import state

    if kwargs.get("raw"):
        return
    if deleting_a_partnership(kwargs.get("origin")):
        return  # a partnership deleted with its records needs no state
    partnership_id = _partnership_of(instance)
    if partnership_id is None:
        return
    if sender is Partnership and not kwargs.get("created"):
        # An edit changes no level or count, but the to-do names its title, asks to plan its
        # review by its status and date, and to re-rate concerns by its cadence.
        state.changed([partnership_id], state.todo("leads", "reviews_to_plan", "concerns"))
        return
    parts = _parts_changed_by(sender)
    if sender is LevelAssessment and instance.review_id is None:
        parts -= state.TODO  # only a rating given for a review is asked for in the to-do
    state.changed([partnership_id], parts)


def _parts_changed_by(sender) -> frozenset[str]:
    """Which parts of the read model a record of ``sender`` feeds (``services.state``): its
    state, its concerns, and the builders of the to-do that read it."""
    from partnerships.services import state

    if sender in (Partnership, Party):  # a party is counted in all, and sees the concerns
        return state.EVERYTHING
    return {
        Concern: frozenset({state.CONCERNS}) | state.todo("concerns"),
        ConcernCheck: frozenset({state.CONCERNS}) | state.todo("concerns"),
        LevelAssessment: frozenset({state.STATE}) | state.todo("reviews"),
        Review: frozenset({state.STATE}) | state.todo("reviews", "reviews_to_plan"),
        Commitment: frozenset({state.STATE}) | state.todo("commitments"),
        Agreement: frozenset({state.STATE}) | state.todo("agreements"),
        AgreementApproval: state.todo("agreements"),
        LevelProposal: state.todo("level_proposals"),
        LevelProposalAnswer: state.todo("level_proposals"),
        Responsibility: frozenset({state.STATE}),
    }[sender]


@receiver(pre_delete, sender=Partnership, dispatch_uid="read_model_partnership_deleted")
def partnership_deleting(sender, instance: Partnership, **kwargs) -> None:
    """Its rows go with it; its share of its organisations' monthly roll-ups is taken out.
    Its organisations are noted: once it is gone, their partners are recomputed."""
    from partnerships.services.partner_links import organisations_of
    from partnerships.services.state import partnership_removed

    partnership_removed(instance.pk)
    instance._organisations_before_delete = organisations_of([instance.pk])


@receiver(post_delete, sender=Partnership, dispatch_uid="partners_partnership_deleted")
def partnership_deleted(sender, instance: Partnership, **kwargs) -> None:
    from partnerships.services import state

    state.partners_changed(organisation_ids=getattr(instance, "_organisations_before_delete", ()))


@receiver([post_save, post_delete], sender=Party, dispatch_uid="party_changes_partners")
def party_changes_partners(sender, instance: Party, **kwargs) -> None:
    """Who partners with whom (``services.partner_links``): every organisation of the
    partnership, and the party's own, which may have just lost it."""
    from partnerships.services import state

    if kwargs.get("raw") or deleting_a_partnership(kwargs.get("origin")):
        return  # a deleted partnership's organisations are recomputed once it is gone
    state.partners_changed([instance.partnership_id], [instance.organisation_id])


@receiver(post_save, sender=Organisation, dispatch_uid="organisation_size_changes_state")
def organisation_size_changed(sender, instance: Organisation, created: bool, **kwargs) -> None:
    """The parties' size spread is part of each of its partnerships' state."""
    from partnerships.services import state

    if created or kwargs.get("raw") or not getattr(instance, "_size_changed", False):
        return
    state.changed(
        Party.objects.filter(organisation=instance).values_list("partnership_id", flat=True),
        frozenset({state.STATE}),
    )


READ_MODEL_SOURCES = (
    Partnership,
    Party,
    LevelAssessment,
    Concern,
    ConcernCheck,
    Commitment,
    Responsibility,
    Agreement,
    Review,
    AgreementApproval,
    LevelProposal,
    LevelProposalAnswer,
)
# Connected model by model: a receiver for every sender would make Django load each row of any
# bulk delete anywhere (sessions, notifications…) to send it the signal.
for _source in READ_MODEL_SOURCES:
    post_save.connect(
        read_model_source_changed, sender=_source, dispatch_uid=f"read_model_saved_{_source}"
    )
    post_delete.connect(
        read_model_source_changed, sender=_source, dispatch_uid=f"read_model_deleted_{_source}"
    )
