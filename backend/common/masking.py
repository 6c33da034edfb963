"""Masking for names and numbers shown to people who are not staff of a community."""


def mask_name(name):
    """张三明 → 张*明, 张三 → 张*, Li Ming → L*** M***."""
    if not name:
        return name
    name = name.strip()
    if " " in name:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone):
    """13812345678 → 138****5678."""
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
