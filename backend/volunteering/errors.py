"""Volunteering errors, each with a stable ``code`` (mapped to problem+json by ``backend.errors``)."""
from ..errors import Conflict, NotFound, ValidationFailed


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    title = "No such activity"


class WrongActivityState(Conflict):
    code = "wrong_activity_state"
    title = "Not possible in this state of the activity"


class OutsideActivityTime(ValidationFailed):
    code = "outside_activity_time"
    title = "Outside the activity's time"


class WrongCommunity(ValidationFailed):
    code = "wrong_community"
    title = "Resident not of this activity's communities"


class BelowMinimumAge(ValidationFailed):
    code = "below_minimum_age"
    title = "Below the activity's minimum age"


class ActivityFull(Conflict):
    code = "activity_full"
    title = "No place left"


class NotSignedUp(Conflict):
    code = "not_signed_up"
    title = "Not signed up"


class OnWaitingList(Conflict):
    code = "on_waiting_list"
    title = "Still on the waiting list"


class NotCheckedIn(Conflict):
    code = "not_checked_in"
    title = "Not checked in"


class AlreadyCheckedOut(Conflict):
    code = "already_checked_out"
    title = "Already checked out"


class AttendingElsewhere(Conflict):
    code = "attending_elsewhere"
    title = "Attending an overlapping activity"


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    title = "No such certificate"
