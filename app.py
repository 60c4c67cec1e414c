"""Kawal: citizen reports to local government. Only wiring lives here."""

from chalice import Chalice

from chalicelib import observe
from chalicelib.entry import (
    accounts_api,
    api,
    authn,
    catalogue_api,
    command_api,
    command_page,
    contract_api,
    devices_api,
    events,
    follow_page,
    followup_api,
    lapor_app,
    mfa_api,
    open311_api,
    open311_keys_api,
    privacy_api,
    projects_api,
    proposals_api,
    proyek_app,
    push_api,
    squads_api,
    staff_api,
    stats_api,
    tim_app,
    vault,
    web_apps,
    whatsapp_api,
)
from chalicelib.entry.http import error_middleware

# Logs are Powertools JSON only (chalicelib/observe.py): Chalice would add a plain
# handler to the same "kawal" logger and set it to ERROR.
app = Chalice(app_name="kawal", configure_logs=False)
# The apps' PNG icons: API Gateway sends a body as binary when the request's FIRST Accept
# type is a binary type, and browsers ask for images with image/avif or image/webp first.
app.api.binary_types.extend(["image/avif", "image/webp"])
app.register_middleware(observe.middleware, "all")
app.register_middleware(error_middleware, "http")
app.register_blueprint(authn.bp)
app.register_blueprint(accounts_api.bp)
app.register_blueprint(mfa_api.bp)
app.register_blueprint(catalogue_api.bp)
app.register_blueprint(api.bp)
app.register_blueprint(devices_api.bp)
app.register_blueprint(privacy_api.bp)
app.register_blueprint(proposals_api.bp)
app.register_blueprint(push_api.bp)
app.register_blueprint(squads_api.bp)
app.register_blueprint(staff_api.bp)
app.register_blueprint(followup_api.bp)
app.register_blueprint(command_api.bp)
app.register_blueprint(command_page.bp)
app.register_blueprint(follow_page.bp)
app.register_blueprint(web_apps.bp)
app.register_blueprint(lapor_app.bp)
app.register_blueprint(tim_app.bp)
app.register_blueprint(stats_api.bp)
app.register_blueprint(open311_api.bp)
app.register_blueprint(open311_keys_api.bp)
app.register_blueprint(contract_api.bp)
app.register_blueprint(projects_api.bp)
app.register_blueprint(proyek_app.bp)
app.register_blueprint(events.bp)
app.register_blueprint(whatsapp_api.bp)
app.register_blueprint(vault.bp)
