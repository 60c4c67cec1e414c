"""Services wired to their adapters, in one place, for every entry module.

Entry modules ask here for every store and service; none builds one itself. Built per
call, reading the clock (``reports.utc_now``) then: tests move time there."""

from __future__ import annotations

from chalicelib import config
from chalicelib.adapters import media
from chalicelib.domain import geo
from chalicelib.routing import load_catalogue
from chalicelib.services import reports, sms_budget
from chalicelib.services.dispatch import Dispatcher
from chalicelib.services.followup import FollowUp
from chalicelib.services.workflow import Workflow
from chalicelib.storage import ApiKeyStore, CounterStore, ReportStore, StatsStore


def workflow(store: ReportStore | None = None) -> Workflow:
    return Workflow(
        store=store or ReportStore(), catalogue=load_catalogue(), media=media, now=reports.utc_now
    )


def follow_up(store: ReportStore | None = None) -> FollowUp:
    return FollowUp(
        store=store or ReportStore(), catalogue=load_catalogue(), media=media, now=reports.utc_now
    )


def dispatcher() -> Dispatcher:
    from chalicelib.adapters.notify import DeliveryFailed, SnsPublisher, send_to_dead_letter_queue
    from chalicelib.adapters.whatsapp import graph_api
    from chalicelib.domain.bodies import load_bodies
    from chalicelib.storage import OutboxStore

    store, outbox = ReportStore(), OutboxStore()
    return Dispatcher(
        store=store,
        outbox=outbox,
        publisher=SnsPublisher(
            store,
            sms_allowed=sms_allowed,
            bodies=load_bodies,
            opted_out=opted_out,
            whatsapp=graph_api,
            parts=outbox,  # who each notification reached: a retry tells only the rest
        ),
        catalogue=load_catalogue(),
        regency=geo.load_regency(),
        base_url=config.public_base_url(),
        now=reports.utc_now,
        dead_letter=send_to_dead_letter_queue,
        failure_types=(DeliveryFailed,),
        bodies=load_bodies(),
    )


def check_requests(store: ReportStore | None = None):
    """The command centre's requests for a closure check (services/check_requests)."""
    from chalicelib.services.check_requests import CheckRequesting

    store = store or ReportStore()
    return CheckRequesting(reports=store, requests=store, now=reports.utc_now)


def report_store() -> ReportStore:
    """Reports, their photos, timelines and the people around them."""
    return ReportStore()


def proposal_store():
    """Citizens' proposals (usulan), their supporters and sealed proposers."""
    from chalicelib.adapters.dynamodb.proposals import ProposalStore

    return ProposalStore()


def stats_store() -> StatsStore:
    return StatsStore()


def api_key_store() -> ApiKeyStore:
    return ApiKeyStore()


def counters() -> CounterStore:
    """The abuse-limit counters (every quota and the SMS budget count here)."""
    return CounterStore()


def sign_in_guard():
    """Staff sign-in's limits: per network, and a per-account back-off by place."""
    from chalicelib.adapters.dynamodb.sign_ins import SignInStore
    from chalicelib.services.sign_in_guard import SignInGuard

    return SignInGuard(counters=counters(), records=SignInStore(), now=reports.utc_now)


def sms_allowed(phone: str) -> bool:
    return sms_budget.allow(counters(), phone, reports.utc_now())


def fetch_linked_photo(url: str) -> tuple[bytes, str] | None:
    """The photo an Open311 client links to, fetched as a public HTTPS client
    (never from the regency's own network), or None."""
    from chalicelib.adapters.remote_media import Fetcher, photo_or_none

    return photo_or_none(Fetcher(), url)


def chat_reports():
    """Reports by WhatsApp, with the Graph API as the messenger."""
    from chalicelib.adapters.whatsapp import graph_api
    from chalicelib.services.chat import ChatReports

    store = ReportStore()
    return ChatReports(
        store=store,
        answer_from=follow_up(store).answer_from,
        counters=counters(),
        messenger=graph_api(),
        catalogue=load_catalogue(),
        regency=geo.load_regency(),
        media=media,
        base_url=config.public_base_url(),
        now=reports.utc_now,
    )


class SnsTexter:
    """One SMS straight to a phone (a reply to the number that wrote)."""

    def send(self, phone: str, text: str) -> str:
        from chalicelib.adapters import aws

        with aws.outage("the SMS service"):
            answer = aws.client("sns").publish(
                PhoneNumber=phone,
                Message=text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        return answer["MessageId"]


def sms_reports():
    from chalicelib.services.sms_inbound import SmsReports

    store = ReportStore()
    return SmsReports(
        store=store,
        answer_from=follow_up(store).answer_from,
        counters=counters(),
        texter=SnsTexter(),
        catalogue=load_catalogue(),
        regency=geo.load_regency(),
        base_url=config.public_base_url(),
        now=reports.utc_now,
    )


def opted_out(phone: str) -> bool:
    """Has this number answered BERHENTI (STOP) to Kawal?"""
    from chalicelib.services.sms_inbound import number_key

    return ReportStore().opted_out(number_key(phone))


def send_email(to: str, subject: str, text: str) -> str | None:
    """One plain email from the stage's verified sender (none configured: not sent)."""
    from chalicelib.adapters import aws

    sender = config.reporter_email_from()
    if not sender:
        return None
    with aws.outage("the email service"):
        answer = aws.client("ses").send_email(
            Source=sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )
    return answer["MessageId"]


def morning_digests() -> int:
    from chalicelib.services.digest import send_digests

    return send_digests(
        store=ReportStore(),
        catalogue=load_catalogue(),
        send_email=send_email,
        base_url=config.public_base_url(),
        now=reports.utc_now(),
    )


def project_store():
    """Public works (adapters/dynamodb/projects)."""
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    return ProjectStore()


def project_import():
    from chalicelib.services.projects import ProjectImport

    return ProjectImport(store=project_store(), regency=geo.load_regency,
                         villages=geo.load_villages)  # fmt: skip


def project_progress():
    from chalicelib.services.projects import ProjectProgress

    return ProjectProgress(store=project_store(), now=reports.utc_now)


def project_reads():
    from chalicelib.services.projects import ProjectReads

    return ProjectReads(store=project_store(), now=reports.utc_now)


def project_inspections():
    """The shadow squad's inspections and the command centre's overview."""
    from chalicelib.adapters.dynamodb.inspections import InspectionStore
    from chalicelib.services.inspections import ProjectInspections

    return ProjectInspections(projects=project_store(), inspections=InspectionStore(),
                              now=reports.utc_now)  # fmt: skip
