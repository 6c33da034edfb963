"""Rosters in and out as XLSX: a village's residents and households in one sheet.

An import is read in two steps with the same file: a preview names every row's problem, and a
commit writes all rows or none (a commit with any problem writes nothing). Residents are matched by
the keyed hash of their ID number, so importing the same file again changes nothing.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from sqlalchemy import select

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..errors import ValidationFailed
from ..extensions import db
from ..org.models import Community, Household
from . import idnumbers
from .models import Resident

#: the most rows one file may hold; a bigger roster is split by village
MAX_ROWS = 20_000
#: an XLSX is a zip; refuse one that unpacks to more than this (a zip bomb) before parsing it
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
WRITE_ROLES = ("worker", "district_admin")
#: the same rule as the API's phone field
PHONE = re.compile(r"^\+?\d{5,20}$")
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}

#: (header in the sheet, key, required, explanation for the template)
COLUMNS = [
    ("村社区代码", "community_code", True, "村或社区的代码，与系统中一致，例如 XL01"),
    ("户号", "household_code", False, "信用户的户号；同一户的人填同一个户号，可不填"),
    ("户名", "household_name", False, "新户的户名，例如 张家；户已存在时可不填"),
    ("姓名", "name", True, "居民姓名"),
    ("性别", "gender", True, "男 或 女"),
    ("出生年份", "birth_year", True, "四位数年份，例如 1958；写成日期也可以"),
    ("手机号", "phone", False, "手机号（数字），可不填；不能与他人重复"),
    ("身份证号", "id_number", True, "18 位身份证号；系统只保存其加密摘要和后四位"),
]
HEADERS = {header: key for header, key, _required, _help in COLUMNS}


@dataclass
class Row:
    number: int
    values: dict
    problems: list = field(default_factory=list)

    def problem(self, column, code, zh, en):
        self.problems.append({"row": self.number, "column": column, "code": code, "message_zh": zh,
                              "message_en": en})


def template_rows():
    """The template's example row (a valid, fictional resident)."""
    first17 = "37108119580101001"
    return [["XL01", "XL01-001", "张家", "张三明", "男", 1958, "13800000000", first17 + idnumbers.check_digit(first17)]]


# --- reading the file ----------------------------------------------------------------------

def _refuse(code, detail):
    raise ValidationFailed(detail, code=code, errors={"file": [detail]})


