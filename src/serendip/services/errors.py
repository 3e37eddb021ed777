"""Errors a user can act on; the Slack adapter shows their message as an ephemeral reply."""


class ServiceError(Exception):
    """A request that cannot be done, with a message meant for the person who asked."""


class NotAProgramChannel(ServiceError):
    """The command needs a program channel and this is not one."""


class NotEnrolled(ServiceError):
    """The member is not in any program this command could apply to."""


class NotAllowed(ServiceError):
    """The member may not do this (e.g. an admin command by a non-admin)."""


class NotEligible(ServiceError):
    """Guests, bots and deactivated users cannot take part."""
