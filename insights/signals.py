"""What insights listens to in the apps below it: a won deal registration becomes a customer contract (through
dealreg's won hook, so dealreg never imports insights)."""

from dealreg.hooks import register_won_listener
from insights.services.customers import contract_on_won

register_won_listener("insights-customer-contract", contract_on_won)
