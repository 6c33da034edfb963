from flask import Blueprint as FlaskBlueprint
from flask import current_app, render_template, request

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.pagination import PageArgs, page_of, split_page
from ..common.pdf import PDF, pdf_response
from ..errors import problem
from . import activities, attendance, certificates, ratings, settlement, signup, totals
from .errors import CertificateNotFound
from .schemas import (
    ActivityCancelArgs, ActivityCloseArgs, ActivityCreateArgs, ActivityQueryArgs, ActivityResidentSchema,
    ActivitySchema, ActivityUpdateArgs, AttendanceResultSchema, AttendanceScanArgs, MyParticipationQueryArgs,
    MyParticipationSchema, MyVolunteerCertificateArgs, ParticipantQueryArgs, ParticipantWithdrawArgs,
    ParticipationSchema, QualityRatingsArgs, TimeCorrectionArgs, VolunteerCertificateCreateArgs,
    VolunteerCertificateSchema, VolunteerTotalsQueryArgs, VolunteerTotalsSchema, WalkInArgs,
)

bp = Blueprint("volunteering", __name__, url_prefix="/api/v1/volunteering",
               description="Volunteer service: activities, check-in and check-out, hours that become credit")
#: the certificate's QR code opens this page: anyone can check a certificate
public_bp = FlaskBlueprint("volunteering_public", __name__, template_folder="templates")

ORGANISERS = ["worker", "district_admin"]
STAFF = ["worker", "reviewer", "district_admin"]


def _scan_result(result):
    participation, outcome = result
    return {"outcome": outcome, "participation": participation}


# --- activities (workers) -------------------------------------------------------------


@bp.route("/activities", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ActivityQueryArgs, location="query")
@bp.response(200, page_of(ActivitySchema))
def list_activities(args):
    """Activities of my communities, soonest first (``upcoming=true`` for what is still ahead)."""
    page = split_page(args)
    return activities.list_activities(current_principal(), args, page)


