"""The questionnaire of a review: opened and closed by coordinators, answered anonymously by
the members of the parties taking part, its results as the caller may see them.

No response says who answered what: the caller sees their own answers only, the results are
counts per party and question (``null`` while open, under 3 respondents, or, before the review
is held, for another party).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api.errors import TransactionalWrites
from partnerships import policy
from partnerships.models import Answer, CustomQuestion, Party, Questionnaire, Review
from partnerships.reads.questionnaires import (
    public_question,
    questions_for_party,
    visible_results,
)
from partnerships.services.questionnaires import (
    answer_key,
    answers_save,
    asked_members,
    custom_question_add,
    custom_question_delete,
    questionnaire_close,
    questionnaire_members_choose,
    questionnaire_open,
)

from .records import RecordsMixin
from .views import ACTING


class MembersSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=150),
        min_length=1,
        max_length=1000,
        help_text=_(
            "Usernames or member ids of people of your own organisation: only they are asked "
            "to answer for it."
        ),
    )


class QuestionnaireOpenSerializer(serializers.Serializer):
    closes_on = serializers.DateField(
        required=False,
        help_text=_("Last day answers are taken (default: the day before the meeting)."),
    )
    members = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        min_length=1,
        max_length=1000,
        help_text=_(
            "Usernames or member ids of people of your own organisation asked to answer "
            "(default: all its members)."
        ),
    )


class AskedMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class AskedSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    chosen = serializers.BooleanField(
        help_text=_("Whether the coordinators chose (otherwise every member is asked).")
    )
    members = AskedMemberSerializer(many=True)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text=_("An integer (levels, scales) or a string."))
    label = serializers.CharField()


class ScaleSerializer(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=["level", "scale", "choice", "text"])
    text = serializers.CharField()
    detail = serializers.CharField(required=False)
    choices = ChoiceSerializer(many=True, required=False)
    scale = ScaleSerializer(required=False)
    multiple = serializers.BooleanField(required=False)


class AnswerItemSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=40)
    value = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "An integer (level, scale), a list of choice values, or a string; null or empty "
            "leaves the question unanswered."
        ),
    )


class AnswersSerializer(serializers.Serializer):
    answers = AnswerItemSerializer(many=True, max_length=100)


class QuestionnaireSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    closes_on = serializers.DateField()
    closed = serializers.BooleanField()
    organisation = serializers.CharField(
        allow_null=True, help_text=_("The organisation you answer for.")
    )
    answered = serializers.BooleanField(help_text=_("Whether you have answered."))
    questions = QuestionSerializer(many=True)
    answers = AnswerItemSerializer(many=True, help_text=_("Your own answers, to change them."))


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.CharField()
    distribution = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text=_(
            "Answers per value; null while the questionnaire is open, where fewer than 3 of "
            "the party's members answered, or before the review is held for another party."
        ),
    )
    texts = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=_("Free-text answers as written, in alphabetical order, without author."),
    )


class PartyResultSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    respondents = serializers.IntegerField()
    questions = QuestionResultSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    closed = serializers.BooleanField()
    parties = PartyResultSerializer(many=True)


class QuestionnaireMixin(RecordsMixin, TransactionalWrites, generics.GenericAPIView):
    model = Review
    serializer_class = QuestionnaireSerializer

    def get_review(self) -> Review:
        return self.get_object()

    def questionnaire(self, review: Review) -> Questionnaire:
        questionnaire = Questionnaire.objects.filter(review=review).first()
        if questionnaire is None:
            raise Http404("No questionnaire.")
        return questionnaire

    def own_party_ids(self) -> set[int]:
        return set(
            Party.objects.filter(
                policy.joined(),
                partnership=self.get_partnership(),
                organisation__active=True,
                organisation__memberships__user=self.request.user,
            ).values_list("pk", flat=True)
        )

    def describe(self, review: Review, questionnaire: Questionnaire) -> dict:
        """The questionnaire as the caller answers it, for the organisation they act for."""
        try:
            organisation = self.acting_organisation(require=policy.require_questionnaire_answerer)
        except (PermissionDenied, Http404):
            organisation = None  # a party that left reads the questions, answers nothing
        party = policy.party_of(organisation, review.partnership) if organisation else None
        # Without a party to answer for (one that left): the questions asked to everyone.
        questions = questions_for_party(questionnaire, party.pk if party else -1)
        own = Answer.objects.filter(
            questionnaire=questionnaire, key=answer_key(self.request.user, questionnaire)
        ).values_list("question", "value")
        return {
            "review": review.pk,
            "closes_on": questionnaire.closes_on,
            "closed": questionnaire.is_closed,
            "organisation": organisation.slug if organisation else None,
            "answered": questionnaire.respondents.filter(user=self.request.user).exists(),
            "questions": [public_question(q) for q in questions],
            "answers": [{"question": q, "value": v} for q, v in own],
        }


class QuestionnaireApi(QuestionnaireMixin):
    """The review's questionnaire: read its questions (members), or open it (coordinators of
    any party taking part, while the review is planned; 409 once open or held)."""

    conflict_methods = ("POST",)
    error_codes = (400,)  # ?organisation= naming none of the caller's parties

    @extend_schema(responses={200: QuestionnaireSerializer}, parameters=[ACTING])
    def get(self, request, *args, **kwargs):
        review = self.get_review()
        return Response(self.describe(review, self.questionnaire(review)))

    @extend_schema(request=QuestionnaireOpenSerializer, responses={201: QuestionnaireSerializer})
    def post(self, request, *args, **kwargs):
        review = self.get_review()
        organisation = self.acting_organisation()
        body = QuestionnaireOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        questionnaire = questionnaire_open(
            actor=request.user,
            organisation=organisation,
            review=review,
            closes_on=body.validated_data.get("closes_on"),
            members=body.validated_data.get("members"),
        )
        return Response(self.describe(review, questionnaire), status=status.HTTP_201_CREATED)


class QuestionnaireCloseApi(QuestionnaireMixin):
    """Close the questionnaire before its date (coordinators): answers no longer change and
    the results are computed (409 once closed)."""

    conflict_methods = ("POST",)

    @extend_schema(request=None, responses={200: QuestionnaireSerializer})
    def post(self, request, *args, **kwargs):
        review = self.get_review()
        organisation = self.acting_organisation()
        self.questionnaire(review)
        questionnaire = questionnaire_close(
            actor=request.user, organisation=organisation, review=review
        )
        return Response(self.describe(review, questionnaire))


class QuestionnaireAnswersApi(QuestionnaireMixin):
    """Record (201) or replace (200) your answers, for the organisation you act for
    (``?organisation=`` when you are in several parties); 409 once the questionnaire is
    closed. Answers are anonymous: nobody, staff included, sees who answered what."""

    conflict_methods = ("PUT",)
    http_method_names = ["put", "options"]

    @extend_schema(
        request=AnswersSerializer,
        responses={201: AnswersSerializer, 200: AnswersSerializer},
    )
    def put(self, request, *args, **kwargs):
        review = self.get_review()
        self.questionnaire(review)
        organisation = self.acting_organisation(require=policy.require_questionnaire_answerer)
        body = AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = answers_save(
            actor=request.user,
            organisation=organisation,
            review=review,
            answers=body.validated_data["answers"],
        )
        questionnaire = self.questionnaire(review)
        own = Answer.objects.filter(
            questionnaire=questionnaire, key=answer_key(request.user, questionnaire)
        ).values_list("question", "value")
        return Response(
            {"answers": [{"question": q, "value": v} for q, v in own]},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QuestionnaireResultsApi(QuestionnaireMixin):
    """Each party's response count and, per question, the distribution of the answers as you
    may see it: nothing while open, nothing under 3 respondents, only your own parties' until
    the review is held, and another party's private concerns never."""

    serializer_class = ResultsSerializer

    @extend_schema(responses={200: ResultsSerializer})
    def get(self, request, *args, **kwargs):
        review = self.get_review()
        questionnaire = self.questionnaire(review)
        results = visible_results(questionnaire, review, self.own_party_ids())
        return Response(
            {
                "closed": results.closed,
                "parties": [
                    {
                        "organisation": party.organisation.slug,
                        "respondents": party.respondents,
                        "questions": [
                            {
                                "question": item.question["id"],
                                "distribution": item.distribution,
                                "texts": item.texts,
                            }
                            for item in party.questions
                        ],
                    }
                    for party in results.parties
                ],
            }
        )


