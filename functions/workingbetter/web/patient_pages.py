"""/patient/{token}: the patient's own page, opened from the link in their messages. No
sign-in: the link's token is the key (see patient_link). Their next appointment and where it
is, asking their coach to change or cancel it, changing how they are contacted, and leaving."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from chalice.app import Response

from workingbetter.domain import dates, phone, slots
from workingbetter.domain.errors import Conflict, InvalidInput
from workingbetter.domain.referral import ContactPreference
from workingbetter.web import needs_form as needs_fields
from workingbetter.web import patient_leave
from workingbetter.web.errors import FormErrorMap, PageErrors, only_message
from workingbetter.web.http import FORM, Form, error_page, html, page, redirect, request
from workingbetter.web.referral_form import CONTACT
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services, settings

# The store's code loads with the first patient page, not at the API's init.
if TYPE_CHECKING:
    from workingbetter.domain.records.directory import Practice
    from workingbetter.domain.records.patient import PatientDetails
    from workingbetter.domain.records.referral import Appointment, Referral

ASK_ERRORS = FormErrorMap(anchors={"ask": "ask"}, fallback="ask-form")
CONTACT_ERRORS = FormErrorMap(
    anchors={"contact_preference": "contact-preference", "phone": "phone", "email": "email"},
    required={"contact_preference": "Select how you would like to be contacted"},
    reworded={"phone": {f"Enter {words} so we can contact the patient the way they chose":
                        f"Enter {words} so we can contact you"
                        for words in ("a mobile number", "a phone number")},
              "email": {"Enter an email address so we can contact the patient the way they "
                        "chose": "Enter an email address so we can contact you"},
              "address": {"Enter a postal address so we can contact the patient the way they "
                          "chose": "We have no postal address for you: choose another way, or "
                          "ask your surgery to add your address"}},
    fallback="contact-form")
ASKS = [("change", "Change it to another time", ""),
        ("cancel", "Cancel it", "Your coach will contact you about what happens next")]
DONE = {"change": "We have asked your coach to find you a new time. They will contact you.",
        "cancel": "We have told your coach you cannot come. They will contact you.",
        "change-again": "You have already asked to change this appointment. Your coach will "
                        "be in touch.",
        "cancel-again": "You have already asked to cancel this appointment. Your coach will "
                        "be in touch.",
        "contact": "We will contact you the new way from now on.",
        "needs": "We have saved what you need from us. Your coach can see it."}
TOO_MANY = ("You have made a lot of changes", "For your security, this link can only make a "
            "few changes an hour. Please try again in an hour, or call your GP surgery and ask "
            "for Working Better.")


def _with_referral(view: Callable[..., Response]) -> Callable[..., Response]:
    """Every page behind the link: a link that no longer works gets the page saying what to
    do instead (410), whichever page it was for."""

    @wraps(view)
    def wrapper(token: str) -> Response:
        item = services().patient_requests.referral_for(token)
        if item is None:
            return patient_leave.gone(token)
        return view(token, item)

    return wrapper


def _counted(view: Callable[..., Response]) -> Callable[..., Response]:
    """An action sent from the link (not looking, not leaving) counts against its hourly
    limit; past it, a page saying so (429) and nothing done."""

    @wraps(view)
    def wrapper(token: str, item: Referral) -> Response:
        from workingbetter.services import patient_requests

        try:
            services().patient_requests.act(item)
        except patient_requests.TooManyActions as over:
            busy = error_page(429, *TOO_MANY)
            busy.headers["Retry-After"] = str(over.retry_after)
            return busy
        return view(token, item)

    return wrapper


def _upcoming(item: Referral) -> Appointment | None:
    from workingbetter.services import patient_link

    return patient_link.upcoming(item)


def _practice(item: Referral) -> Practice:
    ods = item.appointment.practice_ods if item.appointment else item.practice_ods
    from workingbetter.domain.records.directory import Practice

    return services().staff.practice(ods) or Practice(ods, "your GP surgery")


def _posted() -> Form:
    return Form.parse(request().raw_body)


# What the patient has asked about their next appointment, as its summary says it.
ASKED = {"change": "You have asked to change this appointment. Your coach will contact you "
                   "with a new time.",
         "cancel": "You have asked to cancel this appointment. Your coach will contact you."}
# How the home page says the channel: "We contact you by text message".
BY = {ContactPreference.SMS: "by text message", ContactPreference.PHONE: "by phone call",
      ContactPreference.EMAIL: "by email", ContactPreference.LETTER: "by letter"}


def _appointment_words(appointment: Appointment | None,
                       item: Referral | None = None) -> dict[str, str] | None:
    if appointment is None:
        return None
    start = slots.parse_iso(appointment.start).astimezone(slots.UK)
    # An open request is the start of the appointment it is about (patient_requests._open).
    asked = next((ASKED[ask] for ask, about in (
        ("cancel", item.asked_to_cancel if item else None),
        ("change", item.asked_to_change if item else None)) if about == appointment.start), "")
    return {"date": dates.weekday_day(start), "time": dates.clock(start),
            "asked": asked}


def _coach_name(item: Referral) -> str:
    coach = services().staff.coach(item.coach_id) if item.coach_id else None
    return coach.name if coach else ""


@blueprint.route("/patient/{token}", methods=["GET"])
@page
@_with_referral
def patient_home(token: str, item: Referral) -> Response:
    query: dict[str, str] = dict(request().query_params or {})
    done = DONE.get(query.get("done", ""), "")
    channel = BY.get(item.contact_preference) if item.contact_preference else None
    return html("patient_home.html", title="Your Working Better support", token=token,
                referral_status=item.status, practice=_practice(item), done=done,
                appointment=_appointment_words(_upcoming(item), item), channel=channel,
                coach=_coach_name(item), has_coach=bool(item.coach_id),
                service_phone=settings().service_phone)


def _ask_page(token: str, item: Referral, errors: PageErrors, status: int = 200) -> Response:
    return html("patient_appointment.html", status, title="Change or cancel your appointment",
                token=token, practice=_practice(item), errors=errors, asks=ASKS,
                appointment=_appointment_words(_upcoming(item)))


@blueprint.route("/patient/{token}/appointment", methods=["GET"])
@page
@_with_referral
def appointment_form(token: str, item: Referral) -> Response:
    return _ask_page(token, item, PageErrors())


@blueprint.route("/patient/{token}/appointment", methods=["POST"], content_types=[FORM])
@page
@_with_referral
@_counted
def ask_about_appointment(token: str, item: Referral) -> Response:
    # The requests' models (pydantic) load with the first patient who asks, not at init.

    choice = _posted().get("ask")
    try:
        ask, new = services().patient_requests.ask_about_appointment(item, choice)
    except InvalidInput as error:
        return _ask_page(token, item, ASK_ERRORS.page_errors(error.errors), 422)
    except Conflict as error:
        return _ask_page(token, item, only_message(error.detail, "ask-form"), 409)
    return redirect(f"/patient/{token}?done={ask}{'' if new else '-again'}")


def masked_email(address: str) -> str:
    """The first letter and the domain: the owner knows it, a stranger learns little."""
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}"


def on_file(details: PatientDetails | None) -> dict[str, str]:
    """What the service holds for each channel, masked, by channel: a channel missing here
    has nothing on file, so it is never chosen for the patient."""
    if details is None:
        return {}
    held = {}
    if details.phone:
        number = f"Number ending {phone.last_digits(details.phone)}"
        held[str(ContactPreference.PHONE)] = number
        if phone.uk_mobile(details.phone):
            held[str(ContactPreference.SMS)] = number
    if details.email:
        held[str(ContactPreference.EMAIL)] = masked_email(details.email)
    if details.address:
        held[str(ContactPreference.LETTER)] = \
            f"Address with the postcode {details.address.postcode}"
    return held


def _held(item: Referral) -> dict[str, str]:
    """What is on file for the patient's contact page (a read of personal data: audited)."""
    personal = services().patient_requests.details(item, "the patient's contact page")
    return on_file(personal.patient if personal else None)


