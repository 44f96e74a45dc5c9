"""Information requests: the manager's form (one to five questions) and an agency's answers."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from forms.common import GovDateField
from portal.vocabulary import RequestQuestionKind

QUESTION_SLOTS = 5
KIND_CHOICES = [(k.value, k.label) for k in RequestQuestionKind]
AUDIENCE_CHOICES = [("all", "All agencies"), ("sector", "One sector"),
                    ("chosen", "Agencies I name")]


class RequestForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(),
                        description="For example, Training on working with disabled children",
                        validators=[InputRequired(message="Enter the title of the request"),
                                    Length(max=200)])
    introduction = TextAreaField("Introduction (optional)", widget=GovTextArea(),
                                 description="Why you are asking: it opens the email and the form",
                                 validators=[Optional()])
    signatory = StringField(
        "From", widget=GovTextInput(), description="For example, Independent Chair",
        validators=[InputRequired(message="Enter who the request is from, like Independent Chair"),
                    Length(max=200)])
    deadline = GovDateField("Deadline for answers", example_in_days=28,
                            required_message="Enter the deadline for answers",
                            invalid_message="The deadline must be a real date")
    audience = RadioField("Send it to", widget=GovRadioInput(), choices=AUDIENCE_CHOICES,
                          validators=[InputRequired(message="Select who the request goes to")])
    sector = SelectField("Sector (if one sector)", widget=GovSelect(), validators=[Optional()])
    agencies = TextAreaField("Agencies (if you name them)", widget=GovTextArea(),
                             description="One agency name on each line",
                             validators=[Optional()])
    recommendation = SelectField("Recommendation it follows up (optional)", widget=GovSelect(),
                                 validators=[Optional()])
    submit = SubmitField("Preview the emails", widget=GovSubmitInput())

    def question_fields(self) -> list[tuple[int, Any, Any, Any]]:
        return [(n, self[f"question_{n}"], self[f"kind_{n}"], self[f"choices_{n}"])
                for n in range(1, QUESTION_SLOTS + 1)]


for _n in range(1, QUESTION_SLOTS + 1):
    setattr(RequestForm, f"question_{_n}", TextAreaField(
        f"Question {_n}" + (" (optional)" if _n > 1 else ""), widget=GovTextArea(),
        validators=[Optional()]))
    setattr(RequestForm, f"kind_{_n}", SelectField(
        f"Kind of answer to question {_n}", widget=GovSelect(), choices=KIND_CHOICES,
        default=RequestQuestionKind.TEXT.value))
    setattr(RequestForm, f"choices_{_n}", TextAreaField(
        f"Choices for question {_n} (if a choice)", widget=GovTextArea(),
        description="One choice on each line", validators=[Optional()]))


def answer_form_class(questions: list[Any]) -> type[FlaskForm]:
    """A form with one field per question: text, yes or no, or one of the choices."""

    class AnswerForm(FlaskForm):
        submit = SubmitField("Send answers", widget=GovSubmitInput())

    for q in questions:
        label = f"{q.position}. {q.text}"
        if q.kind == RequestQuestionKind.TEXT.value:
            field: Any = TextAreaField(label, widget=GovTextArea(), validators=[
                InputRequired(message=f"Answer question {q.position}")])
        else:
            choices = [("yes", "Yes"), ("no", "No")] if q.kind == RequestQuestionKind.YES_NO.value \
                else [(c, c) for c in q.choices]
            field = RadioField(label, widget=GovRadioInput(), choices=choices, validators=[
                InputRequired(message=f"Select an answer to question {q.position}")])
        setattr(AnswerForm, f"q_{q.id}", field)
    return AnswerForm
