"""Pagination: ``?page=&per_page=`` in, ``{items, page, per_page, total}`` out."""
from functools import lru_cache

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from ..extensions import db

MAX_PER_PAGE = 100


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


@lru_cache(maxsize=None)
def page_of(item_schema):
    """The page envelope schema for one item schema (cached so OpenAPI names it once)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def paginate(stmt, page_args, *, scalars=True):
    """Run ``stmt`` for one page; ``total`` counts the whole filtered selection."""
    page, per_page = page_args["page"], page_args["per_page"]
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = result.scalars().all() if scalars else result.all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def split_page(args):
    """Take ``page``/``per_page`` out of parsed query args (the rest are filters)."""
    return {"page": args.pop("page"), "per_page": args.pop("per_page")}
