from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, render_template, request

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.fields import utc_iso
from ..common.idempotency import idempotent
from ..common.pdf import PDF, pdf_response
from ..common.xlsx import XLSX, bilingual, headed, local_text, words, xlsx_response
from ..common.pagination import page_of, split_page
from ..common.tx import read_only
from ..errors import DomainError, ValidationFailed
from ..extensions import limiter
from ..merchants.service import rate_from_card
from ..residents.schemas import ResidentSchema
from . import service
from .schemas import (
    BatchResultSchema, CardExportArgs, CardIssueArgs, CardListItemSchema, CardQueryArgs, CardRevokeArgs, CardSchema, CodeArgs, DynamicCodeSchema,
    DynamicCodeStatusSchema,
    KeysSchema, PlaceArgs, PngArgs, ScanPreviewSchema, SheetArgs,
)

bp = Blueprint("cards", __name__, url_prefix="/api/v1", description="Credit business cards (诚信名片) and codes")
#: ``/c/<token>``: the page a phone camera opens from any QR code (server-rendered, no app needed)
public_bp = FlaskBlueprint("cards_public", __name__, template_folder="templates")

STAFF = ["worker", "reviewer", "district_admin"]


@bp.route("/cards/keys", methods=["GET"])
@bp.doc(security=[])
@bp.response(200, KeysSchema)
def keys():
    """Public keys that verify card tokens offline (Ed25519, by key id)."""
    return service.published_keys()