def read_rows(data: bytes):
    """The sheet's rows as ``Row``s, or a refusal when the file itself is not a roster."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        _refuse("not_xlsx", "This is not an Excel (.xlsx) file.")
    if unpacked > MAX_UNPACKED_BYTES:
        _refuse("xlsx_too_large", "The file unpacks to too much data; split it by village.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        _refuse("not_xlsx", "This is not a readable Excel (.xlsx) file.")
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    keys = [HEADERS.get(str(cell).strip()) if cell is not None else None for cell in header]
    missing = [h for h, key, required, _ in COLUMNS if required and key not in keys]
    if missing:
        _refuse("roster_columns_missing", f"Missing columns: {', '.join(missing)}. Use the import template.")
    rows = []
    for number, line in enumerate(lines, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in line):
            continue
        if len(rows) >= MAX_ROWS:
            _refuse("too_many_rows", f"At most {MAX_ROWS} rows per file; split it by village.")
        rows.append(Row(number, {key: line[i] for i, key in enumerate(keys) if key and i < len(line)}))
    workbook.close()
    if not rows:
        _refuse("roster_empty", "The file holds no residents.")
    return rows


# --- checking each row ----------------------------------------------------------------------

def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _year(value):
    if isinstance(value, (datetime, date)):
        return value.year
    text = _text(value)
    match = re.match(r"^(\d{4})(?:$|[-/.年])", text)
    return int(match.group(1)) if match else None


def _clean(row, communities):
    v = row.values
    for header, key, required, _help in COLUMNS:
        text = _text(v.get(key))
        if text.startswith("="):
            row.problem(header, "formula_in_cell", "单元格是公式，请填写数值本身。", "The cell is a formula; type the value.")
            v[key] = None
            continue
        if required and not text:
            row.problem(header, "missing_value", f"“{header}”不能为空。", f"'{header}' is required.")
        v[key] = text
    clean = {"name": v["name"][:50], "household_code": v.get("household_code") or None,
             "household_name": (v.get("household_name") or "")[:100] or None}
    community = communities.get(v["community_code"])
    if v["community_code"] and community is None:
        row.problem("村社区代码", "unknown_community", f"没有代码为 {v['community_code']} 的村社区（或不在您的管辖范围）。",
                    f"No village with code {v['community_code']} in your communities.")
    clean["community"] = community
    gender = GENDERS.get(v["gender"].lower()) if v["gender"] else None
    if v["gender"] and gender is None:
        row.problem("性别", "invalid_gender", "性别请填“男”或“女”。", "Gender is 男 (male) or 女 (female).")
    clean["gender"] = gender
    year = _year(row.values.get("birth_year")) if v["birth_year"] else None
    if v["birth_year"] and (year is None or not 1900 <= year <= date.today().year):
        row.problem("出生年份", "invalid_birth_year", "出生年份应为四位数年份，例如 1958。",
                    "Birth year is a four-digit year, e.g. 1958.")
    clean["birth_year"] = year
    phone = v.get("phone") or None
    if phone and not PHONE.match(phone):
        row.problem("手机号", "invalid_phone", "手机号只能是数字（5 到 20 位）。", "A phone number is 5 to 20 digits.")
    clean["phone"] = phone
    id_number = idnumbers.normalize(v["id_number"])
    if id_number and not idnumbers.is_valid(id_number):
        row.problem("身份证号", "invalid_id_number", "身份证号不正确（位数或校验位不对）。",
                    "Not a valid ID number (length or check digit).")
    clean["id_number"] = id_number
    return clean


def check_roster(principal, rows):
    """Each row cleaned, with every problem named; duplicates within the file and against the
    district (a phone that belongs to someone else) included."""
    communities = {
        c.code: c for c in db.session.execute(
            select(Community).where(Community.district_id == principal.district_id)).scalars()
        if principal.can(c.id, *WRITE_ROLES)
    }
    cleaned = [_clean(row, communities) for row in rows]
    for clean in cleaned:
        valid = clean["id_number"] and idnumbers.is_valid(clean["id_number"])
        clean["id_hash"] = idnumbers.id_hash(clean["id_number"]) if valid else None
    existing = _existing_by_hash(principal.district_id, [c["id_hash"] for c in cleaned if c["id_hash"]])
    phones = _phone_owners(principal.district_id, [c["phone"] for c in cleaned if c["phone"]])
    seen_ids, seen_phones = {}, {}
    for row, clean in zip(rows, cleaned):
        hashed = clean["id_hash"]
        if hashed:
            if hashed in seen_ids:
                row.problem("身份证号", "duplicate_id_number", f"与第 {seen_ids[hashed]} 行的身份证号重复。",
                            f"Same ID number as row {seen_ids[hashed]}.")
            seen_ids.setdefault(hashed, row.number)
        clean["resident"] = existing.get(hashed)
        phone = clean["phone"]
        if phone:
            if phone in seen_phones:
                row.problem("手机号", "duplicate_phone", f"与第 {seen_phones[phone]} 行的手机号重复。",
                            f"Same phone number as row {seen_phones[phone]}.")
            seen_phones.setdefault(phone, row.number)
            owner = phones.get(phone)
            if owner is not None and (clean["resident"] is None or owner != clean["resident"].id):
                row.problem("手机号", "phone_taken", "这个手机号已属于另一位居民。", "This phone belongs to another resident.")
        if clean["resident"] is not None and not principal.can(clean["resident"].community_id, *WRITE_ROLES):
            row.problem("身份证号", "resident_out_of_scope", "这位居民已登记在您管辖范围以外的村社区。",
                        "This resident is registered in a village outside your communities.")
    return cleaned


def _chunks(values, size=900):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _existing_by_hash(district_id, hashes):
    found = {}
    for chunk in _chunks(set(hashes)):
        for resident in db.session.execute(
                select(Resident).where(Resident.district_id == district_id, Resident.id_hash.in_(chunk))).scalars():
            found[resident.id_hash] = resident
    return found


def _phone_owners(district_id, phones):
    owners = {}
    for chunk in _chunks(set(phones)):
        owners.update(db.session.execute(
            select(Resident.phone, Resident.id).where(Resident.district_id == district_id,
                                                      Resident.phone.in_(chunk))).all())
    return owners


# --- preview and commit -------------------------------------------------------------------

def _households(principal, cleaned, *, create):
    """``{(community_id, code): household_id}`` for every household the file names; new ones are
    created only when committing (a preview writes nothing)."""
    wanted = {(c["community"].id, c["household_code"]): c for c in cleaned if c["community"] and c["household_code"]}
    found = {}
    for community_id in {key[0] for key in wanted}:
        codes = [code for cid, code in wanted if cid == community_id]
        for chunk in _chunks(codes):
            for household in db.session.execute(select(Household).where(
                    Household.community_id == community_id, Household.code.in_(chunk))).scalars():
                found[(community_id, household.code)] = household.id
    if create:
        for key, clean in wanted.items():
            if key not in found:
                household = Household(district_id=principal.district_id, community_id=key[0], code=key[1],
                                      name=clean["household_name"] or key[1])
                db.session.add(household)
                db.session.flush()
                found[key] = household.id
    return found


def _changes(resident, clean, household_id):
    wanted = {"name": clean["name"], "gender": clean["gender"], "birth_year": clean["birth_year"],
              "phone": clean["phone"], "community_id": clean["community"].id, "household_id": household_id}
    return {k: v for k, v in wanted.items() if getattr(resident, k) != v}


def import_roster(principal, data: bytes, *, commit: bool):
    """Preview (``commit=False``) or write (``commit=True``) a roster file.

    Returns counts and every row's problems. A commit with problems raises and writes nothing."""
    rows = read_rows(data)
    cleaned = check_roster(principal, rows)
    problems = [p for row in rows for p in row.problems]
    households = _households(principal, cleaned, create=commit and not problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    plan = []
    for row, clean in zip(rows, cleaned):
        if row.problems:
            continue
        resident = clean["resident"]
        # no household in the file keeps the one a resident has; a new household has no id before the commit
        household_id = (households.get((clean["community"].id, clean["household_code"]), "new")
                        if clean["household_code"] else resident.household_id if resident else None)
        if resident is None:
            counts["created"] += 1
            plan.append(("create", clean, household_id))
        elif _changes(resident, clean, household_id):
            counts["updated"] += 1
            plan.append(("update", clean, household_id))
        else:
            counts["unchanged"] += 1
    result = {"rows": len(rows), **counts, "problems": problems, "committed": False}
    if not commit:
        return result
    if problems:
        raise ValidationFailed(
            f"There are {len(problems)} problems; no row was imported.",
            code="roster_has_problems", errors={"rows": problems[:500]})
    for action, clean, household_id in plan:
        require_scope(principal, clean["community"].id, *WRITE_ROLES, hide=False)
        if action == "create":
            db.session.add(Resident(
                district_id=principal.district_id, community_id=clean["community"].id, household_id=household_id,
                name=clean["name"], gender=clean["gender"], birth_year=clean["birth_year"], phone=clean["phone"],
                id_hash=clean["id_hash"], id_last4=clean["id_number"][-4:]))
        else:
            for key, value in _changes(clean["resident"], clean, household_id).items():
                setattr(clean["resident"], key, value)
    db.session.flush()
    record_audit(principal, "residents.import", "roster", None, after={**counts, "rows": len(rows)})
    result["committed"] = True
    return result