class QuestionnaireMembersApi(QuestionnaireMixin):
    """Which members of your own organisation are asked to answer (default: all). Its
    coordinators change the choice while the questionnaire is open (409 once closed); only
    the members chosen may answer, and only they are invited and reminded."""

    serializer_class = AskedSerializer
    conflict_methods = ("PUT",)
    error_codes = (400,)
    http_method_names = ["get", "put", "options"]

    def asked(self, questionnaire, organisation) -> dict:
        party = policy.party_of(organisation, self.get_partnership())
        users = asked_members(questionnaire, party)
        return {
            "organisation": organisation.slug,
            "chosen": bool(policy.questionnaire_asked_ids(questionnaire, party.pk)),
            "members": [
                {"id": u.pk, "username": u.username, "name": u.get_full_name() or u.username}
                for u in users
            ],
        }

    @extend_schema(responses={200: AskedSerializer}, parameters=[ACTING])
    def get(self, request, *args, **kwargs):
        review = self.get_review()
        questionnaire = self.questionnaire(review)
        organisation = self.acting_organisation(require=policy.require_reader)
        return Response(self.asked(questionnaire, organisation))

    @extend_schema(request=MembersSerializer, responses={200: AskedSerializer}, parameters=[ACTING])
    def put(self, request, *args, **kwargs):
        review = self.get_review()
        organisation = self.acting_organisation()  # coordinators only (403 first)
        questionnaire = self.questionnaire(review)
        body = MembersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        questionnaire_members_choose(
            actor=request.user,
            organisation=organisation,
            review=review,
            members=body.validated_data["members"],
        )
        return Response(self.asked(questionnaire, organisation))