def _contact_page(token: str, held: dict[str, str], form: Form, errors: PageErrors,
                  status: int = 200) -> Response:
    return html("patient_contact.html", status, title="Change how we contact you",
                token=token, form=form, errors=errors, on_file=held,
                contact=[(code, label, f"On file: {held[str(code)]}" if str(code) in held
                          else hint) for code, label, hint in CONTACT])


@blueprint.route("/patient/{token}/contact", methods=["GET"])
@page
@_with_referral
def contact_form(token: str, item: Referral) -> Response:
    """What they chose is chosen, if what it needs is on file: a channel chosen with an empty
    box would only be refused when saved."""
    chosen = str(item.contact_preference or "")
    held = _held(item)
    current = Form({"contact_preference": [chosen if chosen in held else ""]})
    return _contact_page(token, held, current, PageErrors())


@blueprint.route("/patient/{token}/contact", methods=["POST"], content_types=[FORM])
@page
@_with_referral
@_counted
def change_contact(token: str, item: Referral) -> Response:

    form = _posted()
    answers: dict[str, Any] = {name: form.get(name) or None
                               for name in ("contact_preference", "phone", "email")}
    if answers["contact_preference"] not in {str(c) for c in ContactPreference}:
        answers.pop("contact_preference")  # a missing or made-up answer: say "Select …"
    try:
        services().patient_requests.change_contact(item, answers)
    except InvalidInput as error:
        return _contact_page(token, _held(item), form,
                             CONTACT_ERRORS.page_errors(error.errors), 422)
    except Conflict as error:
        return _contact_page(token, _held(item), form,
                             only_message(error.detail, "contact-form"), 409)
    return redirect(f"/patient/{token}?done=contact")