@bp.route("/cards", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(CardQueryArgs, location="query")
@bp.response(200, page_of(CardListItemSchema))
def list_cards(args):
    """Cards of my communities (resident cards) or district (merchant cards)."""
    page = split_page(args)
    return service.list_cards(current_principal(), args, page)


CARD_COLUMNS = [
    ("卡号", "Card number", "number"),
    ("类别", "Kind", lambda r: words("居民卡", "resident card") if r["kind"] == "resident" else words("商户门牌", "shop card")),
    ("持卡人", "Holder", lambda r: r["resident_name"] or r["merchant_name"]),
    ("村社区", "Village", lambda r: bilingual(r, "community")),
    ("状态", "Status", lambda r: words("有效", "active") if r["status"] == "active" else words("已作废", "revoked")),
    ("发卡时间", "Issued", lambda r: local_text(r["issued_at"])),
    ("作废时间", "Revoked", lambda r: local_text(r["revoked_at"])), ("作废原因", "Reason", "revoke_reason"),
]


@bp.route("/cards/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(CardExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Every card the list shows, with its holder and village")
def export_cards(args):
    """Download the cards of my communities as XLSX (same filters as the list, no paging)."""
    rows = service.export_cards(current_principal(), args)
    return xlsx_response("cards.xlsx", [(words("卡片", "Cards"), headed(CARD_COLUMNS), rows)])


@bp.route("/cards", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@idempotent
@bp.arguments(CardIssueArgs)
@bp.response(201, CardSchema)
def issue_card(args):
    """Issue or reissue a resident's (worker) or merchant's (admin) card; the old one stops working."""
    return service.issue_for(current_principal(), args)


@bp.route("/cards/batch", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(PlaceArgs)
@bp.response(200, BatchResultSchema)
def issue_missing(args):
    """Issue cards to every resident of a community or household who has none (before printing)."""
    return service.issue_missing(current_principal(), args)


@bp.route("/cards/print-sheet", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SheetArgs, location="query")
@bp.response(200, content_type="text/html")
def print_sheet(args):
    """Printable A4 sheet (HTML) of the active cards of a community, household or chosen residents: masked names."""
    sheet = service.print_sheet(current_principal(), args.get("community_id"), args.get("household_id"),
                                args.get("resident_ids"))
    html = render_template("cards/print_sheet.html", **sheet)
    return current_app.response_class(html, mimetype="text/html")


@bp.route("/cards/print-sheet.pdf", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SheetArgs, location="query")
@bp.response(200, content_type=PDF, description="The A4 sheet of printed cards as a PDF")
def print_sheet_pdf(args):
    """The A4 sheet of printed cards as a PDF file (masked names, card numbers, QR codes)."""
    sheet = service.print_sheet(current_principal(), args.get("community_id"), args.get("household_id"),
                                args.get("resident_ids"))
    return pdf_response(render_template("cards/print_sheet.html", **sheet), "cards.pdf")


@bp.route("/cards/resolve", methods=["POST"])
@auth_required("staff", "merchant", "device")
@bp.arguments(CodeArgs)
@bp.response(200, ScanPreviewSchema)
def resolve(args):
    """What a scanned code (URL or bare token) stands for: masked preview, nothing spent."""
    return service.preview(current_principal(), args["code"])


@bp.route("/cards/find-resident", methods=["POST"])
@auth_required("staff", roles=STAFF)
@bp.arguments(CodeArgs)
@bp.response(200, ResidentSchema)
def find_resident(args):
    """Open a resident of my communities by scanning their printed card or phone code (logged; nothing spent)."""
    return service.find_resident_by_code(current_principal(), args["code"])


@bp.route("/cards/<int:card_id>", methods=["GET"])
@auth_required("staff", "resident", "merchant")
@bp.response(200, CardSchema)
def get_card(card_id):
    """One card (staff of its community, its resident or its merchant)."""
    return service.get_card_for(current_principal(), card_id)


@bp.route("/cards/<int:card_id>/revoke", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(CardRevokeArgs)
@bp.response(200, CardSchema)
def revoke_card(args, card_id):
    """Revoke a card at once (lost, stolen); it shows as revoked when scanned."""
    return service.revoke(current_principal(), card_id, args["reason"])


@bp.route("/cards/<int:card_id>/qr.png", methods=["GET"])
@auth_required("staff", "resident", "merchant")
@bp.arguments(PngArgs, location="query")
@bp.response(200, content_type="image/png")
def card_png(args, card_id):
    """The card's QR code as PNG."""
    data, mimetype = service.card_image(current_principal(), card_id, "png", args["box_size"])
    return current_app.response_class(data, mimetype=mimetype)


@bp.route("/cards/<int:card_id>/qr.svg", methods=["GET"])
@auth_required("staff", "resident", "merchant")
@bp.response(200, content_type="image/svg+xml")
def card_svg(card_id):
    """The card's QR code as SVG."""
    data, mimetype = service.card_image(current_principal(), card_id, "svg")
    return current_app.response_class(data, mimetype=mimetype)


@bp.route("/me/card", methods=["GET"])
@auth_required("resident")
@bp.response(200, CardSchema)
def my_card():
    """My printed card (resident)."""
    return service.my_card(current_principal().id)


@bp.route("/merchant/card", methods=["GET"])
@auth_required("merchant")
@bp.response(200, CardSchema)
def my_merchant_card():
    """My shop's door card (merchant staff); its QR image is at /cards/{id}/qr.png."""
    return service.my_merchant_card(current_principal().merchant_id)


@bp.route("/me/dynamic-code", methods=["POST"])
@auth_required("resident")
@bp.response(201, DynamicCodeSchema)
@read_only
def my_dynamic_code():
    """A fresh phone code (about 75 s, one discount or one redemption)."""
    code = service.issue_my_dynamic_code(current_principal().id)
    # what DynamicCodeSchema gives, written by hand: the phone asks for a code every minute or so
    return jsonify({**code, "expires_at": utc_iso(code["expires_at"])}), 201


@bp.route("/me/dynamic-code/status", methods=["GET"])
@auth_required("resident")
@bp.arguments(CodeArgs, location="query")
@bp.response(200, DynamicCodeStatusSchema)
def my_dynamic_code_status(args):
    """Whether my phone code has been used (the app then shows "used" and offers a new one)."""
    return service.my_dynamic_code_status(current_principal().id, args["code"])


# --- public pages ----------------------------------------------------------------------

#: plain-page titles for the errors a public visitor can meet
PAGE_ERRORS = {
    "invalid_code": ("无法识别的二维码", "This QR code is not valid"),
    "code_expired": ("二维码已过期", "This code has expired"),
    "card_revoked": ("名片已作废", "This card has been revoked"),
    "resident_not_found": ("名片无效", "This card is not valid"),
    "invalid_credentials": ("手机号或密码错误", "Wrong phone number or password"),
    "account_locked": ("密码错误次数过多，请稍后再试", "Too many wrong passwords; try again later"),
    "no_purchase_to_rate": ("暂无可评价的消费", "No purchase to rate"),
    "already_rated": ("已评价过", "Already rated"),
    "rating_window_closed": ("已超过评价期限", "Too late to rate"),
    "wrong_code_kind": ("此二维码不能评价", "This code cannot be rated"),
    "validation_failed": ("填写有误", "Please check the form"),
    "rate_limited": ("操作太频繁", "Too many attempts"),
}


def _error_page(status, code, detail):
    zh, en = PAGE_ERRORS.get(code, ("出错了", "Something went wrong"))
    # a refused rating form leads back to the card it came from
    token = (request.view_args or {}).get("token") if request.method == "POST" else None
    html = render_template("cards/error.html", title_zh=zh, title_en=en, detail=detail, code=code,
                           back=f"/c/{token}" if token else None)
    return html, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


@public_bp.errorhandler(DomainError)
def _domain_error(error):
    return _error_page(error.status, error.code, error.detail)


@public_bp.errorhandler(429)
def _too_many(error):
    return _error_page(429, "rate_limited", "Please wait a minute and try again. 请稍后再试。")


def _page_headers():
    # the page shows live standing and must not be cached by shared caches; no referrer leaks the token
    return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@public_bp.route("/c/<token>", methods=["GET"])
@read_only
def card_page(token):
    view = service.public_view(token)
    template = {"resident": "cards/resident.html", "merchant": "cards/merchant.html",
                "dynamic": "cards/dynamic.html"}[view["kind"]]
    status = 410 if view.get("status") == "revoked" else 200
    html = render_template(template, view=view, token=token, rated=request.args.get("rated") == "1")
    return html, status, _page_headers()


def _rating_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@public_bp.route("/c/<token>/rating", methods=["POST"])
@limiter.limit(_rating_limit)
def rate_page(token):
    form = request.form
    stars = form.get("stars", "")
    comment = form.get("comment", "")
    if stars not in {"1", "2", "3", "4", "5"} or len(comment) > 200:
        raise ValidationFailed("Choose 1 to 5 stars; a comment has at most 200 characters. "
                               "请选择1至5星，评语不超过200字。")
    rate_from_card(token, form.get("phone", ""), form.get("password", ""), int(stars), comment)
    return "", 303, {"Location": f"/c/{token}?rated=1", **_page_headers()}


@public_bp.route("/c/", methods=["GET"])
@public_bp.route("/c/<path:rest>", methods=["GET", "POST"])
def not_a_card(rest=None):
    return _error_page(404, "invalid_code", "This address is not a credit card. 这不是诚信名片的地址。")


# --- the door poster ---------------------------------------------------------------------


def _poster_pdf(merchant_id):
    poster = service.door_poster(current_principal(), merchant_id)
    return pdf_response(render_template("cards/poster.html", **poster), f"poster-{poster['number']}.pdf")


@bp.route("/merchant/poster.pdf", methods=["GET"])
@auth_required("merchant")
@bp.response(200, content_type=PDF, description="The shop's A4 door poster as a PDF")
def my_poster_pdf():
    """My shop's A4 door poster (PDF): level, discounts by star and the QR code customers scan."""
    return _poster_pdf(current_principal().merchant_id)


@bp.route("/merchants/<int:merchant_id>/poster.pdf", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.response(200, content_type=PDF, description="A shop's A4 door poster as a PDF")
def poster_pdf(merchant_id):
    """A shop's A4 door poster (PDF), for the credit centre to print and hand over."""
    return _poster_pdf(merchant_id)