@bp.route("/activities", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@idempotent
@bp.arguments(ActivityCreateArgs)
@bp.response(201, ActivitySchema)
def create_activity(args):
    """Plan an activity (a draft) for one or more of my communities."""
    return activities.create_activity(current_principal(), args)


@bp.route("/activities/<int:activity_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, ActivitySchema)
def get_activity(activity_id):
    """One activity with its counts of places taken, waiting and on site."""
    return activities.get_activity(current_principal(), activity_id)


@bp.route("/activities/<int:activity_id>", methods=["PATCH"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(ActivityUpdateArgs)
@bp.response(200, ActivitySchema)
def update_activity(args, activity_id):
    """Change a draft or open activity (more places move the waiting list up)."""
    return activities.update_activity(current_principal(), activity_id, args)


@bp.route("/activities/<int:activity_id>/open", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@idempotent
@bp.response(200, ActivitySchema)
def open_activity(activity_id):
    """Publish a draft: residents of its communities may sign up."""
    return activities.open_activity(current_principal(), activity_id)


@bp.route("/activities/<int:activity_id>/start", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@idempotent
@bp.response(200, ActivitySchema)
def start_activity(activity_id):
    """Start the activity on site (the first check-in starts it too)."""
    return activities.start_activity(current_principal(), activity_id)


@bp.route("/activities/<int:activity_id>/close", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@idempotent
@bp.arguments(ActivityCloseArgs)
@bp.response(200, ActivitySchema)
def close_activity(args, activity_id):
    """End the activity: anyone still on site is checked out and flagged; ratings may be given."""
    return activities.close_activity(current_principal(), activity_id, args.get("ratings"))


@bp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(ActivityCancelArgs)
@bp.response(200, ActivitySchema)
def cancel_activity(args, activity_id):
    """Cancel with a reason; everyone signed up sees the activity cancelled."""
    return activities.cancel_activity(current_principal(), activity_id, args["reason"])


@bp.route("/activities/<int:activity_id>/ratings", methods=["PUT"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(QualityRatingsArgs)
@bp.response(200, ActivitySchema)
def rate_participants(args, activity_id):
    """Rate the quality of attendees' service with a factor of the policy (0.8 / 1.0 / 1.2)."""
    return ratings.rate_participants(current_principal(), activity_id, args["ratings"])


@bp.route("/activities/<int:activity_id>/settle", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@idempotent
@bp.arguments(ActivityCloseArgs)
@bp.response(200, ActivitySchema)
def settle_activity(args, activity_id):
    """Turn a closed activity's hours into credit records for review; settling again creates nothing."""
    return settlement.settle_activity(current_principal(), activity_id, args.get("ratings"))


# --- people of an activity (workers) ----------------------------------------------------


@bp.route("/activities/<int:activity_id>/participants", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ParticipantQueryArgs, location="query")
@bp.response(200, page_of(ParticipationSchema))
def list_participants(args, activity_id):
    """Who signed up, waits or withdrew; ``on_site=true`` for who is on site now."""
    page = split_page(args)
    return attendance.list_participants(current_principal(), activity_id, args, page)


@bp.route("/activities/<int:activity_id>/attendance.csv", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, content_type="text/csv")
def attendance_sheet(activity_id):
    """The attendance sheet (签到表) as CSV."""
    body, filename = attendance.attendance_csv(current_principal(), activity_id)
    return current_app.response_class(body, mimetype="text/csv",
                                      headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/activities/<int:activity_id>/walk-ins", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(WalkInArgs)
@bp.response(201, ParticipationSchema)
def add_walk_in(args, activity_id):
    """Add someone who came without signing up (by code, card number or resident id)."""
    return attendance.add_walk_in(current_principal(), activity_id, args)


@bp.route("/activities/<int:activity_id>/check-in", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(AttendanceScanArgs)
@bp.response(200, AttendanceResultSchema)
def check_in(args, activity_id):
    """Check a resident in by their QR code or card number; the server records the time."""
    return _scan_result(attendance.check_in(current_principal(), activity_id, args))


@bp.route("/activities/<int:activity_id>/check-out", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(AttendanceScanArgs)
@bp.response(200, AttendanceResultSchema)
def check_out(args, activity_id):
    """Check a resident out by their QR code or card number; the server records the time."""
    return _scan_result(attendance.check_out(current_principal(), activity_id, args))


@bp.route("/activities/<int:activity_id>/participants/<int:participation_id>/times", methods=["PATCH"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(TimeCorrectionArgs)
@bp.response(200, ParticipationSchema)
def correct_times(args, activity_id, participation_id):
    """Correct a check-in or check-out time; the reason is kept in the audit log."""
    return attendance.correct_times(current_principal(), activity_id, participation_id, args)


@bp.route("/activities/<int:activity_id>/participants/<int:participation_id>/withdraw", methods=["POST"])
@auth_required("staff", roles=ORGANISERS)
@bp.arguments(ParticipantWithdrawArgs)
@bp.response(200, ParticipationSchema)
def withdraw_participant(args, activity_id, participation_id):
    """Take someone off the list (with a reason); the waiting list moves up."""
    return signup.withdraw_participant(current_principal(), activity_id, participation_id, args["reason"])


# --- residents ------------------------------------------------------------------------


@bp.route("/me/activities", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(ActivityResidentSchema))
def my_open_activities(args):
    """Activities of my community I can sign up for, soonest first."""
    return signup.list_open_activities(current_principal(), args)


@bp.route("/me/participations", methods=["GET"])
@auth_required("resident")
@bp.arguments(MyParticipationQueryArgs, location="query")
@bp.response(200, page_of(MyParticipationSchema))
def my_participations(args):
    """My sign-ups, waiting places and service, newest first (cancelled activities show why)."""
    page = split_page(args)
    return signup.list_my_participations(current_principal(), args, page)


@bp.route("/activities/<int:activity_id>/sign-up", methods=["POST"])
@auth_required("resident")
@bp.response(200, MyParticipationSchema)
def sign_up(activity_id):
    """Sign up; when the activity is full I join the waiting list. Signing up twice changes nothing."""
    return signup.sign_up(current_principal(), activity_id)


@bp.route("/activities/<int:activity_id>/sign-up", methods=["DELETE"])
@auth_required("resident")
@bp.response(200, MyParticipationSchema)
def withdraw(activity_id):
    """Withdraw my sign-up; the first on the waiting list gets my place."""
    return signup.withdraw(current_principal(), activity_id)


@bp.route("/me/totals", methods=["GET"])
@auth_required("resident")
@bp.arguments(VolunteerTotalsQueryArgs, location="query")
@bp.response(200, VolunteerTotalsSchema)
def my_totals(args):
    """My volunteer hours by kind and year."""
    return totals.volunteer_totals(current_principal().id, args.get("year"))


@bp.route("/me/certificates", methods=["POST"])
@auth_required("resident")
@bp.arguments(MyVolunteerCertificateArgs)
@bp.response(201, VolunteerCertificateSchema)
def my_certificate(args):
    """Issue a volunteer service certificate (志愿服务证明) of my hours."""
    return certificates.issue_certificate(current_principal(), year=args.get("year"))


# --- totals and certificates (workers) ----------------------------------------------------


@bp.route("/residents/<int:resident_id>/totals", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(VolunteerTotalsQueryArgs, location="query")
@bp.response(200, VolunteerTotalsSchema)
def resident_totals(args, resident_id):
    """A resident's volunteer hours by kind and year (the look-up is logged)."""
    return totals.resident_totals_for_staff(current_principal(), resident_id, args.get("year"))


@bp.route("/certificates", methods=["POST"])
@auth_required("staff", roles=STAFF)
@bp.arguments(VolunteerCertificateCreateArgs)
@bp.response(201, VolunteerCertificateSchema)
def issue_certificate(args):
    """Issue a volunteer service certificate (志愿服务证明) for a resident of my communities."""
    return certificates.issue_certificate(current_principal(), args["resident_id"], args.get("year"))


@bp.route("/certificates/<int:certificate_id>", methods=["GET"])
@auth_required("staff", "resident")
@bp.response(200, VolunteerCertificateSchema)
def get_certificate(certificate_id):
    """One certificate (staff of the resident's community, or the resident)."""
    return certificates.get_certificate(current_principal(), certificate_id)


@bp.route("/certificates/<int:certificate_id>/print", methods=["GET"])
@auth_required("staff", "resident")
@bp.response(200, content_type="text/html")
def print_certificate(certificate_id):
    """The certificate as a print-ready HTML page (A4; print to paper or PDF)."""
    certificate = certificates.get_certificate(current_principal(), certificate_id)
    view = certificates.certificate_view(certificate)
    return current_app.response_class(
        render_template("volunteering/certificate.html", qr_svg=certificates.qr_svg(view["url"]), **view),
        mimetype="text/html")


@bp.route("/certificates/<int:certificate_id>/pdf", methods=["GET"])
@auth_required("staff", "resident")
@bp.response(200, content_type=PDF, description="The certificate as an A4 PDF")
def certificate_pdf(certificate_id):
    """The certificate as an A4 PDF file, with the QR code that verifies it."""
    certificate = certificates.get_certificate(current_principal(), certificate_id)
    view = certificates.certificate_view(certificate)
    html = render_template("volunteering/certificate.html", qr_svg=certificates.qr_svg(view["url"]), **view)
    return pdf_response(html, f"certificate-{certificate.number}.pdf")


# --- public -----------------------------------------------------------------------------


def _wants_json():
    """Phones opening the QR code get the page; apps asking for JSON get JSON."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@public_bp.get("/v/<token>")
def verify_certificate(token):
    """Anyone who scans a certificate's QR code sees whether it is genuine (name masked)."""
    try:
        certificate = certificates.verify_certificate(token)
    except CertificateNotFound as error:
        if _wants_json():
            return problem(error.status, error.code, error.title, error.detail)
        return render_template("volunteering/verify.html", valid=False), 404
    view = certificates.certificate_view(certificate)
    if _wants_json():
        return certificates.public_certificate(view)
    return render_template("volunteering/verify.html", valid=True, **view)