# --- The partnership's own questions ---------------------------------------------------------
class CustomQuestionSerializer(serializers.ModelSerializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=10,
        help_text=_("For a choice: 2 to 10 options."),
    )

    class Meta:
        model = CustomQuestion
        fields = ["id", "kind", "text", "options"]
        read_only_fields = ["id"]


class CustomQuestionMixin(RecordsMixin):
    model = CustomQuestion
    serializer_class = CustomQuestionSerializer

    def records(self):
        return CustomQuestion.objects.filter(partnership=self.get_partnership()).order_by("pk")


class CustomQuestionListApi(CustomQuestionMixin, TransactionalWrites, generics.ListCreateAPIView):
    """The partnership's own questions (five at most), asked in every questionnaire opened
    afterwards; coordinators add them (409 past five)."""

    conflict_methods = ("POST",)

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation()
        body = CustomQuestionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        question = custom_question_add(
            actor=request.user,
            organisation=organisation,
            partnership=self.get_partnership(),
            **body.validated_data,
        )
        return Response(CustomQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class CustomQuestionDetailApi(
    CustomQuestionMixin, TransactionalWrites, generics.RetrieveDestroyAPIView
):
    """One of the partnership's own questions; deleting it stops asking it (questionnaires
    already opened keep their copy)."""

    def perform_destroy(self, question):
        custom_question_delete(
            actor=self.request.user, organisation=self.acting_organisation(), question=question
        )
