"""Every write in the dealreg app; import them from here: `from dealreg import services`."""

from dealreg.services.accounts import *  # noqa: F403
from dealreg.services.registrations import *  # noqa: F403