def _needs_page(token: str, form: Form, errors: PageErrors, status: int = 200) -> Response:
    return html("patient_needs.html", status, title="What you need from us", token=token,
                form=form, errors=errors)


@blueprint.route("/patient/{token}/needs", methods=["GET"])
@page
@_with_referral
def needs_form(token: str, item: Referral) -> Response:
    """The patient's communication needs as we hold them (an audited read), to change."""
    from workingbetter.services.patient_requests import PATIENT

    held = services().needs.read(item.referral_id, PATIENT,
                                 "the patient's communication needs page")
    return _needs_page(token, needs_fields.prefilled(held or ()), PageErrors())


@blueprint.route("/patient/{token}/needs", methods=["POST"], content_types=[FORM])
@page
@_with_referral
@_counted
def change_needs(token: str, item: Referral) -> Response:
    from workingbetter.domain.referral import PATIENT_FACTS_LISTED_UNTIL
    from workingbetter.services.patient_requests import PATIENT

    form = _posted()
    try:
        services().needs.change(item, {"communication_needs": needs_fields.answers(form)},
                                PATIENT, PATIENT_FACTS_LISTED_UNTIL)
    except InvalidInput as error:
        errors = needs_fields.error_map("needs", patients_own=True).page_errors(error.errors)
        return _needs_page(token, form, errors, 422)
    except Conflict as error:
        return _needs_page(token, form, only_message(error.detail, "needs"), 409)
    return redirect(f"/patient/{token}?done=needs")


@blueprint.route("/patient/{token}/leave", methods=["GET"])
@page
def leave_form(token: str) -> Response:
    """The confirmation step: nothing happens until its button is pressed."""

    return patient_leave.show(token, back=f"/patient/{token}")


@blueprint.route("/patient/{token}/leave", methods=["POST"], content_types=[FORM])
@page
def leave(token: str) -> Response:

    return patient_leave.leave(token, {"erase_personal_data": _posted().get("erase") == "yes"})
