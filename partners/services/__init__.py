"""Every write in the partners app, one module per area; import them from here: `from partners import services`."""

from partners.services.onboarding import *  # noqa: F403
from partners.services.people import *  # noqa: F403
from partners.services.profile import *  # noqa: F403
from partners.services.program import *  # noqa: F403
from partners.services.recruitment import *  # noqa: F403
